"""Batch backend: the working-day calendar as a relation, and the folding relation.

``promorules_calendar`` (:data:`~.program.CALENDAR_TABLE`) has one row per day, from the
1 January of the year before the first year the ruleset's calendar knows to the 31
December of the year after the last:

- ``day`` DATE;
- ``is_working_day`` BOOLEAN: as :meth:`promorules.calendar.WorkingCalendar.is_working_day`
  answers (the ``chinesecalendar`` library's holidays and adjusted working days, with the
  ruleset's ``calendar:`` overrides and declared years); NULL for a day it has no data for
  (``evaluate`` raises ``PR607`` there);
- ``working_day_number`` INTEGER: how many working days there are from the first row to
  this day, inclusive;
- ``unknown_number`` INTEGER: how many days without data, likewise.

``add_working_days(d, n)`` is then the first day whose ``working_day_number`` is ``n``
more than ``d``'s with the same ``unknown_number`` (no day without data in between).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import FactError
from ..zh_script import fold
from .protocol import Rules

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]


__all__ = ["calendar_rows", "calendar_table", "fold_table"]

_CACHE: dict[int, tuple[Any, Any]] = {}
_LOCK = threading.Lock()


def calendar_rows(calendar: Any) -> tuple[list[dt.date], list[bool | None], list[int],
                                          list[int]]:
    """The calendar relation's columns, computed with the row engine's calendar."""
    years = sorted(calendar.known_years)
    first = dt.date(years[0] - 1, 1, 1)
    last = dt.date(years[-1] + 1, 12, 31)
    days: list[dt.date] = []
    working: list[bool | None] = []
    numbers: list[int] = []
    unknowns: list[int] = []
    count = unknown = 0
    day = first
    one = dt.timedelta(days=1)
    while day <= last:
        try:
            w: bool | None = bool(calendar.is_working_day(day))
        except FactError:
            w = None
        if w is None:
            unknown += 1
        elif w:
            count += 1
        days.append(day)
        working.append(w)
        numbers.append(count)
        unknowns.append(unknown)
        day += one
    return days, working, numbers, unknowns


def calendar_table(rs: Rules) -> pa.Table:
    """The working-day calendar of ``rs`` as a ``pyarrow.Table`` (``day``,
    ``is_working_day``, ``working_day_number``, ``unknown_number``): load it into a
    warehouse as ``promorules_calendar`` for the SQL of :meth:`Ruleset.to_sql`."""
    import pyarrow as pa

    calendar = rs.model.calendar
    key = id(calendar)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] is calendar:
            table: pa.Table = cached[1]
            return table
    days, working, numbers, unknowns = calendar_rows(calendar)
    table = pa.table({"day": pa.array(days, pa.date32()),
                      "is_working_day": pa.array(working, pa.bool_()),
                      "working_day_number": pa.array(numbers, pa.int32()),
                      "unknown_number": pa.array(unknowns, pa.int32())})
    with _LOCK:
        _CACHE[key] = (calendar, table)
    return table


def fold_table(values: Iterable[str | None]) -> pa.Table:
    """``promorules_zh_fold`` for these texts: (``text``, ``folded``), each distinct
    non-ASCII text with its :func:`promorules.zh_script.fold` (the form ``match: chinese``
    compares). The SQL of a decision comparing ``match: chinese`` text looks each such
    fact value up in it."""
    import pyarrow as pa

    texts = sorted({v for v in values if (isinstance(v, str) and not v.isascii())
                    or (isinstance(v, str) and "\x00" in v)})
    return pa.table({"text": pa.array(texts, pa.string()),
                     "folded": pa.array([fold(t) for t in texts], pa.string())})
