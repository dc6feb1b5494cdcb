"""The batch engine against the row engine on the DMN-style tables of
tests/rulesets/dmn/ (every hit policy, count/sum/min/max, several outputs): fuzzed rows
agree on outcome, failed ids, missing facts and value; a table the SQL cannot give exactly
(computed output cells) is refused with PR822, never computed differently."""

from __future__ import annotations

import pytest

import promorules

from .oracle import ROOT, fuzzed_rows, mismatches, ruleset

PATH = ROOT / "tests" / "rulesets" / "dmn" / "loan_approval.yaml"
AS_OF = "2024-03-01T10:00:00"
REFUSED = {"monthly_fee", "greeting"}  # computed output cells


def _decisions() -> list[str]:
    return [d for d in ruleset(PATH).decisions if d not in REFUSED]


@pytest.mark.parametrize("decision", _decisions())
def test_dmn_tables_agree_with_evaluate(decision: str) -> None:
    rs = ruleset(PATH)
    rows = fuzzed_rows(rs, decision, 40)
    table = rs.evaluate_batch(decision, rows, as_of=AS_OF)
    bad = mismatches(rs, decision, rows, table, AS_OF)
    assert not bad, f"{len(bad)} of {len(rows)} rows differ:\n" + "\n".join(bad[:5])


@pytest.mark.parametrize("decision", sorted(REFUSED))
def test_computed_output_cells_are_refused(decision: str) -> None:
    rs = ruleset(PATH)
    with pytest.raises(promorules.PromorulesError, match="PR822"):
        rs.evaluate_batch(decision, [{"age": 30}], as_of=AS_OF)


def test_the_aggregates_and_policies_give_the_row_engines_values() -> None:
    rs = ruleset(PATH)
    rows = [{"years_of_service": n, "age": a, "risk_category": r, "is_affordable": f}
            for n, a, r, f in [(0, 17, "High", True), (3, 19, "Low", True),
                               (6, 60, "Medium", False), (31, 13, "Low", True)]]
    for decision in ("salary_steps", "salary_total", "salary_floor", "extra_days",
                     "approval_priority", "approval_any", "approval_output_order",
                     "approval_rule_order"):
        table = rs.evaluate_batch(decision, rows, as_of=AS_OF)
        assert not mismatches(rs, decision, rows, table, AS_OF), decision
