"""Errors that surfaced too late (issue 10 Hardening 7): a constant division by zero and a
bad number of places in round_*() are reported when the ruleset loads (PR401, located),
not at every evaluation as PR606."""

from __future__ import annotations

import pytest

import promorules

TEMPLATE = """\
id: late
version: 1.0.0
title: {{en: Late, zh: 遲}}
timezone: Asia/Shanghai
sources: {{"D": {{file: d.txt, title: Doc}}}}
facts:
  x: {{type: number}}
params:
  divisor: {{type: number, default: 3}}
decisions:
  value:
    description: {{en: Value, zh: 值}}
    compute: "{expr}"
"""


@pytest.mark.parametrize("expr, message", [
    ("1/0", "division by zero: 0 is always 0"),
    ("x / 0", "division by zero"),
    ("x / (2 - 2)", "division by zero: 2 - 2 is always 0"),
    ("x + 5 * (1 / 0)", "division by zero"),
    ("round_half_up(x, 1000)", "rounds to 0 to 12 decimal places, not 1000"),
    ("round_down(x, -1)", "rounds to 0 to 12 decimal places, not -1"),
    ("round_up(x, 1.5)", "a whole number of places"),
])
def test_reported_at_load(expr: str, message: str) -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(TEMPLATE.format(expr=expr), source="late.yaml")
    e = info.value
    assert e.code == "PR401" and message in str(e)
    assert (e.source, e.line) == ("late.yaml", 13)


def test_a_parameter_overridden_to_zero_is_reported_at_load() -> None:
    text = TEMPLATE.format(expr="x / divisor")
    assert promorules.loads(text).evaluate("value", {"x": 6}).value == 2
    with pytest.raises(promorules.RulesetError, match="division by zero"):
        promorules.loads(text, params={"divisor": 0})


def test_a_fact_divisor_is_still_checked_at_evaluation() -> None:
    rs = promorules.loads(TEMPLATE.format(expr="1 / x"))
    with pytest.raises(promorules.FactError) as info:
        rs.evaluate("value", {"x": 0})
    assert info.value.code == "PR606"


def test_valid_places_still_load() -> None:
    rs = promorules.loads(TEMPLATE.format(expr="round_half_up(x / 3, 12)"))
    assert str(rs.evaluate("value", {"x": 1}).value) == "0.333333333333"
