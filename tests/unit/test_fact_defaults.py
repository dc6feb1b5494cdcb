"""Optional facts with a declared default (issue 10, contract amendment "New facts do not
break existing callers"): a fact not sent (absent or null) takes its default, the result
says so, and a caller that sends the facts it sent before gets the outcome it got before."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

import promorules
from promorules.testing import check_case, facts

HEADER = """\
id: defaults
version: 1.0.0
title: {en: Defaults, zh: 默认值}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
"""

BEFORE = HEADER + """\
facts:
  deposit: {type: money, currency: CNY}
decisions:
  merchant:
    description: {en: Merchant, zh: 商家}
    all:
      - {id: deposit, description: {en: Deposit, zh: 保证金}, source: "D §1",
         check: deposit >= 3000}
"""

AFTER = HEADER + """\
facts:
  deposit: {type: money, currency: CNY}
  fake_history: {type: boolean, default: false}
  level: {type: ordinal, values: [L0, L1, L2], default: L1}
  country: {type: string, default: CN}
decisions:
  merchant:
    description: {en: Merchant, zh: 商家}
    all:
      - {id: deposit, description: {en: Deposit, zh: 保证金}, source: "D §1",
         check: deposit >= 3000}
      - {id: no_fake_history, description: {en: No fake trade history, zh: 无虚假交易历史},
         source: "D 備注3", check: not fake_history}
      - {id: level, description: {en: Level, zh: 等级}, source: "D §2", check: level >= L1}
  domestic:
    description: {en: Domestic, zh: 国内}
    compute: country == "CN"
  uses_domestic:
    description: {en: Uses domestic, zh: 引用}
    all:
      - {id: domestic, description: {en: Domestic, zh: 国内}, source: "D §3",
         check: domestic}
"""


@pytest.fixture(scope="module")
def before() -> promorules.Ruleset:
    return promorules.loads(BEFORE, source="before.yaml")


@pytest.fixture(scope="module")
def after() -> promorules.Ruleset:
    return promorules.loads(AFTER, source="after.yaml")


@pytest.mark.parametrize("deposit", [2999.99, "3000.00", 3000, None])
def test_old_callers_keep_their_outcome(before: promorules.Ruleset,
                                        after: promorules.Ruleset, deposit: object) -> None:
    sent = {} if deposit is None else {"deposit": deposit}
    old, new = before.evaluate("merchant", sent), after.evaluate("merchant", sent)
    assert new.outcome == old.outcome
    assert new.failed_rule_ids == old.failed_rule_ids
    assert new.missing == old.missing  # a defaulted fact is never missing


def test_default_applies_and_is_shown(after: promorules.Ruleset) -> None:
    r = after.evaluate("merchant", {"deposit": 3000})
    assert r.outcome == "pass"
    assert dict(r.defaults) == {"fake_history": False, "level": "L1"}
    node = next(n for n in r.trace.walk() if n.rule_id == "no_fake_history")
    assert node.actual == {"fake_history": False}
    d = r.to_dict()
    assert d["defaults"] == {"fake_history": False, "level": "L1"}
    json.dumps(d)
    text = r.explain()
    assert "not sent, default taken: fake_history = false, level = L1" in text
    assert "采用默认值" in r.explain(lang="zh")


def test_null_counts_as_not_sent(after: promorules.Ruleset) -> None:
    r = after.evaluate("merchant", {"deposit": 3000, "fake_history": None, "level": None})
    assert r.outcome == "pass"
    assert set(r.defaults) == {"fake_history", "level"}


def test_sent_value_wins_and_no_defaults_key(after: promorules.Ruleset) -> None:
    r = after.evaluate("merchant", {"deposit": 3000, "fake_history": True, "level": "L2"})
    assert r.failed_rule_ids == ("no_fake_history",)
    assert dict(r.defaults) == {}
    assert "defaults" not in r.to_dict()
    assert "default taken" not in r.explain()


def test_sent_value_still_validated(after: promorules.Ruleset) -> None:
    with pytest.raises(promorules.FactError, match="fake_history"):
        after.evaluate("merchant", {"deposit": 3000, "fake_history": "no"})


def test_defaults_of_used_decisions_are_listed(after: promorules.Ruleset) -> None:
    r = after.evaluate("uses_domestic", {})
    assert r.outcome == "pass"
    assert dict(r.defaults) == {"country": "CN"}
    assert r.to_dict()["defaults"] == {"country": "CN"}
    assert after.evaluate("uses_domestic", {"country": "US"}).outcome == "fail"


def test_fast_and_slow_paths_agree(after: promorules.Ruleset) -> None:
    # a plain dict takes the fast path; another mapping the general one
    from types import MappingProxyType

    for sent in ({"deposit": 3000}, {"deposit": "2999.99"}, {"deposit": 3000, "level": "L0"}):
        a = after.evaluate("merchant", sent)
        b = after.evaluate("merchant", MappingProxyType(sent))
        assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize("decl, message", [
    ("{type: boolean, default: 'no'}", "default 'no' is invalid"),
    ("{type: ordinal, values: [L0, L1], default: L9}", "default 'L9' is invalid"),
    ("{type: money, currency: CNY, min: 0, default: -1}", "default -1 is invalid"),
    ("{type: date, default: 2024-02-30}", "default '2024-02-30' is invalid"),
])
def test_invalid_default_is_a_located_ruleset_error(decl: str, message: str) -> None:
    text = HEADER + f"""\
facts:
  x: {decl}
decisions:
  d:
    description: {{en: D, zh: D}}
    all:
      - {{id: r, description: {{en: R, zh: R}}, source: "D §1", check: present(x)}}
"""
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(text, source="bad.yaml")
    e = info.value
    assert e.code == "PR309" and message in str(e)
    assert (e.source, e.line) == ("bad.yaml", 8)


@settings(max_examples=60, deadline=None)
@given(case=facts(promorules.loads(AFTER, source="after.yaml"), "merchant"))
def test_testing_kit_checks_defaults(after: promorules.Ruleset, case: dict[str, object]
                                     ) -> None:
    check_case(after, "merchant", case)
