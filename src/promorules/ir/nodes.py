"""The typed IR (pipeline stage 4a): rules, values, their parts, and decisions."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

import attrs

from ..loader import Path
from ..text import Text
from .expressions import Expr, TypedExpr
from .kinds import (
    Aggregation,
    DecisionKind,
    HitPolicy,
    OutputType,
    PartKind,
    RuleKind,
    Severity,
    ValueKind,
)
from .types import BOOL, Rounding, Span, Ty

__all__ = ["All", "Any", "Case", "Cases", "Check", "Collect", "Compute", "Decision",
           "DecisionRef", "Default", "Field", "Fields", "Item", "Literal", "Lookup", "Node",
           "Not", "Part", "Requires", "Row", "Rule", "RulesetIR", "Split", "Table",
           "TableOutput", "Tier", "TierRef", "Tiers", "Value"]

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
    ``when`` their conjunction. A cell is an ordinary condition on its column's input:
    a range is an ``and`` of two comparisons, a disjunction of tests an ``or``, ``not(...)``
    a ``not``. ``outputs`` holds one cell per output column of the table (a literal, or a
    formula computed when the row matches); ``then`` is the row's output as written when
    every output cell is a literal (a value, or a mapping for several columns), else None."""

    kind: ClassVar[PartKind] = PartKind.ROW
    id: str
    when: TypedExpr
    cells: tuple[Expr | None, ...]
    then: typing.Any
    description: Text | None
    source: str | None
    span: Span
    path: Path
    outputs: tuple[Literal | Compute, ...] = ()

    @property
    def computed(self) -> bool:
        """Whether one of the row's output cells is a formula."""
        return any(isinstance(o, Compute) for o in self.outputs)


@attrs.frozen(kw_only=True)
class TableOutput:
    """An output column of a decision table: its name (None: the table's single unnamed
    output), type, and allowed values (None: any), highest priority first."""

    name: str | None
    ty: Ty
    values: tuple[typing.Any, ...] | None = None
    type: OutputType | None = None  # as declared
    currency: str | None = None


@attrs.frozen(kw_only=True)
class Table:
    """A decision table. ``outputs`` are its output columns (one unnamed column unless it
    declares ``outputs:``); the value is, by ``hit_policy``, one row's output, or the list
    of the matching rows' outputs, or (``aggregation``) one value made from them; a row's
    output is its single column's value, or a mapping of column name to value.
    ``default`` is the output when no row matches (shaped as one row's output)."""

    kind: ClassVar[ValueKind] = ValueKind.TABLE
    hit_policy: HitPolicy
    inputs: tuple[TypedExpr, ...]
    rows: tuple[Row, ...]
    default: Literal | None
    ty: Ty
    span: Span
    path: Path
    outputs: tuple[TableOutput, ...] = ()
    aggregation: Aggregation | None = None

    @property
    def named(self) -> bool:
        """Whether the outputs are named columns (a row's output is then a mapping)."""
        return any(o.name is not None for o in self.outputs)


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
