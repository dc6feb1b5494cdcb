"""Stage 2: structural validation against the JSON Schema (promorules.schema)."""

from __future__ import annotations

import json
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import promorules
from promorules.errors import RulesetError
from promorules.loader import parse_yaml
from promorules.schema import schema, validate

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "schema" / "ruleset.schema.json"
SHIPPED = sorted(p for p in (ROOT / "rulesets").glob("*.yaml") if not p.name.endswith(".test.yaml"))

VALID = textwrap.dedent(
    """\
    id: demo
    version: 1.0.0
    title: {en: Demo, zh: 示例}
    timezone: Asia/Shanghai
    sources:
      "002": {file: 002_x.txt, title: Doc}
    facts:
      deposit:
        type: money
        currency: CNY
        min: 0
        description: {en: Deposit, zh: 保证金}
    decisions:
      merchant_ok:
        description: {en: Merchant, zh: 商家}
        source: "002 §四"
        all:
          - id: deposit
            description: {en: Deposit, zh: 保证金}
            source: "002 §四.6"
            check: deposit >= 3000
    """
)


def _problems(text: str) -> list[RulesetError]:
    return validate(parse_yaml(text, "s.yaml"))


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


# -- the schema itself -------------------------------------------------------------------


def test_package_schema_and_published_schema_are_byte_identical() -> None:
    packaged = resources.files("promorules.schema").joinpath("ruleset.schema.json").read_bytes()
    assert packaged == PUBLISHED.read_bytes()


def test_published_schema_is_a_valid_draft_2020_12_schema() -> None:
    document = json.loads(PUBLISHED.read_text("utf-8"))
    Draft202012Validator.check_schema(document)  # raises SchemaError if not
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_function_returns_the_published_schema() -> None:
    assert schema() == json.loads(PUBLISHED.read_text("utf-8"))


# -- valid documents ---------------------------------------------------------------------


def test_minimal_ruleset_has_no_problems() -> None:
    assert _problems(VALID) == []
    assert promorules.loads(VALID).id == "demo"


def test_there_are_shipped_rulesets() -> None:
    assert any(p.name == "1688_spring.yaml" for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_ruleset_validates(path: Path) -> None:
    text = path.read_text("utf-8")
    assert _problems(text) == []
    assert promorules.check(path) == []
    assert text.startswith("# yaml-language-server: $schema=../schema/ruleset.schema.json")


# -- misspelt and missing keys -----------------------------------------------------------


def test_misspelt_decision_key_pr201_with_suggestion_and_line() -> None:
    text = VALID.replace("    description: {en: Merchant", "    descripton: {en: Merchant")
    problems = _problems(text)
    unknown = [p for p in problems if p.code == "PR201"]
    assert len(unknown) == 1
    err = unknown[0]
    assert "descripton" in err.message
    assert "did you mean 'description'?" in err.message
    assert err.suggestion == "description"
    assert err.line == _line_of(text, "descripton:")
    assert err.column == 5
    assert err.path == ("decisions", "merchant_ok", "descripton")


@pytest.mark.parametrize(
    ("old", "new", "suggestion"),
    [
        ("timezone: Asia", "timezon: Asia", "timezone"),
        ("    currency: CNY", "    curency: CNY", "currency"),
        ('        source: "002 §四.6"', '        sorce: "002 §四.6"', "source"),
        ("        check: deposit", "        chek: deposit", "check"),
        ("    all:", "    al:", "all"),
    ],
)
def test_misspelt_keys_everywhere_get_a_suggestion(old: str, new: str, suggestion: str) -> None:
    assert old in VALID
    text = VALID.replace(old, new)
    misspelt = new.strip().split(":")[0]
    problems = _problems(text)
    unknown = [p for p in problems if p.code == "PR201"]
    assert len(unknown) == 1, [p.format() for p in problems]
    assert f"'{misspelt}'" in unknown[0].message
    assert unknown[0].suggestion == suggestion
    assert f"did you mean '{suggestion}'?" in unknown[0].message
    assert unknown[0].line == _line_of(text, new.strip())


def test_misspelt_key_reported_by_loads() -> None:
    text = VALID + "lsts: {}\n"
    with pytest.raises(RulesetError) as info:
        promorules.loads(text, source="typo.yaml")
    err = info.value
    assert (err.code, err.line, err.column) == ("PR201", _line_of(text, "lsts:"), 1)
    assert "did you mean 'lists'?" in err.message
    assert err.format().startswith(f"typo.yaml:{err.line}:1: PR201 unknown key 'lsts'")


def test_missing_decision_description_is_pr200() -> None:
    text = VALID.replace("    description: {en: Merchant, zh: 商家}\n", "")
    problems = _problems(text)
    assert [p.code for p in problems] == ["PR200"]
    assert "description" in problems[0].message
    assert problems[0].path == ("decisions", "merchant_ok")
    assert problems[0].line == _line_of(text, 'source: "002 §四"')


def test_missing_rule_description_is_pr200() -> None:
    text = VALID.replace("        description: {en: Deposit, zh: 保证金}\n", "")
    problems = _problems(text)
    assert [p.code for p in problems] == ["PR200"]
    assert "description" in problems[0].message
    assert problems[0].path == ("decisions", "merchant_ok", "all", 0)


def test_missing_top_level_key_is_pr200() -> None:
    text = VALID.replace("timezone: Asia/Shanghai\n", "")
    problems = _problems(text)
    assert [p.code for p in problems] == ["PR200"]
    assert "timezone" in problems[0].message


def test_bilingual_text_needs_both_languages() -> None:
    text = VALID.replace("title: {en: Demo, zh: 示例}", "title: {en: Demo}")
    problems = _problems(text)
    assert [p.code for p in problems] == ["PR200"]
    assert "zh" in problems[0].message
    assert problems[0].line == _line_of(text, "title:")


def test_money_fact_needs_currency() -> None:
    text = VALID.replace("    currency: CNY\n", "")
    problems = _problems(text)
    assert problems and all(p.code == "PR200" for p in problems)
    assert any("currency" in p.message for p in problems)


def test_bad_id_pattern_is_pr200() -> None:
    text = VALID.replace("id: demo", "id: Demo-Set")
    problems = _problems(text)
    assert [p.code for p in problems] == ["PR200"]
    assert problems[0].path == ("id",)
    assert problems[0].line == 1


def test_bad_version_is_pr200() -> None:
    text = VALID.replace("version: 1.0.0", "version: '1.0'")
    problems = _problems(text)
    assert [p.code for p in problems] == ["PR200"]
    assert problems[0].path == ("version",)


def test_unknown_fact_type_is_pr200() -> None:
    text = VALID.replace("type: money", "type: cash")
    problems = _problems(text)
    assert problems
    assert all(p.code in ("PR200", "PR201") for p in problems)
    assert any(p.line == _line_of(text, "type: cash") or p.path[:2] == ("facts", "deposit")
               for p in problems)


def test_boolean_is_not_a_number_for_the_schema() -> None:
    text = VALID.replace("    min: 0\n", "    min: true\n")
    problems = _problems(text)
    assert problems
    assert any(p.path == ("facts", "deposit", "min") for p in problems)


def test_problems_are_sorted_by_position() -> None:
    text = VALID.replace("timezone: Asia", "timezon: Asia") + "lsts: {}\n"
    problems = _problems(text)
    positions = [(p.line or 0, p.column or 0) for p in problems]
    assert positions == sorted(positions)
    assert {p.code for p in problems} >= {"PR201"}


def test_committed_schema_is_what_the_generator_produces() -> None:
    # tools/gen_schema.py is the source of truth; regenerate with `python tools/gen_schema.py`
    import runpy

    targets = runpy.run_path(str(ROOT / "tools" / "gen_schema.py"), run_name="check")["TARGETS"]
    for target, generated in targets.items():
        assert (ROOT / target).read_text(encoding="utf-8") == generated, target


def test_if_conditions_as_predicates_agree_with_jsonschema() -> None:
    """Validation answers the schema's `if` conditions with plain predicates: each has one,
    and it agrees with jsonschema on every object of the shipped rulesets (and odd values:
    a key holding a non-string, values that are not objects)."""
    from promorules.schema.conditions import predicate

    conditions: list[object] = []

    def find(node: object) -> None:
        if isinstance(node, dict):
            if "if" in node:
                conditions.append(node["if"])
            for value in node.values():
                find(value)
        elif isinstance(node, list):
            for value in node:
                find(value)

    find(schema())
    assert len(conditions) > 40
    instances: list[object] = [None, 3, "check", [], {}, {"type": 1}, {"items": ["enum"]},
                               {"type": "money", "check": None}]

    def collect(node: object) -> None:
        if isinstance(node, dict):
            instances.append(node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for path in SHIPPED:
        collect(parse_yaml(path.read_text("utf-8"), str(path)).data)
    for condition in conditions:
        test = predicate(condition)
        assert test is not None, condition
        reference = Draft202012Validator(condition)
        for instance in instances:
            assert test(instance) == reference.is_valid(instance), (condition, instance)
