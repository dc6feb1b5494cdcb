"""Pipeline stage 3, the model: frozen classes of a parsed ruleset (declarations, rule
trees, value specs), as :mod:`.build` makes them from schema-valid data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from ..calendar import WorkingCalendar
from ..expressions import ast
from ..facts import FactType
from ..loader import Path
from ..text import Text

__all__ = [
    "Case",
    "Decision",
    "Expr",
    "ListDecl",
    "Param",
    "Rounding",
    "Rule",
    "RulesetModel",
    "TableOutput",
    "TableRow",
    "ValueSpec",
]


@attrs.frozen
class Expr:
    """A parsed expression, with its text and YAML location."""

    text: str
    node: ast.Node
    path: Path


@attrs.frozen
class Rule:
    """A node of a pass/fail rule tree."""

    id: str
    kind: str  # "check", "all", "any", "not", "decision", "tier" (a lower tier, by id)
    description: Text
    source: str | None
    path: Path
    check: Expr | None = None
    children: tuple[Rule, ...] = ()
    decision: str | None = None
    applies_when: Expr | None = None
    severity: str = "error"


@attrs.frozen
class TableRow:
    """One row of a decision table: its condition (the cells, and-ed) and its value."""

    id: str
    when: Expr | None  # None: a cell did not parse (reported)
    then: Any
    description: Text | None
    source: str | None
    path: Path
    cells: tuple[ast.Node | None, ...] = ()  # per input column; None is "-" (any value)
    # per output column: a literal or a compute spec (empty: the row did not build)
    outputs: tuple[ValueSpec, ...] = ()


@attrs.frozen
class TableOutput:
    """A declared output column of a decision table (``output:`` or one of ``outputs:``)."""

    name: str | None  # None: the single unnamed output
    path: Path
    type: str | None = None
    currency: str | None = None
    values: tuple[Any, ...] | None = None  # the allowed values, highest priority first


@attrs.frozen
class Case:
    """One ``when`` of ``cases`` or ``collect``, and the value it gives."""

    when: Expr
    value: ValueSpec


@attrs.frozen
class ValueSpec:
    """How a value decision (or one field of it) computes its value."""

    kind: str  # "literal", "compute", "cases", "lookup", "collect", "fields", "tiers"
    path: Path
    literal: Any = None
    compute: Expr | None = None
    cases: tuple[Case, ...] = ()
    default: ValueSpec | None = None
    key: Expr | None = None
    table: Mapping[str, Any] = attrs.field(factory=dict)
    fields: Mapping[str, ValueSpec] = attrs.field(factory=dict)
    tiers: tuple[Rule, ...] = ()  # lowest first
    # tables
    hit_policy: str = ""
    inputs: tuple[Expr, ...] = ()
    rows: tuple[TableRow, ...] = ()
    aggregate: str | None = None
    outputs: tuple[TableOutput, ...] = ()  # declared output columns (none: undeclared)
    # split
    parts: tuple[tuple[str, int | Decimal], ...] = ()
    rounding: Rounding | None = None


@attrs.frozen
class Rounding:
    places: int
    mode: str


@attrs.frozen
class Decision:
    id: str
    kind: str  # "passfail" or "value"
    description: Text
    source: str | None
    path: Path
    rule: Rule | None = None  # pass/fail: the root group, whose id is the decision id
    value: ValueSpec | None = None
    requires: tuple[Rule, ...] = ()
    type: str | None = None
    currency: str | None = None
    rounding: Rounding | None = None
    output: ValueSpec | None = None  # pass/fail decisions: a value given whatever the outcome


@attrs.frozen
class Param:
    """A declared parameter: its type (with numeric bounds), default and value in force.

    A bound may name another parameter (``min: other_param``): ``minimum_ref`` /
    ``maximum_ref`` keep that name (the relation is checked between values in force)."""

    name: str
    type: FactType
    default: int | Decimal
    value: int | Decimal
    description: Text | None
    source: str | None
    minimum_ref: str | None = None
    maximum_ref: str | None = None

    def bounds(self) -> tuple[int | Decimal | str | None, int | Decimal | str | None]:
        """(min, max): a number, the name of another parameter, or None (no bound)."""
        lo = self.minimum_ref if self.minimum_ref is not None else self.type.minimum
        hi = self.maximum_ref if self.maximum_ref is not None else self.type.maximum
        return lo, hi


@attrs.frozen
class ListDecl:
    name: str
    items: tuple[Any, ...]
    description: Text | None
    source: str | None
    match: str = "exact"  # "chinese": compared script- and width-insensitively


@attrs.frozen
class RulesetModel:
    id: str
    version: str
    title: Text
    timezone: ZoneInfo
    sources: Mapping[str, Mapping[str, str]]
    facts: Mapping[str, FactType]
    params: Mapping[str, Param]
    lists: Mapping[str, ListDecl]
    decisions: Mapping[str, Decision]
    calendar: WorkingCalendar
    description: Text | None
    source_name: str
    # versions in force: [effective_from, effective_until], either end open when None
    effective_from: dt.datetime | None = None
    effective_until: dt.datetime | None = None  # inclusive
    changelog: tuple[Mapping[str, Any], ...] = ()
    mask: tuple[str, ...] = ()  # facts a decision log masks

    @property
    def last_instant(self) -> dt.datetime | None:
        """The last instant in force: ``effective_until``, where one written to the second
        covers that whole second (``…T23:59:59`` is in force at 23:59:59.5, so a next
        version from ``…T00:00:00`` leaves no gap). A date is already its day's end."""
        until = self.effective_until
        if until is not None and until.microsecond == 0:
            return until + dt.timedelta(seconds=1, microseconds=-1)
        return until
