"""Determinism and agreement between the ways of reading a result.

- Evaluating the same facts twice gives equal ``to_dict()``; so do a reloaded ruleset, any
  Mapping type holding the facts, extra unrelated keys, other threads, and the caller's
  decimal context.
- ``result.to_dict()["trace"] == result.trace.to_dict()`` (to_dict has its own fast
  renderer), and the other fields of to_dict() match the Result's properties.
"""

from __future__ import annotations

import copy
import decimal
import json
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from prop_support import AS_OF, BASE_FACTS, RS, RULESET_TEXT, facts_read, partial_facts

import promorules

DECISIONS = tuple(RS.decisions)
RS_AGAIN = promorules.loads(RULESET_TEXT, source=str(RS.source))


@st.composite
def decision_and_facts(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    decision = draw(st.sampled_from(DECISIONS))
    return decision, draw(partial_facts(facts_read(decision)))


def evaluate(decision: str, facts: Any, rs: promorules.Ruleset = RS) -> promorules.Result:
    return rs.evaluate(decision, facts, as_of=AS_OF)


@given(decision_and_facts())
def test_evaluating_twice_gives_equal_dicts(case: tuple[str, dict[str, Any]]) -> None:
    decision, facts = case
    snapshot = copy.deepcopy(facts)
    first = evaluate(decision, facts).to_dict()
    assert facts == snapshot, "evaluation must not change the caller's facts"
    second = evaluate(decision, facts).to_dict()
    assert first == second
    assert json.loads(json.dumps(first, allow_nan=False)) == first
    assert evaluate(decision, facts, RS_AGAIN).to_dict() == first


@given(decision_and_facts())
def test_to_dict_trace_equals_trace_to_dict(case: tuple[str, dict[str, Any]]) -> None:
    decision, facts = case
    # to_dict() first (its fast renderer, no trace built yet), then the trace
    result = evaluate(decision, facts)
    data = result.to_dict()
    assert data["trace"] == result.trace.to_dict()
    # and the other way round, on a fresh result
    other = evaluate(decision, facts)
    trace_dict = other.trace.to_dict()
    assert other.to_dict() == data
    assert trace_dict == data["trace"]


@given(decision_and_facts())
def test_to_dict_agrees_with_the_result(case: tuple[str, dict[str, Any]]) -> None:
    decision, facts = case
    result = evaluate(decision, facts)
    data = result.to_dict()
    assert data["decision"] == decision == result.decision
    assert data["ruleset_id"] == RS.id and data["ruleset_version"] == RS.version
    assert data["outcome"] == str(result.outcome)
    assert data["failed"] == [r.rule_id for r in result.failed]
    assert data["failed"] == list(result.failed_rule_ids)
    assert data["missing"] == list(result.missing)
    assert data["warnings"] == list(result.warnings)
    assert data["trace"]["outcome"] == data["outcome"]
    assert (data["value"] is None) == (result.value is None)


@given(decision_and_facts(), st.sampled_from(("proxy", "ordered", "extra_keys")))
def test_the_mapping_type_and_unrelated_keys_do_not_matter(
        case: tuple[str, dict[str, Any]], how: str) -> None:
    decision, facts = case
    want = evaluate(decision, facts).to_dict()
    if how == "proxy":
        other: Any = MappingProxyType(dict(facts))
    elif how == "ordered":
        other = OrderedDict(reversed(list(facts.items())))
    else:
        other = {"zz_unrelated": [1, {"x": None}], **facts, "另一個": float("nan")}
    assert evaluate(decision, other).to_dict() == want


@given(decision_and_facts(), st.sampled_from((3, 6, 12)))
def test_the_callers_decimal_context_does_not_matter(case: tuple[str, dict[str, Any]],
                                                     prec: int) -> None:
    decision, facts = case
    want = evaluate(decision, facts)
    want_dict, want_text = want.to_dict(), want.explain()
    with decimal.localcontext() as ctx:
        ctx.prec = prec
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        got = evaluate(decision, facts)
        got_dict, got_text = got.to_dict(), got.explain()
        trace_dict = got.trace.to_dict()
    assert got_dict == want_dict
    assert trace_dict == want_dict["trace"]
    assert got_text == want_text


def test_gap_with_a_low_precision_caller_context() -> None:
    facts = dict(BASE_FACTS)
    facts["buyer_protection_deposit"] = "1234.56"
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        (node,) = evaluate("merchant_eligibility", facts).failed
    assert node.gap == decimal.Decimal("1765.44")


def test_shared_ruleset_across_threads() -> None:
    cases = []
    for decision in DECISIONS:
        for change in ({}, {"buyer_protection_deposit": 2999.99}, {"title": "最好"},
                       {"submitted_at": "2024-03-06T00:00:00+08:00"}, {"growth_score": None}):
            cases.append((decision, {**BASE_FACTS, **change}))
    want = [evaluate(d, f).to_dict() for d, f in cases]

    def run(i: int) -> dict[str, Any]:
        d, f = cases[i % len(cases)]
        return evaluate(d, f).to_dict()

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(run, range(len(cases) * 8)))
    for i, g in enumerate(got):
        assert g == want[i % len(cases)]
