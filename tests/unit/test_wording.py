"""promorules.wording: how numbers, values, expressions, rules and values are written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import promorules
from promorules import ir
from promorules.expressions import parse
from promorules.expressions.ast import unparse
from promorules.wording import (
    cell_text,
    display_number,
    expr_text,
    literal_text,
    number_text,
    percent_text,
    rounding_text,
    rounding_words,
    rule_summary,
    spec_text,
    with_unit,
)

RULESETS = Path(__file__).resolve().parents[2] / "rulesets"

RULESET = """\
id: words
version: 1.0.0
title: {en: Words, zh: 文字}
timezone: Asia/Shanghai
sources:
  "1": {file: one.txt, title: One}
facts:
  level: {type: ordinal, values: [none, A, AA]}
  tier: {type: enum, values: [gold, silver]}
  x: {type: number}
  y: {type: number}
  name: {type: string}
params:
  floor: {type: number, default: 10}
  ceiling: {type: number, default: 20, min: floor}
decisions:
  ok:
    description: {en: ok, zh: 好}
    all:
      - id: math
        description: {en: m, zh: m}
        source: "1 §1"
        check: (x+y)*2 >= floor and not (x - (y - 1) < 0 or tier == "gold")
        applies_when: present(x)
        severity: warning
      - id: levels
        description: {en: l, zh: l}
        source: "1 §2"
        check: level in [AA, A] and level >= A
  channel:
    description: {en: c, zh: c}
    table:
      hit_policy: first
      inputs: [tier, level, x]
      rows:
        - {id: r1, when: [[gold, silver], A, ">= 3"], then: direct}
        - {id: r2, when: ["-", [none, AA], 5], then: [a, b]}
  price:
    description: {en: p, zh: p}
    round: {places: 2, mode: half_up}
    cases:
      - {when: tier == gold, compute: x * 0.9}
    default: 1
"""


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(RULESET)


def test_numbers_and_units() -> None:
    assert number_text(10000) == "10,000"
    assert number_text(Decimal("9000.50")) == "9,000.50"
    assert number_text(True) == "true" and number_text(None) == "null"
    assert display_number(Decimal("1234.5")) == "1,234.5"
    assert display_number(None) == "missing"
    assert with_unit(Decimal("9000.00"), "CNY") == "9,000.00 CNY"
    assert with_unit(12, "%") == "12%" and with_unit(3, None) == "3"
    assert [percent_text(Decimal(f)) for f in ("0.000003", "0.012", "0.4", "11")] == [
        "0.00030%", "1.2%", "40%", ">1000%"]
    assert percent_text(Decimal(0)) == "0%"


def test_literals_and_rounding(rs: promorules.Ruleset) -> None:
    assert literal_text({"a": [1, True, None], "d": dt.date(2024, 1, 2)}) == \
        "{a: [1, true, null], d: 2024-01-02}"
    rounding = rs.ir.decisions["price"].rounding
    assert rounding_text(rounding) == "2 places, half_up"
    assert rounding_words(rounding) == "2 decimal places (half up)"
    assert rounding_words(None) == "no rounding" and rounding_text(None) == ""


def test_expressions_keep_names_symbols_and_precedence(rs: promorules.Ruleset) -> None:
    root = rs.ir.decisions["ok"].rule
    assert isinstance(root, ir.All)
    math, levels = root.children
    assert isinstance(math, ir.Check) and isinstance(levels, ir.Check)
    assert expr_text(math.expr) == ("(x + y) * 2 >= floor and not (x - (y - 1) < 0 or "
                                    "tier == gold)")
    assert expr_text(levels.expr) == "level in [AA, A] and level >= A"
    assert rule_summary(math) == ("check (x + y) * 2 >= floor and not (x - (y - 1) < 0 or "
                                  "tier == gold) (applies when present(x)) [warning]")
    assert rule_summary(root) == "all of math, levels"


def test_table_cells_and_value_summaries(rs: promorules.Ruleset) -> None:
    table = rs.ir.decisions["channel"].value
    assert isinstance(table, ir.Table)
    assert [[cell_text(c) for c in r.cells] for r in table.rows] == [
        ["[gold, silver]", "A", ">= 3"], ["-", "[none, AA]", "5"]]
    assert spec_text(table) == "table (first) on tier, level, x: 2 rows"
    assert spec_text(rs.ir.decisions["price"].value) == \
        "when tier == gold: x * 0.9; otherwise 1"
    assert spec_text(None) == "none"


def _exprs(node: object) -> list[ir.TypedExpr]:
    if isinstance(node, ir.TypedExpr):
        return [node]
    if isinstance(node, (tuple, list)):
        return [e for x in node for e in _exprs(x)]
    if attrs.has(type(node)):
        return [e for f in attrs.fields(type(node)) for e in _exprs(getattr(node, f.name))]
    return []


def _symbolic(tree: ir.Expr) -> bool:
    """Whether an expression holds an enum/ordinal symbol or a date-time constant (which
    the writer writes unquoted and as an instant with its offset)."""
    found = False

    class Walk(ir.ExprVisitor[None]):
        def visit_const(self, node: ir.Const) -> None:
            nonlocal found
            item = node.ty.item
            found = found or node.text is not None or node.ty.kind in (
                "datetime", "enum", "ordinal") or (item is not None and item.kind in (
                    "enum", "ordinal"))

        def generic_visit(self, node: ir.Expr) -> None:
            for name in ("operand", "left", "right", "value", "low", "high"):
                child = getattr(node, name, None)
                if isinstance(child, ir.Expr):  # a ParamRef's value is not
                    self.visit(child)
            for arg in getattr(node, "args", ()):
                self.visit(arg)

    Walk().visit(tree)
    return found


def test_the_writer_writes_every_shipped_expression_canonically() -> None:
    plain = symbolic = 0
    for path in sorted(RULESETS.glob("*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        rs = promorules.load(path)
        for decision in rs.ir.decisions.values():
            for te in _exprs(decision):
                text = expr_text(te)
                assert unparse(parse(text)) == text, text  # canonical: a fixed point
                if _symbolic(te.tree):
                    symbolic += 1
                else:
                    plain += 1
                    assert text == unparse(te.syntax)
    assert plain > 50 and symbolic > 5
