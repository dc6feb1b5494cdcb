"""promorules.policy_docs: policy sheets in Markdown and HTML, and `promorules docs`
(through promorules.cli.run, with in-memory streams)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import promorules
from promorules.cli import run as run_cli
from promorules.policy_docs import generate_all, render_html, render_markdown

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ROOT / "rulesets"


def load(name: str) -> promorules.Ruleset:
    return promorules.load(RULESETS / f"{name}.yaml")


def walk_rules(rule: object) -> list[object]:
    out = [rule]
    for child in getattr(rule, "children", ()):
        out += walk_rules(child)
    return out


@pytest.mark.parametrize("name", ["1688_spring", "aliexpress_medals", "offline_coop",
                                  "tmall_global"])
def test_sheet_has_every_decision_rule_text_and_source(name: str) -> None:
    rs = load(name)
    model = rs.model
    md = render_markdown(rs, examples=[])
    assert md.startswith(f"# {model.title.en} · {model.title.zh}\n")
    assert f"| Ruleset id | `{model.id}` |" in md
    assert f"| Version | {model.version} |" in md
    assert "Asia/Shanghai" in md
    for source in model.sources.values():
        assert source["file"] in md
    for decision in model.decisions.values():
        assert f"\n### {decision.id}\n" in md
        assert decision.description.en.replace("*", "\\*") in md
        assert decision.description.zh in md
        rules = [r for top in ([decision.rule] if decision.rule else []) for r in walk_rules(top)]
        rules += [r for top in decision.requires for r in walk_rules(top)]
        if decision.value is not None:
            rules += [r for top in decision.value.tiers for r in walk_rules(top)]
        for rule in rules:
            if rule is decision.rule:
                continue
            assert f"`{rule.id}`" in md, rule.id
            assert rule.description.zh in md
            if rule.source:
                assert rule.source in md
            if rule.check is not None:
                assert f"`{' '.join(rule.check.text.split())}`" in md


def test_thresholds_and_nesting_in_the_1688_sheet() -> None:
    md = render_markdown(load("1688_spring"), examples=[])
    row = next(line for line in md.splitlines() if line.startswith("| `deposit` |"))
    assert "`buyer_protection_deposit >= 3000`" in row
    assert "Buyer-protection deposit balance of at least 3,000 yuan" in row
    assert "買家保障服務保證金余額不低于3000元" in row
    assert "002_d8f09dc1866388ea.txt §四.6" in row
    # a nested group: its logic, then its rules indented under it
    assert "| `violation_record` |" in md and "**all of:** violation_points, ip_infringement" in md
    assert "| ↳ `violation_points` |" in md
    assert "`main_industry in industries` | `industries` (list of 60 items)" in md
    assert "Formula: `add_working_days(date(submitted_at), 3)`" in md


def test_params_with_values_ranges_and_relations() -> None:
    md = render_markdown(load("aliexpress_medals"), examples=[])
    assert "| `category_deposit_cny` | 10,000 CNY | 10,000 CNY | 10,000 CNY to 50,000 CNY |" in md
    assert "| `gold_gmv_usd` | 10,000 USD | 10,000 USD | ≥ `silver_gmv_usd` |" in md
    # a rule shows the parameter it uses with its value
    assert "`deposit_paid_cny >= category_deposit_cny` | `category_deposit_cny` = 10,000 CNY" in md
    # tiers: lowest first, each tier's requirements indented under it
    assert "`silver` &lt; `gold` &lt; `mall`; when none holds: `none`." in md
    assert "| `gold` | Gold medal | 金牌 | gives `gold` when:<br>**any of:**" in md
    assert "tier `gold` is reached" in md


def test_params_in_force_are_shown() -> None:
    rs = promorules.load(RULESETS / "aliexpress_medals.yaml",
                         params={"category_deposit_cny": 20000})
    md = render_markdown(rs, examples=[])
    assert "| `category_deposit_cny` | 20,000 CNY | 10,000 CNY |" in md
    assert "`category_deposit_cny` = 20,000 CNY" in md


def test_tables_cases_lookup_split_and_output() -> None:
    tg = render_markdown(load("tmall_global"), examples=[])
    assert "| Row | buyer_paid | receipt_confirmed | Then | Description | 中文 | Source |" in tg
    assert "| `awaiting_payment` | `false` | `-` | `awaiting_payment` |" in tg
    assert "| `big_brands` | `[well_known, high_end]` | `direct_sales` |" in tg
    assert "hit policy first: the first matching row" in tg
    ae = render_markdown(load("aliexpress_medals"), examples=[])
    assert "| 2 | `tier == silver` | `base_loan_rate_percent * 0.95` |" in ae
    assert "| otherwise | no case applies | `base_loan_rate_percent` |" in ae
    assert "Looked up by `tier`:" in ae and "| `none` | `[]` |" in ae
    oc = render_markdown(load("offline_coop"), examples=[])
    assert "| `prepaid` | 30% |" in oc and "| `balance` | 70% |" in oc
    assert "**Value** (given whatever the outcome):" in oc
    assert "*applies when* `is_overseas`" in oc
    assert "*warning only: does not fail the decision*" in oc


def test_facts_and_lists_tables() -> None:
    md = render_markdown(load("1688_spring"), examples=[])
    assert ("| `buyer_protection_deposit` | money (CNY) | ≥ 0 | Buyer-protection deposit "
            "balance | 買家保障服務保證金余額 |") in md
    assert "| `pickup_rate_48h_30d` | percent | 0 to 100 |" in md
    assert "`none` &lt; `A` &lt; `AA`" in md
    assert ("| `banned_words` | 最大, 最好, 全球第一, 最低價; matched in either Chinese script "
            "and width (match: chinese) |") in md


def test_facts_table_shows_defaults_and_matching() -> None:
    md = render_markdown(load("offline_coop"), examples=[])
    assert "| `damaged_reputation` | boolean | default when not sent: `false` |" in md
    md = render_markdown(load("1688_spring"), examples=[])
    assert ("| `serious_fake_trade_history` | boolean | default when not sent: `false` |"
            in md)
    assert ("| `main_industry` | string | matched in either Chinese script and width "
            "(match: chinese) |") in md
    # after the range, separated from it
    text = """\
id: demo
version: 1.0.0
title: {en: Demo, zh: 示例}
timezone: Asia/Shanghai
sources:
  "001": {file: 001_demo.txt, title: Demo notice}
facts:
  points: {type: number, min: 0, default: 0}
  plain: {type: number, min: 0}
  region: {type: string, match: chinese, default: 浙江}
lists:
  remote: {items: [新疆, 臺灣], match: chinese}
decisions:
  ok:
    description: {en: OK, zh: 好}
    all:
      - {id: points_ok, description: {en: P, zh: P}, source: "001 §1",
         check: points < 36 and plain >= 0}
      - {id: region_ok, description: {en: R, zh: R}, source: "001 §2",
         check: region not in remote}
"""
    md = render_markdown(promorules.loads(text, source="demo.yaml"), examples=[])
    assert "| `points` | number | ≥ 0; default when not sent: `0` |" in md
    assert "| `plain` | number | ≥ 0 |" in md
    assert ("| `region` | string | default when not sent: `浙江`; matched in either Chinese "
            "script and width (match: chinese) |") in md
    assert ("| `remote` | 新疆, 臺灣; matched in either Chinese script and width "
            "(match: chinese) |") in md


def test_examples_from_the_sibling_file_and_given_ones() -> None:
    rs = load("1688_spring")
    md = render_markdown(rs)
    assert "## Examples" in md
    assert re.search(r"\| [^|]+ \| `merchant_eligibility` \| \*\*fail\*\* failed `deposit` \|",
                     md)
    given = [{"name": "deposit | pipe", "decision": "review_due",
              "expect": {"outcome": "pass", "value": "2024-03-06"}}]
    md = render_markdown(rs, examples=given)
    assert "1 worked example, checked by" in md
    assert "| deposit \\| pipe | `review_due` | **pass** value `2024-03-06` |" in md
    assert "## Examples" not in render_markdown(rs, examples=[])


UNSAFE = """\
id: unsafe
version: 1.0.0
title: {en: "<script>alert('t')</script> Title", zh: 標題 & <b>粗</b>}
timezone: Asia/Shanghai
sources:
  "001": {file: "a<b>.txt", title: "Notice | <i>x</i>"}
facts:
  amount:
    type: number
    description: {en: "Amount <script>alert(1)</script>", zh: 金額}
decisions:
  ok:
    description: {en: "OK </table><script>alert(2)</script>", zh: 好}
    source: "001 §1"
    all:
      - id: big
        description: {en: "Big * enough | <img src=x onerror=alert(3)>", zh: 大}
        source: "001 §1"
        check: amount < 10
"""


def test_html_is_self_contained_and_escapes_everything() -> None:
    rs = promorules.loads(UNSAFE, source="unsafe.yaml")
    page = render_html(rs, examples=[{"name": "<script>x</script>", "decision": "ok",
                                      "expect": {"outcome": "pass"}}])
    assert page.startswith("<!DOCTYPE html>\n<html")
    assert "<style>" in page
    assert "<script" not in page.lower()
    assert "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "<code>amount &lt; 10</code>" in page
    assert "src=" not in page.replace("src=x", "")  # no external resources
    assert "href=\"http" not in page

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.bad = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in ("br", "meta"):
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if self.stack and self.stack[-1] == tag:
                self.stack.pop()
            else:
                self.bad += 1

    checker = Balance()
    checker.feed(page)
    assert checker.bad == 0 and checker.stack == []


def test_markdown_escapes_html_and_table_syntax() -> None:
    md = render_markdown(promorules.loads(UNSAFE, source="unsafe.yaml"), examples=[])
    assert "<script" not in md.lower() and "<img" not in md
    assert "Big \\* enough \\| &lt;img src=x onerror=alert(3)>" in md
    # every table row keeps its column count
    for block in md.split("\n\n"):
        lines = block.splitlines()
        if lines and lines[0].startswith("| "):
            widths = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
            assert len(widths) == 1, block


def test_rendering_is_deterministic() -> None:
    rs = load("offline_coop")
    assert render_markdown(rs) == render_markdown(load("offline_coop"))
    assert render_html(rs) == render_html(rs)


# -- command line --------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(["docs", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_markdown_without_output_file() -> None:
    code, out, err = run(str(RULESETS / "tmall_global.yaml"))
    assert code == 0, err
    assert out == render_markdown(load("tmall_global"))


def test_cli_format_follows_the_extension(tmp_path: Path) -> None:
    html_path, md_path = tmp_path / "sheet.html", tmp_path / "sheet.md"
    assert run(str(RULESETS / "tmall_global.yaml"), "-o", str(html_path))[0] == 0
    assert run(str(RULESETS / "tmall_global.yaml"), "-o", str(md_path))[0] == 0
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert md_path.read_text(encoding="utf-8").startswith("# Tmall Global")


def test_cli_invalid_ruleset_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(UNSAFE.replace("check: amount < 10", "check: amout < 10"), encoding="utf-8")
    code, out, err = run(str(bad))
    assert code == 3 and out == ""
    assert re.match(r"^.+bad\.yaml:\d+:\d+: PR301 ", err)


def test_cli_usage_errors_exit_3() -> None:
    assert run()[0] == 3
    assert run("--all", str(RULESETS / "tmall_global.yaml"))[0] == 3


def test_generate_all_writes_and_checks(tmp_path: Path) -> None:
    rulesets, out = tmp_path / "rulesets", tmp_path / "sheets"
    rulesets.mkdir()
    (rulesets / "unsafe.yaml").write_text(UNSAFE, encoding="utf-8")
    results = generate_all(rulesets, out, check=True)
    assert results == [(out / "unsafe.md", False)]
    assert not out.exists()
    assert generate_all(rulesets, out) == [(out / "unsafe.md", False)]
    assert generate_all(rulesets, out, check=True) == [(out / "unsafe.md", True)]
    code, _, err = run("--all", "--rulesets", str(rulesets), "--out", str(out), "--check")
    assert code == 0, err
    (out / "unsafe.md").write_text("stale\n", encoding="utf-8")
    code, _, err = run("--all", "--rulesets", str(rulesets), "--out", str(out), "--check")
    assert code == 1
    assert "stale; regenerate with" in err
