"""The consumers of one evaluation agree with each other, for every shipped decision.

On fuzzed facts (``promorules.testing.facts``), for every decision of every ruleset in
``rulesets/``:

- the failed leaves: ``failed_rule_ids`` (the generated fast path), ``r.failed`` (built
  alone), the failed leaves found by walking ``r.trace``, and ``to_dict()["failed"]``;
  each node of ``r.failed`` equals the trace's node;
- the missing facts: ``missing`` is the absent facts read by the trace's unknown nodes;
- the JSON: ``r.trace.to_dict()`` equals ``r.to_dict()["trace"]``.

The trace walk below is the test's own reading of the documented trace (a failed leaf is a
failed ``check``/``not``, or a failed group none of whose rules failed, on a path of failed
nodes; warnings never decide), not a copy of the library's.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shipped_rulesets
from promorules import Outcome, RuleResult
from promorules.testing import facts

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULESETS = shipped_rulesets.load_all()
CASES = [(name, d) for name, rs in RULESETS.items() for d in rs.decisions]
AS_OF = "2024-03-01T12:00:00+08:00"
RULES = ("check", "not", "all", "any", "decision", "requires")


def failed_in_trace(node: RuleResult) -> Iterator[RuleResult]:
    """The failed leaves of a trace, read from the tree."""
    if node.outcome != Outcome.FAIL or node.severity == "warning":
        return
    if node.kind == "value":
        requires = [c for c in node.children if c.kind == "requires"]
        if requires and requires[0].outcome == Outcome.FAIL:
            yield from failed_in_trace(requires[0])
        else:
            yield node
        return
    if node.kind in ("check", "not"):
        yield node
        return
    rules = [c for c in node.children if c.kind in RULES]
    if node.kind != "decision" and not any(
            c.outcome == Outcome.FAIL and c.severity != "warning" for c in rules):
        yield node
        return
    for child in rules:
        yield from failed_in_trace(child)


def unknown_in_trace(node: RuleResult) -> Iterator[RuleResult]:
    if node.outcome != Outcome.UNKNOWN:
        return
    yield node
    for child in node.children:
        yield from unknown_in_trace(child)


@pytest.mark.parametrize(("ruleset", "decision"), CASES)
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_consumers_agree(ruleset: str, decision: str, data: Any) -> None:
    rs = RULESETS[ruleset]
    case = data.draw(facts(rs, decision))
    r = rs.evaluate(decision, case, as_of=AS_OF)
    d = r.to_dict()

    ids = list(r.failed_rule_ids)
    assert [x.rule_id for x in r.failed] == ids
    walked = list(failed_in_trace(r.trace))
    assert [x.rule_id for x in walked] == ids
    assert list(r.failed) == walked
    assert d["failed"] == ids
    assert (r.outcome == Outcome.FAIL) == bool(ids)

    absent: dict[str, None] = {}
    if r.outcome == Outcome.UNKNOWN:
        for node in unknown_in_trace(r.trace):
            for name, value in node.actual.items():
                if value is None:
                    absent.setdefault(name)
    assert r.missing == tuple(absent)
    assert d["missing"] == list(absent)

    assert r.trace.to_dict() == d["trace"]
