"""Decision tables against a reference written here, independent of the engine.

Random tables over two whole-number inputs from 0 to 10: every hit policy (and collect's
aggregates), cells that are comparisons, ranges with open and closed ends, disjunctions and
``not(...)``, an output value list in a random order, with or without a default. The
reference evaluates the cells from their structure (not from their text) and applies the
DMN hit policy itself. Checked on every input of the grid:

- the engine's value and outcome agree with the reference, and the trace's matched rows
  are the rows the reference matches (``first``: up to the first);
- a ``unique`` table loads exactly when no two rows match a same input (else PR311), and
  PR702 is warned exactly when some input matches no row (a single-value policy without a
  default).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promorules

HEAD = """\
id: prop_tables
version: 1.0.0
title: {en: Tables, zh: 表}
timezone: Asia/Shanghai
sources: {"001": {file: a.txt, title: A}}
facts:
  a: {type: integer, min: 0, max: 10}
  b: {type: integer, min: 0, max: 10}
decisions:
  x:
    description: {en: Table, zh: 表}
"""
GRID = list(itertools.product(range(11), repeat=2))
OUTPUTS = ["p", "q", "r"]
POLICIES = ["unique", "any", "priority", "first", "output_order", "rule_order", "collect"]
OPS = {"<": int.__lt__, "<=": int.__le__, ">": int.__gt__, ">=": int.__ge__,
       "==": int.__eq__, "!=": int.__ne__}

# a test: ("op", op, k) | ("range", lo_closed, lo, hi, hi_closed); a cell: None (any) or
# (negated, [tests])
Test = tuple[Any, ...]

tests = st.one_of(
    st.tuples(st.just("op"), st.sampled_from(sorted(OPS)), st.integers(0, 10)),
    st.tuples(st.just("range"), st.booleans(), st.integers(0, 10), st.integers(0, 10),
              st.booleans()))
cells = st.one_of(st.none(), st.tuples(st.booleans(), st.lists(tests, min_size=1, max_size=2)))


def holds(test: Test, v: int) -> bool:
    if test[0] == "op":
        return bool(OPS[test[1]](v, test[2]))
    _, lo_closed, lo, hi, hi_closed = test
    return (v >= lo if lo_closed else v > lo) and (v <= hi if hi_closed else v < hi)


def cell_matches(cell: Any, v: int) -> bool:
    if cell is None:
        return True
    negated, alternatives = cell
    return any(holds(t, v) for t in alternatives) != negated


def written_test(test: Test) -> str:
    if test[0] == "op":
        return f"{test[1]} {test[2]}"
    _, lo_closed, lo, hi, hi_closed = test
    opener = "[" if lo_closed else random.choice("(]")
    closer = "]" if hi_closed else random.choice(")[")
    return f"{opener}{lo}..{hi}{closer}"


def cell_text(cell: Any) -> str:
    if cell is None:
        return "-"
    negated, alternatives = cell
    body = ", ".join(written_test(t) for t in alternatives)
    return f"not({body})" if negated else body


def reference(policy: str, aggregate: str | None, rows: list[tuple[Any, Any, Any]],
              order: list[str], default: Any, a: int, b: int) -> tuple[str, Any, list[int]]:
    """(outcome, value, matched row indices) by the DMN semantics, written out."""
    matched = [k for k, (ca, cb, _) in enumerate(rows)
               if cell_matches(ca, a) and cell_matches(cb, b)]
    outs = [rows[k][2] for k in matched]
    if aggregate is not None:
        if not outs:
            if default is not None:
                return "pass", default, matched
            return "pass", 0 if aggregate == "count" else None, matched
        value = {"sum": sum, "min": min, "max": max, "count": len}[aggregate](outs)
        return "pass", value, matched
    if policy in ("output_order", "rule_order", "collect"):
        if not outs:
            return "pass", [] if default is None else [default], matched
        if policy == "output_order":
            ranked = sorted(matched, key=lambda k: (order.index(rows[k][2]), k))
            return "pass", [rows[k][2] for k in ranked], matched
        return "pass", outs, matched
    if not outs:
        return ("fail", None, matched) if default is None else ("pass", default, matched)
    if policy == "unique":
        return ("pass", outs[0], matched) if len(outs) == 1 else ("fail", None, matched)
    if policy == "any":
        return ("pass", outs[0], matched) if len(set(outs)) == 1 else ("fail", None, matched)
    if policy == "priority":
        return "pass", min(outs, key=order.index), matched
    return "pass", outs[0], matched[:1]  # first: the rows after its match are not tried


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    policy = draw(st.sampled_from(POLICIES))
    aggregate = draw(st.sampled_from([None, "sum", "min", "max", "count"])) \
        if policy == "collect" else None
    numeric = aggregate is not None
    outputs = st.integers(0, 9) if numeric else st.sampled_from(OUTPUTS)
    rows = draw(st.lists(st.tuples(cells, cells, outputs), min_size=1, max_size=5))
    order = draw(st.permutations(OUTPUTS))
    default = draw(st.one_of(st.none(), outputs))
    return {"policy": policy, "aggregate": aggregate, "rows": rows, "order": list(order),
            "default": default, "seed": draw(st.integers(0, 1000))}


def table_yaml(t: dict[str, Any]) -> str:
    random.seed(t["seed"])  # which open-bracket spelling each range uses
    lines = ["    table:", f"      hit_policy: {t['policy']}", "      inputs: [a, b]"]
    if t["aggregate"]:
        lines.append(f"      aggregate: {t['aggregate']}")
    else:
        lines.append(f"      output: {{values: [{', '.join(t['order'])}]}}")
    lines.append("      rows:")
    for k, (ca, cb, out) in enumerate(t["rows"]):
        lines.append(f'        - {{id: r{k}, when: ["{cell_text(ca)}", "{cell_text(cb)}"], '
                     f"then: {out}}}")
    if t["default"] is not None:
        lines.append(f"      default: {t['default']}")
    return HEAD + "\n".join(lines) + "\n"


def check(t: dict[str, Any]) -> None:
    text = table_yaml(t)
    policy, rows = t["policy"], t["rows"]
    results = {(a, b): reference(policy, t["aggregate"], rows, t["order"], t["default"], a, b)
               for a, b in GRID}
    overlap = any(len(m) > 1 for _, _, m in results.values())
    gap = any(not m for _, _, m in results.values())
    try:
        rs = promorules.loads(text, source="prop.yaml")
    except promorules.RulesetError as e:
        codes = {err.code for err in (e.errors or (e,))}
        assert policy == "unique" and overlap and codes == {"PR311"}, (text, e.format())
        return
    assert not (policy == "unique" and overlap), text
    single = policy in ("unique", "any", "priority", "first")
    expect_gap = single and t["default"] is None and gap
    assert [w.code for w in rs.lint] == (["PR702"] if expect_gap else []), text
    for (a, b), (outcome, value, matched) in results.items():
        r = rs.evaluate("x", {"a": a, "b": b})
        assert (str(r.outcome), r.value) == (outcome, value), (text, a, b)
        assert list(r.trace.matched or ()) == [f"r{k}" for k in matched], (text, a, b)


@settings(max_examples=15, deadline=None)
@given(tables())
def test_tables_agree_with_the_reference(t: dict[str, Any]) -> None:
    check(t)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(tables())
def test_tables_agree_with_the_reference_at_length(t: dict[str, Any]) -> None:
    check(t)
