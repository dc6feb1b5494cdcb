"""Pipeline stage 4a (checking), whole-value analyses over the typed IR of a decision:
decision tables (PR311 overlapping rows under ``unique``, PR702 uncovered input
combinations), tiers (PR701 a higher tier that is easier to reach), and the declared output
type and money rounding (PR401), and rounded values compared (PR703).

They run on each decision's IR as the checking stage finishes it, and read only the IR:
parameters by their value in force, enum and ordinal symbols as the resolved ``Const``\\s,
table rows by their typed cells. They walk it with :mod:`promorules.ir.walk` only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from .. import ir
from ..errors import RulesetError
from ..ir import DecisionKind, OutputType, TyKind
from ..loader import Document
from ..wording import expr_text
from .table_lints import table_problems

__all__ = ["Findings", "check_money_rounding", "check_output", "rounded_comparisons",
           "value_findings"]

Findings = tuple[list[RulesetError], list[RulesetError]]
"""(errors, warnings) of one analysis."""

_ORDERED = ("<", "<=", ">", ">=")


def value_findings(doc: Document, decision: ir.Decision) -> Findings:
    """(errors, warnings) of every table and tiers value of ``decision`` (its value or
    output, fields included): PR311 errors, PR702 and PR701 warnings."""
    errors: list[RulesetError] = []
    warnings: list[RulesetError] = []
    for value in ir.values(decision):
        if isinstance(value, ir.Table):
            found, lints = table_problems(doc, value)
            errors += found
            warnings += lints
        elif isinstance(value, ir.Tiers):
            warnings += lint_tiers(doc, value)
    return errors, warnings


# -- tiers --------------------------------------------------------------------------------


def _threshold(node: ir.Expr) -> int | Decimal | None:
    """The value of a number literal or a parameter (its value in force), else None."""
    if isinstance(node, ir.ParamRef):
        return node.value
    if isinstance(node, ir.Const) and node.ty.kind == TyKind.NUMBER and isinstance(
            node.value, (int, Decimal)) and not isinstance(node.value, bool):
        return node.value
    return None


def lint_tiers(doc: Document, tiers: ir.Tiers) -> list[RulesetError]:
    """PR701: a higher tier asking less than a lower one on the same comparison."""
    out: list[RulesetError] = []
    asks: list[dict[tuple[str, str], tuple[int | Decimal, ir.Check]]] = []
    for tier in tiers.tiers:
        found: dict[tuple[str, str], tuple[int | Decimal, ir.Check]] = {}
        for leaf in ir.rules(tier.rule):
            if not isinstance(leaf, ir.Check):
                continue
            tree = leaf.expr.tree
            if isinstance(tree, ir.Compare) and tree.op in _ORDERED:
                value = _threshold(tree.right)
                if value is not None:
                    found[(expr_text(tree.left), tree.op)] = (value, leaf)
        asks.append(found)
    for hi in range(1, len(tiers.tiers)):
        for lo in range(hi):
            for key, (value, leaf) in asks[hi].items():
                if key not in asks[lo]:
                    continue
                lower = asks[lo][key][0]
                weaker = value < lower if key[1] in (">=", ">") else value > lower
                if weaker:
                    out.append(doc.error(
                        f"tier '{tiers.tiers[hi].id}' asks {key[0]} {key[1]} {value}, less "
                        f"than the lower tier '{tiers.tiers[lo].id}' ({key[1]} {lower}): a "
                        "higher tier should not be easier to reach", "PR701",
                        (*leaf.path, "check")))
    return out


# -- the declared type and money rounding (value decisions) -------------------------------


def _may_split_cents(node: ir.Expr) -> bool:
    """``*`` or ``/`` that can give fractions of a cent (money × a whole number cannot)."""
    if not isinstance(node, ir.Arith) or node.op not in ("*", "/"):
        return False
    whole = [s for s in (node.left, node.right) if isinstance(s, ir.Const)
             and s.ty.kind == TyKind.NUMBER and isinstance(s.value, int)
             and not isinstance(s.value, bool)]
    return node.op == "/" or not whole


def _splits_cents(node: ir.Expr) -> bool:
    """Whether ``node`` may split cents outside an explicit ``round_*`` call."""
    if isinstance(node, ir.Call) and node.func.startswith("round_"):
        return False
    return _may_split_cents(node) or any(_splits_cents(o) for o in ir.operands(node))


def _computes(value: ir.Value) -> Iterator[ir.TypedExpr]:
    """The formulas a value is computed by: its own, or its cases' and items'."""
    for part in ir.values(value):
        if isinstance(part, ir.Compute):
            yield part.expr


def check_money_rounding(doc: Document, d: ir.Decision) -> None:
    """Money is never rounded implicitly: a money value computed with * or / (which can
    produce fractions of a cent) must say how it is rounded."""
    if d.kind != DecisionKind.VALUE or d.rounding is not None or d.value is None:
        return
    if d.type != OutputType.MONEY and d.value.ty.kind != TyKind.MONEY:
        return
    if any(_splits_cents(expr.tree) for expr in _computes(d.value)):
        raise doc.error(
            f"decision '{d.id}' computes money with '*' or '/', which can give fractions "
            "of a cent: declare how to round it, e.g. round: {places: 2, mode: half_up}",
            "PR401", (*d.path, "compute"))


def check_output(doc: Document, d: ir.Decision) -> None:
    """A value decision's value agrees with its declared ``type:``."""
    if d.kind != DecisionKind.VALUE or d.type is None or d.value is None:
        return
    ty = d.value.ty
    if ty.kind == TyKind.ANY:
        return
    want = {"boolean": "bool", "integer": "number", "percent": "number"}.get(d.type, d.type)
    if want == "money" and ty.kind == TyKind.NUMBER:
        return  # a bare number can be declared money (its currency comes from `currency`)
    if ty.kind != want:
        raise doc.error(f"decision '{d.id}' declares type {d.type} but computes "
                        f"{ty.describe()}", "PR401", (*d.path, "type"))


# -- rounded values feeding a comparison (PR703) -------------------------------------------


def is_rounded(decision: ir.Decision) -> bool:
    """A value decision whose value is rounded (``round:``, on it or on a computed part)."""
    if decision.rounding is not None:
        return True
    return decision.value is not None and any(
        isinstance(v, ir.Compute) and v.rounding is not None for v in ir.values(decision.value))


def _rounded_source(node: ir.Expr, checked: Mapping[str, ir.Decision]) -> str | None:
    """What makes a compared operand a rounded value: a ``round_*`` call, or a rounded
    value decision read by name (None: nothing rounded)."""
    for e in ir.walk_expr(node):
        if isinstance(e, ir.Call) and e.func.startswith("round_"):
            return f"{e.func}(...)"
        if isinstance(e, ir.DecisionValue) and not e.passfail:
            used = checked.get(e.decision)
            if used is not None and is_rounded(used):
                return f"decision '{e.decision}' (declared with round:)"
    return None


def rounded_comparisons(doc: Document, decision: ir.Decision,
                        checked: Mapping[str, ir.Decision]) -> list[RulesetError]:
    """PR703: a rounded derived value compared (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``,
    ``between``). Compare the exact value; rounding is for display. ``checked``: the
    decisions already checked (every decision this one reads is)."""
    out: list[RulesetError] = []
    for _, expr in ir.expressions(decision):
        for e in ir.walk_expr(expr.tree):
            sides: tuple[ir.Expr, ...] = ()
            if isinstance(e, ir.Compare):
                sides = (e.left, e.right)
            elif isinstance(e, ir.Between):
                sides = (e.value, e.low, e.high)
            found = next((r for r in (_rounded_source(x, checked) for x in sides) if r), None)
            if found is not None:
                out.append(doc.error(
                    f"'{expr.text}' compares a rounded value, {found}: compare the exact "
                    "value (rounding is for display), or round here only where the document "
                    "itself rounds before comparing", "PR703", expr.path))
                break
    return out
