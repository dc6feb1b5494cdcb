"""The testing kit's thresholds and boundaries, read from the typed IR (pipeline stage 4a).

A threshold is a typed comparison (``Compare`` with ``<``, ``<=``, ``>``, ``>=``, or
``Between``) of a numeric, date or ordinal fact (a ``FactRef``) with a constant: a
number or date ``Const``, an ordinal symbol (a ``Const`` the checker resolved to its
position), or a ``ParamRef`` (the parameter's value in force).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from .. import ir
from ..facts import FactType
from ..ruleset import Ruleset
from .walk import closure, decision_ir

__all__ = ["Boundary", "Threshold", "boundaries", "bounds", "in_range", "step", "thresholds",
           "to_json"]

_FLIP = ir.FLIPPED
_NUMERIC = ir.NUMERIC_TY
_ORDERED = _NUMERIC | {ir.TyKind.DATE, ir.TyKind.ORDINAL}

Number = int | Decimal
Value = int | Decimal | dt.date | str  # str: an ordinal's symbol


@attrs.frozen
class Threshold:
    """A constant a fact is compared with: ``fact op value`` in rule ``rule_id`` of
    decision ``decision``. For an ordinal fact, ``value`` is the symbol (``"AA"``)."""

    decision: str
    rule_id: str
    fact: str
    op: str  # "<", "<=", ">", ">=" (a ``between`` gives one ">=" and one "<=")
    value: Value


@attrs.frozen
class Boundary:
    """One side of one threshold: ``facts`` holds only ``fact`` = ``value`` (as JSON), which
    is exactly ``at`` the threshold of rule ``rule_id``, or one smallest step ``below`` or
    ``above`` it (for an ordinal: the neighbouring value of its scale)."""

    rule_id: str
    fact: str
    value: Value
    side: str  # "at" | "below" | "above"
    facts: dict[str, Any] = attrs.field(hash=False)


def _constant(node: ir.Expr, subject: ir.FactRef) -> Value | None:
    """The value of a constant operand of the subject's kind, or None."""
    kind = subject.ty.kind
    if isinstance(node, ir.ParamRef):
        return node.value if kind in _NUMERIC else None
    if isinstance(node, ir.Unary) and node.op == "-" and isinstance(node.operand, ir.Const):
        number = _constant(node.operand, subject)
        return -number if isinstance(number, (int, Decimal)) else None
    if not isinstance(node, ir.Const) or isinstance(node.value, bool):
        return None
    value: Value = node.value
    if (kind in _NUMERIC and node.ty.kind in _NUMERIC) or kind == node.ty.kind == ir.TyKind.DATE:
        return value
    if kind == node.ty.kind == ir.TyKind.ORDINAL:
        symbol: str = subject.fact.values[node.value]  # the symbol at its resolved position
        return symbol
    return None


def _pairs(node: ir.Expr) -> list[tuple[str, ir.Expr, ir.Expr]]:
    """(op, left, right) of an ordered comparison, both ways round."""
    if isinstance(node, ir.Compare) and node.op in _FLIP:
        return [(node.op, node.left, node.right), (_FLIP[node.op], node.right, node.left)]
    if isinstance(node, ir.Between):
        return [(">=", node.value, node.low), ("<=", node.value, node.high)]
    return []


def thresholds(ruleset: Ruleset, decision: str) -> list[Threshold]:
    """Every ``fact <op> constant`` comparison (``<``, ``<=``, ``>``, ``>=``, ``between``)
    that ``decision`` and the decisions it refers to make, anywhere in their expressions
    (checks, ``applies_when``, cases, tiers, ...). A constant is a number, a date literal,
    a parameter (its value in force) or, for an ordinal fact, a value of its scale."""
    found: dict[Threshold, None] = {}
    for did in closure(ruleset, decision):
        for owner, expr in ir.expressions(decision_ir(ruleset, did)):
            for node in ir.walk_expr(expr.tree):
                for op, left, right in _pairs(node):
                    if not isinstance(left, ir.FactRef) or left.ty.kind not in _ORDERED:
                        continue
                    value = _constant(right, left)
                    if value is not None:
                        found[Threshold(did, owner, left.name, op, value)] = None
    return list(found)


# -- values ----------------------------------------------------------------------------


def step(ft: FactType) -> Number:
    """The smallest step of a numeric fact: integer 1, else its ``step`` or 0.01."""
    if ft.kind == ir.FactKind.INTEGER:
        return 1
    return ft.step if ft.step is not None else Decimal("0.01")


def bounds(ft: FactType) -> tuple[Number | None, Number | None]:
    """A numeric fact's declared range (a percent: 0 to 100 unless declared)."""
    lo, hi = ft.minimum, ft.maximum
    if ft.kind == ir.FactKind.PERCENT:
        lo = 0 if lo is None else lo
        hi = 100 if hi is None else hi
    return lo, hi


def in_range(ft: FactType, value: Value) -> bool:
    """Whether a value is inside the fact's declared range (dates and symbols always)."""
    if isinstance(value, (dt.date, str)):
        return True
    lo, hi = bounds(ft)
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def to_json(ft: FactType, value: Value) -> Any:
    """A value as a JSON fact: money and numbers as decimal strings, integers as ints,
    dates as ISO strings, symbols as they are."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if ft.kind == ir.FactKind.INTEGER:
        return int(value)
    return format(Decimal(value), "f")


def _sides(ft: FactType, t: Value) -> list[tuple[str, Value]]:
    """(side, value) for a threshold: at it, one smallest step below and above, in range."""
    out: list[tuple[str, Value]]
    if isinstance(t, str):  # an ordinal: its neighbours on the scale
        i = ft.values.index(t)
        out = [("below", ft.values[i - 1])] if i > 0 else []
        out.append(("at", t))
        out += [("above", ft.values[i + 1])] if i + 1 < len(ft.values) else []
    elif isinstance(t, dt.date):
        day = dt.timedelta(days=1)
        out = [("below", t - day), ("at", t), ("above", t + day)]
    elif ft.kind == ir.FactKind.INTEGER:
        d = Decimal(t)
        if d == d.to_integral_value():
            n = int(d)
            out = [("below", n - 1), ("at", n), ("above", n + 1)]
        else:  # no whole number is at it: the nearest on either side
            out = [("below", int(d.to_integral_value(rounding="ROUND_FLOOR"))),
                   ("above", int(d.to_integral_value(rounding="ROUND_CEILING")))]
    else:
        d, s = Decimal(t), Decimal(step(ft))
        out = [("below", d - s), ("at", d), ("above", d + s)]
    return [(side, v) for side, v in out if in_range(ft, v)]


def boundaries(ruleset: Ruleset, decision: str) -> list[Boundary]:
    """The boundary fact sets of ``decision``: for every threshold (see :func:`thresholds`),
    one fact set exactly at it and one a smallest step below and above it (integer 1, money
    0.01, number and percent their declared ``step`` or 0.01, dates one day, ordinals the
    neighbouring value), each labelled with the rule it probes. Sides outside the fact's
    declared range are left out."""
    out: dict[Boundary, None] = {}
    for t in thresholds(ruleset, decision):
        ft = ruleset.facts[t.fact]
        for side, value in _sides(ft, t.value):
            out.setdefault(Boundary(t.rule_id, t.fact, value, side, {t.fact: to_json(ft, value)}))
    return list(out)
