"""The testing kit's Hypothesis strategies: valid facts for a decision, drawn from the
declared fact types of what its typed IR (pipeline stage 4a) reads, and evaluation
instants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from .. import ir
from ..facts import FactType
from ..ruleset import Ruleset
from .thresholds import boundaries, bounds, to_json
from .walk import decision_ir, fact_names

__all__ = ["as_of_strategy", "date_range", "facts"]

_NUMBERS = frozenset({ir.FactKind.NUMBER, ir.FactKind.INTEGER, ir.FactKind.PERCENT,
                      ir.FactKind.MONEY})


def date_range(rs: Ruleset) -> tuple[dt.date, dt.date]:
    """Dates whose working-day arithmetic the ruleset's calendar covers (a year's margin)."""
    years = sorted(rs.model.calendar.known_years)
    if not years:
        return dt.date(2020, 1, 1), dt.date(2030, 12, 31)
    # the longest run of consecutive known years
    best: list[int] = []
    run: list[int] = []
    for y in years:
        run = [*run, y] if run and y == run[-1] + 1 else [y]
        if len(run) > len(best):
            best = run
    lo, hi = best[0], best[-1]
    if hi - lo >= 2:
        lo, hi = lo + 1, hi - 1
    return dt.date(lo, 1, 1), dt.date(hi, 12, 31)


def _strings(rs: Ruleset) -> tuple[str, ...]:
    """String constants of the ruleset's expressions (string literals, the items of string
    lists, written or declared), for string facts."""
    pool: dict[str, None] = {}
    for did in rs.decisions:
        for _owner, expr in ir.expressions(decision_ir(rs, did)):
            for node in ir.walk_expr(expr.tree):
                items: tuple[Any, ...] = ()
                if isinstance(node, ir.ListRef):
                    items = node.items
                elif isinstance(node, ir.Const) and node.ty.kind == ir.TyKind.STRING:
                    items = (node.value,)
                elif isinstance(node, ir.Const) and node.ty.item == ir.STRING:
                    items = node.value
                pool.update(dict.fromkeys(i for i in items if isinstance(i, str)))
    return tuple(pool)


def _number_strategy(ft: FactType) -> st.SearchStrategy[Any]:
    lo, hi = bounds(ft)
    lo_d = Decimal(-1_000_000) if lo is None else Decimal(lo)
    hi_d = Decimal(10_000_000) if hi is None else Decimal(hi)
    if ft.kind == ir.FactKind.INTEGER:
        return st.integers(int(lo_d.to_integral_value(rounding="ROUND_CEILING")),
                           int(hi_d.to_integral_value(rounding="ROUND_FLOOR")))
    places = 2
    if ft.step is not None:
        exponent = Decimal(ft.step).normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 2
    if ft.kind == ir.FactKind.MONEY:
        places = min(places, 2)  # money is in cents (facts.MONEY_PLACES)
    return st.decimals(lo_d, hi_d, places=places, allow_nan=False,
                       allow_infinity=False).map(lambda d: to_json(ft, d))


def _value_strategy(ft: FactType, near: Sequence[Any], strings: tuple[str, ...],
                    dates: tuple[dt.date, dt.date], tz: dt.tzinfo) -> st.SearchStrategy[Any]:
    k = ft.kind
    base: st.SearchStrategy[Any]
    if k == ir.FactKind.BOOLEAN:
        base = st.booleans()
    elif k in (ir.FactKind.ENUM, ir.FactKind.ORDINAL):
        base = st.sampled_from(ft.values)
    elif k == ir.FactKind.STRING:
        base = st.text(max_size=8)
        if strings:
            base = st.one_of(base, st.sampled_from(strings))
    elif k in _NUMBERS:
        base = _number_strategy(ft)
    elif k == ir.FactKind.DATE:
        base = st.dates(*dates).map(dt.date.isoformat)
    elif k == ir.FactKind.DATETIME:
        lo = dt.datetime.combine(dates[0], dt.time())
        hi = dt.datetime.combine(dates[1], dt.time(23, 59, 59))
        zones: st.SearchStrategy[Any] = st.sampled_from((None, dt.UTC, tz))
        base = st.datetimes(lo, hi, timezones=zones).map(
            lambda m: m.replace(microsecond=0).isoformat())
    else:  # list
        item: st.SearchStrategy[Any]
        if ft.item_kind == ir.FactKind.ENUM:
            item = st.sampled_from(ft.values)
        elif ft.item_kind == ir.FactKind.INTEGER:
            item = st.integers(-1000, 100_000)
        elif ft.item_kind == ir.FactKind.NUMBER:
            item = st.decimals(-1000, 100_000, places=2).map(lambda d: format(d, "f"))
        else:
            item = st.sampled_from(strings) | st.text(max_size=6) if strings else st.text(
                max_size=6)
        base = st.lists(item, max_size=5)
    if near:
        return st.one_of(st.sampled_from(tuple(near)), base)
    return base


def facts(ruleset: Ruleset, decision: str, near_thresholds: bool = True
          ) -> st.SearchStrategy[dict[str, Any]]:
    """A Hypothesis strategy of valid fact mappings for ``decision``.

    Every fact the decision reads (including through the decisions it refers to) is drawn
    from its declared type: money and numbers as decimal strings, integers as ints, dates
    and date-times as ISO strings, enums and ordinals from their values, lists of their
    items. Each fact may be absent (key left out, or ``None``); a fact with a declared
    default is absent at least 30% of the time. With ``near_thresholds``,
    numeric, date and ordinal facts are drawn about half the time from the boundary values
    of the thresholds they are compared with (see :func:`boundaries`).
    """
    names = fact_names(ruleset, decision)
    near: dict[str, list[Any]] = {n: [] for n in names}
    if near_thresholds:
        for b in boundaries(ruleset, decision):
            if b.fact in near and b.facts[b.fact] not in near[b.fact]:
                near[b.fact].append(b.facts[b.fact])
    strings = _strings(ruleset)
    dates = date_range(ruleset)
    tz = ruleset.ir.timezone
    values = {n: _value_strategy(ruleset.facts[n], near[n], strings, dates, tz)
              for n in names}

    defaulted = {n: ruleset.facts[n].default for n in names}

    @st.composite
    def draw_facts(draw: st.DrawFn) -> dict[str, Any]:
        p_absent = draw(st.sampled_from((0, 0, 10, 30, 60)))  # percent, per example
        out: dict[str, Any] = {}
        for name in names:
            # a fact with a default is often not sent, to exercise its default
            p = p_absent if defaulted[name] is None else max(p_absent, 30)
            if p and draw(st.integers(0, 99)) < p:
                if draw(st.booleans()):
                    out[name] = None
                continue
            out[name] = draw(values[name])
        return out

    return draw_facts()


def as_of_strategy(ruleset: Ruleset) -> st.SearchStrategy[dt.datetime]:
    """Evaluation instants inside the dates the ruleset's calendar covers."""
    lo, hi = date_range(ruleset)
    return st.datetimes(dt.datetime.combine(lo, dt.time()),
                        dt.datetime.combine(hi, dt.time(23, 59, 59)),
                        timezones=st.just(ruleset.ir.timezone))
