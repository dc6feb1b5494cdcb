"""The expression language: parser / unparser, and compile-time errors (names, functions,
types, enum values) located in the YAML, plus model-level reference errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import promorules
from promorules.errors import RulesetError
from promorules.expressions import ExpressionSyntaxError, parse, unparse
from promorules.expressions import ast as A
from promorules.expressions.parser import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LITERAL_DIGITS,
    MAX_NESTING,
)

# -- parse / unparse ---------------------------------------------------------------------

CANONICAL = [
    "pickup_rate_48h_30d >= 90",
    "chengxintong_level >= L2 or merchant_identity in [power_merchant, super_factory]",
    "activity_price_pc <= 0.95 * market_price",
    "not contains_any(title, banned_words)",
    "submitted_at between 2023-02-23T00:00:00 and 2024-03-05T23:59:59",
    "application_date < 2021-12-15",
    "days_between(last_change_on, today) >= 30",
    "a - (b - c)",
    "a - b - c",
    "a / (b * c)",
    "a / b * c",
    "a * (b + c)",
    "(a or b) and c",
    "a or b and c",
    "not (a and b)",
    "not a in b",
    "not not a",
    "-(a + b)",
    "-x * y",
    "a == -3",
    "x not in [a, \"b c\", 1, 2024-03-05]",
    "t >= 2024-03-05T23:59:59+08:00",
    "t < 2024-03-05T00:00:00Z",
    "x between 1 and 2.50",
    "present(x) and len(items) > 0",
    "name == \"say \\\"hi\\\"\"",
    "name == \"back\\\\slash\"",
    "[]",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_text_round_trips(text: str) -> None:
    assert unparse(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("(a * b) + c", "a * b + c"),
        ("((x))", "x"),
        ("a>=1", "a >= 1"),
        ("- 5", "-5"),
        ("'single'", "\"single\""),
        ("f( a ,b )", "f(a, b)"),
        ("not(a)", "not a"),
    ],
)
def test_unparse_is_canonical(text: str, canonical: str) -> None:
    assert unparse(parse(text)) == canonical


@pytest.mark.parametrize(
    "text",
    [
        'name == "line\\nbreak"',
        'name == "tab\\there"',
        "name == 'it\\'s'",
        'name == "quote \\" and backslash \\\\"',
    ],
)
def test_strings_with_escapes_round_trip(text: str) -> None:
    node = parse(text)
    again = parse(unparse(node))
    assert isinstance(node, A.Compare) and isinstance(again, A.Compare)
    assert isinstance(node.right, A.StrLit) and isinstance(again.right, A.StrLit)
    assert again.right.value == node.right.value
    assert unparse(again) == unparse(node)


def test_not_binds_looser_than_in() -> None:
    node = parse("not a in b")
    assert isinstance(node, A.Unary) and node.op == "not"
    assert isinstance(node.operand, A.Compare) and node.operand.op == "in"


def test_not_in_is_one_operator() -> None:
    node = parse("a not in b")
    assert isinstance(node, A.Compare) and node.op == "not in"


def test_subtraction_is_left_associative_and_parentheses_kept() -> None:
    left = parse("a - b - c")
    assert isinstance(left, A.Binary) and isinstance(left.left, A.Binary)
    assert isinstance(left.right, A.Name) and left.right.id == "c"
    right = parse("a - (b - c)")
    assert isinstance(right, A.Binary) and isinstance(right.left, A.Name)
    assert isinstance(right.right, A.Binary) and right.right.op == "-"
    assert unparse(right) == "a - (b - c)"


def test_and_binds_tighter_than_or() -> None:
    node = parse("a or b and c")
    assert isinstance(node, A.Binary) and node.op == "or"
    assert isinstance(node.right, A.Binary) and node.right.op == "and"


def test_multiplication_binds_tighter_than_addition() -> None:
    node = parse("a + b * c")
    assert isinstance(node, A.Binary) and node.op == "+"
    assert isinstance(node.right, A.Binary) and node.right.op == "*"


def test_literals() -> None:
    from datetime import date, datetime
    from decimal import Decimal

    n = parse("0.95")
    assert isinstance(n, A.NumLit) and n.value == Decimal("0.95") and type(n.value) is Decimal
    assert parse("-5") == A.NumLit(-5, 0)
    d = parse("2024-03-05")
    assert isinstance(d, A.DateLit) and d.value == date(2024, 3, 5)
    t = parse("2024-03-05T23:59:59")
    assert isinstance(t, A.DateTimeLit) and t.value == datetime(2024, 3, 5, 23, 59, 59)
    assert t.value.tzinfo is None  # the ruleset's zone is applied by the compiler
    assert parse("true") == A.BoolLit(True, 0)


def test_positions_point_at_the_token() -> None:
    node = parse("deposit >= 3000")
    assert isinstance(node, A.Compare)
    assert node.pos == 8
    assert node.right.pos == 11


def _syntax_error(text: str) -> ExpressionSyntaxError:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse(text)
    return info.value


def test_chained_comparison_is_an_error() -> None:
    err = _syntax_error("a < b < c")
    assert err.code == "PR400"
    assert err.pos == 6
    assert "between" in err.message


@pytest.mark.parametrize(
    ("text", "pos", "hint"),
    [
        ("a >= 1 && b", 7, "'and'"),
        ("a || b", 2, "'or'"),
        ("a = 1", 2, "'=='"),
        ("!a", 0, "'not'"),
    ],
)
def test_operator_hints(text: str, pos: int, hint: str) -> None:
    err = _syntax_error(text)
    assert err.code == "PR400"
    assert err.pos == pos
    assert hint in err.message


@pytest.mark.parametrize(
    ("text", "pos"),
    [("d < 2024-02-30", 4), ("d < 2023-02-29", 4), ("t < 2024-13-01T00:00:00", 4)],
)
def test_invalid_date_literal_is_pr402(text: str, pos: int) -> None:
    err = _syntax_error(text)
    assert err.code == "PR402"
    assert err.pos == pos


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_expression(text: str) -> None:
    err = _syntax_error(text)
    assert err.code == "PR400"
    assert "empty" in err.message


def test_over_long_expression() -> None:
    err = _syntax_error("a" * (MAX_LENGTH + 1))
    assert err.code == "PR403"
    assert "longer" in err.message


def test_over_deep_expression() -> None:
    err = _syntax_error("(" * 500 + "a" + ")" * 500)
    assert err.code == "PR403"
    assert "deep" in err.message


# issue 10, hardening 3 and 4: the reproductions, refused with a located code ------------

@pytest.mark.parametrize("n", [150, 400, 1000])
@pytest.mark.parametrize("op", [" + ", " * ", " - ", " and ", " or "])
def test_long_operator_chains_are_bounded(n: int, op: str) -> None:
    term = "x > 0" if op.strip() in ("and", "or") else "x"
    err = _syntax_error(op.join([term] * n))
    assert err.code == "PR403"
    assert "too deep" in err.message and str(MAX_DEPTH) in err.message


@pytest.mark.parametrize("text", [
    "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1),
    "-" * (MAX_NESTING + 1) + "x",
    "not " * (MAX_NESTING + 1) + "x",
    "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1),
    "f(" * (MAX_NESTING + 1) + ")" * (MAX_NESTING + 1),
])
def test_deep_nesting_is_bounded(text: str) -> None:
    err = _syntax_error(text)
    assert err.code == "PR403"
    assert "nested too deeply" in err.message


def test_the_limits_themselves_parse() -> None:
    parse(" + ".join(["x"] * MAX_DEPTH))
    parse("(" * (MAX_NESTING - 1) + "x" + ")" * (MAX_NESTING - 1))
    parse("x in [" + ", ".join(["1"] * 1000) + "]")  # a long list is flat
    parse("x > " + "9" * MAX_LITERAL_DIGITS)


@pytest.mark.parametrize("digits", [MAX_LITERAL_DIGITS + 1, 4301, 9_000])
def test_huge_number_literals_are_refused(digits: int) -> None:
    err = _syntax_error("x > 1" + "0" * (digits - 1))
    assert (err.code, err.pos) == ("PR403", 4)
    assert f"{digits} digits" in err.message


@pytest.mark.parametrize(("text", "pos"), [("x > ٥٠", 4), ("٥٠ < x", 0), ("x > ３０００", 4),
                                           ("x == 2024-0３-01", 10)])
def test_non_ascii_digits_are_refused(text: str, pos: int) -> None:
    err = _syntax_error(text)
    assert (err.code, err.pos) == ("PR400", pos)
    assert "ASCII digits" in err.message


@pytest.mark.parametrize(
    ("text", "pos"),
    [("(a", 2), ("a in", 4), ("a between 1", 11), ("a,", 1), ("f(a b)", 4), ("a @ b", 2)],
)
def test_incomplete_expressions_point_at_the_problem(text: str, pos: int) -> None:
    err = _syntax_error(text)
    assert err.code == "PR400"
    assert err.pos == pos


def test_unquoted_text_hint() -> None:
    err = _syntax_error("main_industry == 玩具")
    assert err.pos == 17
    assert "quoted" in err.message


# -- compile-level errors, located in the YAML --------------------------------------------

HEAD = """\
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
  usd_amount:
    type: money
    currency: USD
    description: {en: USD amount, zh: 美元金额}
  medal:
    type: ordinal
    values: [none, A, AA]
    description: {en: Medal, zh: 勋章}
  kind:
    type: enum
    values: [enterprise, individual]
    description: {en: Kind, zh: 类型}
  name:
    type: string
    description: {en: Name, zh: 名称}
  opened:
    type: date
    description: {en: Opened, zh: 开店日期}
"""


_ONE_CHECK = textwrap.dedent(
    """\
    decisions:
      ok:
        description: {en: OK, zh: 好}
        source: "002 §1"
        all:
          - id: r1
            description: {en: Rule, zh: 规则}
            source: "002 §1.1"
            check: CHECK
    """
)


def _one_check(check: str) -> str:
    """A ruleset whose only rule is ``check: CHECK`` (the rule's keys are at column 9)."""
    return HEAD + _ONE_CHECK.replace("CHECK", check)


def _load_errors(text: str) -> list[RulesetError]:
    with pytest.raises(RulesetError) as info:
        promorules.loads(text, source="inline.yaml")
    return list(info.value.errors)


def _position(text: str, line_needle: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of ``token`` on the first line containing ``line_needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if line_needle in line:
            return number, line.index(token, line.index(line_needle)) + 1
    raise AssertionError(f"{line_needle!r} not found")


def test_valid_inline_ruleset_loads() -> None:
    rs = promorules.loads(_one_check("deposit >= 3000 and medal >= A"), source="inline.yaml")
    assert list(rs.decisions) == ["ok"]


def test_unknown_name_pr301_with_suggestion_and_exact_position() -> None:
    text = _one_check("deposti >= 3000")
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR301"]
    err = errors[0]
    assert "unknown name 'deposti'" in err.message
    assert "did you mean 'deposit'?" in err.message
    assert err.suggestion == "deposit"
    assert (err.line, err.column) == _position(text, "check: deposti", "deposti")
    assert err.source == "inline.yaml"
    assert err.format().startswith(f"inline.yaml:{err.line}:{err.column}: PR301 unknown name")


def test_unknown_name_in_the_middle_of_an_expression() -> None:
    text = _one_check("medal >= A and deposit >= deposti")
    err = _load_errors(text)[0]
    assert err.code == "PR301"
    assert (err.line, err.column) == _position(text, "check: medal", "deposti")


def test_unknown_name_inside_a_quoted_scalar() -> None:
    text = _one_check('"deposit >= 1 and deposti >= 2"')
    err = _load_errors(text)[0]
    assert err.code == "PR301"
    assert (err.line, err.column) == _position(text, "check: \"deposit", "deposti")


def test_unknown_name_inside_a_literal_block_scalar() -> None:
    text = _one_check("|\n          deposit >= 1\n          and deposti >= 2")
    err = _load_errors(text)[0]
    assert err.code == "PR301"
    assert (err.line, err.column) == _position(text, "and deposti", "deposti")


def test_unknown_name_inside_a_folded_block_scalar() -> None:
    text = _one_check(">-\n          deposit >= 1\n          and deposti >= 2")
    err = _load_errors(text)[0]
    assert err.code == "PR301"
    assert (err.line, err.column) == _position(text, "and deposti", "deposti")


@pytest.mark.parametrize("check", ["kindd == enterprise", "enterprise == kindd",
                                   "kindd != individual", "kindd in [enterprise]"])
def test_misspelt_enum_fact_compared_with_a_value_blames_the_fact(check: str) -> None:
    # the unknown name is the misspelt fact, not the enum value it is compared with
    text = _one_check(check)
    err = _load_errors(text)[0]
    assert err.code == "PR301"
    assert "unknown name 'kindd'" in err.message
    assert err.suggestion == "kind"
    assert (err.line, err.column) == _position(text, "check:", "kindd")


def test_misspelt_ordinal_fact_compared_with_a_level_blames_the_fact() -> None:
    text = _one_check("medl >= A")
    err = _load_errors(text)[0]
    assert err.code == "PR301"
    assert "unknown name 'medl'" in err.message
    assert err.suggestion == "medal"


def test_unknown_function_pr302() -> None:
    text = _one_check('contain_any(name, ["x"])')
    err = _load_errors(text)[0]
    assert err.code == "PR302"
    assert "unknown function 'contain_any'" in err.message
    assert err.suggestion == "contains_any"
    assert (err.line, err.column) == _position(text, "check: contain_any", "contain_any")


def test_unknown_function_without_close_match() -> None:
    err = _load_errors(_one_check("xyzzy(deposit)"))[0]
    assert err.code == "PR302"
    assert "xyzzy" in err.message
    assert err.suggestion is None


@pytest.mark.parametrize(
    ("check", "op_token", "words"),
    [
        ("name > 3", ">", ["string", "number"]),
        ("name == 3", "==", ["string", "number"]),
        ("deposit + usd_amount > 1", "+", ["CNY", "USD"]),
        ("deposit == usd_amount", "==", ["CNY", "USD"]),
        ("opened > 3", ">", ["date", "number"]),
        ("kind > enterprise", ">", ["enum"]),
    ],
)
def test_type_errors_pr401(check: str, op_token: str, words: list[str]) -> None:
    text = _one_check(check)
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR401"]
    for word in words:
        assert word in errors[0].message
    assert errors[0].line == _position(text, "check:", "check")[0]


def test_check_must_be_a_condition() -> None:
    err = _load_errors(_one_check("deposit * 2"))[0]
    assert err.code == "PR401"
    assert "condition" in err.message


def test_not_needs_a_boolean() -> None:
    err = _load_errors(_one_check("not deposit"))[0]
    assert err.code == "PR401"


def test_function_argument_types_are_checked() -> None:
    err = _load_errors(_one_check("days_between(name, opened) > 3"))[0]
    assert err.code == "PR401"
    assert "days_between()" in err.message


@pytest.mark.parametrize(
    ("check", "bad", "suggestion"),
    [
        ("kind == enterprize", "enterprize", "enterprise"),
        ("kind in [enterprise, individul]", "individul", "individual"),
        ("medal >= AAA", "AAA", "AA"),
    ],
)
def test_unknown_enum_value_pr308_with_suggestion(check: str, bad: str, suggestion: str) -> None:
    text = _one_check(check)
    err = _load_errors(text)[0]
    assert err.code == "PR308"
    assert f"'{bad}'" in err.message
    assert err.suggestion == suggestion
    assert f"did you mean '{suggestion}'?" in err.message
    assert (err.line, err.column) == _position(text, "check:", bad)


@pytest.mark.parametrize(
    ("check", "column_token"),
    [
        ("a < b < c", "< c"),
        ("deposit >= 1 && medal >= A", "&&"),
        ("deposit = 3", "="),
        ("deposit >= 1 or", None),
    ],
)
def test_syntax_errors_in_checks_are_located_pr400(check: str, column_token: str | None) -> None:
    text = _one_check(check)
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR400"]
    line, start = _position(text, "check:", check)
    expected_col = (start + check.index(column_token)) if column_token else start + len(check)
    assert (errors[0].line, errors[0].column) == (line, expected_col)


def test_invalid_date_literal_in_a_check_is_pr402() -> None:
    text = _one_check("opened < 2024-02-30")
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR402"]
    assert (errors[0].line, errors[0].column) == _position(text, "check:", "2024-02-30")


def test_syntax_error_in_applies_when_is_located() -> None:
    text = _one_check("deposit >= 1").replace(
        "        check: deposit >= 1", "        applies_when: kind = enterprise\n"
        "        check: deposit >= 1")
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR400"]
    assert (errors[0].line, errors[0].column) == _position(text, "applies_when:", "=")


def test_empty_check_is_refused() -> None:
    errors = _load_errors(_one_check('""'))
    assert errors
    assert errors[0].code in ("PR200", "PR400")


def test_over_long_expression_in_a_ruleset() -> None:
    long_check = " or ".join(["deposit >= 1"] * 800)  # > 10,000 characters
    errors = _load_errors(_one_check(long_check))
    assert [e.code for e in errors] == ["PR403"]
    assert "longer" in errors[0].message


@pytest.mark.parametrize("check", [
    " + ".join(["deposit"] * 150) + " > 0",  # SyntaxError from compiling the generated code
    " + ".join(["deposit"] * 400) + " > 0",  # RecursionError
    "deposit > 1" + "0" * 4400,  # ValueError from int()
])
def test_oversized_expressions_in_a_ruleset_are_located_errors(check: str) -> None:
    errors = _load_errors(_one_check(check))
    assert [e.code for e in errors] == ["PR403"]
    assert errors[0].line is not None and errors[0].column is not None


# -- references between declarations -----------------------------------------------------


def _decisions(body: str) -> str:
    return HEAD + "decisions:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def test_decision_cycle_pr305() -> None:
    text = _decisions(
        """\
        a:
          description: {en: A, zh: A}
          all:
            - {id: ra, description: {en: r, zh: r}, source: "002 §1", decision: b}
        b:
          description: {en: B, zh: B}
          all:
            - {id: rb, description: {en: r, zh: r}, source: "002 §1", decision: a}
        """
    )
    errors = _load_errors(text)
    assert errors
    assert {e.code for e in errors} == {"PR305"}
    assert "a -> b -> a" in errors[0].message or "b -> a -> b" in errors[0].message


def test_decision_cycle_through_expressions_pr305() -> None:
    text = _decisions(
        """\
        a:
          description: {en: A, zh: A}
          all:
            - {id: ra, description: {en: r, zh: r}, source: "002 §1", check: b}
        b:
          description: {en: B, zh: B}
          all:
            - {id: rb, description: {en: r, zh: r}, source: "002 §1", check: a}
        """
    )
    errors = _load_errors(text)
    assert errors and {e.code for e in errors} == {"PR305"}


def test_decision_referring_to_itself_pr305() -> None:
    text = _decisions(
        """\
        a:
          description: {en: A, zh: A}
          all:
            - {id: ra, description: {en: r, zh: r}, source: "002 §1", decision: a}
        """
    )
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR305"]


def test_unknown_decision_reference_pr303() -> None:
    text = _decisions(
        """\
        main:
          description: {en: Main, zh: 主}
          all:
            - id: sub
              description: {en: r, zh: r}
              source: "002 §1"
              decision: merchnt
        merchant:
          description: {en: M, zh: M}
          all:
            - {id: m, description: {en: r, zh: r}, source: "002 §1", check: deposit > 0}
        """
    )
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR303"]
    assert "merchnt" in errors[0].message
    assert errors[0].suggestion == "merchant"
    assert (errors[0].line, errors[0].column) == _position(text, "decision: merchnt", "merchnt")


def test_rule_cannot_require_a_value_decision() -> None:
    text = _decisions(
        """\
        main:
          description: {en: Main, zh: 主}
          all:
            - {id: sub, description: {en: r, zh: r}, source: "002 §1", decision: amount}
        amount:
          description: {en: Amount, zh: 金额}
          compute: deposit * 2
        """
    )
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR401"]


def test_duplicate_rule_id_pr306() -> None:
    text = _decisions(
        """\
        a:
          description: {en: A, zh: A}
          all:
            - id: same
              description: {en: r, zh: r}
              source: "002 §1"
              check: deposit > 1
            - id: group
              description: {en: g, zh: g}
              source: "002 §1"
              any:
                - id: same
                  description: {en: r, zh: r}
                  source: "002 §1"
                  check: deposit > 2
        """
    )
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR306"]
    assert "'same'" in errors[0].message
    first_line = _position(text, "- id: same", "same")[0]
    assert f"line {first_line}" in errors[0].message
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "- id: same" in line]
    assert errors[0].line == lines[1]


def test_same_rule_id_in_different_decisions_is_fine() -> None:
    text = _decisions(
        """\
        a:
          description: {en: A, zh: A}
          all:
            - {id: same, description: {en: r, zh: r}, source: "002 §1", check: deposit > 1}
        b:
          description: {en: B, zh: B}
          all:
            - {id: same, description: {en: r, zh: r}, source: "002 §1", check: deposit > 2}
        """
    )
    assert sorted(promorules.loads(text).decisions) == ["a", "b"]


def test_unknown_source_document_pr307() -> None:
    text = _one_check("deposit > 1").replace('source: "002 §1.1"', 'source: "003 §1.1"')
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR307"]
    assert "'003'" in errors[0].message
    assert errors[0].suggestion == "002"
    assert errors[0].line == _position(text, '"003 §1.1"', "003")[0]


def test_name_declared_twice_pr304() -> None:
    text = HEAD + "lists:\n  deposit:\n    items: [a, b]\n" + textwrap.dedent(
        """\
        decisions:
          ok:
            description: {en: OK, zh: 好}
            all:
              - {id: r, description: {en: r, zh: r}, source: "002 §1", check: deposit > 1}
        """
    )
    errors = _load_errors(text)
    assert [e.code for e in errors] == ["PR304"]
    assert "'deposit'" in errors[0].message
    assert "facts" in errors[0].message and "lists" in errors[0].message
    list_line = [n for n, line in enumerate(text.splitlines(), 1) if line == "  deposit:"][1]
    assert (errors[0].line, errors[0].column) == (list_line, 3)


def test_decision_named_like_a_fact_pr304() -> None:
    text = HEAD + textwrap.dedent(
        """\
        decisions:
          kind:
            description: {en: OK, zh: 好}
            all:
              - {id: r, description: {en: r, zh: r}, source: "002 §1", check: deposit > 1}
        """
    )
    assert "PR304" in [e.code for e in _load_errors(text)]


def test_builtin_names_cannot_be_declared() -> None:
    text = HEAD.replace("  name:\n", "  today:\n") + textwrap.dedent(
        """\
        decisions:
          ok:
            description: {en: OK, zh: 好}
            all:
              - {id: r, description: {en: r, zh: r}, source: "002 §1", check: deposit > 1}
        """
    )
    assert "PR304" in [e.code for e in _load_errors(text)]


# -- every stage in one run --------------------------------------------------------------

MULTI = HEAD + textwrap.dedent(
    """\
    decisions:
      a:
        description: {en: A, zh: A}
        source: "002 §1"
        all:
          - id: r
            description: {en: r, zh: r}
            source: "002 §1"
            check: deposti > 1
          - id: r
            description: {en: r, zh: r}
            source: "002 §1"
            check: deposit > 2
        description: {en: A again, zh: A}
    """
)


def test_loads_reports_errors_of_several_stages_at_once() -> None:
    errors = _load_errors(MULTI)
    codes = [e.code for e in errors]
    assert sorted(codes) == ["PR102", "PR301", "PR306"]
    positions = [(e.line or 0, e.column or 0) for e in errors]
    assert positions == sorted(positions)
    with pytest.raises(RulesetError) as info:
        promorules.loads(MULTI, source="multi.yaml")
    assert "and 2 more errors" in info.value.message
    assert len(str(info.value).splitlines()) == 3


def test_check_reports_errors_of_several_stages_at_once(tmp_path: Path) -> None:
    path = tmp_path / "multi.yaml"
    path.write_text(MULTI, encoding="utf-8")
    errors = promorules.check(path)
    assert sorted(e.code for e in errors) == ["PR102", "PR301", "PR306"]
    assert all(e.source == str(path) for e in errors)
    assert all(e.line is not None and e.column is not None for e in errors)
    dup = next(e for e in errors if e.code == "PR102")
    assert dup.line == _position(MULTI, "description: {en: A again", "description")[0]


def test_check_of_a_valid_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(_one_check("deposit >= 3000"), encoding="utf-8")
    assert promorules.check(path) == []


def test_several_compile_errors_in_different_decisions_are_all_reported() -> None:
    text = _decisions(
        """\
        a:
          description: {en: A, zh: A}
          all:
            - {id: r, description: {en: r, zh: r}, source: "002 §1", check: deposti > 1}
        b:
          description: {en: B, zh: B}
          all:
            - {id: r, description: {en: r, zh: r}, source: "002 §1", check: kind == x1}
        c:
          description: {en: C, zh: C}
          all:
            - {id: r, description: {en: r, zh: r}, source: "002 §1", check: nope(deposit)}
        """
    )
    assert [e.code for e in _load_errors(text)] == ["PR301", "PR308", "PR302"]
