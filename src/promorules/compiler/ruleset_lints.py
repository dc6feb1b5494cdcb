"""Pipeline stage 4a (checking), whole-ruleset lints over the typed IR (PR720-PR725).

They run once every decision is checked, and read only the model's declarations and the
decisions' IR (walked with :mod:`promorules.ir.walk`):

- PR720, PR721, PR722: a fact, parameter or list that no decision uses. Used means named by
  an expression anywhere in a decision: checks, ``applies_when``, cases, items, lookup keys,
  table inputs and rows, tiers, fields, split amounts, requirements and outputs. A
  parameter named as another parameter's bound (``min: other``) is used too, and a fact
  declared with ``unused: REASON`` (callers send it by contract) is not reported.
- PR723: a ruleset file without the ``# yaml-language-server: $schema=...`` line.
- PR724, PR725: arithmetic (``+``, ``-``) or a comparison whose two sides have different
  units, by the unit algebra below.

The unit algebra
----------------

Every numeric quantity has a unit. A ``money`` fact or parameter has its currency; a
``percent`` one has *percent*; a ``number`` or ``integer`` one has its declared ``unit:``,
or none (a *plain number*). A value decision has its declared type's (``type: money`` with
its currency, ``type: percent``), else its formula's. Number literals have no unit of
their own: they take the unit of what they meet.

- ``+``, ``-``, comparisons, ``between``, ``min`` and ``max`` need the same unit on both
  sides (PR724 for ``+``/``-``, ``min``/``max``; PR725 for comparisons). A plain number
  agrees with a declared ``unit:``, because only one side says what it counts; it does not
  agree with money or percent.
- ``*`` and ``/`` combine units: money × number is money, points × days is points·days;
  percent and plain numbers only scale (``amount * rate_pct / 100`` is money). A product or
  quotient whose units cancel (money / money, count × percent) is a pure ratio and, like a
  literal, fits any unit.
- ``abs``, ``round_*`` and unary minus keep the unit. Anything else (dates, calls such as
  ``days_between``) has no known unit, and nothing is claimed about it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .. import ir
from ..errors import RulesetError
from ..facts import FactType
from ..loader import Document
from ..model import RulesetModel, expression_offset
from ..wording import expr_text

__all__ = ["CODES", "SCHEMA_COMMENT", "Unit", "ruleset_lints", "unit_of"]

CODES = {
    "unused_fact": "PR720",
    "unused_param": "PR721",
    "unused_list": "PR722",
    "schema_comment": "PR723",
    "unit_arith": "PR724",
    "unit_compare": "PR725",
}
SCHEMA_COMMENT = "# yaml-language-server: $schema="

Unit = tuple[tuple[str, int], ...]
"""A unit: sorted (base unit, exponent) pairs, e.g. ``(("money CNY", 1),)``. None stands
for no unit of its own (a literal, a pure ratio, or a value whose unit is not known)."""

_PERCENT: Unit = (("percent", 1),)
_PLAIN: Unit = (("number", 1),)
_SCALARS = frozenset({"percent", "number"})  # they only scale in a product
_KEEP = frozenset({"abs", "round_half_up", "round_half_even", "round_down", "round_up"})


def ruleset_lints(model: RulesetModel, doc: Document, checked: Mapping[str, ir.Decision],
                  *, from_file: bool = False) -> list[RulesetError]:
    """Every whole-ruleset warning: unused declarations, the schema comment (``from_file``:
    the ruleset was read from a file) and unit mismatches, in file order."""
    out = unused(model, doc, checked)
    if from_file and doc.schema_comment is None:
        out.append(doc.error(
            "the file has no schema comment (add "
            f"'{SCHEMA_COMMENT}../schema/ruleset.schema.json' as its first line, with the "
            "path to schema/ruleset.schema.json relative to the file, so that editors check "
            "the ruleset as you type)", CODES["schema_comment"], ()))
    out += _UnitLinter(model, doc, checked).findings()
    out.sort(key=lambda e: (e.line or 0, e.column or 0))
    return out


# -- unused declarations --------------------------------------------------------------------


def used_names(model: RulesetModel, checked: Mapping[str, ir.Decision]) -> set[str]:
    """Every fact, parameter and list a decision's expressions name, and every parameter
    another parameter's bound names."""
    names: set[str] = set()
    for decision in checked.values():
        for _, expr in ir.expressions(decision):
            for node in ir.walk_expr(expr.tree):
                if isinstance(node, (ir.FactRef, ir.ParamRef, ir.ListRef)):
                    names.add(node.name)
    for param in model.params.values():
        names.update(ref for ref in (param.minimum_ref, param.maximum_ref) if ref)
    return names


def unused(model: RulesetModel, doc: Document, checked: Mapping[str, ir.Decision]
           ) -> list[RulesetError]:
    """PR720 (facts), PR721 (parameters), PR722 (lists) that no decision uses."""
    used = used_names(model, checked)
    out: list[RulesetError] = []
    sections: tuple[tuple[str, str, str, Mapping[str, Any]], ...] = (
        ("facts", "fact", CODES["unused_fact"], model.facts),
        ("params", "parameter", CODES["unused_param"], model.params),
        ("lists", "list", CODES["unused_list"], model.lists))
    for section, what, code, declared in sections:
        for name, decl in declared.items():
            if name not in used and getattr(decl, "unused", None) is None:
                out.append(doc.error(
                    f"{what} '{name}' is declared but no decision uses it (remove it, or "
                    "write the rule that reads it)", code, (section, name), at_key=True))
    return out


# -- units ------------------------------------------------------------------------------------


def _declared(f: FactType) -> Unit | None:
    """The unit of a declared fact or parameter (None: not a quantity)."""
    if f.kind == "money":
        return ((f"money {f.currency}", 1),)
    if f.kind == "percent":
        return _PERCENT
    if f.kind in ("number", "integer"):
        return ((f"unit {f.unit}", 1),) if f.unit else _PLAIN
    return None


def describe(unit: Unit) -> str:
    """A unit as messages name it: ``money (CNY)``, ``percent``, ``a plain number``."""
    parts = []
    for base, exp in unit:
        kind, _, name = base.partition(" ")
        word = {"money": f"money ({name})", "unit": name, "percent": "percent",
                "number": "a plain number"}[kind]
        parts.append(word if exp == 1 else f"{word}^{exp}")
    return " × ".join(parts)


def _agree(a: Unit | None, b: Unit | None) -> bool:
    if a is None or b is None or a == b:
        return True
    declared = {a, b} - {_PLAIN}
    return len(declared) == 1 and next(iter(declared))[0][0].startswith("unit ") and len(
        next(iter(declared))) == 1


def _combine(a: Unit, b: Unit, sign: int) -> Unit | None:
    powers: dict[str, int] = {}
    for base, exp in a:
        if base not in _SCALARS:
            powers[base] = powers.get(base, 0) + exp
    for base, exp in b:
        if base not in _SCALARS:
            powers[base] = powers.get(base, 0) + sign * exp
    result = tuple(sorted((k, v) for k, v in powers.items() if v))
    return result or None


@attrs.frozen
class _Mismatch:
    node: ir.Expr
    left: ir.Expr
    right: ir.Expr
    units: tuple[Unit, Unit]
    compare: bool


def unit_of(node: ir.Expr, params: Mapping[str, FactType],
            decision_unit: Any = None, found: list[_Mismatch] | None = None) -> Unit | None:
    """The unit of an expression by the unit algebra (None: no unit of its own).
    ``decision_unit(name)`` gives a value decision's unit; ``found`` collects mismatches."""
    sink: list[_Mismatch] = [] if found is None else found

    def of(e: ir.Expr) -> Unit | None:
        return unit_of(e, params, decision_unit, sink)

    def need(e: ir.Expr, left: ir.Expr, right: ir.Expr, compare: bool) -> Unit | None:
        a, b = of(left), of(right)
        if not _agree(a, b):
            assert a is not None and b is not None
            sink.append(_Mismatch(e, left, right, (a, b), compare))
            return None
        return a if b is None or b == _PLAIN else b

    if isinstance(node, ir.FactRef):
        return _declared(node.fact)
    if isinstance(node, ir.ParamRef):
        param = params.get(node.name)
        return _declared(param) if param is not None else None
    if isinstance(node, ir.DecisionValue):
        return None if node.passfail or decision_unit is None else decision_unit(node.decision)
    if isinstance(node, ir.Unary):
        unit = of(node.operand)
        return unit if node.op == "-" else None
    if isinstance(node, ir.Arith):
        if node.op in ("+", "-"):
            return need(node, node.left, node.right, False)
        a, b = of(node.left), of(node.right)
        if a is None or b is None:
            return (a or b) if node.op == "*" or b is None else None
        return _combine(a, b, 1 if node.op == "*" else -1)
    if isinstance(node, ir.Compare):
        need(node, node.left, node.right, True)
        return None
    if isinstance(node, ir.Between):
        need(node, node.value, node.low, True)
        need(node, node.value, node.high, True)
        return None
    if isinstance(node, ir.Call):
        if node.func in ("min", "max") and node.args:
            unit = of(node.args[0])
            for arg in node.args[1:]:
                if not _agree(unit, other := of(arg)):
                    assert unit is not None and other is not None
                    sink.append(_Mismatch(node, node.args[0], arg, (unit, other), False))
                    return None
                unit = unit if other is None or other == _PLAIN else other
            return unit
        for arg in node.args:
            of(arg)  # mismatches inside the arguments
        return of(node.args[0]) if node.func in _KEEP and node.args else None
    for sub in ir.operands(node):  # and, or, not, membership: look inside only
        of(sub)
    return None


class _UnitLinter:
    def __init__(self, model: RulesetModel, doc: Document,
                 checked: Mapping[str, ir.Decision]) -> None:
        self.params = {name: p.type for name, p in model.params.items()}
        self.doc = doc
        self.checked = checked
        self.units: dict[str, Unit | None] = {}

    def decision_unit(self, did: str) -> Unit | None:
        """The unit of a value decision: its declared type's, else its formula's."""
        if did in self.units:
            return self.units[did]
        self.units[did] = None  # cycles are errors already; never recurse forever
        d = self.checked.get(did)
        unit: Unit | None = None
        if d is not None:
            if d.type == ir.OutputType.MONEY or (d.ty is not None and d.ty.kind == "money"):
                currency = d.currency or (d.ty.currency if d.ty is not None else None)
                unit = ((f"money {currency}", 1),)
            elif d.type == ir.OutputType.PERCENT:
                unit = _PERCENT
            elif isinstance(d.value, ir.Compute):
                unit = unit_of(d.value.expr.tree, self.params, self.decision_unit)
        self.units[did] = unit
        return unit

    def expressions(self) -> Iterator[ir.TypedExpr]:
        for decision in self.checked.values():
            for _, expr in ir.expressions(decision):
                yield expr

    def findings(self) -> list[RulesetError]:
        out: list[RulesetError] = []
        for expr in self.expressions():
            found: list[_Mismatch] = []
            unit_of(expr.tree, self.params, self.decision_unit, found)
            for m in found:
                out.append(self.warning(expr, m))
        return out

    def warning(self, expr: ir.TypedExpr, m: _Mismatch) -> RulesetError:
        (a, b) = m.units
        left, right = expr_text(m.left), expr_text(m.right)
        if isinstance(m.node, ir.Arith):
            verb = "adds" if m.node.op == "+" else "subtracts"
            what = (f"{verb} {describe(b)} ({right}) {'to' if verb == 'adds' else 'from'} "
                    f"{describe(a)} ({left})")
            code = CODES["unit_arith"]
        elif isinstance(m.node, ir.Call):
            what = f"takes the {m.node.func} of {describe(a)} ({left}) and {describe(b)} ({right})"
            code = CODES["unit_arith"]
        else:
            what = f"compares {describe(a)} ({left}) with {describe(b)} ({right})"
            code = CODES["unit_compare"]
        if _PERCENT in (a, b) and any(u[0][0].startswith("money") for u in (a, b)):
            hint = "apply a percent to an amount with amount * pct / 100"
        else:
            hint = ("the two sides need the same unit: convert one, e.g. with a rate, or "
                    "correct a declared currency or unit")
        offset = expression_offset(self.doc, expr.path, expr.text, m.node.pos)
        return self.doc.error(f"'{expr.text}' {what} ({hint})", code, expr.path,
                              offset=offset)
