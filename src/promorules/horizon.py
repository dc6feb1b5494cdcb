"""A consumer of pipeline stage 4a (the typed IR): the calendar horizon warning (PR710).

Working-day arithmetic needs the State Council's holidays of the year it lands in, and
``chinesecalendar`` knows them only up to the last year it was released for. A year past it
is an error at evaluation time (PR607), which is right, but should not be a surprise:
``promorules check`` warns, ahead of time, when a ruleset that uses working days may need a
year the calendar does not know: its effective period reaches past that year, or today plus
:data:`LOOKAHEAD_DAYS` does.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from . import ir
from .calendar import WorkingCalendar
from .errors import RulesetError

if TYPE_CHECKING:
    from .ruleset import Ruleset

__all__ = ["CODE", "LOOKAHEAD_DAYS", "WORKING_DAY_FUNCTIONS", "calendar_warnings",
           "last_known_year"]

CODE = "PR710"
LOOKAHEAD_DAYS = 60
WORKING_DAY_FUNCTIONS = frozenset({"add_working_days", "is_working_day"})


def last_known_year(calendar: WorkingCalendar | None = None) -> int:
    """The last year of an unbroken run of years whose working days are known: the
    library's, extended by the years a ruleset's ``calendar: years:`` declares."""
    known = (calendar or WorkingCalendar()).known_years
    year = max(y for y in known if y - 1 in known or y == min(known))
    while year + 1 in known:
        year += 1
    return year


def uses_working_days(ruleset: Ruleset) -> bool:
    """Whether any decision of ``ruleset`` calls a working-day function."""
    for compiled in ruleset.decisions.values():
        if compiled.ir is None:
            continue
        for _, expr in ir.expressions(compiled.ir):
            for node in ir.walk_expr(expr.tree):
                if isinstance(node, ir.Call) and node.func in WORKING_DAY_FUNCTIONS:
                    return True
    return False


def calendar_warnings(ruleset: Ruleset, today: dt.date | None = None) -> list[RulesetError]:
    """PR710 when ``ruleset`` uses working days and its effective period, or ``today`` plus
    :data:`LOOKAHEAD_DAYS` while it is in force, reaches past the calendar's last known
    year. ``today`` defaults to the current date in the ruleset's time zone."""
    if not uses_working_days(ruleset):
        return []
    calendar = ruleset.model.calendar
    last = last_known_year(calendar)
    today = today or dt.datetime.now(ruleset.model.timezone).date()
    soon = today + dt.timedelta(days=LOOKAHEAD_DAYS)
    until = ruleset.effective_until.date() if ruleset.effective_until else None
    if until is not None and until.year > last:
        reason = f"its effective period runs until {until.isoformat()}"
    elif (until is None or until >= soon) and soon.year > last:
        reason = (f"{LOOKAHEAD_DAYS} days from today ({today.isoformat()}) is "
                  f"{soon.isoformat()}")
    else:
        return []
    year = last + 1
    return [RulesetError(
        f"working days are known up to {last} only, but {reason}: working-day arithmetic in "
        f"{year} will fail (PR607). Upgrade chinesecalendar once the State Council publishes "
        f"the {year} holidays, or declare the year in the ruleset with "
        f"'calendar: {{years: [{year}], holidays: [...], workdays: [...]}}'",
        code=CODE, source=ruleset.source, line=1, column=1)]
