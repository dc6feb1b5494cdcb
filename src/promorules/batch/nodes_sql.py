"""Batch backend (a consumer of pipeline stage 4a): a decision's rules and values -> SQL.

The SQL twin of :mod:`promorules.compiler.emit_kleene` and
:mod:`promorules.compiler.failed_ids`: a visitor over the IR gives every node of the
decision's node table its column, with the row engine's meaning:

- a rule: a BOOLEAN (NULL: unknown) and, when it can be "not applicable" (an
  ``applies_when``, a warning, a ``not`` over such a rule), a flag ``na``; a warning
  never decides its group, ``all``/``any`` follow Kleene's logic over the children that
  apply (an ``any`` none of whose children applied fails);
- a value: a state (1 computed, 0 could not be computed, NULL unknown, 2 not reached) and
  the value itself: cases (first that holds), collect, lookups, decision tables (their hit
  policies), tiers (the highest reached), fields (a STRUCT), splits (exact parts, the last
  takes the remainder), computes with their rounding.

From these columns come the decision's ``outcome``, its ``failed`` leaves in rule order
(the failed-ids visitor's entries, each with the SQL condition under which it is named)
and its ``missing`` facts: the one walk of :func:`promorules.plan.missing_facts`, over the
same node table (:func:`promorules.compiler.nodes.build_table`), as conditions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import sqlglot.expressions as exp

from .. import ir
from ..compiler import CompiledDecision
from ..compiler.nodes import build_table, table_static
from .exprs import ExprSQL, S, exact_precision, round_sql
from .layers import Layers
from .sqlx import (
    E,
    Unsupported,
    and_all,
    case,
    cast,
    dec_type,
    dec_value,
    is_false,
    is_true,
    lit,
    or_any,
)

__all__ = ["DecisionSQL", "NodeCompiler", "Val"]

ONE, ZERO, TWO = exp.Literal.number(1), exp.Literal.number(0), exp.Literal.number(2)


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


@attrs.define
class DecisionSQL:
    """A compiled decision: its outcome (BOOLEAN, NULL unknown), its value (or None), the
    named failed leaves and missing facts as (condition, name) entries in order, and the
    condition under which the row engine raises a FactError."""

    id: str
    outcome: E
    value: Val | None
    failed: list[tuple[E, str]]
    missing: list[tuple[E, str]]
    err: E | None


def _null(e: E) -> E:
    return exp.Is(this=e, expression=exp.null())


def _known(e: E) -> E:
    return exp.Not(this=exp.Is(this=e, expression=exp.null()))


def _state(st: E, code: E) -> E:
    return exp.EQ(this=st, expression=code)


def _frozen(value: Any) -> Any:
    """A literal output as the row engine compares it (numbers by value)."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value).normalize()
    if isinstance(value, Mapping):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _table_supported(table: ir.Table) -> None:
    """The tables the SQL gives exactly; the others are refused (PR822), never computed
    differently: computed output cells, a list policy's default, and aggregates over
    text or dates."""
    if any(r.computed for r in table.rows):
        raise Unsupported("a decision table with computed output cells")
    if table.default is not None and table.aggregation is None and (
            table.hit_policy in ir.LIST_POLICIES):
        raise Unsupported(f"a default on a {table.hit_policy} decision table")
    if table.aggregation not in (None, ir.Aggregation.COUNT) and any(
            isinstance(r.then, bool) or not isinstance(r.then, (int, Decimal))
            for r in table.rows):
        raise Unsupported(f"aggregate {table.aggregation} over outputs that are not numbers")


def _can_be_na(rule: ir.Rule) -> bool:
    if rule.applies_when is not None or rule.severity != ir.Severity.ERROR:
        return True
    return isinstance(rule, ir.Not) and _can_be_na(rule.child)


class NodeCompiler(ir.Visitor[Any]):
    """Compiles one decision into columns of ``layers``. ``program`` gives facts' columns,
    other decisions (compiled once), the instant and the calendar (see :mod:`.program`)."""

    def __init__(self, program: Any, decision: ir.Decision, compiled: CompiledDecision) -> None:
        self.p = program
        self.layers: Layers = program.layers
        self.d = decision
        self.compiled = compiled
        self.table = build_table(decision)
        self.x = ExprSQL(program.scope(compiled))
        self.r: dict[int, E] = {}  # rule node -> BOOLEAN column
        self.na: dict[int, E] = {}  # rule node -> NA flag column
        self.val: dict[int, Val] = {}  # value node -> state and value
        self.walk: dict[int, E] = {}  # node -> "the missing-facts walk goes into it"
        self.errs: list[E] = []
        self.gate: E = exp.true()  # value decisions: the requirements passed

    def idx(self, node: Any) -> int:
        return self.table.of(node)

    def add(self, e: E, hint: str) -> E:
        return self.layers.add(e, f"{self.d.id[:10]}_{hint}")

    def expr(self, e: ir.TypedExpr, when: E | None = None) -> S:
        """An expression; its errors count when ``when`` holds (it is evaluated)."""
        s = self.x.expr(e)
        if s.err is not None:
            self.errs.append(s.err if when is None else exp.And(this=when, expression=s.err))
        return s

    # -- rules --------------------------------------------------------------------------

    def rule(self, rule: ir.Rule) -> tuple[E, E | None]:
        """Compile a rule: (its BOOLEAN column, its NA column or None)."""
        i = self.idx(rule)
        value, na = self.visit(rule)
        if rule.applies_when is not None:
            t = self.add(self.expr(rule.applies_when).node, f"applies_{rule.id}")
            if isinstance(rule, ir.Check):
                pass  # the check's errors were counted when its expression was compiled
            value = case([(is_false(t), exp.null()), (_null(t), exp.null())], value)
            na = or_any([is_false(t), and_all([is_true(t), na])]) if na is not None \
                else is_false(t)
        r = self.add(value, rule.id)
        self.r[i] = r
        if na is not None:
            na = self.add(na, f"na_{rule.id}")
            self.na[i] = na
        unknown = and_all([_null(r), exp.Not(this=na)]) if na is not None else _null(r)
        self.walk[i] = and_all([self.gate, unknown])
        return r, na

    def contribution(self, rule: ir.Rule, for_all: bool) -> E:
        """What a compiled child gives its group: its value, the group's identity when it
        is not applicable or a warning."""
        i = self.idx(rule)
        r = self.r[i]
        identity = exp.true() if for_all else exp.false()
        if rule.severity == ir.Severity.WARNING:
            return identity
        na = self.na.get(i)
        return r if na is None else case([(na, identity)], r)

    def visit_check(self, rule: ir.Check) -> tuple[E, E | None]:
        when = None
        if rule.applies_when is not None:
            when = is_true(self.x.expr(rule.applies_when).node)
        return self.expr(rule.expr, when).node, None

    def visit_not(self, rule: ir.Not) -> tuple[E, E | None]:
        c, na = self.rule(rule.child)
        if rule.child.severity == ir.Severity.WARNING:  # a warning gives NA to its parent
            return exp.null(), exp.true()
        return exp.Not(this=exp.Paren(this=c)), na

    def _group(self, rule: ir.All | ir.Any) -> tuple[E, E | None]:
        for c in rule.children:
            self.rule(c)
        parts = [self.contribution(c, isinstance(rule, ir.All)) for c in rule.children]
        op = exp.And if isinstance(rule, ir.All) else exp.Or
        out = parts[0]
        for part in parts[1:]:
            out = op(this=out, expression=part)
        return exp.Paren(this=out), None

    visit_all = visit_any = _group

    def visit_decision_ref(self, rule: ir.DecisionRef) -> tuple[E, E | None]:
        return self.p.decision(rule.decision).outcome, None

    def visit_tier_ref(self, rule: ir.TierRef) -> tuple[E, E | None]:
        root = self.table.tier_roots[rule.tier]
        # the tier's rule as its variable holds it: NA stays NA (an unknown to this rule)
        return self.r[root], self.na.get(root)

    # -- values -------------------------------------------------------------------------

    def value(self, value: ir.Value) -> Val:
        i = self.idx(value)
        out: Val = self.visit(value)
        st = self.add(out.st, f"st{i}")
        v = self.add(out.v, f"v{i}")
        val = Val(st, v, out.kind, out.p, out.s)
        self.val[i] = val
        self.walk[i] = and_all([self.gate, _null(st)])
        return val

    def inline(self, value: ir.Literal | ir.Compute, when: E | None) -> Val:
        if isinstance(value, ir.Literal):
            return self.visit_literal(value)
        return self._compute(value, when)

    def literal(self, v: Any, ty: ir.Ty | None = None) -> tuple[E, str, int, int]:
        if isinstance(v, Mapping):
            fields = []
            for k, item in v.items():
                node = self.literal(item)[0]
                fields.append(exp.PropertyEQ(this=exp.to_identifier(str(k), quoted=True),
                                             expression=node))
            return exp.Struct(expressions=fields), "mapping", 0, 0
        if isinstance(v, tuple):
            items = [self.literal(i)[0] for i in v]
            return (exp.Array(expressions=items) if items else
                    cast(exp.Array(expressions=[]), "VARCHAR[]")), "list", 0, 0
        if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
            node, p, s = dec_value(v)
            return node, "number", p, s
        if isinstance(v, bool):
            return lit(v), "bool", 0, 0
        if isinstance(v, str):
            return lit(v), "string", 0, 0
        if isinstance(v, dt.date):
            return lit(v), "datetime" if isinstance(v, dt.datetime) else "date", 0, 0
        raise Unsupported(f"the value {v!r}")

    def visit_literal(self, value: ir.Literal) -> Val:
        return self.literal_val(value.value)

    def literal_val(self, v: Any) -> Val:
        node, kind, p, s = self.literal(v)
        return Val(ONE, node, kind, p, s, v)

    def _compute(self, value: ir.Compute, when: E | None) -> Val:
        if value.rounding is not None:
            r = value.rounding
            s = self.x.rounded(value.expr.tree, r.places, r.mode.value)
            if s.err is not None:
                self.errs.append(s.err if when is None else exp.And(this=when,
                                                                    expression=s.err))
        else:
            s = self.expr(value.expr, when)
        kind = "money" if s.kind == "money" else s.kind
        return Val(case([(_null(s.node), exp.null())], ONE), s.node, kind, s.p, s.s)

    def visit_compute(self, value: ir.Compute) -> Val:
        return self._compute(value, is_true(self.gate))

    def _unify(self, vals: list[Val]) -> tuple[Callable[[Val], E], str, int, int]:
        """How to give each branch's value one SQL type: numbers one DECIMAL, mappings with
        different keys a MAP."""
        nums = [v for v in vals if v.kind in ("number", "money")]
        kinds = {v.kind for v in vals}
        if nums and len(nums) == len(vals):
            s = max(v.s for v in nums)
            p = max(v.p - v.s for v in nums) + s
            exact_precision(p, "a value")
            kind = "money" if "money" in kinds else "number"
            return (lambda v: cast(v.v, dec_type(p, s))), kind, p, s
        maps = [v for v in vals if v.kind == "mapping"]
        if maps and len(maps) == len(vals) and all(isinstance(v.py, Mapping) for v in maps) \
                and len({tuple(v.py) for v in maps}) > 1:
            return self._as_map, "map", 0, 0
        return (lambda v: v.v), (vals[0].kind if vals else "any"), 0, 0

    def _as_map(self, v: Val) -> E:
        """A mapping literal as a MAP (mappings whose keys differ from branch to branch)."""
        items = list(v.py.items())
        if any(isinstance(x, (Mapping, tuple)) for _, x in items):
            raise Unsupported("mappings of nested values whose keys differ between branches")
        return exp.Map(keys=exp.Array(expressions=[lit(str(k)) for k, _ in items]),
                       values=exp.Array(expressions=[self.literal(x)[0] for _, x in items]))

    def visit_cases(self, value: ir.Cases) -> Val:
        whens: list[E] = []
        pending: E = exp.true()
        branches: list[tuple[E, Val]] = []
        for c in value.cases:
            i = self.idx(c)
            w = self.add(self.expr(c.when, and_all([self.gate, pending])).node, c.id)
            # a case is tried while every case before it was false
            st = case([(exp.Not(this=pending), TWO)], case([(_null(w), exp.null()),
                                                            (w, ONE)], ZERO))
            self.walk[i] = and_all([self.gate, pending, exp.Not(this=is_false(w))])
            v = self.inline(c.value, and_all([self.gate, pending, is_true(w)]))
            self.val[i] = Val(st, v.v, v.kind, v.p, v.s)
            branches.append((w, v))
            whens.append(w)
            pending = self.add(and_all([pending, is_false(w)]), f"pending_{c.id}")
        default: Val | None = None
        if value.default is not None:
            i = self.idx(value.default)
            default = self.inline(value.default.value, and_all([self.gate, pending]))
            self.walk[i] = and_all([self.gate, pending])
        vals = [v for _, v in branches] + ([default] if default else [])
        conv, kind, p, s = self._unify(vals)
        st_whens: list[tuple[E, E]] = []
        v_whens: list[tuple[E, E]] = []
        for w, v in branches:
            st_whens += [(is_true(w), v.st), (_null(w), exp.null())]
            v_whens += [(is_true(w), conv(v))]
        st = case(st_whens, default.st if default else ZERO)
        val = case(v_whens, conv(default) if default else exp.null())
        return Val(st, val, kind, p, s)

    def visit_collect(self, value: ir.Collect) -> Val:
        whens: list[E] = []
        items: list[tuple[E, Val]] = []
        for item in value.items:
            i = self.idx(item)
            w = self.add(self.expr(item.when, self.gate).node, item.id)
            self.walk[i] = and_all([self.gate, _null(w)])
            v = self.inline(item.value, and_all([self.gate, is_true(w)]))
            items.append((w, v))
            whens.append(w)
        conv, _kind, _p, _s = self._unify([v for _, v in items])
        x = exp.to_identifier("__pr_item")
        listed = exp.ArrayFilter(this=exp.Array(expressions=[
            case([(is_true(w), conv(v))]) for w, v in items]), expression=exp.Lambda(
            this=_known(exp.column(x)), expressions=[x]))
        unknown = or_any([_null(w) for w in whens] + [
            and_all([is_true(w), _null(v.v)]) for w, v in items])
        return Val(case([(unknown, exp.null())], ONE), listed, "list")

    def _default(self, literal: ir.Literal | None) -> Val:
        if literal is None:
            return Val(ZERO, exp.null())
        return self.visit_literal(literal)

    def visit_lookup(self, value: ir.Lookup) -> Val:
        key = self.expr(value.key, self.gate)
        default = self._default(value.default)
        vals = [self.literal_val(v) for v in value.table.values()]
        conv, kind, p, s = self._unify(vals + ([default] if value.default else []))
        keys = [self.x.constant(k, value.key.ty).node if not isinstance(k, bool) else lit(k)
                for k in value.table]
        st = case([(_null(key.node), exp.null())] + [
            (exp.EQ(this=key.node, expression=k), ONE) for k in keys], default.st)
        v = case([(exp.EQ(this=key.node, expression=k), conv(x))
                  for k, x in zip(keys, vals, strict=True)],
                 conv(default) if value.default else exp.null())
        return Val(st, v, kind, p, s)

    def visit_table(self, value: ir.Table) -> Val:
        policy, aggregation = value.hit_policy, value.aggregation
        _table_supported(value)
        static = table_static(value)
        if value.named and value.default is not None:  # every column, the unlisted null
            value = attrs.evolve(value, default=attrs.evolve(value.default,
                                                             value=static.default))
        default = self._default(value.default)
        thens = [self.literal_val(r.then) for r in value.rows]
        conv, kind, p, s = self._unify(thens + ([default] if value.default else []))
        rows: list[E] = []
        if policy == ir.HitPolicy.FIRST:
            pending: E = exp.true()
            st_whens: list[tuple[E, E]] = []
            v_whens: list[tuple[E, E]] = []
            for row, then in zip(value.rows, thens, strict=True):
                i = self.idx(row)
                w = self.add(self.expr(row.when, and_all([self.gate, pending])).node, row.id)
                self.walk[i] = and_all([self.gate, pending, _null(w)])
                st_whens += [(is_true(w), ONE), (_null(w), exp.null())]
                v_whens.append((is_true(w), conv(then)))
                pending = self.add(and_all([pending, is_false(w)]), f"pending_{row.id}")
            return Val(case(st_whens, default.st), case(
                v_whens, conv(default) if value.default else exp.null()), kind, p, s)
        for row in value.rows:
            i = self.idx(row)
            w = self.add(self.expr(row.when, self.gate).node, row.id)
            self.walk[i] = and_all([self.gate, _null(w)])
            rows.append(w)
        unknown = or_any([_null(w) for w in rows])
        count: E = ZERO
        for w in rows:
            count = exp.Add(this=count, expression=case([(is_true(w), ONE)], ZERO))
        count = exp.Paren(this=count)
        none = exp.EQ(this=count, expression=ZERO)
        # the rows in the order that decides (hits.resolve_table): by priority, or by value
        order = list(range(len(rows)))
        if policy in ir.RANKED_POLICIES:
            order.sort(key=lambda k: (static.rank(static.output(k, ())), k))
        if aggregation in (ir.Aggregation.MIN, ir.Aggregation.MAX):
            order.sort(key=lambda k: value.rows[k].then,
                       reverse=aggregation == ir.Aggregation.MAX)
        if aggregation == ir.Aggregation.COUNT:
            st = case([(unknown, exp.null())], ONE)
            v = case([(none, conv(default))], count) if value.default else count
            return Val(st, v, "number" if not value.default else kind, max(p, 18), s)
        if aggregation is not None:  # sum, min, max: null over no match (outcome pass)
            if aggregation == ir.Aggregation.SUM:
                total: E = cast(ZERO, dec_type(p, s))
                for w, t in zip(rows, thens, strict=True):
                    total = exp.Add(this=total, expression=case([(is_true(w), conv(t))],
                                                                cast(ZERO, dec_type(p, s))))
                v = exp.Paren(this=total)
                p = min(p + 4, 38)
            else:
                v = case([(is_true(rows[k]), conv(thens[k])) for k in order])
            st = case([(unknown, exp.null())], ONE)
            v = case([(none, conv(default) if value.default else exp.null())], v)
            return Val(st, v, kind, p, s)
        if policy in (ir.HitPolicy.UNIQUE, ir.HitPolicy.PRIORITY, ir.HitPolicy.ANY):
            decided: E
            if policy == ir.HitPolicy.ANY:  # the matching rows' distinct outputs
                groups: dict[str, list[int]] = {}
                for k, row in enumerate(value.rows):
                    groups.setdefault(repr(_frozen(row.then)), []).append(k)
                flags = [or_any([is_true(rows[k]) for k in ks]) for ks in groups.values()]
                count = ZERO
                for f in flags:
                    count = exp.Add(this=count, expression=case([(f, ONE)], ZERO))
                count = exp.Paren(this=count)
                none = exp.EQ(this=count, expression=ZERO)
                decided = exp.EQ(this=count, expression=ONE)
                firsts = [ks[0] for ks in groups.values()]
                v = case([(f, conv(thens[k])) for f, k in zip(flags, firsts, strict=True)])
            else:
                decided = (exp.EQ(this=count, expression=ONE)
                           if policy == ir.HitPolicy.UNIQUE else exp.Not(this=none))
                v = case([(is_true(rows[k]), conv(thens[k])) for k in order])
            st = case([(unknown, exp.null()), (decided, ONE), (none, default.st)], ZERO)
            v = case([(decided, v), (none, conv(default) if value.default else exp.null())])
            return Val(st, v, kind, p, s)
        x = exp.to_identifier("__pr_item")
        listed = exp.ArrayFilter(this=exp.Array(expressions=[
            case([(is_true(rows[k]), conv(thens[k]))]) for k in order]),
            expression=exp.Lambda(this=_known(exp.column(x)), expressions=[x]))
        return Val(case([(unknown, exp.null())], ONE), listed, "list")

    def visit_tiers(self, value: ir.Tiers) -> Val:
        for tier in value.tiers:
            self.rule(tier.rule)
        default = self._default(value.default)
        st_whens: list[tuple[E, E]] = []
        v_whens: list[tuple[E, E]] = []
        for tier in reversed(value.tiers):
            r = self.r[self.idx(tier.rule)]
            st_whens += [(is_true(r), ONE), (exp.Not(this=is_false(r)), exp.null())]
            v_whens.append((is_true(r), lit(tier.id)))
        return Val(case(st_whens, default.st), case(
            v_whens, default.v if value.default else exp.null()), "string")

    def visit_fields(self, value: ir.Fields) -> Val:
        parts = [self.value(f.value) for f in value.fields]
        st = case([(or_any([_state(p.st, ZERO) for p in parts]), ZERO),
                   (or_any([_null(p.st) for p in parts]), exp.null())], ONE)
        struct = exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.to_identifier(f.name, quoted=True), expression=p.v)
            for f, p in zip(value.fields, parts, strict=True)])
        return Val(st, struct, "mapping")

    def visit_split(self, value: ir.Split) -> Val:
        a = self.expr(value.amount, self.gate)
        r = value.rounding
        places = r.places
        exact_precision(a.p - a.s + places + 1, "a split")
        amount = self.add(a.node, "amount")
        whole_p = a.p - a.s + places + 1
        size = self.add(cast(exp.Abs(this=amount), dec_type(whole_p, places)), "size")
        # an amount with more decimals than the parts: FactError PR606
        if a.s > places:
            self.errs.append(and_all([is_true(self.gate), _known(amount), exp.NEQ(
                this=amount, expression=cast(amount, dec_type(whole_p, places)))]))
        taken: E = cast(ZERO, dec_type(whole_p, places))
        parts: list[E] = []
        for part in value.parts[:-1]:
            pct, pp, ps = dec_value(Decimal(part.percent) / 100)
            share = S(cast(exp.Mul(this=size, expression=pct), dec_type(whole_p + pp, places + ps)),
                      "number", whole_p + pp, places + ps)
            rounded = round_sql(share, places, r.mode.value).node
            left = exp.Sub(this=size, expression=taken)
            piece = self.add(cast(exp.Least(this=rounded, expressions=[left]),
                                  dec_type(whole_p, places)), f"part_{part.name}")
            parts.append(piece)
            taken = self.add(cast(exp.Add(this=taken, expression=piece),
                                  dec_type(whole_p, places)), "taken")
        parts.append(cast(exp.Sub(this=size, expression=taken), dec_type(whole_p, places)))
        negative = exp.LT(this=amount, expression=ZERO)
        signed = [case([(negative, exp.Neg(this=exp.Paren(this=p)))], p) for p in parts]
        for part in value.parts:
            i = self.idx(part)
            self.walk[i] = and_all([self.gate, _null(amount)])
        struct = exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.to_identifier(pt.name, quoted=True), expression=s)
            for pt, s in zip(value.parts, signed, strict=True)])
        return Val(case([(_null(amount), exp.null())], ONE),
                   case([(_null(amount), exp.null())], struct), "mapping")

    # -- the decision -------------------------------------------------------------------

    def compile(self) -> DecisionSQL:
        d = self.d
        if d.kind == ir.DecisionKind.PASSFAIL:
            assert d.rule is not None
            r, na = self.rule(d.rule)
            outcome = r if na is None else case([(na, exp.true())], r)
            if d.rule.severity == ir.Severity.WARNING:
                outcome = exp.true()
            outcome = self.add(outcome, "outcome")
            output = None
            if d.output is not None:
                out = self.value(d.output)
                output = Val(out.st, case([(_state(out.st, ONE), out.v)]), out.kind,
                             out.p, out.s)
            failed = self.failed_rule(d.rule, root=True)
            return self.finish(outcome, output, failed)
        if d.requires is not None:
            parts = [self.rule(r) for r in d.requires.rules]
            contributions = [self.contribution(r, True) for r in d.requires.rules]
            del parts
            req = self.add(and_all(contributions), "requires")
            i = self.idx(d.requires)
            self.r[i] = req
            self.walk[i] = _null(req)
            self.gate = req
        assert d.value is not None
        val = self.value(d.value)
        v, kind, p, s = val.v, val.kind, val.p, val.s
        gate_true = is_true(self.gate)
        if d.rounding is not None and not isinstance(d.value, ir.Compute) and \
                kind in ("number", "money"):
            rounded = round_sql(S(v, kind, p, s), d.rounding.places, d.rounding.mode.value)
            v, p, s = rounded.node, rounded.p, rounded.s
        money = d.type == ir.OutputType.MONEY or d.value.ty.kind == "money"
        if money and kind in ("number", "money") and s > 2:
            self.errs.append(and_all([gate_true, _state(val.st, ONE), exp.NEQ(
                this=v, expression=cast(v, dec_type(p, 2)))]))
            v, p, s = cast(v, dec_type(p - s + 2, 2)), p - s + 2, 2
        outcome = case([(gate_true, case([(_state(val.st, ZERO), exp.false()),
                                           (_null(val.st), exp.null())], exp.true()))],
                       self.gate)
        outcome = self.add(outcome, "outcome")
        value = Val(val.st, case([(is_true(outcome), v)]), kind, p, s)
        if d.requires is not None:
            failed = [(and_all([is_false(self.gate), c]), n)
                      for r in d.requires.rules for c, n in self.failed_rule(r)]
            failed.append((and_all([gate_true, is_false(outcome)]), d.id))
        else:
            failed = [(is_false(outcome), d.id)]
        return self.finish(outcome, value, failed)

    def finish(self, outcome: E, value: Val | None, failed: list[tuple[E, str]]) -> DecisionSQL:
        missing = self.missing(outcome)
        errs = list(self.errs)
        for did in self.compiled.subs:
            sub = self.p.decision(did)
            if sub.err is not None:
                errs.append(sub.err)
        err = self.add(or_any(errs), "err") if errs else None
        return DecisionSQL(self.d.id, outcome, value, failed, missing, err)

    # -- failed leaves (failed_ids.py) ----------------------------------------------------

    def failed_rule(self, rule: ir.Rule, path: E | None = None, root: bool = False
                    ) -> list[tuple[E, str]]:
        """The failed leaves under ``rule`` as (condition, id); ``path``: the condition
        that every group above it failed. ``root``: the entries are read only where
        ``rule`` failed (the decision's outcome is false), so its children need not test
        it again."""
        if rule.severity == ir.Severity.WARNING:
            return []
        here = and_all([path, is_false(self.r[self.idx(rule)])] if path is not None
                       else [is_false(self.r[self.idx(rule)])])
        if isinstance(rule, (ir.Check, ir.Not)):
            return [(here, rule.id)]
        if isinstance(rule, ir.TierRef):
            return []
        if isinstance(rule, ir.DecisionRef):
            return [(and_all([here, c]), n) for c, n in self.p.decision(rule.decision).failed]
        assert isinstance(rule, (ir.All, ir.Any))
        # inline, not a column: computed only for the rows that fail
        body = [e for c in rule.children for e in self.failed_rule(c, None if root else here)]
        deciding = [self.r[self.idx(c)] for c in rule.children
                    if c.severity != ir.Severity.WARNING]
        if not deciding:
            return [*body, (here, rule.id)]
        # an `any` none of whose branches applied fails without a failing child
        none_failed = exp.Not(this=or_any([is_false(r) for r in deciding]))
        return [*body, (and_all([here, none_failed]), rule.id)]

    # -- missing facts (plan.missing_facts) ---------------------------------------------

    def missing(self, outcome: E) -> list[tuple[E, str]]:
        nodes = self.compiled.nodes
        plan_facts = set(self.compiled.fact_names)
        out: list[tuple[E, str]] = []
        unknown = _null(outcome)

        def absent(i: int, reached: E) -> None:
            for name in nodes[i].facts:
                if name in plan_facts:
                    out.append((and_all([reached, _null(self.p.fact(name).value)]), name))
                else:
                    out.append((reached, name))

        def walk(i: int, reached: E) -> None:
            info = nodes[i]
            w = self.walk.get(i)
            if w is None:
                return
            here = and_all([reached, w])  # inline: computed only for unknown rows
            absent(i, here)
            for c in info.children:
                walk(c, here)
            if info.kind == "decision" and info.decision is not None:
                sub = self.p.decision(info.decision)
                out.extend((and_all([here, c]), n) for c, n in sub.missing)

        roots = [i for i, n in enumerate(nodes) if n.parent is None]
        if self.d.kind == ir.DecisionKind.PASSFAIL:
            walk(roots[0], unknown)
        else:
            absent(roots[-1], unknown)
            for root in roots:
                walk(root, unknown)
        referenced = {n.decision for n in nodes if n.kind == "decision"}
        for did in self.compiled.subs:
            if did not in referenced:
                sub = self.p.decision(did)
                out.extend((and_all([unknown, c]), n) for c, n in sub.missing)
        return out
