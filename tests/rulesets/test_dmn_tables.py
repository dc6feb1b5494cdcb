"""Decision tables as complete as DMN (docs/format.md "Decision tables"): every hit policy,
aggregation, defaults, range / disjunction / not(...) cells, output value lists, several
typed outputs, computed outputs, the trace's matched and deciding rows, explanations, and
the static analysis (PR311, PR702) over numbers, ranges and cells naming other facts."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

import pytest

import promorules

HEAD = """\
id: dmn_inline
version: 1.0.0
title: {en: Inline, zh: 内联}
timezone: Asia/Shanghai
sources:
  "001": {file: 001_inline.txt, title: Inline}
facts:
  age: {type: integer, min: 0, max: 150, description: {en: Age, zh: 年龄}}
  years: {type: integer, min: 0, description: {en: Years of service, zh: 工龄}}
  risk: {type: enum, values: [High, Medium, Low], description: {en: Risk, zh: 风险}}
  affordable: {type: boolean, description: {en: Affordable, zh: 可负担}}
  other: {type: boolean, description: {en: Another boolean, zh: 另一个布尔}}
  loan: {type: money, currency: CNY, min: 0, description: {en: Loan, zh: 贷款}}
  name: {type: string, description: {en: Name, zh: 姓名}}
  score: {type: number, description: {en: Score, zh: 分数}}
  low: {type: number, description: {en: Low end, zh: 下限}}
  high: {type: number, description: {en: High end, zh: 上限}}
  day: {type: date, description: {en: Day, zh: 日期}}
decisions:
"""


def load(table: str, *, decision: str = "x") -> promorules.Ruleset:
    body = f"""\
{decision}:
  description: {{en: Table, zh: 表}}
  source: "001 §1"
  table:
{textwrap.indent(textwrap.dedent(table), "    ")}"""
    return promorules.loads(HEAD + textwrap.indent(body, "  "), source="inline.yaml")


def table_lints(rs: promorules.Ruleset) -> tuple[promorules.RulesetError, ...]:
    """The table analysis' warnings (the inline rulesets declare facts a table may not use)."""
    return tuple(w for w in rs.lint if w.code in ("PR311", "PR702"))


def errors_of(table: str) -> list[promorules.RulesetError]:
    with pytest.raises(promorules.RulesetError) as info:
        load(table)
    return list(info.value.errors) or [info.value]


PRIORITY = """\
hit_policy: priority
inputs: [age, risk]
output: {values: [Declined, Referred, Approved]}
rows:
  - {id: minor, when: ["< 18", "-"], then: Declined}
  - {id: risky, when: ["-", [High]], then: Referred}
  - {id: anyone, when: ["-", "-"], then: Approved}
"""


# -- hit policies ------------------------------------------------------------------------------


def test_priority_takes_the_highest_ranked_output_and_the_trace_says_which_rows() -> None:
    rs = load(PRIORITY)
    r = rs.evaluate("x", {"age": 16, "risk": "High"})
    assert (r.outcome, r.value) == ("pass", "Declined")
    assert r.trace.matched == ("minor", "risky", "anyone")
    assert r.trace.decided_by == ("minor",)
    data = r.to_dict()["trace"]
    assert data["matched"] == ["minor", "risky", "anyone"]
    assert data["decided_by"] == ["minor"]
    assert rs.evaluate("x", {"age": 30, "risk": "High"}).value == "Referred"
    assert rs.evaluate("x", {"age": 30, "risk": "Low"}).value == "Approved"


def test_priority_ranks_by_the_value_list_not_by_row_order() -> None:
    rs = load(PRIORITY.replace("[Declined, Referred, Approved]", "[Approved, Referred, Declined]"))
    r = rs.evaluate("x", {"age": 16, "risk": "High"})
    assert r.value == "Approved" and r.trace.decided_by == ("anyone",)


def test_output_order_rule_order_and_collect_list_the_matching_outputs() -> None:
    rows = """\
inputs: [years]
output: {values: [gold, silver, bronze]}
rows:
  - {id: one, when: [">= 1"], then: bronze}
  - {id: five, when: [">= 5"], then: gold}
  - {id: two, when: [">= 2"], then: silver}
"""
    ordered = load("hit_policy: output_order\n" + rows)
    r = ordered.evaluate("x", {"years": 6})
    assert r.value == ["gold", "silver", "bronze"]
    assert r.trace.decided_by == ("five", "two", "one")
    assert ordered.evaluate("x", {"years": 0}).value == []
    for policy in ("rule_order", "collect"):
        rs = load(f"hit_policy: {policy}\n" + rows)
        assert rs.evaluate("x", {"years": 6}).value == ["bronze", "gold", "silver"]
        assert rs.evaluate("x", {"years": 3}).value == ["bronze", "silver"]


def test_any_gives_the_agreed_output_and_fails_naming_two_rows_that_disagree() -> None:
    rs = load("""\
hit_policy: any
inputs: [age, affordable]
rows:
  - {id: adult, when: [">= 18", "-"], then: accept}
  - {id: afford, when: ["-", true], then: accept}
  - {id: minor_poor, when: ["< 18", false], then: refuse}
  - {id: baby, when: ["]0..5[", "-"], then: baby}
""")
    ok = rs.evaluate("x", {"age": 30, "affordable": True})
    assert (ok.outcome, ok.value) == ("pass", "accept")
    assert ok.trace.matched == ("adult", "afford") and ok.trace.decided_by == ("adult",)
    bad = rs.evaluate("x", {"age": 3, "affordable": True})
    assert (bad.outcome, bad.value) == ("fail", None)
    assert bad.trace.detail == ("rows afford and baby both match with different outputs "
                                "(hit policy any)")
    assert "afford" in bad.explain() and "baby" in bad.explain()
    assert "规则行 afford 与 baby 同时命中但输出不同" in bad.explain("zh")


def test_unique_violation_at_run_time_names_the_rows() -> None:
    # the overlap depends on the facts `low` and `high`: not certain at load
    rs = load("""\
hit_policy: unique
inputs: [score]
rows:
  - {id: inside, when: ["[low..high]"], then: in}
  - {id: above, when: ["> 10"], then: above}
""")
    assert table_lints(rs) == ()
    r = rs.evaluate("x", {"score": 12, "low": 0, "high": 20})
    assert r.outcome == "fail"
    assert r.trace.detail == "rows inside and above both match (hit policy unique)"
    assert r.trace.matched == ("inside", "above") and r.trace.decided_by == ()
    assert rs.evaluate("x", {"score": 12, "low": 0, "high": 11}).value == "above"


def test_first_stops_at_the_first_match_and_an_unknown_row_before_it_is_unknown() -> None:
    rs = load("""\
hit_policy: first
inputs: [score, age]
rows:
  - {id: a, when: ["> 5", "-"], then: {compute: "score * 2"}}
  - {id: b, when: ["-", ">= 18"], then: {compute: "score + 1"}}
""")
    r = rs.evaluate("x", {"score": 3, "age": 20})
    assert r.value == 4 and r.trace.decided_by == ("b",)
    assert rs.evaluate("x", {"score": 6, "age": 20}).value == 12
    unknown = rs.evaluate("x", {"age": 20})
    assert unknown.outcome == "unknown" and unknown.missing == ("score",)


@pytest.mark.parametrize(("aggregate", "expected", "none"), [
    ("sum", 600, None), ("min", 100, None), ("max", 300, None), ("count", 3, 0)])
def test_collect_aggregates_and_their_value_over_no_match(aggregate: str, expected: Any,
                                                          none: Any) -> None:
    rs = load(f"""\
hit_policy: collect
aggregate: {aggregate}
inputs: [years]
rows:
  - {{when: ["> 1"], then: 100}}
  - {{when: ["> 2"], then: 200}}
  - {{when: ["> 3"], then: 300}}
""")
    r = rs.evaluate("x", {"years": 6})
    assert (r.outcome, r.value) == ("pass", expected)
    nothing = rs.evaluate("x", {"years": 0})
    assert (nothing.outcome, nothing.value) == ("pass", none)  # null: outcome pass
    assert nothing.trace.matched == ()
    assert nothing.to_dict()["value"] == none


def test_sum_of_money_is_exact_and_in_cents() -> None:
    rs = load("""\
hit_policy: collect
aggregate: sum
inputs: [age]
output: {type: money, currency: CNY}
rows:
  - {when: ["-"], then: {compute: "round_half_up(loan * 0.1, 2)"}}
  - {when: [">= 60"], then: 0.05}
""")
    assert rs.evaluate("x", {"age": 70, "loan": "100.05"}).value == Decimal("10.06")


# -- defaults ----------------------------------------------------------------------------------


def test_a_collect_default_is_honoured_not_ignored() -> None:
    # regression: `default:` on a collect table was accepted and silently ignored
    rs = load("""\
hit_policy: collect
inputs: [years]
rows:
  - {when: ["> 1"], then: senior}
default: junior
""")
    assert rs.evaluate("x", {"years": 0}).value == ["junior"]
    assert rs.evaluate("x", {"years": 5}).value == ["senior"]


@pytest.mark.parametrize(("policy", "expected"), [
    ("unique", "none"), ("any", "none"), ("priority", "none"), ("first", "none"),
    ("output_order", ["none"]), ("rule_order", ["none"]), ("collect", ["none"])])
def test_every_policy_honours_its_default(policy: str, expected: Any) -> None:
    rs = load(f"""\
hit_policy: {policy}
inputs: [years]
output: {{values: [some, none]}}
rows:
  - {{when: ["> 1"], then: some}}
default: none
""")
    assert rs.evaluate("x", {"years": 0}).value == expected


def test_an_aggregate_default_replaces_null() -> None:
    rs = load("""\
hit_policy: collect
aggregate: max
inputs: [age, years]
rows:
  - {when: ["< 18, >= 60", "-"], then: 5}
  - {when: ["-", ">= 30"], then: 3}
  - {when: ["[45..60)", "-"], then: 2}
default: 0
""")
    assert rs.evaluate("x", {"age": 30, "years": 1}).value == 0
    assert rs.evaluate("x", {"age": 16, "years": 1}).value == 5
    assert rs.evaluate("x", {"age": 60, "years": 1}).value == 5  # `>= 60`
    assert rs.evaluate("x", {"age": 59, "years": 31}).value == 3
    assert rs.evaluate("x", {"age": 45, "years": 1}).value == 2


def test_no_match_without_a_default_fails_for_single_value_policies() -> None:
    rs = load(PRIORITY.replace('  - {id: anyone, when: ["-", "-"], then: Approved}\n', ""))
    r = rs.evaluate("x", {"age": 30, "risk": "Low"})
    assert (r.outcome, r.trace.detail) == ("fail", "no row matches")
    assert "没有规则行命中" in r.explain("zh")


# -- cells -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "inside", "outside"), [
    ("[18..65]", [18, 40, 65], [17, 66]),
    ("(18..65]", [19, 65], [18, 66]),
    ("]18..65]", [19, 65], [18]),
    ("[18..65)", [18, 64], [65]),
    ("[18..65[", [18, 64], [65]),
    ("]18..65[", [19, 64], [18, 65]),
    ("< 18, >= 60", [0, 17, 60, 99], [18, 59]),
    ("not(< 18, >= 60)", [18, 59], [17, 60]),
    ("not([1..5])", [0, 6], [1, 5]),
    ("[1..3], > 10", [1, 3, 11], [4, 10]),
    ("== 7, 9", [7, 9], [8]),
])
def test_range_disjunction_and_not_cells(cell: str, inside: list[int], outside: list[int]
                                         ) -> None:
    rs = load(f"""\
hit_policy: first
inputs: [age]
rows:
  - {{id: hit, when: ["{cell}"], then: yes}}
default: no
""")
    for age in inside:
        assert rs.evaluate("x", {"age": age}).value == "yes", (cell, age)
    for age in outside:
        assert rs.evaluate("x", {"age": age}).value == "no", (cell, age)


def test_range_end_points_may_be_facts_and_dates() -> None:
    rs = load("""\
hit_policy: first
inputs: [score, day]
rows:
  - {id: inside, when: ["[low..high]", "[2024-01-01..2024-12-31]"], then: yes}
default: no
""")
    facts = {"low": 1, "high": "2.5", "day": "2024-06-01"}
    assert rs.evaluate("x", {**facts, "score": "2.5"}).value == "yes"
    assert rs.evaluate("x", {**facts, "score": 3}).value == "no"
    assert rs.evaluate("x", {**facts, "score": 2, "day": "2025-01-01"}).value == "no"
    assert rs.evaluate("x", {"score": 2, "day": "2024-06-01", "low": 1}).outcome == "unknown"


def test_not_over_enum_values_and_a_literal_with_a_comma() -> None:
    rs = load("""\
hit_policy: first
inputs: [risk, name]
rows:
  - {id: calm, when: ["not(High, Medium)", "-"], then: calm}
  - {id: city, when: ["-", "New York, NY"], then: city}
default: other
""")
    assert rs.evaluate("x", {"risk": "Low", "name": "x"}).value == "calm"
    assert rs.evaluate("x", {"risk": "High", "name": "New York, NY"}).value == "city"
    assert rs.evaluate("x", {"risk": "Medium", "name": "x"}).value == "other"


@pytest.mark.parametrize(("cell", "code"), [
    ("[1..5", "PR323"), ("[1,5]", "PR323"), ("[..5]", "PR323"), ("not()", "PR323"),
    ("< 1,", "PR323"), ("= 5", "PR323"), ("[1..nope]", "PR301")])
def test_a_malformed_cell_is_a_located_load_error(cell: str, code: str) -> None:
    errors = errors_of(f"""\
hit_policy: first
inputs: [age]
rows:
  - {{when: ["{cell}"], then: a}}
""")
    assert errors[0].code == code, errors[0].format()
    assert errors[0].path[-3:] == ("rows", 0, "when") or errors[0].path[-4:-1] == (
        "rows", 0, "when")


# -- outputs -----------------------------------------------------------------------------------


APPROVAL = """\
hit_policy: unique
inputs: [age, risk, affordable]
outputs:
  status: {type: string, values: [Approved, Declined]}
  rate: {type: string, values: [Best, Standard]}
  fee: {type: money, currency: CNY}
rows:
  - id: good
    when: [">= 18", [Medium, Low], true]
    then: {status: Approved, rate: Best, fee: {compute: "round_half_up(loan * 0.01, 2)"}}
  - id: high
    when: [">= 18", High, true]
    then: {status: Approved, rate: Standard, fee: 0}
  - id: minor
    when: ["< 18", "-", "-"]
    then: {status: Declined, rate: Standard, fee: 0}
  - id: poor
    when: [">= 18", "-", false]
    then: {status: Declined, rate: Standard, fee: 0}
"""


def test_several_typed_outputs_give_a_mapping_with_computed_money() -> None:
    rs = load(APPROVAL)
    assert table_lints(rs) == ()
    r = rs.evaluate("x", {"age": 30, "risk": "Low", "affordable": True, "loan": "1000.50"})
    assert r.value == {"status": "Approved", "rate": "Best", "fee": Decimal("10.01")}
    (good,) = [c for c in r.trace.children if c.rule_id == "good"]
    assert good.value == {"status": "Approved", "rate": "Best", "fee": Decimal("10.01")}
    (fee,) = good.children
    assert fee.detail == "round_half_up(1,000.50 × 0.01, 2) = 10.01"
    assert r.to_dict()["value"] == {"status": "Approved", "rate": "Best", "fee": "10.01"}
    minor = rs.evaluate("x", {"age": 10, "risk": "Low", "affordable": True})
    assert minor.value == {"status": "Declined", "rate": "Standard", "fee": 0}


def test_a_multi_output_default_leaves_unlisted_columns_null() -> None:
    rs = load(APPROVAL.replace("hit_policy: unique", "hit_policy: first")
              + "default: {status: Declined}\n")
    # a matching row whose computed output needs a missing fact is unknown
    r = rs.evaluate("x", {"age": 30, "risk": "Low", "affordable": True})
    assert r.outcome == "unknown"  # the fee needs the loan
    rs2 = load(APPROVAL.replace('  - id: poor\n    when: [">= 18", "-", false]\n'
                                '    then: {status: Declined, rate: Standard, fee: 0}\n', "")
               + "default: {status: Declined}\n")
    r2 = rs2.evaluate("x", {"age": 30, "risk": "Low", "affordable": False})
    assert r2.value == {"status": "Declined", "rate": None, "fee": None}


def test_output_lists_apply_to_outputs_of_every_row_and_the_default() -> None:
    rows = APPROVAL.replace("rate: Best, fee: {compute", "rate: Cheap, fee: {compute")
    (error,) = errors_of(rows)
    assert error.code == "PR321"
    assert "'Cheap' is not one of the values of output 'rate' (Best, Standard)" in error.message
    (error,) = errors_of(PRIORITY + "default: Maybe\n")
    assert error.code == "PR321" and error.path[-1] == "default"


def test_a_computed_output_outside_its_list_fails_at_evaluation() -> None:
    rs = load("""\
hit_policy: unique
inputs: [risk]
output: {values: [Ann, Bob]}
rows:
  - {id: named, when: ["-"], then: {compute: name}}
""")
    assert rs.evaluate("x", {"risk": "Low", "name": "Ann"}).value == "Ann"
    r = rs.evaluate("x", {"risk": "Low", "name": "Eve"})
    assert (r.outcome, r.value) == ("fail", None)
    assert r.trace.detail == "row named gives Eve, not one of the values of the output (Ann, Bob)"
    assert "规则行 named 得出 Eve，不在输出的取值（Ann, Bob）之内" in r.explain("zh")


def test_text_concatenation_with_plus_and_concat() -> None:
    rs = load("""\
hit_policy: first
inputs: [risk]
rows:
  - {when: ["not(High)"], then: {compute: "name + ' (ok)'"}}
  - {when: ["-"], then: {compute: "concat('risky ', name, '!')"}}
""")
    assert rs.evaluate("x", {"risk": "Low", "name": "Bo"}).value == "Bo (ok)"
    assert rs.evaluate("x", {"risk": "High", "name": "Al"}).value == "risky Al!"
    assert rs.evaluate("x", {"risk": "High"}).outcome == "unknown"


@pytest.mark.parametrize(("table", "code", "words"), [
    (PRIORITY.replace("output: {values: [Declined, Referred, Approved]}\n", ""), "PR322",
     "ranks rows by the output's value list"),
    ("hit_policy: first\naggregate: sum\ninputs: [age]\nrows:\n  - {when: ['-'], then: 1}\n",
     "PR322", "'aggregate' goes with hit_policy collect"),
    ("hit_policy: collect\naggregate: sum\ninputs: [age]\nrows:\n  - {when: ['-'], then: a}\n",
     "PR322", "aggregate sum needs outputs that are number or money"),
    (APPROVAL.replace("then: {status: Approved, rate: Standard, fee: 0}",
                      "then: {status: Approved, rate: Standard}"), "PR320", "missing fee"),
    (APPROVAL.replace("fee: {type: money, currency: CNY}", "fee: {type: money}"), "PR320",
     "needs a currency"),
    ("hit_policy: first\ninputs: [age]\noutput: {type: number}\nrows:\n"
     "  - {when: ['-'], then: a}\n", "PR320", "is not a number"),
    ("hit_policy: first\ninputs: [age]\nrows:\n  - {when: ['-'], then: {compute: 'name + 1'}}\n",
     "PR401", "needs numbers or money"),
])
def test_table_declarations_that_do_not_hold_are_load_errors(table: str, code: str,
                                                             words: str) -> None:
    errors = errors_of(table)
    assert any(e.code == code and words in e.message for e in errors), [
        e.format() for e in errors]


# -- static analysis -------------------------------------------------------------------------


def test_pr311_finds_overlapping_ranges_and_names_an_input() -> None:
    (error,) = errors_of("""\
hit_policy: unique
inputs: [age]
rows:
  - {id: young, when: ["[0..18]"], then: a}
  - {id: adult, when: ["[18..65)"], then: b}
  - {id: old, when: [">= 65"], then: c}
""")
    assert error.code == "PR311"
    assert "rows 'young' and 'adult' both match age = 18:" in error.message


def test_pr702_finds_the_gap_between_ranges_and_none_when_they_meet() -> None:
    rs = load("""\
hit_policy: unique
inputs: [score]
rows:
  - {id: low, when: ["< 10"], then: a}
  - {id: high, when: ["(10..100]"], then: b}
""")
    (lint,) = table_lints(rs)
    assert lint.code == "PR702"
    assert lint.message.startswith("no row covers score = 10; score = 101; score = 102:")
    meets = load("""\
hit_policy: unique
inputs: [score]
rows:
  - {id: low, when: ["< 10"], then: a}
  - {id: high, when: [">= 10"], then: b}
""")
    assert table_lints(meets) == ()


def test_integer_facts_are_analysed_on_whole_numbers() -> None:
    # age is an integer: `<= 17` and `>= 18` leave no gap (17.5 is not an age)
    rs = load("""\
hit_policy: unique
inputs: [age]
rows:
  - {when: ["<= 17"], then: a}
  - {when: [">= 18"], then: b}
""")
    assert table_lints(rs) == ()


def test_no_false_pr702_for_rows_equal_and_unequal_to_another_boolean() -> None:
    # the defect: `== other` / `!= other` was read as a literal matching nothing
    rs = load("""\
hit_policy: unique
inputs: [affordable]
rows:
  - {id: same, when: ["== other"], then: same}
  - {id: differ, when: ["!= other"], then: different}
""")
    assert table_lints(rs) == ()
    assert rs.evaluate("x", {"affordable": True, "other": True}).value == "same"
    assert rs.evaluate("x", {"affordable": True, "other": False}).value == "different"


def test_ranges_on_facts_support_no_false_claims_but_certain_overlaps_are_found() -> None:
    ok = load("""\
hit_policy: unique
inputs: [score]
rows:
  - {id: inside, when: ["[low..high]"], then: in}
  - {id: below, when: ["< low"], then: below}
  - {id: above, when: ["> high"], then: above}
""")
    assert table_lints(ok) == ()  # covered whatever low and high are (when low <= high)
    # beside a row on facts, two rows that certainly overlap are still found
    (error,) = errors_of("""\
hit_policy: unique
inputs: [score, affordable]
rows:
  - {id: inside, when: ["[low..high]", true], then: in}
  - {id: five_up, when: [">= 5", false], then: a}
  - {id: to_ten, when: ["[0..10]", false], then: b}
""")
    assert error.code == "PR311"
    assert "rows 'five_up' and 'to_ten' both match score = 5, affordable = false" in (
        error.message)


def test_the_shipped_rulesets_still_load_without_table_lints() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "rulesets"
    for path in sorted(p for p in root.glob("*.yaml") if not p.name.endswith(".test.yaml")):
        rs = promorules.load(path)
        assert not [w for w in table_lints(rs) if w.code in ("PR311", "PR702")], path.name


# -- explanations, docs, diff --------------------------------------------------------------------


def test_explanations_name_the_matched_and_deciding_rows_in_english_and_chinese() -> None:
    r = load(PRIORITY).evaluate("x", {"age": 16, "risk": "High"})
    assert "rows matched: minor, risky, anyone; decided by: minor" in r.explain()
    assert "命中的规则行：minor、risky、anyone；决定结果的行：minor" in r.explain("zh")
    assert "命中的規則行：minor、risky、anyone；決定結果的行：minor" in r.explain("zh-Hant")
    none = load(PRIORITY.replace('  - {id: anyone, when: ["-", "-"], then: Approved}\n', "")
                + "default: Approved\n").evaluate("x", {"age": 30, "risk": "Low"})
    assert "no row matched" in none.explain()


def test_policy_sheet_and_summary_show_the_new_cells_and_outputs() -> None:
    from promorules.wording import cell_text, spec_text

    rs = load(APPROVAL)
    table = rs.ir.decisions["x"].value
    assert spec_text(table) == ("table (unique) on age, risk, affordable -> status in "
                                "[Approved, Declined], rate in [Best, Standard], fee: 4 rows")
    rs2 = load("""\
hit_policy: first
inputs: [age]
rows:
  - {when: ["]0..5["], then: a}
  - {when: ["< 18, >= 60"], then: b}
  - {when: ["not([1..5])"], then: c}
""")
    cells = [cell_text(r.cells[0]) for r in rs2.ir.decisions["x"].value.rows]
    assert cells == ["(0..5)", "< 18, >= 60", "not([1..5])"]
    from promorules.policy_docs import render_markdown

    text = render_markdown(rs)
    assert "= round_half_up(loan * 0.01, 2)" in text
    assert "Output status: one of" in text


def test_semantic_diff_sees_a_changed_value_list_and_a_changed_formula() -> None:
    from promorules.diff import format_changes, semantic_diff

    a = load(APPROVAL)
    b = load(APPROVAL.replace("values: [Best, Standard]", "values: [Standard, Best]")
             .replace("loan * 0.01", "loan * 0.02"))
    text = format_changes(semantic_diff(a, b), a, b)
    assert "outputs" in text and "loan * 0.02" in text


# -- the reference in docs/format.md runs as written ---------------------------------------------

DOC_FACTS = """\
id: doc_tables
version: 1.0.0
title: {en: Doc, zh: 文档}
timezone: Asia/Shanghai
sources:
  "001": {file: 001_doc.txt, title: Doc}
facts:
  brand_profile: {type: enum, values: [well_known, high_end, small_medium, long_tail]}
  age: {type: integer, min: 0}
  risk_category: {type: enum, values: [High, Medium, Low]}
  order_total: {type: money, currency: CNY}
  has_guarantor: {type: boolean}
  years_of_service: {type: integer, min: 0}
  is_affordable: {type: boolean}
  loan_amount: {type: money, currency: CNY}
decisions:
"""


def _doc_tables() -> promorules.Ruleset:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "format.md").read_text("utf-8")
    section = text[text.index("### Decision tables"):text.index("### Splitting an amount")]
    blocks = [b for b in section.split("```yaml\n")[1:]]
    decisions = [b[:b.index("```")] for b in blocks]
    decisions = [d for d in decisions if d.startswith("  ") and not d.startswith("      ")]
    assert len(decisions) == 6
    return promorules.loads(DOC_FACTS + "".join(decisions), source="format.md")


def test_the_format_reference_examples_load_and_give_what_the_text_says() -> None:
    rs = _doc_tables()
    assert table_lints(rs) == ()
    status = rs.evaluate("loan_status", {"age": 16, "risk_category": "High"})
    assert status.value == "Declined"
    assert status.trace.matched == ("row_1", "row_2", "row_3")
    assert status.trace.decided_by == ("row_1",)
    assert rs.evaluate("applicable_discounts", {"order_total": 600}).value == [
        "gold", "silver", "bronze"]
    assert rs.evaluate("applicable_discounts", {"order_total": 50}).value == []
    risk = rs.evaluate("risk_answer", {"age": 30, "has_guarantor": True})
    assert risk.value == "accept" and risk.trace.matched == ("row_1", "row_2")
    assert rs.evaluate("extra_vacation_days", {"age": 30, "years_of_service": 2}).value == 0
    assert rs.evaluate("extra_vacation_days", {"age": 50, "years_of_service": 2}).value == 2
    approval = rs.evaluate("approval", {"age": 30, "risk_category": "Low",
                                        "is_affordable": True, "loan_amount": 1000})
    assert approval.value == {"status": "Approved", "rate": "Best", "fee": Decimal("10.00")}
    text = status.explain()
    assert "rows matched: row_1, row_2, row_3; decided by: row_1" in text


# -- the testing kit and the durable backend -----------------------------------------------------


def test_range_ends_are_thresholds_and_boundaries_of_the_testing_kit() -> None:
    from promorules.testing import boundaries, check_case, thresholds

    rs = load("""\
hit_policy: first
inputs: [age]
rows:
  - {id: middle, when: ["(18..65]"], then: a}
default: b
""")
    found = {(t.op, t.value) for t in thresholds(rs, "x") if t.fact == "age"}
    assert found == {(">", 18), ("<=", 65)}
    ages = {b.facts["age"] for b in boundaries(rs, "x")}
    assert ages == {17, 18, 19, 64, 65, 66}
    for b in boundaries(rs, "x"):
        expected = "a" if 18 < b.facts["age"] <= 65 else "b"
        assert rs.evaluate("x", b.facts).value == expected
        check_case(rs, "x", b.facts)


def test_the_durable_backend_refuses_a_table_clearly() -> None:
    pytest.importorskip("durable")
    from promorules.backends import durable

    rs = load(PRIORITY)
    with pytest.raises(promorules.PromorulesError, match="PR811"):
        durable.compile(rs, "x")
