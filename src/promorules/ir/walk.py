"""The typed IR (pipeline stage 4a): the one walker over it.

``operands`` is the only place that knows which sub-expressions each expression kind has;
``walk_expr`` visits a whole expression tree with it. ``expressions``, ``rules`` and
``values`` walk a decision: every expression written in it (with the rule, row or field
that owns it), every pass/fail rule, and every value (fields' and cases' values included).
Consumers that need "every fact / parameter / call in this decision"
use these instead of a walk of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .expressions import Arith, Between, Call, Compare, Expr, Logic, Membership, TypedExpr, Unary
from .nodes import (
    All,
    Case,
    Cases,
    Check,
    Collect,
    Compute,
    Decision,
    DecisionRef,
    Default,
    Field,
    Fields,
    Item,
    Literal,
    Lookup,
    Not,
    Requires,
    Row,
    Rule,
    Split,
    Table,
    Tier,
    TierRef,
    Tiers,
    Value,
)
from .nodes import Any as AnyOf
from .visitor import Visitor

__all__ = ["Owned", "expressions", "operands", "rules", "values", "walk_expr"]


def operands(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node`` (none for constants and references)."""
    if isinstance(node, (Arith, Logic, Compare, Membership)):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Between):
        return (node.value, node.low, node.high)
    if isinstance(node, Call):
        return node.args
    return ()


def walk_expr(node: Expr) -> Iterator[Expr]:
    """``node`` and every expression inside it, depth first, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(operands(current)))


Owned = Iterator[tuple[str, TypedExpr]]


class _Expressions(Visitor[Owned]):
    """Every written expression under a node, with the id of the rule, row or field (or,
    for a value's own expressions, ``owner``) it belongs to."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def _rule(self, rule: Rule) -> Owned:
        if rule.applies_when is not None:
            yield rule.id, rule.applies_when

    def visit_check(self, node: Check) -> Owned:
        yield from self._rule(node)
        yield node.id, node.expr

    def _group(self, node: All | AnyOf | Not) -> Owned:
        yield from self._rule(node)
        for child in node.children:
            yield from self.visit(child)

    visit_all = visit_any = visit_not = _group

    def visit_decision_ref(self, node: DecisionRef) -> Owned:
        return self._rule(node)

    def visit_tier_ref(self, node: TierRef) -> Owned:
        return self._rule(node)

    def visit_requires(self, node: Requires) -> Owned:
        for rule in node.rules:
            yield from self.visit(rule)

    def visit_literal(self, node: Literal) -> Owned:
        return iter(())

    def visit_compute(self, node: Compute) -> Owned:
        yield self.owner, node.expr

    def visit_cases(self, node: Cases) -> Owned:
        for case in node.cases:
            yield from self.visit(case)
        if node.default is not None:
            yield from self.visit(node.default)

    def visit_case(self, node: Case) -> Owned:
        yield self.owner, node.when
        yield from self.visit(node.value)

    def visit_default(self, node: Default) -> Owned:
        return self.visit(node.value)

    def visit_collect(self, node: Collect) -> Owned:
        for item in node.items:
            yield from self.visit(item)

    def visit_item(self, node: Item) -> Owned:
        yield self.owner, node.when
        yield from self.visit(node.value)

    def visit_lookup(self, node: Lookup) -> Owned:
        yield self.owner, node.key

    def visit_table(self, node: Table) -> Owned:
        for expr in node.inputs:
            yield self.owner, expr
        for row in node.rows:
            yield from self.visit(row)

    def visit_row(self, node: Row) -> Owned:
        yield node.id, node.when
        for cell in node.outputs:
            yield from _Expressions(node.id).visit(cell)

    def visit_tiers(self, node: Tiers) -> Owned:
        for tier in node.tiers:
            yield from self.visit(tier)

    def visit_tier(self, node: Tier) -> Owned:
        return self.visit(node.rule)

    def visit_fields(self, node: Fields) -> Owned:
        for field in node.fields:
            yield from self.visit(field)

    def visit_field(self, node: Field) -> Owned:
        return _Expressions(node.name).visit(node.value)

    def visit_split(self, node: Split) -> Owned:
        yield self.owner, node.amount

    def visit_decision(self, node: Decision) -> Owned:
        for part in (node.rule, node.requires, node.value, node.output):
            if part is not None:
                yield from self.visit(part)


def expressions(decision: Decision) -> Owned:
    """(owner id, expression) for every expression written in ``decision``: checks,
    ``applies_when``, cases, items, lookup keys, table inputs, rows and computed output
    cells, tiers, fields, split amounts. The owner is the rule, row or field id, else the
    decision id."""
    return _Expressions(decision.id).visit(decision)


class _Rules(Visitor[Iterator[Rule]]):
    """Every pass/fail rule under a node (tiers' and requirements' rules included)."""

    def _leaf(self, node: Rule) -> Iterator[Rule]:
        yield node

    visit_check = visit_decision_ref = visit_tier_ref = _leaf

    def _group(self, node: All | AnyOf | Not) -> Iterator[Rule]:
        yield node
        for child in node.children:
            yield from self.visit(child)

    visit_all = visit_any = visit_not = _group

    def generic_visit(self, node: Any) -> Iterator[Rule]:
        return iter(())  # values without rules (literals, computes, lookups...)

    def visit_requires(self, node: Requires) -> Iterator[Rule]:
        for rule in node.rules:
            yield from self.visit(rule)

    def visit_tiers(self, node: Tiers) -> Iterator[Rule]:
        for tier in node.tiers:
            yield from self.visit(tier.rule)

    def visit_fields(self, node: Fields) -> Iterator[Rule]:
        for field in node.fields:
            yield from self.visit(field.value)

    def visit_decision(self, node: Decision) -> Iterator[Rule]:
        for part in (node.rule, node.requires, node.value, node.output):
            if part is not None:
                yield from self.visit(part)


def rules(node: Decision | Rule | Value) -> Iterator[Rule]:
    """Every pass/fail rule of a decision (or under one rule or value), depth first,
    groups before their children."""
    return _Rules().visit(node)


class _Values(Visitor[Iterator[Value]]):
    """Every value under a node, parents before the values they hold."""

    def _defaulted(self, node: Lookup | Table | Tiers) -> Iterator[Value]:
        yield node
        if node.default is not None:
            yield node.default

    visit_lookup = visit_tiers = _defaulted

    def visit_table(self, node: Table) -> Iterator[Value]:
        yield from self._defaulted(node)
        for row in node.rows:
            yield from row.outputs

    def _leaf(self, node: Literal | Compute | Split) -> Iterator[Value]:
        yield node

    visit_literal = visit_compute = visit_split = _leaf

    def visit_cases(self, node: Cases) -> Iterator[Value]:
        yield node
        for case in node.cases:
            yield case.value
        if node.default is not None:
            yield node.default.value

    def visit_collect(self, node: Collect) -> Iterator[Value]:
        yield node
        for item in node.items:
            yield item.value

    def visit_fields(self, node: Fields) -> Iterator[Value]:
        yield node
        for field in node.fields:
            yield from self.visit(field.value)

    def visit_decision(self, node: Decision) -> Iterator[Value]:
        for part in (node.value, node.output):
            if part is not None:
                yield from self.visit(part)


def values(node: Decision | Value) -> Iterator[Value]:
    """Every value of a decision (its value or output) or under one value, depth first:
    fields' values, cases' and items' values, and defaults included."""
    return _Values().visit(node)
