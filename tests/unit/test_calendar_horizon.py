"""PR710 (issue 10, calendar): ``promorules check`` warns before working-day arithmetic
reaches a year the calendar does not know. The last known year is read from the library,
so the next chinesecalendar release moves these tests along instead of breaking them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import promorules
from promorules.cli import run
from promorules.horizon import LOOKAHEAD_DAYS, calendar_warnings, last_known_year

ROOT = Path(__file__).resolve().parents[2]
LAST = last_known_year()
HEAD = """\
id: horizon
version: 1.0.0
title: {en: Horizon, zh: 期限}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
EFFECTIVE
facts:
  d: {type: date, description: {en: Day, zh: 日}}
decisions:
  due:
    description: {en: Due, zh: 截止}
    type: date
    source: "D §1"
    compute: COMPUTE
"""


def ruleset(effective: str = "", compute: str = "add_working_days(d, 2)",
            calendar: str = "") -> promorules.Ruleset:
    text = HEAD.replace("EFFECTIVE", effective).replace("COMPUTE", compute) + calendar
    return promorules.loads(text, source="horizon.yaml")


def test_today_plus_60_days_past_the_last_known_year() -> None:
    rs = ruleset()
    late = dt.date(LAST, 12, 31) - dt.timedelta(days=LOOKAHEAD_DAYS - 1)
    (warning,) = calendar_warnings(rs, today=late)
    assert warning.code == "PR710"
    assert f"known up to {LAST}" in warning.message
    assert f"calendar: {{years: [{LAST + 1}]" in warning.message
    early = dt.date(LAST, 12, 31) - dt.timedelta(days=LOOKAHEAD_DAYS)
    assert calendar_warnings(rs, today=early) == []


def test_an_effective_period_past_the_last_known_year() -> None:
    rs = ruleset(f"effective_until: {LAST + 1}-06-30T23:59:59")
    (warning,) = calendar_warnings(rs, today=dt.date(LAST, 1, 1))
    assert f"runs until {LAST + 1}-06-30" in warning.message
    ending = ruleset(f"effective_until: {LAST}-06-30T23:59:59")
    assert calendar_warnings(ending, today=dt.date(LAST, 12, 1)) == []  # out of force by then


def test_a_declared_year_extends_the_horizon() -> None:
    calendar = (f"calendar:\n  years: [{LAST + 1}]\n  holidays:\n"
                f"    - {{date: {LAST + 1}-01-01, name: New Year's Day}}\n")
    rs = ruleset(calendar=calendar)
    assert last_known_year(rs.model.calendar) == LAST + 1
    assert calendar_warnings(rs, today=dt.date(LAST, 12, 1)) == []


def test_no_warning_without_working_days() -> None:
    rs = ruleset(compute="add_days(d, 2)")
    assert calendar_warnings(rs, today=dt.date(LAST, 12, 1)) == []


def test_check_prints_the_warning_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "horizon.yaml"
    path.write_text("# yaml-language-server: $schema=../schema/ruleset.schema.json\n"
                    + HEAD.replace("EFFECTIVE", f"effective_until: {LAST + 1}-01-31T23:59:59")
                    .replace("COMPUTE", "add_working_days(d, 2)"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(["check", str(path)], out, err, io.StringIO()) == 0
    assert f"{path}:1:1: PR710 warning: working days are known up to {LAST}" in err.getvalue()
    assert out.getvalue() == f"{path}: ok (1 warning)\n"
