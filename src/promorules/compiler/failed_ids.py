"""Pipeline stage 4b (code generation): the failed-ids function of a decision.

``failed_<decision>(N, S)`` takes a failed record's node values and sub-records and returns
the ids of the rules that decided the failure, in rule order, without building a trace:
nested ``if``\\s that follow the rule tree (a visitor over the IR). Warnings never decide;
an ``any`` none of whose branches applied is itself the reason; a rule requiring another
decision names that decision's failed rules. A value decision names its failed
requirements, or itself when no value could be produced.
"""

from __future__ import annotations

import ast

from .. import ir
from . import pyast as P
from .frame import Frame

__all__ = ["FailedIds"]


class FailedIds(ir.Visitor[list[ast.stmt]]):
    """``visit(rule)``: the statements adding the ids a failed ``rule`` is failed by."""

    def __init__(self, frame: Frame, func: str) -> None:
        self.f = frame
        self.func = func
        self.nodes = P.name("N")
        self.subs = P.name("S")

    def value(self, node: object) -> ast.expr:
        return P.index(self.nodes, self.f.table.of(node))

    def add(self, rule_id: str) -> ast.stmt:
        const = self.f.names.const(rule_id, f"ID_{rule_id}")
        return ast.Expr(P.call(P.attr(P.name("out"), "append"), const))

    def rule(self, rule: ir.Rule) -> list[ast.stmt]:
        if rule.severity == ir.Severity.WARNING:
            return []
        body = self.visit(rule)
        if not body:
            return []
        return [self.f.mark(P.if_(P.is_(self.value(rule), P.FALSE), body), rule)]

    def visit_check(self, rule: ir.Check) -> list[ast.stmt]:
        return [self.add(rule.id)]

    def visit_not(self, rule: ir.Not) -> list[ast.stmt]:
        return [self.add(rule.id)]

    def visit_tier_ref(self, rule: ir.TierRef) -> list[ast.stmt]:
        return []  # tiers are values: a value decision names itself

    def visit_decision_ref(self, rule: ir.DecisionRef) -> list[ast.stmt]:
        sub = self.f.compiled(rule.decision)
        assert sub.failed_ids is not None
        j = list(self.f.subs).index(rule.decision)
        record = P.index(self.subs, j)
        ids = self.f.names.const(sub.failed_ids, f"FAILED_IDS_{rule.decision}")
        return [ast.Expr(P.call(P.attr(P.name("out"), "extend"), P.call(
            ids, P.attr(record, "nodes"), P.attr(record, "subs"))))]

    def group(self, rule: ir.All | ir.Any) -> list[ast.stmt]:
        body = [s for c in rule.children for s in self.rule(c)]
        deciding = [self.value(c) for c in rule.children if c.severity != ir.Severity.WARNING]
        if not deciding:
            return [*body, self.add(rule.id)]
        # an `any` none of whose branches applied fails without a failing child: the group
        # itself is the reason
        return [*body, P.if_(P.cmp(P.FALSE, "not in", P.tup(deciding)), [self.add(rule.id)])]

    visit_all = visit_any = group

    def visit_requires(self, req: ir.Requires) -> list[ast.stmt]:
        return [s for r in req.rules for s in self.rule(r)]

    def visit_decision(self, d: ir.Decision) -> list[ast.stmt]:
        if d.kind == ir.DecisionKind.PASSFAIL:
            assert d.rule is not None
            body = self.rule(d.rule)
        elif d.requires is not None:
            body = [P.if_(P.is_(self.value(d.requires), P.FALSE), self.visit(d.requires),
                          [self.add(d.id)])]
        else:
            body = [self.add(d.id)]
        return body

    def function(self, d: ir.Decision) -> ast.FunctionDef:
        body: list[ast.stmt] = [P.assign("out", P.empty_list()), *self.visit(d),
                                P.ret(P.call("tuple", P.name("out")))]
        return ast.FunctionDef(self.func, P.args("N", "S"), body, [], None)
