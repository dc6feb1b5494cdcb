"""The DMN-style rulesets under tests/rulesets/dmn/ (tables in the manner of the DMN TCK's
level-2 hit-policy cases, written for promorules): each loads without a problem or a lint,
each of their examples passes, and their traces name the rows."""

from __future__ import annotations

from pathlib import Path

import pytest

import promorules
from promorules.examples import find_rulesets, format_failure, load_examples, run_example

DMN = Path(__file__).resolve().parent / "dmn"
PATHS = find_rulesets(DMN)


def test_there_are_dmn_rulesets() -> None:
    assert PATHS


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_dmn_ruleset_examples_pass(path: Path) -> None:
    rs = promorules.load(path)
    assert rs.lint == ()
    examples = load_examples(path)
    assert examples
    failures = [format_failure(r) for r in (run_example(rs, e) for e in examples) if not r.ok]
    assert not failures, "\n".join(failures)


def test_the_loan_tables_explain_their_rows() -> None:
    rs = promorules.load(DMN / "loan_approval.yaml")
    r = rs.evaluate("approval_priority", {"age": 17, "risk_category": "High",
                                          "is_affordable": True})
    assert r.value == "Declined"
    assert r.trace.matched == ("minor", "high_risk")
    assert r.trace.decided_by == ("minor",)
    r = rs.evaluate("extra_days", {"age": 60, "years_of_service": 31})
    assert r.trace.matched == ("young_or_senior", "long_service")
    assert "rows matched: young_or_senior, long_service" in r.explain()
    assert "命中的规则行：young_or_senior、long_service" in r.explain("zh")
