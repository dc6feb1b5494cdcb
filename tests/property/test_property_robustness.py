"""Nothing but promorules' own errors escapes.

- Evaluating any decision of the shipped ruleset on arbitrary JSON-like facts raises
  nothing but FactError; a present fact of a clearly wrong type always raises it; and when
  evaluation succeeds, the trace, explanation and to_dict() all work and are JSON-safe.
- Loading arbitrary text, or the shipped YAML with random damage, raises nothing but
  RulesetError; a damaged ruleset that still loads evaluates without any other error.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from prop_support import (
    AS_OF,
    BASE_FACTS,
    RS,
    RULESET_TEXT,
    absent,
    clearly_invalid,
    facts_read,
)

import promorules

FACT_NAMES = tuple(RS.facts)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(("", " ", "3000.00", "2999.99", "1e3", "-0", "nan", "Infinity", "1_000",
                     "0x10", "L2", "AA", "enterprise", "玩具", "最低價", "2024-03-01",
                     "2024-03-01T10:00:00+08:00", "2024-02-30T10:00:00", "9999-12-31T23:59:59",
                     "0001-01-01T00:00:00+14:00", "true", "null", "١٢٣", "３０００")),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=8,
)


@st.composite
def arbitrary_facts(draw: st.DrawFn) -> dict[str, Any]:
    """Either arbitrary values under the declared names (plus random keys), or the valid
    example facts with a few values replaced by arbitrary ones (so that evaluation gets past
    the valid facts and meets the odd one)."""
    if draw(st.booleans()):
        facts = draw(st.dictionaries(st.sampled_from(FACT_NAMES), json_values, max_size=12))
    else:
        facts = dict(BASE_FACTS)
        for name in draw(st.lists(st.sampled_from(FACT_NAMES), min_size=1, max_size=3)):
            facts[name] = draw(json_values)
    facts.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3)))
    return facts


def exercise(result: promorules.Result) -> None:
    """Everything a caller may ask of a result works, and to_dict() is strict JSON."""
    assert str(result.outcome) in ("pass", "fail", "unknown")
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    for lang in ("en", "zh"):
        assert isinstance(result.explain(lang), str)
    _ = (result.failed, result.missing, result.warnings, result.value, result.unknown,
         result.failed_rule_ids, list(result.trace.walk()))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(decision=st.sampled_from(tuple(RS.decisions)), facts=arbitrary_facts())
@example(decision="merchant_eligibility",
         facts={**BASE_FACTS, "buyer_protection_deposit": "abc"})
@example(decision="merchant_eligibility",
         facts={**BASE_FACTS, "violation_points_year": "nan"})
@example(decision="review_due", facts={**BASE_FACTS, "submitted_at": "9999-12-31T23:59:59"})
@example(decision="registration",
         facts={**BASE_FACTS, "submitted_at": "0001-01-01T00:00:00+14:00"})
@example(decision="product_eligibility", facts={**BASE_FACTS, "market_price": "1e999999"})
@example(decision="yanxuan_entry", facts={**BASE_FACTS, "growth_score": "1e-999999"})
@example(decision="merchant_eligibility", facts={**BASE_FACTS, "prohibited_info_points": 1e30})
def test_evaluation_raises_only_fact_errors(decision: str, facts: dict[str, Any]) -> None:
    invalid = [n for n in facts_read(decision)
               if n in facts and clearly_invalid(n, facts[n])]
    try:
        result = RS.evaluate(decision, facts, as_of=AS_OF)
    except promorules.FactError as e:
        assert str(e)
        return
    assert not invalid, f"invalid facts {invalid} were accepted: {[facts[n] for n in invalid]}"
    exercise(result)
    # only facts that really are absent can be reported missing
    assert all(absent(facts, n) for n in result.missing), result.missing


@given(decision=st.sampled_from(tuple(RS.decisions)),
       name=st.sampled_from(FACT_NAMES), value=json_values)
def test_a_clearly_invalid_fact_is_a_fact_error_naming_it(decision: str, name: str,
                                                          value: Any) -> None:
    if name not in facts_read(decision) or not clearly_invalid(name, value):
        return
    facts = dict(BASE_FACTS)
    facts[name] = value
    try:
        RS.evaluate(decision, facts, as_of=AS_OF)
    except promorules.FactError as e:
        assert name in str(e)
    else:
        raise AssertionError(f"{name} = {value!r} accepted by {decision}")


# -- the loader ------------------------------------------------------------------------

def load_only_ruleset_errors(text: str) -> promorules.Ruleset | None:
    try:
        return promorules.loads(text, source="fuzz.yaml")
    except promorules.RulesetError as e:
        assert str(e)
        assert e.line is None or (isinstance(e.line, int) and e.line >= 1)
        return None


@given(st.text())
@example("")
@example("\ufeff")
@example("a: [" * 200)
@example("{" * 2000)
@example("- " * 500 + "x")
@example("x: &a [1]\ny: *a\n")
@example("x: !!python/object/apply:os.system ['true']\n")
@example("id: x\nid: y\n")
@example("\x00\x01")
@example("id: \ud800\n")
@example("\t- a\n")
@example("version: 1e99999999\n")
@example("? [a, b]\n: c\n")
@example("--- a\n--- b\n")
def test_loads_arbitrary_text_raises_only_ruleset_errors(text: str) -> None:
    load_only_ruleset_errors(text)


LINES = RULESET_TEXT.splitlines(keepends=True)
SNIPPETS = ("&anchor ", "*alias", "!!python/name:os.system ", "!tag ", "<<: ", "\t", "{", "[",
            "]", "}", ": ", "- ", "'", '"', "#", "|", ">", "%", "@", "`", "\\", "\x00", "？",
            "：", "1e999999", "NaN", "yes", "null", "~", "..", "...", "---", "\u2028", "é")


@st.composite
def damaged_ruleset(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(("delete", "duplicate", "replace", "insert", "swap")))
        i = draw(st.integers(0, len(lines) - 1))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        else:
            line = lines[i]
            j = draw(st.integers(0, max(0, len(line) - 1)))
            piece = draw(st.one_of(st.sampled_from(SNIPPETS), st.characters(), st.text(
                max_size=3)))
            if action == "replace":
                line = line[:j] + piece + line[j + 1:]
            else:
                line = line[:j] + piece + line[j:]
            lines[i] = line
        if not lines:
            lines = [""]
    return "".join(lines)


@settings(suppress_health_check=[HealthCheck.too_slow],
          max_examples=max(20, settings().max_examples // 2))
@given(damaged_ruleset())
def test_loads_damaged_shipped_ruleset_raises_only_ruleset_errors(text: str) -> None:
    rs = load_only_ruleset_errors(text)
    if rs is None:
        return
    # it still loads: every decision evaluates on the example facts with no stray error
    for decision in rs.decisions:
        try:
            result = rs.evaluate(decision, BASE_FACTS, as_of=AS_OF)
        except promorules.FactError:
            continue
        exercise(result)


def test_float_specials_are_fact_errors() -> None:
    for value in (math.nan, math.inf, -math.inf):
        facts = dict(BASE_FACTS)
        facts["buyer_protection_deposit"] = value
        try:
            RS.evaluate("merchant_eligibility", facts, as_of=AS_OF)
        except promorules.FactError as e:
            assert "buyer_protection_deposit" in str(e)
        else:
            raise AssertionError(f"{value} accepted")
