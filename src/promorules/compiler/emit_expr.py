"""Pipeline stage 4b (code generation), expressions: typed IR expression -> ``ast.expr``.

One emitter for the condition language, in two forms chosen by ``two_valued``:

- three-valued (the default): a fact may be absent (``None``, unknown), and every
  operation on an unknown is unknown; ``and``/``or`` follow Kleene's logic;
- two-valued: every fact is known present with its canonical value (the fast path has
  checked that), so operations are plain Python. A number fact listed in ``float_facts``
  may then hold a float as received, compared with a float threshold (see
  :func:`float_threshold`).

Types come from the IR (the checking stage typed every node); this module does no typing
and reports nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import ir
from ..zh_script import fold_value
from . import pyast as P
from .names import Names, value_words

__all__ = ["Code", "ExprEmitter", "float_threshold"]


@attrs.frozen
class Code:
    """A generated expression; ``nullable``: it may be None (unknown); ``items``: the items
    of a constant list (for ``in``, as a set)."""

    node: ast.expr
    nullable: bool = False
    items: tuple[Any, ...] | None = None


def float_threshold(expr: ir.Expr) -> Decimal | int | None:
    """A constant threshold a float may be compared with as a float: the shortest repr of
    its nearest float is the threshold itself (``4.7``, ``0.035``, ``500``). Shortest reprs
    are ordered as the floats are, so ``x op float(t)`` is exactly
    ``Decimal(repr(x)) op t`` for every finite float ``x``."""
    if isinstance(expr, (ir.Const, ir.ParamRef)) and expr.ty.kind in ("number", "money"):
        value = expr.value
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and (
            Decimal(repr(float(value))) == value
        ):
            return value
    return None


_ARITH = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}


class ExprEmitter(ir.ExprVisitor[Code]):
    """Emits the expressions of one generated function.

    ``fact(ref)``: the variable holding a fact; ``sub(decision)``: the variable holding
    the outcome (pass/fail) or value of a decision this one uses; ``today()``: the variable
    of ``today``.
    """

    def __init__(self, names: Names, fact: Callable[[ir.FactRef], str],
                 sub: Callable[[str], str] | None = None,
                 today: Callable[[], str] | None = None, *, two_valued: bool = False,
                 float_facts: frozenset[str] = frozenset()) -> None:
        self.names = names
        self.fact = fact
        self.sub = sub
        self.today = today
        self.two_valued = two_valued
        self.float_facts = float_facts

    def expr(self, expr: ir.Expr) -> ast.expr:
        return self.visit(expr).node

    def tmp(self) -> str:
        return self.names.fresh("tmp")

    def guard(self, parts: Sequence[Code], build: Callable[[list[ast.expr]], ast.expr]
              ) -> Code:
        """``None`` when any nullable part is None, else ``build(parts)``."""
        args: list[ast.expr] = []
        tests: list[ast.expr] = []
        for p in parts:
            if p.nullable and isinstance(p.node, ast.Name):
                tests.append(P.is_(p.node, P.NONE))  # a variable: no temporary needed
                args.append(p.node)
            elif p.nullable:
                t = self.tmp()
                tests.append(P.is_(P.walrus(t, p.node), P.NONE))
                args.append(P.name(t))
            else:
                args.append(p.node)
        if not tests:
            return Code(build(args))
        return Code(P.ifexp(P.or_(*tests), P.NONE, build(args)), nullable=True)

    def kleene(self, op: str, a: Code, b: Code) -> Code:
        if not a.nullable and not b.nullable:
            return Code((P.and_ if op == "and" else P.or_)(a.node, b.node))
        ta, tb = self.tmp(), self.tmp()
        decisive, other = (P.FALSE, P.TRUE) if op == "and" else (P.TRUE, P.FALSE)
        return Code(P.ifexp(
            P.or_(P.is_(P.walrus(ta, a.node), decisive), P.is_(P.walrus(tb, b.node), decisive)),
            decisive,
            P.ifexp(P.or_(P.is_(P.name(ta), P.NONE), P.is_(P.name(tb), P.NONE)), P.NONE, other)),
            nullable=True)

    # -- leaves -----------------------------------------------------------------------------

    def visit_const(self, e: ir.Const) -> Code:
        v = e.value
        if isinstance(v, bool):
            return Code(P.TRUE if v else P.FALSE)
        if e.text is not None and e.ty.scale is not None:  # an enum / ordinal symbol
            prefix = "LEVEL" if e.ty.kind == "ordinal" else "ENUM"
            return Code(self.names.const(v, f"{prefix}_{e.ty.scale.name}_{e.text}"))
        return Code(self.names.value(v), items=v if isinstance(v, tuple) else None)

    def visit_fact(self, e: ir.FactRef) -> Code:
        return Code(P.name(self.fact(e)), nullable=not self.two_valued)

    # -- text compared under `match: chinese` ---------------------------------------------

    def matched(self, *sides: ir.Expr) -> list[Code]:
        """The sides of a text comparison (``==``, ``!=``, ``in``, ``contains_any``,
        ``contains``): as they are, or all folded (one script, half-width: see
        :func:`promorules.zh_script.fold`) when a side is a fact or list declared
        ``match: chinese``. Constants are folded here, once at load; other values at
        evaluation. Traces read the facts' variables, which keep the values as sent."""
        if not any(ir.matches_chinese(e) for e in sides):
            return [self.visit(e) for e in sides]
        return [self._folded(e) for e in sides]

    def _folded(self, e: ir.Expr) -> Code:
        if isinstance(e, ir.ListRef):
            items = fold_value(e.items)
            return Code(self.names.const(items, f"LIST_{e.name}_folded"), items=items)
        if isinstance(e, ir.Const) and e.ty.scale is None and isinstance(e.value, (str, tuple)):
            value = fold_value(e.value)
            return Code(self.names.value(value), items=value if isinstance(value, tuple)
                        else None)
        code = self.visit(e)
        return Code(P.call("_zh_fold", code.node), nullable=code.nullable)

    def visit_param(self, e: ir.ParamRef) -> Code:
        return Code(self.names.const(e.value, f"PARAM_{e.name}"))

    def visit_list(self, e: ir.ListRef) -> Code:
        return Code(self.names.const(e.items, f"LIST_{e.name}"), items=e.items)

    def visit_decision_value(self, e: ir.DecisionValue) -> Code:
        assert self.sub is not None, "the fast path reads no other decision"
        return Code(P.name(self.sub(e.decision)), nullable=True)

    def visit_as_of(self, e: ir.AsOf) -> Code:
        return Code(P.name("as_of"))

    def visit_today(self, e: ir.Today) -> Code:
        assert self.today is not None
        return Code(P.name(self.today()))

    # -- operators --------------------------------------------------------------------------

    def visit_unary(self, e: ir.Unary) -> Code:
        operand = self.visit(e.operand)
        if e.op == "not":
            if not operand.nullable:
                return Code(P.not_(operand.node))
            t = self.tmp()
            return Code(P.ifexp(P.is_(P.walrus(t, operand.node), P.NONE), P.NONE,
                                P.not_(P.name(t))), nullable=True)
        return self.guard([operand], lambda a: P.call(P.attr(P.name("CTX"), "minus"), a[0]))

    def visit_arith(self, e: ir.Arith) -> Code:
        method = _ARITH[e.op]
        return self.guard([self.visit(e.left), self.visit(e.right)],
                          lambda x: P.call(P.attr(P.name("CTX"), method), x[0], x[1]))

    def visit_logic(self, e: ir.Logic) -> Code:
        return self.kleene(e.op, self.visit(e.left), self.visit(e.right))

    def compare(self, op: str, left: ir.Expr, right: ir.Expr) -> Code:
        left, right = ir.whole_second(op, left, right)
        if self.two_valued and self.float_facts:
            fact, other, flipped = left, right, False
            if not isinstance(fact, ir.FactRef):
                fact, other, flipped = right, left, True
            t = float_threshold(other)
            if isinstance(fact, ir.FactRef) and fact.name in self.float_facts and t is not None:
                # a float as received, against the float threshold; a number as converted,
                # against the exact one
                var = P.name(self.fact(fact))
                exact = self.visit(other).node
                as_float = self.names.const(float(t), f"FLOAT_{value_words(t)}")
                bound = P.ifexp(P.is_(P.attr(var, "__class__"), P.name("float")), as_float,
                                exact)
                return Code(P.cmp(bound, op, var) if flipped else P.cmp(var, op, bound))
        if op in ("==", "!="):
            return self.guard(self.matched(left, right), lambda x: P.cmp(x[0], op, x[1]))
        return self.guard([self.visit(left), self.visit(right)],
                          lambda x: P.cmp(x[0], op, x[1]))

    def visit_compare(self, e: ir.Compare) -> Code:
        return self.compare(e.op, e.left, e.right)

    def visit_between(self, e: ir.Between) -> Code:
        return self.kleene("and", self.compare(">=", e.value, e.low),
                           self.compare("<=", e.value, e.high))

    def visit_membership(self, e: ir.Membership) -> Code:
        a, b = self.matched(e.left, e.right)
        if b.items is not None:  # a constant list: looked up as a set
            if isinstance(e.right, ir.ListRef):
                hint = f"LIST_{e.right.name}_set"
            elif isinstance(e.left, ir.FactRef):
                hint = f"VALUES_{e.left.name}"
            else:
                hint = "VALUES"
            b = Code(self.names.const(frozenset(b.items), hint))
        return self.guard([a, b], lambda x: P.cmp(x[0], e.op, x[1]))

    def visit_call(self, e: ir.Call) -> Code:
        if e.func == "present":
            return Code(P.is_not(self.visit(e.args[0]).node, P.NONE))
        f = e.func
        args = self.matched(*e.args) if f in _TEXT_MATCH else [self.visit(a) for a in e.args]
        if f == "date" and e.args[0].ty.kind == "date":
            return args[0]
        if f.startswith("round_"):
            places = e.args[1]
            assert isinstance(places, ir.Const)
            p = self.names.const(places.value, f"PLACES_{places.value}")
            mode = self.names.const(f.removeprefix("round_"), f"ROUND_{f.removeprefix('round_')}")
            return self.guard(args[:1], lambda a: P.call("_round", a[0], p, mode))
        build = _CALLS[f]
        return self.guard(args, build)


_TEXT_MATCH = frozenset({"contains_any", "contains"})


def _helper(helper: str) -> Callable[[list[ast.expr]], ast.expr]:
    return lambda a: P.call(helper, *a)


_CALLS: dict[str, Callable[[list[ast.expr]], ast.expr]] = {
    "contains_any": _helper("_contains_any"),
    "contains": lambda a: P.cmp(a[1], "in", a[0]),
    "missing_from": _helper("_missing_from"),
    "len": _helper("len"),
    "date": lambda a: P.call(P.attr(P.call(P.attr(a[0], "astimezone"), P.name("TZ")), "date")),
    "add_days": _helper("_add_days"),
    "days_between": _helper("_days_between"),
    "add_working_days": lambda a: P.call("_add_working_days", P.name("CAL"), *a),
    "is_working_day": lambda a: P.call(P.attr(P.name("CAL"), "is_working_day"), *a),
    "years_between": _helper("_years_between"),
    "quarter_start": _helper("_quarter_start"),
    "quarter_end": _helper("_quarter_end"),
    "add_months": _helper("_add_months"),
    "includes_all": _helper("_includes_all"),
    "abs": _helper("abs"),
    "concat": _helper("_concat"),
    "min": _helper("min"),
    "max": _helper("max"),
}
