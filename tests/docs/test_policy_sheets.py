"""The committed policy sheets (docs/rulesets/<id>.md) are exactly what the shipped rulesets
and their examples generate, so a ruleset cannot change without its sheet."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

import promorules
from promorules.policy_docs import render_markdown, sheet_name

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("*.yaml")
                  if not p.name.endswith(".test.yaml"))
REGENERATE = "promorules docs --all   (from the repository root)"


def test_every_shipped_ruleset_has_a_sheet() -> None:
    assert RULESETS
    sheets = {p.name for p in (ROOT / "docs" / "rulesets").glob("*.md")} - {"README.md"}
    expected = {sheet_name(promorules.load(p)) for p in RULESETS}
    assert sheets == expected, f"sheets out of step with rulesets/; regenerate: {REGENERATE}"


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_committed_sheet_is_up_to_date(path: Path) -> None:
    rs = promorules.load(path)
    sheet = ROOT / "docs" / "rulesets" / sheet_name(rs)
    expected = render_markdown(rs)
    assert sheet.is_file(), f"{sheet} is missing; generate it: {REGENERATE}"
    committed = sheet.read_text(encoding="utf-8")
    if committed != expected:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), expected.splitlines(keepends=True),
            str(sheet.relative_to(ROOT)), "generated", n=1))[:40])
        pytest.fail(f"{sheet.relative_to(ROOT)} is stale (the ruleset or its examples "
                    f"changed); regenerate it: {REGENERATE}\n{diff}", pytrace=False)
