"""Batch backend (a consumer of pipeline stage 4a): a decision table -> SQL.

The SQL twin of :func:`promorules.compiler.hits.resolve_table`, one part of the node
compiler (:mod:`.nodes_sql`): every hit policy, aggregates, defaults (a list policy's is
the one-item list ``[default]``; a mapping default leaves its unlisted columns null) and
computed output cells, compiled by the node compiler's own ``compute`` (the code every
other formula uses, rounding included) and computed only where their row decides.

As in ``resolve_table``: a match that is unknown makes the table unknown; then, for the
rows that matched (under ``first``, the one that decided), in row order, a computed cell
that is unknown makes it unknown and a computed cell outside its column's value list makes
it fail. Ranks (``priority``, ``output_order``) and the extremes of ``min``/``max`` are
sorted at compile time when every output is a literal, else compared row against row in
SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs
import sqlglot.expressions as exp

from .. import ir
from ..compiler.nodes import table_static
from .exprs import S
from .sqlx import E, Unsupported, and_all, case, cast, dec_type, is_false, is_true, or_any

__all__ = ["Val", "table_val"]

ONE, ZERO, TWO = exp.Literal.number(1), exp.Literal.number(0), exp.Literal.number(2)
_NULL_TYPES = {"string": "VARCHAR", "bool": "BOOLEAN", "date": "DATE",
               "datetime": "TIMESTAMPTZ"}


@attrs.frozen
class Val:
    """A value node: its state (1 computed, 0 failed, NULL unknown, 2 not applicable) and
    its value (meaningful when the state is 1)."""

    st: E
    v: E
    kind: str = "any"
    p: int = 0
    s: int = 0
    py: Any = None  # a literal's value


Conv = Callable[[Val], E]


class Host(Protocol):
    """What the table compiler uses of the node compiler (:class:`.nodes_sql.NodeCompiler`)."""

    gate: E
    walk: dict[int, E]

    def idx(self, node: Any) -> int: ...

    def add(self, e: E, hint: str) -> E: ...

    def expr(self, e: ir.TypedExpr, when: E | None = None) -> S: ...

    def literal(self, v: Any, ty: ir.Ty | None = None) -> tuple[E, str, int, int]: ...

    def literal_val(self, v: Any) -> Val: ...

    def compute(self, value: ir.Compute, when: E | None) -> Val: ...

    def unify(self, vals: list[Val]) -> tuple[Conv, str, int, int]: ...


def _null(e: E) -> E:
    return exp.Is(this=e, expression=exp.null())


def _known(e: E) -> E:
    return exp.Not(this=exp.Is(this=e, expression=exp.null()))


def _frozen(value: Any) -> Any:
    """A literal output as the row engine compares it (numbers by value)."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value).normalize()
    if isinstance(value, Mapping):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _count(flags: list[E]) -> E:
    total: E = ZERO
    for f in flags:
        total = exp.Add(this=total, expression=case([(f, ONE)], ZERO))
    return exp.Paren(this=total)


@attrs.define
class _Column:
    """One output column: its cells' conversion to one SQL type."""

    conv: Conv
    kind: str
    p: int
    s: int

    def of(self, v: Val) -> E:
        if v.kind != "null":
            return self.conv(v)
        if self.kind in ("number", "money"):
            return cast(exp.null(), dec_type(self.p, self.s))
        ty = _NULL_TYPES.get(self.kind)
        return cast(exp.null(), ty) if ty else exp.null()


class _TableSQL:
    def __init__(self, c: Host, table: ir.Table) -> None:
        self.c, self.t = c, table
        self.static = table_static(table)
        self.first = table.hit_policy == ir.HitPolicy.FIRST
        self.n = len(table.rows)

    def cell(self, cell: ir.Literal | ir.Compute, when: E) -> Val:
        if isinstance(cell, ir.Compute):
            return self.c.compute(cell, when)
        return self.literal(cell.value)

    def literal(self, v: Any) -> Val:
        return Val(ONE, exp.null(), "null") if v is None else self.c.literal_val(v)

    def compile(self) -> Val:
        c, t = self.c, self.t
        # the rows' matches; "reach": the row matched and decides (is evaluated)
        self.w: list[E] = []
        reach: list[E] = []
        pending: E = exp.true()
        for row in t.rows:
            i = c.idx(row)
            at = and_all([c.gate, pending]) if self.first else c.gate
            w = c.add(c.expr(row.when, at).node, row.id)
            self.w.append(w)
            self.c.walk[i] = and_all([at, _null(w)])
            reach.append(and_all([is_true(c.gate), pending, is_true(w)]))
            if self.first:
                pending = c.add(and_all([pending, is_false(w)]), f"pending_{row.id}")
        # the output cells, each column converted to one type
        ncols = max(len(t.outputs), 1)
        self.cells = [[self.cell(cell, reach[k]) for cell in row.outputs]
                      for k, row in enumerate(t.rows)]
        for k, cells in enumerate(self.cells):
            if len(cells) != ncols:  # a row without its output cells: its value as written
                self.cells[k] = [self.literal(t.rows[k].then)]
        self.default: list[Val] | None = None
        if t.default is not None:
            d = self.static.default
            self.default = ([self.literal(d[name]) for name in self.static.names]
                            if self.static.names is not None else [self.literal(d)])
        self.cols: list[_Column] = []
        for j in range(ncols):
            vals = [cells[j] for cells in self.cells] + (
                [self.default[j]] if self.default else [])
            known = [v for v in vals if v.kind != "null"]
            kinds = {"number" if v.kind == "money" else v.kind for v in known}
            if len(kinds) > 1:  # a SQL column has one type; the row engine's value has several
                raise Unsupported("a decision table whose outputs mix "
                                  + " and ".join(sorted(kinds)))
            conv, kind, p, s = c.unify(known)
            self.cols.append(_Column(conv, kind, p, s))
        self.outs = [self.out(cells) for cells in self.cells]
        self.dflt = self.out(self.default) if self.default is not None else exp.null()
        if self.static.names is None:
            col = self.cols[0]
            self.kind, self.p, self.s = col.kind, col.p, col.s
        else:
            self.kind, self.p, self.s = "mapping", 0, 0
        self.computed = [any(isinstance(x, ir.Compute) for x in row.outputs) for row in t.rows]
        # the checks on a deciding row: a computed cell unknown, or outside its values
        self.checks: list[list[tuple[E, E]]] = []
        for row, cells in zip(t.rows, self.cells, strict=True):
            unknown, bad = [], []
            for j, (x, v) in enumerate(zip(row.outputs, cells, strict=False)):
                order = self.static.orders[j]
                if not isinstance(x, ir.Compute):
                    continue
                unknown.append(_null(v.v))
                if order is not None:
                    bad.append(exp.Not(this=exp.In(this=self.cols[j].of(v), expressions=[
                        c.literal(o)[0] for o in order])))
            self.checks.append(([(or_any(unknown), exp.null())] if unknown else [])
                               + ([(or_any(bad), ZERO)] if bad else []))
        return self.first_val() if self.first else self.matched_val()

    def out(self, cells: list[Val]) -> E:
        if self.static.names is None:
            return self.cols[0].of(cells[0])
        return exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.to_identifier(name, quoted=True), expression=col.of(v))
            for name, col, v in zip(self.static.names, self.cols, cells, strict=True)])

    def val(self, st: E, v: E) -> Val:
        return Val(st, v, self.kind, self.p, self.s)

    def first_val(self) -> Val:
        st_whens: list[tuple[E, E]] = []
        v_whens: list[tuple[E, E]] = []
        for w, checks, out in zip(self.w, self.checks, self.outs, strict=True):
            st_whens += [(and_all([is_true(w), cond]), code) for cond, code in checks]
            st_whens += [(is_true(w), ONE), (_null(w), exp.null())]
            v_whens.append((is_true(w), out))
        return self.val(case(st_whens, ONE if self.default else ZERO),
                        case(v_whens, self.dflt))

    def matched_val(self) -> Val:
        t, w = self.t, self.w
        policy, aggregation = t.hit_policy, t.aggregation
        m = [is_true(x) for x in w]
        unknown = or_any([_null(x) for x in w])
        # resolve_table's checks, in row order over the rows that matched
        checks = [(and_all([m[k], cond]), code)
                  for k in range(self.n) for cond, code in self.checks[k]]
        none = exp.EQ(this=_count(m), expression=ZERO)
        head = [(unknown, exp.null()), *checks]
        if aggregation == ir.Aggregation.COUNT:
            count = _count(m)
            v = case([(none, self.dflt)], count) if self.default else count
            kind = "number" if not self.default else self.kind
            return Val(case(head, ONE), v, kind, max(self.p, 18), self.s)
        if aggregation is not None:  # sum, min, max: null over no match (outcome pass)
            nulls = [m[k] for k in range(self.n) if self.cells[k][0].kind == "null"]
            p = self.p
            if aggregation == ir.Aggregation.SUM:
                zero = cast(ZERO, dec_type(self.p, self.s))
                total: E = zero
                for k in range(self.n):
                    total = exp.Add(this=total, expression=case([(m[k], self.outs[k])], zero))
                v = exp.Paren(this=total)
                p = min(self.p + 4, 38)
            else:
                v = self.extreme(aggregation == ir.Aggregation.MAX)
            v = case([(none, self.dflt)] + ([(or_any(nulls), exp.null())] if nulls else []), v)
            return Val(case(head, ONE), v, self.kind, p, self.s)
        if policy in (ir.HitPolicy.UNIQUE, ir.HitPolicy.PRIORITY, ir.HitPolicy.ANY):
            if policy == ir.HitPolicy.ANY:
                decided, v = self.agreed()
            else:
                decided = (exp.EQ(this=_count(m), expression=ONE)
                           if policy == ir.HitPolicy.UNIQUE else exp.Not(this=none))
                v = self.best() if policy == ir.HitPolicy.PRIORITY else \
                    case([(m[k], self.outs[k]) for k in range(self.n)])
            st = case([*head, (decided, ONE), (none, ONE if self.default else ZERO)], ZERO)
            return self.val(st, case([(decided, v), (none, self.dflt)]))
        x = exp.to_identifier("__pr_item")
        listed: E = exp.ArrayFilter(this=exp.Array(expressions=self.listed()),
                                    expression=exp.Lambda(this=_known(exp.column(x)),
                                                          expressions=[x]))
        if self.default is not None:
            listed = case([(none, exp.Array(expressions=[self.dflt]))], listed)
        return Val(case(head, ONE), listed, "list")

    # -- the order that decides -----------------------------------------------------------

    def dynamic_ranks(self) -> bool:
        """Whether a row's rank depends on a computed cell (of a column with values)."""
        return any(isinstance(x, ir.Compute) and order is not None
                   for row in self.t.rows
                   for x, order in zip(row.outputs, self.static.orders, strict=False))

    def key(self, k: int) -> E:
        """Row ``k``'s place in the ranked order: its ranks, then its index, as one number."""
        row = self.t.rows[k]
        orders = self.static.orders
        total: E = exp.Literal.number(k)
        mult = self.n
        for j in reversed(range(len(orders))):
            order = orders[j]
            if order is None:
                continue
            cell = row.outputs[j] if row.outputs else None
            if isinstance(cell, ir.Compute):
                v = self.cols[j].of(self.cells[k][j])
                pos: E = case([(exp.EQ(this=v, expression=self.c.literal(o)[0]),
                                exp.Literal.number(q)) for q, o in enumerate(order)],
                              exp.Literal.number(len(order)))
            else:
                lit_v = self.cells[k][j].py
                pos = exp.Literal.number(next(
                    (q for q, o in enumerate(order)
                     if o == lit_v and isinstance(o, bool) == isinstance(lit_v, bool)),
                    len(order)))
            total = exp.Add(this=total, expression=exp.Mul(
                this=exp.Paren(this=pos), expression=exp.Literal.number(mult)))
            mult *= len(order) + 1
        return cast(exp.Paren(this=total), "BIGINT")

    def static_order(self) -> list[int]:
        order = list(range(self.n))
        if self.t.hit_policy in ir.RANKED_POLICIES:
            # a computed cell of a column without values does not rank: any placeholder
            order.sort(key=lambda k: (self.static.rank(self.static.output(
                k, [None] * sum(self.static.computed[k]))), k))
        return order

    def best(self) -> E:
        """``priority``: the output of the matching row ranked highest."""
        m = [is_true(x) for x in self.w]
        if not self.dynamic_ranks():
            return case([(m[k], self.outs[k]) for k in self.static_order()])
        keys = [self.c.add(self.key(k), f"rank_{self.t.rows[k].id}") for k in range(self.n)]
        return case([(and_all([m[k], exp.Not(this=or_any([
            and_all([m[j], exp.LT(this=keys[j], expression=keys[k])])
            for j in range(self.n) if j != k]))]), self.outs[k]) for k in range(self.n)])

    def listed(self) -> list[E]:
        """The list policies' items (NULL where not listed), in the order they are listed."""
        m = [is_true(x) for x in self.w]
        if self.t.hit_policy != ir.HitPolicy.OUTPUT_ORDER or not self.dynamic_ranks():
            return [case([(m[k], self.outs[k])]) for k in self.static_order()]
        keys = [self.c.add(self.key(k), f"rank_{self.t.rows[k].id}") for k in range(self.n)]
        pos = [self.c.add(_count([and_all([m[j], exp.LT(this=keys[j], expression=keys[k])])
                                  for j in range(self.n) if j != k]),
                          f"pos_{self.t.rows[k].id}") for k in range(self.n)]
        return [case([(and_all([m[k], exp.EQ(this=pos[k], expression=exp.Literal.number(q))]),
                       self.outs[k]) for k in range(self.n)]) for q in range(self.n)]

    def extreme(self, largest: bool) -> E:
        """``min``/``max``: the smallest (largest) output of the matching rows."""
        m = [is_true(x) for x in self.w]
        if not any(self.computed):
            order = sorted((k for k in range(self.n) if self.cells[k][0].kind != "null"),
                           key=lambda k: self.t.rows[k].then, reverse=largest)
            return case([(m[k], self.outs[k]) for k in order])
        cmp = exp.GT if largest else exp.LT
        return case([(and_all([m[k], exp.Not(this=or_any([
            and_all([m[j], cmp(this=self.outs[j], expression=self.outs[k])])
            for j in range(self.n) if j != k]))]), self.outs[k]) for k in range(self.n)])

    def agreed(self) -> tuple[E, E]:
        """``any``: (every matching row gives one output, that output)."""
        m = [is_true(x) for x in self.w]
        if not any(self.computed):  # the matching rows' distinct outputs, known statically
            groups: dict[str, list[int]] = {}
            for k, row in enumerate(self.t.rows):
                groups.setdefault(repr(_frozen(row.then)), []).append(k)
            flags = [or_any([m[k] for k in ks]) for ks in groups.values()]
            firsts = [ks[0] for ks in groups.values()]
            return (exp.EQ(this=_count(flags), expression=ONE),
                    case([(f, self.outs[k]) for f, k in zip(flags, firsts, strict=True)]))
        differ = or_any([and_all([m[j], m[k], exp.NullSafeNEQ(
            this=self.outs[j], expression=self.outs[k])])
            for k in range(self.n) for j in range(k)])
        return (and_all([exp.Not(this=differ), or_any(m)]),
                case([(m[k], self.outs[k]) for k in range(self.n)]))


def table_val(c: Host, table: ir.Table) -> Val:
    """A decision table's state and value, as :func:`resolve_table` gives them."""
    return _TableSQL(c, table).compile()
