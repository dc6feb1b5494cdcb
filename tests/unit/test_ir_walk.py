"""The one walker over the typed IR: every expression kind's operands, every expression and
rule of every shipped decision."""

from __future__ import annotations

from pathlib import Path

import pytest

import promorules
from promorules import ir

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("*.yaml")
                  if not p.name.endswith(".test.yaml"))

RULES = """\
id: walk
version: 1.0.0
title: {en: Walk, zh: 遍历}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  amount: {type: money, currency: CNY}
  rate: {type: percent}
  opened: {type: date}
params:
  floor: {type: money, currency: CNY, default: 100}
decisions:
  ok:
    description: {en: OK, zh: 可以}
    source: "D §1"
    all:
      - id: big
        description: {en: Big, zh: 大}
        source: "D §2"
        check: -amount * rate / 100 + floor <= 5000 and not (rate between 1 and 5)
      - id: recent
        description: {en: Recent, zh: 近}
        source: "D §3"
        applies_when: amount > 0
        check: days_between(opened, today) < 30
"""


def test_operands_of_each_kind_and_preorder() -> None:
    rs = promorules.loads(RULES)
    decision = rs.decisions["ok"].ir
    big, recent = decision.rule.children
    tree = big.expr.tree
    assert isinstance(tree, ir.Logic)
    assert ir.operands(tree) == (tree.left, tree.right)
    kinds = [type(n).__name__ for n in ir.walk_expr(tree)]
    # parents before children, left before right
    assert kinds == ["Logic", "Compare", "Arith", "Arith", "Arith", "Unary", "FactRef",
                     "FactRef", "Const", "ParamRef", "Const", "Unary", "Between",
                     "FactRef", "Const", "Const"]
    call = recent.expr.tree.left
    assert isinstance(call, ir.Call) and ir.operands(call) == call.args
    assert ir.operands(call.args[0]) == ()


def test_expressions_names_their_owner_and_include_applies_when() -> None:
    rs = promorules.loads(RULES)
    owned = [(owner, e.text) for owner, e in ir.expressions(rs.decisions["ok"].ir)]
    assert owned == [
        ("big", "-amount * rate / 100 + floor <= 5000 and not (rate between 1 and 5)"),
        ("recent", "amount > 0"),
        ("recent", "days_between(opened, today) < 30"),
    ]
    assert [r.id for r in ir.rules(rs.decisions["ok"].ir)] == ["ok", "big", "recent"]


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_every_fact_an_expression_reads_is_found_by_the_walk(path: Path) -> None:
    rs = promorules.load(path)
    for compiled in rs.decisions.values():
        for _owner, expr in ir.expressions(compiled.ir):
            walked = {n.name for n in ir.walk_expr(expr.tree) if isinstance(n, ir.FactRef)}
            assert walked == set(expr.facts), expr.text


VALUES = """\
id: values
version: 1.0.0
title: {en: Values, zh: 值}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  amount: {type: money, currency: CNY}
  big: {type: boolean}
decisions:
  offer:
    description: {en: Offer, zh: 优惠}
    source: "D §1"
    fields:
      fee:
        cases:
          - {when: big, compute: amount - 10}
        default: {value: 0}
      level:
        tiers:
          - {id: high, description: {en: High, zh: 高}, source: "D §1", check: amount > 100}
        default: low
"""


def test_values_walks_fields_cases_and_defaults_and_rules_takes_a_value() -> None:
    decision = promorules.loads(VALUES).decisions["offer"].ir
    kinds = [type(v).__name__ for v in ir.values(decision)]
    assert kinds == ["Fields", "Cases", "Compute", "Literal", "Tiers", "Literal"]
    fields = decision.value
    assert isinstance(fields, ir.Fields)
    level = fields.fields[1].value
    assert list(ir.values(level)) == [level, level.default]
    assert [r.id for r in ir.rules(level)] == ["high"]
    assert [r.id for r in ir.rules(decision)] == ["high"]
