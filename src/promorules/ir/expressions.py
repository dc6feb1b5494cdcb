"""The typed IR (pipeline stage 4a): typed expressions of the condition language.

``pos`` is a node's character offset in its expression text."""

from __future__ import annotations

import datetime as dt
import typing
from decimal import Decimal
from typing import ClassVar

import attrs

from ..expressions import ast
from ..facts import FactType
from ..loader import Path
from .kinds import ExprKind
from .types import BOOL, DATE, DATETIME, Span, Ty

__all__ = ["Arith", "AsOf", "Between", "Call", "Compare", "Const", "DecisionValue", "Expr",
           "FactRef", "ListRef", "Logic", "Membership", "ParamRef", "Today", "TypedExpr",
           "Unary", "matches_chinese", "whole_second"]



@attrs.frozen
class Const:
    """A literal, a list literal (a tuple), or an enum/ordinal symbol resolved to its value
    (``text`` is then the symbol as written; an ordinal's value is its position)."""

    kind: ClassVar[ExprKind] = ExprKind.CONST
    value: typing.Any
    ty: Ty
    pos: int = 0
    text: str | None = None


@attrs.frozen
class FactRef:
    kind: ClassVar[ExprKind] = ExprKind.FACT
    name: str
    fact: FactType
    ty: Ty
    pos: int = 0


@attrs.frozen
class ParamRef:
    """A parameter, with its value in force (after overrides)."""

    kind: ClassVar[ExprKind] = ExprKind.PARAM
    name: str
    value: int | Decimal
    ty: Ty
    pos: int = 0


@attrs.frozen
class ListRef:
    kind: ClassVar[ExprKind] = ExprKind.LIST
    name: str
    items: tuple[typing.Any, ...]
    ty: Ty
    pos: int = 0
    match: str = "exact"  # "chinese": compared script- and width-insensitively


@attrs.frozen
class DecisionValue:
    """Another decision used in an expression: its outcome (pass/fail) or its value."""

    kind: ClassVar[ExprKind] = ExprKind.DECISION
    decision: str
    passfail: bool
    ty: Ty
    pos: int = 0


@attrs.frozen
class AsOf:
    kind: ClassVar[ExprKind] = ExprKind.AS_OF
    ty: Ty = DATETIME
    pos: int = 0


@attrs.frozen
class Today:
    """``today``: the date of ``as_of`` in the ruleset's time zone."""

    kind: ClassVar[ExprKind] = ExprKind.TODAY
    ty: Ty = DATE
    pos: int = 0


@attrs.frozen
class Unary:
    kind: ClassVar[ExprKind] = ExprKind.UNARY
    op: str  # "not" or "-"
    operand: Expr
    ty: Ty
    pos: int = 0


@attrs.frozen
class Arith:
    kind: ClassVar[ExprKind] = ExprKind.ARITH
    op: str  # + - * /
    left: Expr
    right: Expr
    ty: Ty
    pos: int = 0


@attrs.frozen
class Logic:
    """``and`` / ``or``, three-valued."""

    kind: ClassVar[ExprKind] = ExprKind.LOGIC
    op: str
    left: Expr
    right: Expr
    ty: Ty = BOOL
    pos: int = 0


@attrs.frozen
class Compare:
    kind: ClassVar[ExprKind] = ExprKind.COMPARE
    op: str  # == != < <= > >=
    left: Expr
    right: Expr
    ty: Ty = BOOL
    pos: int = 0


@attrs.frozen
class Membership:
    """``in`` / ``not in``; the right side is a list (a Const tuple, a ListRef, a fact)."""

    kind: ClassVar[ExprKind] = ExprKind.MEMBERSHIP
    op: str
    left: Expr
    right: Expr
    ty: Ty = BOOL
    pos: int = 0


@attrs.frozen
class Between:
    kind: ClassVar[ExprKind] = ExprKind.BETWEEN
    value: Expr
    low: Expr
    high: Expr
    ty: Ty = BOOL
    pos: int = 0


@attrs.frozen
class Call:
    """A function call (``present(x)`` included); ``func`` is the function's name."""

    kind: ClassVar[ExprKind] = ExprKind.CALL
    func: str
    args: tuple[Expr, ...]
    ty: Ty
    pos: int = 0


Expr = (Const | FactRef | ParamRef | ListRef | DecisionValue | AsOf | Today | Unary | Arith
        | Logic | Compare | Membership | Between | Call)


@attrs.frozen
class TypedExpr:
    """One expression as written in the ruleset: its text, typed tree, the facts it reads,
    where it is written, and its syntax tree (for wording: ``ast.unparse``)."""

    text: str
    tree: Expr
    facts: tuple[str, ...]
    span: Span
    path: Path
    syntax: ast.Node = attrs.field(repr=False)

    @property
    def ty(self) -> Ty:
        return self.tree.ty


def matches_chinese(e: Expr) -> bool:
    """A fact or list declared ``match: chinese``: text compared with it (``==``, ``!=``,
    ``in``, ``contains_any``, ``contains``) is compared folded to one script and
    half-width, on both sides (:func:`promorules.zh_script.fold`)."""
    if isinstance(e, FactRef):
        return e.fact.match == "chinese"
    return isinstance(e, ListRef) and e.match == "chinese"


_LAST_MICROSECOND = dt.timedelta(seconds=1, microseconds=-1)


def whole_second(op: str, left: Expr, right: Expr) -> tuple[Expr, Expr]:
    """The operands of ``left op right`` as compared: a date-time literal written to the
    second (no fraction) that is an upper bound (``x <= T``, ``x > T``, ``T >= x``,
    ``T < x``, the high end of ``between``) stands for the whole second, so it is compared
    as its last microsecond: ``x <= 23:59:59`` holds at 23:59:59.5. The IR keeps the
    literal as written (for wording and traces); emitters compare through this."""
    if op in ("<=", ">") and _to_the_second(right):
        assert isinstance(right, Const)
        return left, attrs.evolve(right, value=right.value + _LAST_MICROSECOND)
    if op in (">=", "<") and _to_the_second(left):
        assert isinstance(left, Const)
        return attrs.evolve(left, value=left.value + _LAST_MICROSECOND), right
    return left, right


def _to_the_second(e: Expr) -> bool:
    return (isinstance(e, Const) and isinstance(e.value, dt.datetime)
            and e.value.microsecond == 0)
