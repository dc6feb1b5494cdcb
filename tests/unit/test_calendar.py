"""Working days on the mainland China calendar, and the date helpers (promorules.calendar),
directly and through rulesets (calendar overrides, PR607)."""

from __future__ import annotations

import datetime as dt

import pytest

import promorules
from promorules import FactError
from promorules.calendar import (
    SkippedRun,
    WorkingCalendar,
    add_months,
    quarter_end,
    quarter_start,
    years_between,
)

D = dt.date
CAL = WorkingCalendar()


# -- working days ------------------------------------------------------------------------


def test_three_working_days_after_a_friday_skip_the_weekend() -> None:
    assert CAL.add_working_days(D(2024, 3, 8), 3) == D(2024, 3, 13)
    day, skipped = CAL.add_working_days_explained(D(2024, 3, 8), 3)
    assert day == D(2024, 3, 13)
    assert skipped == (SkippedRun(D(2024, 3, 9), D(2024, 3, 10), "weekend"),)
    assert skipped[0].describe() == "2024-03-09 .. 2024-03-10 weekend"


def test_the_start_day_itself_never_counts() -> None:
    assert CAL.add_working_days(D(2024, 3, 4), 1) == D(2024, 3, 5)
    assert CAL.add_working_days(D(2024, 3, 4), 0) == D(2024, 3, 4)


def test_spring_festival_2024_is_skipped_and_the_adjusted_sunday_counts() -> None:
    # 2024-02-09 (Fri) works; 10..17 February are the Spring Festival holiday;
    # Sunday 18 February is an adjusted working day; Monday 19 February is the third.
    day, skipped = CAL.add_working_days_explained(D(2024, 2, 8), 3)
    assert day == D(2024, 2, 19)
    assert [run.describe() for run in skipped] == ["2024-02-10 .. 2024-02-17 Spring Festival"]
    assert skipped[0].describe("zh") == "2024-02-10 .. 2024-02-17 春节"
    assert CAL.add_working_days(D(2024, 2, 8), 3) == D(2024, 2, 19)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 2, 18), True),  # Sunday, adjusted working day
        (D(2024, 2, 4), True),  # Sunday, adjusted working day
        (D(2024, 2, 10), False),  # Spring Festival
        (D(2024, 2, 12), False),  # Monday inside the holiday
        (D(2024, 3, 9), False),  # an ordinary Saturday
        (D(2024, 3, 11), True),  # an ordinary Monday
        (D(2024, 10, 1), False),  # National Day
        (D(2024, 10, 12), True),  # Saturday, adjusted working day
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_single_day_run_is_described_without_a_range() -> None:
    assert SkippedRun(D(2024, 4, 4), D(2024, 4, 4), "Tomb-sweeping Day").describe() == (
        "2024-04-04 Tomb-sweeping Day")
    assert SkippedRun(D(2024, 3, 9), D(2024, 3, 10), "weekend").describe("zh") == (
        "2024-03-09 .. 2024-03-10 周末")


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(FactError):
        CAL.add_working_days(D(2024, 3, 1), -1)


def test_a_year_beyond_the_library_is_pr607() -> None:
    from promorules.horizon import last_known_year
    unknown = last_known_year() + 1  # read from the library: its next release moves it
    with pytest.raises(FactError) as info:
        CAL.add_working_days(D(unknown, 3, 1), 3)
    assert info.value.code == "PR607"
    assert str(unknown) in info.value.message
    assert "calendar:" in info.value.message
    with pytest.raises(FactError) as info2:
        CAL.is_working_day(D(unknown, 3, 1))
    assert info2.value.code == "PR607"


def test_running_into_an_unknown_year_is_pr607() -> None:
    # a computation that starts in a known year but crosses into an unknown one
    with pytest.raises(FactError) as info:
        CAL.add_working_days(D(2026, 12, 30), 10)
    assert info.value.code == "PR607"


def test_overrides_make_an_unknown_year_usable() -> None:
    cal = WorkingCalendar(holidays={D(2027, 1, 1): "New Year's Day"},
                          workdays=frozenset({D(2027, 2, 7)}), years=frozenset({2027}))
    assert cal.is_working_day(D(2027, 1, 1)) is False
    assert cal.is_working_day(D(2027, 2, 7)) is True  # a Sunday made a working day
    assert cal.is_working_day(D(2027, 2, 6)) is False  # an ordinary Saturday
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 7)


def test_overrides_take_precedence_over_the_library() -> None:
    cal = WorkingCalendar(holidays={D(2024, 3, 11): "Company Day"},
                          workdays=frozenset({D(2024, 2, 10)}))
    assert cal.is_working_day(D(2024, 3, 11)) is False
    assert cal.is_working_day(D(2024, 2, 10)) is True
    day, skipped = cal.add_working_days_explained(D(2024, 3, 8), 1)
    assert day == D(2024, 3, 12)
    assert [r.describe() for r in skipped] == ["2024-03-09 .. 2024-03-10 weekend",
                                               "2024-03-11 Company Day"]


# -- through a ruleset -------------------------------------------------------------------

RULESET = """\
id: cal_demo
version: 1.0.0
title: {en: Calendar demo, zh: 日历示例}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
CALENDAR
facts:
  submitted_on: {type: date, description: {en: Submitted, zh: 提交日期}}
  born_on: {type: date, description: {en: Born, zh: 出生日期}}
decisions:
  review_due:
    description: {en: Review due, zh: 审核截止}
    type: date
    compute: add_working_days(submitted_on, 3)
  working:
    description: {en: Working day, zh: 工作日}
    type: boolean
    compute: is_working_day(submitted_on)
  age:
    description: {en: Age, zh: 年龄}
    compute: years_between(born_on, submitted_on)
  quarter:
    description: {en: Quarter, zh: 季度}
    fields:
      start: {compute: quarter_start(submitted_on)}
      end: {compute: quarter_end(submitted_on)}
      next_month: {compute: "add_months(submitted_on, 1)"}
"""


def _ruleset(calendar: str = "") -> promorules.Ruleset:
    return promorules.loads(RULESET.replace("CALENDAR\n", calendar), source="cal.yaml")


def test_review_due_through_a_ruleset() -> None:
    rs = _ruleset()
    assert rs.evaluate("review_due", {"submitted_on": "2024-03-08"}).value == D(2024, 3, 13)
    assert rs.evaluate("review_due", {"submitted_on": "2024-02-08"}).value == D(2024, 2, 19)
    assert rs.evaluate("working", {"submitted_on": "2024-02-18"}).value is True


def test_unknown_year_through_a_ruleset_is_pr607() -> None:
    rs = _ruleset()
    with pytest.raises(FactError) as info:
        rs.evaluate("review_due", {"submitted_on": "2027-03-01"})
    assert info.value.code == "PR607"


def test_ruleset_calendar_override_makes_the_year_work() -> None:
    rs = _ruleset(
        "calendar:\n"
        "  years: [2027]\n"
        "  holidays:\n"
        "    - {date: 2027-01-01, name: New Year's Day}\n"
        "    - {date: 2027-03-02, name: Local holiday}\n"
        "  workdays: [2027-02-07]\n"
    )
    # Monday 1 March 2027 + 3: Tue 2 is a holiday, so Wed 3, Thu 4, Fri 5
    assert rs.evaluate("review_due", {"submitted_on": "2027-03-01"}).value == D(2027, 3, 5)
    assert rs.evaluate("working", {"submitted_on": "2027-02-07"}).value is True
    assert rs.evaluate("working", {"submitted_on": "2027-01-01"}).value is False


def test_invalid_calendar_override_date_is_a_ruleset_error() -> None:
    with pytest.raises(promorules.RulesetError):
        _ruleset("calendar:\n  workdays: [2027-02-30]\n")


def test_date_helpers_through_a_ruleset() -> None:
    rs = _ruleset()
    assert rs.evaluate("age", {"born_on": "2000-02-29", "submitted_on": "2001-02-28"}).value == 1
    value = rs.evaluate("quarter", {"submitted_on": "2024-05-31"}).value
    assert value == {"start": D(2024, 4, 1), "end": D(2024, 6, 30), "next_month": D(2024, 6, 30)}


# -- years_between -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (D(1990, 5, 17), D(2024, 5, 17), 34),  # the birthday itself counts
        (D(1990, 5, 17), D(2024, 5, 16), 33),  # the day before does not
        (D(1990, 5, 17), D(2024, 5, 18), 34),
        (D(2000, 2, 29), D(2001, 2, 28), 1),  # 29 Feb anniversary on 28 Feb (non-leap)
        (D(2000, 2, 29), D(2001, 2, 27), 0),
        (D(2000, 2, 29), D(2001, 3, 1), 1),
        (D(2000, 2, 29), D(2004, 2, 28), 3),  # leap year: the anniversary is 29 Feb
        (D(2000, 2, 29), D(2004, 2, 29), 4),
        (D(2023, 3, 1), D(2024, 2, 29), 0),
        (D(2024, 1, 1), D(2024, 1, 1), 0),
    ],
)
def test_years_between(start: dt.date, end: dt.date, years: int) -> None:
    assert years_between(start, end) == years


# -- quarters and months -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2024, 1, 1), D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 3, 31), D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 5, 17), D(2024, 4, 1), D(2024, 6, 30)),
        (D(2024, 8, 15), D(2024, 7, 1), D(2024, 9, 30)),
        (D(2024, 12, 3), D(2024, 10, 1), D(2024, 12, 31)),
    ],
)
def test_quarter_start_and_end(day: dt.date, start: dt.date, end: dt.date) -> None:
    assert quarter_start(day) == start
    assert quarter_end(day) == end


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # clamped, leap year
        (D(2023, 1, 31), 1, D(2023, 2, 28)),  # clamped
        (D(2024, 11, 30), 3, D(2025, 2, 28)),  # across a year end
        (D(2024, 3, 31), -1, D(2024, 2, 29)),  # backwards
        (D(2024, 1, 15), 12, D(2025, 1, 15)),
        (D(2024, 1, 15), -13, D(2022, 12, 15)),
        (D(2024, 5, 31), 0, D(2024, 5, 31)),
    ],
)
def test_add_months(day: dt.date, months: int, result: dt.date) -> None:
    assert add_months(day, months) == result


def test_a_partial_list_of_dates_does_not_make_a_year_known() -> None:
    # listing one holiday of 2027 without `years: [2027]` must not turn every other 2027
    # day into a weekday guess
    cal = WorkingCalendar(holidays={D(2027, 1, 1): "New Year's Day"})
    assert cal.is_working_day(D(2027, 1, 1)) is False  # the listed date is honoured
    with pytest.raises(FactError) as info:
        cal.is_working_day(D(2027, 3, 1))
    assert info.value.code == "PR607"
    assert "years: [2027]" in info.value.message
