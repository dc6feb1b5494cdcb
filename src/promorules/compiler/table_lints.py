"""Pipeline stage 4a (checking), the static analysis of a decision table over its typed IR:
rows of a ``unique`` table that match the same input (PR311, an error) and inputs no row
covers (PR702, a warning).

The analysis evaluates the rows' typed cells on a finite set of inputs that stands for
every input: each enum, ordinal or boolean column takes all its values; a number, money
or date column takes the constants its table compares with (parameters by their value in
force), points just around each and between each two, within the fact's declared bounds;
a string column its constants and one other value. A cell that compares with another
fact (``== favourite``, ``[min_age..max_age]``) makes that fact a further column, taking
values the same way; a claim about an input must then hold whatever that fact is, so
``== x`` and ``!= x`` together cover every input and never overlap. A cell that depends
on what cannot be known before evaluation (a decision, ``today``, a formula on a fact, a
function) is unknown: no claim rests on it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import attrs

from .. import ir
from ..errors import RulesetError
from ..facts import FactType, display_value
from ..ir import HitPolicy, TyKind
from ..loader import Document

__all__ = ["table_problems"]

Findings = tuple[list[RulesetError], list[RulesetError]]
_LIMIT = 20_000  # input combinations (with the further columns) analysed at most
_NUMBERS = frozenset({TyKind.NUMBER, TyKind.MONEY})
_OTHER = "\x00another value"  # a string no cell names


@attrs.define
class _Column:
    """A column of the analysis: an input (``label`` its text) or another fact."""

    label: str
    ty: ir.Ty
    fact: FactType | None
    values: tuple[Any, ...] = ()

    def shown(self, value: Any) -> str:
        if value is _OTHER:
            return "a value no row names"
        if self.ty.kind == TyKind.ORDINAL and self.ty.scale is not None:
            return str(self.ty.scale.values[value])
        return display_value(value)


class _Unknown(Exception):
    """A cell that cannot be evaluated before evaluation."""


def table_problems(doc: Document, table: ir.Table) -> Findings:
    """(errors, lints) of a decision table: PR311 for a ``unique`` table, PR702 when it
    has no default and its policy needs a row (``unique``, ``any``, ``priority``,
    ``first``)."""
    errors: list[RulesetError] = []
    lints: list[RulesetError] = []
    wants_gaps = table.default is None and table.hit_policy not in ir.LIST_POLICIES
    if table.hit_policy != HitPolicy.UNIQUE and not wants_gaps:
        return errors, lints
    analysis = _Analysis(table)
    if not analysis.ready():
        return errors, lints
    overlaps: dict[tuple[int, int], tuple[Any, ...]] = {}
    gaps: list[tuple[Any, ...]] = []
    rows = table.rows
    for combo in itertools.product(*(c.values for c in analysis.inputs)):
        certain = [True] * len(rows)  # the row matches whatever the further columns are
        possible = [False] * len(rows)  # it matches (or may) for some of them
        for extra in itertools.product(*(c.values for c in analysis.extras)):
            env = (*combo, *extra)
            for k, row in enumerate(rows):
                m = analysis.row_matches(row, env)
                if m is not True:
                    certain[k] = False
                if m is not False:
                    possible[k] = True
        if table.hit_policy == HitPolicy.UNIQUE:
            sure = [k for k, c in enumerate(certain) if c]
            for a, b in itertools.combinations(sure, 2):
                overlaps.setdefault((a, b), combo)
        if wants_gaps and not any(possible):
            gaps.append(combo)
    for (a, b), combo in sorted(overlaps.items()):
        errors.append(doc.error(
            f"rows '{rows[a].id}' and '{rows[b].id}' both match "
            f"{analysis.combo(combo)}: a 'unique' table needs rows that do not "
            "overlap (or use hit_policy: first)", "PR311", (*rows[b].path, "when")))
    if gaps:
        shown = "; ".join(analysis.combo(g) for g in gaps[:5])
        more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
        lints.append(doc.error(
            f"no row covers {shown}{more}: such input fails with 'no row matches' "
            "(add a row or a default)", "PR702", (*table.path, "rows")))
    return errors, lints


class _Analysis(ir.ExprVisitor[Any]):
    """The columns of one table's analysis, and its cells' values on them."""

    def __init__(self, table: ir.Table) -> None:
        self.table = table
        self.trees = [i.tree for i in table.inputs]
        self.inputs = [_Column(i.text, i.ty, i.tree.fact if isinstance(i.tree, ir.FactRef)
                               else None) for i in table.inputs]
        self.extras: list[_Column] = []
        self.extra_of: dict[str, int] = {}
        cells = [c for row in table.rows for c in row.cells if c is not None]
        for cell in cells:
            for node in ir.walk_expr(cell):
                if (isinstance(node, ir.FactRef) and node not in self.trees
                        and node.name not in self.extra_of):
                    self.extra_of[node.name] = len(self.inputs) + len(self.extras)
                    self.extras.append(_Column(node.name, node.ty, node.fact))
        self.constants = _constants(cells)
        self.env: tuple[Any, ...] = ()

    def ready(self) -> bool:
        """Give every column its values; False when a column cannot be analysed (or the
        combinations are too many)."""
        total = 1
        for k, column in enumerate([*self.inputs, *self.extras]):
            values = _values(column, self.constants)
            if values is None:
                if k < len(self.inputs):
                    return False
                values = ()  # a further column of a kind not analysed: its cells unknown
            column.values = values
            total *= max(len(values), 1)
        if any(not c.values for c in self.extras):
            self.extras = [c if c.values else attrs.evolve(c, values=(_OTHER,))
                           for c in self.extras]
        return total <= _LIMIT

    def combo(self, values: tuple[Any, ...]) -> str:
        return ", ".join(f"{c.label} = {c.shown(v)}" for c, v in zip(self.inputs, values,
                                                                       strict=True))

    def row_matches(self, row: ir.Row, env: tuple[Any, ...]) -> bool | None:
        """The row's match on ``env`` (the columns' values): None when unknown."""
        self.env = env
        result: bool | None = True
        for cell in row.cells:
            if cell is None:
                continue
            try:
                v = self.visit(cell)
            except (_Unknown, TypeError):
                v = None
            if v is False:
                return False
            if v is None:
                result = None
        return result

    # -- evaluation ----------------------------------------------------------------------

    def visit(self, node: Any) -> Any:
        for k, tree in enumerate(self.trees):
            if node == tree:
                return self.value(k)
        return super().visit(node)

    def value(self, k: int) -> Any:
        v = self.env[k]
        if v is _OTHER:
            raise _Unknown
        return v

    def generic_visit(self, node: Any) -> Any:
        raise _Unknown  # a decision, today, a function, a formula...

    def visit_const(self, e: ir.Const) -> Any:
        return e.value

    def visit_param(self, e: ir.ParamRef) -> Any:
        return e.value

    def visit_list(self, e: ir.ListRef) -> Any:
        if e.match != "exact":
            raise _Unknown
        return e.items

    def visit_fact(self, e: ir.FactRef) -> Any:
        if e.name not in self.extra_of or e.fact.match != "exact":
            raise _Unknown
        return self.value(self.extra_of[e.name])

    def visit_logic(self, e: ir.Logic) -> Any:
        a, b = self.maybe(e.left), self.maybe(e.right)
        if e.op == "and":
            return False if False in (a, b) else (None if None in (a, b) else True)
        return True if True in (a, b) else (None if None in (a, b) else False)

    def maybe(self, e: ir.Expr) -> Any:
        try:
            return self.visit(e)
        except (_Unknown, TypeError):
            return None

    def visit_unary(self, e: ir.Unary) -> Any:
        v = self.maybe(e.operand)
        if e.op != "not":
            raise _Unknown
        return None if v is None else not v

    def visit_compare(self, e: ir.Compare) -> Any:
        if ir.matches_chinese(e.left) or ir.matches_chinese(e.right):
            raise _Unknown
        a, b = self.visit(e.left), self.visit(e.right)
        if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
            raise _Unknown  # whole seconds: left to evaluation
        return _OPS[e.op](a, b)

    def visit_membership(self, e: ir.Membership) -> Any:
        if ir.matches_chinese(e.left) or ir.matches_chinese(e.right):
            raise _Unknown
        a, items = self.visit(e.left), self.visit(e.right)
        return (a in items) == (e.op == "in")

    def visit_between(self, e: ir.Between) -> Any:
        v, low, high = self.visit(e.value), self.visit(e.low), self.visit(e.high)
        if isinstance(v, dt.datetime):
            raise _Unknown
        return bool(low <= v <= high)


_OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _constants(cells: list[ir.Expr]) -> dict[str, set[Any]]:
    """The numbers, dates and strings the cells compare with, by kind."""
    found: dict[str, set[Any]] = {"number": set(), "date": set(), "string": set()}
    for cell in cells:
        for node in ir.walk_expr(cell):
            items: tuple[Any, ...] = ()
            if isinstance(node, ir.ParamRef):
                items = (node.value,)
            elif isinstance(node, ir.Const) and node.ty.scale is None:
                items = node.value if isinstance(node.value, tuple) else (node.value,)
            for v in items:
                if isinstance(v, bool):
                    continue
                if isinstance(v, (int, Decimal)):
                    found["number"].add(v)
                elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    found["date"].add(v)
                elif isinstance(v, str):
                    found["string"].add(v)
    return found


def _values(column: _Column, constants: dict[str, set[Any]]) -> tuple[Any, ...] | None:
    """The values standing for every value of a column (None: a kind not analysed)."""
    ty = column.ty
    if ty.kind in (TyKind.ENUM, TyKind.ORDINAL) and ty.scale is not None:
        values = ty.scale.values
        return tuple(values) if ty.kind == TyKind.ENUM else tuple(range(len(values)))
    if ty.kind == TyKind.BOOL:
        return (True, False)
    if ty.kind == TyKind.STRING:
        return (*sorted(constants["string"]), _OTHER)
    fact = column.fact
    if ty.kind in _NUMBERS:
        whole = fact is not None and fact.kind == "integer"
        step = None if fact is None else fact.step
        points = _number_points(sorted(constants["number"]), whole, step)
        low = None if fact is None else fact.minimum
        high = None if fact is None else fact.maximum
        if fact is not None and fact.kind == "percent":
            low, high = (0 if low is None else low), (100 if high is None else high)
        kept = {p for p in points if (low is None or p >= low) and (high is None or p <= high)}
        kept |= {b for b in (low, high) if b is not None}
        return tuple(sorted(kept))
    if ty.kind == TyKind.DATE:
        days = sorted(constants["date"]) or [dt.date(2000, 1, 1)]
        out = {d + dt.timedelta(days=n) for d in days for n in range(-2, 3)}
        return tuple(sorted(out))
    return None


def _number_points(cs: list[Any], whole: bool, step: Any) -> set[Any]:
    """Each constant, two points below the lowest and above the highest, and two between
    each two (whole numbers, or multiples of ``step``, for such facts)."""
    if whole or step:
        unit = step or 1
        return {c + n * unit for c in (cs or [0]) for n in range(-2, 3)}
    if not cs:
        return {0, 1, 2}
    out: set[Any] = set(cs)
    out |= {cs[0] - 1, cs[0] - 2, cs[-1] + 1, cs[-1] + 2}
    for a, b in itertools.pairwise(cs):
        gap = Decimal(b) - Decimal(a)
        out |= {a + gap / 4, a + gap * 3 / 4}
    return out
