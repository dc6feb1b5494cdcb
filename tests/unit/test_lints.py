"""The lints (PR311, PR702, PR701) are visitors over the typed IR: they read the values the
checking stage resolved (parameters in force, symbols as constants, typed table cells), not
the model or its expression syntax."""

from __future__ import annotations

import ast
from pathlib import Path

import attrs

import promorules
from promorules import ir
from promorules.compiler import lints
from promorules.loader import parse_yaml

LINTS_SOURCE = Path(lints.__file__)

RULESET = """\
id: lints
version: 1.0.0
title: {en: Lints, zh: 检查}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  x: {type: number}
  color: {type: enum, values: [red, green, blue]}
params:
  silver_x: {type: number, default: 10000}
  gold_x: {type: number, default: 20000}
decisions:
  tier:
    description: {en: Tier, zh: 等级}
    source: "D §1"
    tiers:
      - {id: silver, description: {en: Silver, zh: 银}, source: "D §1", check: x >= silver_x}
      - {id: gold, description: {en: Gold, zh: 金}, source: "D §1", check: x >= gold_x}
    default: none
  shade:
    description: {en: Shade, zh: 色调}
    source: "D §2"
    table:
      hit_policy: unique
      inputs: [color]
      rows:
        - {id: warm, when: [red], then: warm}
        - {id: cool, when: [[green, blue]], then: cool}
"""


def findings(decision: ir.Decision) -> list[tuple[str, str]]:
    errors, warnings = lints.value_findings(parse_yaml(RULESET, "lints.yaml"), decision)
    return [(e.code, e.message) for e in (*errors, *warnings)]


def test_pr701_reads_the_parameter_value_in_force_from_the_ir() -> None:
    assert promorules.loads(RULESET).lint == ()
    (warning,) = promorules.loads(RULESET, params={"gold_x": 9000}).lint
    assert warning.code == "PR701"
    assert "asks x >= 9000, less than the lower tier 'silver' (>= 10000)" in warning.message
    # the lint reads the ParamRef of the IR it is given, not the model's parameters
    decision = promorules.loads(RULESET).decisions["tier"].ir
    assert isinstance(decision.value, ir.Tiers)
    gold = decision.value.tiers[1]
    assert isinstance(gold.rule, ir.Check) and isinstance(gold.rule.expr.tree, ir.Compare)
    tree = gold.rule.expr.tree
    assert isinstance(tree.right, ir.ParamRef)
    cheaper = attrs.evolve(tree, right=attrs.evolve(tree.right, value=5000))
    rule = attrs.evolve(gold.rule, expr=attrs.evolve(gold.rule.expr, tree=cheaper))
    value = attrs.evolve(decision.value, tiers=(decision.value.tiers[0],
                                                attrs.evolve(gold, rule=rule)))
    assert findings(decision) == []
    ((code, message),) = findings(attrs.evolve(decision, value=value))
    assert code == "PR701" and "asks x >= 5000" in message


def test_pr311_and_pr702_read_the_typed_cells_of_the_ir() -> None:
    decision = promorules.loads(RULESET).decisions["shade"].ir
    assert findings(decision) == []
    table = decision.value
    assert isinstance(table, ir.Table)
    warm, cool = table.rows
    # `cool` made to accept red as well: the two rows overlap (PR311)
    (cell,) = cool.cells
    assert isinstance(cell, ir.Membership) and isinstance(cell.right, ir.Const)
    wide = attrs.evolve(cell, right=attrs.evolve(cell.right, value=("red", "green", "blue")))
    overlapping = attrs.evolve(table, rows=(warm, attrs.evolve(cool, cells=(wide,))))
    ((code, message),) = findings(attrs.evolve(decision, value=overlapping))
    assert code == "PR311"
    assert message.startswith("rows 'warm' and 'cool' both match color = red:")
    # `cool` made to accept green only: blue is uncovered (PR702)
    narrow = attrs.evolve(cell, right=attrs.evolve(cell.right, value=("green",)))
    gappy = attrs.evolve(table, rows=(warm, attrs.evolve(cool, cells=(narrow,))))
    ((code, message),) = findings(attrs.evolve(decision, value=gappy))
    assert code == "PR702"
    assert message.startswith("no row covers color = blue:")


def test_the_lints_read_neither_the_model_nor_the_expression_syntax() -> None:
    tree = ast.parse(LINTS_SOURCE.read_text(encoding="utf-8"))
    parts: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            parts.update((node.module or "").split("."))
            parts.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            parts.update(p for alias in node.names for p in alias.name.split("."))
    assert "ir" in parts  # what they do read
    assert not parts & {"model", "expressions"}


ROUNDED = """\
id: rounded
version: 1.0.0
title: {en: Rounded, zh: 四捨五入}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt, title: Doc}}
facts:
  gmv_90d_usd: {type: money, currency: USD}
decisions:
  monthly_gmv_usd:
    description: {en: Monthly GMV, zh: 月均GMV}
    type: money
    currency: USD
    compute: gmv_90d_usd / 3
    round: {places: 2, mode: half_up}
  floor_rounded:
    description: {en: Floor, zh: 門檻}
    all:
      - {id: floor, description: {en: Floor, zh: 門檻}, source: "D §1",
         check: monthly_gmv_usd >= 10000}
  floor_round_call:
    description: {en: Floor, zh: 門檻}
    all:
      - {id: floor, description: {en: Floor, zh: 門檻}, source: "D §1",
         check: "round_half_up(gmv_90d_usd / 3, 2) >= 10000"}
  floor_exact:
    description: {en: Floor, zh: 門檻}
    all:
      - {id: by_hand, description: {en: Floor, zh: 門檻}, source: "D §1",
         check: gmv_90d_usd / 3 >= 10000}
"""


def test_pr703_a_rounded_value_compared() -> None:
    rs = promorules.loads(ROUNDED, source="rounded.yaml")
    found = {(w.code, w.path[1] if w.path else None, w.line) for w in rs.lint}
    assert found == {("PR703", "floor_rounded", 19), ("PR703", "floor_round_call", 24)}
    message = next(w.message for w in rs.lint if w.path and w.path[1] == "floor_rounded")
    assert "decision 'monthly_gmv_usd' (declared with round:)" in message
    assert "compare the exact value" in message
    # the reproduction: 29,999.99 over 90 days reaches the floor only when rounded
    facts = {"gmv_90d_usd": "29999.99"}
    assert rs.evaluate("floor_rounded", facts).outcome == "pass"
    assert rs.evaluate("floor_exact", facts).outcome == "fail"
