"""YAML and structure messages in plain words, each with a hint (issue 13, point 6): a comma
in an unquoted value of a {flow mapping}, bad indentation, a number where text is expected,
and the YAML path shown once (by ``(at ...)``), never repeated in the message."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import promorules
from promorules.cli import run
from promorules.errors import RulesetError

VALID = """\
id: demo
version: 1.0.0
title: {en: Demo, zh: 演示}
timezone: Asia/Shanghai
sources: {"001": {file: 001.txt, title: Rules}}
facts:
  vip:
    type: boolean
    description: {en: VIP, zh: 贵宾}
decisions:
  d:
    description: {en: D, zh: 决}
    source: "001 §1"
    all:
      - {id: a, description: {en: must be vip, zh: 须为贵宾}, source: "001 §1", check: vip}
"""


def problems(text: str) -> list[RulesetError]:
    with pytest.raises(RulesetError) as info:
        promorules.loads(text, source="demo.yaml")
    return list(info.value.errors)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_valid_text_loads() -> None:
    assert promorules.loads(VALID).decisions["d"] is not None


def test_a_comma_in_a_flow_mapping_value_hints_to_quote_it() -> None:
    text = VALID.replace("{en: must be vip, zh:", "{en: must be vip, or a gold member, zh:")
    (err,) = problems(text)
    assert err.code == "PR201"
    assert err.message == (
        "unknown key 'or a gold member' (in a {flow mapping} a comma ends the value: quote "
        "text that holds a comma, en: \"must be vip, or a gold member\")")
    assert (err.line, err.column) == (line_of(text, "or a gold"), text.splitlines()[
        line_of(text, "or a gold") - 1].index("or a gold") + 1)
    assert err.suggestion is None


def test_a_comma_inside_an_expression_is_quoted_back_whole() -> None:
    text = VALID.replace("check: vip}", "check: max(1, 2) > 1}")
    (err,) = problems(text)
    assert "quote text that holds a comma, check: \"max(1, 2) > 1\"" in err.message


def test_a_misspelt_key_in_a_flow_mapping_still_gets_did_you_mean() -> None:
    text = VALID.replace("source: \"001 §1\", check", "sorce: \"001 §1\", check")
    unknown = [e for e in problems(text) if e.code == "PR201"]
    assert unknown[0].message == "unknown key 'sorce' (did you mean 'source'?)"


def test_bad_indentation_is_said_in_plain_words() -> None:
    # 'description' between the level of the facts (column 3) and that of their keys (5)
    text = VALID.replace("    description: {en: VIP", "   description: {en: VIP")
    (err,) = problems(text)
    assert err.code == "PR101"
    line = line_of(text, "   description: {en: VIP")
    assert (err.line, err.column) == (line, 4)
    assert err.message == (
        f"YAML syntax error: bad indentation: the key on line {line} starts in column 4, "
        f"but the mapping it continues (from line {line - 2}) has its keys in column 3 "
        "(indent with spaces: every key of one mapping starts in the same column, and a "
        "nested mapping goes deeper, under a key with no value on its own line)")
    assert "<block" not in err.message


def test_a_line_indented_under_a_key_with_a_value_hints_at_both_causes() -> None:
    text = VALID.replace("    type: boolean\n", "    type: boolean\n      unit: yes\n")
    (err,) = problems(text)
    assert err.code == "PR101"
    assert err.message == (
        "YAML syntax error: mapping values are not allowed here (a value with ': ' in it "
        "must be quoted, e.g. en: \"Note: ...\"; or this line is indented deeper than the key "
        "above it, whose value is already given)")


def test_a_tab_hints_at_spaces() -> None:
    (err,) = problems(VALID.replace("    type: boolean", "\ttype: boolean"))
    assert err.message.endswith("(indent with spaces: YAML does not allow tabs for "
                                "indentation)")


def test_an_unclosed_flow_mapping_hints_at_the_brace() -> None:
    (err,) = problems(VALID.replace("title: {en: Demo, zh: 演示}", "title: {en: Demo, zh: 演示"))
    assert "close the {...} with '}' on the line where it starts" in err.message


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("version: 1.0.0", "version: 1.0",
     "'version' must be text, but YAML reads 1.0 as a number (quote it: \"1.0\"; a version "
     "has three parts, MAJOR.MINOR.PATCH, e.g. \"1.0.0\")"),
    ("check: vip}", "check: 2}", "'check' must be text, but YAML reads 2 as a number "
     "(quote it: \"2\")"),
    ("check: vip}", "check: 1.10}", "'check' must be text, but YAML reads 1.10 as a number "
     "(quote it: \"1.10\")"),
    ("{en: VIP, zh: 贵宾}", "{en: VIP, zh: true}", "'zh' must be text, but YAML reads true "
     "as a boolean (quote it: \"true\")"),
])
def test_a_number_or_boolean_where_text_is_expected_hints_to_quote(old: str, new: str,
                                                                   expected: str) -> None:
    assert old in VALID
    (err,) = problems(VALID.replace(old, new))
    assert (err.code, err.message) == ("PR200", expected)


def test_the_path_is_shown_once() -> None:
    text = VALID.replace(', source: "001 §1", check: vip}', ", check: vip}")
    (err,) = problems(text)
    assert err.message == "'source' is required"
    assert err.format() == (f"demo.yaml:{line_of(text, '- {id: a')}:9: PR200 'source' is "
                            "required (at decisions.d.all[0])")


def test_check_prints_the_plain_words_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(VALID.replace("version: 1.0.0", "version: 1.0"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(["check", str(path)], out, err, io.StringIO()) == 3
    assert err.getvalue().splitlines()[0] == (
        f"{path}:2:10: PR200 'version' must be text, but YAML reads 1.0 as a number (quote "
        "it: \"1.0\"; a version has three parts, MAJOR.MINOR.PATCH, e.g. \"1.0.0\") "
        "(at version)")


def test_examples_files_show_the_path_once_too(tmp_path: Path) -> None:
    from promorules.examples import load_examples

    ruleset = tmp_path / "demo.yaml"
    ruleset.write_text(VALID, encoding="utf-8")
    (tmp_path / "demo.test.yaml").write_text(
        "examples:\n  - {name: a vip, or a gold member, decision: d, facts: {vip: true},"
        " expect: {outcome: pass}}\n  - {decision: d, facts: {vip: true}, expect: "
        "{outcome: pass}}\n", encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_examples(ruleset)
    messages = [e.message for e in info.value.errors]
    assert ("unknown key 'or a gold member' (in a {flow mapping} a comma ends the value: "
            "quote text that holds a comma, name: \"a vip, or a gold member\")") in messages
    assert "'name' is required" in messages
    assert all(" in examples" not in m and "examples." not in m for m in messages)
