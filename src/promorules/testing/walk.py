"""The testing kit's walks over the typed IR (pipeline stage 4a): which decisions a decision
uses, every expression written in a decision (with the rule that owns it), every rule,
and every node of a typed expression."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import ir
from ..ruleset import Ruleset

__all__ = ["closure", "decision_ir", "expr_nodes", "expressions", "fact_names", "rules"]

Owned = Iterator[tuple[str, ir.TypedExpr]]


def decision_ir(rs: Ruleset, decision: str) -> ir.Decision:
    """The checked IR of one decision of a loaded ruleset."""
    checked = rs.decisions[decision].ir
    assert checked is not None, f"decision '{decision}' has no IR"  # a loaded ruleset has
    return checked


def closure(rs: Ruleset, decision: str) -> list[str]:
    """``decision`` and every decision it uses (``decision:`` rules, names), in order."""
    seen: dict[str, None] = {}

    def visit(did: str) -> None:
        if did not in seen:
            seen[did] = None
            for sub in decision_ir(rs, did).uses:
                visit(sub)

    visit(decision)
    return list(seen)


class _Expressions(ir.Visitor[Owned]):
    """Every written expression under a node, with the id of the rule, row or field (or,
    for a value's own expressions, ``owner``) it belongs to."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def _under(self, owner: str, node: Any) -> Owned:
        return _Expressions(owner).visit(node)

    def _rule(self, rule: ir.Rule) -> Owned:
        if rule.applies_when is not None:
            yield rule.id, rule.applies_when

    def visit_check(self, node: ir.Check) -> Owned:
        yield from self._rule(node)
        yield node.id, node.expr

    def _group(self, node: ir.All | ir.Any | ir.Not) -> Owned:
        yield from self._rule(node)
        for child in node.children:
            yield from self.visit(child)

    visit_all = visit_any = visit_not = _group

    def visit_decision_ref(self, node: ir.DecisionRef) -> Owned:
        return self._rule(node)

    def visit_tier_ref(self, node: ir.TierRef) -> Owned:
        return self._rule(node)

    def visit_requires(self, node: ir.Requires) -> Owned:
        for rule in node.rules:
            yield from self.visit(rule)

    def visit_literal(self, node: ir.Literal) -> Owned:
        return iter(())

    def visit_compute(self, node: ir.Compute) -> Owned:
        yield self.owner, node.expr

    def visit_cases(self, node: ir.Cases) -> Owned:
        for case in node.cases:
            yield from self.visit(case)
        if node.default is not None:
            yield from self.visit(node.default)

    def visit_case(self, node: ir.Case) -> Owned:
        yield self.owner, node.when
        yield from self.visit(node.value)

    def visit_default(self, node: ir.Default) -> Owned:
        return self.visit(node.value)

    def visit_collect(self, node: ir.Collect) -> Owned:
        for item in node.items:
            yield from self.visit(item)

    def visit_item(self, node: ir.Item) -> Owned:
        yield self.owner, node.when
        yield from self.visit(node.value)

    def visit_lookup(self, node: ir.Lookup) -> Owned:
        yield self.owner, node.key

    def visit_table(self, node: ir.Table) -> Owned:
        for expr in node.inputs:
            yield self.owner, expr
        for row in node.rows:
            yield from self.visit(row)

    def visit_row(self, node: ir.Row) -> Owned:
        yield node.id, node.when

    def visit_tiers(self, node: ir.Tiers) -> Owned:
        for tier in node.tiers:
            yield from self.visit(tier)

    def visit_tier(self, node: ir.Tier) -> Owned:
        return self.visit(node.rule)

    def visit_fields(self, node: ir.Fields) -> Owned:
        for field in node.fields:
            yield from self.visit(field)

    def visit_field(self, node: ir.Field) -> Owned:
        return self._under(node.name, node.value)

    def visit_split(self, node: ir.Split) -> Owned:
        yield self.owner, node.amount

    def visit_decision(self, node: ir.Decision) -> Owned:
        for part in (node.rule, node.requires, node.value, node.output):
            if part is not None:
                yield from self.visit(part)


def expressions(decision: ir.Decision) -> Owned:
    """(owner id, expression) for every expression written in ``decision``: checks,
    ``applies_when``, cases, items, lookup keys, table inputs and rows, tiers, fields, split
    amounts. The owner is the rule, row or field id, else the decision id."""
    return _Expressions(decision.id).visit(decision)


class _Rules(ir.Visitor[Iterator[ir.Rule]]):
    """Every pass/fail rule under a node (tiers' and requirements' rules included)."""

    def _leaf(self, node: ir.Rule) -> Iterator[ir.Rule]:
        yield node

    visit_check = visit_decision_ref = visit_tier_ref = _leaf

    def _group(self, node: ir.All | ir.Any | ir.Not) -> Iterator[ir.Rule]:
        yield node
        for child in node.children:
            yield from self.visit(child)

    visit_all = visit_any = visit_not = _group

    def generic_visit(self, node: Any) -> Iterator[ir.Rule]:
        return iter(())  # values without rules (literals, computes, lookups...)

    def visit_requires(self, node: ir.Requires) -> Iterator[ir.Rule]:
        for rule in node.rules:
            yield from self.visit(rule)

    def visit_tiers(self, node: ir.Tiers) -> Iterator[ir.Rule]:
        for tier in node.tiers:
            yield from self.visit(tier.rule)

    def visit_fields(self, node: ir.Fields) -> Iterator[ir.Rule]:
        for field in node.fields:
            yield from self.visit(field.value)

    def visit_decision(self, node: ir.Decision) -> Iterator[ir.Rule]:
        for part in (node.rule, node.requires, node.value, node.output):
            if part is not None:
                yield from self.visit(part)


def rules(decision: ir.Decision) -> Iterator[ir.Rule]:
    """Every pass/fail rule of ``decision``, depth first."""
    return _Rules().visit(decision)


class _Nodes(ir.ExprVisitor[Iterator[ir.Expr]]):
    """A typed expression's nodes, depth first (parents before children)."""

    def generic_visit(self, node: Any) -> Iterator[ir.Expr]:
        yield node  # leaves: constants, facts, parameters, lists, decisions, time

    def _two(self, node: ir.Arith | ir.Logic | ir.Compare | ir.Membership
             ) -> Iterator[ir.Expr]:
        yield node
        yield from self.visit(node.left)
        yield from self.visit(node.right)

    visit_arith = visit_logic = visit_compare = visit_membership = _two

    def visit_unary(self, node: ir.Unary) -> Iterator[ir.Expr]:
        yield node
        yield from self.visit(node.operand)

    def visit_between(self, node: ir.Between) -> Iterator[ir.Expr]:
        yield node
        for child in (node.value, node.low, node.high):
            yield from self.visit(child)

    def visit_call(self, node: ir.Call) -> Iterator[ir.Expr]:
        yield node
        for arg in node.args:
            yield from self.visit(arg)


def expr_nodes(expr: ir.Expr) -> Iterator[ir.Expr]:
    """Every node of a typed expression, parents first."""
    return _Nodes().visit(expr)


def fact_names(rs: Ruleset, decision: str) -> tuple[str, ...]:
    """The facts ``decision`` reads, itself or through the decisions it uses."""
    names: dict[str, None] = {}
    for did in closure(rs, decision):
        for _owner, expr in expressions(decision_ir(rs, did)):
            names.update(dict.fromkeys(expr.facts))
    return tuple(names)
