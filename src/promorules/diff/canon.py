"""Semantic diff, comparable forms: what makes two parts of a ruleset the same.

Expressions are compared as typed trees (positions dropped, numbers by value so ``0.95``
equals ``0.950``, date-times by instant, names and enum/ordinal symbols by name), literals
ignoring key order, values (a visitor over the IR's value nodes) by their parts. ``focus``
writes the readable difference of two expressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import ir
from ..wording import WRITER, expr_text, literal_text, rounding_text

__all__ = ["ARROW", "canon", "focus", "freeze", "literal_detail", "value_key"]

ARROW = "→"


def freeze(value: Any) -> Any:
    """A literal as a comparable value: mappings ignore key order, numbers compare by value."""
    if isinstance(value, Mapping):
        return ("{}", tuple(sorted((str(k), freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("[]", tuple(freeze(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    return value


def _symbol(value: Any, ty: ir.Ty | None) -> Any:
    """An enum or ordinal value by its symbol (an ordinal's value is its position)."""
    if ty is not None and ty.kind in ("enum", "ordinal") and ty.scale is not None:
        if ty.kind == "ordinal" and isinstance(value, int) and 0 <= value < len(
                ty.scale.values):
            return ("symbol", ty.scale.values[value])
        return ("symbol", str(value))
    return freeze(value)


class _Canon(ir.ExprVisitor[Any]):
    def visit_const(self, node: ir.Const) -> Any:
        if node.text is not None:
            return ("symbol", node.text)
        if isinstance(node.value, tuple):
            return ("[]", tuple(_symbol(v, node.ty.item) for v in node.value))
        return _symbol(node.value, node.ty)

    def visit_fact(self, node: ir.FactRef) -> Any:
        return ("name", node.name)

    def visit_param(self, node: ir.ParamRef) -> Any:
        return ("name", node.name)

    def visit_list(self, node: ir.ListRef) -> Any:
        return ("name", node.name)

    def visit_decision_value(self, node: ir.DecisionValue) -> Any:
        return ("name", node.decision)

    def visit_as_of(self, node: ir.AsOf) -> Any:
        return ("name", "as_of")

    def visit_today(self, node: ir.Today) -> Any:
        return ("name", "today")

    def visit_unary(self, node: ir.Unary) -> Any:
        return ("unary", node.op, self.visit(node.operand))

    def visit_arith(self, node: ir.Arith) -> Any:
        return ("binary", node.op, self.visit(node.left), self.visit(node.right))

    def visit_logic(self, node: ir.Logic) -> Any:
        return ("binary", node.op, self.visit(node.left), self.visit(node.right))

    def visit_compare(self, node: ir.Compare) -> Any:
        return ("compare", node.op, self.visit(node.left), self.visit(node.right))

    def visit_membership(self, node: ir.Membership) -> Any:
        return ("compare", node.op, self.visit(node.left), self.visit(node.right))

    def visit_between(self, node: ir.Between) -> Any:
        return ("between", self.visit(node.value), self.visit(node.low), self.visit(node.high))

    def visit_call(self, node: ir.Call) -> Any:
        return ("call", node.func, tuple(self.visit(a) for a in node.args))


_CANON = _Canon()


def canon(expr: ir.TypedExpr | ir.Expr | None) -> Any:
    """A comparable form of an expression (None for none)."""
    if expr is None:
        return None
    return _CANON.visit(expr.tree if isinstance(expr, ir.TypedExpr) else expr)


class _ValueKey(ir.Visitor[Any]):
    """A comparable form of a value (spans and paths dropped)."""

    def key(self, node: Any) -> Any:
        return None if node is None else self.visit(node)

    def visit_literal(self, node: ir.Literal) -> Any:
        return ("literal", freeze(node.value))

    def visit_compute(self, node: ir.Compute) -> Any:
        return ("compute", canon(node.expr))

    def visit_case(self, node: ir.Case) -> Any:
        return (canon(node.when), self.visit(node.value))

    def visit_item(self, node: ir.Item) -> Any:
        return (canon(node.when), self.visit(node.value))

    def visit_default(self, node: ir.Default) -> Any:
        return self.visit(node.value)

    def visit_cases(self, node: ir.Cases) -> Any:
        return ("cases", tuple(self.visit(c) for c in node.cases), self.key(node.default))

    def visit_collect(self, node: ir.Collect) -> Any:
        return ("collect", tuple(self.visit(i) for i in node.items))

    def visit_lookup(self, node: ir.Lookup) -> Any:
        table = {node.written[k]: v for k, v in node.table.items()}
        return ("lookup", canon(node.key), freeze(table), self.key(node.default))

    def visit_field(self, node: ir.Field) -> Any:
        return (node.name, self.visit(node.value))

    def visit_fields(self, node: ir.Fields) -> Any:
        return ("fields", tuple(sorted((self.visit(f) for f in node.fields),
                                       key=lambda f: f[0])))

    def visit_tiers(self, node: ir.Tiers) -> Any:
        return ("tiers", tuple(t.id for t in node.tiers), self.key(node.default))

    def visit_row(self, node: ir.Row) -> Any:
        return (node.id, canon(node.when), freeze(node.then),
                tuple(self.visit(o) for o in node.outputs))

    def visit_table(self, node: ir.Table) -> Any:
        outputs = tuple((o.name, o.type, o.currency, freeze(o.values)) for o in node.outputs)
        return ("table", node.hit_policy, node.aggregation, outputs,
                tuple(canon(i) for i in node.inputs), tuple(self.visit(r) for r in node.rows),
                self.key(node.default))

    def visit_part(self, node: ir.Part) -> Any:
        return (node.name, node.percent)

    def visit_split(self, node: ir.Split) -> Any:
        return ("split", canon(node.amount), tuple(self.visit(p) for p in node.parts),
                rounding_text(node.rounding))


_VALUE_KEY = _ValueKey()


def value_key(value: ir.Value | ir.Case | ir.Item | ir.Default | None) -> Any:
    """A comparable form of a value (None for none)."""
    return _VALUE_KEY.key(value)


# -- the readable difference of two expressions ------------------------------------------


def focus(old: ir.TypedExpr | None, new: ir.TypedExpr | None) -> str:
    """The readable difference of two expressions: ``x >= 3000 → >= 5000`` when only a
    comparison's right side or operator changed, the parts that differ inside ``and`` /
    ``or`` / ``not``, the whole expressions otherwise."""
    if old is None or new is None:
        return f"{expr_text(old) or 'none'} {ARROW} {expr_text(new) or 'none'}"
    parts = _focus(old.tree, new.tree)
    if not parts or len(parts) > 3:
        return f"{expr_text(old)} {ARROW} {expr_text(new)}"
    return "; ".join(parts)


def _focus(a: ir.Expr, b: ir.Expr) -> list[str]:
    if canon(a) == canon(b):
        return []
    side = WRITER.operand
    if isinstance(a, (ir.Compare, ir.Membership)) and isinstance(
            b, (ir.Compare, ir.Membership)) and canon(a.left) == canon(b.left):
        return [f"{side(a.left)} {a.op} {side(a.right)} {ARROW} {b.op} {side(b.right)}"]
    if isinstance(a, ir.Between) and isinstance(b, ir.Between) and (
            canon(a.value) == canon(b.value)):
        return [f"{side(a.value)} between {side(a.low)} and {side(a.high)} {ARROW} "
                f"between {side(b.low)} and {side(b.high)}"]
    if isinstance(a, ir.Logic) and isinstance(b, ir.Logic) and a.op == b.op:
        return _focus(a.left, b.left) + _focus(a.right, b.right)
    if isinstance(a, ir.Unary) and isinstance(b, ir.Unary) and a.op == b.op == "not":
        return _focus(a.operand, b.operand)
    return [f"{expr_text(a)} {ARROW} {expr_text(b)}"]


def literal_detail(old: Any, new: Any) -> str | None:
    """For two lists: the items added and removed (None: show both whole)."""
    if not (isinstance(old, (list, tuple)) and isinstance(new, (list, tuple))):
        return None
    ko, kn = [freeze(v) for v in old], [freeze(v) for v in new]
    added = [literal_text(v) for v, k in zip(new, kn, strict=True) if k not in ko]
    gone = [literal_text(v) for v, k in zip(old, ko, strict=True) if k not in kn]
    notes = ([f"added {', '.join(added)}"] if added else []) + (
        [f"removed {', '.join(gone)}"] if gone else [])
    return "; ".join(notes) or (f"reordered: {literal_text(list(old))} {ARROW} "
                                f"{literal_text(list(new))}")
