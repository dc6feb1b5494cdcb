"""Time: the mainland China working-day calendar, and date arithmetic helpers.

Working days come from the maintained ``chinesecalendar`` library, which knows public
holidays *and* the officially adjusted weekend working days (调休). A ruleset may add or
override dates (``calendar: {holidays: [...], workdays: [...]}``); a year that neither the
library nor the ruleset knows is an error, never a silent weekday-only guess.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Mapping

import attrs
import chinese_calendar

from .errors import FactError

__all__ = [
    "SkippedRun",
    "WorkingCalendar",
    "add_months",
    "quarter_end",
    "quarter_start",
    "years_between",
]

_LIB_HOLIDAYS: Mapping[dt.date, object] = chinese_calendar.holidays
_LIB_YEARS = frozenset(d.year for d in _LIB_HOLIDAYS)

# chinesecalendar names holidays in English; the Chinese names for explanations.
HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@attrs.frozen
class SkippedRun:
    """Consecutive non-working days skipped by a working-day computation."""

    first: dt.date
    last: dt.date
    reason: str  # "weekend" or a holiday name

    def describe(self, lang: str = "en") -> str:
        span = self.first.isoformat() if self.first == self.last else (
            f"{self.first.isoformat()} .. {self.last.isoformat()}")
        if lang == "zh":
            reason = "周末" if self.reason == "weekend" else HOLIDAY_ZH.get(self.reason,
                                                                             self.reason)
        else:
            reason = self.reason
        return f"{span} {reason}"


@attrs.frozen
class WorkingCalendar:
    """Mainland China working days, with a ruleset's overrides on top of the library."""

    holidays: Mapping[dt.date, str] = attrs.field(factory=dict)
    workdays: frozenset[dt.date] = frozenset()
    # Years beyond the library whose dates the ruleset lists in full. Listing a few dates of a
    # year is not enough: a partial list would silently turn missing holidays into working days.
    years: frozenset[int] = frozenset()
    # chinesecalendar validates every date against its whole table (slow): remember answers
    _cache: dict[dt.date, tuple[bool, str]] = attrs.field(factory=dict, init=False,
                                                          eq=False, repr=False)

    @property
    def known_years(self) -> frozenset[int]:
        return _LIB_YEARS | self.years

    def day(self, day: dt.date) -> tuple[bool, str]:
        """(is a working day, why not: "weekend" or the holiday's name)."""
        known = self._cache.get(day)
        if known is None:
            known = self._cache[day] = self._day(day)  # a benign race between threads
        return known

    def _day(self, day: dt.date) -> tuple[bool, str]:
        if day in self.workdays:
            return True, ""
        if day in self.holidays:
            return False, self.holidays[day]
        if day.year in _LIB_YEARS:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if chinese_calendar.is_workday(day):
                return True, ""
            return False, (str(name) if on_holiday and name else "weekend")
        if day.year in self.years:  # the ruleset declared this year's dates in full
            return day.weekday() < 5, "weekend"
        lo, hi = min(_LIB_YEARS), max(_LIB_YEARS)
        raise FactError(
            f"the working-day calendar has no data for {day.year} (chinesecalendar "
            f"{getattr(chinese_calendar, '__version__', '')} covers {lo}-{hi}); list that "
            f"year's official holidays and adjusted working days under 'calendar:' in the "
            f"ruleset with 'years: [{day.year}]', or upgrade chinesecalendar",
            code="PR607", value=day.isoformat(),
        )

    def is_working_day(self, day: dt.date) -> bool:
        return self.day(day)[0]

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself never counts)."""
        return self.add_working_days_explained(start, n)[0]

    def add_working_days_explained(
        self, start: dt.date, n: int
    ) -> tuple[dt.date, tuple[SkippedRun, ...]]:
        """The n-th working day after ``start``, and the non-working days skipped."""
        if n < 0:
            raise FactError(f"cannot add a negative number of working days ({n})", code="PR606")
        day = start
        runs: list[SkippedRun] = []
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            working, why = self.day(day)
            if working:
                counted += 1
            elif runs and runs[-1].reason == why and runs[-1].last == day - dt.timedelta(1):
                runs[-1] = SkippedRun(runs[-1].first, day, why)
            else:
                runs.append(SkippedRun(day, day, why))
        return day, tuple(runs)


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end``: the anniversary itself counts as a full year.

    A 29 February start has its anniversary on 28 February in non-leap years (the day
    before 1 March), the rule most legal systems use for birthdays.
    """
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
        if (start.month, start.day) == (2, 29) and (end.month, end.day) == (2, 28) and (
            not _stdlib_calendar.isleap(end.year)
        ):
            years += 1
    return years


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    return add_months(quarter_start(day), 3) - dt.timedelta(days=1)
