"""promorules import dmn: the FEEL subset, what is refused and where, safe XML, the CLI."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

import promorules
from promorules.cli import run
from promorules.dmn import identifier, import_dmn
from promorules.dmn.feel import Translator, Unsupported

from .tck import tck_dir

FEEL = Translator(["Age", "Years of Service", "RiskCategory", "numB", "numC", "Flu list"],
                  list_names=["Flu list"])


@pytest.mark.parametrize(("name", "ident"), [
    ("Approval Status", "Approval_Status"), ("Years of Service", "Years_of_Service"),
    ("isAffordable", "isAffordable"), ("a-b.c", "a_b_c"), ("2nd rate", "_2nd_rate"),
])
def test_identifier_replaces_every_non_word_character(name: str, ident: str) -> None:
    assert identifier(name) == ident


@pytest.mark.parametrize(("feel", "cell"), [
    ("-", "-"),
    ('"High"', "High"),
    ('"Medium","Low"', ["Medium", "Low"]),
    (">=18", ">= 18"),
    ("<18,>=60", "< 18, >= 60"),
    ("[15..30)", "[15..30)"),
    ("]0..1[", "(0..1)"),
    ("(1..5]", "(1..5]"),
    ("[numB..numC]", "[numB..numC]"),
    ('not("High")', 'not(== "High")'),
    ("not(<18, >=60)", "not(< 18, >= 60)"),
    ("true", True),
    ("18", Decimal(18)),
    ("-2.5", Decimal("-2.5")),
    ('<=date("2016-10-01")', "<= 2016-10-01"),
    ('date("2016-10-01")', "== 2016-10-01"),
    ("Years of Service", "== Years_of_Service"),
    ('"<5"', '== "<5"'),  # a string that would read as a test is written as one
])
def test_unary_tests_become_cells(feel: str, cell: object) -> None:
    assert FEEL.cell(feel) == cell


@pytest.mark.parametrize(("feel", "expression"), [
    ("Age + 1", "Age + 1"),
    ("Years of Service * 2 - Age", "Years_of_Service * 2 - Age"),
    ('RiskCategory + " is high"', 'RiskCategory + " is high"'),
    ("max( Age, Years of Service ) + 2", "max(Age, Years_of_Service) + 2"),
    ("Age = 3", "Age == 3"),
])
def test_expressions_are_translated(feel: str, expression: str) -> None:
    assert FEEL.expression(feel) == expression


@pytest.mark.parametrize(("feel", "reason"), [
    ("(1+Age)**2", "exponent"),
    ("sum(Age)", "function sum()"),
    ("Complex.aNumber", "neither an input"),
    ("substring(RiskCategory, 1)", "function substring()"),
])
def test_expressions_outside_the_subset_are_refused(feel: str, reason: str) -> None:
    with pytest.raises(Unsupported, match=reason):
        FEEL.expression(feel)


def test_list_membership_cells_are_refused_not_read_as_equality() -> None:
    with pytest.raises(Unsupported, match="list-valued input"):
        FEEL.cell("Flu list")


def test_outputs_are_literals_or_computed() -> None:
    assert FEEL.output('"Approved"') == "Approved"
    assert FEEL.output("64.32") == Decimal("64.32")
    assert FEEL.output("null") is None
    assert FEEL.output("Age * 2") == {"compute": "Age * 2"}


def _write(tmp_path: Path, body: str, name: str = "m.dmn") -> Path:
    path = tmp_path / name
    path.write_text('<?xml version="1.0"?>\n<definitions xmlns="https://www.omg.org/spec/'
                    'DMN/20191111/MODEL/" name="Small model" id="d">\n' + body +
                    "</definitions>\n", encoding="utf-8")
    return path


SMALL = """\
  <inputData name="Order total" id="i1">
    <variable name="Order total" typeRef="number"/></inputData>
  <decision name="Discount" id="d1">
    <variable name="Discount" typeRef="string"/>
    <informationRequirement><requiredInput href="#i1"/></informationRequirement>
    <decisionTable hitPolicy="FIRST">
      <input label="Order total">
        <inputExpression typeRef="number"><text>Order total</text></inputExpression></input>
      <output><outputValues><text>"gold","none"</text></outputValues></output>
      <rule><inputEntry><text>&gt;= 500</text></inputEntry>
        <outputEntry><text>"gold"</text></outputEntry>
        <annotationEntry><text>big orders</text></annotationEntry></rule>
      <rule><inputEntry><text>-</text></inputEntry>
        <outputEntry><text>"none"</text></outputEntry></rule>
    </decisionTable>
  </decision>
"""


def test_a_small_model_imports_to_a_ruleset_that_loads(tmp_path: Path) -> None:
    imported = import_dmn(_write(tmp_path, SMALL))
    assert imported.problems == ()
    rs = promorules.loads(imported.yaml)
    assert rs.id == "small_model"
    assert set(rs.decisions) == {"Discount"}
    table = imported.ruleset["decisions"]["Discount"]["table"]
    assert table["hit_policy"] == "first"
    assert table["rows"][0]["description"] == {"en": "big orders", "zh": "big orders"}
    assert rs.evaluate("Discount", {"Order_total": 600}).value == "gold"
    assert rs.evaluate("Discount", {"Order_total": 20}).value == "none"


BOXED = """\
  <inputData name="Rate" id="i1">
    <variable name="Rate" typeRef="number"/></inputData>
  <decision name="Payment" id="d1">
    <variable name="Payment" typeRef="number"/>
    <context>
      <contextEntry><variable name="x"/>
        <literalExpression><text>Rate</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision name="Uses payment" id="d2">
    <informationRequirement><requiredDecision href="#d1"/></informationRequirement>
    <literalExpression><text>Payment * 2</text></literalExpression>
  </decision>
"""


def test_boxed_contexts_are_refused_with_their_line(tmp_path: Path) -> None:
    path = _write(tmp_path, BOXED)
    with pytest.raises(promorules.RulesetError) as info:
        import_dmn(path)
    errors = info.value.errors
    assert errors[0].code == "PR840"
    assert errors[0].line == 7 and "decision 'Payment' > context" in errors[0].message
    assert "requires the decision 'Payment'" in errors[1].message  # its dependent too
    assert errors[1].line == 12


def test_partial_import_still_raises_when_nothing_maps(tmp_path: Path) -> None:
    with pytest.raises(promorules.RulesetError, match="PR840"):
        import_dmn(_write(tmp_path, BOXED), partial=True)


def test_time_types_and_structured_inputs_are_refused(tmp_path: Path) -> None:
    body = """\
  <itemDefinition name="tPerson">
    <itemComponent name="age"><typeRef>number</typeRef></itemComponent></itemDefinition>
  <inputData name="Person" id="i1"><variable name="Person" typeRef="tPerson"/></inputData>
  <inputData name="Start" id="i2"><variable name="Start" typeRef="time"/></inputData>
"""
    body += BOXED.replace('id="i1"', 'id="i9"')
    with pytest.raises(promorules.RulesetError) as info:
        import_dmn(_write(tmp_path, body))
    messages = [e.message for e in info.value.errors]
    assert any("structured type" in m for m in messages)
    assert any("the type time" in m for m in messages)


@pytest.mark.parametrize("xml", [
    # billion laughs: entities are refused before anything is expanded
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    "<definitions>&b;</definitions>",
    # an external entity (XXE)
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<definitions>&x;</definitions>",
    "<definitions><decision></definitions>",  # not well formed
    "",
])
def test_hostile_or_broken_xml_is_refused_cleanly(tmp_path: Path, xml: str) -> None:
    path = tmp_path / "bad.dmn"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(promorules.RulesetError) as info:
        import_dmn(path)
    assert info.value.code == "PR841"


def test_a_file_that_is_not_a_dmn_model(tmp_path: Path) -> None:
    path = tmp_path / "x.dmn"
    path.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(promorules.RulesetError, match="not a DMN model") as info:
        import_dmn(path)
    assert info.value.code == "PR842"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_writes_a_ruleset_that_checks(tmp_path: Path) -> None:
    target = tmp_path / "discount.yaml"
    code, _, err = _cli("import", "dmn", str(_write(tmp_path, SMALL)), "-o", str(target),
                        "--id", "discounts")
    assert code == 0, err
    assert "1 decision imported" in err
    assert promorules.load(target).id == "discounts"
    assert _cli("check", str(target))[0] == 0


def test_cli_refuses_with_every_problem_located_and_exit_3(tmp_path: Path) -> None:
    code, _, err = _cli("import", "dmn", str(_write(tmp_path, BOXED)), "-o",
                          str(tmp_path / "out.yaml"))
    assert code == 3
    assert "m.dmn:7:5:" in err and "PR840" in err and "Traceback" not in err
    assert not (tmp_path / "out.yaml").exists()


def test_cli_partial_lists_what_was_left_out(tmp_path: Path) -> None:
    model = _write(tmp_path, SMALL + BOXED.replace('id="i1"', 'id="i9"'))
    code, out, err = _cli("import", "dmn", str(model), "-o", "-", "--partial")
    assert code == 0, err
    assert "PR840" in err and "1 decision imported, 2 left out" in err
    rs = promorules.loads(out)
    assert set(rs.decisions) == {"Discount"}


def test_a_model_whose_every_decision_needs_a_structured_input_is_refused() -> None:
    model = tck_dir() / "tck" / "0036-dt-variable-input.dmn"
    code, _, err = _cli("import", "dmn", str(model), "-o", "-", "--partial")
    assert code == 3
    assert "0036-dt-variable-input.dmn:4:5: PR840 itemDefinition 'Complex': a structured " \
        "type" in err


def test_cli_missing_model_file_is_exit_3(tmp_path: Path) -> None:
    code, _, err = _cli("import", "dmn", str(tmp_path / "nope.dmn"), "-o", "x.yaml")
    assert code == 3 and "cannot read the DMN model" in err


def test_a_type_defined_in_terms_of_itself_is_refused(tmp_path: Path) -> None:
    body = """\
  <itemDefinition name="tA"><typeRef>tB</typeRef></itemDefinition>
  <itemDefinition name="tB"><typeRef>tA</typeRef></itemDefinition>
  <inputData name="X" id="i1"><variable name="X" typeRef="tA"/></inputData>
""" + SMALL.replace("Order total", "Y")
    with pytest.raises(promorules.RulesetError, match="defined in terms of itself"):
        import_dmn(_write(tmp_path, body))


def test_deeply_nested_xml_is_read_without_recursion(tmp_path: Path) -> None:
    depth = 50_000
    path = tmp_path / "deep.dmn"
    path.write_text("<definitions>" + "<extensionElements>" * depth +
                    "</extensionElements>" * depth + "</definitions>", encoding="utf-8")
    with pytest.raises(promorules.RulesetError, match="no decision to import") as info:
        import_dmn(path)
    assert info.value.code == "PR842"
