"""The hostile-input corpus (issue 10): YAML rulesets, expressions, facts, JSON files and
command lines that a red team would send. Whatever comes in, only promorules errors or
results come out; the command line exits 0, 1, 2 or 3 as documented (3 with a message and
no traceback for bad input); and output stays bounded (explain/to_dict of any accepted
input under 100 kB).

The slow parts (every hostile value into every fact of every decision, the largest generated
files) are marked ``slow``: ``python -m pytest -m slow tests/hostile`` runs them.

The corpus files are beside this one (``rulesets/``, ``expressions.txt``,
``json/cases.txt``); inputs too large to keep as files are generated here.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promorules
import shipped_rulesets
from promorules.cli import run

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RULESET = ROOT / "rulesets" / "1688_spring.yaml"
RS = shipped_rulesets.load("1688_spring")
BASE = json.loads((ROOT / "examples" / "1688_spring" / "merchant_ok.json").read_text("utf-8"))
BOUND = 100_000

EXPRESSION_RULESET = """\
id: corpus
version: 1.0.0
title: {en: Corpus, zh: 语料}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  x: {type: number}
  m: {type: money, currency: CNY}
  s: {type: string}
  d: {type: date}
decisions:
  d1:
    description: {en: D, zh: D}
    all:
      - {id: r, description: {en: r, zh: r}, source: "D §1", check: CHECK}
"""
FACT_SETS: list[dict[str, Any]] = [
    {}, {"x": 1, "m": "1.00", "s": "a", "d": "2024-03-01"},
    {"x": "９", "m": "1e-999999999", "s": 1, "d": "2024-02-30"},
    {"x": 10 ** 5000, "m": 0.1 + 0.2, "s": "\ud800", "d": "2026-12-31"},
]


def lines(name: str) -> list[str]:
    text = (HERE / name).read_text("utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("# ")]


def cli(*argv: Any, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def assert_clean(code: int, out: str, err: str, allowed: tuple[int, ...] = (0, 1, 2, 3)
                 ) -> None:
    assert code in allowed, (code, err)
    assert "Traceback" not in err and "PR900" not in err, err
    if code == 3:
        assert err.strip(), "exit 3 needs a message"
    assert len(out) < BOUND and len(err) < BOUND


def exercise(result: promorules.Result) -> None:
    """Everything a caller may ask of a result works and stays bounded."""
    assert str(result.outcome) in ("pass", "fail", "unknown")
    data = json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False)
    assert len(data) < BOUND
    for lang in ("en", "zh"):
        assert len(result.explain(lang)) < BOUND
    _ = (result.failed, result.missing, result.value, list(result.trace.walk()))


# -- YAML rulesets ------------------------------------------------------------------------

def hostile_rulesets() -> list[Any]:
    files = [pytest.param(p.read_bytes(), id=p.name)
             for p in sorted((HERE / "rulesets").glob("*.yaml"))]
    generated = {
        "deep-yaml": "x: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "deep-mapping": "".join("  " * i + f"k{i}:\n" for i in range(2_000)) + "  " * 2000 + "v",
        "huge-int": "id: " + "9" * 100_000 + "\n",
        "huge-exponent": "id: x\nversion: 1e999999999\n",
        "long-line": "id: " + "a" * 1_999_000 + "\n",
        "too-large": "# " + "x" * 2_100_000 + "\n",
        "sum-400": EXPRESSION_RULESET.replace("CHECK", '"' + " + ".join(["x"] * 400) + ' > 0"'),
        "literal-5000": EXPRESSION_RULESET.replace("CHECK", '"x > ' + "9" * 5000 + '"'),
    }
    slow = {"deep-yaml", "too-large"}
    return files + [pytest.param(t.encode("utf-8"), id=k,
                                 marks=[pytest.mark.slow] if k in slow else [])
                    for k, t in generated.items()]


@pytest.mark.parametrize("data", hostile_rulesets())
def test_hostile_ruleset(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    with pytest.raises(promorules.RulesetError) as info:  # every one of them is refused
        promorules.load(path)
    assert info.value.code and len(str(info.value)) < BOUND
    for argv in (("check", path), ("eval", path, "d1", "-"), ("docs", path),
                 ("diff", path, RULESET), ("test", path)):
        code, out, err = cli(*argv, stdin="{}")
        assert_clean(code, out, err)
        assert code == 3, (argv, err[-500:])


# -- expressions --------------------------------------------------------------------------

@pytest.mark.parametrize("expression", lines("expressions.txt"))
def test_hostile_expression(expression: str) -> None:
    text = EXPRESSION_RULESET.replace("CHECK", json.dumps(expression, ensure_ascii=False))
    try:
        rs = promorules.loads(text, source="corpus.yaml")
    except promorules.RulesetError as e:
        assert all(err.line is not None for err in e.errors), e
        return
    for facts in FACT_SETS:
        try:
            result = rs.evaluate("d1", facts, as_of="2024-03-01")
        except promorules.FactError as e:
            assert e.code and e.code.startswith("PR6")
            continue
        exercise(result)


# -- facts --------------------------------------------------------------------------------

@pytest.mark.parametrize("document", lines("json/cases.txt"))
def test_hostile_facts_file(tmp_path: Path, document: str) -> None:
    code, out, err = cli("eval", RULESET, "merchant_eligibility", "-", stdin=document)
    assert_clean(code, out, err)
    try:
        facts = promorules.facts.read_json_facts(document)
    except promorules.FactError:
        assert code == 3
        return
    # the command line answers as the library does: exit 3 on a FactError, else by outcome
    try:
        alone = RS.evaluate("merchant_eligibility", facts)
    except promorules.FactError:
        assert code == 3
    else:
        assert code == {"pass": 0, "fail": 1, "unknown": 2}[str(alone.outcome)]
    for merged in (facts, {**BASE, **facts}):
        try:
            result = RS.evaluate("merchant_eligibility", merged, as_of="2024-03-01")
        except promorules.FactError as e:
            assert e.code and e.code.startswith("PR6")
            continue
        exercise(result)


@pytest.mark.parametrize("value", [
    "1e-999999999", 10 ** 5000, -(10 ** 70), 1e308, 5e-324, "３０００", " 1 ", "1\n",
    "1" * 100, [1] * 10, {"a": 1}, object(), b"3000", float("nan"), float("-inf"), True,
], ids=lambda v: f"int{v.bit_length()}bits" if type(v) is int else repr(v)[:20])
@pytest.mark.parametrize("decision", sorted(RS.decisions))
@pytest.mark.slow
def test_hostile_fact_values_through_python(decision: str, value: Any) -> None:
    for name in RS.facts:
        try:
            result = RS.evaluate(decision, {**BASE, name: value}, as_of="2024-03-01")
        except promorules.FactError as e:
            assert e.code and e.code.startswith("PR6") and len(str(e)) < 2_000
            continue
        exercise(result)


# -- command-line arguments ---------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    [], ["--nope"], ["eval"], ["eval", str(RULESET)], ["eval", str(RULESET), "nope", "-"],
    ["eval", str(RULESET), "merchant_eligibility", "/nonexistent.json"],
    ["eval", str(RULESET), "merchant_eligibility", "-", "--as-of", "yesterday"],
    ["eval", str(RULESET), "merchant_eligibility", "-", "--as-of", "9999-99-99"],
    ["eval", str(RULESET), "merchant_eligibility", "-", "--lang", "xx"],
    ["eval", "/dev/null", "d", "-"], ["check", "/nonexistent.yaml"], ["check", str(ROOT)],
    ["check", "\x00"], ["diff", str(RULESET), str(RULESET), "--examples", "-1"],
    ["diff", str(RULESET), str(RULESET), "--facts", "/nonexistent.jsonl"],
    ["monitor", str(RULESET), "merchant_eligibility", "-", "--window-from", "never"],
    ["monitor", str(RULESET), "merchant_eligibility", "-", "--backend", "nope"],
    ["test", "/nonexistent"], ["docs", "/nonexistent.yaml"], ["eval", "-" * 10_000],
    ["eval", str(RULESET), "merchant_eligibility", "a\x00b"], ["test", "a\x00b"],
    ["diff", str(RULESET), "a\x00b"], ["diff", str(RULESET), str(RULESET), "--facts", "a\x00"],
    ["monitor", str(RULESET), "merchant_eligibility", "a\x00b"],
    ["monitor", str(RULESET), "merchant_eligibility", "-", "--state", "a\x00b"],
    ["docs", str(RULESET), "-o", "a\x00b.md"],
])
def test_hostile_command_line(argv: list[str]) -> None:
    # every one is a usage error or invalid input (exit 3, with a message), except a negative
    # --examples, which diff reads as "show none" and then reports no change (exit 0)
    expected = 0 if "--examples" in argv else 3
    assert_clean(*cli(*argv, stdin="{}"), allowed=(expected,))


# -- a property run over random text (slow) -------------------------------------------------

ALPHABET = st.sampled_from([
    *"xmsd0123456789.+-*/()[],<>=! \"'\n", " and ", " or ", " not ", " in ", " between ",
    "٥", "３", "≥", "add_working_days(", "round_half_up(", "2024-03-01", "1e9", "\\"])


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(text=st.lists(ALPHABET, max_size=40).map("".join))
def test_random_expression_text(text: str) -> None:
    source = EXPRESSION_RULESET.replace("CHECK", json.dumps(text, ensure_ascii=False))
    try:
        rs = promorules.loads(source, source="random.yaml")
    except promorules.RulesetError as e:
        assert e.code and e.code != "PR900", e
        return
    for facts in FACT_SETS:
        try:
            exercise(rs.evaluate("d1", facts, as_of="2024-03-01"))
        except promorules.FactError as e:
            assert e.code and e.code.startswith("PR6")
