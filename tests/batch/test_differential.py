"""The batch engine against the row engine: every decision of every shipped ruleset, fuzzed
rows (the testing kit's strategies, boundary values, wrong values), one DuckDB statement per
batch; outcome, failed ids, missing facts, value and error agree on every row."""

from __future__ import annotations

import pytest

from .oracle import ROOT, every_decision, fuzzed_rows, mismatches, ruleset

DECISIONS = every_decision()
INSTANTS = ("2024-03-01T10:00:00", "2025-10-08T23:59:59+08:00")


def _check(stem: str, decision: str, n: int, as_of: str) -> None:
    rs = ruleset(ROOT / "rulesets" / f"{stem}.yaml")
    rows = fuzzed_rows(rs, decision, n)
    table = rs.evaluate_batch(decision, rows, as_of=as_of)
    bad = mismatches(rs, decision, rows, table, as_of)
    assert not bad, f"{len(bad)} of {len(rows)} rows differ:\n" + "\n".join(bad[:5])


@pytest.mark.parametrize(("stem", "decision"), DECISIONS)
def test_every_decision_agrees_with_evaluate(stem: str, decision: str) -> None:
    _check(stem, decision, 40, INSTANTS[0])


@pytest.mark.slow
@pytest.mark.parametrize("as_of", INSTANTS)
@pytest.mark.parametrize(("stem", "decision"), DECISIONS)
def test_every_decision_agrees_with_evaluate_long(stem: str, decision: str, as_of: str) -> None:
    _check(stem, decision, 1500, as_of)
