"""rulesets/offline_coop.yaml against its contract (/work/shared/contract/offline_coop.md),
docs/format.md and the examples of examples/offline_coop/.

Golden explanations: every (example, decision) pair of examples/offline_coop/README.md is
rendered in English and Chinese at a fixed as_of and compared with
tests/golden/offline_coop/<example>__<decision>.{en,zh}.txt (and .zh-Hant.txt, in
Traditional script, for the cases of HANT). To regenerate them after an intended change of
wording or output, run

    PROMORULES_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden tests/rulesets

which writes the files instead of comparing (the tests then pass); review the diff with
`git diff tests/golden` before committing. Outcomes, failed rules and values are
checked separately against the README (test_readme_expectations), so regenerating can never
silently accept a wrong decision.

The properties (deadlines, installments, ages, conditional rules) run with Hypothesis; use
HYPOTHESIS_PROFILE=ci for the derandomized CI settings.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pathlib
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import promorules
import shipped_rulesets
from golden_files import Golden
from promorules import FactError
from promorules.calendar import WorkingCalendar
from promorules.cli import run
from promorules.horizon import last_known_year

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULESET_PATH = ROOT / "rulesets" / "offline_coop.yaml"
EXAMPLES = ROOT / "examples" / "offline_coop"
GOLDEN = Golden("offline_coop")
AS_OF = "2024-06-01T12:00:00+08:00"

RS = shipped_rulesets.load("offline_coop")
CAL = WorkingCalendar()
D = dt.date

# (example, decision, outcome, failed leaf rule ids, value) as examples/offline_coop/README.md
# says; outcome "PR607" means the evaluation raises FactError with that code.
CASES: list[tuple[str, str, str, list[str], Any]] = [
    ("corporate_ok", "corporate_eligibility", "pass", [], None),
    ("corporate_overseas_bad", "corporate_eligibility", "fail",
     ["established_one_year", "overseas_local_qualified"], None),
    ("individual_ok", "individual_eligibility", "pass", [], None),
    ("individual_17", "individual_eligibility", "fail", ["age_18"], None),
    ("individual_leap_birthday", "individual_eligibility", "pass", [], None),
    ("individual_bad", "individual_eligibility", "fail",
     ["no_bad_credit", "network_resources", "offline_promo_experience",
      "exhibition_target_market"], None),
    ("documents_missing", "required_documents", "fail", ["corporate_documents_uploaded"],
     ["business_license", "legal_rep_id_copy"]),
    ("documents_individual_missing", "required_documents", "fail",
     ["individual_documents_uploaded"], ["qualification_certificates"]),
    ("corporate_ok", "required_documents", "pass", [], []),
    ("individual_ok", "required_documents", "pass", [], []),
    ("review_window", "review_window", "pass", [],
     {"earliest": D(2024, 2, 19), "latest": D(2024, 2, 21)}),
    ("review_window_2027", "review_window", "PR607", [], None),
    ("report_due", "report_due", "pass", [], D(2024, 3, 13)),
    ("payment_due", "payment_due", "pass", [], D(2024, 10, 12)),
    ("commission", "commission", "pass", [], Decimal("370.37")),
    ("commission_warning", "commission", "pass", [], Decimal("740.74")),
    ("installments", "fixed_fee_installments", "pass", [],
     {"prepaid": Decimal("300.00"), "balance": Decimal("700.01")}),
    ("termination_auto", "termination", "pass", [], "auto_terminated"),
    ("termination_early", "termination", "pass", [], "early_termination"),
    ("termination_illegal", "termination", "pass", [], "early_termination"),
    ("termination_continue", "termination", "pass", [], "continue"),
]
IDS = [f"{example}__{decision}" for example, decision, *_ in CASES]
GOLDEN_CASES = [(e, d) for e, d, outcome, *_ in CASES if outcome != "PR607"]
# also pinned in Traditional script (lang="zh-Hant"): failed rules, and a holiday name
HANT = [("corporate_overseas_bad", "corporate_eligibility"), ("payment_due", "payment_due")]


def facts_of(example: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    return data


def evaluate(example: str, decision: str) -> promorules.Result:
    return RS.evaluate(decision, facts_of(example), as_of=AS_OF)


def node(result: promorules.Result, rule_id: str) -> promorules.RuleResult:
    found = [n for n in result.trace.walk() if n.rule_id == rule_id]
    assert len(found) == 1, f"{rule_id} appears {len(found)} times in the trace"
    return found[0]


# -- the README's table ------------------------------------------------------------------


def test_cases_are_the_readme_table() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\|\s*`([a-z0-9_]+)\.json`\s*\|\s*`promorules eval rulesets/offline_coop\.yaml "
        r"([a-z_]+) ", readme, re.M)
    assert rows, "the README's tables were not found"
    assert sorted(rows) == sorted((e, d) for e, d, *_ in CASES)


def test_every_example_file_is_used() -> None:
    used = {e for e, *_ in CASES}
    assert {p.stem for p in EXAMPLES.glob("*.json")} == used


@pytest.mark.parametrize(("example", "decision", "outcome", "failed", "value"), CASES, ids=IDS)
def test_readme_expectations(example: str, decision: str, outcome: str, failed: list[str],
                             value: Any) -> None:
    if outcome == "PR607":
        with pytest.raises(FactError) as info:
            evaluate(example, decision)
        assert info.value.code == "PR607"
        return
    result = evaluate(example, decision)
    assert result.outcome == outcome
    assert [r.rule_id for r in result.failed] == failed
    assert list(result.failed_rule_ids) == failed
    assert result.value == value
    assert result.missing == ()


# -- golden explanations -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("example", "decision"), GOLDEN_CASES,
                         ids=[f"{e}__{d}" for e, d in GOLDEN_CASES])
def test_explanation_golden(example: str, decision: str, lang: str) -> None:
    text = evaluate(example, decision).explain(lang)
    GOLDEN.check_text(f"{example}__{decision}.{lang}.txt", text)


@pytest.mark.parametrize(("example", "decision"), HANT, ids=[f"{e}__{d}" for e, d in HANT])
def test_explanation_golden_traditional(example: str, decision: str) -> None:
    text = evaluate(example, decision).explain("zh-Hant")
    GOLDEN.check_text(f"{example}__{decision}.zh-Hant.txt", text)


def test_no_stale_golden_files() -> None:
    expected = {f"{e}__{d}.{lang}.txt" for e, d in GOLDEN_CASES for lang in ("en", "zh")}
    expected |= {f"{e}__{d}.zh-Hant.txt" for e, d in HANT}
    GOLDEN.assert_no_stale(expected)


# -- public examples of the contract ------------------------------------------------------


def test_public_example_report_due() -> None:
    result = RS.evaluate("report_due", {"activity_end_date": "2024-03-08"})
    assert result.outcome == "pass"
    assert result.value == dt.date(2024, 3, 13)


def test_public_example_fixed_fee_installments() -> None:
    result = RS.evaluate("fixed_fee_installments", {"fixed_fee_cny": "1000.01"})
    assert result.outcome == "pass"
    assert result.value == {"prepaid": Decimal("300.00"), "balance": Decimal("700.01")}
    assert str(result.value["prepaid"]) == "300.00"
    assert str(result.value["balance"]) == "700.01"
    assert result.to_dict()["value"] == {"prepaid": "300.00", "balance": "700.01"}


def test_installments_trace_shows_the_split() -> None:
    text = RS.evaluate("fixed_fee_installments", {"fixed_fee_cny": "1000.01"}).explain()
    assert "1,000.01 × 30% = 300.003 → 300.00" in text
    assert "1,000.01 − 300.00 = 700.01" in text


# -- deadlines: working days ---------------------------------------------------------------

# (decision, start fact, field of the value or None, N working days)
DEADLINES = [
    ("review_window", "submitted_on", "earliest", 3),
    ("review_window", "submitted_on", "latest", 5),
    ("report_due", "activity_end_date", None, 3),
    ("payment_due", "settlement_applied_on", None, 7),
]
LAST_KNOWN = D(last_known_year(), 12, 31)  # read from chinesecalendar, not hard-coded


def deadline(decision: str, fact: str, field: str | None, start: dt.date) -> dt.date | None:
    """The deadline, or None when it falls in a year the calendar does not know (PR607)."""
    try:
        result = RS.evaluate(decision, {fact: start.isoformat()})
    except FactError as e:
        assert e.code == "PR607"
        return None
    assert result.outcome == "pass"
    value = result.value[field] if field else result.value
    assert isinstance(value, dt.date)
    return value


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    return sum(CAL.is_working_day(start + dt.timedelta(days=k))
               for k in range(1, (end - start).days + 1))


@pytest.mark.parametrize(("decision", "fact", "field", "n"), DEADLINES,
                         ids=[f"{d}-{f or 'value'}" for d, _, f, _ in DEADLINES])
@given(start=st.dates(min_value=D(2019, 1, 1), max_value=LAST_KNOWN),
       later_by=st.integers(min_value=0, max_value=40))
@example(start=D(2024, 2, 8), later_by=1)  # Spring Festival 2024
@example(start=D(2024, 9, 27), later_by=2)  # National Day 2024, adjusted Sunday 29 Sep
@example(start=D(2026, 12, 28), later_by=0)  # the deadline falls in 2027: PR607
def test_deadlines_are_monotone_working_days(decision: str, fact: str, field: str | None,
                                             n: int, start: dt.date, later_by: int) -> None:
    later = start + dt.timedelta(days=later_by)
    first = deadline(decision, fact, field, start)
    if first is None:
        # only a decision with a deadline that really falls after 2026 may be refused (for
        # review_window, the latest of its two)
        longest = max(k for d, _, _, k in DEADLINES if d == decision)
        assert working_days_between(start, LAST_KNOWN) < longest
        return
    assert first > start
    assert CAL.is_working_day(first)
    assert working_days_between(start, first) == n  # exactly the n-th working day after
    second = deadline(decision, fact, field, later) if later <= LAST_KNOWN else None
    if second is not None:
        assert first <= second  # a later start never gives an earlier deadline


def test_working_days_skipped_are_listed_in_trace_and_explanation() -> None:
    result = RS.evaluate("review_window", {"submitted_on": "2024-02-08"})
    assert result.value == {"earliest": D(2024, 2, 19), "latest": D(2024, 2, 21)}
    details = [n.detail or "" for n in result.trace.walk()]
    assert any("2024-02-10 .. 2024-02-17 Spring Festival" in d for d in details)
    assert "2024-02-10 .. 2024-02-17 Spring Festival" in result.explain("en")
    assert "2024-02-10 .. 2024-02-17 春节" in result.explain("zh")
    assert "2024-02-10 .. 2024-02-17 Spring Festival" in json.dumps(result.to_dict())


def test_payment_due_skips_the_national_day_holiday() -> None:
    result = RS.evaluate("payment_due", {"settlement_applied_on": "2024-09-27"})
    assert result.value == D(2024, 10, 12)  # a Saturday, officially a working day
    text = result.explain()
    assert "2024-10-01 .. 2024-10-07 National Day" in text
    assert "2024-09-28 weekend" in text
    assert "2024-10-01 .. 2024-10-07 国庆节" in result.explain("zh")


UNKNOWN = LAST_KNOWN.year + 1  # the first year the library does not know


@pytest.mark.parametrize(("decision", "facts"), [
    ("report_due", {"activity_end_date": f"{UNKNOWN}-03-01"}),
    ("payment_due", {"settlement_applied_on": f"{UNKNOWN}-06-15"}),
    ("review_window", {"submitted_on": f"{UNKNOWN - 1}-12-29"}),  # deadlines in UNKNOWN
])
def test_a_year_beyond_the_calendar_is_a_fact_error(decision: str,
                                                    facts: dict[str, str]) -> None:
    with pytest.raises(promorules.FactError) as info:
        RS.evaluate(decision, facts)
    assert info.value.code == "PR607"
    assert str(UNKNOWN) in str(info.value)
    assert "calendar:" in str(info.value)


def test_a_year_beyond_the_calendar_exits_3_on_the_command_line() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["eval", str(RULESET_PATH), "review_window",
                str(EXAMPLES / "review_window_2027.json")], out, err, io.StringIO())
    assert code == 3
    assert "PR607" in err.getvalue()


# -- settlement ------------------------------------------------------------------------------


@given(fee=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False,
                       allow_infinity=False))
@example(fee=Decimal("1000.01"))
@example(fee=Decimal("0.01"))
@example(fee=Decimal("0.05"))
@example(fee=Decimal("1000000000.00"))
def test_installments_add_up_exactly_to_the_fee(fee: Decimal) -> None:
    fee = fee.quantize(Decimal("0.01"))
    result = RS.evaluate("fixed_fee_installments", {"fixed_fee_cny": format(fee, "f")})
    assert result.outcome == "pass"
    prepaid, balance = result.value["prepaid"], result.value["balance"]
    assert prepaid + balance == fee
    assert prepaid == (fee * Decimal("0.3")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert prepaid.as_tuple().exponent == -2
    assert balance.as_tuple().exponent == -2


@pytest.mark.parametrize("rate", [2, 3, "4.5", 5])
def test_a_usual_commission_rate_has_no_warning(rate: object) -> None:
    result = RS.evaluate("commission", {"order_amount_cny": "12345.67",
                                        "commission_rate_percent": rate})
    assert result.outcome == "pass"
    assert result.warnings == ()
    assert result.to_dict()["warnings"] == []
    assert "Warnings" not in result.explain("en")
    assert "提示" not in result.explain("zh")


@pytest.mark.parametrize("rate", [6, "1.5", "5.01"])
def test_an_unusual_commission_rate_passes_with_a_warning(rate: object) -> None:
    result = RS.evaluate("commission", {"order_amount_cny": "12345.67",
                                        "commission_rate_percent": rate})
    assert result.outcome == "pass"
    assert result.failed == ()
    (warning,) = result.warnings
    assert "commission_rate_usual" in warning
    assert result.to_dict()["warnings"] == [warning]
    en = result.explain("en")
    assert "Warnings (1)" in en
    assert "commission_rate_usual" in en.split("Warnings (1)")[1]
    assert "提示 (1)" in result.explain("zh")


def test_commission_at_six_percent() -> None:
    result = RS.evaluate("commission", {"order_amount_cny": "12345.67",
                                        "commission_rate_percent": 6})
    assert result.value == Decimal("740.74")
    assert "12,345.67 × 6% = 740.7402 → 740.74" in result.explain()


def test_commission_rounds_half_up_to_cents() -> None:
    # 0.5 × 1% = 0.005 → 0.01 (half-up), not 0.00 (half-even)
    result = RS.evaluate("commission", {"order_amount_cny": "0.50",
                                        "commission_rate_percent": 1})
    assert result.value == Decimal("0.01")


# -- eligibility: ages and anniversaries ------------------------------------------------------

INDIVIDUAL: dict[str, Any] = {
    "applicant_type": "individual",
    "full_civil_capacity": True,
    "bad_credit_record": False,
    "familiar_with_cross_border": True,
    "has_network_resources": True,
    "has_offline_promo_experience": False,
    "accepts_terms": True,
    "is_overseas": False,
    "cross_border_exhibition": False,
}
CORPORATE: dict[str, Any] = {
    "applicant_type": "corporate",
    "has_business_license": True,
    "has_industry_permits": True,
    "has_promotion_resources": True,
    "has_past_cases": True,
    "accepts_terms": True,
    "is_overseas": False,
    "cross_border_exhibition": False,
}


def anniversary(day: dt.date, years: int) -> dt.date:
    """docs/format.md: a 29 February anniversary falls on 28 February in non-leap years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 2, 28)


def individual(birth: dt.date, applied: dt.date) -> promorules.Result:
    facts = {**INDIVIDUAL, "birth_date": birth.isoformat(),
             "application_date": applied.isoformat()}
    return RS.evaluate("individual_eligibility", facts)


def corporate(established: dt.date, applied: dt.date) -> promorules.Result:
    facts = {**CORPORATE, "established_on": established.isoformat(),
             "application_date": applied.isoformat()}
    return RS.evaluate("corporate_eligibility", facts)


@given(birth=st.dates(min_value=D(1930, 1, 1), max_value=D(2010, 12, 31)))
@example(birth=D(2004, 2, 29))
@example(birth=D(2006, 5, 20))
@example(birth=D(2005, 12, 31))
def test_age_rule_switches_exactly_on_the_18th_birthday(birth: dt.date) -> None:
    birthday = anniversary(birth, 18)
    before = individual(birth, birthday - dt.timedelta(days=1))
    assert before.outcome == "fail"
    assert before.failed_rule_ids == ("age_18",)
    on = individual(birth, birthday)
    assert on.outcome == "pass", on.explain()
    assert node(on, "age_18").outcome == "pass"


@given(established=st.dates(min_value=D(1980, 1, 1), max_value=D(2030, 12, 31)))
@example(established=D(2020, 2, 29))
@example(established=D(2023, 5, 20))
@example(established=D(2023, 12, 31))
def test_company_age_switches_exactly_on_the_first_anniversary(established: dt.date) -> None:
    first = anniversary(established, 1)
    before = corporate(established, first - dt.timedelta(days=1))
    assert before.outcome == "fail"
    assert before.failed_rule_ids == ("established_one_year",)
    on = corporate(established, first)
    assert on.outcome == "pass", on.explain()
    assert node(on, "established_one_year").outcome == "pass"


@pytest.mark.parametrize(("applied", "outcome"), [
    (D(2022, 2, 27), "fail"),  # the day before the 18th birthday
    (D(2022, 2, 28), "pass"),  # 2022 is not a leap year: the birthday is on 28 February
    (D(2022, 3, 1), "pass"),
])
def test_a_29_february_birthday_falls_on_28_february(applied: dt.date, outcome: str) -> None:
    result = individual(D(2004, 2, 29), applied)
    assert result.outcome == outcome
    assert result.failed_rule_ids == (() if outcome == "pass" else ("age_18",))


def test_the_leap_birthday_example_fails_a_day_earlier() -> None:
    facts = {**facts_of("individual_leap_birthday"), "application_date": "2022-02-27"}
    result = RS.evaluate("individual_eligibility", facts)
    assert result.outcome == "fail"
    assert result.failed_rule_ids == ("age_18",)


@pytest.mark.parametrize(("applied", "outcome"), [
    (D(2021, 2, 27), "fail"),
    (D(2021, 2, 28), "pass"),  # first anniversary of a company founded on 29 February 2020
    (D(2024, 2, 28), "pass"),
])
def test_a_company_founded_on_29_february(applied: dt.date, outcome: str) -> None:
    assert corporate(D(2020, 2, 29), applied).outcome == outcome


# -- conditional rules (applies_when) ---------------------------------------------------------

OPTIONAL_BOOL = st.one_of(st.none(), st.booleans())


@pytest.mark.parametrize("decision", ["corporate_eligibility", "individual_eligibility"])
@pytest.mark.parametrize(("condition", "rule", "fact"), [
    ("is_overseas", "overseas_local_qualified", "local_qualified"),
    ("cross_border_exhibition", "exhibition_target_market", "knows_target_market"),
])
@given(data=st.data())
def test_a_conditional_rule_that_does_not_apply_never_needs_its_fact(
        decision: str, condition: str, rule: str, fact: str, data: st.DataObject) -> None:
    base = CORPORATE if decision.startswith("corporate") else INDIVIDUAL
    facts: dict[str, Any] = {}
    for name, good in base.items():  # any of the other facts may be missing or bad
        if name in ("applicant_type", "is_overseas", "cross_border_exhibition"):
            facts[name] = good
            continue
        value = data.draw(OPTIONAL_BOOL, label=name)
        if value is not None:
            facts[name] = value
    facts[condition] = False
    facts.pop(fact, None)
    result = RS.evaluate(decision, facts, as_of=AS_OF)
    assert fact not in result.missing  # before the trace is built (the fast path)
    assert fact not in result.to_dict()["missing"]
    assert rule not in result.failed_rule_ids
    assert node(result, rule).outcome == "not_applicable"
    assert fact not in result.missing  # after the trace is built
    assert rule not in [r.rule_id for r in result.unknown]
    assert rule not in [r.rule_id for r in result.failed]


@pytest.mark.parametrize("decision", ["corporate_eligibility", "individual_eligibility"])
def test_conditions_false_and_their_facts_absent_the_decision_passes(decision: str) -> None:
    if decision == "corporate_eligibility":
        result = corporate(D(2020, 1, 1), D(2024, 5, 20))
    else:
        result = individual(D(2000, 1, 1), D(2024, 5, 20))
    assert result.outcome == "pass"
    assert result.missing == ()
    assert node(result, "overseas_local_qualified").outcome == "not_applicable"
    assert node(result, "exhibition_target_market").outcome == "not_applicable"


@pytest.mark.parametrize("decision", ["corporate_eligibility", "individual_eligibility"])
def test_a_conditional_rule_that_applies_needs_its_fact(decision: str) -> None:
    base = dict(CORPORATE if decision.startswith("corporate") else INDIVIDUAL)
    base.update(application_date="2024-05-20", established_on="2020-01-01",
                birth_date="2000-01-01", is_overseas=True)
    result = RS.evaluate(decision, base)
    assert result.outcome == "unknown"
    assert result.missing == ("local_qualified",)
    base["local_qualified"] = False
    result = RS.evaluate(decision, base)
    assert result.failed_rule_ids == ("overseas_local_qualified",)


# -- required documents ------------------------------------------------------------------------


def test_corporate_without_business_license_fails_listing_it() -> None:
    result = RS.evaluate("required_documents", {
        "applicant_type": "corporate",
        "documents": ["application_form", "legal_rep_id_copy"]})
    assert result.outcome == "fail"
    assert result.value == ["business_license"]
    assert result.failed_rule_ids == ("corporate_documents_uploaded",)
    (failed,) = result.failed
    assert failed.detail == "missing: business_license"
    assert "missing: business_license" in result.explain("en")
    assert "缺少：business_license" in result.explain("zh")
    assert node(result, "individual_documents_uploaded").outcome == "not_applicable"


def test_individual_with_every_document_passes_with_nothing_missing() -> None:
    result = RS.evaluate("required_documents", {
        "applicant_type": "individual",
        "documents": ["qualification_certificates", "id_copy", "application_form"]})
    assert result.outcome == "pass"
    assert result.value == []
    assert result.to_dict()["value"] == []


def test_the_missing_documents_keep_the_lists_order() -> None:
    result = RS.evaluate("required_documents", {"applicant_type": "individual",
                                                "documents": []})
    assert result.value == ["application_form", "id_copy", "qualification_certificates"]


# -- termination -------------------------------------------------------------------------------

FINE = {"period_expired": False, "renewal_intended": False, "plan_implemented": True,
        "illegal_activity": False, "targets_met": True}


@pytest.mark.parametrize(("changes", "value"), [
    ({"period_expired": True}, "auto_terminated"),
    # expiry is tested first: an expired period without renewal ends automatically
    ({"period_expired": True, "illegal_activity": True}, "auto_terminated"),
    ({"plan_implemented": False}, "early_termination"),
    ({"illegal_activity": True, "renewal_intended": True}, "early_termination"),
    ({"targets_met": False}, "early_termination"),
    ({"period_expired": True, "renewal_intended": True, "targets_met": False},
     "early_termination"),
    ({}, "continue"),
    ({"period_expired": True, "renewal_intended": True}, "continue"),
])
def test_termination(changes: dict[str, bool], value: str) -> None:
    result = RS.evaluate("termination", {**FINE, **changes})
    assert result.outcome == "pass"
    assert result.value == value
