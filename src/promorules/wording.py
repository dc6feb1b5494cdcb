"""Beside the pipeline, after the IR: how rules, values and expressions are worded for people.

One module answers "how is this written for a reader" for every consumer that shows a
ruleset or a result: ``diff``, the policy sheets and ``explain``. Numbers with thousands
separators and exact decimals, values with their unit, a relative gap as a percentage,
literals, rounding, and the IR's typed expressions, rules and values, written back as
text (parameters, lists and enum or ordinal symbols by the names the ruleset gives them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import ir
from .facts import FactType, display_value

__all__ = [
    "WRITER",
    "ExprWriter",
    "cell_text",
    "display_number",
    "expr_text",
    "literal_text",
    "number_text",
    "percent_text",
    "rounding_text",
    "rounding_words",
    "row_output_text",
    "rule_summary",
    "spec_text",
    "sub_rules",
    "unit_of",
    "value_text",
    "with_unit",
    "written",
]

# -- values ------------------------------------------------------------------------------


def literal_text(value: Any) -> str:
    """A literal value of a ruleset (a table's ``then``, a case ``value``) as text."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {literal_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _grouped(value: Any) -> str | None:
    """A number with thousands separators, Decimals with their places; None: not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return format(value, ",") if isinstance(value, int) else format(value, ",f")


def number_text(value: Any) -> str:
    """``10000`` -> ``10,000``; Decimals keep their places; other values as literals."""
    text = _grouped(value)
    return literal_text(value) if text is None else text


def display_number(value: Any) -> str:
    """A value as an explanation shows it: numbers thousands-separated with exact decimals
    (``9,000.00``), other values as :func:`promorules.facts.display_value` writes them
    (``missing`` for None)."""
    text = _grouped(value)
    return display_value(value) if text is None else text


def with_unit(value: Any, unit: str | None) -> str:
    """A value with its unit: ``9,000.00 CNY``, ``12%``, ``3``."""
    text = display_number(value)
    if unit == "%":
        return text + "%"
    return f"{text} {unit}" if unit else text


def unit_of(ft: FactType | None) -> str | None:
    """The unit a declared type's values are shown with: the currency of money, ``%``."""
    if ft is not None and ft.kind == "money" and ft.currency:
        return ft.currency
    if ft is not None and ft.kind == "percent":
        return "%"
    return None


def value_text(value: Any, ft: FactType | None) -> str:
    """A value of a declared type with its unit: ``10,000 CNY``, ``5%``."""
    return with_unit(value, unit_of(ft))


def percent_text(fraction: Decimal) -> str:
    """A relative gap as a short percentage: 0.0003%, 1.2%, 40%, >1000%."""
    pct = fraction * 100
    if pct >= 1000:
        return ">1000%"
    if pct >= 10:
        return f"{pct.quantize(Decimal(1))}%"
    text = f"{pct:.2g}" if pct else "0"
    if "e" in text:
        text = format(Decimal(text), "f")
    return f"{text}%"


def rounding_text(rounding: ir.Rounding | None) -> str:
    """Rounding in short: ``2 places, half_up`` (empty for none)."""
    if rounding is None:
        return ""
    return f"{rounding.places} places, {rounding.mode}"


def rounding_words(rounding: ir.Rounding | None) -> str:
    """Rounding in words: ``2 decimal places (half up)``, ``no rounding``."""
    if rounding is None:
        return "no rounding"
    places = rounding.places
    return f"{places} decimal place{'s' * (places != 1)} ({rounding.mode.replace('_', ' ')})"


# -- expressions -------------------------------------------------------------------------

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}
_ATOM = 100


def _escaped(text: str) -> str:
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\t", "\\t")) + '"'


def _scalar(value: Any, ty: ir.Ty | None, quote: bool = True) -> str:
    """One constant; an enum or ordinal value by its symbol (an ordinal's is its position)."""
    if ty is not None and ty.kind in ("enum", "ordinal") and ty.scale is not None:
        if ty.kind == "ordinal" and isinstance(value, int) and 0 <= value < len(
                ty.scale.values):
            return ty.scale.values[value]
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _escaped(value) if quote else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class ExprWriter(ir.ExprVisitor[str]):
    """A typed expression as canonical text (the condition language, spaced and
    parenthesised as needed), names and enum/ordinal symbols as the ruleset writes them."""

    @staticmethod
    def precedence(node: ir.Expr) -> int:
        if isinstance(node, (ir.Logic, ir.Arith)):
            return _PRECEDENCE[node.op]
        if isinstance(node, ir.Unary):
            return _PRECEDENCE["not"] if node.op == "not" else _PRECEDENCE["neg"]
        if isinstance(node, (ir.Compare, ir.Membership, ir.Between)):
            return _PRECEDENCE["cmp"]
        return _ATOM

    def wrap(self, node: ir.Expr, min_prec: int) -> str:
        """``node`` as an operand needing at least ``min_prec`` (else parenthesised)."""
        text = self.visit(node)
        return f"({text})" if self.precedence(node) < min_prec else text

    def operand(self, node: ir.Expr) -> str:
        """A comparison's operand (one side of ``==``, ``in``, ``between``)."""
        return self.wrap(node, _PRECEDENCE["cmp"] + 1)

    def visit_const(self, node: ir.Const) -> str:
        if node.text is not None:
            return node.text
        if isinstance(node.value, tuple):
            return "[" + ", ".join(_scalar(v, node.ty.item) for v in node.value) + "]"
        return _scalar(node.value, node.ty)

    def visit_fact(self, node: ir.FactRef) -> str:
        return node.name

    def visit_param(self, node: ir.ParamRef) -> str:
        return node.name

    def visit_list(self, node: ir.ListRef) -> str:
        return node.name

    def visit_decision_value(self, node: ir.DecisionValue) -> str:
        return node.decision

    def visit_as_of(self, node: ir.AsOf) -> str:
        return "as_of"

    def visit_today(self, node: ir.Today) -> str:
        return "today"

    def visit_unary(self, node: ir.Unary) -> str:
        if node.op == "not":
            return "not " + self.wrap(node.operand, _PRECEDENCE["not"])
        return "-" + self.wrap(node.operand, _PRECEDENCE["neg"])

    def binary(self, op: str, left: ir.Expr, right: ir.Expr) -> str:
        p = _PRECEDENCE[op]  # left-associative: equal precedence on the right is wrapped
        return f"{self.wrap(left, p)} {op} {self.wrap(right, p + 1)}"

    def visit_arith(self, node: ir.Arith) -> str:
        return self.binary(node.op, node.left, node.right)

    def visit_logic(self, node: ir.Logic) -> str:
        return self.binary(node.op, node.left, node.right)

    def visit_compare(self, node: ir.Compare) -> str:
        return f"{self.operand(node.left)} {node.op} {self.operand(node.right)}"

    def visit_membership(self, node: ir.Membership) -> str:
        return f"{self.operand(node.left)} {node.op} {self.operand(node.right)}"

    def visit_between(self, node: ir.Between) -> str:
        return (f"{self.operand(node.value)} between {self.operand(node.low)} and "
                f"{self.operand(node.high)}")

    def visit_call(self, node: ir.Call) -> str:
        return f"{node.func}(" + ", ".join(self.visit(a) for a in node.args) + ")"


WRITER = ExprWriter()


def expr_text(expr: ir.TypedExpr | ir.Expr | None) -> str:
    """Canonical text of an expression (how it is formatted in the YAML does not matter)."""
    if expr is None:
        return ""
    return WRITER.visit(expr.tree if isinstance(expr, ir.TypedExpr) else expr)


def written(expr: ir.TypedExpr | None) -> str:
    """An expression as the ruleset writes it (whitespace folded), for readers."""
    return " ".join(expr.text.split()) if expr is not None else ""


def cell_text(cell: ir.Expr | None) -> str:
    """A decision-table cell as written: ``-``, a value, a list, ``>= 10``, a range
    ``[1..10)``, tests separated by commas (``< 18, >= 60``) or ``not(...)``."""
    if cell is None:
        return "-"
    if isinstance(cell, ir.Compare) and cell.op == "==" and isinstance(cell.right, ir.Const) \
            and not isinstance(cell.right.value, tuple):
        right = cell.right
        return right.text if right.text is not None else _scalar(right.value, right.ty, False)
    if isinstance(cell, ir.Membership) and cell.op == "in" and isinstance(
            cell.right, ir.Const) and cell.right.text is None:
        item = cell.right.ty.item
        return "[" + ", ".join(_scalar(v, item, False) for v in cell.right.value) + "]"
    if isinstance(cell, (ir.Compare, ir.Membership)):
        return f"{cell.op} {WRITER.operand(cell.right)}"
    if isinstance(cell, ir.Logic) and cell.op == "or":
        return f"{cell_text(cell.left)}, {cell_text(cell.right)}"
    if isinstance(cell, ir.Unary) and cell.op == "not":
        return f"not({cell_text(cell.operand)})"
    ends = _range_ends(cell)
    if ends is not None:
        low, high = ends
        opener = "[" if low.op == ">=" else "("
        closer = "]" if high.op == "<=" else ")"
        return f"{opener}{WRITER.operand(low.right)}..{WRITER.operand(high.right)}{closer}"
    return WRITER.visit(cell)


def row_output_text(row: ir.Row, table: ir.Table) -> str:
    """A table row's output as written: its literal, ``= formula`` for a computed cell,
    and a mapping ``{status: Approved, fee: = loan * 0.01}`` for several outputs."""
    def cell(o: ir.Literal | ir.Compute) -> str:
        return literal_text(o.value) if isinstance(o, ir.Literal) else f"= {written(o.expr)}"
    if not row.outputs:
        return literal_text(row.then)
    if not table.named:
        return cell(row.outputs[0])
    return "{" + ", ".join(f"{o.name}: {cell(c)}" for o, c in zip(
        table.outputs, row.outputs, strict=True)) + "}"


def _range_ends(cell: ir.Expr) -> tuple[ir.Compare, ir.Compare] | None:
    """A range cell's two comparisons (low end, high end), or None."""
    if not (isinstance(cell, ir.Logic) and cell.op == "and"):
        return None
    low, high = cell.left, cell.right
    if (isinstance(low, ir.Compare) and low.op in (">=", ">") and isinstance(high, ir.Compare)
            and high.op in ("<=", "<") and low.left == high.left):
        return low, high
    return None


# -- rules and values --------------------------------------------------------------------


def sub_rules(rule: ir.Rule) -> tuple[ir.Rule, ...]:
    """The rules a group (all, any, not) holds; none for the other kinds."""
    if isinstance(rule, (ir.All, ir.Any, ir.Not)):
        return rule.children
    return ()


class _RuleWords(ir.Visitor[str]):
    def visit_check(self, node: ir.Check) -> str:
        return f"check {expr_text(node.expr)}"

    def visit_all(self, node: ir.All) -> str:
        return "all of " + ", ".join(c.id for c in node.children)

    def visit_any(self, node: ir.Any) -> str:
        return "any of " + ", ".join(c.id for c in node.children)

    def visit_not(self, node: ir.Not) -> str:
        return "not " + node.child.id

    def visit_decision_ref(self, node: ir.DecisionRef) -> str:
        return f"decision {node.decision}"

    def visit_tier_ref(self, node: ir.TierRef) -> str:
        return f"tier {node.tier}"


_RULE_WORDS = _RuleWords()


def rule_summary(rule: ir.Rule) -> str:
    """What a rule checks, in one line: ``check x >= 3000``, ``any of a, b``."""
    text = _RULE_WORDS.visit(rule)
    if rule.applies_when is not None:
        text += f" (applies when {expr_text(rule.applies_when)})"
    if rule.severity != ir.Severity.ERROR:
        text += f" [{rule.severity}]"
    return text


class _ValueWords(ir.Visitor[str]):
    """A one-line summary of how a value is computed."""

    def default(self, default: ir.Literal | None) -> str:
        return f" (default {self.visit(default)})" if default is not None else ""

    def visit_literal(self, node: ir.Literal) -> str:
        return literal_text(node.value)

    def visit_compute(self, node: ir.Compute) -> str:
        return expr_text(node.expr)

    def visit_case(self, node: ir.Case) -> str:
        return f"when {expr_text(node.when)}: {self.visit(node.value)}"

    def visit_default(self, node: ir.Default) -> str:
        return f"otherwise {self.visit(node.value)}"

    def visit_cases(self, node: ir.Cases) -> str:
        parts = [self.visit(c) for c in node.cases]
        if node.default is not None:
            parts.append(self.visit(node.default))
        return "; ".join(parts)

    def visit_item(self, node: ir.Item) -> str:
        return f"{self.visit(node.value)} if {expr_text(node.when)}"

    def visit_collect(self, node: ir.Collect) -> str:
        return "collect " + "; ".join(self.visit(i) for i in node.items)

    def visit_lookup(self, node: ir.Lookup) -> str:
        table = {node.written[k]: v for k, v in node.table.items()}
        return f"lookup {expr_text(node.key)} in {literal_text(table)}" + self.default(
            node.default)

    def visit_field(self, node: ir.Field) -> str:
        return f"{node.name}: {self.visit(node.value)}"

    def visit_fields(self, node: ir.Fields) -> str:
        return "{" + ", ".join(self.visit(f) for f in node.fields) + "}"

    def visit_tiers(self, node: ir.Tiers) -> str:
        return "highest of " + " < ".join(t.id for t in node.tiers) + self.default(
            node.default)

    def visit_table(self, node: ir.Table) -> str:
        policy = str(node.hit_policy) + (f" {node.aggregation}" if node.aggregation else "")
        outputs = ""
        if node.named or any(o.values is not None for o in node.outputs):
            outputs = " -> " + ", ".join(
                (o.name or "output") + (f" in {literal_text(o.values)}" if o.values else "")
                for o in node.outputs)
        return (f"table ({policy}) on " + ", ".join(expr_text(i) for i in node.inputs)
                + outputs + f": {len(node.rows)} rows" + self.default(node.default))

    def visit_part(self, node: ir.Part) -> str:
        return f"{node.name} {node.percent}%"

    def visit_split(self, node: ir.Split) -> str:
        shares = ", ".join(self.visit(p) for p in node.parts)
        return (f"split {expr_text(node.amount)}: {shares} "
                f"(round {rounding_text(node.rounding)})")


_VALUE_WORDS = _ValueWords()


def spec_text(value: ir.Value | ir.Case | ir.Item | ir.Part | None) -> str:
    """A one-line summary of how a value (or one part of it) is computed; ``none``."""
    return "none" if value is None else _VALUE_WORDS.visit(value)
