"""promorules.testing.check_ruleset on every decision of the four shipped rulesets.

The example count follows the Hypothesis profile, capped at 30 per decision so that the
whole file stays well under a minute (``HYPOTHESIS_PROFILE=ci``: the same examples every
run).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

import promorules
from promorules.testing import check_case, check_ruleset

RULESETS = Path(__file__).resolve().parents[1] / "rulesets"
SHIPPED = ("1688_spring", "aliexpress_medals", "offline_coop", "tmall_global")
MAX_EXAMPLES = min(30, settings().max_examples)

def _cases() -> list[object]:
    cases: list[object] = []
    for rid in SHIPPED:
        rs = promorules.load(RULESETS / f"{rid}.yaml")
        for decision in rs.decisions:
            cases.append(pytest.param(rid, decision, id=f"{rid}::{decision}"))
    return cases


@pytest.mark.parametrize(("ruleset_id", "decision"), _cases())
def test_shipped_decision_survives_the_fuzz(ruleset_id: str, decision: str) -> None:
    rs = promorules.load(RULESETS / f"{ruleset_id}.yaml")
    check_ruleset(rs, max_examples=MAX_EXAMPLES, decisions=[decision])


def test_regression_a_case_computed_from_a_missing_fact_names_it() -> None:
    # found by this kit: loan_rate for a mall store without the base rate was unknown but
    # named no missing fact
    rs = promorules.load(RULESETS / "aliexpress_medals.yaml")
    check_case(rs, "loan_rate", {"tier": "mall"}, "2024-03-01T12:00:00+08:00")
    result = rs.evaluate("loan_rate", {"tier": "mall"})
    assert str(result.outcome) == "unknown"
    assert result.missing == ("base_loan_rate_percent",)
