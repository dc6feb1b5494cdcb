"""The durable backend's building blocks: durable_rules conditions, and values encoded as
the exact integers durable compares (the encoding is chosen by the value's IR type)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from ... import ir
from ...compiler import DECIMAL_CONTEXT
from ...errors import PromorulesError

__all__ = ["FLIP", "MARKER", "NEGATE", "ROUND_RIGHT", "SCALE", "Cond", "and_", "cmp",
           "encode", "ex", "or_", "python_compare", "scaled", "split"]

SCALE = 6
"""Numbers are posted as integers counting 10**-SCALE units."""

_INT64 = 2**63
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MARKER = "_pr"  # every posted fact carries it; every rule requires it

Cond = dict[str, Any] | bool  # a durable condition, or a constant
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
FLIP = ir.FLIPPED
# ``field OP derived``: the exact derived value rounded so that the integer comparison
# agrees with the exact one (x <= d <=> x <= floor(d) for an integer x, and so on)
ROUND_RIGHT = {"<=": ROUND_FLOOR, ">": ROUND_FLOOR, "<": ROUND_CEILING, ">=": ROUND_CEILING}
_CHUNK = 8  # durable_rules refuses a rule whose condition expands to many alternatives


def scaled(value: int | Decimal, what: str, rounding: str | None = None) -> int:
    """An exact number as an integer count of 10**-SCALE units."""
    d = Decimal(value).scaleb(SCALE, context=DECIMAL_CONTEXT)
    if rounding is not None:
        d = d.to_integral_value(rounding=rounding, context=DECIMAL_CONTEXT)
    elif d != d.to_integral_value(context=DECIMAL_CONTEXT):
        raise PromorulesError(
            f"{what} = {value} has more than {SCALE} decimal places and cannot be represented "
            "exactly by the durable backend", code="PR812")
    n = int(d)
    if not -_INT64 < n < _INT64:
        raise PromorulesError(f"{what} = {value} is too large for the durable backend "
                              f"(|x| must be below {_INT64 // 10**SCALE})", code="PR812")
    return n


def encode(ty: ir.Ty, value: Any, what: str) -> Any:
    """A value of IR type ``ty`` as JSON for durable_rules: numbers and money scaled to
    integers, dates as day numbers, date-times as UTC microseconds, lists item by item;
    ordinals are already positions, and booleans, enum values and strings stay as they
    are."""
    kind = ty.kind
    if kind in (ir.TyKind.NUMBER, ir.TyKind.MONEY):
        return scaled(value, what)
    if kind == ir.TyKind.DATE:
        return value.toordinal()
    if kind == ir.TyKind.DATETIME:
        return (value - _EPOCH) // dt.timedelta(microseconds=1)
    if kind == ir.TyKind.LIST:
        item = ty.item if ty.item is not None else ir.ANY
        return [encode(item, v, what) for v in value]
    return value


# -- conditions ------------------------------------------------------------------------


def _join(op: str, parts: Sequence[Cond]) -> Cond:
    absorbing = op == "$or"  # True absorbs an or, False an and
    out: list[dict[str, Any]] = []
    for p in parts:
        if p is absorbing:
            return absorbing
        if p is (not absorbing):
            continue
        assert isinstance(p, dict)
        if len(p) == 1 and op in p:
            out.extend(p[op])
        else:
            out.append(p)
    if not out:
        return not absorbing
    return out[0] if len(out) == 1 else {op: out}


def and_(*parts: Cond) -> Cond:
    """The conjunction of conditions (constants folded)."""
    return _join("$and", parts)


def or_(*parts: Cond) -> Cond:
    """The disjunction of conditions (constants folded)."""
    return _join("$or", parts)


def ex(field: str) -> Cond:
    """``field`` is present."""
    return {"$ex": {field: 1}}


def cmp(op: str, field: str, right: Any) -> Cond:
    """``field OP right``; right is a constant or ``{"$m": other_field}``."""
    if op == "==":
        return {field: right}
    return {_OPS[op]: {field: right}}


def python_compare(op: str, a: Any, b: Any) -> bool:
    """Two constants compared (a comparison the translator can decide itself)."""
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                 "!=": a != b}[op])


def split(cond: Cond) -> list[dict[str, Any]]:
    """A rule condition (with the marker) as one or more durable conditions, or-ed: a
    top-level disjunction is spread over several durable rules."""
    marker: dict[str, Any] = {MARKER: 1}
    if cond is True:
        return [marker]
    if cond is False:
        return [{"$and": [marker, {"$ex": {"_never": 1}}]}]
    assert isinstance(cond, dict)
    alternatives = cond["$or"] if len(cond) == 1 and "$or" in cond else [cond]
    out: list[dict[str, Any]] = []
    for i in range(0, len(alternatives), _CHUNK):
        full = and_(marker, or_(*alternatives[i:i + _CHUNK]))
        assert isinstance(full, dict)
        out.append(full)
    return out
