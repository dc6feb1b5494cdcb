"""rulesets/tmall_global.yaml against its contract (/work/shared/contract/tmall_global.md),
docs/format.md ("Decision tables") and the examples of examples/tmall_global/.

Golden explanations: every (example, decision) pair of examples/tmall_global/README.md is
rendered in English and Chinese at a fixed as_of and compared with
tests/golden/tmall_global/<example>__<decision>.{en,zh}.txt (and .zh-Hant.txt, in
Traditional script, for the cases of HANT). To regenerate them after an intended change of
wording or output, run

    PROMORULES_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden tests/rulesets

which writes the files instead of comparing (the tests then pass); review the diff with
`git diff tests/golden` before committing. Outcomes and values are checked
separately against the README (test_readme_expectations), so regenerating can never silently
accept a wrong decision.
"""

from __future__ import annotations

import io
import json
import pathlib
import re
from typing import Any

import pytest

import promorules
import shipped_rulesets
from golden_files import Golden
from promorules.cli import run

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULESET_PATH = ROOT / "rulesets" / "tmall_global.yaml"
EXAMPLES = ROOT / "examples" / "tmall_global"
GOLDEN = Golden("tmall_global")
AS_OF = "2024-06-01T12:00:00+08:00"

RS = shipped_rulesets.load("tmall_global")

PLATFORM_REVENUE = ["sales_commission", "keyword_promotion", "advertising",
                    "credit_rating_services"]

# (example, decision, outcome, failed leaf rule ids, value) as examples/tmall_global/README.md
# says
CASES: list[tuple[str, str, str, list[str], Any]] = [
    ("partner_brand", "cooperation_strategy", "pass", [],
     {"strategy": "introduce_high_quality_brand_products",
      "provides": ["more_brand_choices", "sales_opportunities"]}),
    ("partner_logistics", "cooperation_strategy", "pass", [],
     {"strategy": "efficient_cross_border_logistics",
      "provides": ["fast_reliable_logistics", "cross_border_logistics_handled"]}),
    ("partner_marketing", "cooperation_strategy", "pass", [],
     {"strategy": "online_advertising_and_offline_promotion",
      "provides": ["marketing_channels", "marketing_resources"]}),
    ("partner_payment", "cooperation_strategy", "pass", [],
     {"strategy": "multiple_cross_border_payment_methods",
      "provides": ["multiple_payment_methods", "safe_convenient_payment"]}),
    ("partner_platform", "cooperation_strategy", "pass", [],
     {"strategy": "shared_resources_and_users",
      "provides": ["sales_channels", "user_resources"]}),
    ("brand_well_known", "recommended_operating_model", "pass", [], "direct_sales"),
    ("brand_high_end", "recommended_operating_model", "pass", [], "direct_sales"),
    ("brand_small_medium", "recommended_operating_model", "pass", [], "platform"),
    ("brand_long_tail", "recommended_operating_model", "pass", [], "platform"),
    ("model_direct_sales", "responsibilities", "pass", [],
     {"procurement": "platform", "warehousing": "platform", "logistics": "platform"}),
    ("model_platform", "responsibilities", "pass", [],
     {"purchase": "seller", "delivery": "seller",
      "freight": "own_or_partner_freight_company"}),
    ("model_direct_sales", "revenue_streams", "pass", [], ["product_margin"]),
    ("model_platform", "revenue_streams", "pass", [], PLATFORM_REVENUE),
    ("escrow_unpaid", "escrow_state", "pass", [], "awaiting_payment"),
    ("escrow_held", "escrow_state", "pass", [], "held_in_escrow"),
    ("escrow_released", "escrow_state", "pass", [], "released_to_store"),
    ("escrow_unpaid_confirmed", "escrow_state", "fail", ["receipt_after_payment"], None),
    ("escrow_payment_unknown", "escrow_state", "unknown", [], None),
]
IDS = [f"{example}__{decision}" for example, decision, *_ in CASES]
# also pinned in Traditional script (lang="zh-Hant")
HANT = [("brand_high_end", "recommended_operating_model"),
        ("partner_brand", "cooperation_strategy")]


def evaluate(example: str, decision: str) -> promorules.Result:
    facts = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    return RS.evaluate(decision, facts, as_of=AS_OF)


def rows(result: promorules.Result) -> list[promorules.RuleResult]:
    return [c for c in result.trace.children if c.kind == "row"]


def matched(result: promorules.Result) -> list[str]:
    return [r.rule_id for r in rows(result) if r.outcome == "pass"]


# -- the README's table --------------------------------------------------------------------


def test_cases_are_the_readme_table() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    found = re.findall(
        r"^\|\s*`([a-z0-9_]+)\.json`\s*\|\s*`promorules eval rulesets/tmall_global\.yaml "
        r"([a-z_]+) ", readme, re.M)
    assert found, "the README's tables were not found"
    assert sorted(found) == sorted((e, d) for e, d, *_ in CASES)


def test_every_example_file_is_used() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.json")} == {e for e, *_ in CASES}


@pytest.mark.parametrize(("example", "decision", "outcome", "failed", "value"), CASES, ids=IDS)
def test_readme_expectations(example: str, decision: str, outcome: str, failed: list[str],
                             value: Any) -> None:
    result = evaluate(example, decision)
    assert result.outcome == outcome
    assert [r.rule_id for r in result.failed] == failed
    assert list(result.failed_rule_ids) == failed
    assert result.value == value
    assert result.missing == (("buyer_paid",) if outcome == "unknown" else ())


# -- golden explanations ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("example", "decision"), [c[:2] for c in CASES], ids=IDS)
def test_explanation_golden(example: str, decision: str, lang: str) -> None:
    text = evaluate(example, decision).explain(lang)
    GOLDEN.check_text(f"{example}__{decision}.{lang}.txt", text)


@pytest.mark.parametrize(("example", "decision"), HANT, ids=[f"{e}__{d}" for e, d in HANT])
def test_explanation_golden_traditional(example: str, decision: str) -> None:
    text = evaluate(example, decision).explain("zh-Hant")
    GOLDEN.check_text(f"{example}__{decision}.zh-Hant.txt", text)


def test_no_stale_golden_files() -> None:
    expected = {f"{e}__{d}.{lang}.txt" for e, d, *_ in CASES for lang in ("en", "zh")}
    expected |= {f"{e}__{d}.zh-Hant.txt" for e, d in HANT}
    GOLDEN.assert_no_stale(expected)


# -- the decision tables -----------------------------------------------------------------------


def test_the_tables_have_no_gaps_and_no_overlaps() -> None:
    # loading succeeded, so no unique table has overlapping rows (PR311); no gap either
    assert [e.code for e in RS.lint] == []
    out, err = io.StringIO(), io.StringIO()
    assert run(["check", str(RULESET_PATH)], out, err, io.StringIO()) == 0
    assert "warning" not in out.getvalue() + err.getvalue()


TABLE_INPUTS = [
    ("cooperation_strategy", "partner_kind",
     ["brand", "logistics", "marketing", "payment", "platform"]),
    ("recommended_operating_model", "brand_profile",
     ["well_known", "high_end", "small_medium", "long_tail"]),
    ("responsibilities", "operating_model", ["direct_sales", "platform"]),
    ("revenue_streams", "operating_model", ["direct_sales", "platform"]),
]


@pytest.mark.parametrize(("decision", "fact", "values"), TABLE_INPUTS,
                         ids=[t[0] for t in TABLE_INPUTS])
def test_every_enum_value_matches_exactly_one_row_named_in_the_trace(
        decision: str, fact: str, values: list[str]) -> None:
    for value in values:
        result = RS.evaluate(decision, {fact: value})
        assert result.outcome == "pass"
        (row,) = [r for r in rows(result) if r.outcome == "pass"]
        assert row.kind == "row"
        assert row.to_dict()["value"] == result.to_dict()["value"]  # the row's `then`
        assert row.actual == {fact: value}
        assert row.source and row.description.en


@pytest.mark.parametrize(("decision", "facts"), [
    ("cooperation_strategy", {"partner_kind": "brand"}),
    ("revenue_streams", {"operating_model": "platform"}),
])
def test_a_matched_rows_value_reads_like_the_decisions_value(
        decision: str, facts: dict[str, str]) -> None:
    # RuleResult.value of a row is its `then` as callers see values: lists and dicts, the
    # same as result.value (not the engine's frozen tuples and mapping proxies)
    result = RS.evaluate(decision, facts)
    (row,) = [r for r in rows(result) if r.outcome == "pass"]
    assert row.value == result.value


@pytest.mark.parametrize(("profile", "row"), [
    ("well_known", "big_brands"), ("high_end", "big_brands"),
    ("small_medium", "small_brands"), ("long_tail", "small_brands"),
])
def test_recommended_operating_model_names_its_row(profile: str, row: str) -> None:
    result = RS.evaluate("recommended_operating_model", {"brand_profile": profile})
    assert matched(result) == [row]


@pytest.mark.parametrize("decision", [t[0] for t in TABLE_INPUTS])
def test_a_missing_table_input_makes_the_outcome_unknown(decision: str) -> None:
    result = RS.evaluate(decision, {})
    assert result.outcome == "unknown"
    assert result.value is None
    fact = next(f for d, f, _ in TABLE_INPUTS if d == decision)
    assert result.missing == (fact,)


# -- escrow state (004 §5) ------------------------------------------------------------------------


@pytest.mark.parametrize(("paid", "confirmed", "state"), [
    (False, False, "awaiting_payment"),
    (True, False, "held_in_escrow"),
    (True, True, "released_to_store"),
])
@pytest.mark.parametrize("shipped", [True, False, None])
def test_the_three_escrow_states(paid: bool, confirmed: bool, state: str,
                                 shipped: bool | None) -> None:
    facts: dict[str, Any] = {"buyer_paid": paid, "receipt_confirmed": confirmed}
    if shipped is not None:
        facts["shipped"] = shipped  # never read
    result = RS.evaluate("escrow_state", facts)
    assert result.outcome == "pass"
    assert result.value == state
    assert matched(result) == [state]  # the row ids are the states
    assert result.missing == ()


def test_receipt_confirmed_on_an_unpaid_order_fails_without_a_fact_error() -> None:
    result = RS.evaluate("escrow_state", {"buyer_paid": False, "receipt_confirmed": True})
    assert result.outcome == "fail"
    assert result.value is None
    assert result.failed_rule_ids == ("receipt_after_payment",)
    (reason,) = result.failed
    assert reason.outcome == "fail"
    assert "receipt confirmed on an unpaid order" in reason.description.en.lower()
    assert matched(result) == []  # no state is given
    text = result.explain()
    assert "receipt_after_payment" in text
    assert "receipt confirmed on an unpaid order" in text.lower()
    assert result.to_dict()["failed"] == ["receipt_after_payment"]


def test_escrow_state_without_the_payment_is_unknown() -> None:
    result = RS.evaluate("escrow_state", {"receipt_confirmed": False})
    assert result.outcome == "unknown"
    assert result.missing == ("buyer_paid",)
    assert "buyer_paid" in result.explain()


# -- the tables' static checks on variants of this ruleset ---------------------------------------


def variant(old: str, new: str) -> str:
    text = RULESET_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in tmall_global.yaml"
    return text.replace(old, new)


def test_an_overlapping_row_in_a_unique_table_is_pr311_naming_both_rows() -> None:
    text = variant("when: [[small_medium, long_tail]]",
                   "when: [[high_end, small_medium, long_tail]]")
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(text, source="tmall_variant.yaml")
    (error,) = [e for e in info.value.errors if e.code == "PR311"]
    assert "big_brands" in error.message and "small_brands" in error.message
    assert "high_end" in error.message
    assert error.line is not None


def test_an_uncovered_enum_value_is_a_pr702_lint() -> None:
    text = variant("when: [[small_medium, long_tail]]", "when: [small_medium]")
    rs = promorules.loads(text, source="tmall_variant.yaml")
    (lint,) = rs.lint
    assert lint.code == "PR702"
    assert "brand_profile = long_tail" in lint.message
    result = rs.evaluate("recommended_operating_model", {"brand_profile": "long_tail"})
    assert result.outcome == "fail"
    assert result.trace.detail == "no row matches"
