"""Pipeline stage 4b (code generation): the failed-leaves function of a decision.

``failed_<decision>(N, S)`` takes a failed record's node values and sub-records and returns
the rules that decided the failure, in rule order, without building a trace: nested
``if``\\s that follow the rule tree (a visitor over the IR). Each rule is named by a
:class:`~.compiled.FailedLeaf` made once here, holding its id and its place (the node, and
the sub-records leading to its decision), so that every consumer (failed ids, ``failed``,
the trace's failed leaves) reads one answer. Warnings never decide; an ``any`` none of
whose branches applied is itself the reason; a rule requiring another decision names that
decision's failed rules. A value decision names its failed requirements, or itself when no
value could be produced.
"""

from __future__ import annotations

import ast

from .. import ir
from . import pyast as P
from .compiled import VALUE_ROOT, FailedLeaf
from .frame import Frame

__all__ = ["FailedIds"]


class FailedIds(ir.Visitor[list[ast.stmt]]):
    """``visit(rule)``: the statements adding the ids a failed ``rule`` is failed by."""

    def __init__(self, frame: Frame, func: str) -> None:
        self.f = frame
        self.func = func
        self.nodes = P.name("N")
        self.subs = P.name("S")
        self.leaves: list[FailedLeaf] = []  # every leaf the function can name

    def value(self, node: object) -> ast.expr:
        return P.index(self.nodes, self.f.table.of(node))

    def add(self, rule_id: str, index: int) -> ast.stmt:
        leaf = FailedLeaf(rule_id, (), index)
        self.leaves.append(leaf)
        const = self.f.names.const(leaf, f"LEAF_{rule_id}")
        return ast.Expr(P.call(P.attr(P.name("out"), "append"), const))

    def add_rule(self, rule: ir.Rule) -> ast.stmt:
        return self.add(rule.id, self.f.table.of(rule))

    def rule(self, rule: ir.Rule) -> list[ast.stmt]:
        if rule.severity == ir.Severity.WARNING:
            return []
        body = self.visit(rule)
        if not body:
            return []
        return [self.f.mark(P.if_(P.is_(self.value(rule), P.FALSE), body), rule)]

    def visit_check(self, rule: ir.Check) -> list[ast.stmt]:
        return [self.add_rule(rule)]

    def visit_not(self, rule: ir.Not) -> list[ast.stmt]:
        return [self.add_rule(rule)]

    def visit_tier_ref(self, rule: ir.TierRef) -> list[ast.stmt]:
        return []  # tiers are values: a value decision names itself

    def visit_decision_ref(self, rule: ir.DecisionRef) -> list[ast.stmt]:
        """``out += [IN_<decision>[leaf] for leaf in FAILED_<decision>(...)]``: the used
        decision's failed leaves, each as the leaf of this decision it stands for."""
        sub = self.f.compiled(rule.decision)
        assert sub.failed_leaves is not None
        j = list(self.f.subs).index(rule.decision)
        record = P.index(self.subs, j)
        here = {leaf: FailedLeaf(leaf.rule_id, (j, *leaf.path), leaf.index)
                for leaf in sub.leaves}
        self.leaves += here.values()
        names = self.f.names
        failed = names.const(sub.failed_leaves, f"FAILED_{rule.decision}")
        placed = names.const(here, f"IN_{rule.decision}")
        leaves = P.call(failed, P.attr(record, "nodes"), P.attr(record, "subs"))
        each = ast.comprehension(P.store("leaf"), leaves, [], 0)
        placed_leaves = P.at(ast.ListComp(P.index(placed, P.name("leaf")), [each]))
        assert isinstance(placed_leaves, ast.expr)
        return [ast.AugAssign(P.store("out"), ast.Add(), placed_leaves)]

    def group(self, rule: ir.All | ir.Any) -> list[ast.stmt]:
        body = [s for c in rule.children for s in self.rule(c)]
        deciding = [self.value(c) for c in rule.children if c.severity != ir.Severity.WARNING]
        if not deciding:
            return [*body, self.add_rule(rule)]
        # an `any` none of whose branches applied fails without a failing child: the group
        # itself is the reason
        return [*body, P.if_(P.cmp(P.FALSE, "not in", P.tup(deciding)), [self.add_rule(rule)])]

    visit_all = visit_any = group

    def visit_requires(self, req: ir.Requires) -> list[ast.stmt]:
        return [s for r in req.rules for s in self.rule(r)]

    def visit_decision(self, d: ir.Decision) -> list[ast.stmt]:
        if d.kind == ir.DecisionKind.PASSFAIL:
            assert d.rule is not None
            body = self.rule(d.rule)
        elif d.requires is not None:
            body = [P.if_(P.is_(self.value(d.requires), P.FALSE), self.visit(d.requires),
                          [self.add(d.id, VALUE_ROOT)])]
        else:
            body = [self.add(d.id, VALUE_ROOT)]
        return body

    def function(self, d: ir.Decision) -> ast.FunctionDef:
        body: list[ast.stmt] = [P.assign("out", P.empty_list()), *self.visit(d),
                                P.ret(P.call("tuple", P.name("out")))]
        return ast.FunctionDef(self.func, P.args("N", "S"), body, [], None)
