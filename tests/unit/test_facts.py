"""Facts on the way in: conversion and validation, observed through Ruleset.evaluate."""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import promorules
from promorules import FactError, PromorulesError, UnknownDecisionError

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")

RULESET = """\
id: facts_demo
version: 1.0.0
title: {en: Facts demo, zh: 事实示例}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
facts:
  deposit: {type: money, currency: CNY, min: 0, description: {en: Deposit, zh: 保证金}}
  rate: {type: percent, description: {en: Rate, zh: 比率}}
  score: {type: number, description: {en: Score, zh: 分数}}
  flag: {type: boolean, description: {en: Flag, zh: 标志}}
  kind: {type: enum, values: [enterprise, individual], description: {en: Kind, zh: 类型}}
  medal: {type: ordinal, values: [none, A, AA], description: {en: Medal, zh: 勋章}}
  opened: {type: date, description: {en: Opened, zh: 开店}}
  at: {type: datetime, description: {en: At, zh: 时间}}
  qty: {type: integer, min: 1, description: {en: Qty, zh: 数量}}
  name: {type: string, description: {en: Name, zh: 名称}}
  tags: {type: list, items: string, description: {en: Tags, zh: 标签}}
decisions:
  dep:
    description: {en: Deposit, zh: 保证金}
    all:
      - {id: deposit, description: {en: d, zh: d}, source: "D §1", check: deposit >= 3000}
  dep_any:
    description: {en: Deposit (any), zh: 保证金}
    any:
      - {id: deposit, description: {en: d, zh: d}, source: "D §1", check: deposit >= 3000}
      - {id: flag, description: {en: f, zh: f}, source: "D §1", check: flag}
  rate_ok:
    description: {en: Rate, zh: 比率}
    all:
      - {id: rate, description: {en: r, zh: r}, source: "D §1", check: rate >= 90}
  score_ok:
    description: {en: Score, zh: 分数}
    all:
      - {id: score, description: {en: s, zh: s}, source: "D §1", check: score >= 60}
  flag_ok:
    description: {en: Flag, zh: 标志}
    all:
      - {id: flag, description: {en: f, zh: f}, source: "D §1", check: flag}
  kind_ok:
    description: {en: Kind, zh: 类型}
    all:
      - {id: kind, description: {en: k, zh: k}, source: "D §1", check: kind == enterprise}
  medal_ok:
    description: {en: Medal, zh: 勋章}
    all:
      - {id: medal, description: {en: m, zh: m}, source: "D §1", check: medal >= A}
  opened_ok:
    description: {en: Opened, zh: 开店}
    all:
      - {id: opened, description: {en: o, zh: o}, source: "D §1", check: opened < 2024-03-01}
  at_ok:
    description: {en: At, zh: 时间}
    all:
      - {id: at, description: {en: a, zh: a}, source: "D §1", check: "at <= 2024-03-05T23:59:59"}
  at_date:
    description: {en: Date of at, zh: 日期}
    type: date
    compute: date(at)
  qty_ok:
    description: {en: Qty, zh: 数量}
    all:
      - {id: qty, description: {en: q, zh: q}, source: "D §1", check: qty <= 2}
  name_ok:
    description: {en: Name, zh: 名称}
    all:
      - {id: name, description: {en: n, zh: n}, source: "D §1", check: 'name == "shop"'}
  tags_ok:
    description: {en: Tags, zh: 标签}
    all:
      - {id: tags, description: {en: t, zh: t}, source: "D §1", check: 'contains(tags, "vip")'}
"""


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(RULESET, source="facts_demo.yaml")


@pytest.fixture(scope="module")
def spring() -> promorules.Ruleset:
    return promorules.load(ROOT / "rulesets" / "1688_spring.yaml")


def _leaf(result: promorules.Result) -> Any:
    return result.trace.children[0]


def _fact_error(rs: promorules.Ruleset, decision: str, facts: Any) -> FactError:
    with pytest.raises(FactError) as info:
        rs.evaluate(decision, facts)
    return info.value


# -- money and numbers -------------------------------------------------------------------


def test_money_float_becomes_its_shortest_repr_decimal(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("dep", {"deposit": 2999.99})
    assert result.outcome == "fail"
    node = _leaf(result)
    assert node.actual == {"deposit": Decimal("2999.99")}
    assert type(node.actual["deposit"]) is Decimal
    assert str(node.actual["deposit"]) == "2999.99"  # not 2999.989999999999781721271574497
    assert node.gap == Decimal("0.01")


def test_float_noise_is_kept_exactly_as_its_repr(rs: promorules.Ruleset) -> None:
    node = _leaf(rs.evaluate("score_ok", {"score": 0.1 + 0.2}))
    assert node.actual["score"] == Decimal("0.30000000000000004")


def test_float_noise_is_not_money(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "dep", {"deposit": 0.1 + 0.2})  # money has at most 2 places
    assert (err.code, err.fact) == ("PR601", "deposit")
    assert "0.30000000000000004 has more than 2 decimal places" in err.message


@pytest.mark.parametrize(("text", "outcome"), [("2999.99", "fail"), ("3000.00", "pass"),
                                               ("3000", "pass"), ("1e4", "pass")])
def test_money_as_decimal_string(rs: promorules.Ruleset, text: str, outcome: str) -> None:
    result = rs.evaluate("dep", {"deposit": text})
    assert result.outcome == outcome
    assert _leaf(result).actual["deposit"] == Decimal(text)


def test_money_as_decimal_object(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("dep", {"deposit": Decimal("3000.00")}).passed


def test_integer_money(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("dep", {"deposit": 3000})
    assert result.passed
    assert _leaf(result).actual["deposit"] == 3000


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"),
                                   Decimal("Infinity")])
def test_nan_and_infinite_numbers_are_pr602(rs: promorules.Ruleset, value: Any) -> None:
    err = _fact_error(rs, "dep", {"deposit": value})
    assert err.code == "PR602"
    assert err.fact == "deposit"
    assert "deposit" in err.message
    assert "finite" in err.message


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "inf", "-inf"])
@pytest.mark.parametrize("decision", ["dep", "dep_any"])
def test_nan_and_infinity_strings_are_pr602(rs: promorules.Ruleset, text: str,
                                            decision: str) -> None:
    # a string that is not a finite number is a bad fact, never a missing one
    err = _fact_error(rs, decision, {"deposit": text, "flag": False})
    assert err.code == "PR602"
    assert err.fact == "deposit"


@pytest.mark.parametrize("text", ["abc", "3,000", "3_000", "0x10", ""])
@pytest.mark.parametrize("decision", ["dep", "dep_any"])
def test_non_numeric_strings_are_fact_errors(rs: promorules.Ruleset, text: str,
                                             decision: str) -> None:
    err = _fact_error(rs, decision, {"deposit": text, "flag": False})
    assert err.code == "PR601"
    assert err.fact == "deposit"


def test_nan_string_in_the_shipped_ruleset_is_a_fact_error(spring: promorules.Ruleset) -> None:
    facts = json.loads((ROOT / "examples" / "1688_spring" / "merchant_ok.json").read_text("utf-8"))
    facts["buyer_protection_deposit"] = "NaN"
    err = _fact_error(spring, "merchant_eligibility", facts)
    assert (err.code, err.fact) == ("PR602", "buyer_protection_deposit")


@pytest.mark.parametrize(("decision", "fact"), [("dep", "deposit"), ("rate_ok", "rate"),
                                                ("score_ok", "score"), ("qty_ok", "qty")])
@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_numbers_pr601(rs: promorules.Ruleset, decision: str, fact: str,
                                        value: bool) -> None:
    err = _fact_error(rs, decision, {fact: value})
    assert err.code == "PR601"
    assert err.fact == fact
    assert "boolean" in err.message


@pytest.mark.parametrize("value", [1, 0, 1.0, "true", "yes", "1", [True], {"v": True}])
def test_only_true_and_false_are_booleans(rs: promorules.Ruleset, value: Any) -> None:
    err = _fact_error(rs, "flag_ok", {"flag": value})
    assert err.code == "PR601"
    assert err.fact == "flag"
    assert err.expected == "true or false"


def test_boolean_error_hints_json_true_false(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "flag_ok", {"flag": 1})
    assert "true/false" in err.message


@pytest.mark.parametrize(("decision", "facts", "fact"), [
    ("rate_ok", {"rate": 101}, "rate"),
    ("rate_ok", {"rate": 100.5}, "rate"),
    ("rate_ok", {"rate": -1}, "rate"),
    ("dep", {"deposit": -1}, "deposit"),
    ("dep", {"deposit": "-0.01"}, "deposit"),
    ("dep", {"deposit": -0.01}, "deposit"),
    ("qty_ok", {"qty": 0}, "qty"),
])
def test_out_of_range_is_pr603(rs: promorules.Ruleset, decision: str, facts: dict[str, Any],
                               fact: str) -> None:
    err = _fact_error(rs, decision, facts)
    assert err.code == "PR603"
    assert err.fact == fact


def test_percent_bounds_are_inclusive(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("rate_ok", {"rate": 100}).passed
    assert rs.evaluate("rate_ok", {"rate": 0}).outcome == "fail"


def test_range_error_message_names_the_bound(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "rate_ok", {"rate": 101})
    assert "101" in err.message and "100" in err.message
    assert "rate" in err.message


def test_integer_facts(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("qty_ok", {"qty": 2.0})
    assert result.passed
    assert _leaf(result).actual["qty"] == 2
    err = _fact_error(rs, "qty_ok", {"qty": 2.5})
    assert (err.code, err.fact) == ("PR601", "qty")


# -- enums, ordinals, strings, lists -----------------------------------------------------


def test_unknown_enum_value_pr604_with_suggestion(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "kind_ok", {"kind": "enterprize"})
    assert err.code == "PR604"
    assert err.fact == "kind"
    assert "did you mean 'enterprise'?" in err.message
    assert "enterprise, individual" in err.message


def test_unknown_ordinal_value_pr604(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "medal_ok", {"medal": "AAA"})
    assert (err.code, err.fact) == ("PR604", "medal")
    assert "did you mean 'AA'?" in err.message


def test_enum_must_be_a_string(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "kind_ok", {"kind": 3})
    assert (err.code, err.fact) == ("PR601", "kind")


def test_ordinal_compares_by_position_and_shows_its_name(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("medal_ok", {"medal": "AA"}).passed
    result = rs.evaluate("medal_ok", {"medal": "none"})
    assert result.outcome == "fail"
    assert _leaf(result).actual == {"medal": "none"}


def test_string_fact_type(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("name_ok", {"name": "shop"}).passed
    err = _fact_error(rs, "name_ok", {"name": 5})
    assert (err.code, err.fact) == ("PR601", "name")


def test_list_fact(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("tags_ok", {"tags": ["new", "vip"]}).passed
    assert rs.evaluate("tags_ok", {"tags": []}).outcome == "fail"
    err = _fact_error(rs, "tags_ok", {"tags": "vip"})
    assert (err.code, err.fact) == ("PR601", "tags")
    err = _fact_error(rs, "tags_ok", {"tags": ["vip", 3]})
    assert err.fact == "tags"


# -- dates and date-times ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-04-31"])
def test_impossible_date_is_pr605(rs: promorules.Ruleset, text: str) -> None:
    err = _fact_error(rs, "opened_ok", {"opened": text})
    assert (err.code, err.fact) == ("PR605", "opened")
    assert text in err.message


@pytest.mark.parametrize("text", ["20240229", "29/02/2024", "2024-2-9", "yesterday"])
def test_non_iso_date_is_pr605(rs: promorules.Ruleset, text: str) -> None:
    err = _fact_error(rs, "opened_ok", {"opened": text})
    assert (err.code, err.fact) == ("PR605", "opened")


def test_leap_day_and_python_dates_accepted(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("opened_ok", {"opened": "2024-02-29"})
    assert result.passed
    assert _leaf(result).actual["opened"] == dt.date(2024, 2, 29)
    assert rs.evaluate("opened_ok", {"opened": dt.date(2024, 3, 1)}).outcome == "fail"


def test_impossible_datetime_is_pr605(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "at_ok", {"at": "2024-02-30T00:00:00"})
    assert (err.code, err.fact) == ("PR605", "at")


def test_naive_datetime_is_read_in_the_ruleset_time_zone(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("at_ok", {"at": "2024-03-05T23:59:59"})
    assert result.passed
    value = _leaf(result).actual["at"]
    assert value == dt.datetime(2024, 3, 5, 23, 59, 59, tzinfo=SHANGHAI)
    assert value.utcoffset() == dt.timedelta(hours=8)
    assert rs.evaluate("at_ok", {"at": "2024-03-06T00:00:00"}).outcome == "fail"


def test_aware_datetimes_compare_as_instants(rs: promorules.Ruleset) -> None:
    # 15:59:59Z is 23:59:59 in Shanghai (inside); 16:00:00Z is midnight (outside)
    assert rs.evaluate("at_ok", {"at": "2024-03-05T15:59:59Z"}).passed
    assert rs.evaluate("at_ok", {"at": "2024-03-05T16:00:00+00:00"}).outcome == "fail"
    assert rs.evaluate("at_ok", {"at": "2024-03-06T00:00:00+08:00"}).outcome == "fail"


def test_date_of_a_datetime_is_taken_in_the_ruleset_zone(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("at_date", {"at": "2024-03-05T23:30:00"}).value == dt.date(2024, 3, 5)
    assert rs.evaluate("at_date", {"at": "2024-03-05T16:30:00Z"}).value == dt.date(2024, 3, 6)


def test_python_datetime_naive_and_aware(rs: promorules.Ruleset) -> None:
    naive = dt.datetime(2024, 3, 5, 23, 59, 59)
    assert rs.evaluate("at_ok", {"at": naive}).passed
    aware = dt.datetime(2024, 3, 5, 16, 0, tzinfo=dt.UTC)
    assert rs.evaluate("at_ok", {"at": aware}).outcome == "fail"


# -- missing facts -----------------------------------------------------------------------


@pytest.mark.parametrize("facts", [{}, {"deposit": None}, {"other": 1}])
def test_null_or_absent_fact_is_missing_and_unknown(rs: promorules.Ruleset,
                                                    facts: dict[str, Any]) -> None:
    result = rs.evaluate("dep", facts)
    assert result.outcome == "unknown"
    assert result.missing == ("deposit",)
    assert result.failed == ()
    assert _leaf(result).outcome == "unknown"


def test_facts_a_decision_does_not_read_are_not_validated(rs: promorules.Ruleset) -> None:
    result = rs.evaluate("dep", {"deposit": 3000, "rate": "not a number", "flag": 1})
    assert result.passed


def test_undeclared_facts_are_ignored(rs: promorules.Ruleset) -> None:
    assert rs.evaluate("dep", {"deposit": 3000, "something_else": object()}).passed


# -- the facts mapping and the decision --------------------------------------------------


@pytest.mark.parametrize("facts", [[("deposit", 1)], "deposit=1", None, 42])
def test_facts_must_be_a_mapping_pr600(rs: promorules.Ruleset, facts: Any) -> None:
    err = _fact_error(rs, "dep", facts)
    assert err.code == "PR600"
    assert err.fact is None


def test_any_mapping_is_accepted(rs: promorules.Ruleset) -> None:
    from types import MappingProxyType

    assert rs.evaluate("dep", OrderedDict(deposit=3000)).passed
    assert rs.evaluate("dep", MappingProxyType({"deposit": 3000})).passed


def test_fact_error_is_a_value_error_and_a_promorules_error(rs: promorules.Ruleset) -> None:
    with pytest.raises(ValueError):
        rs.evaluate("flag_ok", {"flag": 1})
    with pytest.raises(PromorulesError):
        rs.evaluate("flag_ok", {"flag": 1})
    assert issubclass(FactError, ValueError)
    assert not issubclass(FactError, promorules.RulesetError)


def test_fact_error_carries_value_and_expected(rs: promorules.Ruleset) -> None:
    err = _fact_error(rs, "rate_ok", {"rate": 101})
    assert err.value == 101
    assert err.expected is not None and "0" in err.expected and "100" in err.expected
    assert str(err).startswith("PR603 ")


def test_unknown_decision_error(rs: promorules.Ruleset) -> None:
    with pytest.raises(UnknownDecisionError) as info:
        rs.evaluate("dpe", {})
    err = info.value
    assert isinstance(err, LookupError)
    assert isinstance(err, PromorulesError)
    assert not isinstance(err, KeyError)
    assert "'dpe'" in err.message
    assert "did you mean 'dep'?" in err.message


def test_unknown_decision_of_the_wrong_type(rs: promorules.Ruleset) -> None:
    with pytest.raises(UnknownDecisionError):
        rs.evaluate(3, {})  # type: ignore[arg-type]


def test_bad_as_of_is_a_fact_error() -> None:
    rs = promorules.loads(RULESET.replace("check: opened < 2024-03-01",
                                          "check: opened < today"), source="t.yaml")
    with pytest.raises(FactError):
        rs.evaluate("opened_ok", {"opened": "2024-01-01"}, as_of="not a date")
    assert rs.evaluate("opened_ok", {"opened": "2024-01-01"}, as_of="2024-03-01").passed
    assert rs.evaluate("opened_ok", {"opened": "2024-03-01"},
                       as_of=dt.date(2024, 3, 1)).outcome == "fail"
