"""Consumers of pipeline stage 4a (the typed IR): exact arithmetic for the oracles.

The testing kit checks computed money against an exact recomputation, and the durable
backend posts arithmetic it cannot do exactly as derived values. Both recompute the same
subset of typed expressions, plain arithmetic (numbers, money, parameters and numeric
facts with ``+ - * /`` and unary minus), here, in the engine's decimal context
(:data:`promorules.compiler.DECIMAL_CONTEXT`), independently of the generated code.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import ir
from .compiler import DECIMAL_CONTEXT

__all__ = ["NotArithmetic", "arith_facts", "exact"]

_NUMERIC = ir.NUMERIC_TY


class NotArithmetic(Exception):
    """The expression is not plain arithmetic (a function call, a date, a decision...)."""

    def __init__(self, node: ir.Expr) -> None:
        super().__init__(f"{node.kind} is not plain arithmetic")
        self.node = node


def _numeric(node: ir.Expr) -> bool:
    return node.ty.kind in _NUMERIC


def _plain_const(node: ir.Const) -> None:
    """A constant of plain arithmetic is a number (not a boolean, date or text)."""
    if not _numeric(node) or isinstance(node.value, bool):
        raise NotArithmetic(node)


def _plain_fact(node: ir.FactRef) -> None:
    if not _numeric(node):
        raise NotArithmetic(node)


_OPERATIONS = {"+": DECIMAL_CONTEXT.add, "-": DECIMAL_CONTEXT.subtract,
               "*": DECIMAL_CONTEXT.multiply, "/": DECIMAL_CONTEXT.divide}


class _Facts(ir.ExprVisitor[tuple[ir.FactRef, ...]]):
    """The numeric facts a plain arithmetic expression reads, in order."""

    def generic_visit(self, node: Any) -> tuple[ir.FactRef, ...]:
        raise NotArithmetic(node)

    def visit_const(self, node: ir.Const) -> tuple[ir.FactRef, ...]:
        _plain_const(node)
        return ()

    def visit_param(self, node: ir.ParamRef) -> tuple[ir.FactRef, ...]:
        return ()

    def visit_fact(self, node: ir.FactRef) -> tuple[ir.FactRef, ...]:
        _plain_fact(node)
        return (node,)

    def visit_unary(self, node: ir.Unary) -> tuple[ir.FactRef, ...]:
        if node.op != "-":
            raise NotArithmetic(node)
        return self.visit(node.operand)

    def visit_arith(self, node: ir.Arith) -> tuple[ir.FactRef, ...]:
        refs = {r.name: r for r in self.visit(node.left) + self.visit(node.right)}
        return tuple(refs.values())


class _Exact(ir.ExprVisitor[Decimal]):
    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.facts = facts

    def generic_visit(self, node: Any) -> Decimal:
        raise NotArithmetic(node)

    def visit_const(self, node: ir.Const) -> Decimal:
        _plain_const(node)
        return Decimal(node.value)

    def visit_param(self, node: ir.ParamRef) -> Decimal:
        return Decimal(node.value)

    def visit_fact(self, node: ir.FactRef) -> Decimal:
        _plain_fact(node)
        return Decimal(self.facts[node.name])

    def visit_unary(self, node: ir.Unary) -> Decimal:
        if node.op != "-":
            raise NotArithmetic(node)
        return DECIMAL_CONTEXT.minus(self.visit(node.operand))

    def visit_arith(self, node: ir.Arith) -> Decimal:
        return _OPERATIONS[node.op](self.visit(node.left), self.visit(node.right))


def arith_facts(expr: ir.Expr) -> tuple[ir.FactRef, ...]:
    """The facts ``expr`` reads (one reference each, in order); raises NotArithmetic
    unless it is plain arithmetic."""
    return _Facts().visit(expr)


def exact(expr: ir.Expr, facts: Mapping[str, Any]) -> Decimal:
    """The exact value of a plain arithmetic expression, given the converted values of the
    facts it reads (every one present). Raises NotArithmetic for anything else, and
    ArithmeticError (a decimal trap: division by zero...) as the engine's context does."""
    return _Exact(facts).visit(expr)
