"""One script per Chinese explanation (issue 10, Fidelity 7): ``lang="zh"`` and ``"zh-Hans"``
are Simplified throughout, ``"zh-Hant"`` Traditional throughout, whatever script each
ruleset's texts were written in; OpenCC is the oracle (converting the output to its own
script again changes nothing)."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import opencc
import pytest

import promorules
from promorules.zh_script import EXPLAIN_LANGS, convert, fold_value, in_script, resolve_lang

ROOT = pathlib.Path(__file__).resolve().parents[2]
# an instant inside each ruleset's period and the calendar's known years
AS_OF = {"1688_spring": "2024-03-01T12:00:00+08:00",
         "aliexpress_medals": "2022-07-15T12:00:00+08:00",
         "offline_coop": "2024-06-01T12:00:00+08:00",
         "tmall_global": "2024-06-01T12:00:00+08:00"}

TO_SIMPLIFIED = opencc.OpenCC("t2s")
TO_TRADITIONAL = opencc.OpenCC("s2t")


def results() -> Iterator[tuple[str, promorules.Result]]:
    """Every shipped decision on every example facts file of its ruleset (a decision on
    another decision's facts is unknown, which shows the descriptions of its rules)."""
    for ruleset_id, as_of in AS_OF.items():
        rs = promorules.load(ROOT / "rulesets" / f"{ruleset_id}.yaml")
        for path in sorted((ROOT / "examples" / ruleset_id).glob("*.json")):
            facts = json.loads(path.read_text(encoding="utf-8"))
            for decision in rs.decisions:
                try:
                    result = rs.evaluate(decision, facts, as_of=as_of)
                except promorules.FactError:
                    continue  # facts for another decision, invalid for this one
                yield f"{ruleset_id}/{path.stem}/{decision}", result


RESULTS = list(results())


def test_every_ruleset_is_covered() -> None:
    assert {name.split("/")[0] for name, _ in RESULTS} == set(AS_OF)
    assert len(RESULTS) > 100
    outcomes = {str(r.outcome) for _, r in RESULTS}
    assert outcomes == {"pass", "fail", "unknown"}


@pytest.mark.parametrize(("name", "result"), RESULTS, ids=[n for n, _ in RESULTS])
def test_no_explanation_mixes_scripts(name: str, result: promorules.Result) -> None:
    zh = result.explain("zh")
    assert TO_SIMPLIFIED.convert(zh) == zh, name
    assert result.explain("zh-Hans") == zh
    hant = result.explain("zh-Hant")
    assert TO_TRADITIONAL.convert(hant) == hant, name
    # the same explanation, in the other script: only characters change, never the layout
    assert hant.splitlines()[0].split("：")[0] == zh.splitlines()[0].split("：")[0]
    assert [len(line) for line in hant.splitlines()] == [len(line) for line in zh.splitlines()]


def test_the_mixed_texts_are_converted() -> None:
    """The case of the issue: Simplified labels, a Traditional description."""
    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    facts = json.loads((ROOT / "examples" / "1688_spring" / "merchant_low_deposit.json")
                       .read_text(encoding="utf-8"))
    result = rs.evaluate("merchant_eligibility", facts)
    (deposit,) = result.failed
    assert deposit.description.zh == "買家保障服務保證金余額不低于3000元"  # as written
    zh = result.explain("zh")
    assert "不通过" in zh and "买家保障服务保证金余额不低于3000元" in zh
    assert "買" not in zh and "不通過" not in zh
    hant = result.explain("zh-Hant")
    assert "不通過" in hant and "買家保障服務保證金餘額不低於3000元" in hant
    assert "买" not in hant and "不通过" not in hant
    assert result.explain("en") == result.explain()  # English is not converted
    assert "買" not in result.explain("en")


def test_resolve_lang() -> None:
    assert [resolve_lang(v) for v in EXPLAIN_LANGS] == [
        ("en", None), ("zh", "t2s"), ("zh", "t2s"), ("zh", "s2t")]
    for bad in ("fr", "zh-CN", "zh-hant", "", None):
        with pytest.raises(promorules.PromorulesError) as info:
            resolve_lang(bad)  # type: ignore[arg-type]
        assert info.value.code == "PR010"
        assert "'zh-Hans', 'zh-Hant'" in str(info.value)


def test_in_script_converts_only_non_ascii_runs() -> None:
    text = "deposit — 買家保障(PC)不低于 3000 CNY\n实际：x = 1\nplain ascii"
    assert in_script(text, None) is text
    assert in_script("plain ascii", "t2s") == "plain ascii"
    assert in_script(text, "t2s") == ("deposit — 买家保障(PC)不低于 3000 CNY\n实际：x = 1\n"
                                      "plain ascii")
    assert in_script(text, "s2t") == ("deposit — 買家保障(PC)不低於 3000 CNY\n實際：x = 1\n"
                                      "plain ascii")
    assert in_script(text, "t2s") == TO_SIMPLIFIED.convert(text)
    assert convert("國慶節", "t2s") == "国庆节" and convert("国庆节", "s2t") == "國慶節"


def test_conversion_is_safe_across_threads() -> None:
    """Results are shared between threads: many threads converting new texts at once get
    what one thread gets."""
    words = "買家保障服務保證金餘額報名後審核國慶節春节周末商品价格发布極限詞"
    texts = [f"{i}: {words[i % 17:]}{words[:i % 23]} {i * 7}" for i in range(400)]
    want = {config: [TO_SIMPLIFIED.convert(t) if config == "t2s" else TO_TRADITIONAL.convert(t)
                     for t in texts] for config in ("t2s", "s2t")}

    def run(i: int) -> tuple[str, str]:
        config = ("t2s", "s2t")[i % 2]
        return config, in_script(texts[i // 2], config)

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(run, range(2 * len(texts))))
    for i, (config, text) in enumerate(got):
        assert text == want[config][i // 2]


def test_a_str_subclass_is_matched_as_the_text_it_holds() -> None:
    # the full path takes a str subclass (the fast path declines it): both must match alike
    class Name(str):
        pass

    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    facts = json.loads((ROOT / "examples" / "1688_spring" / "merchant_ok.json").read_text(
        encoding="utf-8"))
    # the Traditional form, which only folding matches against the folded list
    for text in ("機床", "电子元器件", "電子元器件"):
        plain = rs.evaluate("merchant_eligibility", dict(facts, main_industry=text))
        odd = rs.evaluate("merchant_eligibility", dict(facts, main_industry=Name(text)))
        assert (plain.outcome, plain.failed_rule_ids) == ("pass", ())
        assert (odd.outcome, odd.failed_rule_ids) == ("pass", ())
    # and a list of them (list facts fold item by item)
    assert fold_value([Name("機床"), "女裝", 3]) == ("机床", "女装", 3)
