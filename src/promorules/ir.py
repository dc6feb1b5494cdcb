"""Pipeline stage 4a: the typed intermediate form (IR) of a checked ruleset.

The checking stage (:mod:`promorules.compiler.check`) turns the model into these frozen,
tagged variants: one class per rule kind, value kind and expression kind. Every node
carries its resolved type, its source span, and (for rules and table rows) its id,
description and citation. Names are resolved: a fact reference holds its declared type, a
parameter reference its value in force, a list reference its items, an enum or ordinal
symbol its value (the ordinal's position). Consumers (the code generator, traces, docs,
diff, the testing kit, backends) are visitors over this form and never read the YAML, the
``Document`` or the model's expression syntax to learn what a rule means.

This module imports nothing from the compiler: it is the contract between the checking
stage and everything downstream.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Generic, TypeVar

import attrs

from .expressions import ast
from .facts import FactType
from .loader import Path
from .text import Text

__all__ = [
    "ANY",
    "BOOL",
    "DATE",
    "DATETIME",
    "NUMBER",
    "STRING",
    "All",
    "Any",
    "Arith",
    "AsOf",
    "Between",
    "Call",
    "Case",
    "Cases",
    "Check",
    "Collect",
    "Compare",
    "Compute",
    "Const",
    "Decision",
    "DecisionKind",
    "DecisionRef",
    "DecisionValue",
    "Default",
    "Expr",
    "ExprKind",
    "ExprVisitor",
    "FactKind",
    "FactRef",
    "Field",
    "Fields",
    "HitPolicy",
    "Item",
    "ListRef",
    "Literal",
    "Logic",
    "Lookup",
    "Membership",
    "Node",
    "Not",
    "OutputType",
    "ParamRef",
    "Part",
    "PartKind",
    "Requires",
    "Rounding",
    "RoundingMode",
    "Row",
    "Rule",
    "RuleKind",
    "RulesetIR",
    "Severity",
    "Span",
    "Split",
    "Table",
    "Tier",
    "TierRef",
    "Tiers",
    "Today",
    "Ty",
    "TyKind",
    "TypedExpr",
    "Unary",
    "Value",
    "ValueKind",
    "Visitor",
    "fact_ty",
]

T = TypeVar("T")

# -- kinds (shared with tools/gen_schema.py) --------------------------------------------


class FactKind(StrEnum):
    """Declared fact types (``facts: {x: {type: ...}}``)."""

    NUMBER = "number"
    INTEGER = "integer"
    PERCENT = "percent"
    MONEY = "money"
    BOOLEAN = "boolean"
    ENUM = "enum"
    ORDINAL = "ordinal"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"


class OutputType(StrEnum):
    """Declared output types of a decision (``type:``)."""

    BOOLEAN = "boolean"
    NUMBER = "number"
    INTEGER = "integer"
    MONEY = "money"
    PERCENT = "percent"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"
    MAPPING = "mapping"


class RuleKind(StrEnum):
    """Pass/fail rule kinds: the YAML key that makes a rule of that kind."""

    CHECK = "check"
    ALL = "all"
    ANY = "any"
    NOT = "not"
    DECISION = "decision"
    TIER = "tier"


class ValueKind(StrEnum):
    """Value kinds: the YAML key that makes a value of that kind (``value`` is a literal)."""

    COMPUTE = "compute"
    CASES = "cases"
    LOOKUP = "lookup"
    COLLECT = "collect"
    FIELDS = "fields"
    LITERAL = "value"
    TIERS = "tiers"
    TABLE = "table"
    SPLIT = "split"


class PartKind(StrEnum):
    """The parts inside a value (and a value decision's requirements)."""

    CASE = "case"
    DEFAULT = "default"
    ITEM = "item"
    ROW = "row"
    TIER = "tier"
    FIELD = "field"
    PART = "part"
    REQUIRES = "requires"


class DecisionKind(StrEnum):
    PASSFAIL = "passfail"
    VALUE = "value"


class HitPolicy(StrEnum):
    """How a decision table combines the rows that match."""

    UNIQUE = "unique"
    FIRST = "first"
    COLLECT = "collect"


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class TyKind(StrEnum):
    """Static type kinds of expressions (``symbol``: a bare name awaiting an enum context)."""

    BOOL = "bool"
    NUMBER = "number"
    MONEY = "money"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    ORDINAL = "ordinal"
    LIST = "list"
    MAPPING = "mapping"
    ANY = "any"
    SYMBOL = "symbol"


class ExprKind(StrEnum):
    CONST = "const"
    FACT = "fact"
    PARAM = "param"
    LIST = "list"
    DECISION = "decision"
    AS_OF = "as_of"
    TODAY = "today"
    UNARY = "unary"
    ARITH = "arith"
    LOGIC = "logic"
    COMPARE = "compare"
    MEMBERSHIP = "membership"
    BETWEEN = "between"
    CALL = "call"


# -- types ------------------------------------------------------------------------------


@attrs.frozen
class Ty:
    """Static type of an expression or value."""

    kind: str  # a TyKind
    currency: str | None = None
    scale: FactType | None = None  # enum / ordinal: the declaring fact
    item: Ty | None = None  # list items
    symbol: str | None = None  # a bare identifier awaiting an enum/ordinal context

    def describe(self) -> str:
        """The type as messages name it: ``money (CNY)``, ``ordinal 'level'``."""
        if self.kind == "money":
            return f"money ({self.currency})" if self.currency else "money"
        if self.kind in ("enum", "ordinal") and self.scale is not None:
            return f"{self.kind} '{self.scale.name}'"
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item.describe()}"
        if self.kind == "symbol":
            return f"the name '{self.symbol}'"
        return self.kind


BOOL, NUMBER, STRING = Ty(TyKind.BOOL), Ty(TyKind.NUMBER), Ty(TyKind.STRING)
DATE, DATETIME, ANY = Ty(TyKind.DATE), Ty(TyKind.DATETIME), Ty(TyKind.ANY)


def fact_ty(f: FactType) -> Ty:
    """The static type of a declared fact."""
    k = f.kind
    if k in ("number", "integer", "percent"):
        return NUMBER
    if k == "money":
        return Ty("money", currency=f.currency)
    if k == "boolean":
        return BOOL
    if k in ("enum", "ordinal"):
        return Ty(k, scale=f)
    if k == "list":
        if f.item_kind == "enum":
            return Ty("list", item=Ty("enum", scale=f))
        return Ty("list", item=STRING if f.item_kind == "string" else NUMBER)
    return Ty(k)


@attrs.frozen
class Span:
    """Where a node is written: file, 1-based line and column (None when unknown)."""

    file: str
    line: int | None
    column: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Rounding:
    places: int
    mode: RoundingMode


# -- typed expressions ------------------------------------------------------------------
# ``pos`` is the node's character offset in its expression text.


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


# -- pass/fail rules --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _RuleBase:
    id: str
    description: Text
    source: str | None  # the citation, resolved to "FILE SECTION"
    span: Span
    path: Path
    severity: Severity = Severity.ERROR
    applies_when: TypedExpr | None = None
    ty: Ty = BOOL


@attrs.frozen(kw_only=True)
class Check(_RuleBase):
    kind: ClassVar[RuleKind] = RuleKind.CHECK
    expr: TypedExpr


@attrs.frozen(kw_only=True)
class All(_RuleBase):
    kind: ClassVar[RuleKind] = RuleKind.ALL
    children: tuple[Rule, ...]


@attrs.frozen(kw_only=True)
class Any(_RuleBase):
    kind: ClassVar[RuleKind] = RuleKind.ANY
    children: tuple[Rule, ...]


@attrs.frozen(kw_only=True)
class Not(_RuleBase):
    kind: ClassVar[RuleKind] = RuleKind.NOT
    child: Rule

    @property
    def children(self) -> tuple[Rule, ...]:
        return (self.child,)


@attrs.frozen(kw_only=True)
class DecisionRef(_RuleBase):
    """A rule that requires another pass/fail decision to pass."""

    kind: ClassVar[RuleKind] = RuleKind.DECISION
    decision: str


@attrs.frozen(kw_only=True)
class TierRef(_RuleBase):
    """A tier's requirement that a lower tier (by id) is reached."""

    kind: ClassVar[RuleKind] = RuleKind.TIER
    tier: str


Rule = Check | All | Any | Not | DecisionRef | TierRef


@attrs.frozen(kw_only=True)
class Requires:
    """A value decision's requirements: the value is computed only when all pass."""

    kind: ClassVar[PartKind] = PartKind.REQUIRES
    rules: tuple[Rule, ...]
    span: Span
    path: Path


# -- values -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Literal:
    kind: ClassVar[ValueKind] = ValueKind.LITERAL
    value: typing.Any  # frozen: lists are tuples, mappings read-only
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Compute:
    """A formula; ``rounding`` is the decision's ``round:`` when it applies here."""

    kind: ClassVar[ValueKind] = ValueKind.COMPUTE
    expr: TypedExpr
    ty: Ty
    span: Span
    path: Path
    rounding: Rounding | None = None


@attrs.frozen(kw_only=True)
class Case:
    kind: ClassVar[PartKind] = PartKind.CASE
    id: str  # case_1, case_2, ...
    when: TypedExpr
    value: Literal | Compute


@attrs.frozen(kw_only=True)
class Default:
    kind: ClassVar[PartKind] = PartKind.DEFAULT
    value: Literal | Compute


@attrs.frozen(kw_only=True)
class Cases:
    """The value of the first case whose condition holds, else the default."""

    kind: ClassVar[ValueKind] = ValueKind.CASES
    cases: tuple[Case, ...]
    default: Default | None
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Item:
    kind: ClassVar[PartKind] = PartKind.ITEM
    id: str  # item_1, item_2, ...
    when: TypedExpr
    value: Literal | Compute


@attrs.frozen(kw_only=True)
class Collect:
    """The list of the values of every item whose condition holds."""

    kind: ClassVar[ValueKind] = ValueKind.COLLECT
    items: tuple[Item, ...]
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Lookup:
    """``table`` maps resolved keys (enum values, ordinal positions, booleans, strings) to
    frozen values; ``written`` maps each resolved key back to the key as written."""

    kind: ClassVar[ValueKind] = ValueKind.LOOKUP
    key: TypedExpr
    table: Mapping[typing.Any, typing.Any]
    written: Mapping[typing.Any, str]
    default: Literal | None
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Row:
    """A table row: ``cells`` are the typed conditions per input column (None: any),
    ``when`` their conjunction."""

    kind: ClassVar[PartKind] = PartKind.ROW
    id: str
    when: TypedExpr
    cells: tuple[Expr | None, ...]
    then: typing.Any
    description: Text | None
    source: str | None
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Table:
    kind: ClassVar[ValueKind] = ValueKind.TABLE
    hit_policy: HitPolicy
    inputs: tuple[TypedExpr, ...]
    rows: tuple[Row, ...]
    default: Literal | None
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Tier:
    """One tier: reached when its rule (whose id is the tier's name) passes."""

    kind: ClassVar[PartKind] = PartKind.TIER
    id: str
    rule: Rule


@attrs.frozen(kw_only=True)
class Tiers:
    """The highest tier reached (tiers are listed lowest first), else the default."""

    kind: ClassVar[ValueKind] = ValueKind.TIERS
    tiers: tuple[Tier, ...]
    default: Literal | None
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Field:
    kind: ClassVar[PartKind] = PartKind.FIELD
    name: str
    value: Value


@attrs.frozen(kw_only=True)
class Fields:
    kind: ClassVar[ValueKind] = ValueKind.FIELDS
    fields: tuple[Field, ...]
    ty: Ty
    span: Span
    path: Path


@attrs.frozen(kw_only=True)
class Part:
    kind: ClassVar[PartKind] = PartKind.PART
    name: str
    percent: int | Decimal


@attrs.frozen(kw_only=True)
class Split:
    """An amount in parts by percentage; the last part takes the remainder."""

    kind: ClassVar[ValueKind] = ValueKind.SPLIT
    amount: TypedExpr
    parts: tuple[Part, ...]
    rounding: Rounding
    ty: Ty
    span: Span
    path: Path


Value = Literal | Compute | Cases | Collect | Lookup | Table | Tiers | Fields | Split


@attrs.frozen(kw_only=True)
class Decision:
    """The root of a decision: a rule tree (pass/fail) or a value, with what it uses."""

    id: str
    kind: DecisionKind
    description: Text
    source: str | None
    span: Span
    path: Path
    rule: Rule | None = None  # pass/fail: the root group (its id is the decision id)
    output: Value | None = None  # pass/fail: a value given whatever the outcome
    value: Value | None = None  # value decisions
    requires: Requires | None = None  # value decisions
    rounding: Rounding | None = None
    type: OutputType | None = None  # as declared
    currency: str | None = None
    ty: Ty | None = None  # the type of the value (or output); None: pass/fail only
    uses: tuple[str, ...] = ()  # decisions it uses, in order of first use
    uses_time: bool = False  # reads as_of or today (itself, not through ``uses``)


@attrs.frozen(kw_only=True)
class RulesetIR:
    """Every checked decision of a ruleset, in declaration order."""

    id: str
    version: str
    decisions: Mapping[str, Decision]
    timezone: dt.tzinfo


Node = Rule | Value | Case | Default | Item | Row | Tier | Field | Part | Requires | Decision


# -- visitors ---------------------------------------------------------------------------

_VISIT = {
    Check: "visit_check", All: "visit_all", Any: "visit_any", Not: "visit_not",
    DecisionRef: "visit_decision_ref", TierRef: "visit_tier_ref", Requires: "visit_requires",
    Literal: "visit_literal", Compute: "visit_compute", Cases: "visit_cases",
    Case: "visit_case", Default: "visit_default", Collect: "visit_collect", Item: "visit_item",
    Lookup: "visit_lookup", Table: "visit_table", Row: "visit_row", Tiers: "visit_tiers",
    Tier: "visit_tier", Fields: "visit_fields", Field: "visit_field", Split: "visit_split",
    Part: "visit_part", Decision: "visit_decision",
}
_VISIT_EXPR = {
    Const: "visit_const", FactRef: "visit_fact", ParamRef: "visit_param",
    ListRef: "visit_list", DecisionValue: "visit_decision_value", AsOf: "visit_as_of",
    Today: "visit_today", Unary: "visit_unary", Arith: "visit_arith", Logic: "visit_logic",
    Compare: "visit_compare", Membership: "visit_membership", Between: "visit_between",
    Call: "visit_call",
}


class _Dispatch(Generic[T]):
    _table: ClassVar[dict[type, str]]

    def visit(self, node: typing.Any) -> T:
        """Call the ``visit_<kind>`` method for ``node``'s class."""
        method: typing.Callable[[typing.Any], T] = getattr(self, self._table[type(node)])
        return method(node)

    def generic_visit(self, node: typing.Any) -> T:
        """Called by every ``visit_<kind>`` a subclass does not define."""
        raise NotImplementedError(f"{type(self).__name__} does not handle "
                                  f"{type(node).__name__}")


def _methods(table: Mapping[type, str]) -> dict[str, typing.Any]:
    def make(name: str) -> typing.Any:
        def method(self: typing.Any, node: typing.Any) -> typing.Any:
            return self.generic_visit(node)
        method.__name__ = name
        return method
    return {name: make(name) for name in table.values()}


class Visitor(_Dispatch[T]):
    """Base of a consumer of rule and value nodes: ``visit(node)`` calls ``visit_check``,
    ``visit_all``, ``visit_any``, ``visit_not``, ``visit_decision_ref``, ``visit_tier_ref``,
    ``visit_requires``, ``visit_literal``, ``visit_compute``, ``visit_cases``,
    ``visit_case``, ``visit_default``, ``visit_collect``, ``visit_item``, ``visit_lookup``,
    ``visit_table``, ``visit_row``, ``visit_tiers``, ``visit_tier``, ``visit_fields``,
    ``visit_field``, ``visit_split``, ``visit_part`` or ``visit_decision``; those not
    overridden call ``generic_visit``, which raises NotImplementedError."""

    _table = _VISIT


class ExprVisitor(_Dispatch[T]):
    """Base of a consumer of typed expressions: ``visit(expr)`` calls ``visit_const``,
    ``visit_fact``, ``visit_param``, ``visit_list``, ``visit_decision_value``,
    ``visit_as_of``, ``visit_today``, ``visit_unary``, ``visit_arith``, ``visit_logic``,
    ``visit_compare``, ``visit_membership``, ``visit_between`` or ``visit_call``."""

    _table = _VISIT_EXPR


for _name, _fn in _methods(_VISIT).items():
    setattr(Visitor, _name, _fn)
for _name, _fn in _methods(_VISIT_EXPR).items():
    setattr(ExprVisitor, _name, _fn)
