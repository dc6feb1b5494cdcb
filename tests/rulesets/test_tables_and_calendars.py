"""Decision tables (docs/format.md "Decision tables") and ruleset calendars (docs/format.md
"Calendars") on small inline rulesets loaded with promorules.loads."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
import textwrap
from typing import Any

import pytest

import promorules
from promorules.cli import run
from promorules.horizon import last_known_year

HEAD = """\
id: inline
version: 1.0.0
title: {en: Inline, zh: 内联}
timezone: Asia/Shanghai
sources:
  "001": {file: 001_inline.txt, title: Inline}
"""

FACTS = """\
facts:
  color: {type: enum, values: [red, green, blue], description: {en: Colour, zh: 颜色}}
  size: {type: enum, values: [s, m], description: {en: Size, zh: 尺码}}
  paid: {type: boolean, description: {en: Paid, zh: 已付款}}
  n: {type: number, description: {en: A number, zh: 数字}}
"""


def ruleset(decisions: str, *, calendar: str = "", facts: str = FACTS) -> promorules.Ruleset:
    text = HEAD + calendar + facts + "decisions:\n" + textwrap.indent(
        textwrap.dedent(decisions), "  ")
    return promorules.loads(text, source="inline.yaml")


def table_lint(rs: promorules.Ruleset) -> tuple[promorules.RulesetError, ...]:
    """The table lints (PR7xx before PR720): these small rulesets leave facts unused, which
    tests/unit/test_ruleset_lints.py covers."""
    return tuple(w for w in rs.lint if w.code < "PR720")


def table(policy: str, inputs: str, rows: str, extra: str = "") -> str:
    return f"""\
    x:
      description: {{en: Table, zh: 表}}
      source: "001 §1"
      table:
        hit_policy: {policy}
        inputs: {inputs}
        rows:
{textwrap.indent(textwrap.dedent(rows), " " * 10)}{extra}
    """


def row_outcomes(result: promorules.Result) -> dict[str, str]:
    return {c.rule_id: str(c.outcome) for c in result.trace.children if c.kind == "row"}


def matched(result: promorules.Result) -> list[str]:
    return [c.rule_id for c in result.trace.children if c.kind == "row" and c.outcome == "pass"]


# -- static checks: PR311 and PR702 -----------------------------------------------------------


def test_unique_overlapping_rows_on_enums_are_pr311_naming_both_rows() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        ruleset(table("unique", "[color, size]", """\
            - {id: warm, when: [[red, green], "-"], then: a}
            - {id: greenish, when: [green, s], then: b}
            - {id: cold, when: [blue, "-"], then: c}
        """))
    (error,) = info.value.errors
    assert error.code == "PR311"
    assert "'warm'" in error.message and "'greenish'" in error.message
    assert "color = green, size = s" in error.message  # the input both match
    assert error.source == "inline.yaml" and error.line is not None


def test_unique_overlapping_rows_on_booleans_are_pr311() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        ruleset(table("unique", "[paid]", """\
            - {id: yes, when: [true], then: a}
            - {id: whatever, when: ["-"], then: b}
        """))
    assert [e.code for e in info.value.errors] == ["PR311"]
    assert "'yes'" in info.value.errors[0].message
    assert "'whatever'" in info.value.errors[0].message


def test_first_tables_may_overlap() -> None:
    rs = ruleset(table("first", "[color, size]", """\
        - {id: warm, when: [[red, green], "-"], then: a}
        - {id: greenish, when: [green, s], then: b}
        - {id: cold, when: [blue, "-"], then: c}
    """))
    assert table_lint(rs) == ()


GAPPY_ROWS = """\
    - {id: reds, when: [red, "-"], then: a}
    - {id: greens, when: [green, "-"], then: b}
    - {id: small_blue, when: [blue, s], then: c}
"""


def test_a_gap_on_enum_inputs_is_a_pr702_lint_listing_the_combination() -> None:
    rs = ruleset(table("unique", "[color, size]", GAPPY_ROWS))
    (lint,) = table_lint(rs)
    assert lint.code == "PR702"
    assert "color = blue, size = m" in lint.message
    result = rs.evaluate("x", {"color": "blue", "size": "m"})
    assert result.outcome == "fail"
    assert result.trace.detail == "no row matches"


def test_a_default_closes_the_gap() -> None:
    rs = ruleset(table("unique", "[color, size]", GAPPY_ROWS, extra="\n        default: z"))
    assert table_lint(rs) == ()
    assert rs.evaluate("x", {"color": "blue", "size": "m"}).value == "z"


def test_a_collect_table_has_no_gap_lint() -> None:
    assert table_lint(ruleset(table("collect", "[color, size]", GAPPY_ROWS))) == ()


def test_promorules_check_exits_0_printing_the_gap_as_a_warning(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "gappy.yaml"
    path.write_text(HEAD + FACTS + "decisions:\n" + textwrap.indent(
        textwrap.dedent(table("unique", "[color, size]", GAPPY_ROWS)), "  "), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", str(path)], out, err, io.StringIO())
    printed = out.getvalue() + err.getvalue()
    assert code == 0
    assert "warning" in printed
    assert "PR702" in printed
    assert "color = blue, size = m" in printed


# -- cells that name another fact: not known statically, so no claim rests on them ----------

FAVOURITE = FACTS + """\
  favourite: {type: enum, values: [red, green, blue], description: {en: Favourite, zh: 最爱}}
"""


def test_rows_equal_and_unequal_to_another_fact_cover_every_input() -> None:
    # `== favourite` and `!= favourite` together match every colour: no PR702 (the analysis
    # once read `favourite` as a literal matching nothing and warned that no row covers any)
    rs = ruleset(table("first", "[color]", """\
        - {id: same, when: ["== favourite"], then: a}
        - {id: other, when: ["!= favourite"], then: b}
    """), facts=FAVOURITE)
    assert table_lint(rs) == ()
    assert rs.evaluate("x", {"color": "red", "favourite": "red"}).value == "a"
    assert rs.evaluate("x", {"color": "red", "favourite": "blue"}).value == "b"


def test_a_gap_is_still_found_where_it_is_certain_beside_a_fact_cell() -> None:
    # whatever `favourite` is, no row matches size m with a colour other than red
    rs = ruleset(table("first", "[color, size]", """\
        - {id: fav_small, when: ["== favourite", s], then: a}
        - {id: reds, when: [red, "-"], then: b}
    """), facts=FAVOURITE)
    (lint,) = table_lint(rs)
    assert lint.code == "PR702"
    assert "no row covers color = green, size = m; color = blue, size = m:" in lint.message
    assert rs.evaluate("x", {"color": "blue", "size": "s", "favourite": "blue"}).value == "a"


def test_unique_rows_on_another_fact_are_not_claimed_to_overlap() -> None:
    # `== favourite` and `!= favourite` never match together: no PR311, and it works
    rs = ruleset(table("unique", "[color, size]", """\
        - {id: same, when: ["== favourite", "-"], then: a}
        - {id: other, when: ["!= favourite", "-"], then: b}
    """), facts=FAVOURITE)
    assert table_lint(rs) == ()
    assert rs.evaluate("x", {"color": "green", "size": "m", "favourite": "green"}).value == "a"


def test_pr311_beside_a_fact_cell_names_the_rows_that_certainly_overlap() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        ruleset(table("unique", "[color, size]", """\
            - {id: warm, when: [[red, green], "-"], then: a}
            - {id: fav, when: ["== favourite", m], then: b}
            - {id: greenish, when: [green, s], then: c}
        """), facts=FAVOURITE)
    (error,) = info.value.errors
    assert error.code == "PR311"
    assert "rows 'warm' and 'greenish' both match color = green, size = s" in error.message


def test_an_overlap_through_a_fact_cell_is_caught_at_run_time() -> None:
    # `fav` overlaps `warm` only when favourite is red or green: not certain, so the ruleset
    # loads, and an input matching both fails naming them
    rs = ruleset(table("unique", "[color]", """\
        - {id: warm, when: [[red, green]], then: a}
        - {id: fav, when: ["== favourite"], then: b}
        - {id: cold, when: [blue], then: c}
    """), facts=FAVOURITE)
    assert table_lint(rs) == ()
    assert rs.evaluate("x", {"color": "blue", "favourite": "green"}).value == "c"
    result = rs.evaluate("x", {"color": "red", "favourite": "red"})
    assert result.outcome == "fail"
    assert result.trace.detail == "rows warm and fav both match (hit policy unique)"
    assert result.failed_rule_ids == ("x",)


# -- hit policies at run time ---------------------------------------------------------------

NUMBER_ROWS = """\
    - {id: low, when: ["<= 10"], then: a}
    - {id: mid, when: [">= 5"], then: b}
"""
# rows that overlap only when the fact `limit` is 5 or more: not certain before evaluation
LIMIT_ROWS = """\
    - {id: low, when: ["<= limit"], then: a}
    - {id: mid, when: [">= 5"], then: b}
"""
LIMIT_FACTS = FACTS + """\
  limit: {type: number, description: {en: A limit, zh: 上限}}
"""


def test_first_picks_the_first_matching_row() -> None:
    rs = ruleset(table("first", "[color, size]", """\
        - {id: warm, when: [[red, green], "-"], then: a}
        - {id: greenish, when: [green, s], then: b}
        - {id: cold, when: [blue, "-"], then: c}
    """))
    result = rs.evaluate("x", {"color": "green", "size": "s"})
    assert result.outcome == "pass"
    assert result.value == "a"
    assert matched(result) == ["warm"]
    result = rs.evaluate("x", {"color": "blue", "size": "s"})
    assert result.value == "c"
    assert matched(result) == ["cold"]
    assert row_outcomes(result)["warm"] == "fail"


def test_first_on_numbers() -> None:
    rs = ruleset(table("first", "[n]", NUMBER_ROWS))
    assert rs.evaluate("x", {"n": 7}).value == "a"
    assert rs.evaluate("x", {"n": 20}).value == "b"
    assert matched(rs.evaluate("x", {"n": 20})) == ["mid"]


COLLECT_ROWS = """\
    - {id: low, when: ["<= 10"], then: a}
    - {id: mid, when: [">= 5"], then: b}
    - {id: big, when: ["> 100"], then: c}
    - {id: negative, when: ["< 0"], then: d}
"""


@pytest.mark.parametrize(("n", "value", "rows"), [
    (3, ["a"], ["low"]),
    (7, ["a", "b"], ["low", "mid"]),
    (200, ["b", "c"], ["mid", "big"]),
    (-1, ["a", "d"], ["low", "negative"]),
])
def test_collect_returns_every_match_in_row_order(n: int, value: list[str],
                                                  rows: list[str]) -> None:
    result = ruleset(table("collect", "[n]", COLLECT_ROWS)).evaluate("x", {"n": n})
    assert result.outcome == "pass"
    assert result.value == value
    assert matched(result) == rows


def test_collect_without_a_match_is_an_empty_list() -> None:
    rs = ruleset(table("collect", "[color, size]", """\
        - {id: reds, when: [red, "-"], then: a}
        - {id: small_greens, when: [green, s], then: b}
    """))
    result = rs.evaluate("x", {"color": "blue", "size": "m"})
    assert result.outcome == "pass"
    assert result.value == []
    assert result.to_dict()["value"] == []
    assert matched(result) == []


def test_the_trace_names_the_matched_row() -> None:
    rs = ruleset(table("unique", "[color, size]", GAPPY_ROWS))
    result = rs.evaluate("x", {"color": "green", "size": "m"})
    assert result.value == "b"
    rows = [c for c in result.trace.children if c.kind == "row"]
    assert [r.rule_id for r in rows] == ["reds", "greens", "small_blue"]
    assert row_outcomes(result) == {"reds": "fail", "greens": "pass", "small_blue": "fail"}
    (greens,) = [r for r in rows if r.outcome == "pass"]
    assert greens.value == "b"
    assert greens.actual == {"color": "green"}
    data = result.to_dict()["trace"]
    assert [(c["rule_id"], c["kind"], c["outcome"]) for c in data["children"]] == [
        ("reds", "row", "fail"), ("greens", "row", "pass"), ("small_blue", "row", "fail")]


def test_rows_without_an_id_are_numbered() -> None:
    rs = ruleset(table("first", "[n]", """\
        - {when: ["< 0"], then: neg}
        - {when: ["-"], then: other}
    """))
    assert matched(rs.evaluate("x", {"n": 5})) == ["row_2"]


@pytest.mark.parametrize("policy", ["unique", "first", "collect"])
@pytest.mark.parametrize("facts", [{}, {"size": "s"}])
def test_an_unknown_input_makes_the_outcome_unknown(policy: str, facts: dict[str, Any]
                                                    ) -> None:
    result = ruleset(table(policy, "[color, size]", GAPPY_ROWS)).evaluate("x", facts)
    assert result.outcome == "unknown"
    assert result.value is None
    assert "color" in result.missing


@pytest.mark.parametrize("policy", ["unique", "first", "collect"])
def test_an_unknown_number_input_makes_the_outcome_unknown(policy: str) -> None:
    result = ruleset(table(policy, "[n]", LIMIT_ROWS), facts=LIMIT_FACTS).evaluate(
        "x", {"limit": 10})
    assert result.outcome == "unknown"
    assert result.missing == ("n",)


def test_unique_overlapping_number_rows_are_found_at_load() -> None:
    # ranges and comparisons on numbers are analysed too (once only enums and booleans were)
    with pytest.raises(promorules.RulesetError) as info:
        ruleset(table("unique", "[n]", NUMBER_ROWS))
    (error,) = info.value.errors
    assert error.code == "PR311"
    assert "rows 'low' and 'mid' both match n = 5:" in error.message


def test_unique_matching_two_rows_at_run_time_fails_naming_both() -> None:
    rs = ruleset(table("unique", "[n]", LIMIT_ROWS), facts=LIMIT_FACTS)
    assert table_lint(rs) == ()  # the overlap depends on `limit`: not certain statically
    assert rs.evaluate("x", {"n": 3, "limit": 10}).value == "a"
    assert rs.evaluate("x", {"n": 20, "limit": 10}).value == "b"
    result = rs.evaluate("x", {"n": 7, "limit": 10})
    assert result.outcome == "fail"
    assert result.value is None
    assert row_outcomes(result) == {"low": "pass", "mid": "pass"}
    detail = result.trace.detail or ""
    assert "low" in detail and "mid" in detail
    assert result.failed_rule_ids == ("x",)
    text = result.explain()
    assert "low" in text and "mid" in text


# -- calendars -------------------------------------------------------------------------------

DATE_FACTS = """\
facts:
  d: {type: date, description: {en: A date, zh: 日期}}
"""
DUE = """\
due:
  description: {en: Two working days later, zh: 两个工作日后}
  source: "001 §1"
  type: date
  compute: add_working_days(d, 2)
working:
  description: {en: Is a working day, zh: 是否工作日}
  source: "001 §1"
  compute: is_working_day(d)
"""
CALENDAR_2027 = """\
calendar:
  years: [2027]
  holidays:
    - {date: 2027-01-01, name: New Year's Day}
    - {date: 2027-02-08, name: Spring Festival}
  workdays: [2027-01-09]
"""


def test_a_ruleset_calendar_makes_2027_usable_with_a_saturday_workday() -> None:
    rs = ruleset(DUE, calendar=CALENDAR_2027, facts=DATE_FACTS)
    assert dt.date(2027, 1, 9).weekday() == 5  # a Saturday
    assert rs.evaluate("working", {"d": "2027-01-09"}).value is True
    assert rs.evaluate("working", {"d": "2027-01-16"}).value is False  # an ordinary Saturday
    assert rs.evaluate("working", {"d": "2027-01-01"}).value is False
    # Thursday 7 January: Friday 8 is the first working day, the Saturday workday the second
    assert rs.evaluate("due", {"d": "2027-01-07"}).value == dt.date(2027, 1, 9)
    # Thursday 14 January: no override, the weekend is skipped
    assert rs.evaluate("due", {"d": "2027-01-14"}).value == dt.date(2027, 1, 18)


def test_a_ruleset_calendar_explains_its_holidays() -> None:
    rs = ruleset(DUE, calendar=CALENDAR_2027, facts=DATE_FACTS)
    result = rs.evaluate("due", {"d": "2026-12-30"})  # across the library's last year
    assert result.value == dt.date(2027, 1, 4)
    assert "2027-01-01 New Year's Day" in result.explain("en")
    assert "2027-01-02 .. 2027-01-03 weekend" in result.explain("en")
    assert "2027-01-01 元旦" in result.explain("zh")
    result = rs.evaluate("due", {"d": "2027-02-04"})
    assert result.value == dt.date(2027, 2, 9)
    assert "2027-02-08 Spring Festival" in result.explain("en")


# the first year the library does not know, read from it: its next release moves it
UNKNOWN = last_known_year() + 1


def calendar_for(year: int) -> str:
    return CALENDAR_2027.replace("2027", str(year))


def test_without_a_calendar_the_year_after_the_library_is_pr607() -> None:
    rs = ruleset(DUE, facts=DATE_FACTS)
    with pytest.raises(promorules.FactError) as info:
        rs.evaluate("due", {"d": f"{UNKNOWN}-03-01"})
    assert info.value.code == "PR607"


def test_a_few_dates_without_years_do_not_make_a_year_usable() -> None:
    partial = calendar_for(UNKNOWN).replace(f"  years: [{UNKNOWN}]\n", "")
    rs = ruleset(DUE, calendar=partial, facts=DATE_FACTS)
    with pytest.raises(promorules.FactError) as info:
        rs.evaluate("due", {"d": f"{UNKNOWN}-01-07"})
    assert info.value.code == "PR607"


def test_the_year_after_the_declared_one_is_still_pr607() -> None:
    rs = ruleset(DUE, calendar=calendar_for(UNKNOWN), facts=DATE_FACTS)
    with pytest.raises(promorules.FactError) as info:
        rs.evaluate("due", {"d": f"{UNKNOWN}-12-30"})
    assert info.value.code == "PR607"
    assert str(UNKNOWN + 1) in str(info.value)


def test_a_ruleset_calendar_corrects_a_year_the_library_knows() -> None:
    correction = """\
calendar:
  holidays:
    - {date: 2024-03-11, name: Company Day}
"""
    rs = ruleset(DUE, calendar=correction, facts=DATE_FACTS)
    result = rs.evaluate("due", {"d": "2024-03-08"})  # Friday
    assert result.value == dt.date(2024, 3, 13)  # Mon 11 is off: Tue 12, Wed 13
    assert "2024-03-11 Company Day" in result.explain()
