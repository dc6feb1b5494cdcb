"""Money under any caller decimal context (issue 10 Hardening 1): every money value and
split is the one produced under the default context, whatever precision, rounding or traps
the caller's thread context has; and splits always add up to the amount exactly."""

from __future__ import annotations

import decimal
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promorules
from promorules.testing import facts as fact_strategy

ROOT = Path(__file__).resolve().parents[2]
SPLITS = """\
id: splits
version: 1.0.0
title: {en: Splits, zh: 拆分}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt, title: Doc}}
facts:
  fee: {type: money, currency: CNY}
decisions:
  thirds:
    description: {en: Thirds, zh: 三份}
    split:
      amount: fee
      parts: {a: 33.3, b: 33.3, c: 33.4}
      round: {places: 2, mode: half_up}
  up:
    description: {en: Up, zh: 向上}
    split:
      amount: fee
      parts: {a: 49.9, b: 49.9, c: 0.2}
      round: {places: 2, mode: up}
  four:
    description: {en: Four, zh: 四份}
    split:
      amount: fee
      parts: {a: 12.5, b: 0, c: 80, d: 7.5}
      round: {places: 2, mode: down}
"""
RS = {
    "splits": promorules.loads(SPLITS, source="splits.yaml"),
    "offline_coop": promorules.load(ROOT / "rulesets" / "offline_coop.yaml"),
    "aliexpress_medals": promorules.load(ROOT / "rulesets" / "aliexpress_medals.yaml"),
}
CASES = [("splits", "thirds"), ("splits", "up"), ("splits", "four"),
         ("offline_coop", "fixed_fee_installments"), ("offline_coop", "commission"),
         ("aliexpress_medals", "commission"), ("aliexpress_medals", "loan_rate"),
         ("aliexpress_medals", "medal_tier")]
AS_OF = "2024-03-01T12:00:00+08:00"

contexts = st.builds(
    decimal.Context,
    prec=st.integers(1, 60),
    rounding=st.sampled_from([decimal.ROUND_DOWN, decimal.ROUND_UP, decimal.ROUND_CEILING,
                              decimal.ROUND_FLOOR, decimal.ROUND_HALF_UP,
                              decimal.ROUND_HALF_EVEN, decimal.ROUND_05UP]),
    traps=st.sampled_from([[], [decimal.Inexact, decimal.Rounded], [decimal.InvalidOperation]]),
)
cents = st.decimals(min_value=Decimal("-10000000"), max_value=Decimal("100000000"), places=2,
                    allow_nan=False, allow_infinity=False)


def _outcome(rs: promorules.Ruleset, decision: str, facts: dict[str, Any]
             ) -> tuple[str, Any] | str:
    try:
        r = rs.evaluate(decision, facts, as_of=AS_OF)
        data = r.to_dict()
        r.explain()
    except promorules.PromorulesError as e:
        return f"{type(e).__name__} {e}"
    return str(r.outcome), data


@pytest.mark.parametrize("ruleset, decision", CASES)
@settings(max_examples=40, deadline=None)
@given(data=st.data(), ctx=contexts)
def test_money_is_the_same_in_any_caller_context(ruleset: str, decision: str,
                                                 data: st.DataObject, ctx: decimal.Context
                                                 ) -> None:
    rs = RS[ruleset]
    facts = data.draw(fact_strategy(rs, decision))
    expected = _outcome(rs, decision, facts)
    with decimal.localcontext(ctx):
        got = _outcome(rs, decision, facts)
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(amount=cents, ctx=contexts, decision=st.sampled_from(["thirds", "up", "four"]))
def test_splits_add_up_and_never_change_sign(amount: Decimal, ctx: decimal.Context,
                                             decision: str) -> None:
    rs = RS["splits"]
    expected = rs.evaluate(decision, {"fee": str(amount)}).value
    with decimal.localcontext(ctx):
        value = rs.evaluate(decision, {"fee": str(amount)}).value
    assert value == expected
    parts = list(value.values())
    with decimal.localcontext(decimal.Context(prec=60)):  # the test's own sum, exact
        assert sum(parts, Decimal(0)) == amount
    assert all(p.as_tuple().exponent == -2 for p in parts)
    assert all(p >= 0 for p in parts) if amount >= 0 else all(p <= 0 for p in parts)


def test_issue_reproductions() -> None:
    rs = RS["splits"]
    with decimal.localcontext(decimal.Context(prec=5)):
        value = rs.evaluate("thirds", {"fee": "95157.02"}).value
    assert sum(value.values(), Decimal(0)) == Decimal("95157.02")
    assert value == {"a": Decimal("31687.29"), "b": Decimal("31687.29"),
                     "c": Decimal("31782.44")}
    up = rs.evaluate("up", {"fee": "1.01"}).value
    assert min(up.values()) >= 0 and sum(up.values()) == Decimal("1.01")
    assert up == {"a": Decimal("0.51"), "b": Decimal("0.50"), "c": Decimal("0.00")}
    big = "1234567890123456789012345678.90"  # 30 digits: beyond the default context's 28
    value = rs.evaluate("thirds", {"fee": big}).value
    with decimal.localcontext(decimal.Context(prec=60)):  # the test's own sum, exact
        assert sum(value.values(), Decimal(0)) == Decimal(big)
    with pytest.raises(promorules.FactError, match="more than 2 decimal places"):
        rs.evaluate("thirds", {"fee": "700.001"})


@pytest.mark.parametrize("parts", ["{a: -10, b: 110}", "{a: 150, b: -50}"])
def test_negative_or_over_100_parts_do_not_load(parts: str) -> None:
    text = SPLITS.replace("{a: 33.3, b: 33.3, c: 33.4}", parts)
    with pytest.raises(promorules.RulesetError, match="PR200"):
        promorules.loads(text, source="splits.yaml")
