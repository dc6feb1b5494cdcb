"""``match: chinese`` (issue 10 Fidelity 1, 1688_spring amendment): text compared with a
fact or list so declared is compared in one script and half-width, with OpenCC, both sides
folded (constants once at load, facts at evaluation); the trace shows the value as sent."""

from __future__ import annotations

from types import MappingProxyType

import pytest

import promorules
from promorules.zh_script import fold

RULESET = """\
id: zh_match
version: 1.0.0
title: {en: Matching, zh: 匹配}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
facts:
  industry: {type: string, match: chinese}
  region: {type: string}
  title: {type: string, match: chinese}
  plain: {type: string}
lists:
  industries: {items: [女裝, 電子元器件, 印刷]}
  remote: {items: [臺灣, 香港, 澳門, 內蒙古], match: chinese}
  banned: {items: [最低價, 全球第一]}
decisions:
  merchant:
    description: {en: Merchant, zh: 商家}
    all:
      - {id: industry, description: {en: Industry, zh: 行業}, source: "D §1",
         check: industry in industries}
      - {id: title, description: {en: Title, zh: 標題}, source: "D §2",
         check: 'not contains_any(title, banned)'}
  remote_region:
    description: {en: Remote, zh: 偏遠}
    all:
      - {id: remote, description: {en: Remote, zh: 偏遠}, source: "D §3",
         check: region in remote}
  equal:
    description: {en: Equal, zh: 相等}
    all:
      - {id: equal_rule, description: {en: Equal, zh: 相等}, source: "D §4",
         check: industry == "女裝"}
  exact:
    description: {en: Exact, zh: 精確}
    all:
      - {id: exact_rule, description: {en: Exact, zh: 精確}, source: "D §5",
         check: plain in industries}
"""


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(RULESET, source="zh.yaml")


def _both(rs: promorules.Ruleset, decision: str, facts: dict[str, object]) -> str:
    """The outcome on the fast path (a dict) and the general one (another mapping)."""
    a = rs.evaluate(decision, facts)
    b = rs.evaluate(decision, MappingProxyType(facts))
    assert a.to_dict() == b.to_dict()
    return str(a.outcome)


@pytest.mark.parametrize("industry", ["女装", "女裝", "電子元器件", "电子元器件", "印刷"])
def test_fact_declared_chinese_matches_either_script(rs: promorules.Ruleset,
                                                     industry: str) -> None:
    assert _both(rs, "merchant", {"industry": industry, "title": "好貨"}) == "pass"


def test_other_text_still_fails(rs: promorules.Ruleset) -> None:
    assert _both(rs, "merchant", {"industry": "玩具", "title": "好貨"}) == "fail"


@pytest.mark.parametrize("title", ["最低价促销", "最低價促銷", "全球第一", "全球第一！"])
def test_banned_words_in_either_script(rs: promorules.Ruleset, title: str) -> None:
    r = rs.evaluate("merchant", {"industry": "女装", "title": title})
    assert r.failed_rule_ids == ("title",)


@pytest.mark.parametrize("region", ["台灣", "台湾", "臺灣", "澳门", "内蒙古", "內蒙古"])
def test_list_declared_chinese_folds_the_fact(rs: promorules.Ruleset, region: str) -> None:
    assert _both(rs, "remote_region", {"region": region}) == "pass"


def test_width_insensitive() -> None:
    assert fold("ＨＫ１２") == "HK12"
    assert fold("女裝（童裝）") == fold("女装(童装)")


def test_equality_with_a_literal(rs: promorules.Ruleset) -> None:
    assert _both(rs, "equal", {"industry": "女装"}) == "pass"
    assert _both(rs, "equal", {"industry": "男装"}) == "fail"


def test_without_the_option_matching_is_exact(rs: promorules.Ruleset) -> None:
    assert _both(rs, "exact", {"plain": "女裝"}) == "pass"
    assert _both(rs, "exact", {"plain": "女装"}) == "fail"


def test_trace_shows_the_value_as_sent(rs: promorules.Ruleset) -> None:
    r = rs.evaluate("merchant", {"industry": "女装", "title": "最低價"})
    node = next(n for n in r.trace.walk() if n.rule_id == "industry")
    assert node.actual == {"industry": "女装"}
    assert r.to_dict()["trace"]["children"][1]["actual"] == {"title": "最低價"}


def test_missing_stays_unknown(rs: promorules.Ruleset) -> None:
    r = rs.evaluate("merchant", {"title": "ok"})
    assert r.outcome == "unknown" and r.missing == ("industry",)


def test_match_on_anything_but_text_is_refused() -> None:
    text = RULESET.replace("  plain: {type: string}", "  plain: {type: number, match: chinese}")
    with pytest.raises(promorules.RulesetError, match="PR201 'match' is not allowed"):
        promorules.loads(text, source="zh.yaml")
    text = RULESET.replace("  plain: {type: string}",
                           "  plain: {type: list, items: number, match: chinese}")
    with pytest.raises(promorules.RulesetError, match=r"PR309.*applies to text only"):
        promorules.loads(text, source="zh.yaml")
