"""The batch engine against the row engine on the DMN-style tables of
tests/rulesets/dmn/ (every hit policy, count/sum/min/max, several outputs) and of
tests/batch/rulesets/dmn_forms.yaml (computed output cells, a list policy's default,
min/max over dates, date-times and money, a mapping default that leaves columns null):
fuzzed rows agree on outcome, failed ids, missing facts and value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlglot

from .oracle import ROOT, fuzzed_rows, mismatches, ruleset

PATH = ROOT / "tests" / "rulesets" / "dmn" / "loan_approval.yaml"
FORMS = ROOT / "tests" / "batch" / "rulesets" / "dmn_forms.yaml"
AS_OF = "2024-03-01T10:00:00"


def _decisions() -> list[tuple[Path, str]]:
    return [(path, d) for path in (PATH, FORMS) for d in ruleset(path).decisions]


@pytest.mark.parametrize(("path", "decision"), _decisions(),
                         ids=[f"{p.stem}:{d}" for p, d in _decisions()])
def test_dmn_tables_agree_with_evaluate(path: Path, decision: str) -> None:
    rs = ruleset(path)
    rows = fuzzed_rows(rs, decision, 40)
    table = rs.evaluate_batch(decision, rows, as_of=AS_OF)
    bad = mismatches(rs, decision, rows, table, AS_OF)
    assert not bad, f"{len(bad)} of {len(rows)} rows differ:\n" + "\n".join(bad[:5])


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


FORM_ROWS = [
    {"age": a, "risk": r, "loan": loan, "name": n, "grade": g, "signed_on": "2024-02-20"}
    for a, r, loan, n, g in [
        (17, "High", "1000.30", "Lin", "Gold"),      # minors: computed text, Bronze
        (18, "Medium", "1000.00", "Wu", "Silver"),   # round_half_even on a half cent
        (25, "Low", "0.01", "Li", "Silver"),         # any: rows agree on Silver
        (25, "Low", "99.99", "Li", "Gold"),          # any: Gold and Silver disagree
        (40, "High", "210.00", "Xu", "Platinum"),    # a computed output outside the list
        (70, "Low", "70.00", "Ma", None),            # a computed output that is unknown
        (13, "Medium", None, "Bo", "Bronze"),        # computed money that is unknown
        (70, "High", "5.00", None, "Bronze"),
    ]]


@pytest.mark.parametrize("decision", list(ruleset(FORMS).decisions))
def test_the_forms_give_the_row_engines_values_on_chosen_rows(decision: str) -> None:
    rs = ruleset(FORMS)
    table = rs.evaluate_batch(decision, FORM_ROWS, as_of=AS_OF)
    assert not mismatches(rs, decision, FORM_ROWS, table, AS_OF)
    # money stays DECIMAL with the row engine's digits, never a float
    for got, row in zip(table.column("value").to_pylist(), FORM_ROWS, strict=True):
        want = rs.evaluate(decision, row, as_of=AS_OF).value
        if isinstance(want, Decimal):
            assert isinstance(got, Decimal) and got.normalize() == want.normalize()


def test_the_forms_render_for_spark() -> None:
    rs = ruleset(FORMS)  # computed text, dates, ranks and a struct with a typed null
    for decision in ("greeting_first", "latest_date", "grades_ordered", "offer_multi"):
        sqlglot.parse_one(rs.to_sql(decision, dialect="spark"), read="spark")
