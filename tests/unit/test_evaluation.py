"""Evaluation: three-valued logic, applies_when, warnings, value decisions, decision
references, traces, results, immutability and thread safety."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import promorules
from promorules import Outcome

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "1688_spring"

RULESET = """\
id: logic
version: 1.0.0
title: {en: Logic, zh: 逻辑}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
facts:
  a: {type: number, description: {en: A, zh: A}}
  b: {type: number, description: {en: B, zh: B}}
  c: {type: boolean, description: {en: C, zh: C}}
  tier: {type: enum, values: [gold, silver, none], description: {en: Tier, zh: 等级}}
  region: {type: string, description: {en: Region, zh: 地区}}
  amount: {type: money, currency: CNY, description: {en: Amount, zh: 金额}}
lists:
  remote: {items: [新疆, 西藏]}
decisions:
  any_of:
    description: {en: Any, zh: 任一}
    source: "D §1"
    any:
      - {id: a_big, description: {en: a big, zh: a大}, source: "D §1", check: a >= 10}
      - {id: b_big, description: {en: b big, zh: b大}, source: "D §2", check: b >= 10}
  all_of:
    description: {en: All, zh: 全部}
    source: "D §1"
    all:
      - {id: a_big, description: {en: a big, zh: a大}, source: "D §1", check: a >= 10}
      - {id: b_big, description: {en: b big, zh: b大}, source: "D §2", check: b >= 10}
  not_of:
    description: {en: Not, zh: 非}
    not: {id: a_big, description: {en: a big, zh: a大}, source: "D §1", check: a >= 10}
  expr_logic:
    description: {en: Expression logic, zh: 表达式逻辑}
    all:
      - {id: or_rule, description: {en: o, zh: o}, source: "D §1", check: a >= 10 or b >= 10}
      - {id: and_rule, description: {en: n, zh: n}, source: "D §1", check: a >= 0 and c}
  gated:
    description: {en: Gated, zh: 条件}
    all:
      - id: gated_rule
        description: {en: Only when c, zh: 仅当c}
        source: "D §1"
        applies_when: c
        check: a >= 10
      - {id: b_big, description: {en: b big, zh: b大}, source: "D §2", check: b >= 10}
  gated_any:
    description: {en: Gated any, zh: 条件任一}
    any:
      - id: gated_rule
        description: {en: Only when c, zh: 仅当c}
        source: "D §1"
        applies_when: c
        check: a >= 10
      - {id: b_big, description: {en: b big, zh: b大}, source: "D §2", check: b >= 10}
  warned:
    description: {en: Warned, zh: 提示}
    all:
      - {id: b_big, description: {en: b big, zh: b大}, source: "D §2", check: b >= 10}
      - id: a_soft
        description: {en: a should be at least 10, zh: a最好不低于10}
        source: "D §1"
        severity: warning
        check: a >= 10
  tier_cases:
    description: {en: Tier by a, zh: 等级}
    cases:
      - {when: a >= 100, value: gold}
      - {when: a >= 50, value: silver}
    default: none
  tier_cases_no_default:
    description: {en: Tier by a, zh: 等级}
    cases:
      - {when: a >= 100, value: gold}
  discount:
    description: {en: Discount, zh: 折扣}
    lookup:
      key: tier
      table: {gold: 0.90, silver: 0.95}
      default: 1
  region_fee:
    description: {en: Region fee, zh: 地区费用}
    lookup:
      key: region
      table: {浙江: 0, 新疆: 20}
  perks:
    description: {en: Perks, zh: 权益}
    collect:
      - {when: a >= 10, value: p1}
      - {when: b >= 10, value: p2}
      - {when: c, value: p3}
  window:
    description: {en: Window, zh: 窗口}
    fields:
      double: {compute: a * 2}
      label: {value: fixed}
  rebate:
    description: {en: Rebate, zh: 返利}
    type: money
    currency: CNY
    round: {places: 2, mode: half_up}
    compute: amount * 0.035
  rebate_even:
    description: {en: Rebate, zh: 返利}
    type: money
    currency: CNY
    round: {places: 2, mode: half_even}
    compute: amount * 0.035
  bonus:
    description: {en: Bonus, zh: 奖金}
    type: money
    currency: CNY
    round: {places: 2, mode: half_up}
    requires:
      - {id: big_enough, description: {en: big, zh: 大}, source: "D §3", check: amount >= 100}
    compute: amount * 0.1
  remote_ship:
    description: {en: Free shipping, zh: 包邮}
    type: boolean
    compute: not (region in remote)
  combo:
    description: {en: Combo, zh: 组合}
    all:
      - {id: sub_all, description: {en: s, zh: s}, source: "D §4", decision: all_of}
      - {id: c_true, description: {en: c, zh: c}, source: "D §4", check: c}
  combo_expr:
    description: {en: Combo expr, zh: 组合}
    all:
      - {id: uses_decision, description: {en: u, zh: u}, source: "D §4", check: all_of and c}
"""


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(RULESET, source="logic.yaml")


@pytest.fixture(scope="module")
def spring() -> promorules.Ruleset:
    return promorules.load(ROOT / "rulesets" / "1688_spring.yaml")


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text("utf-8"))
    return data


def _children(result: promorules.Result) -> dict[str, str]:
    return {c.rule_id: str(c.outcome) for c in result.trace.children}


# -- three-valued logic ------------------------------------------------------------------


def test_any_passes_when_one_branch_passes_even_if_others_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("any_of", {"a": 11})
    assert result.outcome == "pass" and result.passed
    assert _children(result) == {"a_big": "pass", "b_big": "unknown"}
    assert result.failed == ()


def test_any_is_unknown_when_no_branch_passes_and_one_is_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("any_of", {"a": 1})
    assert result.outcome == "unknown"
    assert not result.passed
    assert result.missing == ("b",)
    assert result.failed == ()


def test_any_fails_when_every_branch_fails(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("any_of", {"a": 1, "b": 2})
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["a_big", "b_big"]


def test_all_fails_when_one_branch_fails_even_if_others_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("all_of", {"a": 1})
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["a_big"]
    # b was not needed: the failing branch decides, so nothing is reported missing
    assert result.missing == ()
    assert result.unknown == ()
    assert _children(result) == {"a_big": "fail", "b_big": "unknown"}


def test_all_is_unknown_when_none_fails_and_one_is_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("all_of", {"a": 11})
    assert result.outcome == "unknown"
    assert result.missing == ("b",)
    assert [r.rule_id for r in result.unknown] == ["b_big"]


def test_all_passes_when_every_branch_passes(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("all_of", {"a": 10, "b": 10})
    assert result.outcome == "pass"
    assert result.missing == ()


@pytest.mark.parametrize(("facts", "outcome"), [({"a": 1}, "pass"), ({"a": 11}, "fail"),
                                                ({}, "unknown")])
def test_not(rs: promorules.Ruleset, facts: dict[str, Any], outcome: str) -> None:
    assert rs.evaluate("not_of", facts).outcome == outcome


def test_not_decision_failing_reports_a_failed_rule(rs: promorules.Ruleset) -> None:
    # a decision that fails must say which rule made it fail, in `failed` as in to_dict()
    result = rs.evaluate("not_of", {"a": 11})
    assert result.outcome == "fail"
    assert len(result.failed) == 1
    assert [r.rule_id for r in result.failed] == result.to_dict()["failed"]
    assert result.failed[0].outcome == "fail"


@pytest.mark.parametrize(
    ("decision", "facts"),
    [
        ("all_of", {"a": 1, "b": 1}),
        ("any_of", {"a": 1, "b": 1}),
        ("not_of", {"a": 11}),
        ("gated", {"c": True, "a": 1, "b": 1}),
        ("warned", {"a": 1, "b": 1}),
        ("bonus", {"amount": 1}),
        ("combo", {"a": 1, "b": 1, "c": True}),
        ("combo_expr", {"a": 1, "b": 11, "c": False}),
        ("combo_expr", {"a": 1, "b": 11, "c": True}),
    ],
)
def test_failed_agrees_with_failed_rule_ids_and_to_dict(rs: promorules.Ruleset, decision: str,
                                                        facts: dict[str, Any]) -> None:
    result = rs.evaluate(decision, facts)
    assert result.outcome == "fail"
    ids = [r.rule_id for r in result.failed]
    assert ids, "a failed decision names at least one failed rule"
    assert ids == list(result.failed_rule_ids)
    assert ids == result.to_dict()["failed"]
    assert all(r.outcome == "fail" for r in result.failed)


@pytest.mark.parametrize(
    ("facts", "outcomes", "outcome"),
    [
        ({"a": 11, "c": False}, {"or_rule": "pass", "and_rule": "fail"}, "fail"),
        # true or unknown is true; (a >= 0) unknown and c true is unknown
        ({"b": 11, "c": True}, {"or_rule": "pass", "and_rule": "unknown"}, "unknown"),
        # unknown and false is false
        ({"c": False}, {"or_rule": "unknown", "and_rule": "fail"}, "fail"),
        ({"a": -1}, {"or_rule": "unknown", "and_rule": "fail"}, "fail"),
    ],
)
def test_kleene_logic_inside_expressions(rs: promorules.Ruleset, facts: dict[str, Any],
                                         outcomes: dict[str, str], outcome: str) -> None:
    result = rs.evaluate("expr_logic", facts)
    assert _children(result) == outcomes
    assert result.outcome == outcome


# -- applies_when ------------------------------------------------------------------------


def test_applies_when_false_is_not_applicable(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("gated", {"c": False, "b": 11})
    assert result.outcome == "pass"
    assert _children(result) == {"gated_rule": "not_applicable", "b_big": "pass"}
    assert result.trace.children[0].outcome is Outcome.NOT_APPLICABLE
    assert result.missing == ()  # `a` is not needed: the rule does not apply
    assert result.failed == ()


def test_not_applicable_is_neither_failing_nor_missing(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("gated", {"c": False, "b": 1})
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["b_big"]
    assert "a" not in result.missing


def test_not_applicable_is_skipped_by_any(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("gated_any", {"c": False, "b": 1}).outcome == "fail"
    assert rs.evaluate("gated_any", {"c": False, "b": 11}).outcome == "pass"


def test_applies_when_unknown_makes_the_rule_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("gated", {"a": 11, "b": 11})
    assert result.outcome == "unknown"
    assert _children(result)["gated_rule"] == "unknown"
    assert "c" in result.missing


def test_applies_when_true_evaluates_the_rule(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("gated", {"c": True, "a": 1, "b": 11})
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["gated_rule"]


# -- warnings ----------------------------------------------------------------------------


def test_failing_warning_does_not_fail_the_decision(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("warned", {"a": 1, "b": 11})
    assert result.outcome == "pass"
    assert result.failed == ()
    assert len(result.warnings) == 1
    assert "a_soft" in result.warnings[0]
    assert result.to_dict()["warnings"] == list(result.warnings)


def test_warning_is_reported_alongside_real_failures(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("warned", {"a": 1, "b": 1})
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["b_big"]
    assert any("a_soft" in w for w in result.warnings)


def test_passing_warning_gives_no_warning(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("warned", {"a": 10, "b": 11})
    assert result.passed
    assert result.warnings == ()


def test_warning_appears_in_the_explanation(rs: promorules.Ruleset) -> None:
    text = rs.evaluate("warned", {"a": 1, "b": 11}).explain()
    assert "a_soft" in text


# -- value decisions ---------------------------------------------------------------------


@pytest.mark.parametrize(("a", "tier"), [(100, "gold"), (150, "gold"), (99, "silver"),
                                         (50, "silver"), (49, "none"), (-5, "none")])
def test_cases_first_match_then_default(rs: promorules.Ruleset, a: int, tier: str) -> None:
    result = rs.evaluate("tier_cases", {"a": a})
    assert result.outcome == "pass"
    assert result.value == tier


def test_cases_unknown_when_the_deciding_fact_is_missing(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("tier_cases", {})
    assert result.outcome == "unknown"
    assert result.value is None
    assert result.missing == ("a",)


def test_cases_without_default_and_no_match_fails(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("tier_cases_no_default", {"a": 1})
    assert result.outcome == "fail"
    assert result.value is None
    assert rs.evaluate("tier_cases_no_default", {"a": 100}).value == "gold"


@pytest.mark.parametrize(("tier", "value"), [("gold", Decimal("0.90")),
                                             ("silver", Decimal("0.95")), ("none", 1)])
def test_lookup_with_default(rs: promorules.Ruleset, tier: str, value: Any) -> None:
    result = rs.evaluate("discount", {"tier": tier})
    assert result.outcome == "pass"
    assert result.value == value


def test_lookup_without_default_fails_on_an_unlisted_key(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("region_fee", {"region": "新疆"}).value == 20
    result = rs.evaluate("region_fee", {"region": "火星"})
    assert result.outcome == "fail"
    assert result.value is None
    assert not result.passed


def test_lookup_unknown_when_key_missing(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("discount", {}).outcome == "unknown"


def test_collect_in_order(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("perks", {"a": 11, "b": 11, "c": True}).value == ["p1", "p2", "p3"]
    assert rs.evaluate("perks", {"a": 11, "b": 1, "c": True}).value == ["p1", "p3"]
    empty = rs.evaluate("perks", {"a": 1, "b": 1, "c": False})
    assert empty.outcome == "pass"
    assert empty.value == []


def test_collect_unknown_when_a_condition_is_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("perks", {"a": 11, "c": True})
    assert result.outcome == "unknown"
    assert result.missing == ("b",)


def test_value_lists_are_fresh_copies(rs: promorules.Ruleset) -> None:
    first = rs.evaluate("perks", {"a": 11, "b": 11, "c": True})
    first.value.append("tampered")
    assert rs.evaluate("perks", {"a": 11, "b": 11, "c": True}).value == ["p1", "p2", "p3"]


def test_fields(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("window", {"a": 3})
    assert result.outcome == "pass"
    assert result.value == {"double": 6, "label": "fixed"}
    assert rs.evaluate("window", {}).outcome == "unknown"


@pytest.mark.parametrize(
    ("amount", "half_up", "half_even"),
    [
        ("100.50", Decimal("3.52"), Decimal("3.52")),  # 3.51750
        ("3", Decimal("0.11"), Decimal("0.10")),  # 0.105: the modes differ on a tie
        ("1", Decimal("0.04"), Decimal("0.04")),  # 0.035
        ("0", Decimal("0.00"), Decimal("0.00")),
    ],
)
def test_compute_with_rounding(rs: promorules.Ruleset, amount: str, half_up: Decimal,
                               half_even: Decimal) -> None:
    up = rs.evaluate("rebate", {"amount": amount}).value
    even = rs.evaluate("rebate_even", {"amount": amount}).value
    assert (up, even) == (half_up, half_even)
    assert str(up) == str(half_up)  # quantized to two places
    assert isinstance(up, Decimal)


def test_requires_failing_gives_fail_and_no_value(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("bonus", {"amount": 50})
    assert result.outcome == "fail"
    assert result.value is None
    assert [r.rule_id for r in result.failed] == ["big_enough"]


def test_requires_passing_gives_the_value(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("bonus", {"amount": 150})
    assert result.outcome == "pass"
    assert result.value == Decimal("15")


def test_money_value_is_quantized_to_two_places(rs: promorules.Ruleset) -> None:
    # contract: a money value is "a decimal.Decimal amount (money quantized to 2 places)"
    result = rs.evaluate("bonus", {"amount": 150})
    assert str(result.value) == "15.00"
    assert result.to_dict()["value"] == "15.00"


def test_requires_unknown_gives_unknown(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("bonus", {})
    assert result.outcome == "unknown"
    assert result.value is None


@pytest.mark.parametrize(("region", "value"), [("浙江", True), ("新疆", False)])
def test_boolean_compute(rs: promorules.Ruleset, region: str, value: bool) -> None:
    result = rs.evaluate("remote_ship", {"region": region})
    assert result.outcome == "pass"
    assert result.value is value


# -- decisions referencing decisions -----------------------------------------------------


def test_decision_reference_and_its_trace(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("combo", {"a": 1, "b": 11, "c": True})
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["a_big"]
    sub = result.trace.children[0]
    assert sub.rule_id == "sub_all"
    assert sub.outcome == "fail"
    # the referenced decision's whole trace is under the referencing rule
    inner = [n for n in sub.walk() if n.rule_id == "a_big"]
    assert len(inner) == 1
    assert inner[0].actual == {"a": 1}
    assert {n.rule_id for n in sub.walk()} >= {"all_of", "a_big", "b_big"}


def test_decision_used_in_an_expression(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("combo_expr", {"a": 11, "b": 11, "c": True}).passed
    assert rs.evaluate("combo_expr", {"a": 1, "b": 11, "c": True}).outcome == "fail"
    assert rs.evaluate("combo_expr", {"a": 11, "c": True}).outcome == "unknown"


def test_registration_passes_and_contains_sub_decision_traces(spring: promorules.Ruleset) -> None:
    result = spring.evaluate("registration", _example("registration_ok.json"))
    assert result.outcome == "pass"
    ids = {n.rule_id for n in result.trace.walk()}
    assert {"merchant", "product", "merchant_eligibility", "product_eligibility",
            "deposit", "price_pc", "registration_window"} <= ids


def test_registration_late_fails_on_the_window_only(spring: promorules.Ruleset) -> None:
    result = spring.evaluate("registration", _example("registration_late.json"))
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["registration_window"]


def test_registration_fails_through_a_sub_decision(spring: promorules.Ruleset) -> None:
    facts = dict(_example("registration_ok.json"), buyer_protection_deposit="2999.99")
    result = spring.evaluate("registration", facts)
    assert result.outcome == "fail"
    assert [r.rule_id for r in result.failed] == ["deposit"]
    assert result.failed[0].gap == Decimal("0.01")


def test_spring_value_decisions(spring: promorules.Ruleset) -> None:
    import datetime as dt

    ok = _example("registration_ok.json")
    late = _example("registration_late.json")
    assert spring.evaluate("review_due", ok).value == dt.date(2024, 3, 6)
    assert spring.evaluate("review_due", late).value == dt.date(2024, 3, 11)
    assert spring.evaluate("free_shipping_required", ok).value is True
    assert spring.evaluate("free_shipping_required", late).value is False
    assert spring.evaluate("benefits", ok).value == [
        "yanxuan_badge", "quality_main_image_chance", "search_recommend_boost",
        "venue_exposure", "channel_priority", "plus_member_support", "plus_red_packet"]
    assert spring.evaluate("benefits", late).value == []
    no_plus = dict(ok, has_plus_price=False)
    assert "plus_red_packet" not in spring.evaluate("benefits", no_plus).value


# -- the contract example ----------------------------------------------------------------


def test_contract_merchant_ok_passes(spring: promorules.Ruleset) -> None:
    result = spring.evaluate("merchant_eligibility", _example("merchant_ok.json"))
    assert result.outcome == "pass"
    assert result.passed is True
    assert result.value is None
    assert result.failed == ()
    assert result.missing == ()


def test_contract_deposit_2999_99_fails_exactly_one_rule(spring: promorules.Ruleset) -> None:
    facts = dict(_example("merchant_ok.json"), buyer_protection_deposit=2999.99)
    result = spring.evaluate("merchant_eligibility", facts)
    assert result.outcome == "fail"
    assert result.passed is False
    assert len(result.failed) == 1
    node = result.failed[0]
    assert node.rule_id == "deposit"
    assert node.outcome == "fail"
    assert dict(node.actual) == {"buyer_protection_deposit": Decimal("2999.99")}
    assert node.facts == ("buyer_protection_deposit",)
    assert node.expected == ">= 3000"
    assert node.gap == Decimal("0.01")
    assert node.source == "002_d8f09dc1866388ea.txt §四.6"
    assert node.description.en and node.description.zh
    assert node.children == ()


def test_record_reads_a_float_fact_as_its_exact_decimal(spring: promorules.Ruleset) -> None:
    """The fast path keeps a float it compares as a float; the record a result hands out
    (and the records of the decisions it uses) show the exact decimal, as to_dict does."""
    decision = spring.decisions["merchant_eligibility"]
    p = decision.fact_names.index("buyer_protection_deposit")
    assert p in decision.float_facts  # the float is kept: this test reads the conversion
    facts = dict(_example("merchant_ok.json"), buyer_protection_deposit=2999.99)
    for did in ("merchant_eligibility", "registration"):
        result = spring.evaluate(did, dict(_example("registration_ok.json"), **facts)
                                 if did == "registration" else facts)
        record = result.record
        if did == "registration":
            j = spring.decisions[did].subs.index("merchant_eligibility")
            record = record.subs[j]
        value = record.facts[p]
        assert type(value) is Decimal and value == Decimal("2999.99")
    node = spring.evaluate("merchant_eligibility", facts).failed[0]
    assert node.gap == Decimal("0.01") and node.threshold == 3000  # computed when read
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        node.gap = None  # type: ignore[misc]


def test_contract_example_file_gives_the_same_result(spring: promorules.Ruleset) -> None:
    result = spring.evaluate("merchant_eligibility", _example("merchant_low_deposit.json"))
    assert [r.rule_id for r in result.failed] == ["deposit"]
    assert result.failed[0].gap == Decimal("0.01")


def test_explanations_mention_the_failed_rule(spring: promorules.Ruleset) -> None:
    result = spring.evaluate("merchant_eligibility", _example("merchant_low_deposit.json"))
    en = result.explain()
    assert "deposit" in en and "2999.99" in en and "3000" in en and "0.01" in en
    assert "§四.6" in en
    zh = result.explain(lang="zh")
    assert "不通过" in zh and "2999.99" in zh and "0.01" in zh
    assert "买家保障服务保证金余额不低于3000元" in zh  # the description, in Simplified too
    assert result.explain(lang="zh-Hans") == zh
    hant = result.explain(lang="zh-Hant")
    assert "不通過" in hant and "買家保障服務保證金餘額不低於3000元" in hant


@pytest.mark.parametrize("lang", ["fr", "zh-TW", "ZH", "zh_Hant", ""])
def test_explain_refuses_an_unknown_language(spring: promorules.Ruleset, lang: str) -> None:
    result = spring.evaluate("merchant_eligibility", _example("merchant_ok.json"))
    with pytest.raises(promorules.PromorulesError) as info:
        result.explain(lang=lang)
    assert info.value.code == "PR010"
    assert str(info.value) == (f"PR010 unsupported language {lang!r}; use one of 'en', 'zh', "
                               "'zh-Hans', 'zh-Hant'")


def test_product_bad_fails_price_and_title(spring: promorules.Ruleset) -> None:
    result = spring.evaluate("product_eligibility", _example("product_bad.json"))
    failed = {r.rule_id: r for r in result.failed}
    assert set(failed) == {"price_pc", "title_words"}
    assert failed["price_pc"].gap == Decimal("1.00")


def test_to_dict_is_json_serialisable_with_money_as_strings(spring: promorules.Ruleset) -> None:
    facts = dict(_example("merchant_ok.json"), buyer_protection_deposit=2999.99)
    result = spring.evaluate("merchant_eligibility", facts)
    data = result.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    back = json.loads(text)
    assert back["outcome"] == "fail"
    assert back["decision"] == "merchant_eligibility"
    assert back["failed"] == ["deposit"]
    node = next(c for c in back["trace"]["children"] if c["rule_id"] == "deposit")
    assert node["actual"] == {"buyer_protection_deposit": "2999.99"}
    assert node["gap"] == "0.01"
    assert node["expected"] == ">= 3000"
    assert node["outcome"] == "fail"
    assert node["source"] == "002_d8f09dc1866388ea.txt §四.6"


def test_to_dict_dates_and_values_are_json(spring: promorules.Ruleset) -> None:
    data = spring.evaluate("review_due", _example("registration_ok.json")).to_dict()
    assert json.loads(json.dumps(data))["value"] == "2024-03-06"
    assert data["outcome"] == "pass"


def test_to_dict_of_a_rounded_money_value(rs: promorules.Ruleset) -> None:
    data = rs.evaluate("rebate", {"amount": "100.50"}).to_dict()
    assert json.loads(json.dumps(data))["value"] == "3.52"


# -- immutability ------------------------------------------------------------------------


def test_ruleset_attributes_cannot_be_set(spring: promorules.Ruleset) -> None:
    with pytest.raises(AttributeError):
        spring.id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        spring.anything = 1  # type: ignore[attr-defined]
    assert spring.id == "1688_spring"
    assert spring.version == "2.1.0"


def test_ruleset_attributes_cannot_be_deleted() -> None:
    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    for name in ("_model", "_compiled", "id"):
        with pytest.raises(AttributeError):
            delattr(rs, name)
    assert rs.id == "1688_spring"


def test_ruleset_mappings_are_read_only(spring: promorules.Ruleset) -> None:
    with pytest.raises(TypeError):
        spring.decisions["x"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        spring.facts["x"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        spring.params["x"] = 1  # type: ignore[index]
    assert "merchant_eligibility" in spring.decisions
    assert "buyer_protection_deposit" in spring.facts
    assert spring.facts["buyer_protection_deposit"].currency == "CNY"


def test_params_are_exposed_and_overridable() -> None:
    text = RULESET.replace(
        "lists:\n",
        "params:\n  min_a:\n    type: number\n    default: 10\n    min: 0\n    max: 100\n"
        "lists:\n").replace("check: a >= 10 or b >= 10", "check: a >= min_a or b >= 10")
    rs = promorules.loads(text)
    assert dict(rs.params) == {"min_a": 10}
    assert rs.evaluate("expr_logic", {"a": 10, "c": True}).passed
    strict = promorules.loads(text, params={"min_a": 50})
    assert dict(strict.params) == {"min_a": 50}
    assert strict.evaluate("expr_logic", {"a": 10, "b": 1, "c": True}).outcome == "fail"
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(text, params={"min_b": 1})
    assert info.value.code == "PR500"
    with pytest.raises(promorules.RulesetError):
        promorules.loads(text, params={"min_a": 500})


def test_evaluation_does_not_mutate_the_facts(spring: promorules.Ruleset) -> None:
    facts = dict(_example("merchant_ok.json"), buyer_protection_deposit=2999.99)
    before = dict(facts)
    spring.evaluate("merchant_eligibility", facts).to_dict()
    assert facts == before


# -- threads -----------------------------------------------------------------------------


def _fact_sets() -> list[tuple[str, dict[str, Any]]]:
    ok = _example("registration_ok.json")
    late = _example("registration_late.json")
    cases: list[tuple[str, dict[str, Any]]] = []
    for deposit in ("2999.99", "3000", 2999.99, 5000, None):
        for decision in ("merchant_eligibility", "registration", "benefits"):
            cases.append((decision, dict(ok, buyer_protection_deposit=deposit)))
    cases += [("review_due", ok), ("review_due", late), ("free_shipping_required", late),
              ("product_eligibility", _example("product_bad.json")),
              ("yanxuan_entry", _example("product_ok.json"))]
    return cases


def _snapshot(rs: promorules.Ruleset, decision: str, facts: dict[str, Any]) -> str:
    return json.dumps(rs.evaluate(decision, facts).to_dict(), sort_keys=True, ensure_ascii=False)


def test_concurrent_evaluation_matches_sequential(spring: promorules.Ruleset) -> None:
    cases = _fact_sets()
    expected = [_snapshot(spring, d, f) for d, f in cases]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            out = []
            for _ in range(5):
                order = cases[n % len(cases):] + cases[: n % len(cases)]
                got = {(d, json.dumps(f, sort_keys=True, default=str)): _snapshot(spring, d, f)
                       for d, f in order}
                out.append(json.dumps([got[(d, json.dumps(f, sort_keys=True, default=str))]
                                       for d, f in cases]))
            results[n] = out
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(results) == 8
    want = json.dumps(expected)
    for runs in results.values():
        assert all(run == want for run in runs)


# -- money is never rounded implicitly --------------------------------------------------

_MONEY_HEAD = """\
id: money_rules
version: 1.0.0
title: {en: Money, zh: 金额}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  amount: {type: money, currency: CNY}
decisions:
"""


def test_money_computed_with_multiplication_must_declare_rounding() -> None:
    text = _MONEY_HEAD + """\
  fee:
    description: {en: Fee, zh: 费用}
    type: money
    compute: amount * 0.03
"""
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(text, source="money.yaml")
    err = info.value
    assert err.code == "PR401"
    assert "declare how to round" in err.message
    assert (err.line, err.column) == (12, 14)


def test_money_sum_of_fractional_cents_is_an_error_not_a_silent_rounding() -> None:
    rs = promorules.loads(_MONEY_HEAD + """\
  doubled:
    description: {en: Doubled, zh: 两倍}
    type: money
    compute: amount + amount
""", source="money.yaml")
    assert rs.evaluate("doubled", {"amount": "1.25"}).value == Decimal("2.50")
    assert str(rs.evaluate("doubled", {"amount": 3}).value) == "6.00"
    with pytest.raises(promorules.FactError) as info:  # sub-cent money: refused at the door
        rs.evaluate("doubled", {"amount": "0.001"})
    assert (info.value.code, info.value.fact) == ("PR601", "amount")
    assert "more than 2 decimal places" in info.value.message
