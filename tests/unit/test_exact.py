"""promorules.exact: the independent exact arithmetic the testing kit and the durable
oracle check the engine with. Anything but plain arithmetic on numbers is NotArithmetic,
whether the facts are asked for first or not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import promorules
from promorules.exact import NotArithmetic, arith_facts, exact

RULESET = """\
id: ex
version: 1.0.0
title: {en: Ex, zh: 例}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  amount: {type: money, currency: CNY}
  rate: {type: percent}
  opened: {type: date}
  flag: {type: boolean}
decisions:
  fee:
    description: {en: Fee, zh: 费}
    source: "D §1"
    type: money
    currency: CNY
    round: {places: 2, mode: half_up}
    compute: EXPR
"""


def _tree(expr: str, money: bool = True) -> object:
    text = RULESET.replace("EXPR", expr)
    if not money:
        money_lines = "    type: money\n    currency: CNY\n    round: {places: 2, mode: half_up}\n"
        text = text.replace(money_lines, "")
    rs = promorules.loads(text)
    return rs.decisions["fee"].ir.value.expr.tree


def test_plain_arithmetic_is_exact() -> None:
    tree = _tree("amount * rate / 100 - 1")
    assert [f.name for f in arith_facts(tree)] == ["amount", "rate"]
    value = exact(tree, {"amount": Decimal("19.99"), "rate": 8})
    assert value == Decimal("0.5992")


@pytest.mark.parametrize(("expr", "facts"), [
    ("amount + days_between(opened, opened)", {"amount": Decimal(1)}),  # a call
    ("opened", {"opened": dt.date(2024, 1, 1)}),  # a date fact
    ("flag", {"flag": True}),  # a boolean fact
    ("2024-01-01", {}),  # a date constant
    ('"true"', {}),  # a boolean constant, which Decimal() would read as 1
])
def test_anything_but_arithmetic_on_numbers_is_refused_even_without_asking_first(
        expr: str, facts: dict[str, object]) -> None:
    tree = _tree(expr, money=False)
    with pytest.raises(NotArithmetic):
        arith_facts(tree)
    with pytest.raises(NotArithmetic):
        exact(tree, {"opened": dt.date(2024, 1, 1), **facts})
