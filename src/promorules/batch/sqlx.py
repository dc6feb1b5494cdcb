"""Batch backend (a consumer of pipeline stage 4a): small builders of sqlglot expression
trees.

Every SQL statement the batch backend produces is built as a sqlglot tree from these
helpers: identifiers are the backend's own names, and every value from a ruleset (a
threshold, a list item, a rule id) becomes a sqlglot literal, never pasted text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

import sqlglot.expressions as exp

from ..errors import PromorulesError

__all__ = ["Unsupported", "and_all", "case", "cast", "col", "dec_type", "dec_value",
           "is_false", "is_true", "lit", "or_any", "string_list"]

E = exp.Expression


class Unsupported(PromorulesError):
    """A construct the batch backend cannot express exactly (``PR822``)."""

    code = "PR822"


def col(name: str, table: str | None = None) -> exp.Column:
    """A column reference (always quoted: fact names are the ruleset's own)."""
    return exp.column(exp.to_identifier(name, quoted=True),
                      table=exp.to_identifier(table, quoted=True) if table else None)


def dec_type(p: int, s: int) -> exp.DataType:
    return exp.DataType(this=exp.DataType.Type.DECIMAL, expressions=[
        exp.DataTypeParam(this=exp.Literal.number(p)),
        exp.DataTypeParam(this=exp.Literal.number(s))])


def cast(e: E, to: str | exp.DataType) -> exp.Cast:
    return exp.cast(e, exp.DataType.build(to) if isinstance(to, str) else to)


def dec_value(value: int | Decimal) -> tuple[E, int, int]:
    """A number as an exact DECIMAL literal: (expression, precision, scale)."""
    d = Decimal(value)
    _sign, _digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    s = max(0, -exponent)
    text = format(d, "f")
    n = len(text.lstrip("-").replace(".", "").lstrip("0")) or 1
    p = max(n, s + 1)
    if p > 38:
        raise Unsupported(f"the number {value} needs more than 38 digits")
    return cast(exp.Literal.string(text), dec_type(p, s)), p, s


def lit(value: object) -> E:
    """A literal for a plain value: text, boolean, whole number, date, date-time."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (int, Decimal)):
        return dec_value(value)[0]
    if isinstance(value, dt.datetime):
        assert value.tzinfo is not None
        return cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMPTZ")
    if isinstance(value, dt.date):
        return cast(exp.Literal.string(value.isoformat()), "DATE")
    raise Unsupported(f"a literal of type {type(value).__name__}")


def string_list(items: Iterable[str]) -> E:
    values = [exp.Literal.string(i) for i in items]
    if not values:
        return cast(exp.Array(expressions=[]), "VARCHAR[]")
    return exp.Array(expressions=values)


def is_true(e: E) -> E:
    """``e`` is TRUE (never NULL)."""
    if isinstance(e, exp.Coalesce) and e.expressions == [exp.false()]:
        return e  # is_true / is_false already: never NULL
    return exp.Coalesce(this=e, expressions=[exp.false()])


def is_false(e: E) -> E:
    """``e`` is FALSE (never NULL)."""
    return exp.Coalesce(this=exp.Not(this=exp.Paren(this=e)), expressions=[exp.false()])


def case(whens: Sequence[tuple[E, E]], default: E | None = None) -> E:
    if not whens:
        return default if default is not None else exp.null()
    c = exp.Case()
    for cond, then in whens:
        c = c.when(cond, then)
    if default is not None:
        c = c.else_(default)
    return c


def and_all(parts: Sequence[E]) -> E:
    parts = [p for p in parts if not (isinstance(p, exp.Boolean) and p.this is True)]
    if not parts:
        return exp.true()
    out = parts[0]
    for p in parts[1:]:
        out = exp.And(this=out, expression=p)
    return exp.Paren(this=out) if len(parts) > 1 else out


def or_any(parts: Sequence[E]) -> E:
    parts = [p for p in parts if not (isinstance(p, exp.Boolean) and p.this is False)]
    if not parts:
        return exp.false()
    out = parts[0]
    for p in parts[1:]:
        out = exp.Or(this=out, expression=p)
    return exp.Paren(this=out) if len(parts) > 1 else out
