"""The DMN TCK's decision-table cases through ``promorules import dmn`` (see tck.py).

Every level-2 hit-policy case must agree on every expected result; level-3 cases agree
wherever the importer maps the model, and what it refuses is named. No result may ever
disagree. docs/dmn.md's results table must match what this run finds.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from .tck import LEVEL_2, LEVEL_3, ROOT, cases, run_case

CASES = {p.name.split(".")[0]: p for p in cases()}


def test_the_tck_holds_the_cases_the_issue_names() -> None:
    numbers = {name[:4] for name in CASES}
    assert set(LEVEL_2) | set(LEVEL_3) <= numbers, numbers


@pytest.mark.parametrize("case", sorted(CASES))
def test_case(case: str) -> None:
    outcomes = list(run_case(CASES[case]))
    assert outcomes
    disagree = [o for o in outcomes if o.status == "disagree"]
    assert not disagree, [(o.test, o.decision, o.detail) for o in disagree]
    if case[:4] in LEVEL_2:
        unsupported = [o for o in outcomes if o.status == "unsupported"]
        assert not unsupported, [(o.test, o.decision, o.detail) for o in unsupported]
    for o in outcomes:
        if o.status == "unsupported":
            assert o.detail and o.detail != "not imported", o  # refused with a reason


def results_table() -> dict[str, tuple[int, int, int]]:
    table = {}
    for case, path in sorted(CASES.items()):
        counts = Counter(o.status for o in run_case(path))
        table[case] = (counts["agree"], counts["disagree"], counts["unsupported"])
    return table


def test_docs_results_table_is_what_the_run_finds() -> None:
    text = (ROOT / "docs" / "dmn.md").read_text(encoding="utf-8")
    documented = {m[1]: (int(m[2]), int(m[3]), int(m[4])) for m in re.finditer(
        r"^\| `([0-9]{4}-[^`]+)` \| (\d+) \| (\d+) \| (\d+) \|", text, re.M)}
    assert documented == results_table()


def test_results_table_text() -> None:
    """Prints the table for docs/dmn.md (`pytest tests/dmn -k table_text -s`)."""
    rows = [f"| `{case}` | {a} | {d} | {u} |" for case, (a, d, u) in results_table().items()]
    print("\n".join(rows))
    assert len(rows) == len(CASES)


