"""promorules.examples: reading a ruleset's examples, running them, coverage, `promorules test`."""

from __future__ import annotations

import io
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import promorules
from promorules.cli import run
from promorules.examples import (
    NOT_GIVEN,
    Example,
    ExampleResult,
    Expectation,
    coverage,
    examples_file_of,
    find_rulesets,
    format_failure,
    load_examples,
    run_example,
    run_examples,
    same_value,
)

RULESET = """\
id: demo
version: 1.0.0
title: {en: Demo, zh: 示例}
timezone: Asia/Shanghai
sources:
  "002": {file: 002_demo.txt, title: Demo document}
facts:
  deposit: {type: money, currency: CNY, min: 0, description: {en: Deposit, zh: 保证金}}
  medal: {type: ordinal, values: [none, A, AA], description: {en: Medal, zh: 勋章}}
  rate: {type: percent, description: {en: Rate, zh: 费率}}
  price: {type: money, currency: CNY, min: 0, description: {en: Price, zh: 价格}}
  gmv: {type: number, min: 0, description: {en: GMV, zh: 成交额}}
  brand: {type: enum, values: [big, small], description: {en: Brand, zh: 品牌}}
params:
  deposit_min:
    type: money
    currency: CNY
    default: 3000
    min: 0
    max: 50000
    description: {en: Minimum deposit, zh: 保证金下限}
    source: "002 §1"
decisions:
  merchant_ok:
    description: {en: Merchant requirements, zh: 商家要求}
    source: "002 §1"
    all:
      - id: deposit
        description: {en: Deposit, zh: 保证金}
        source: "002 §1"
        check: deposit >= deposit_min
      - id: medal
        description: {en: Medal A or above, zh: 勋章A及以上}
        source: "002 §1"
        check: medal >= A
      - id: usual_rate
        description: {en: Usual rate, zh: 常见费率}
        source: "002 §1"
        severity: warning
        check: rate <= 5
  registration:
    description: {en: Registration, zh: 报名}
    source: "002 §2"
    all:
      - id: merchant
        description: {en: Merchant, zh: 商家}
        source: "002 §2"
        decision: merchant_ok
  commission:
    description: {en: Commission, zh: 佣金}
    type: money
    currency: CNY
    compute: price * rate / 100
    round: {places: 2, mode: half_up}
  level:
    description: {en: Level, zh: 等级}
    source: "002 §3"
    tiers:
      - id: silver
        description: {en: Silver, zh: 银牌}
        source: "002 §3"
        check: gmv >= 100
      - id: gold
        description: {en: Gold, zh: 金牌}
        source: "002 §3"
        check: gmv >= 200
    default: none
  model:
    description: {en: Model, zh: 模式}
    source: "002 §4"
    table:
      hit_policy: unique
      inputs: [brand]
      rows:
        - id: big_brands
          when: [big]
          then: direct
        - id: small_brands
          when: [small]
          then: platform
"""

MERCHANT_OK = "{deposit: 3000, medal: A, rate: 3}"

# -- helpers -----------------------------------------------------------------------------


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def ruleset_with(tmp_path: Path, examples: str, *, in_file: str = "",
                 name: str = "demo.yaml", text: str = RULESET) -> Path:
    """A ruleset file, its own `examples:` (in_file) and a sibling test file (examples)."""
    path = write(tmp_path, name, text + (textwrap.dedent(in_file) if in_file else ""))
    if examples:
        write(tmp_path, name.replace(".yaml", ".test.yaml"), examples)
    return path


def one(decision: str, facts: str, expect: str, *, extra: str = "") -> str:
    """A test file holding one example."""
    lines = ["ruleset: demo", "examples:", "  - name: the example", f"    decision: {decision}",
             f"    facts: {facts}", f"    expect: {expect}"]
    lines += [f"    {line}" for line in extra.splitlines() if line]
    return "\n".join(lines) + "\n"


def run_one(tmp_path: Path, decision: str, facts: str, expect: str, *, extra: str = ""
            ) -> ExampleResult:
    path = ruleset_with(tmp_path, one(decision, facts, expect, extra=extra))
    [result] = run_examples(promorules.load(path), load_examples(path))
    return result


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["test", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>PR\d{3}) ",
                     re.MULTILINE)


# -- reading examples --------------------------------------------------------------------


def test_examples_in_the_ruleset_and_in_the_sibling_file(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, f"""\
        ruleset: demo
        examples:
          - name: deposit of exactly 3000 passes
            decision: merchant_ok
            facts: {MERCHANT_OK}
            expect: {{outcome: pass, failed: [], warnings: 0}}
          - name: commission on 19.99 at 8%
            decision: commission
            facts: {{price: "19.99", rate: 8}}
            expect: {{outcome: pass, value: 1.60}}
        """, in_file="""\
        examples:
          - name: in-file example
            decision: level
            facts: {gmv: 150}
            expect: {outcome: pass, value: silver}
        """)
    examples = load_examples(path)
    assert [e.name for e in examples] == [
        "in-file example", "deposit of exactly 3000 passes", "commission on 19.99 at 8%"]
    first, second, third = examples
    assert first.source == str(path)
    assert second.source == str(examples_file_of(path))
    assert (second.line, third.line) == (3, 7)
    assert second.expect == Expectation("pass", NOT_GIVEN, (), None, 0)
    assert third.expect.value == Decimal("1.60")
    assert third.facts == {"price": "19.99", "rate": 8}
    results = run_examples(promorules.load(path), examples)
    assert [r.ok for r in results] == [True, True, True]
    assert all(r.problems == () and r.diff == "" for r in results)
    assert "silver" in results[0].explanation


def test_examples_file_of() -> None:
    assert examples_file_of("rulesets/1688_spring.yaml") == Path("rulesets/1688_spring.test.yaml")
    assert examples_file_of("a/b.yml") == Path("a/b.test.yml")


def test_a_ruleset_without_examples_has_none(tmp_path: Path) -> None:
    assert load_examples(ruleset_with(tmp_path, "")) == []
    assert load_examples(ruleset_with(tmp_path, "", in_file="examples: []\n")) == []


def test_facts_file_is_relative_to_the_examples_file_and_facts_merge_over_it(
        tmp_path: Path) -> None:
    write(tmp_path, "facts/merchant.json",
          '{"deposit": 2999.99, "medal": "none", "rate": 3}')
    path = ruleset_with(tmp_path / "rules", """\
        examples:
          - name: the facts file with a better medal
            decision: merchant_ok
            facts_file: ../facts/merchant.json
            facts: {medal: A}
            expect: {outcome: fail, failed: [deposit]}
        """)
    [example] = load_examples(path)
    assert example.facts == {"deposit": Decimal("2999.99"), "medal": "A", "rate": 3}
    assert isinstance(example.facts["deposit"], Decimal)  # never through a float
    [result] = run_examples(promorules.load(path), [example])
    assert result.ok, result.problems


def test_facts_file_in_the_ruleset_is_relative_to_the_ruleset(tmp_path: Path) -> None:
    write(tmp_path, "merchant.json", '{"deposit": 3000, "medal": "A", "rate": 3}')
    path = ruleset_with(tmp_path, "", in_file="""\
        examples:
          - name: from the file
            decision: merchant_ok
            facts_file: merchant.json
            expect: {outcome: pass}
        """)
    [result] = run_examples(promorules.load(path), load_examples(path))
    assert result.ok


def test_a_missing_facts_file_is_located(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, """\
        examples:
          - name: no such file
            decision: merchant_ok
            facts_file: nowhere.json
            expect: {outcome: pass}
        """)
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    err = info.value
    assert (err.code, err.source, err.line) == ("PR100", str(examples_file_of(path)), 4)
    assert "nowhere.json" in err.message


def test_a_facts_file_that_is_not_json(tmp_path: Path) -> None:
    write(tmp_path, "bad.json", '{"deposit": 3000,\n  oops}')
    path = ruleset_with(tmp_path, """\
        examples:
          - name: bad json
            decision: merchant_ok
            facts_file: bad.json
            expect: {outcome: pass}
        """)
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    assert (info.value.code, info.value.source, info.value.line) == (
        "PR101", str(tmp_path / "bad.json"), 2)


def test_an_unknown_key_is_reported_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, """\
        ruleset: demo
        examples:
          - name: typo
            decision: merchant_ok
            facts: {deposit: 3000}
            expcet: {outcome: pass}
        """)
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    errors = {(e.code, e.line, e.column): e for e in info.value.errors}
    unknown = errors[("PR201", 6, 5)]
    assert unknown.source == str(examples_file_of(path))
    assert "unknown key 'expcet'" in unknown.message
    assert unknown.suggestion == "expect"
    assert ("PR200", 3, 5) in errors  # ... and so 'expect' is missing
    assert unknown.format().startswith(f"{examples_file_of(path)}:6:5: PR201 ")


def test_a_bad_outcome_is_a_schema_error(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_ok", MERCHANT_OK, "{outcome: passed}"))
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    assert (info.value.code, info.value.line) == ("PR200", 6)
    assert "passed" in info.value.message


def test_an_invalid_in_file_example_is_located_in_the_ruleset(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, "", in_file="""\
        examples:
          - name: no decision
            expect: {outcome: pass}
        """)
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    err = info.value
    assert (err.code, err.source) == ("PR200", str(path))
    assert err.line == RULESET.count("\n") + 2
    assert "'decision' is required" in err.message


def test_a_duplicate_key_in_the_examples_file(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, """\
        examples:
          - name: twice
            name: again
            decision: merchant_ok
            expect: {outcome: pass}
        """)
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    assert (info.value.code, info.value.line) == ("PR102", 3)


def test_the_ruleset_id_must_match(tmp_path: Path) -> None:
    text = one("merchant_ok", MERCHANT_OK, "{outcome: pass}").replace("ruleset: demo",
                                                                        "ruleset: other")
    path = ruleset_with(tmp_path, text)
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    err = info.value
    assert (err.code, err.line, err.column) == ("PR200", 1, 10)
    assert "'other'" in err.message and "'demo'" in err.message


def test_an_unknown_decision_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_okk", MERCHANT_OK, "{outcome: pass}"))
    with pytest.raises(promorules.RulesetError) as info:
        load_examples(path)
    assert (info.value.code, info.value.line, info.value.column) == ("PR303", 4, 15)
    assert info.value.suggestion == "merchant_ok"


# -- comparing ---------------------------------------------------------------------------


@pytest.mark.parametrize(("decision", "facts", "expect", "problem"), [
    ("merchant_ok", MERCHANT_OK, "{outcome: fail}", "outcome: expected fail, got pass"),
    ("commission", '{price: "19.99", rate: 8}', "{outcome: pass, value: 1.61}",
     "value: expected 1.61, got 1.60"),
    ("level", "{gmv: 150}", "{outcome: pass, value: gold}", "value: expected gold, got silver"),
    ("merchant_ok", "{deposit: 10, medal: none, rate: 3}",
     "{outcome: fail, failed: [deposit]}", "failed: expected [deposit], got [deposit, medal]"),
    ("merchant_ok", "{deposit: 3000, rate: 3}", "{outcome: unknown, missing: [rate]}",
     "missing: expected [rate], got [medal]"),
    ("merchant_ok", "{deposit: 3000, medal: A, rate: 6}", "{outcome: pass, warnings: 0}",
     "warnings: expected 0, got 1: usual_rate not met: Usual rate (rate = 6%; expected <= 5)"),
])
def test_each_kind_of_mismatch_has_a_readable_problem(
        tmp_path: Path, decision: str, facts: str, expect: str, problem: str) -> None:
    result = run_one(tmp_path, decision, facts, expect)
    assert not result.ok
    assert result.problems == (problem,)
    assert result.diff.startswith("--- expected\n+++ actual\n")
    assert result.explanation and result.result is not None
    text = format_failure(result)
    assert problem in text and "explanation:" in text
    assert f"at {examples_file_of(tmp_path / 'demo.yaml')}:3" in text


def test_the_diff_shows_expected_against_actual(tmp_path: Path) -> None:
    result = run_one(tmp_path, "merchant_ok", "{deposit: 10, medal: none, rate: 3}",
                     "{outcome: pass, failed: []}")
    assert result.problems == ("outcome: expected pass, got fail",
                               "failed: expected [], got [deposit, medal]")
    assert result.diff.splitlines() == [
        "--- expected", "+++ actual", "-outcome: pass", "-failed: []", "+outcome: fail",
        "+failed:", "+  - deposit", "+  - medal"]


def test_matching_fields_do_not_show_as_changed_in_the_diff(tmp_path: Path) -> None:
    result = run_one(tmp_path, "commission", '{price: "19.99", rate: 8}',
                     "{outcome: fail, value: 1.6}")
    assert result.problems == ("outcome: expected fail, got pass",)
    assert " value: 1.6" in result.diff.splitlines()


@pytest.mark.parametrize(("expected", "actual", "same"), [
    (Decimal("1.60"), "1.60", True),
    (Decimal("1.6"), "1.60", True),
    (1, "1.00", True),
    (1.5, "1.50", True),
    (Decimal("1.61"), "1.60", False),
    ("1.60", "1.60", True),
    ("1.6", "1.60", False),  # two strings compare as written
    (True, True, True),
    (True, 1, False),
    (1, True, False),
    (None, None, True),
    (None, "x", False),
    ([Decimal("300.00"), "a"], ["300.00", "a"], True),
    ({"prepaid": Decimal("300"), "balance": "700.01"},
     {"prepaid": "300.00", "balance": "700.01"}, True),
    ({"a": 1}, {"a": 1, "b": 2}, False),
    ([1, 2], [1], False),
    ("2024-03-06", "2024-03-06", True),
])
def test_same_value(expected: object, actual: object, same: bool) -> None:
    assert same_value(expected, actual) is same


def test_missing_compares_in_any_order(tmp_path: Path) -> None:
    result = run_one(tmp_path, "merchant_ok", "{rate: 3}",
                     "{outcome: unknown, missing: [medal, deposit]}")
    assert result.ok, result.problems


def test_value_null_is_checked_but_an_absent_value_is_not(tmp_path: Path) -> None:
    result = run_one(tmp_path, "merchant_ok", MERCHANT_OK, "{outcome: pass, value: null}")
    assert result.ok
    result = run_one(tmp_path, "level", "{gmv: 150}", "{outcome: pass, value: null}")
    assert result.problems == ("value: expected null, got silver",)


def test_a_fact_error_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    result = run_one(tmp_path, "merchant_ok", "{deposit: lots, medal: A, rate: 3}",
                     "{outcome: pass}")
    assert not result.ok
    assert result.result is None
    assert result.error is not None and result.error.startswith("PR601")
    assert result.problems == (f"error: {result.error}",)
    assert "explanation" not in format_failure(result)


def test_an_invalid_as_of_is_a_failure(tmp_path: Path) -> None:
    example = Example("bad instant", "merchant_ok", {"deposit": 1}, Expectation("fail"),
                      as_of="yesterday")
    rs = promorules.load(ruleset_with(tmp_path, ""))
    result = run_example(rs, example)
    assert not result.ok and result.error is not None and "PR608" in result.error


def test_as_of_is_passed_to_the_evaluation(tmp_path: Path) -> None:
    text = RULESET + (
        "  due:\n"
        "    description: {en: Due, zh: 到期}\n"
        "    compute: add_working_days(date(as_of), 1)\n")
    path = ruleset_with(tmp_path, one("due", "{}", "{outcome: pass, value: 2024-03-04}",
                                      extra="as_of: 2024-03-01T12:00:00+08:00"), text=text)
    [result] = run_examples(promorules.load(path), load_examples(path))
    assert result.ok, result.problems


# -- params ------------------------------------------------------------------------------

PARAMS_EXAMPLES = f"""\
    examples:
      - name: 2500 fails with the default minimum
        decision: merchant_ok
        facts: {{deposit: 2500, medal: A, rate: 3}}
        expect: {{outcome: fail, failed: [deposit]}}
      - name: 2500 passes when the minimum is 2000
        decision: merchant_ok
        facts: {{deposit: 2500, medal: A, rate: 3}}
        params: {{deposit_min: 2000}}
        expect: {{outcome: pass}}
      - name: 1999 fails when the minimum is 2000
        decision: merchant_ok
        facts: {{deposit: 1999, medal: A, rate: 3}}
        params: {{deposit_min: 2000}}
        expect: {{outcome: fail}}
      - name: the defaults with empty params
        decision: merchant_ok
        facts: {MERCHANT_OK}
        params: {{}}
        expect: {{outcome: pass}}
    """


def test_params_reload_the_ruleset_once_per_set_of_params(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, PARAMS_EXAMPLES)
    examples = load_examples(path)
    assert examples[1].params == {"deposit_min": 2000}
    assert examples[3].params is None  # `params: {}` is the defaults
    cache: dict[str, promorules.Ruleset] = {}
    results = run_examples(promorules.load(path), examples, params_cache=cache)
    assert [r.ok for r in results] == [True, True, True, True], [r.problems for r in results]
    assert len(cache) == 1
    [reloaded] = cache.values()
    assert reloaded.params["deposit_min"] == 2000


def test_params_of_a_ruleset_loaded_from_text(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, PARAMS_EXAMPLES)
    examples = load_examples(path)
    # the file's own text: the file can stand in for it
    results = run_examples(promorules.loads(path.read_text("utf-8"), source=str(path)),
                           examples)
    assert all(r.ok for r in results)
    # a changed text (a mutant) is reloaded from its own text (Ruleset.text), never from the
    # file: the examples with params run on the mutant, and catch it
    mutant = path.read_text("utf-8").replace("deposit >= deposit_min", "deposit > deposit_min")
    cache: dict[str, promorules.Ruleset] = {}
    results = run_examples(promorules.loads(mutant, source=str(path)), examples,
                           params_cache=cache)
    assert all(r.error is None for r in results)
    assert cache and all(rs.text == mutant for rs in cache.values())


def test_invalid_params_are_a_failure(tmp_path: Path) -> None:
    result = run_one(tmp_path, "merchant_ok", MERCHANT_OK, "{outcome: pass}",
                     extra="params: {deposit_min: 90000}")
    assert not result.ok
    assert result.error is not None and "PR502" in result.error


# -- coverage ----------------------------------------------------------------------------

TWO_CHECKS = """\
id: two
version: 1.0.0
title: {en: Two, zh: 二}
timezone: Asia/Shanghai
sources:
  "002": {file: 002_demo.txt, title: Demo document}
facts:
  a: {type: number, description: {en: A, zh: 甲}}
  b: {type: number, description: {en: B, zh: 乙}}
decisions:
  both:
    description: {en: Both, zh: 都}
    source: "002 §1"
    all:
      - {id: a_ok, description: {en: A, zh: 甲}, source: "002 §1", check: a >= 1}
      - {id: b_ok, description: {en: B, zh: 乙}, source: "002 §1", check: b >= 1}
"""

HALF_COVERED = """\
    examples:
      - {name: both pass, decision: both, facts: {a: 1, b: 1}, expect: {outcome: pass}}
      - name: a fails
        decision: both
        facts: {a: 0, b: 1}
        expect: {outcome: fail, failed: [a_ok]}
    """


def test_coverage_counts_a_check_seen_passing_and_failing(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, HALF_COVERED, name="two.yaml", text=TWO_CHECKS)
    rs = promorules.load(path)
    cov = coverage(rs, run_examples(rs, load_examples(path)))
    assert cov.ruleset_id == "two"
    assert [(i.rule_id, i.kind, i.pass_seen, i.fail_seen, i.covered) for i in cov.items] == [
        ("a_ok", "check", True, True, True), ("b_ok", "check", True, False, False)]
    assert (cov.covered, cov.total, cov.percent) == (1, 2, 50.0)
    assert [i.rule_id for i in cov.uncovered] == ["b_ok"]


def test_coverage_of_tiers_rows_and_referenced_decisions(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, f"""\
        examples:
          - {{name: silver, decision: level, facts: {{gmv: 150}}, expect: {{outcome: pass}}}}
          - {{name: big, decision: model, facts: {{brand: big}}, expect: {{outcome: pass}}}}
          - name: registration
            decision: registration
            facts: {{deposit: 10, medal: A, rate: 3}}
            expect: {{outcome: fail, failed: [deposit]}}
          - {{name: ok, decision: merchant_ok, facts: {MERCHANT_OK}, expect: {{outcome: pass}}}}
        """)
    rs = promorules.load(path)
    cov = coverage(rs, run_examples(rs, load_examples(path)))
    items = {(i.decision, i.rule_id): i for i in cov.items}
    assert sorted(items) == sorted([
        ("merchant_ok", "deposit"), ("merchant_ok", "medal"), ("merchant_ok", "usual_rate"),
        ("level", "silver"), ("level", "gold"), ("model", "big_brands"),
        ("model", "small_brands")])
    # the registration example's trace of merchant_ok counts for merchant_ok's rules
    assert items["merchant_ok", "deposit"].covered
    assert items["merchant_ok", "deposit"].outcomes == {"pass", "fail"}
    assert not items["merchant_ok", "medal"].covered  # seen passing only
    # a tier or a row is covered when reached
    assert items["level", "silver"].kind == "tier" and items["level", "silver"].covered
    assert not items["level", "gold"].covered and items["level", "gold"].fail_seen
    assert items["model", "big_brands"].kind == "row" and items["model", "big_brands"].covered
    assert not items["model", "small_brands"].covered
    assert cov.covered == 3 and cov.total == 7


def test_coverage_ignores_failed_evaluations_and_other_rulesets(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, HALF_COVERED, name="two.yaml", text=TWO_CHECKS)
    rs = promorules.load(path)
    demo = promorules.load(ruleset_with(tmp_path, ""))
    other = run_example(demo, Example("x", "merchant_ok", {}, Expectation("unknown")))
    broken = ExampleResult(Example("y", "both", {"a": "x"}, Expectation("pass")), False,
                           error="PR601 ...")
    cov = coverage(rs, [other, broken])
    assert cov.covered == 0 and cov.total == 2


def test_a_ruleset_without_rules_is_fully_covered(tmp_path: Path) -> None:
    text = RULESET.split("decisions:")[0] + textwrap.dedent("""\
        decisions:
          double_gmv:
            description: {en: Twice the GMV, zh: 两倍成交额}
            compute: gmv * 2
        """)
    rs = promorules.loads(text)
    assert coverage(rs, []).percent == 100.0


# -- promorules test ---------------------------------------------------------------------


def test_cli_all_pass(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_ok", MERCHANT_OK, "{outcome: pass}"))
    code, out, err = cli(str(path))
    assert code == 0, err
    assert "✓ the example" in out
    assert SUMMARY.findall(out) == [("1", "0")]
    assert out.endswith("1 passed, 0 failed\n")
    assert err == ""


def test_cli_failure_prints_problems_diff_and_explanation(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_ok", "{deposit: 10, medal: A, rate: 3}",
                                      "{outcome: pass}"))
    code, out, _ = cli(str(path))
    assert code == 1
    assert "✗ the example" in out
    assert "outcome: expected pass, got fail" in out
    assert "-outcome: pass" in out and "+outcome: fail" in out
    assert "merchant_ok: FAIL" in out  # the explanation
    assert "gap: 2,990" in out
    assert SUMMARY.findall(out) == [("0", "1")]


def test_cli_explains_in_chinese(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_ok", "{deposit: 10, medal: A, rate: 3}",
                                      "{outcome: pass}"))
    code, out, _ = cli(str(path), "--lang", "zh")
    assert code == 1
    assert "merchant_ok：不通过" in out


def test_cli_ascii_marks_when_the_stream_cannot_encode_them(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_ok", MERCHANT_OK, "{outcome: pass}"))
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="replace")
    assert run(["test", str(path)], out, io.StringIO()) == 0
    out.flush()
    assert "  ok the example" in raw.getvalue().decode("ascii")


def test_cli_invalid_examples_file_exits_3_with_located_errors(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, one("merchant_ok", MERCHANT_OK, "{outcome: pass}",
                                      extra="fatcs: {}"))
    code, _, err = cli(str(path))
    assert code == 3
    m = LOCATED.search(err)
    assert m is not None
    assert (m["file"], m["line"], m["code"]) == (str(examples_file_of(path)), "7", "PR201")


def test_cli_invalid_ruleset_exits_3(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", RULESET.replace("check: medal >= A",
                                                          "check: medall >= A"))
    code, _, err = cli(str(path))
    assert code == 3
    m = LOCATED.search(err)
    assert m is not None and m["code"] == "PR301"


def test_cli_invalid_ruleset_wins_over_failures(tmp_path: Path) -> None:
    ruleset_with(tmp_path / "a", one("merchant_ok", "{deposit: 1, medal: A, rate: 3}",
                                     "{outcome: pass}"))
    write(tmp_path / "b", "broken.yaml", "id: [\n")
    code, out, _ = cli(str(tmp_path))
    assert code == 3
    assert SUMMARY.findall(out) == [("0", "1")]


def test_cli_help_goes_to_stdout() -> None:
    code, out, err = cli("--help")
    assert code == 0 and err == ""
    assert out.startswith("usage: promorules test") and "--min-coverage" in out


def test_cli_usage_errors_exit_3() -> None:
    assert cli()[0] == 3
    assert cli("x.yaml", "--min-coverage", "lots")[0] == 3


def test_cli_a_missing_file_exits_3(tmp_path: Path) -> None:
    code, _, err = cli(str(tmp_path / "nowhere.yaml"))
    assert code == 3 and "PR100" in err


def test_cli_coverage_table_and_min_coverage(tmp_path: Path) -> None:
    path = ruleset_with(tmp_path, HALF_COVERED, name="two.yaml", text=TWO_CHECKS)
    code, out, _ = cli(str(path), "--coverage")
    assert code == 0
    assert "coverage of two: 1/2 (50.0%)" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  both")]
    assert rows == [["both", "a_ok", "check", "yes", "yes"],
                    ["both", "b_ok", "check", "yes", "no", "<-", "not", "covered"]]
    assert cli(str(path), "--min-coverage", "50")[0] == 0
    code, out, _ = cli(str(path), "--min-coverage", "50.1")
    assert code == 1
    assert "coverage 50.0% is below --min-coverage 50.1%" in out
    assert "a_ok" not in out  # the table only with --coverage
    assert SUMMARY.findall(out) == [("2", "0")]


def test_directory_discovery(tmp_path: Path) -> None:
    first = ruleset_with(tmp_path / "rules", HALF_COVERED, name="two.yaml", text=TWO_CHECKS)
    second = ruleset_with(tmp_path / "rules" / "history", one(
        "merchant_ok", MERCHANT_OK, "{outcome: pass}"))
    write(tmp_path / "rules", "notes.txt", "not a ruleset")
    assert find_rulesets(tmp_path / "rules") == [second, first]
    assert find_rulesets(examples_file_of(first)) == [first]
    code, out, _ = cli(str(tmp_path / "rules"))
    assert code == 0
    assert out.index(str(second)) < out.index(str(first))
    assert SUMMARY.findall(out) == [("3", "0")]
    # a ruleset named twice (directly and through its directory) runs once
    code, out, _ = cli(str(first), str(tmp_path / "rules"), str(examples_file_of(first)))
    assert SUMMARY.findall(out) == [("3", "0")]


def test_cli_empty_directory_exits_3(tmp_path: Path) -> None:
    code, _, err = cli(str(tmp_path))
    assert code == 3 and "no rulesets" in err


SHIPPING = """\
id: ship
version: 1.0.0
title: {en: Shipping, zh: 运费}
timezone: Asia/Shanghai
sources:
  "002": {file: 002_demo.txt, title: Demo document}
facts:
  amount: {type: money, currency: CNY, min: 0, description: {en: Amount, zh: 金额}}
  gold: {type: boolean, description: {en: Gold member, zh: 金卡会员}}
  coupon: {type: boolean, description: {en: Coupon, zh: 优惠券}}
  items: {type: integer, min: 0, description: {en: Items, zh: 件数}}
  remote: {type: boolean, description: {en: Remote area, zh: 偏远地区}}
decisions:
  free_shipping:
    description: {en: Free shipping, zh: 包邮}
    source: "002 §1"
    any:
      - {id: big_order, description: {en: Big order, zh: 大额订单}, source: "002 §1",
         check: amount >= 99}
      - {id: gold_member, description: {en: Gold member, zh: 金卡会员}, source: "002 §1",
         check: gold}
      - {id: has_coupon, description: {en: Coupon, zh: 优惠券}, source: "002 §1",
         check: coupon}
  shipping:
    description: {en: Shipping level, zh: 运费等级}
    source: "002 §2"
    tiers:
      - id: free_standard
        description: {en: Free standard shipping, zh: 免费标准配送}
        source: "002 §2"
        TIER_RULE
      - id: free_express
        description: {en: Free express shipping, zh: 免费快递}
        source: "002 §2"
        all:
          - {id: standard_first, description: {en: Free standard, zh: 免费标准配送},
             source: "002 §2", tier: free_standard}
          - {id: many_items, description: {en: Many items, zh: 多件}, source: "002 §2",
             check: items >= 3}
          - {id: not_remote, description: {en: Not remote, zh: 非偏远}, source: "002 §2",
             check: not remote}
    default: paid
"""

SHIPPING_EXAMPLES = """\
ruleset: ship
examples:
  - name: paid
    decision: shipping
    facts: {amount: 10, gold: false, coupon: false, items: 5, remote: true}
    expect: {outcome: pass, value: paid}
  - name: big order, standard
    decision: shipping
    facts: {amount: 100, gold: false, coupon: false, items: 1, remote: false}
    expect: {outcome: pass, value: free_standard}
  - name: gold member, remote
    decision: shipping
    facts: {amount: 10, gold: true, coupon: false, items: 3, remote: true}
    expect: {outcome: pass, value: free_standard}
  - name: coupon, express
    decision: shipping
    facts: {amount: 10, gold: false, coupon: true, items: 3, remote: false}
    expect: {outcome: pass, value: free_express}
"""


@pytest.mark.parametrize("tier_rule", [
    "decision: free_shipping",  # the case: was 7/8 (87.5%), free_standard uncredited
    "all: [{id: wrapped, description: {en: Free, zh: 包邮}, source: \"002 §2\","
    " decision: free_shipping}]",
])
def test_coverage_credits_a_tier_written_as_a_decision_reference(
        tmp_path: Path, tier_rule: str) -> None:
    path = ruleset_with(tmp_path, SHIPPING_EXAMPLES, name="ship.yaml",
                        text=SHIPPING.replace("TIER_RULE", tier_rule))
    rs = promorules.load(path)
    cov = coverage(rs, run_examples(rs, load_examples(path)))
    items = {(i.decision, i.rule_id): i for i in cov.items}
    assert ("free_shipping", "free_standard") not in items
    standard = items["shipping", "free_standard"]
    assert standard.kind == "tier" and standard.outcomes == {"pass", "fail"}
    # the referenced decision's own checks are still credited to it
    assert items["free_shipping", "big_order"].outcomes == {"pass", "fail"}
    assert items["free_shipping", "has_coupon"].covered
    assert cov.uncovered == ()
    assert (cov.covered, cov.total, cov.percent) == (8, 8, 100.0)
    code, out, _ = cli(str(path), "--coverage", "--min-coverage", "100")
    assert code == 0 and "coverage of ship: 8/8 (100.0%)" in out
