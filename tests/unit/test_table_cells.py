"""Table cells written as text (model/cells.py): which strings are tests, how a test splits
into alternatives (not inside quotes, parentheses, list brackets or a range), and the
conditions ranges, disjunctions and not(...) become."""

from __future__ import annotations

import pytest

from promorules.expressions import ExpressionSyntaxError, ast
from promorules.expressions.ast import unparse
from promorules.model.cells import is_test, parse_test

X = ast.Name("x")


@pytest.mark.parametrize(("text", "test"), [
    (">= 18", True), ("[1..2]", True), ("]1..2[", True), ("(1..2)", True),
    ("not(a)", True), ("not (a, b)", True), ("== y", True), ("!= y", True),
    ("Medium", False), ("New York, NY", False), ("nothing", False), ("not a test", False)])
def test_which_strings_are_tests(text: str, test: bool) -> None:
    assert is_test(text) is test


@pytest.mark.parametrize(("text", "condition"), [
    ("[1..10]", "x >= 1 and x <= 10"),
    ("(1..10]", "x > 1 and x <= 10"),
    ("]1..10[", "x > 1 and x < 10"),
    ("[1.5..2.5)", "x >= 1.5 and x < 2.5"),
    ("[-5..5]", "x >= -5 and x <= 5"),
    ("[2024-01-01..2024-12-31]", "x >= 2024-01-01 and x <= 2024-12-31"),
    ("[low..high]", "x >= low and x <= high"),
    ("[min(a, b)..(c + 1)]", "x >= min(a, b) and x <= c + 1"),
    ("< 18, >= 60", "x < 18 or x >= 60"),
    ("[1..3], > 10, == 7", "x >= 1 and x <= 3 or x > 10 or x == 7"),
    ("not(< 18, >= 60)", "not (x < 18 or x >= 60)"),
    ("not([1..5])", "not (x >= 1 and x <= 5)"),
    ("== 'a, b', 'c'", "x == \"a, b\" or x == \"c\""),
    ("== [1, 2]", "x == [1, 2]"),
])
def test_tests_become_conditions(text: str, condition: str) -> None:
    assert unparse(parse_test(text, X)) == condition


@pytest.mark.parametrize("text", ["[1..5", "[1,5]", "[..5]", "[1..]", "not()", "< 1,",
                                  ", < 1", "= 5", "! 5"])
def test_malformed_tests_are_pr323(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_test(text, X)
    assert info.value.code == "PR323"
