"""Numeric thresholds of the shipped 1688 ruleset: on the boundary, one step below and one
step above, each threshold rule comes out as its operator says, with the contract's gap.

Gap (contract): for a failed ``x >= t`` gap = t - x; ``x > t``: t - x + step; ``x <= t``:
x - t; ``x < t``: x - t + step. step = 1 for integer facts, 0.01 for money, otherwise the
smallest decimal unit of the values compared.

Money has at most 2 decimal places (api.md, "Numbers and text in facts"): a money value
written with more is a FactError naming the fact, which the sub-cent cases check instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prop_support import (
    AS_OF,
    BASE_FACTS,
    ORDER_OPS,
    RS,
    as_decimal,
    compare,
    decimal_text,
    expected_gap,
    granularity,
    node_by_id,
)

import promorules


class Threshold(NamedTuple):
    decision: str
    rule_id: str
    fact: str
    op: str
    threshold: Decimal | None  # None: 0.95 * market_price
    kind: str  # the fact's declared type


THRESHOLDS = (
    Threshold("yanxuan_entry", "pickup_rate", "pickup_rate_48h_30d", ">=", Decimal(90),
              "percent"),
    Threshold("yanxuan_entry", "growth_score", "growth_score", ">=", Decimal(60), "number"),
    Threshold("merchant_eligibility", "deposit", "buyer_protection_deposit", ">=",
              Decimal(3000), "money"),
    Threshold("merchant_eligibility", "violation_points", "violation_points_year", "<",
              Decimal(36), "number"),
    Threshold("merchant_eligibility", "prohibited_info", "prohibited_info_points", "<",
              Decimal(24), "number"),
    Threshold("product_eligibility", "min_order_qty", "min_order_qty", "<=", Decimal(2),
              "integer"),
    Threshold("product_eligibility", "experience_score", "experience_score_30d", ">=",
              Decimal(2), "number"),
    Threshold("product_eligibility", "dispute_score", "dispute_score_30d", ">=", Decimal(4),
              "number"),
    Threshold("product_eligibility", "price_pc", "activity_price_pc", "<=", None, "money"),
    Threshold("product_eligibility", "price_mobile", "activity_price_mobile", "<=", None,
              "money"),
)
PLAIN = tuple(t for t in THRESHOLDS if t.threshold is not None)
PRICES = tuple(t for t in THRESHOLDS if t.threshold is None)
IDS = [f"{t.decision}.{t.rule_id}" for t in THRESHOLDS]


def discovered_thresholds() -> set[tuple[str, str, str, str]]:
    """Numeric threshold leaves found generically in the compiled decisions."""
    out = set()
    for did, compiled in RS.decisions.items():
        for node in compiled.nodes:
            if node.kind == "check" and node.compare_op in ORDER_OPS and (
                node.subject in RS.facts
            ):
                out.add((did, node.id, node.subject, node.compare_op))
    return out


def test_every_numeric_threshold_of_the_ruleset_is_covered() -> None:
    assert discovered_thresholds() == {(t.decision, t.rule_id, t.fact, t.op)
                                       for t in THRESHOLDS}
    for t in THRESHOLDS:
        assert RS.facts[t.fact].kind == t.kind


def evaluate_with(th: Threshold, value: Any, market_price: Any = None) -> Any:
    facts = dict(BASE_FACTS)
    facts[th.fact] = value
    if market_price is not None:
        facts["market_price"] = market_price
        for other in ("activity_price_pc", "activity_price_mobile"):
            if other != th.fact:
                facts[other] = "0.00"  # keep the other price rule passing
    return RS.evaluate(th.decision, facts, as_of=AS_OF)


def contract_step(th: Threshold, x: Decimal, t: Decimal) -> Decimal:
    if th.kind == "integer":
        return Decimal(1)
    if th.kind == "money":
        return Decimal("0.01")
    return granularity(x, t)


def check_rule(th: Threshold, value: Any, t: Decimal, market_price: Any = None) -> None:
    """Evaluate with the subject fact set to ``value`` (everything else passing) and check
    the rule's trace node against the operator."""
    x = as_decimal(value)
    exponent = x.as_tuple().exponent
    assert isinstance(exponent, int)
    if th.kind == "money" and exponent < -2:
        with pytest.raises(promorules.FactError) as info:
            evaluate_with(th, value, market_price)
        assert (info.value.code, info.value.fact) == ("PR601", th.fact)
        assert "more than 2 decimal places" in info.value.message
        return
    result = evaluate_with(th, value, market_price)
    node = node_by_id(result, th.rule_id)
    want_pass = compare(th.op, x, t)
    assert node.outcome == ("pass" if want_pass else "fail"), (th, value, node)
    # every other rule passes, so the decision follows this rule
    assert result.outcome == node.outcome
    assert th.fact in node.facts
    assert as_decimal(node.actual[th.fact]) == x
    assert node.expected is not None and node.expected.startswith(th.op + " ")
    if want_pass:
        assert node.gap is None
        assert result.failed == ()
        return
    assert [r.rule_id for r in result.failed] == [th.rule_id]
    assert node.threshold is not None and Decimal(node.threshold) == t
    step = contract_step(th, x, t)
    assert node.gap is not None, (th, value)
    assert Decimal(node.gap) == expected_gap(th.op, x, t, step), (th, value, node.gap)
    assert Decimal(node.gap) > 0


def written(x: Decimal, form: str) -> Any:
    """``x`` as JSON would carry it, without trailing zeros (so that "the smallest decimal
    unit as written" is unambiguous)."""
    if x == x.to_integral_value():
        return int(x) if form != "str" else str(int(x))
    text = decimal_text(x.normalize())
    return float(text) if form == "float" else text


# -- the explicit boundaries -----------------------------------------------------------

PLAIN_CASES = []
for th in PLAIN:
    if th.kind == "integer":
        steps = [Decimal(1)]
    elif th.kind == "money":
        steps = [Decimal("0.01"), Decimal("0.001")]
    else:
        steps = [Decimal(1), Decimal("0.1"), Decimal("0.01"), Decimal("0.001")]
    for step in steps:
        for delta in (-1, 0, 1):
            for form in ("int_or_float", "str", "float"):
                where = "below" if delta < 0 else "above" if delta else "at"
                PLAIN_CASES.append(pytest.param(
                    th, step, delta, form, id=f"{th.rule_id}-step{step}-{where}-{form}"))


@pytest.mark.parametrize(("th", "step", "delta", "form"), PLAIN_CASES)
def test_threshold_boundary(th: Threshold, step: Decimal, delta: int, form: str) -> None:
    assert th.threshold is not None
    x = th.threshold + delta * step
    check_rule(th, written(x, form), th.threshold)


def test_integer_fact_accepts_whole_floats_and_strings_at_the_boundary() -> None:
    th = next(t for t in THRESHOLDS if t.kind == "integer")
    for value in (2, 2.0, "2", 3, 3.0, "3", 1, 1.0, "1"):
        check_rule(th, value, Decimal(2))


MARKET_PRICES = ("100.00", "20", "0.20", "1234.5", "100.01", "3", "99999.99")


@pytest.mark.parametrize("th", PRICES, ids=[t.rule_id for t in PRICES])
@pytest.mark.parametrize("market", MARKET_PRICES)
@pytest.mark.parametrize("delta", ["-0.01", "0", "0.01", "0.0001"])
def test_price_threshold_boundary(th: Threshold, market: str, delta: str) -> None:
    t = Decimal("0.95") * Decimal(market)
    x = t + Decimal(delta)
    check_rule(th, money_text(x), t, market_price=market)


CENT = Decimal("0.01")


def money_text(x: Decimal) -> str:
    """``x`` as a caller writes money: in cents when it is a whole number of cents."""
    return decimal_text(x.quantize(CENT) if x == x.quantize(CENT) else x)


def test_public_example_low_deposit_gap() -> None:
    th = THRESHOLDS[2]
    result = evaluate_with(th, 2999.99)
    (failed,) = result.failed
    assert failed.rule_id == "deposit"
    assert failed.gap == Decimal("0.01")
    assert failed.expected == ">= 3000"
    assert result.to_dict()["trace"]["children"][5]["gap"] == "0.01"


# -- random values around each threshold -------------------------------------------------

@st.composite
def plain_case(draw: st.DrawFn) -> tuple[Threshold, Any, Decimal]:
    th = draw(st.sampled_from(PLAIN))
    assert th.threshold is not None
    ft = RS.facts[th.fact]
    places = 0 if th.kind == "integer" else draw(st.integers(0, 6))
    unit = Decimal(1).scaleb(-places)
    x = th.threshold + draw(st.integers(-20, 20)) * unit
    if draw(st.booleans()):
        x = th.threshold + draw(st.integers(-10**6, 10**6)) * unit
    lo = ft.minimum if ft.minimum is not None else (0 if th.kind == "percent" else None)
    hi = ft.maximum if ft.maximum is not None else (100 if th.kind == "percent" else None)
    if lo is not None:
        x = max(x, Decimal(lo))
    if hi is not None:
        x = min(x, Decimal(hi))
    form = "int_or_float" if th.kind == "integer" else draw(st.sampled_from(
        ("int_or_float", "str", "float")))
    return th, written(x, form), th.threshold


@given(plain_case())
def test_random_values_around_thresholds(case: tuple[Threshold, Any, Decimal]) -> None:
    th, value, t = case
    check_rule(th, value, t)


@given(th=st.sampled_from(PRICES),
       market=st.decimals(0, 100_000, places=2),
       offset=st.integers(-500, 500), places=st.integers(2, 4))
def test_random_prices_around_threshold(th: Threshold, market: Decimal, offset: int,
                                        places: int) -> None:
    t = Decimal("0.95") * market
    x = t + offset * Decimal(1).scaleb(-places)
    if x < 0:
        x = Decimal(0)
    check_rule(th, money_text(x), t, market_price=decimal_text(market))
