"""promorules.diff: the semantic diff of two rulesets, the replay of recorded facts, and
the `promorules diff` command (through promorules.cli.run, with in-memory streams)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import promorules
from promorules.cli import run as run_cli
from promorules.diff import Change, read_records, replay, semantic_diff

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
# the first version
id: demo
version: 1.0.0
title: {en: Demo programme, zh: 示例活動}
timezone: Asia/Shanghai
sources:
  "002": {file: 002_demo.txt, title: Demo notice}
facts:
  buyer_protection_deposit:
    type: money
    currency: CNY
    min: 0
    description: {en: Deposit balance, zh: 保證金余額}
  trade_medal_level:
    type: ordinal
    values: [none, A, AA]
  violation_points:
    type: number
    min: 0
  gmv:
    type: money
    currency: USD
    min: 0
  tier:
    type: enum
    values: [gold, silver, none]
  title:
    type: string
params:
  category_deposit_cny:
    type: money
    currency: CNY
    default: 10000
    min: 10000
    max: 50000
    description: {en: Category deposit, zh: 類目保證金}
    source: "002 §3"
  gold_gmv:
    type: money
    currency: USD
    default: 20000
lists:
  banned_words:
    description: {en: Banned words, zh: 極限詞}
    source: "002 §9"
    items: [最大, 最好]
decisions:
  merchant_ok:
    description: {en: Merchant requirements, zh: 商家要求}
    source: "002 §4"
    all:
      - id: deposit
        description: {en: Deposit of at least 3000 yuan, zh: 保證金不低于3000元}
        source: "002 §4.6"
        check: buyer_protection_deposit >= 3000
      - id: trade_medal
        description: {en: Trade medal A or above, zh: 交易勛章A級及以上}
        source: "002 §4.2"
        check: trade_medal_level >= A
      - id: record
        description: {en: Clean record, zh: 無違規}
        source: "002 §4.9"
        all:
          - id: points
            description: {en: Fewer than 36 points, zh: 扣分低于36分}
            source: "002 §4.9"
            check: violation_points < 36
          - id: title_ok
            description: {en: No banned words, zh: 無極限詞}
            source: "002 §9"
            check: not contains_any(title, banned_words)
  category_deposit_paid:
    description: {en: Category deposit paid, zh: 已繳類目保證金}
    all:
      - id: category_deposit
        description: {en: Deposit covers the category, zh: 保證金覆蓋類目}
        source: "002 §3"
        check: buyer_protection_deposit >= category_deposit_cny
  medal:
    description: {en: Medal tier, zh: 勳章等級}
    tiers:
      - id: silver
        description: {en: Silver, zh: 銀牌}
        source: "002 §5"
        check: gmv >= 10000
      - id: gold
        description: {en: Gold, zh: 金牌}
        source: "002 §5"
        all:
          - id: gold_silver
            description: {en: Silver first, zh: 先銀牌}
            source: "002 §5"
            tier: silver
          - id: gold_gmv_ok
            description: {en: Gold GMV, zh: 金牌GMV}
            source: "002 §5"
            check: gmv >= gold_gmv
    default: none
  discount:
    description: {en: Discount, zh: 折扣}
    type: number
    cases:
      - when: tier == gold
        value: 0.90
      - when: tier == silver
        value: 0.95
    default: 1
  channel:
    description: {en: Channel, zh: 渠道}
    type: string
    table:
      hit_policy: unique
      inputs: [tier]
      rows:
        - {id: big, when: [[gold, silver]], then: direct}
        - {id: small, when: [none], then: platform}
"""


def rs(text: str = BASE, name: str = "<demo>") -> promorules.Ruleset:
    return promorules.loads(text, source=name)


def edited(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def diff(*pairs: tuple[str, str]) -> list[Change]:
    return semantic_diff(rs(), rs(edited(*pairs)))


def texts(changes: list[Change]) -> str:
    return "\n".join(c.text for c in changes)


# -- equivalence ---------------------------------------------------------------------------


def test_identical_rulesets_have_no_changes() -> None:
    assert semantic_diff(rs(), rs()) == []


def test_formatting_comments_and_key_order_are_not_changes() -> None:
    reformatted = edited(
        ("# the first version\n", "# reformatted, with other comments\n"),
        ("title: {en: Demo programme, zh: 示例活動}",
         "title:\n  zh: 示例活動   # Chinese first\n  en: Demo programme"),
        ("check: buyer_protection_deposit >= 3000",
         "check: (buyer_protection_deposit>=3000.00)"),
        ("check: violation_points < 36", "check: >-\n              violation_points\n"
                                         "              < 36"),
        ("items: [最大, 最好]", "items:\n      - 最大\n      - 最好"),
        ("        value: 0.90", "        value: 0.9"),
        ("default: 10000\n    min: 10000", "min: 10000\n    default: 10000.0"),
    )
    assert semantic_diff(rs(), rs(reformatted)) == []


# -- rules ---------------------------------------------------------------------------------


def test_threshold_change_is_shown_readably() -> None:
    changes = diff(("buyer_protection_deposit >= 3000", "buyer_protection_deposit >= 5000"))
    assert len(changes) == 1
    c = changes[0]
    assert (c.kind, c.section, c.path, c.aspect) == ("changed", "merchant_ok",
                                                     "merchant_ok.deposit", "check")
    assert c.old == "buyer_protection_deposit >= 3000"
    assert c.new == "buyer_protection_deposit >= 5000"
    assert c.detail == "buyer_protection_deposit >= 3000 → >= 5000"
    assert "buyer_protection_deposit >= 3000 → >= 5000" in c.text


def test_operator_change_and_nested_rule_change() -> None:
    changes = diff(("violation_points < 36", "violation_points <= 30"))
    assert [c.path for c in changes] == ["merchant_ok.points"]
    assert changes[0].detail == "violation_points < 36 → <= 30"


def test_changed_part_of_a_compound_condition_is_focused() -> None:
    old = "check: trade_medal_level >= A"
    changes = diff((old, "check: trade_medal_level >= A and buyer_protection_deposit > 0"))
    assert changes[0].detail == ("trade_medal_level >= A → trade_medal_level >= A and "
                                 "buyer_protection_deposit > 0")
    base = rs(edited((old, "check: trade_medal_level >= A and violation_points < 10")))
    new = rs(edited((old, "check: trade_medal_level >= AA and violation_points < 10")))
    assert semantic_diff(base, new)[0].detail == "trade_medal_level >= A → >= AA"


def test_rule_added_and_removed_at_any_depth() -> None:
    changes = diff(
        ("""          - id: title_ok
            description: {en: No banned words, zh: 無極限詞}
            source: "002 §9"
            check: not contains_any(title, banned_words)
""", ""),
        ("""      - id: trade_medal""", """      - id: medal_present
        description: {en: A medal is given, zh: 有勛章}
        source: "002 §4.2"
        check: present(trade_medal_level)
      - id: trade_medal"""),
    )
    kinds = {(c.kind, c.path) for c in changes}
    assert ("removed", "merchant_ok.title_ok") in kinds
    assert ("added", "merchant_ok.medal_present") in kinds
    added = next(c for c in changes if c.kind == "added")
    assert added.old is None and added.new == "check present(trade_medal_level)"
    assert "rule added: merchant_ok.medal_present" in added.text


def test_rule_moved_to_another_group() -> None:
    changes = diff(
        ("""          - id: title_ok
            description: {en: No banned words, zh: 無極限詞}
            source: "002 §9"
            check: not contains_any(title, banned_words)
""", ""),
        ("""  category_deposit_paid:""", """      - id: title_ok
        description: {en: No banned words, zh: 無極限詞}
        source: "002 §9"
        check: not contains_any(title, banned_words)
  category_deposit_paid:"""),
    )
    moved = [c for c in changes if c.aspect == "moved"]
    assert len(moved) == 1
    assert (moved[0].old, moved[0].new) == ("in record", "in merchant_ok")


def test_rule_order_description_and_source_changes() -> None:
    changes = diff(
        ("en: Deposit of at least 3000 yuan", "en: Deposit of at least 3000 CNY"),
        ('source: "002 §4.6"', 'source: "002 §4.7"'),
    )
    by_aspect = {c.aspect: c for c in changes}
    assert set(by_aspect) == {"description.en", "source"}
    assert by_aspect["description.en"].old == "Deposit of at least 3000 yuan"
    assert by_aspect["source"].new == "002_demo.txt §4.7"
    reordered = rs(BASE.replace("""      - id: deposit
        description: {en: Deposit of at least 3000 yuan, zh: 保證金不低于3000元}
        source: "002 §4.6"
        check: buyer_protection_deposit >= 3000
""", "").replace("""            check: not contains_any(title, banned_words)
""", """            check: not contains_any(title, banned_words)
      - id: deposit
        description: {en: Deposit of at least 3000 yuan, zh: 保證金不低于3000元}
        source: "002 §4.6"
        check: buyer_protection_deposit >= 3000
"""))
    order = semantic_diff(rs(), reordered)
    assert [(c.path, c.aspect) for c in order] == [("merchant_ok", "order")]
    assert order[0].old == "deposit, trade_medal, record"


def test_logic_change_of_a_group() -> None:
    changes = diff(("""        all:
          - id: points""", """        any:
          - id: points"""))
    assert [(c.path, c.aspect, c.old, c.new) for c in changes] == [
        ("merchant_ok.record", "kind", "all", "any")]


# -- declarations --------------------------------------------------------------------------


def test_param_default_change() -> None:
    changes = diff(("default: 10000\n    min: 10000", "default: 20000\n    min: 10000"))
    assert len(changes) == 1
    c = changes[0]
    assert (c.section, c.path, c.aspect, c.old, c.new) == (
        "params", "category_deposit_cny", "default", "10000", "20000")
    assert "category_deposit_cny default 10000 → 20000" in c.text


def test_param_range_description_and_new_param() -> None:
    changes = diff(
        ("max: 50000", "max: 60000"),
        ("description: {en: Category deposit, zh: 類目保證金}",
         "description: {en: Category deposit (CNY), zh: 類目保證金}"),
        ("""lists:""", """  silver_gmv:
    type: money
    currency: USD
    default: 10000
lists:"""),
    )
    got = {(c.kind, c.path, c.aspect) for c in changes}
    assert got == {("changed", "category_deposit_cny", "max"),
                   ("changed", "category_deposit_cny", "description.en"),
                   ("added", "silver_gmv", "")}


def test_fact_and_list_changes() -> None:
    changes = diff(
        ("values: [none, A, AA]", "values: [none, A, AA, AAA]"),
        ("type: number\n    min: 0", "type: number\n    min: 0\n    max: 100"),
        ("items: [最大, 最好]", "items: [最大, 全球第一]"),
        ("  title:\n    type: string\n", "  title:\n    type: string\n  shop_name:\n"
                                         "    type: string\n"),
    )
    by = {(c.section, c.path, c.aspect): c for c in changes}
    assert "added AAA" in by[("facts", "trade_medal_level", "values")].text
    assert by[("facts", "violation_points", "max")].new == "100"
    assert by[("lists", "banned_words", "items")].detail == "added 全球第一; removed 最好"
    assert ("facts", "shop_name", "") in by


def test_fact_default_and_match_changes() -> None:
    # a default taken when the fact is not sent, and the matching of text, can each change
    # an outcome: both are changes, and an added optional fact shows its default
    changes = diff(
        ("  title:\n    type: string\n", "  title:\n    type: string\n    match: chinese\n"
                                         "  fake_history:\n    type: boolean\n"
                                         "    default: false\n"),
        ("  violation_points:\n    type: number\n",
         "  violation_points:\n    type: number\n    default: 0\n"),
        ("    items: [最大, 最好]", "    match: chinese\n    items: [最大, 最好]"),
    )
    by = {(c.section, c.path, c.aspect): c for c in changes}
    assert by[("facts", "title", "match")].text == "fact title match exact → chinese"
    assert by[("facts", "violation_points", "default")].text == (
        "fact violation_points default none → 0")
    assert by[("facts", "fake_history", "")].text == (
        "fact added: fake_history (boolean, default false)")
    assert by[("lists", "banned_words", "match")].text == (
        "list banned_words match exact → chinese")
    # a default changed from false to true, and removed
    flipped = semantic_diff(
        rs(edited(("  title:\n    type: string\n",
                   "  title:\n    type: string\n  fake_history:\n    type: boolean\n"
                   "    default: false\n"))),
        rs(edited(("  title:\n    type: string\n",
                   "  title:\n    type: string\n  fake_history:\n    type: boolean\n"
                   "    default: true\n"))))
    assert texts(flipped) == "fact fake_history default false → true"
    assert diff() == []


def test_version_and_title_changes() -> None:
    changes = diff(("version: 1.0.0", "version: 1.1.0"), ("zh: 示例活動", "zh: 示範活動"))
    assert [(c.path, c.aspect, c.old, c.new) for c in changes] == [
        ("version", "", "1.0.0", "1.1.0"), ("title", "zh", "示例活動", "示範活動")]
    assert changes[0].text == "version 1.0.0 → 1.1.0"


# -- values, tiers and tables --------------------------------------------------------------


def test_tier_requirement_and_new_tier() -> None:
    changes = diff(
        ("check: gmv >= 10000", "check: gmv >= 12000"),
        ("""    default: none
  discount:""", """      - id: platinum
        description: {en: Platinum, zh: 白金}
        source: "002 §5"
        check: gmv >= 100000
    default: none
  discount:"""),
    )
    by = {(c.kind, c.path, c.aspect): c for c in changes}
    assert by[("changed", "medal.silver", "check")].detail == "gmv >= 10000 → >= 12000"
    assert ("added", "medal.platinum", "") in by
    assert by[("changed", "medal", "tier order")].new == "silver < gold < platinum"


def test_case_value_and_default_changes() -> None:
    changes = diff(("value: 0.95", "value: 0.97"), ("    default: 1\n", "    default: 0.99\n"))
    assert [(c.path, c.aspect, c.old, c.new) for c in changes] == [
        ("discount", "case 2 (when tier == silver)", "0.95", "0.97"),
        ("discount", "default", "1", "0.99")]


def test_table_row_changes() -> None:
    changes = diff(
        ("{id: big, when: [[gold, silver]], then: direct}",
         "{id: big, when: [gold], then: direct}"),
        ("{id: small, when: [none], then: platform}",
         "{id: small, when: [[silver, none]], then: marketplace}"),
    )
    by = {(c.path, c.aspect): c for c in changes}
    assert by[("channel.big", "when")].detail == "tier: [gold, silver] → gold"
    assert by[("channel.small", "then")].detail == "platform → marketplace"


def test_decision_added_and_removed() -> None:
    text = edited(("""  channel:
    description: {en: Channel, zh: 渠道}""", """  channel_v2:
    description: {en: Channel, zh: 渠道}"""))
    changes = semantic_diff(rs(), rs(text))
    assert [(c.kind, c.path) for c in changes] == [("removed", "channel"),
                                                    ("added", "channel_v2")]


# -- replay --------------------------------------------------------------------------------


GOOD = {"buyer_protection_deposit": "4000", "trade_medal_level": "A", "violation_points": 3,
        "title": "好貨"}


def test_replay_counts_outcome_changes_per_decision() -> None:
    old = rs()
    new = rs(edited(("buyer_protection_deposit >= 3000", "buyer_protection_deposit >= 5000")))
    records = [
        {"decision": "merchant_ok", "facts": GOOD},
        {"decision": "merchant_ok", "facts": {**GOOD, "buyer_protection_deposit": "5000"}},
        {"decision": "merchant_ok", "facts": {**GOOD, "buyer_protection_deposit": "2000"}},
        {"decision": "merchant_ok", "facts": {**GOOD, "buyer_protection_deposit": "4999.99"}},
    ]
    report = replay(old, new, records)
    assert report.records == 4
    assert report.changed_outcome == 2
    stats = report.decisions["merchant_ok"]
    assert stats.evaluated == 4
    assert stats.outcome_changes == {("pass", "fail"): 2}
    assert [e.record for e in stats.examples] == [1, 4]
    first = stats.examples[0]
    assert first.facts == "buyer_protection_deposit=4000"
    assert (first.old, first.new) == ("pass", "fail (failed: deposit)")
    assert report.summary() == ("2 of 4 records change outcome: merchant_ok pass → fail 2")


def test_replay_without_decision_runs_every_shared_decision_and_counts_values() -> None:
    old = rs()
    new = rs(edited(("value: 0.95", "value: 0.97")))
    report = replay(old, new, [{"facts": {**GOOD, "tier": "silver", "gmv": 15000}},
                               {"facts": {**GOOD, "tier": "gold", "gmv": 15000}}])
    assert set(report.decisions) == set(old.decisions)
    assert report.changed_outcome == 0 and report.changed_value == 1
    assert report.decisions["discount"].value_changes == 1
    example = report.decisions["discount"].examples[0]
    assert (example.old, example.new) == ("pass = 0.95", "pass = 0.97")
    assert "1 of 2 change only a value: discount 1" in report.summary()


def test_replay_reports_a_fact_error_on_one_side() -> None:
    old = rs()
    new = rs(edited(("type: number\n    min: 0", "type: number\n    min: 0\n    max: 36")))
    report = replay(old, new, [{"decision": "merchant_ok", "facts": GOOD},
                               {"decision": "merchant_ok",
                                "facts": {**GOOD, "violation_points": 40}}])
    stats = report.decisions["merchant_ok"]
    assert stats.outcome_changes == {("fail", "error"): 1}
    example = stats.examples[0]
    assert example.record == 2
    assert example.old == "fail (failed: points)"
    assert example.new.startswith("error: FactError PR603 fact 'violation_points'")
    assert example.facts == "violation_points=40"
    assert "merchant_ok fail → error 1" in report.summary()


def test_replay_of_a_decision_only_one_side_has() -> None:
    new = rs(edited(("  channel:\n", "  channel_v2:\n")))
    report = replay(rs(), new, [{"decision": "channel", "facts": {"tier": "gold"}}])
    assert report.decisions["channel"].outcome_changes == {("pass", "absent"): 1}


def test_unchanged_records_are_not_examples() -> None:
    report = replay(rs(), rs(), [{"decision": "merchant_ok", "facts": GOOD}] * 3)
    assert report.changed == 0
    assert report.decisions["merchant_ok"].examples == []
    assert report.summary() == "0 of 3 records change outcome"


# -- read_records --------------------------------------------------------------------------


def test_read_records_keeps_line_numbers_and_exact_numbers(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text('{"decision": "merchant_ok", "facts": {"x": 2999.99}}\n\n'
                    '{"facts": {}}\n', encoding="utf-8")
    records = read_records(str(path))
    assert [n for n, _ in records] == [1, 3]
    assert str(records[0][1]["facts"]["x"]) == "2999.99"


@pytest.mark.parametrize(("line", "code"), [
    ('{"decision": "merchant_ok", "facts": {', "PR101"),
    ('["not", "a", "record"]', "PR600"),
    ('{"decision": "merchant_ok"}', "PR600"),
    ('{"facts": {"x": NaN}}', "PR101"),
])
def test_read_records_errors_are_located(tmp_path: Path, line: str, code: str) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text('{"facts": {}}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(promorules.RulesetError) as info:
        read_records(str(path))
    assert info.value.code == code
    assert info.value.line == 2
    assert info.value.format().startswith(f"{path}:2:")


# -- command line --------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(["diff", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {}
    variants = {
        "old": BASE,
        "same": BASE.replace("# the first version", "# a comment\n# and another"),
        "new": edited(("buyer_protection_deposit >= 3000", "buyer_protection_deposit >= 5000"),
                      ("default: 10000\n    min: 10000", "default: 20000\n    min: 10000"),
                      ("""          - id: title_ok
            description: {en: No banned words, zh: 無極限詞}
            source: "002 §9"
            check: not contains_any(title, banned_words)
""", "")),
        "bad": BASE.replace("check: violation_points < 36", "check: violation_pionts < 36"),
    }
    for name, text in variants.items():
        p = tmp_path / f"{name}.yaml"
        p.write_text(text, encoding="utf-8")
        paths[name] = str(p)
    records = tmp_path / "records.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"decision": "merchant_ok", "facts": GOOD},
        {"decision": "merchant_ok", "facts": {**GOOD, "buyer_protection_deposit": "6000"}},
        {"decision": "category_deposit_paid", "facts": GOOD},
    ]) + "\n", encoding="utf-8")
    paths["records"] = str(records)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"facts": {}}\n{"facts": \n', encoding="utf-8")
    paths["broken"] = str(broken)
    return paths


def test_cli_equivalent_rulesets_exit_0(files: dict[str, str]) -> None:
    code, out, err = run(files["old"], files["same"])
    assert code == 0, err
    assert "no semantic changes" in out


def test_cli_prints_changes_grouped_with_markers(files: dict[str, str]) -> None:
    code, out, err = run(files["old"], files["new"])
    assert code == 1, err
    assert "\033[" not in out  # not a terminal: no colour
    lines = out.splitlines()
    assert lines[0] == "demo 1.0.0 → demo 1.0.0: 3 changes"
    assert "params" in lines and "decision merchant_ok" in lines
    assert "  ~ category_deposit_cny default: 10000 → 20000" in lines
    assert "  ~ deposit check: buyer_protection_deposit >= 3000 → >= 5000" in lines
    assert any(line.startswith("  - rule removed: merchant_ok.title_ok") for line in lines)
    # the params group comes before the decisions
    assert lines.index("params") < lines.index("decision merchant_ok")


def test_cli_color_only_when_asked_or_a_terminal(files: dict[str, str]) -> None:
    code, out, _ = run(files["old"], files["new"], "--color", "always")
    assert code == 1
    assert "\033[31m  - rule removed" in out

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    run_cli(["diff", files["old"], files["new"]], tty, io.StringIO())
    assert "\033[" in tty.getvalue()


def test_cli_replay_summary(files: dict[str, str]) -> None:
    code, out, err = run(files["old"], files["new"], "--facts", files["records"])
    assert code == 1, err
    assert "replay: 1 of 3 records change outcome: merchant_ok pass → fail 1" in out
    assert "category_deposit_paid" not in out.split("replay:")[1]  # fails on both sides
    assert "record 1: buyer_protection_deposit=4000" in out


def test_cli_json(files: dict[str, str]) -> None:
    code, out, _ = run(files["old"], files["new"], "--json", "--facts", files["records"])
    assert code == 1
    data = json.loads(out)
    assert data["equivalent"] is False
    assert data["old"]["digest"].startswith("sha256:")
    paths = [(c["kind"], c["path"]) for c in data["changes"]]
    assert ("changed", "merchant_ok.deposit") in paths
    assert data["replay"]["records"] == 3
    assert data["replay"]["changed_outcome"] == 1
    merchant = next(d for d in data["replay"]["decisions"] if d["decision"] == "merchant_ok")
    assert merchant["outcome_changes"] == [{"old": "pass", "new": "fail", "records": 1}]
    code, out, _ = run(files["old"], files["same"], "--json")
    assert code == 0 and json.loads(out)["changes"] == []


def test_cli_invalid_ruleset_exits_3_with_location(files: dict[str, str]) -> None:
    code, out, err = run(files["old"], files["bad"])
    assert code == 3
    assert out == ""
    assert re.match(r"^.+bad\.yaml:\d+:\d+: PR301 unknown name 'violation_pionts'", err)


def test_cli_invalid_facts_file_exits_3_with_location(files: dict[str, str]) -> None:
    code, _, err = run(files["old"], files["new"], "--facts", files["broken"])
    assert code == 3
    assert err.startswith(f"{files['broken']}:2:")
    assert "PR101" in err


def test_cli_usage_error_exits_3() -> None:
    code, _, err = run("only_one.yaml")
    assert code == 3
    assert "promorules diff" in err


def test_shipped_rulesets_are_equivalent_to_themselves() -> None:
    for path in sorted((ROOT / "rulesets").glob("*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        code, out, err = run(str(path), str(path))
        assert code == 0, out + err


def test_a_bound_naming_another_param_is_compared_without_the_file() -> None:
    # loads(): no file to re-read; the model keeps the relation itself
    old = rs(BASE.replace("    max: 50000\n", "    max: gold_gmv\n", 1))
    param = old.model.params["category_deposit_cny"]
    assert (param.minimum_ref, param.maximum_ref) == (None, "gold_gmv")
    assert param.bounds() == (10000, "gold_gmv")
    changes = semantic_diff(old, rs())
    assert [(c.path, c.aspect, c.old, c.new) for c in changes] == [
        ("category_deposit_cny", "max", "gold_gmv", "50000")]
