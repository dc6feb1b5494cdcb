"""The generated code: built as ``ast``, readable names from the ruleset, sanitised
identifiers, no ruleset text in the source, and a line table back to rules and YAML lines."""

from __future__ import annotations

import ast
import keyword
from pathlib import Path

import pytest

import promorules
from promorules.compiler.names import identifier

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (ROOT / "rulesets").glob("*.yaml") if ".test." not in p.name)

# fact names and rule ids that are Python keywords, builtins, runtime or argument names;
# texts (descriptions, list items, enum values) that are Python code
ODD = """\
id: odd
version: 1.0.0
title: {en: Odd, zh: 怪}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
facts:
  class: {type: integer, description: {en: C, zh: C}}
  facts: {type: boolean, description: {en: F, zh: F}}
  NA: {type: number, description: {en: N, zh: N}}
  len: {type: number, description: {en: L, zh: L}}
  kind: {type: enum, values: [import_os, __import__], description: {en: K, zh: K}}
  note: {type: string, description: {en: T, zh: T}}
params:
  as_of_limit: {type: number, default: 3, description: {en: P, zh: P}}
lists:
  words: {items: ["__import__('os').system('x')", "'; drop"]}
decisions:
  import:
    description: {en: "__import__('os')", zh: "x"}
    source: "D §1"
    all:
      - {id: return, description: {en: r, zh: r}, source: "D §2", check: class >= 2}
      - {id: None, description: {en: n, zh: n}, source: "D §2", check: facts}
      - {id: _t1, description: {en: t, zh: t}, source: "D §2", check: NA + len <= as_of_limit}
      - {id: lambda, description: {en: l, zh: l}, source: "D §2",
         check: "kind in [__import__] and not contains_any(note, words)"}
      - {id: def, description: {en: d, zh: d}, source: "D §2",
         check: "note != \\"');import os#\\""}
"""


def _texts(rs: promorules.Ruleset) -> set[str]:
    out = set()
    for did, d in rs.decisions.items():
        out.add(did)
        for n in d.nodes:
            out |= {n.id, n.description.en, *(n.facts)}
            if n.expression:
                out.add(n.expression)
    return out


def _check_module(compiled: promorules.compiler.CompiledDecision) -> None:
    module = compiled.module
    for node in ast.walk(module):
        if isinstance(node, ast.Constant):
            # None, True, False, and the generator's own indexes; never a ruleset's text
            assert node.value is None or isinstance(node.value, bool) or (
                type(node.value) is int), ast.dump(node)
        if isinstance(node, ast.Name):
            assert node.id.isidentifier() and not keyword.iskeyword(node.id), node.id
            assert node.id.isascii()
        if isinstance(node, (ast.FunctionDef, ast.arg)):
            name = node.name if isinstance(node, ast.FunctionDef) else node.arg
            assert name.isidentifier() and not keyword.iskeyword(name)
    ints = [n for n in ast.walk(module) if isinstance(n, ast.Constant)
            and type(n.value) is int]
    slices = {id(n.slice) for n in ast.walk(module) if isinstance(n, ast.Subscript)}
    assert all(id(n) in slices for n in ints), "an integer outside an index"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_generated_source_holds_no_ruleset_text(path: Path) -> None:
    rs = promorules.load(path)
    for compiled in rs.decisions.values():
        _check_module(compiled)
        # the source compiles back to the same statements, on the same lines
        again = ast.parse(compiled.source_code)
        lines = [n.lineno for n in ast.walk(compiled.module) if isinstance(n, ast.stmt)]
        assert lines == [n.lineno for n in ast.walk(again) if isinstance(n, ast.stmt)]


def test_odd_names_are_sanitised_and_odd_text_stays_in_the_namespace() -> None:
    rs = promorules.loads(ODD)
    d = rs.decisions["import"]
    _check_module(d)
    src = d.source_code
    for text in ("__import__('os')", "'; drop", "');import os#", "system"):
        assert text not in src
    # names still say what they are
    assert "def run_import(facts, as_of):" in src
    for name in ("class_ = ", "facts_2 = ", "NA_2 = ", "len_ = ", "rule_return = ",
                 "rule_None = ", "PARAM_as_of_limit", "LIST_words", "VALUES_kind"):
        assert name in src, name
    assert rs.evaluate("import", {"class": 3, "facts": True, "NA": 1, "len": 1,
                                  "kind": "__import__", "note": "x"}).passed
    r = rs.evaluate("import", {"class": 1, "facts": False, "NA": 3, "len": 1,
                               "kind": "import_os", "note": "');import os#"})
    assert r.failed_rule_ids == ("return", "None", "_t1", "lambda", "def")


@pytest.mark.parametrize("text, expected", [
    ("deposit", "deposit"), ("class", "class_"), ("len", "len_"), ("9lives", "_9lives"),
    ("a-b.c d", "a_b_c_d"), ("保证金", "___"), ("", "__"), ("match", "match_"),
])
def test_identifier(text: str, expected: str) -> None:
    assert identifier(text) == expected
    assert expected.isidentifier() and not keyword.iskeyword(expected)


def test_names_come_from_the_ruleset_and_the_line_table_maps_rules() -> None:
    rs = promorules.load(ROOT / "rulesets" / "1688_spring.yaml")
    d = rs.decisions["merchant_eligibility"]
    src = d.source_code
    for name in ("def run_merchant_eligibility(facts, as_of):", "buyer_protection_deposit = ",
                 "rule_deposit = ", "LIST_industries", "def failed_merchant_eligibility(N, S):",
                 "def detail_deposit(F, S, as_of):"):
        assert name in src, name
    lines = src.splitlines()
    yaml_lines = (ROOT / "rulesets" / "1688_spring.yaml").read_text(encoding="utf-8").splitlines()
    seen = set()
    for line, (rule_id, yaml_line) in d.line_table.items():
        text = lines[line - 1]
        if text.lstrip().startswith(f"rule_{rule_id} = ") and rule_id != d.id:
            seen.add(rule_id)
            assert yaml_line is not None and f"id: {rule_id}" in yaml_lines[yaml_line - 1]
    assert {"deposit", "trade_medal", "main_industry"} <= seen


def test_floats_compared_as_floats_give_the_exact_decimal_answer_and_trace() -> None:
    """The fast path compares a float fact with a float-exact threshold as a float; the
    record, failed ids, trace and to_dict are those of the exact decimal Decimal(repr(x))."""
    import math
    from decimal import Decimal

    rs = promorules.load(ROOT / "benchmarks" / "peers_21.yaml")
    base = {"store_rating": 4.9, "positive_feedback_pct": 99.0, "on_time_ship_pct": 97.0,
            "response_rate_pct": 95.0, "dispute_rate": 0.01, "refund_rate": 0.01,
            "return_rate": 0.1, "cancellation_rate": 0.01, "late_shipment_rate": 0.01,
            "chargeback_rate": 0.001, "gmv_90d_usd": 5000.0, "avg_order_value_usd": 20.0,
            "security_deposit_usd": 600.0, "avg_ship_hours": 24.0, "account_age_days": 100,
            "active_listings": 20, "identity_verified": True, "tax_registered": True,
            "ip_violation_90d": False, "seller_level": "gold", "business_type": "company"}
    edges = {"store_rating": 4.7, "dispute_rate": 0.035, "late_shipment_rate": 0.04,
             "gmv_90d_usd": 2999.99, "chargeback_rate": 0.0075}
    for fact, t in edges.items():
        for x in (t, math.nextafter(t, math.inf), math.nextafter(t, -math.inf)):
            floats = {**base, fact: x}
            exact = {k: str(Decimal(repr(v))) if type(v) is float else v
                     for k, v in floats.items()}
            if rs.facts[fact].kind == "money" and Decimal(repr(x)).as_tuple().exponent < -2:
                # money below the cent is refused on both paths, naming the fact
                for facts in (floats, exact):
                    with pytest.raises(promorules.FactError) as info:
                        rs.evaluate("seller_eligibility", facts)
                    assert (info.value.code, info.value.fact) == ("PR601", fact)
                continue
            a, b = rs.evaluate("seller_eligibility", floats), rs.evaluate(
                "seller_eligibility", exact)
            assert a.outcome == b.outcome and a.failed_rule_ids == b.failed_rule_ids
            assert a.to_dict()["trace"] == b.to_dict()["trace"]
            assert a.explain() == b.explain()
            assert a.trace == b.trace
