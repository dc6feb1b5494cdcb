"""The reported gap is the distance to passing: moving the rule's fact by the gap, towards
passing, makes that rule pass (and moving it by one step less does not).

Money is in cents (api.md, "Numbers and text in facts"): a money fact is moved to the
nearest cent on the passing side of ``x ± gap`` (the gap to a threshold such as
``0.95 * market_price`` may be a fraction of a cent)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prop_support import (
    AS_OF,
    BASE_FACTS,
    ORDER_OPS,
    RS,
    as_decimal,
    decimal_text,
    exact,
    facts_read,
    granularity,
    node_by_id,
    partial_facts,
    towards_passing,
)

GAP_DECISIONS = ("yanxuan_entry", "merchant_eligibility", "product_eligibility")


def threshold_nodes(decision: str) -> dict[str, Any]:
    """rule id -> compiled node info, for numeric threshold checks on one fact."""
    return {n.id: n for n in RS.decisions[decision].nodes
            if n.kind == "check" and n.compare_op in ORDER_OPS and n.subject in RS.facts}


def contract_step(subject: str, x: Decimal, t: Decimal) -> Decimal:
    kind = RS.facts[subject].kind
    if kind == "integer":
        return Decimal(1)
    if kind == "money":
        return Decimal("0.01")
    # "the smallest decimal unit of the values compared", trailing zeros aside
    with localcontext() as ctx:
        ctx.prec = 200  # normalize() rounds to the context's precision
        return granularity(x.normalize(), t.normalize())


def moved(value: Decimal, op: str, by: Decimal, money: bool = False) -> str:
    target = exact(towards_passing(op), value, by)
    if money:
        up = towards_passing(op) == "+"
        target = target.quantize(Decimal("0.01"), rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return decimal_text(target)


@st.composite
def failing_facts(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    decision = draw(st.sampled_from(GAP_DECISIONS))
    return decision, draw(partial_facts(facts_read(decision), p_absent=0.0))


@given(failing_facts())
def test_applying_the_gap_makes_the_rule_pass(case: tuple[str, dict[str, Any]]) -> None:
    decision, facts = case
    result = RS.evaluate(decision, facts, as_of=AS_OF)
    infos = threshold_nodes(decision)
    for node in result.trace.walk():
        info = infos.get(node.rule_id)
        if info is None:
            continue
        if str(node.outcome) != "fail":
            assert node.gap is None, node.rule_id
            continue
        subject, op = info.subject, info.compare_op
        assert node.gap is not None and node.gap > 0, node.rule_id
        gap = Decimal(node.gap)
        x = as_decimal(facts[subject])
        fixed = dict(facts)
        money = RS.facts[subject].kind == "money"
        fixed[subject] = moved(x, op, gap, money)
        after = node_by_id(RS.evaluate(decision, fixed, as_of=AS_OF), node.rule_id)
        assert str(after.outcome) == "pass", (node.rule_id, facts[subject], gap)
        # and the gap is the smallest such move, at the granularity of the values
        t = Decimal(node.threshold)
        step = contract_step(subject, x, t)
        if gap > step:
            short = dict(facts)
            short[subject] = moved(x, op, gap - step, money)
            before = node_by_id(RS.evaluate(decision, short, as_of=AS_OF), node.rule_id)
            assert str(before.outcome) == "fail", (node.rule_id, facts[subject], gap, step)


@pytest.mark.parametrize(("decision", "rule_id", "fact", "value"), [
    ("merchant_eligibility", "deposit", "buyer_protection_deposit", "2999.99"),
    ("merchant_eligibility", "deposit", "buyer_protection_deposit", 1234.56),
    ("merchant_eligibility", "violation_points", "violation_points_year", 36),
    ("merchant_eligibility", "violation_points", "violation_points_year", "36.5"),
    ("merchant_eligibility", "prohibited_info", "prohibited_info_points", 99.999),
    ("product_eligibility", "min_order_qty", "min_order_qty", 1000),
    ("product_eligibility", "price_pc", "activity_price_pc", "96.00"),
    ("yanxuan_entry", "pickup_rate", "pickup_rate_48h_30d", 0),
    ("yanxuan_entry", "growth_score", "growth_score", "59.9"),
    # more significant digits than Python's default decimal precision (28)
    ("yanxuan_entry", "growth_score", "growth_score", "59.1234567890123456789012345678901"),
    ("merchant_eligibility", "violation_points", "violation_points_year",
     "36.0000000000000000000000000000001"),
])
def test_gap_of_examples_flips_the_rule(decision: str, rule_id: str, fact: str,
                                        value: Any) -> None:
    facts = dict(BASE_FACTS)
    facts[fact] = value
    node = node_by_id(RS.evaluate(decision, facts, as_of=AS_OF), rule_id)
    assert str(node.outcome) == "fail"
    op = threshold_nodes(decision)[rule_id].compare_op
    x, t = as_decimal(value), Decimal(node.threshold)
    # the contract's gap, exactly
    want = {">=": exact("-", t, x), "<=": exact("-", x, t)}.get(op)
    if op == "<":
        want = exact("+", exact("-", x, t), contract_step(fact, x, t))
    assert Decimal(node.gap) == want, (value, node.gap)
    facts[fact] = moved(x, op, Decimal(node.gap))
    assert str(node_by_id(RS.evaluate(decision, facts, as_of=AS_OF), rule_id).outcome) == "pass"
