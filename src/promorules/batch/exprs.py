"""Batch backend (a consumer of pipeline stage 4a): typed IR expressions -> SQL.

The SQL twin of :mod:`promorules.compiler.emit_expr` (its three-valued form): a NULL is an
unknown, every operation on an unknown is unknown (SQL's own NULL propagation, guarded
where SQL would not propagate), ``and``/``or`` are SQL's Kleene ``AND``/``OR``. Numbers
are exact DECIMALs whose precision and scale are tracked here: an operation that could need
more digits than the row engine's decimal context holds exactly (34) is refused when the
decision is compiled (``PR822``), never computed differently. A division is by a constant
only: by an exact reciprocal (``/ 100`` is ``* 0.01``), or, for other constants, rearranged
inside a comparison (``a / 3 >= b`` is ``a >= b * 3``) or rounded as a fraction of integers.

Each result also carries ``err``: the SQL condition under which the row engine raises a
FactError computing it (a working day outside the calendar, a negative number of working
days...), following the row engine's short-circuits.
"""

from __future__ import annotations

import datetime as dt
import decimal
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol

import attrs
import sqlglot.expressions as exp

from .. import ir
from ..zh_script import fold_value
from .sqlx import (
    E,
    Unsupported,
    and_all,
    case,
    cast,
    col,
    dec_type,
    dec_value,
    is_false,
    is_true,
    lit,
    or_any,
)

__all__ = ["ExprSQL", "S", "Scope", "exact_precision", "round_sql"]

EXACT_DIGITS = 34  # the row engine's decimal context (DECIMAL_CONTEXT.prec)


def exact_precision(p: int, what: str) -> None:
    if p > EXACT_DIGITS:
        raise Unsupported(f"{what} may need {p} digits, more than the {EXACT_DIGITS} the row "
                          "engine computes exactly; the batch engine cannot reproduce it")


@attrs.frozen
class S:
    """A SQL expression with its IR type kind; numbers with DECIMAL precision and scale."""

    node: E
    kind: str
    p: int = 0
    s: int = 0
    err: E | None = None
    items: tuple[Any, ...] | None = None  # the items of a constant list


class Scope(Protocol):
    """What expressions read: facts' columns, other decisions, the instant, the calendar."""

    timezone: str
    calendar: str

    def fact(self, ref: ir.FactRef) -> S: ...

    def folded(self, ref: ir.FactRef) -> S: ...

    def decision_value(self, e: ir.DecisionValue) -> S: ...

    def as_of(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...

    def column(self, expr: E, hint: str) -> E:
        """``expr`` computed once per row as a column of its own (in the layer after the
        columns it reads), and the reference to it."""
        ...


def _or_err(*errs: E | None) -> E | None:
    parts = [e for e in errs if e is not None]
    return or_any(parts) if parts else None


def _guard_err(args: Sequence[S], own: E | None) -> E | None:
    """The operands' errors, then (all operands known) the operation's own."""
    inner = _or_err(*(a.err for a in args))
    if own is None:
        return inner
    known = and_all([exp.Not(this=exp.Is(this=a.node, expression=exp.null())) for a in args])
    return _or_err(inner, exp.And(this=known, expression=own))


def _null_if_any(args: Sequence[S], node: E) -> E:
    """``node``, NULL when an operand is NULL (for functions that do not propagate NULL)."""
    tests = [exp.Is(this=a.node, expression=exp.null()) for a in args
             if not isinstance(a.node, exp.Literal)]
    if not tests:
        return node
    return case([(or_any(tests), exp.null())], node)


def _terminating_reciprocal(c: Decimal) -> Decimal | None:
    if c == 0:
        return None
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        r = Decimal(1) / c
        if r * c == 1 and len(r.normalize().as_tuple().digits) <= 30:
            return r.normalize()
    return None


def _const_number(e: ir.Expr) -> Decimal | None:
    if isinstance(e, (ir.Const, ir.ParamRef)) and isinstance(e.value, (int, Decimal)) and \
            not isinstance(e.value, bool):
        return Decimal(e.value)
    return None


_MODES = ("half_up", "half_even", "down", "up")


def round_sql(v: S, places: int, mode: str) -> S:
    """``v`` rounded to ``places`` decimals by ``mode``, exactly as the row engine's
    ``_round`` (quantize): on the value as an integer of its smallest unit."""
    if v.s <= places:
        p = v.p - v.s + places
        exact_precision(p, "a rounding")
        return S(cast(v.node, dec_type(p, places)), "number", p, places, v.err)
    return _round_fraction(v.node, v.p, v.s, Decimal(1), places, mode, v.err)


def _round_fraction(num: E, p: int, s: int, divisor: Decimal, places: int, mode: str,
                    err: E | None) -> S:
    """``num / divisor`` (``num`` a DECIMAL(p, s), ``divisor`` a positive or negative
    constant) rounded to ``places`` by ``mode``: integer arithmetic on HUGEINT."""
    if mode not in _MODES:
        raise Unsupported(f"rounding mode {mode}")
    # num / divisor = (num * 10^s) / (divisor * 10^s); scaled by 10^places:
    # X / D with X = num * 10^(s + places + t), D = C * 10^s (divisor = C / 10^t)
    sign_d = -1 if divisor < 0 else 1
    _dsign, ddigits, dexp = abs(divisor).as_tuple()
    assert isinstance(dexp, int)
    c_int = int("".join(map(str, ddigits)) or "0")
    t = max(0, -dexp)
    c_int *= 10 ** max(0, dexp)
    # common powers of ten cancel: X = N * 10^(k - g), D = C * 10^(s - g), N = num * 10^s
    k = t + places
    g = min(k, s)
    x_scale = s + k - g
    digits_x = p + k - g
    if digits_x + 1 > 38:  # 2 * X + D on HUGEINT
        raise Unsupported(f"a rounding may need {digits_x + 1} digits, more than 38")
    d_int = c_int * 10 ** (s - g)
    if d_int >= 10 ** 30:
        raise Unsupported("a division by a constant this long")
    hugeint = exp.DataType.build("HUGEINT")
    x = cast(exp.Mul(this=exp.Paren(this=num), expression=dec_value(10 ** x_scale)[0]),
             hugeint)
    ax = exp.Abs(this=x)
    d = cast(exp.Literal.number(d_int), hugeint)

    def idiv(a: E, b: E) -> E:
        return exp.IntDiv(this=exp.Paren(this=a), expression=b)

    two = exp.Literal.number(2)
    if mode == "half_up":
        q = idiv(exp.Add(this=exp.Mul(this=two, expression=ax), expression=d),
                 exp.Mul(this=two, expression=d))
    elif mode == "down":
        q = idiv(ax, d)
    elif mode == "up":
        q = idiv(exp.Sub(this=exp.Add(this=ax, expression=d), expression=exp.Literal.number(1)),
                 d)
    else:  # half_even
        q0 = idiv(ax, d)
        r2 = exp.Mul(this=two, expression=exp.Paren(this=exp.Sub(
            this=ax, expression=exp.Mul(this=q0, expression=d))))
        up = exp.Or(this=exp.GT(this=r2, expression=d), expression=exp.And(
            this=exp.EQ(this=r2, expression=d),
            expression=exp.EQ(this=exp.Mod(this=q0, expression=two),
                              expression=exp.Literal.number(1))))
        q = exp.Add(this=q0, expression=case([(up, exp.Literal.number(1))],
                                             exp.Literal.number(0)))
    signed: E = exp.Mul(this=exp.Paren(this=q), expression=exp.Sign(this=x))
    if sign_d < 0:
        signed = exp.Neg(this=exp.Paren(this=signed))
    p_out = max(p - s + places + len(str(max(1, 10 ** t // max(1, c_int)))) + 1, places + 1)
    p_out = min(p_out, 38)
    out = cast(exp.Mul(this=cast(signed, dec_type(p_out, 0)),
                       expression=dec_value(Decimal(1).scaleb(-places))[0]),
               dec_type(p_out, places))
    return S(out, "number", p_out, places, err)


class ExprSQL(ir.ExprVisitor[S]):
    """Translates one typed expression tree to SQL over ``scope``."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def expr(self, e: ir.TypedExpr) -> S:
        return self.visit(e.tree)

    # -- leaves -------------------------------------------------------------------------

    def visit_const(self, e: ir.Const) -> S:
        return self.constant(e.value, e.ty)

    def constant(self, v: Any, ty: ir.Ty) -> S:
        kind = ty.kind.value if hasattr(ty.kind, "value") else str(ty.kind)
        if isinstance(v, tuple):
            return S(exp.Array(expressions=[self.constant(i, ty.item or ir.ANY).node
                                            for i in v]) if v else
                     cast(exp.Array(expressions=[]), "VARCHAR[]"), "list", items=v)
        if isinstance(v, bool):
            return S(lit(v), "bool")
        if kind == "ordinal" and isinstance(v, int):
            return S(exp.Literal.number(v), "ordinal")
        if isinstance(v, (int, Decimal)):
            node, p, s = dec_value(v)
            return S(node, "number", p, s)
        if isinstance(v, dt.datetime):
            return S(lit(v), "datetime")
        if isinstance(v, dt.date):
            return S(lit(v), "date")
        if isinstance(v, str):
            return S(lit(v), kind if kind in ("enum", "string") else "string")
        raise Unsupported(f"the constant {v!r}")

    def visit_fact(self, e: ir.FactRef) -> S:
        return self.scope.fact(e)

    def visit_param(self, e: ir.ParamRef) -> S:
        node, p, s = dec_value(e.value)
        return S(node, "number", p, s)

    def visit_list(self, e: ir.ListRef) -> S:
        return self.constant(e.items, e.ty)

    def visit_decision_value(self, e: ir.DecisionValue) -> S:
        return self.scope.decision_value(e)

    def visit_as_of(self, e: ir.AsOf) -> S:
        return S(lit(self.scope.as_of()), "datetime")

    def visit_today(self, e: ir.Today) -> S:
        return S(lit(self.scope.today()), "date")

    # -- text compared under `match: chinese` ---------------------------------------------

    def matched(self, *sides: ir.Expr) -> list[S]:
        if not any(ir.matches_chinese(x) for x in sides):
            return [self.visit(x) for x in sides]
        return [self._folded(x) for x in sides]

    def _folded(self, e: ir.Expr) -> S:
        if isinstance(e, ir.ListRef):
            return self.constant(fold_value(e.items), e.ty)
        if isinstance(e, ir.Const) and e.ty.scale is None and isinstance(e.value, (str, tuple)):
            return self.constant(fold_value(e.value), e.ty)
        if isinstance(e, ir.FactRef) and e.fact.kind == "string":
            return self.scope.folded(e)
        if isinstance(e, ir.Const):
            return self.visit(e)
        raise Unsupported("text compared under 'match: chinese' that is not a string fact, "
                          "a constant or a list")

    # -- operators ----------------------------------------------------------------------

    def visit_unary(self, e: ir.Unary) -> S:
        a = self.visit(e.operand)
        if e.op == "not":
            return S(exp.Not(this=exp.Paren(this=a.node)), "bool", err=a.err)
        return S(exp.Neg(this=exp.Paren(this=a.node)), a.kind, a.p, a.s, a.err)

    def visit_arith(self, e: ir.Arith) -> S:
        a, b = self.visit(e.left), self.visit(e.right)
        if e.op == "+" and "string" in (a.kind, b.kind):  # text concatenation (NULL: NULL)
            return S(exp.DPipe(this=a.node, expression=b.node), "string",
                     err=_or_err(a.err, b.err))
        kind = "money" if "money" in (a.kind, b.kind) else "number"
        err = _or_err(a.err, b.err)
        if e.op in ("+", "-"):
            s = max(a.s, b.s)
            p = max(a.p - a.s, b.p - b.s) + s + 1
            op = exp.Add if e.op == "+" else exp.Sub
            node: E = op(this=a.node, expression=b.node)
        elif e.op == "*":
            p, s = a.p + b.p, a.s + b.s
            node = exp.Mul(this=a.node, expression=b.node)
        else:
            c = _const_number(e.right)
            r = _terminating_reciprocal(c) if c is not None else None
            if r is None:
                raise Unsupported(f"the division {e.left!r} / {e.right!r} outside a comparison "
                                  "or a rounding", )
            rn, rp, rs = dec_value(r)
            p, s = a.p + rp, a.s + rs
            if r.as_tuple().digits == (1,):  # a power of ten shifts the point only
                p = max(a.p, s + 1)
            node = exp.Mul(this=a.node, expression=rn)
        exact_precision(p, "arithmetic")
        return S(cast(exp.Paren(this=node), dec_type(p, s)), kind, p, s, err)

    def visit_logic(self, e: ir.Logic) -> S:
        a, b = self.visit(e.left), self.visit(e.right)
        op = exp.And if e.op == "and" else exp.Or
        # the row engine skips the right side once the left decides
        decisive = is_false(a.node) if e.op == "and" else is_true(a.node)
        err = _or_err(a.err, exp.And(this=exp.Not(this=decisive), expression=b.err)
                      if b.err is not None else None)
        return S(exp.Paren(this=op(this=a.node, expression=b.node)), "bool", err=err)

    def compare(self, op: str, left: ir.Expr, right: ir.Expr) -> S:
        left, right = ir.whole_second(op, left, right)
        rearranged = self._divided(op, left, right)
        if rearranged is not None:
            return rearranged
        if op in ("==", "!="):
            a, b = self.matched(left, right)
        else:
            a, b = self.visit(left), self.visit(right)
        cls: type[exp.Binary] = {
            "==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT,
               ">=": exp.GTE}[op]
        node = typing.cast(E, cls(this=a.node, expression=b.node))
        return S(node, "bool", err=_or_err(a.err, b.err))

    def _divided(self, op: str, left: ir.Expr, right: ir.Expr) -> S | None:
        """``a / c op b`` with a constant ``c`` whose reciprocal is not exact: ``a op b * c``
        (the inequality turned round for a negative ``c``)."""
        for side, other, flipped in ((left, right, False), (right, left, True)):
            if isinstance(side, ir.Arith) and side.op == "/":
                c = _const_number(side.right)
                if c is None or c == 0 or _terminating_reciprocal(c) is not None:
                    continue
                o = op if not flipped else ir.FLIPPED[op]
                if c < 0:
                    o = ir.FLIPPED[o]
                scaled = ir.Arith("*", other, side.right, other.ty)
                return self.compare(o, side.left, scaled)
        return None

    def visit_compare(self, e: ir.Compare) -> S:
        return self.compare(e.op, e.left, e.right)

    def visit_between(self, e: ir.Between) -> S:
        low = self.compare(">=", e.value, e.low)
        high = self.compare("<=", e.value, e.high)
        err = _or_err(low.err, exp.And(this=exp.Not(this=is_false(low.node)),
                                       expression=high.err) if high.err is not None else None)
        return S(exp.Paren(this=exp.And(this=low.node, expression=high.node)), "bool", err=err)

    def visit_membership(self, e: ir.Membership) -> S:
        a, b = self.matched(e.left, e.right)
        if b.items is not None:
            kind = e.right.ty.item.kind if e.right.ty.item is not None else None
            item_ty = e.right.ty.item or ir.ANY
            values = [self.constant(i, item_ty).node for i in dict.fromkeys(b.items)]
            del kind
            if values:
                node: E = exp.In(this=a.node, expressions=values)
            else:
                node = case([(exp.Is(this=a.node, expression=exp.null()), exp.null())],
                            exp.false())
        else:
            node = _null_if_any([a, b], exp.ArrayContains(this=b.node, expression=a.node))
        if e.op == "not in":
            node = exp.Not(this=exp.Paren(this=node))
        return S(node, "bool", err=_or_err(a.err, b.err))

    # -- functions ----------------------------------------------------------------------

    def visit_call(self, e: ir.Call) -> S:
        f = e.func
        if f == "present":
            a = self.visit(e.args[0])
            return S(exp.Not(this=exp.Is(this=a.node, expression=exp.null())), "bool",
                     err=a.err)
        if f.startswith("round_"):
            places = e.args[1]
            assert isinstance(places, ir.Const)
            return self.rounded(e.args[0], int(places.value), f.removeprefix("round_"))
        args = self.matched(*e.args) if f in ("contains_any", "contains") else [
            self.visit(a) for a in e.args]
        method: Callable[[list[S]], S] | None = getattr(self, f"call_{f}", None)
        if method is None:
            raise Unsupported(f"the function {f}()")
        return method(args)

    def rounded(self, arg: ir.Expr, places: int, mode: str) -> S:
        """``arg`` rounded; a division by a constant is rounded as an exact fraction."""
        if isinstance(arg, ir.Arith) and arg.op == "/":
            c = _const_number(arg.right)
            if c is not None and c != 0 and _terminating_reciprocal(c) is None:
                a = self.visit(arg.left)
                out = _round_fraction(a.node, a.p, a.s, c, places, mode, a.err)
                return S(out.node, "money" if arg.ty.kind == "money" else "number",
                         out.p, out.s, out.err)
        v = self.visit(arg)
        out = round_sql(v, places, mode)
        return S(out.node, v.kind, out.p, out.s, out.err)

    def _date_fn(self, args: list[S], node: E, kind: str = "date", own: E | None = None) -> S:
        return S(node, kind, err=_guard_err(args, own))

    def call_date(self, a: list[S]) -> S:
        if a[0].kind == "date":
            return a[0]
        local = exp.AtTimeZone(this=a[0].node, zone=exp.Literal.string(self.scope.timezone))
        return self._date_fn(a, cast(local, "DATE"))

    def _whole(self, n: S, what: str) -> tuple[E, E | None]:
        """``n`` as an INTEGER, and the condition under which it is not whole (PR606)."""
        node = cast(n.node, "BIGINT")
        if n.s == 0:
            return node, None
        return node, exp.NEQ(this=n.node, expression=cast(n.node, dec_type(n.p, 0)))

    def call_add_days(self, a: list[S]) -> S:
        _n, bad = self._whole(a[1], "add_days")
        # a date plus whole days, as each dialect writes it (DuckDB: + INTERVAL, Spark:
        # DATE_ADD, which takes an INT)
        node = exp.DateAdd(this=a[0].node, expression=cast(a[1].node, "INT"),
                           unit=exp.var("DAY"))
        return self._date_fn(a, _null_if_any(a, cast(node, "DATE")), own=bad)

    def call_days_between(self, a: list[S]) -> S:
        node = exp.Sub(this=a[1].node, expression=a[0].node)
        return S(cast(exp.Paren(this=node), dec_type(10, 0)), "number", 10, 0,
                 _guard_err(a, None))

    def call_add_months(self, a: list[S]) -> S:
        n, bad = self._whole(a[1], "add_months")
        node = exp.Add(this=a[0].node, expression=exp.Interval(
            this=exp.Paren(this=n), unit=exp.Var(this="MONTH")))
        return self._date_fn(a, _null_if_any(a, cast(node, "DATE")), own=bad)

    def call_quarter_start(self, a: list[S]) -> S:
        node = exp.TimestampTrunc(this=a[0].node, unit=exp.Var(this="QUARTER"))
        return self._date_fn(a, cast(node, "DATE"))

    def call_quarter_end(self, a: list[S]) -> S:
        start = exp.TimestampTrunc(this=a[0].node, unit=exp.Var(this="QUARTER"))
        node = exp.Sub(this=exp.Add(this=start, expression=exp.Interval(
            this=exp.Literal.string("3"), unit=exp.Var(this="MONTH"))), expression=exp.Interval(
            this=exp.Literal.string("1"), unit=exp.Var(this="DAY")))
        return self._date_fn(a, cast(node, "DATE"))

    def call_years_between(self, a: list[S]) -> S:
        start, end = a[0].node, a[1].node

        def md(d: E) -> E:
            return exp.Add(this=exp.Mul(this=exp.Month(this=d), expression=exp.Literal.number(
                100)), expression=exp.Day(this=d))

        years = exp.Sub(this=exp.Year(this=end), expression=exp.Year(this=start))
        before = exp.LT(this=md(end), expression=md(start))
        # a 29 February start: its anniversary is 28 February in a common year
        leap = exp.And(this=exp.EQ(this=md(start), expression=exp.Literal.number(229)),
                       expression=exp.And(
                           this=exp.EQ(this=md(end), expression=exp.Literal.number(228)),
                           expression=exp.Not(this=_is_leap(exp.Year(this=end)))))
        adjust = case([(exp.And(this=before, expression=exp.Not(this=leap)),
                        exp.Literal.number(1))], exp.Literal.number(0))
        node = cast(exp.Sub(this=years, expression=adjust), dec_type(10, 0))
        return S(node, "number", 10, 0, _guard_err(a, None))

    def _calendar(self, day: E, column: str) -> E:
        # aggregated (one row per day): engines such as Spark take only aggregated
        # correlated scalar subqueries
        sub = exp.select(exp.Max(this=col(column))).from_(exp.to_table(self.scope.calendar)).where(
            exp.EQ(this=col("day"), expression=day))
        return exp.Subquery(this=sub)

    def call_is_working_day(self, a: list[S]) -> S:
        node = self._calendar(a[0].node, "is_working_day")
        # a day the calendar has no data for: FactError PR607
        return S(node, "bool", err=_guard_err(a, exp.Is(this=node, expression=exp.null())))

    def call_add_working_days(self, a: list[S]) -> S:
        day, n = a
        count, bad = self._whole(n, "add_working_days")
        # Two layers, each a correlated scalar subquery over the calendar alone (Spark
        # resolves outer references one level deep, and a single-table aggregate is small
        # enough for Spark to broadcast): the day's numbers, then the first day whose
        # working_day_number is n more with the same unknown_number (no day without data in
        # between).
        number = self.scope.column(self._calendar(day.node, "working_day_number"), "wd_from")
        unknown = self.scope.column(self._calendar(day.node, "unknown_number"), "wd_unknown")
        target = exp.Add(this=number, expression=count)
        sub = exp.select(exp.Min(this=col("day"))).from_(
            exp.to_table(self.scope.calendar)).where(and_all([
                exp.EQ(this=col("working_day_number"), expression=target),
                exp.EQ(this=col("unknown_number"), expression=unknown)]))
        found = self.scope.column(exp.Subquery(this=sub), "wd_to")
        zero = exp.EQ(this=count, expression=exp.Literal.number(0))
        node = case([(exp.Or(this=exp.Is(this=day.node, expression=exp.null()),
                             expression=exp.Is(this=n.node, expression=exp.null())),
                      exp.null()), (zero, day.node)], found)
        negative = exp.LT(this=n.node, expression=exp.Literal.number(0))
        missing = exp.And(this=exp.Not(this=zero),
                          expression=exp.Is(this=found, expression=exp.null()))
        own = or_any([x for x in (bad, negative, missing) if x is not None])
        return S(node, "date", err=_guard_err(a, own))

    def call_includes_all(self, a: list[S]) -> S:
        missing = self.call_missing_from(a).node
        node = exp.EQ(this=exp.ArraySize(this=missing), expression=exp.Literal.number(0))
        return S(_null_if_any(a, node), "bool", err=_guard_err(a, None))

    def call_missing_from(self, a: list[S]) -> S:
        x = exp.to_identifier("__pr_item")
        keep = exp.Not(this=exp.ArrayContains(this=a[0].node, expression=exp.column(x)))
        node = exp.ArrayFilter(this=a[1].node, expression=exp.Lambda(
            this=keep, expressions=[x]))
        return S(_null_if_any(a, node), "list", err=_guard_err(a, None))

    def call_contains_any(self, a: list[S]) -> S:
        text, words = a
        if words.items is None:
            raise Unsupported("contains_any() with a list that is not a constant")
        if not words.items:
            return S(_null_if_any([text], exp.false()), "bool", err=text.err)
        tests = [exp.GT(this=exp.StrPosition(this=text.node, substr=exp.Literal.string(w)),
                        expression=exp.Literal.number(0)) for w in words.items]
        return S(or_any(tests), "bool", err=text.err)

    def call_contains(self, a: list[S]) -> S:
        hay, needle = a
        if hay.kind == "list":
            node: E = exp.ArrayContains(this=hay.node, expression=needle.node)
        else:
            node = exp.GT(this=exp.StrPosition(this=hay.node, substr=needle.node),
                          expression=exp.Literal.number(0))
        return S(_null_if_any(a, node), "bool", err=_guard_err(a, None))

    def call_concat(self, a: list[S]) -> S:
        node = a[0].node
        for x in a[1:]:
            node = exp.DPipe(this=node, expression=x.node)
        return S(_null_if_any(a, node), "string", err=_guard_err(a, None))

    def call_len(self, a: list[S]) -> S:
        if a[0].kind == "list":
            node: E = exp.ArraySize(this=a[0].node)
        else:
            node = exp.Length(this=a[0].node)
        return S(cast(node, dec_type(10, 0)), "number", 10, 0, a[0].err)

    def call_abs(self, a: list[S]) -> S:
        return S(exp.Abs(this=a[0].node), a[0].kind, a[0].p, a[0].s, a[0].err)

    def _extreme(self, a: list[S], cls: type[exp.Least] | type[exp.Greatest]) -> S:
        if any(x.kind not in ("number", "money") for x in a):
            node: E = cls(this=a[0].node, expressions=[x.node for x in a[1:]])
            return S(_null_if_any(a, node), a[0].kind, err=_guard_err(a, None))
        s = max(x.s for x in a)
        p = max(x.p - x.s for x in a) + s
        exact_precision(p, "min/max")
        node = cls(this=cast(a[0].node, dec_type(p, s)),
                   expressions=[cast(x.node, dec_type(p, s)) for x in a[1:]])
        return S(_null_if_any(a, node), a[0].kind, p, s, _guard_err(a, None))

    def call_min(self, a: list[S]) -> S:
        return self._extreme(a, exp.Least)

    def call_max(self, a: list[S]) -> S:
        return self._extreme(a, exp.Greatest)


def _is_leap(year: E) -> E:
    def divisible(n: int) -> E:
        return exp.EQ(this=exp.Mod(this=year, expression=exp.Literal.number(n)),
                      expression=exp.Literal.number(0))

    return exp.Paren(this=exp.Or(this=exp.And(this=divisible(4),
                                               expression=exp.Not(this=divisible(100))),
                                 expression=divisible(400)))
