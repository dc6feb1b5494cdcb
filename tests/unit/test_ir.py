"""The typed IR built by the checking stage: variants, types, spans, resolved names,
kinds shared as StrEnums, located diagnostics, and the visitor bases."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest

import promorules
from promorules import ir

ROOT = Path(__file__).resolve().parents[2]

RULESET = """\
id: irtest
version: 1.0.0
title: {en: IR, zh: IR}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
facts:
  deposit: {type: money, currency: CNY, description: {en: Deposit, zh: 保证金}}
  level: {type: ordinal, values: [bronze, silver, gold], description: {en: L, zh: L}}
  region: {type: enum, values: [north, south], description: {en: R, zh: R}}
  ok: {type: boolean, description: {en: OK, zh: OK}}
  score: {type: integer, description: {en: S, zh: S}}
params:
  floor: {type: money, currency: CNY, default: 3000, description: {en: F, zh: F}}
lists:
  codes: {items: [A, B]}
decisions:
  eligible:
    description: {en: Eligible, zh: 资格}
    source: "D §1"
    all:
      - {id: deposit_ok, description: {en: d, zh: d}, source: "D §2", check: deposit >= floor}
      - id: level_ok
        description: {en: l, zh: l}
        source: "D §3"
        check: level >= silver
        applies_when: ok
      - any:
          - {id: north, description: {en: n, zh: n}, source: "D §3", check: "region in [north]"}
          - {id: h, description: {en: h, zh: h}, source: D 3, check: score > 10, severity: warning}
        id: either
        description: {en: e, zh: e}
        source: "D §3"
      - not: {id: bad, description: {en: b, zh: b}, source: "D §3", check: score == 0}
        id: not_bad
        description: {en: nb, zh: nb}
        source: "D §3"
  rate:
    description: {en: Rate, zh: 费率}
    lookup:
      key: level
      table: {bronze: 1, silver: 2, gold: 3}
  fee:
    description: {en: Fee, zh: 费用}
    type: money
    round: {places: 2, mode: half_up}
    requires:
      - {id: needs_eligible, description: {en: e, zh: e}, source: "D §3", decision: eligible}
    compute: deposit * rate / 100
  grade:
    description: {en: Grade, zh: 等级}
    tiers:
      - {id: basic, description: {en: b, zh: b}, source: "D §3", check: score >= 1}
      - id: plus
        description: {en: p, zh: p}
        source: "D §3"
        all:
          - {id: plus_base, description: {en: pb, zh: pb}, source: "D §3", tier: basic}
          - {id: plus_score, description: {en: ps, zh: ps}, source: "D §3", check: score >= 5}
    default: none
  band:
    description: {en: Band, zh: 档}
    table:
      hit_policy: first
      inputs: [region, ok]
      rows:
        - {when: [north, true], then: 1}
        - {when: ["-", false], then: 2}
      default: 0
"""


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(RULESET, source="ir.yaml")


def test_passfail_root_variants_spans_and_text(rs: promorules.Ruleset) -> None:
    d = rs.decisions["eligible"].ir
    assert d is not None and d.kind is ir.DecisionKind.PASSFAIL
    assert (d.span.file, d.span.line, d.span.column) == ("ir.yaml", 19, 5)
    root = d.rule
    assert isinstance(root, ir.All) and root.id == "eligible" and root.source == "d.txt §1"
    kinds = [type(c) for c in root.children]
    assert kinds == [ir.Check, ir.Check, ir.Any, ir.Not]
    deposit_ok = root.children[0]
    assert isinstance(deposit_ok, ir.Check)
    assert (deposit_ok.span.line, deposit_ok.span.column) == (22, 9)
    assert deposit_ok.description.en == "d" and deposit_ok.source == "d.txt §2"
    assert deposit_ok.expr.text == "deposit >= floor" and deposit_ok.expr.facts == ("deposit",)
    assert (deposit_ok.expr.span.line, deposit_ok.expr.span.column) == (22, 78)
    level_ok = root.children[1]
    assert level_ok.applies_when is not None and level_ok.applies_when.facts == ("ok",)
    assert level_ok.span.line == 23
    either = root.children[2]
    assert isinstance(either, ir.Any)
    assert either.children[1].severity is ir.Severity.WARNING
    assert either.children[0].severity is ir.Severity.ERROR
    not_bad = root.children[3]
    assert isinstance(not_bad, ir.Not) and not_bad.child.id == "bad"


def test_expressions_are_typed_and_names_resolved(rs: promorules.Ruleset) -> None:
    root = rs.decisions["eligible"].ir.rule  # type: ignore[union-attr]
    assert isinstance(root, ir.All)
    cmp = root.children[0].expr.tree  # type: ignore[union-attr]
    assert isinstance(cmp, ir.Compare) and cmp.op == ">=" and cmp.ty == ir.BOOL
    assert isinstance(cmp.left, ir.FactRef) and cmp.left.ty == ir.Ty("money", currency="CNY")
    assert isinstance(cmp.right, ir.ParamRef)
    assert cmp.right.value == 3000 and cmp.right.ty.currency == "CNY"
    # ordinal symbols become their position on the scale
    level = root.children[1].expr.tree  # type: ignore[union-attr]
    assert isinstance(level, ir.Compare) and isinstance(level.right, ir.Const)
    assert level.right.value == 1 and level.right.text == "silver"
    assert level.right.ty.kind == "ordinal"
    # enum symbols in a list literal are resolved to their values
    north = root.children[2].children[0].expr.tree  # type: ignore[union-attr]
    assert isinstance(north, ir.Membership) and isinstance(north.right, ir.Const)
    assert north.right.value == ("north",)


def test_values_lookup_requires_rounding_and_types(rs: promorules.Ruleset) -> None:
    rate = rs.decisions["rate"].ir
    assert rate is not None and isinstance(rate.value, ir.Lookup)
    assert dict(rate.value.table) == {0: 1, 1: 2, 2: 3}  # ordinal keys by position
    assert rate.value.written[2] == "gold" and rate.ty == ir.NUMBER
    fee = rs.decisions["fee"].ir
    assert fee is not None and fee.kind is ir.DecisionKind.VALUE
    assert fee.type is ir.OutputType.MONEY and fee.uses == ("eligible", "rate")
    assert fee.rounding == ir.Rounding(2, ir.RoundingMode.HALF_UP)
    assert isinstance(fee.value, ir.Compute) and fee.value.rounding == fee.rounding
    tree = fee.value.expr.tree
    assert isinstance(tree, ir.Arith) and tree.op == "/" and tree.ty.kind == "money"
    assert isinstance(tree.left, ir.Arith) and isinstance(tree.left.right, ir.DecisionValue)
    assert tree.left.right.passfail is False and tree.left.right.ty == ir.NUMBER
    assert fee.requires is not None
    assert [type(r) for r in fee.requires.rules] == [ir.DecisionRef]
    assert fee.requires.rules[0].decision == "eligible"  # type: ignore[union-attr]


def test_tiers_and_table(rs: promorules.Ruleset) -> None:
    grade = rs.decisions["grade"].ir
    assert grade is not None and isinstance(grade.value, ir.Tiers)
    assert [t.id for t in grade.value.tiers] == ["basic", "plus"]
    plus = grade.value.tiers[1].rule
    assert isinstance(plus, ir.All) and isinstance(plus.children[0], ir.TierRef)
    assert plus.children[0].tier == "basic"
    assert grade.value.default is not None and grade.value.default.value == "none"
    band = rs.decisions["band"].ir
    assert band is not None and isinstance(band.value, ir.Table)
    table = band.value
    assert table.hit_policy is ir.HitPolicy.FIRST and [i.text for i in table.inputs] == [
        "region", "ok"]
    first, second = table.rows
    assert first.id == "row_1" and first.then == 1 and first.span.line == 67
    assert len(first.cells) == 2 and all(c is not None for c in first.cells)
    assert second.cells[0] is None and isinstance(second.cells[1], ir.Compare)
    assert isinstance(first.cells[0], ir.Compare)
    assert first.cells[0].right.value == "north"  # type: ignore[union-attr]


def test_ruleset_ir_is_public_and_in_declaration_order(rs: promorules.Ruleset) -> None:
    whole = rs.ir
    assert list(whole.decisions) == list(rs.decisions)
    assert whole.decisions["fee"] is rs.decisions["fee"].ir
    assert whole.id == "irtest"


def test_kinds_are_str_enums_shared_with_the_schema() -> None:
    for kind in (ir.RuleKind, ir.ValueKind, ir.FactKind, ir.HitPolicy, ir.RoundingMode,
                 ir.Severity, ir.OutputType, ir.ExprKind, ir.PartKind):
        assert issubclass(kind, StrEnum)
    assert ir.Check.kind == "check" and ir.Literal.kind == "value"
    import json
    schema = json.loads((ROOT / "src/promorules/schema/ruleset.schema.json").read_text("utf-8"))
    text = json.dumps(schema)
    assert json.dumps([k.value for k in ir.FactKind]) in text
    assert json.dumps([k.value for k in ir.HitPolicy]) in text


def test_diagnostics_come_from_the_checker_located() -> None:
    bad = RULESET.replace("check: score > 10", "check: scor > 10")
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(bad, source="ir.yaml")
    [err] = info.value.errors
    assert (err.code, err.line, err.column, err.suggestion) == ("PR301", 30, 70, "score")
    from promorules.compiler.check import check_ruleset
    from promorules.loader import parse_yaml
    from promorules.model import build_model
    doc = parse_yaml(bad, "ir.yaml")
    model, _ = build_model(doc)
    checked, errors, _ = check_ruleset(model, doc)
    assert [e.code for e in errors] == ["PR301"]
    assert "eligible" not in checked and "rate" in checked  # the broken decision is left out


class _Leaves(ir.Visitor[list[str]]):
    """Ids of the check leaves, through every group."""

    def visit_check(self, node: ir.Check) -> list[str]:
        return [node.id]

    def visit_all(self, node: ir.All) -> list[str]:
        return [i for c in node.children for i in self.visit(c)]

    visit_any = visit_all  # type: ignore[assignment]

    def visit_not(self, node: ir.Not) -> list[str]:
        return self.visit(node.child)


class _Params(ir.ExprVisitor[set[str]]):
    def visit_compare(self, node: ir.Compare) -> set[str]:
        return self.visit(node.left) | self.visit(node.right)

    def visit_param(self, node: ir.ParamRef) -> set[str]:
        return {f"{node.name}={node.value}"}

    def generic_visit(self, node: object) -> set[str]:
        return set()


def test_visitors_dispatch_on_the_class(rs: promorules.Ruleset) -> None:
    root = rs.decisions["eligible"].ir.rule  # type: ignore[union-attr]
    assert _Leaves().visit(root) == ["deposit_ok", "level_ok", "north", "h", "bad"]
    assert _Params().visit(root.children[0].expr.tree) == {"floor=3000"}  # type: ignore[union-attr]
    with pytest.raises(NotImplementedError, match="_Leaves does not handle TierRef"):
        grade = rs.decisions["grade"].ir.value  # type: ignore[union-attr]
        _Leaves().visit(grade.tiers[1].rule.children[0])  # type: ignore[union-attr]


def test_shipped_rulesets_have_ir_for_every_decision() -> None:
    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    for did, compiled in rs.decisions.items():
        assert compiled.ir is not None and compiled.ir.id == did
        assert compiled.ir.span.file.endswith("1688_spring.yaml") and compiled.ir.span.line
        assert isinstance(compiled.ir.description.en, str)
