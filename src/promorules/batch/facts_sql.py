"""Batch backend (a consumer of pipeline stage 4a): reading a fact column in SQL.

The SQL twin of :class:`promorules.facts.FactType` conversion: each fact column is read by
the fact's declared type into its SQL value (NULL: missing, after the declared default),
and a flag marks the cells ``evaluate`` would not take as they are: a wrong type, a number
that is not plain decimal text, more than two decimals of money, out of range, an unknown
enum or ordinal value, an impossible date... The flag is deliberately broad: a flagged row
is ``invalid``, and its error message is the FactError that ``evaluate`` words for that
value (:mod:`.engine` asks the row engine's conversion for it); a value ``evaluate`` takes
but that does not fit the batch engine's exact types gets ``PR820`` instead.

Numbers are exact DECIMALs: money ``DECIMAL(16,2)``, integers ``DECIMAL(18,0)``, other
numbers and percentages ``DECIMAL(18,6)`` (see :data:`NUMBER_TYPES`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import sqlglot.expressions as exp

from ..facts import FactType
from .sqlx import E, Unsupported, and_all, case, cast, dec_type, dec_value, is_true, lit, or_any

__all__ = ["NUMBER_TYPES", "Column", "FactSQL", "read_fact"]

Add = Callable[[E, str], E]


def _inline(e: E, hint: str) -> E:
    return e

# fact kind -> (precision, scale) of its SQL DECIMAL
NUMBER_TYPES = {"money": (16, 2), "integer": (18, 0), "number": (18, 6), "percent": (18, 6)}

# what a fact column holds, as the input gives it
RAW_KINDS = frozenset({"absent", "null", "bool", "int", "decimal", "float", "text", "date",
                       "timestamp", "timestamptz", "list", "other"})


@attrs.frozen
class Column:
    """An input column: its SQL expression and what it holds (a RAW_KINDS value;
    ``decimal`` with its scale). ``odd``: a column flagging cells of another type than the
    column's (a list of mappings with mixed types)."""

    node: E
    raw: str
    scale: int = 0
    odd: E | None = None


@attrs.frozen
class FactSQL:
    """A fact read: its value (NULL: missing) and the flag of a cell not taken as it is."""

    value: E
    bad: E


def _null(e: E) -> E:
    return exp.Is(this=e, expression=exp.null())


def _not_null(e: E) -> E:
    return exp.Not(this=exp.Is(this=e, expression=exp.null()))


def _matches(e: E, pattern: str) -> E:
    return exp.RegexpLike(this=e, expression=exp.Literal.string(pattern))


_SHAPE = r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"  # facts._DECIMAL_TEXT
_PARTS = r"^[-+]?([0-9]*)\.?([0-9]*)([eE]([-+]?[0-9]+))?$"


def _group(text: E, n: int) -> E:
    return exp.RegexpExtract(this=text, expression=exp.Literal.string(_PARTS),
                             group=exp.Literal.number(n))


def _length(e: E) -> E:
    return exp.Length(this=e)


def _number_from_text(text: E, fact: FactType, p: int, s: int, add: Add) -> tuple[E, E]:
    """(value, ok) of a decimal text as ``FactType`` reads it: ``Decimal(text)``, taken when
    it needs at most ``s`` decimals and ``p - s`` digits before the point (money: when its
    exponent, as written, is at least -2)."""
    frac = add(_group(text, 2), "frac")
    e_text = add(_group(text, 4), "exp")
    exponent = case([(exp.EQ(this=e_text, expression=lit("")), exp.Literal.number(0))],
                     exp.TryCast(this=e_text, to=exp.DataType.build("BIGINT")))
    written = exp.Sub(this=exponent, expression=_length(frac))  # Decimal(text) exponent
    if fact.kind == "money":
        scale_ok: E = exp.GTE(this=written, expression=exp.Literal.number(-s))
    else:
        digits = exp.DPipe(this=_group(text, 1), expression=frac)
        stripped = exp.Trim(this=digits, expression=lit("0"), position="TRAILING")
        zeros = exp.Sub(this=_length(digits), expression=_length(stripped))
        scale_ok = exp.GTE(this=exp.Add(this=written, expression=zeros),
                           expression=exp.Literal.number(-s))
    shape = and_all([exp.RegexpLike(this=text, expression=exp.Literal.string(_SHAPE)),
                     exp.LTE(this=_length(text), expression=exp.Literal.number(60))])
    ok_shape = add(and_all([shape, is_true(scale_ok)]), "shape")
    value = add(case([(ok_shape, exp.TryCast(this=text, to=dec_type(p, s)))]), "number")
    return value, _not_null(value)


def _float(raw: E, fact: FactType, p: int, s: int) -> tuple[E, E] | None:
    """A float whose shortest decimal repr has at most ``s`` decimals, exactly, when its
    magnitude keeps that test exact (``round(x * 10^s) / 10^s == x``, as the row engine's
    fast path tests money): (value, taken); None: not for this kind."""
    limit = {2: 1e13, 6: 1e9, 0: 1e15}.get(s)
    if limit is None:
        return None
    scale = exp.Literal.number(10 ** s)
    scaled = exp.Round(this=exp.Mul(this=raw, expression=cast(scale, "DOUBLE")))
    fits = and_all([exp.LT(this=exp.Abs(this=raw), expression=cast(exp.Literal.number(
        int(limit)), "DOUBLE")), exp.EQ(this=exp.Div(this=scaled, expression=cast(
            scale, "DOUBLE")), expression=raw)])
    value = exp.Mul(this=cast(scaled, dec_type(p, 0)), expression=dec_value(
        Decimal(1).scaleb(-s))[0])
    return cast(value, dec_type(p, s)), fits


def _in_range(value: E, fact: FactType) -> E:
    tests: list[E] = []
    if fact.minimum is not None:
        tests.append(exp.GTE(this=value, expression=dec_value(fact.minimum)[0]))
    if fact.maximum is not None:
        tests.append(exp.LTE(this=value, expression=dec_value(fact.maximum)[0]))
    return and_all(tests)


def _number(c: Column, fact: FactType, add: Add) -> tuple[E, E]:
    p, s = NUMBER_TYPES[fact.kind]
    raw = c.node
    if c.raw == "int":
        value: E = cast(raw, dec_type(p, s))
        limit = dec_value(Decimal(10) ** (p - s))[0]
        fits: E = exp.LT(this=exp.Abs(this=cast(raw, dec_type(38, 0))), expression=limit)
        ok: E = fits
        value = case([(fits, value)], exp.null())
    elif c.raw == "decimal":
        if fact.kind == "money" and c.scale > 2:
            return exp.null(), exp.false()  # evaluate refuses such a Decimal (its exponent)
        value = exp.TryCast(this=raw, to=dec_type(p, s))
        ok = and_all([_not_null(value), exp.EQ(this=value, expression=raw)])
        value = case([(ok, value)], exp.null())
    elif c.raw in ("float", "text"):
        quick = _float(raw, fact, p, s) if c.raw == "float" else None
        if quick is None:
            text = cast(raw, "VARCHAR") if c.raw == "float" else raw
            value, ok = _number_from_text(text, fact, p, s, add)
        else:
            # the usual float is read without its text; the others through their shortest
            # repr, computed only for them (inside the CASE, not as a column of every row)
            quick_ok = add(quick[1], "float")
            slow, _ = _number_from_text(cast(raw, "VARCHAR"), fact, p, s, _inline)
            value = add(case([(quick_ok, quick[0])], slow), "value")
            ok = _not_null(value)
    else:
        return exp.null(), exp.false()
    value = add(value, "value")
    ok = add(and_all([ok, _in_range(value, fact)]), "ok")
    return case([(ok, value)], exp.null()), ok


def read_fact(fact: FactType, c: Column, add: Add | None = None) -> FactSQL:
    """The SQL reading of one fact's column by its declared type; ``add(expr, hint)``
    makes a shared intermediate a column (the reading reads each once)."""
    add = add or (lambda e, hint: e)
    value, ok = _read(fact, c, add)
    ok = add(ok, "ok")
    raw = c.node
    bad: E = exp.And(this=_not_null(raw), expression=exp.Not(this=exp.Paren(this=ok)))
    if c.odd is not None:
        bad = exp.Paren(this=exp.Or(this=c.odd, expression=bad))
        value = case([(c.odd, exp.null())], value)
    if c.raw in ("absent", "null"):
        bad = exp.false()
        value = exp.null()
    if fact.default is not None:
        default = default_value(fact)
        missing = _null(raw) if c.raw not in ("absent", "null") else exp.true()
        if c.odd is not None:
            missing = exp.And(this=missing, expression=exp.Not(this=c.odd))
        value = case([(missing, default)], value)
    return FactSQL(value, bad)


def default_value(fact: FactType) -> E:
    converted: Any = fact.convert(fact.default)
    if fact.kind in NUMBER_TYPES:
        p, s = NUMBER_TYPES[fact.kind]
        return cast(dec_value(converted)[0], dec_type(p, s))
    if fact.kind == "ordinal":
        return exp.Literal.number(converted)
    if fact.kind == "list":
        return exp.Array(expressions=[lit(v) for v in converted]) if converted else cast(
            exp.Array(expressions=[]), "VARCHAR[]")
    return lit(converted)


def _json_list(fact: FactType, raw: E, add: Add) -> tuple[E, E]:
    """A list of strings written as a JSON array in a text cell (CSV): read when it is one
    (each step only where the one before holds: DuckDB's JSON functions refuse other
    text), then as a list column."""
    array = add(case([(exp.Anonymous(this="json_valid", expressions=[raw]), exp.EQ(
        this=exp.Anonymous(this="json_type", expressions=[raw]), expression=lit("ARRAY")))]),
        "array")
    items = exp.Anonymous(this="json_extract_string", expressions=[raw, lit("$[*]")])
    j = exp.to_identifier("__pr_json")
    strings = exp.Anonymous(this="list_bool_and", expressions=[exp.Transform(
        this=exp.Anonymous(this="json_extract", expressions=[raw, lit("$[*]")]),
        expression=exp.Lambda(this=exp.EQ(this=exp.Anonymous(this="json_type", expressions=[
            exp.column(j)]), expression=lit("VARCHAR")), expressions=[j]))])
    all_strings = add(case([(is_true(array), exp.Coalesce(this=strings, expressions=[
        exp.true()]))]), "strings")
    listed = add(case([(is_true(all_strings), items)]), "items")
    value, ok = _read(fact, Column(listed, "list"), add)
    return value, and_all([is_true(all_strings), ok])


def _read(fact: FactType, c: Column, add: Add) -> tuple[E, E]:
    """(value, ok) of a present cell."""
    k, raw, r = fact.kind, c.node, c.raw
    if r in ("absent", "null"):
        return exp.null(), exp.true()
    if k in NUMBER_TYPES:
        return _number(c, fact, add)
    if k == "boolean":
        if r == "bool":
            return raw, exp.true()
        if r == "text":
            value = case([(exp.EQ(this=raw, expression=lit("true")), exp.true()),
                          (exp.EQ(this=raw, expression=lit("false")), exp.false())])
            return value, _not_null(value)
        return exp.null(), exp.false()
    if k in ("string", "enum", "ordinal"):
        if r != "text":
            return exp.null(), exp.false()
        if k == "string":
            return raw, exp.true()
        if k == "enum":
            ok: E = exp.In(this=raw, expressions=[lit(v) for v in fact.values])
            return case([(ok, raw)], exp.null()), ok
        value = case([(exp.EQ(this=raw, expression=lit(v)), exp.Literal.number(n))
                      for n, v in enumerate(fact.values)])
        return value, _not_null(value)
    if k == "date":
        if r == "date":
            return raw, exp.true()
        if r == "text":
            value = exp.TryCast(this=raw, to=exp.DataType.build("DATE"))
            shape = _matches(raw, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
            ok = and_all([shape, _not_null(value)])
            return case([(ok, value)], exp.null()), ok
        return exp.null(), exp.false()
    if k == "datetime":
        zone = exp.Literal.string(str(fact.timezone.key) if fact.timezone else "UTC")
        if r == "timestamptz":
            return raw, exp.true()
        if r == "timestamp":
            return exp.AtTimeZone(this=raw, zone=zone), exp.true()
        if r == "text":
            shape = _matches(raw, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}"
                                  r"(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$")
            aware = _matches(raw, r"(Z|[+-][0-9]{2}:?[0-9]{2})$")
            text = exp.Anonymous(this="replace", expressions=[raw, lit("T"), lit(" ")])
            with_zone = exp.TryCast(this=text, to=exp.DataType.build("TIMESTAMPTZ"))
            naive = exp.AtTimeZone(this=exp.TryCast(this=text, to=exp.DataType.build(
                "TIMESTAMP")), zone=zone)
            value = case([(aware, with_zone)], naive)
            ok = and_all([shape, _not_null(value)])
            return case([(ok, value)], exp.null()), ok
        return exp.null(), exp.false()
    if k == "list":
        if r == "text" and fact.item_kind in ("string", "enum"):
            return _json_list(fact, raw, add)
        if r != "list":
            return exp.null(), exp.false()
        if fact.item_kind == "enum":
            x = exp.to_identifier("__pr_item")
            allowed = exp.Array(expressions=[lit(v) for v in fact.values])
            odd = exp.ArrayFilter(this=raw, expression=exp.Lambda(
                this=or_any([exp.Is(this=exp.column(x), expression=exp.null()),
                             exp.Not(this=exp.ArrayContains(this=allowed,
                                                            expression=exp.column(x)))]),
                expressions=[x]))
            ok = exp.EQ(this=exp.ArraySize(this=odd), expression=exp.Literal.number(0))
            return case([(ok, raw)], exp.null()), ok
        if fact.item_kind == "string":
            x = exp.to_identifier("__pr_item")
            nulls = exp.ArrayFilter(this=raw, expression=exp.Lambda(
                this=exp.Is(this=exp.column(x), expression=exp.null()), expressions=[x]))
            ok = exp.EQ(this=exp.ArraySize(this=nulls), expression=exp.Literal.number(0))
            return case([(ok, raw)], exp.null()), ok
        raise Unsupported(f"a list of {fact.item_kind}s (fact '{fact.name}')")
    raise Unsupported(f"a fact of type {k} (fact '{fact.name}')")
