"""Numbers in facts are bounded at the door (issue 10, hardening 2 and 3; api.md, "Numbers
and text in facts"): ASCII digits without surrounding whitespace, a few dozen digits at
most, money in cents. Each case is a reproduction from the red-team run; each goes through
both the generated fast path (every fact present) and the full path (a fact missing)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import promorules
import shipped_rulesets
from promorules import FactError
from promorules.facts import MAX_DIGITS, MAX_EXPONENT, number_problem

ROOT = Path(__file__).resolve().parents[2]
RS = shipped_rulesets.load("1688_spring")
BASE = json.loads((ROOT / "examples" / "1688_spring" / "merchant_ok.json").read_text("utf-8"))
DECISION = "merchant_eligibility"
MONEY = "buyer_protection_deposit"  # money, min 0, no max
NUMBER = "violation_points_year"  # number, min 0, no max


def refused(fact: str, value: Any) -> list[FactError]:
    """The FactError of both paths: all facts present (fast path) and one other missing."""
    errors = []
    for missing in (None, "store_competitiveness_ok"):
        facts = {**BASE, fact: value}
        if missing:
            del facts[missing]
        with pytest.raises(FactError) as info:
            RS.evaluate(DECISION, facts, as_of="2024-03-01")
        errors.append(info.value)
    fast, full = errors
    assert str(fast) == str(full)  # the same bound and the same message on either path
    assert (fast.code, fast.fact) == ("PR601", fact)
    assert f"fact '{fact}'" in fast.message
    assert len(fast.message) < 400
    return errors


@pytest.mark.parametrize("value", [
    "1e-999999999",  # 12 bytes that made to_dict()/explain() produce about 1 GB
    Decimal("1e-999999999"),
    "1e99", 1e300, 1e-300, -1e300,
    10 ** 4400,  # beyond int()'s own digit limit: str() of it raised ValueError in explain
    -(10 ** 3000),
    10 ** (MAX_EXPONENT + 1),
    "9" * (MAX_DIGITS + 1),
], ids=lambda v: repr(v)[:20] if not isinstance(v, int) else f"int{v.bit_length()}bits")
@pytest.mark.parametrize("fact", [MONEY, NUMBER])
def test_numbers_that_cannot_be_shown_in_a_few_dozen_digits(fact: str, value: Any) -> None:
    (err, _) = refused(fact, value)
    assert "to read exactly" in err.message or "has more than 2 decimal places" in err.message


@pytest.mark.parametrize("value", ["3000.001", 3000.001, Decimal("3000.001"), "3000.000",
                                   "0.001", 0.1 + 0.2, "1e-3"])
def test_money_has_at_most_two_decimal_places(value: Any) -> None:
    (err, _) = refused(MONEY, value)
    assert "has more than 2 decimal places" in err.message


@pytest.mark.parametrize("value", ["3000.00", "3000.0", "3000", 3000, 3000.0, 3000.5,
                                   Decimal("3000.10"), "1e4", 10 ** 20])
def test_money_in_cents_is_accepted(value: Any) -> None:
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    # every fact present (the fast path): a pass, the deposit read as its exact amount
    result = RS.evaluate(DECISION, {**BASE, MONEY: value}, as_of="2024-03-01")
    assert (result.outcome, result.failed_rule_ids) == ("pass", ())
    (deposit,) = [n for n in result.trace.walk() if n.rule_id == "deposit"]
    assert deposit.actual[MONEY] == exact
    # one fact missing (the full path): the deposit is accepted, only that fact is missing
    facts = {**BASE, MONEY: value}
    del facts["store_competitiveness_ok"]
    result = RS.evaluate(DECISION, facts, as_of="2024-03-01")
    assert (result.outcome, result.missing) == ("unknown", ("store_competitiveness_ok",))


@pytest.mark.parametrize(("value", "hint"), [
    ("３０００", "ASCII digits"),  # full-width
    ("٣٠٠٠", "ASCII digits"),  # Arabic-Indic
    ("३०००", "ASCII digits"),  # Devanagari
    (" 3000 ", "whitespace"),
    ("3000\n", "whitespace"),
    ("\t3000", "whitespace"),
    ("3000\u3000", None),  # an ideographic space: not a number
    ("3_000", None),
])
@pytest.mark.parametrize("fact", [MONEY, NUMBER])
def test_lenient_number_text_is_refused(fact: str, value: str, hint: str | None) -> None:
    (err, _) = refused(fact, value)
    assert "is not a number" in err.message
    if hint:
        assert hint in err.message


def test_the_bounds_themselves_are_accepted() -> None:
    for value in (10 ** (MAX_EXPONENT + 1) - 1, "9" * MAX_DIGITS, Decimal("1e-60"),
                  Decimal("-1e60"), "59.1234567890123456789012345678901"):
        assert number_problem(value) is None, value
        if not str(value).startswith("-"):
            RS.evaluate(DECISION, {**BASE, NUMBER: value}, as_of="2024-03-01")
    for value in (10 ** (MAX_EXPONENT + 1), "9" * (MAX_DIGITS + 1), Decimal("1e-61"),
                  Decimal("1e61"), Decimal("1." + "1" * MAX_DIGITS)):
        assert number_problem(value) is not None, value


def test_integer_facts_and_lists_are_bounded_too() -> None:
    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    fact = next(n for n, f in rs.facts.items() if f.kind == "integer")
    decision = next(d for d, c in rs.decisions.items() if fact in c.fact_names)
    with pytest.raises(FactError) as info:
        rs.evaluate(decision, {fact: 10 ** 5000})
    assert (info.value.code, info.value.fact) == ("PR601", fact)
    with pytest.raises(FactError) as info:
        rs.evaluate(decision, {fact: "２"})
    assert (info.value.code, info.value.fact) == ("PR601", fact)


def test_parameter_overrides_are_bounded() -> None:
    for value in ("１００００", " 10000", "10000.001", 10 ** 5000):
        with pytest.raises(promorules.RulesetError) as info:
            promorules.load(ROOT / "rulesets" / "aliexpress_medals.yaml",
                            params={"gmv_floor_usd": value})
        assert info.value.code.startswith("PR5"), info.value


def test_json_facts_with_lenient_numbers_are_refused_by_evaluate() -> None:
    from promorules.facts import read_json_facts
    facts = read_json_facts('{"buyer_protection_deposit": "３０００"}')
    with pytest.raises(FactError) as info:
        RS.evaluate(DECISION, {**BASE, **facts}, as_of="2024-03-01")
    assert info.value.fact == MONEY


# The fast path's test that a float amount is in whole cents (compiler/emit_fast.py):
# round(v * 100) / 100 == v. It must agree with the full conversion's rule, which reads the
# float as its shortest repr and allows at most 2 decimal places.
@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False, allow_infinity=False)
       | st.integers(min_value=-10**13, max_value=10**13).map(lambda n: n / 100))
def test_the_fast_cents_test_agrees_with_the_shortest_repr(v: float) -> None:
    exponent = Decimal(repr(v)).as_tuple().exponent
    assert isinstance(exponent, int)
    assert (round(v * 100.0) / 100.0 == v) == (exponent >= -2)


def test_a_float_amount_off_by_a_fraction_of_a_cent_is_refused_on_the_fast_path() -> None:
    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    facts = json.loads((ROOT / "examples" / "1688_spring" / "merchant_ok.json").read_text())
    for good, failed in ((3000.0, ()), (123456.78, ()), (2999.99, ("deposit",)),
                         (0.07, ("deposit",))):
        facts["buyer_protection_deposit"] = good
        assert rs.evaluate("merchant_eligibility", facts).failed_rule_ids == failed
    for bad in (3000.001, 2999.995, 0.001):
        facts["buyer_protection_deposit"] = bad
        with pytest.raises(promorules.FactError, match="more than 2 decimal places"):
            rs.evaluate("merchant_eligibility", facts)
