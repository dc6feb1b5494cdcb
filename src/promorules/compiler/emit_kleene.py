"""Pipeline stage 4b (code generation): the three-valued body of a decision.

A visitor over the IR emits, for every node of the node table, the statement computing its
value into its variable (``rule_deposit``): ``True``/``False``, ``None`` for unknown,
``NA`` for not applicable, or a value (``FAILED`` when it cannot be computed). Groups
follow Kleene's logic; a warning never decides (it gives ``NA`` to its group); a rule whose
``applies_when`` is false is ``NA``. The body ends by returning the
:class:`~.runtime.Record`.
"""

from __future__ import annotations

import ast
from typing import Any

from .. import ir
from . import pyast as P
from .emit_expr import Code, ExprEmitter
from .frame import Frame

__all__ = ["RuleEmitter", "ValueEmitter", "can_be_na"]

NA = P.name("NA")
FAILED = P.name("FAILED")


def can_be_na(rule: ir.Rule) -> bool:
    """Whether a rule can give "not applicable" to its group: conditional and warning
    rules, and a `not` over such a rule (all/any groups always decide)."""
    if rule.applies_when is not None or rule.severity != ir.Severity.ERROR:
        return True
    return isinstance(rule, ir.Not) and can_be_na(rule.child)


class RuleEmitter(ir.Visitor[ast.expr]):
    """Three-valued rules: ``visit(rule)`` emits what the rule's value needs and returns
    the expression of that value; :meth:`rule` assigns it to the rule's variable."""

    def __init__(self, frame: Frame, x: ExprEmitter | None = None) -> None:
        self.f = frame
        self.names = frame.names
        self.x = x or ExprEmitter(frame.names, frame.fact, self.sub_value, self.today)
        self.out: list[ast.stmt] = []
        self.uses_today = False

    def sub_value(self, decision: str) -> str:
        return self.f.sub(decision)[1]

    def today(self) -> str:
        self.uses_today = True
        if not self.f.today:
            self.f.today = self.names.fresh("today")
        return self.f.today

    def emit(self, stmt: ast.stmt, node: Any = None) -> None:
        self.out.append(self.f.mark(stmt, node) if node is not None else stmt)

    def expr(self, expr: ir.TypedExpr) -> Code:
        return self.x.visit(expr.tree)

    def rule(self, rule: ir.Rule) -> ast.expr:
        """Emit a rule; returns what it gives its group (its variable, or NA: a warning)."""
        var = self.f.var(rule)
        value = self.visit(rule)
        if rule.applies_when is not None:
            t = self.names.fresh(f"applies_{rule.id}")
            self.emit(P.assign(t, self.expr(rule.applies_when).node), rule)
            value = P.ifexp(P.is_(P.name(t), P.FALSE), NA,
                            P.ifexp(P.is_(P.name(t), P.NONE), P.NONE, value))
        self.emit(P.assign(var, value), rule)
        if rule.severity == ir.Severity.WARNING:
            return NA  # a warning never decides
        return P.name(var)

    def visit_check(self, rule: ir.Check) -> ast.expr:
        return self.expr(rule.expr).node

    def visit_tier_ref(self, rule: ir.TierRef) -> ast.expr:
        return P.name(self.f.vars[self.f.table.tier_roots[rule.tier]])

    def visit_decision_ref(self, rule: ir.DecisionRef) -> ast.expr:
        return P.name(self.sub_value(rule.decision))

    def visit_not(self, rule: ir.Not) -> ast.expr:
        c = self.rule(rule.child)
        return P.ifexp(P.is_(c, P.NONE), P.NONE, P.ifexp(P.is_(c, NA), NA, P.not_(c)))

    def visit_all(self, rule: ir.All) -> ast.expr:
        cs = [self.rule(c) for c in rule.children]
        # every child passed first: the common case on a hot path
        return P.ifexp(P.and_(*(P.is_(c, P.TRUE) for c in cs)), P.TRUE, _all_passed(cs))

    def visit_any(self, rule: ir.Any) -> ast.expr:
        t = P.tup([self.rule(c) for c in rule.children])
        return P.ifexp(P.cmp(P.TRUE, "in", t), P.TRUE,
                       P.ifexp(P.cmp(P.NONE, "in", t), P.NONE, P.FALSE))


def _public(value: ir.Value, code: ast.expr) -> ast.expr:
    """A value as it leaves its node: an aggregate's NULL ("no value", outcome pass) is
    None there."""
    if isinstance(value, ir.Table) and value.aggregation is not None:
        return P.ifexp(P.is_(code, P.name("NULL")), P.NONE, code)
    return code


def _plain(table: ir.Table) -> bool:
    """A table the emitted forms of ``unique``, ``first`` and ``collect`` cover: literal
    outputs of one unnamed column, no aggregate, no collect default."""
    return (table.hit_policy in (ir.HitPolicy.UNIQUE, ir.HitPolicy.FIRST, ir.HitPolicy.COLLECT)
            and table.aggregation is None and not table.named
            and not any(r.computed for r in table.rows)
            and not (table.hit_policy == ir.HitPolicy.COLLECT and table.default is not None))


def _all_passed(parts: list[ast.expr]) -> ast.expr:
    """False if one failed, else None if one is unknown, else True."""
    t = P.tup(parts)
    return P.ifexp(P.cmp(P.FALSE, "in", t), P.FALSE,
                   P.ifexp(P.cmp(P.NONE, "in", t), P.NONE, P.TRUE))


class ValueEmitter(RuleEmitter):
    """Three-valued rules and values, and the whole body of a decision
    (``visit(decision)`` returns the statements)."""

    # values: visit(value) emits the statements that assign the value's variable

    def value(self, value: ir.Value) -> ast.Name:
        self.visit(value)
        return P.name(self.f.var(value))

    def inline(self, value: ir.Literal | ir.Compute) -> ast.expr:
        if isinstance(value, ir.Literal):
            return self.names.value(value.value)
        return self.expr(value.expr).node

    def visit_literal(self, value: ir.Literal) -> ast.expr:
        self.emit(P.assign(self.f.var(value), self.names.value(value.value)), value)
        return P.NONE

    def visit_compute(self, value: ir.Compute) -> ast.expr:
        code = self.expr(value.expr).node
        r = value.rounding
        if r is not None:
            t = self.names.fresh("exact")
            places = self.names.const(r.places, f"PLACES_{r.places}")
            mode = self.names.const(r.mode.value, f"ROUND_{r.mode.value}")
            code = P.ifexp(P.is_(P.walrus(t, code), P.NONE), P.NONE,
                           P.call("_round", P.name(t), places, mode))
        self.emit(P.assign(self.f.var(value), code), value)
        return P.NONE

    def visit_cases(self, value: ir.Cases) -> ast.expr:
        var = self.f.var(value)
        pending = self.names.fresh("pending")
        self.emit(P.assign(var, FAILED), value)
        self.emit(P.assign(pending, P.TRUE), value)
        for case in value.cases:
            w = self.f.var(case)
            self.emit(P.assign(w, NA), case)
            cond = self.expr(case.when).node
            give = P.assign(var, P.ifexp(P.is_(P.name(w), P.TRUE), self.inline(case.value),
                                         P.NONE))
            self.emit(self.f.mark(P.if_(P.name(pending), [
                self.f.mark(P.assign(w, cond), case),
                P.if_(P.is_not(P.name(w), P.FALSE), [
                    self.f.mark(give, case), P.assign(pending, P.FALSE)])]), case))
        if value.default is not None:
            d = value.default
            w = self.f.var(d)
            self.emit(P.assign(w, NA), d)
            self.emit(P.if_(P.name(pending), [
                P.assign(w, P.TRUE),
                self.f.mark(P.assign(var, self.inline(d.value)), d)]), d)
        return P.NONE

    def visit_collect(self, value: ir.Collect) -> ast.expr:
        items = self.names.fresh("items")
        self.emit(P.assign(items, P.empty_list()), value)
        whens = []
        for item in value.items:
            w = self.f.var(item)
            whens.append(P.name(w))
            self.emit(P.assign(w, self.expr(item.when).node), item)
            append = P.call(P.attr(P.name(items), "append"), self.inline(item.value))
            self.emit(P.if_(P.is_(P.name(w), P.TRUE), [ast.Expr(append)]), item)
        unknown = P.or_(P.cmp(P.NONE, "in", P.tup(whens)), P.cmp(P.NONE, "in", P.name(items)))
        self.emit(P.assign(self.f.var(value), P.ifexp(unknown, P.NONE,
                                                      P.call("tuple", P.name(items)))), value)
        return P.NONE

    def default(self, literal: ir.Literal | None) -> ast.expr:
        return FAILED if literal is None else self.names.value(literal.value)

    def visit_tiers(self, value: ir.Tiers) -> ast.expr:
        var = self.f.var(value)
        for tier in value.tiers:
            self.rule(tier.rule)
        self.emit(P.assign(var, self.default(value.default)), value)
        pending = self.names.fresh("pending")
        self.emit(P.assign(pending, P.TRUE), value)
        for tier in reversed(value.tiers):  # from the highest down
            t = P.name(self.f.var(tier.rule))
            name = self.names.const(tier.id, f"TIER_{tier.id}")
            self.emit(P.if_(P.and_(P.name(pending), P.is_not(t, P.FALSE)), [
                P.assign(var, P.ifexp(P.is_(t, P.TRUE), name, P.NONE)),
                P.assign(pending, P.FALSE)]), tier.rule)
        return P.NONE

    def visit_table(self, value: ir.Table) -> ast.expr:
        if not _plain(value):
            return self.table_hits(value)
        var = P.name(self.f.var(value))
        label = self.f.table.drafts[self.f.table.of(value)].info["id"]
        thens = self.names.const(tuple(r.then for r in value.rows), f"THEN_{label}")
        default = self.default(value.default)
        first = value.hit_policy == ir.HitPolicy.FIRST
        pending = P.is_(var, P.name("_PENDING"))
        if first:  # rows are tried in order
            self.emit(P.assign(var.id, P.name("_PENDING")), value)
        matches: list[ast.expr] = []
        for k, row in enumerate(value.rows):
            r = self.f.var(row)
            cond = self.expr(row.when).node
            matches.append(P.name(r))
            if first:
                self.emit(P.assign(r, NA), row)
                self.emit(P.if_(pending, [P.assign(r, cond)]), row)
                self.emit(P.if_(P.and_(pending, P.is_not(P.name(r), P.FALSE)), [P.assign(
                    var.id, P.ifexp(P.is_(P.name(r), P.TRUE), P.index(thens, k), P.NONE))]),
                    row)
            else:
                self.emit(P.assign(r, cond), row)
        t = P.tup(matches)
        if first:
            self.emit(P.if_(pending, [P.assign(var.id, default)]), value)
        elif value.hit_policy == ir.HitPolicy.UNIQUE:
            count = P.call(P.attr(t, "count"), P.TRUE)
            one = P.index(thens, P.call(P.attr(t, "index"), P.TRUE))
            self.emit(P.assign(var.id, P.ifexp(
                P.cmp(P.NONE, "in", t), P.NONE,
                P.ifexp(P.cmp(count, "==", P.name("ONE")), one,
                        P.ifexp(P.cmp(P.TRUE, "not in", t), default, FAILED)))), value)
        else:
            pair = P.at(ast.Tuple([P.store("then"), P.store("match")], ast.Store()))
            assert isinstance(pair, ast.expr)
            gen = P.at(ast.GeneratorExp(P.name("then"), [ast.comprehension(
                pair, P.call("zip", thens, t), [P.is_(P.name("match"), P.TRUE)], 0)]))
            assert isinstance(gen, ast.expr)
            self.emit(P.assign(var.id, P.ifexp(P.cmp(P.NONE, "in", t), P.NONE,
                                               P.call("tuple", gen))), value)
        return P.NONE

    def table_hits(self, value: ir.Table) -> ast.expr:
        """A table resolved by the runtime's hit policies (``_hit``, :mod:`.hits`): each
        row's match, and its outputs (computed only when it matches)."""
        label = self.f.table.drafts[self.f.table.of(value)].info["id"]
        static = self.f.table.drafts[self.f.table.of(value)].info["table"]
        first = value.hit_policy == ir.HitPolicy.FIRST
        pending = self.names.fresh("pending")
        if first:  # rows are tried in order, up to the first that matches (or is unknown)
            self.emit(P.assign(pending, P.TRUE), value)
        matches: list[ast.expr] = []
        outs: list[ast.expr] = []
        for row in value.rows:
            r = self.f.var(row)
            cond = self.expr(row.when).node
            if first:
                self.emit(P.assign(r, NA), row)
                self.emit(P.if_(P.name(pending), [
                    P.assign(r, cond),
                    P.assign(pending, P.is_(P.name(r), P.FALSE))]), row)
            else:
                self.emit(P.assign(r, cond), row)
            out = self.names.fresh(f"out_{row.id}")
            cells: list[ast.expr] = []
            body: list[ast.stmt] = []
            for cell in row.outputs:
                if isinstance(cell, ir.Literal):
                    cells.append(self.names.value(cell.value))
                    continue
                c = self.f.var(cell)
                self.emit(P.assign(c, NA), cell)
                body.append(self.f.mark(P.assign(c, self.expr(cell.expr).node), cell))
                cells.append(P.name(c))
            self.emit(P.assign(out, NA), row)
            body.append(P.assign(out, P.tup(cells)))
            self.emit(P.if_(P.is_(P.name(r), P.TRUE), body), row)
            matches.append(P.name(r))
            outs.append(P.name(out))
        table = self.names.const(static, f"TABLE_{label}")
        self.emit(P.assign(self.f.var(value), P.call("_hit", table, P.tup(matches),
                                                     P.tup(outs))), value)
        return P.NONE

    def visit_split(self, value: ir.Split) -> ast.expr:
        a = self.names.fresh("amount")
        self.emit(P.assign(a, self.expr(value.amount).node), value)
        r = value.rounding
        places = self.names.const(r.places, f"PLACES_{r.places}")
        mode = self.names.const(r.mode.value, f"ROUND_{r.mode.value}")
        percents = self.names.const(tuple(p.percent for p in value.parts), "PERCENTS")
        shares = self.names.fresh("shares")
        # the parts, computed in promorules' decimal context (runtime `_split`)
        self.emit(P.assign(shares, P.ifexp(P.is_(P.name(a), P.NONE), P.NONE, P.call(
            "_split", P.name(a), percents, places, mode))), value)
        done: list[ast.expr] = []
        for n, part in enumerate(value.parts):
            var = self.f.var(part)
            self.emit(P.assign(var, P.ifexp(P.is_(P.name(a), P.NONE), P.NONE,
                                            P.index(P.name(shares), n))), value)
            done.append(P.name(var))
        keys = self.names.const(tuple(p.name for p in value.parts), "PARTS")
        self.emit(P.assign(self.f.var(value), P.ifexp(
            P.is_(P.name(a), P.NONE), P.NONE, P.call("dict", P.call("zip", keys, P.tup(done))))),
            value)
        return P.NONE

    def visit_fields(self, value: ir.Fields) -> ast.expr:
        parts = [self.value(f.value) for f in value.fields]
        keys = self.names.const(tuple(f.name for f in value.fields), "FIELDS")
        t = P.tup(parts)
        shown = P.tup([_public(f.value, p) for f, p in zip(value.fields, parts, strict=True)])
        self.emit(P.assign(self.f.var(value), P.ifexp(
            P.cmp(FAILED, "in", t), FAILED,
            P.ifexp(P.cmp(P.NONE, "in", t), P.NONE, P.call("dict", P.call("zip", keys, shown))))),
            value)
        return P.NONE

    def visit_lookup(self, value: ir.Lookup) -> ast.expr:
        t = self.names.fresh("key")
        label = self.f.table.drafts[self.f.table.of(value)].info["id"]
        table = self.names.const(value.table, f"LOOKUP_{label}")
        self.emit(P.assign(self.f.var(value), P.ifexp(
            P.is_(P.walrus(t, self.expr(value.key).node), P.NONE), P.NONE,
            P.call(P.attr(table, "get"), P.name(t), self.default(value.default)))), value)
        return P.NONE

    # -- the decision -------------------------------------------------------------------

    def record(self, outcome: ast.expr, value: ast.expr) -> ast.Return:
        nodes = P.tup([P.name(v) for v in self.f.vars])
        facts = P.tup([P.name(v) for v in self.f.facts.values()])
        subs = P.tup([P.name(r) for r, _ in self.f.subs.values()])
        return P.ret(P.call("_Record", outcome, value, nodes, facts, subs,
                            *self.f.record_args()))

    def visit_decision(self, d: ir.Decision) -> ast.expr:
        """Emits the body; its value is unused (the body ends with a return)."""
        if d.kind == ir.DecisionKind.PASSFAIL:
            assert d.rule is not None
            root = self.rule(d.rule)
            output: ast.expr = P.NONE
            if d.output is not None:  # a value given whatever the outcome
                out = self.value(d.output)
                output = P.ifexp(P.is_(out, FAILED), P.NONE, _public(d.output, out))
            # a root that is not applicable (a `not` over an inapplicable rule): nothing
            # that applies failed, so the decision passes
            self.emit(self.record(P.ifexp(P.is_(root, NA), P.TRUE, root), output), d.rule)
            return P.NONE
        # nodes of a value decision that are never reached stay NA
        for node_var in self.f.vars:
            self.emit(P.assign(node_var, NA))
        gate: ast.expr = P.TRUE
        if d.requires is not None:
            req = self.f.var(d.requires)
            parts = [self.rule(r) for r in d.requires.rules]
            self.emit(P.assign(req, _all_passed(parts)), d.requires)
            gate = P.name(req)
        before, self.out = self.out, []
        assert d.value is not None
        var = self.value(d.value)
        if d.rounding is not None and not isinstance(d.value, ir.Compute):
            # `round:` applies to whatever the decision computes (cases, lookups...); a plain
            # compute rounds inside its own node, so its trace shows both values
            places = self.names.const(d.rounding.places, f"PLACES_{d.rounding.places}")
            mode = self.names.const(d.rounding.mode.value, f"ROUND_{d.rounding.mode.value}")
            number = P.cmp(P.attr(var, "__class__"), "in", P.tup([P.name("int"),
                                                                   P.name("_Decimal")]))
            self.emit(P.if_(number, [P.assign(var.id, P.call("_round", var, places, mode))]),
                      d.value)
        if d.type == ir.OutputType.MONEY or d.value.ty.kind == "money":
            known = [P.is_not(var, P.NONE), P.is_not(var, FAILED)]
            if isinstance(d.value, ir.Table) and d.value.aggregation is not None:
                known.append(P.is_not(var, P.name("NULL")))
            self.emit(P.if_(P.and_(*known), [P.assign(var.id, P.call("_cents", var))]),
                      d.value)
        body, self.out = self.out, before
        if d.requires is not None:
            # computed only when the requirements pass: a failing requirement must not
            # raise (e.g. a division by a zero rate)
            self.emit(P.if_(P.is_(gate, P.TRUE), body))
        else:
            self.out += body
        o = self.names.fresh("outcome")
        self.emit(P.assign(o, gate))
        self.emit(P.if_(P.is_(P.name(o), P.TRUE), [P.assign(o, P.ifexp(
            P.is_(var, FAILED), P.FALSE, P.ifexp(P.is_(var, P.NONE), P.NONE, P.TRUE)))]))
        self.emit(self.record(P.name(o), P.ifexp(P.is_(P.name(o), P.TRUE), _public(d.value, var),
                                                 P.NONE)))
        return P.NONE
