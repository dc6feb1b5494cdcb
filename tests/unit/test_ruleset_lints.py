"""The whole-ruleset lints (PR720-PR725): unused facts, parameters and lists, the schema
comment line, and the unit algebra of + - and comparisons. Each is a warning: the ruleset
loads, ``Ruleset.lint`` lists it with line, column and a hint, and ``promorules check``
prints it as ``warning:`` and exits 0."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

import promorules
from promorules.cli import run
from promorules.loader import parse_yaml, schema_comment

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (ROOT / "rulesets").glob("*.yaml")
                 if not p.name.endswith(".test.yaml"))
COMMENT = "# yaml-language-server: $schema=../schema/ruleset.schema.json\n"

HEAD = """\
id: lint
version: 1.0.0
title: {en: Lint, zh: 检查}
timezone: Asia/Shanghai
sources: {"001": {file: 001.txt, title: Rules}}
facts:
  item_count: {type: integer}
  order_amount: {type: money, currency: CNY}
  order_usd: {type: money, currency: USD}
  rate_pct: {type: percent}
  days_open: {type: integer, unit: days}
  score: {type: number, unit: points}
  plain: {type: number}
params:
  min_fee: {type: money, currency: CNY, default: 5}
  floor: {type: number, default: 1}
  ceiling: {type: number, default: 9, min: floor}
lists:
  vips: {items: [a, b]}
"""


def ruleset(*checks: str, head: str = HEAD, source: str = "lint.yaml") -> promorules.Ruleset:
    rules = "".join(
        f"      - {{id: r{i}, description: {{en: R, zh: 规}}, source: \"001 §1\", "
        f"check: \"{check}\"}}\n" for i, check in enumerate(checks))
    text = head + ("decisions:\n  d:\n    description: {en: D, zh: 决}\n"
                   "    source: \"001 §1\"\n    all:\n" + rules)
    return promorules.loads(text, source=source)


def codes(rs: promorules.Ruleset, prefix: str = "PR72") -> list[str]:
    return [w.code for w in rs.lint if w.code.startswith(prefix)]


def unit_warnings(*checks: str) -> list[promorules.RulesetError]:
    return [w for w in ruleset(*checks).lint if w.code in ("PR724", "PR725")]


# -- unused declarations ---------------------------------------------------------------------


def test_unused_fact_param_and_list_are_warned_at_their_declaration() -> None:
    rs = ruleset("item_count >= 1")
    found = {(w.code, w.path, w.line, w.column) for w in rs.lint}
    lines = HEAD.splitlines()
    for code, section, name in [("PR720", "facts", "order_amount"), ("PR720", "facts", "plain"),
                                ("PR721", "params", "min_fee"), ("PR721", "params", "ceiling"),
                                ("PR722", "lists", "vips")]:
        line = next(i for i, text in enumerate(lines, 1) if text.startswith(f"  {name}:"))
        assert (code, (section, name), line, 3) in found
    unused_fact = next(w for w in rs.lint if w.path == ("facts", "plain"))
    assert unused_fact.message == ("fact 'plain' is declared but no decision uses it (remove "
                                   "it, or write the rule that reads it)")
    # item_count is read; floor is the bound of ceiling (unused itself)
    assert {("facts", "item_count"), ("params", "floor")}.isdisjoint(w.path for w in rs.lint)


def test_a_parameter_named_as_another_ones_bound_is_used() -> None:
    rs = ruleset("ceiling > 0")
    unused = {w.path[1] for w in rs.lint if w.code == "PR721"}
    assert unused == {"min_fee"}  # floor bounds ceiling, which a rule reads


def test_every_kind_of_use_counts() -> None:
    text = HEAD + textwrap.dedent("""\
        decisions:
          v:
            description: {en: V, zh: 值}
            source: "001 §1"
            type: money
            currency: CNY
            requires:
              - {id: q, description: {en: Q, zh: 问}, source: "001 §1", check: item_count > 0}
            cases:
              - when: "'a' in vips and rate_pct > 1"
                compute: order_amount + min_fee
            default_compute: min_fee * (1 + plain * 0 + floor * 0 + ceiling * 0)
            round: {places: 2, mode: half_up}
        """)
    rs = promorules.loads(text.replace("  order_usd: {type: money, currency: USD}\n", "")
                          .replace("  days_open: {type: integer, unit: days}\n", "")
                          .replace("  score: {type: number, unit: points}\n", ""))
    assert codes(rs) == []


def test_unused_reason_silences_pr720() -> None:
    head = HEAD.replace("plain: {type: number}",
                        "plain: {type: number, unused: callers send it by contract}")
    rs = ruleset("item_count + days_open >= 0 and score > 0 and order_usd > 0 and rate_pct > 0",
                 "order_amount > min_fee and ceiling > 0 and 'a' in vips", head=head)
    assert codes(rs) == []
    assert rs.model.facts["plain"].unused == "callers send it by contract"


# -- the schema comment ----------------------------------------------------------------------


def test_loader_exposes_the_schema_comment() -> None:
    assert parse_yaml(COMMENT + "id: x\n").schema_comment == "../schema/ruleset.schema.json"
    assert parse_yaml("# a title\n\n" + COMMENT + "id: x\n").schema_comment is not None
    assert parse_yaml("id: x\n" + COMMENT).schema_comment is None  # after the content
    assert parse_yaml("id: x\n").schema_comment is None
    assert schema_comment("#yaml-language-server:  $schema=https://x/s.json\nid: x") == (
        "https://x/s.json")


def test_a_file_without_the_schema_comment_is_warned(tmp_path: Path) -> None:
    text = warning_source()
    bare, commented = tmp_path / "bare.yaml", tmp_path / "commented.yaml"
    bare.write_text(text, encoding="utf-8")
    commented.write_text(COMMENT + text, encoding="utf-8")
    (warning,) = [w for w in promorules.load(bare).lint if w.code == "PR723"]
    assert (warning.line, warning.column) == (1, 1)
    assert "add '# yaml-language-server: $schema=../schema/ruleset.schema.json'" in (
        warning.message)
    assert codes(promorules.load(commented), "PR723") == []
    assert codes(promorules.loads(text), "PR723") == []  # text, not a file: no line to add


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_rulesets_carry_the_comment_and_no_pr72x_warning(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith(COMMENT)
    assert codes(promorules.load(path)) == []


# -- units ---------------------------------------------------------------------------------------


def test_count_plus_money_is_warned_where_the_operator_stands() -> None:
    (warning,) = unit_warnings("item_count + order_amount >= 2")
    assert warning.code == "PR724"
    assert warning.message.startswith(
        "'item_count + order_amount >= 2' adds money (CNY) (order_amount) to a plain number "
        "(item_count) (the two sides need the same unit")
    line = next(i for i, t in enumerate(warning_source().splitlines(), 1) if "r0," in t)
    assert warning.line == line
    row = warning_source().splitlines()[line - 1]
    assert row[warning.column - 1] == "+"
    assert warning.path == ("decisions", "d", "all", 0, "check")


def warning_source() -> str:
    return HEAD + "decisions:\n  d:\n    description: {en: D, zh: 决}\n    source: \"001 §1\"\n" \
        "    all:\n      - {id: r0, description: {en: R, zh: 规}, source: \"001 §1\", " \
        "check: \"item_count + order_amount >= 2\"}\n"


@pytest.mark.parametrize(("check", "code", "words"), [
    ("rate_pct >= order_amount", "PR725", "compares percent (rate_pct) with money (CNY)"),
    ("order_amount - plain > 0", "PR724", "subtracts a plain number (plain) from money"),
    ("days_open + score > 3", "PR724", "adds points (score) to days (days_open)"),
    ("max(order_amount, rate_pct) > 1", "PR724", "takes the max of money (CNY)"),
    ("rate_pct between 1 and min_fee", "PR725", "compares percent (rate_pct) with money"),
    ("-plain + rate_pct > 0", "PR724", "adds percent (rate_pct) to a plain number"),
    ("round_half_up(order_amount, 2) > rate_pct", "PR725", "compares money (CNY)"),
])
def test_incompatible_units_are_warned(check: str, code: str, words: str) -> None:
    (warning,) = unit_warnings(check)
    assert warning.code == code
    assert words in warning.message


def test_percent_against_money_hints_at_applying_the_rate() -> None:
    (warning,) = unit_warnings("rate_pct >= order_amount")
    assert "(apply a percent to an amount with amount * pct / 100)" in warning.message


@pytest.mark.parametrize("check", [
    "order_amount + 100 >= min_fee",              # literals take the other side's unit
    "order_amount * rate_pct / 100 >= min_fee",   # percent only scales
    "order_amount / 3 >= min_fee",
    "order_amount / order_usd > 2",               # an exchange rate: a unit of its own
    "order_amount / min_fee * 100 >= rate_pct",   # money / money is a pure ratio
    "item_count * 2 + plain > 0",                  # plain numbers agree
    "days_open + plain >= 30",                     # a plain number agrees with a unit
    "min(days_open, 30) + plain > 0",
    "abs(order_amount - min_fee) > 1",
    "item_count * order_amount >= min_fee",        # count × money is money
])
def test_compatible_units_are_not_warned(check: str) -> None:
    assert unit_warnings(check) == []


def test_a_value_decision_carries_its_declared_unit() -> None:
    text = HEAD + textwrap.dedent("""\
        decisions:
          fee:
            description: {en: Fee, zh: 费}
            source: "001 §1"
            type: money
            currency: CNY
            compute: order_amount * rate_pct / 100
            round: {places: 2, mode: half_up}
          ok:
            description: {en: Ok, zh: 好}
            source: "001 §1"
            all:
              - {id: a, description: {en: A, zh: 甲}, source: "001 §1", check: fee >= min_fee}
              - {id: b, description: {en: B, zh: 乙}, source: "001 §1", check: fee >= item_count}
        """)
    rs = promorules.loads(text)
    (warning,) = [w for w in rs.lint if w.code == "PR725"]
    assert "'fee >= item_count' compares money (CNY) (fee) with a plain number" in (
        warning.message)


# -- the CLI ---------------------------------------------------------------------------------------


def test_check_prints_each_warning_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(warning_source(), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(["check", str(path)], out, err, io.StringIO()) == 0
    lines = err.getvalue().splitlines()
    assert f"{path}:1:1: PR723 warning: the file has no schema comment" in lines[0]
    assert any(": PR724 warning: 'item_count + order_amount >= 2' adds" in x for x in lines)
    assert any(": PR720 warning: fact 'rate_pct' is declared" in x for x in lines)
    assert out.getvalue() == f"{path}: ok ({len(lines)} warnings)\n"
