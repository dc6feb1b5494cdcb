"""A date-time bound written to the second covers that whole second (issue 10 Fidelity 3,
1688_spring amendment): in comparisons with a literal, and in ``effective_until``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType

import pytest

import promorules

HEADER = """\
id: window
version: {version}
title: {{en: Window, zh: 窗口}}
timezone: Asia/Shanghai
sources: {{"D": {{file: d.txt, title: Doc}}}}
"""

RULES = """\
facts:
  at: {type: datetime}
decisions:
  window:
    description: {en: Registration window, zh: 報名時間}
    all:
      - {id: in_window, description: {en: In window, zh: 報名期內}, source: "D §1",
         check: at between 2023-02-23T00:00:00 and 2024-03-05T23:59:59}
  until:
    description: {en: Until, zh: 截止}
    all:
      - {id: le_rule, description: {en: le, zh: le}, source: "D §1",
         check: at <= 2024-03-05T23:59:59}
      - {id: ge_flipped, description: {en: ge, zh: ge}, source: "D §1",
         check: 2024-03-05T23:59:59 >= at}
  after:
    description: {en: After, zh: 之後}
    any:
      - {id: gt_rule, description: {en: gt, zh: gt}, source: "D §1",
         check: at > 2024-03-05T23:59:59}
      - {id: lt_flipped, description: {en: lt, zh: lt}, source: "D §1",
         check: 2024-03-05T23:59:59 < at}
  before_fraction:
    description: {en: Fraction, zh: 小數秒}
    all:
      - {id: fraction, description: {en: f, zh: f}, source: "D §1",
         check: at <= 2024-03-05T23:59:59.5}
"""


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(HEADER.format(version="1.0.0") + RULES, source="w.yaml")


def _outcome(rs: promorules.Ruleset, decision: str, at: str) -> str:
    a = rs.evaluate(decision, {"at": at})
    b = rs.evaluate(decision, MappingProxyType({"at": at}))  # the general path
    assert a.outcome == b.outcome
    return str(a.outcome)


@pytest.mark.parametrize("at, inside", [
    ("2024-03-05T23:59:59", True),
    ("2024-03-05T23:59:59.5", True),  # the reproduction
    ("2024-03-05T23:59:59.999999", True),
    ("2024-03-06T00:00:00", False),
    ("2024-03-05T15:59:59.5Z", True),  # the same instant in UTC
    ("2023-02-23T00:00:00", True),
    ("2023-02-22T23:59:59.9", False),  # a lower bound is not widened
])
def test_upper_bound_written_to_the_second(rs: promorules.Ruleset, at: str,
                                           inside: bool) -> None:
    assert _outcome(rs, "window", at) == ("pass" if inside else "fail")
    if at.startswith("2024"):
        assert _outcome(rs, "until", at) == ("pass" if inside else "fail")
        assert _outcome(rs, "after", at) == ("fail" if inside else "pass")


def test_a_bound_with_a_fraction_is_exact(rs: promorules.Ruleset) -> None:
    assert _outcome(rs, "before_fraction", "2024-03-05T23:59:59.5") == "pass"
    assert _outcome(rs, "before_fraction", "2024-03-05T23:59:59.500001") == "fail"


def test_trace_shows_the_bound_as_written(rs: promorules.Ruleset) -> None:
    r = rs.evaluate("window", {"at": "2024-03-06T00:00:00"})
    assert r.failed[0].expected == "between 2023-02-23T00:00:00 and 2024-03-05T23:59:59"


def _version(version: str, start: str, until: str | None) -> str:
    text = HEADER.format(version=version) + f"effective_from: {start}\n"
    if until:
        text += f"effective_until: {until}\n"
    return text + RULES


def test_effective_until_covers_its_whole_second(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(
        _version("1.0.0", "2024-01-01", "2024-03-05T23:59:59"), encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(
        _version("2.0.0", "2024-03-06T00:00:00", None), encoding="utf-8")
    registry = promorules.Registry(tmp_path)  # no overlap reported
    tz = dt.timezone(dt.timedelta(hours=8))
    late = dt.datetime(2024, 3, 5, 23, 59, 59, 500_000, tzinfo=tz)
    assert registry.get("window", as_of=late).version == "1.0.0"  # no one-second gap
    assert registry.get("window", as_of=dt.datetime(2024, 3, 6, tzinfo=tz)).version == "2.0.0"
    v1 = promorules.load(tmp_path / "v1.yaml")
    assert v1.in_force(late)
    assert not v1.in_force(dt.datetime(2024, 3, 6, tzinfo=tz))
