"""promorules.testing: fact strategies, boundaries, check_ruleset, and the pytest plugin."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

import promorules
import shipped_rulesets
from promorules import ir
from promorules.testing import Boundary, boundaries, check_case, check_ruleset, facts

ROOT = Path(__file__).resolve().parents[2]
RS = shipped_rulesets.load("1688_spring")
AS_OF = "2024-03-01T12:00:00+08:00"

SMALL = textwrap.dedent("""\
    id: kit_demo
    version: 1.0.0
    title: {en: Kit demo, zh: 測試}
    timezone: Asia/Shanghai
    sources:
      "001": {file: demo.txt, title: Demo}
    facts:
      deposit: {type: money, currency: CNY, min: 0}
      orders: {type: integer, min: 0}
      score: {type: number, min: 0, max: 5, step: 0.1}
      level: {type: ordinal, values: [none, A, AA]}
      verified: {type: boolean}
      opened_on: {type: date}
    decisions:
      eligible:
        description: {en: Eligible, zh: 合格}
        all:
          - {id: deposit_ok, description: {en: D, zh: D}, source: "001 §1",
             check: deposit >= 3000}
          - {id: orders_ok, description: {en: O, zh: O}, source: "001 §2",
             check: orders between 10 and 500}
          - id: either
            description: {en: E, zh: E}
            source: "001 §3"
            any:
              - {id: score_ok, description: {en: S, zh: S}, source: "001 §3",
                 check: score > 4.5}
              - {id: level_ok, description: {en: L, zh: L}, source: "001 §3",
                 check: level >= AA}
          - {id: verified_ok, description: {en: V, zh: V}, source: "001 §4",
             check: verified, applies_when: deposit < 100000}
          - {id: opened_ok, description: {en: T, zh: T}, source: "001 §5",
             check: opened_on < 2024-01-01}
      gold:
        description: {en: Gold, zh: 金}
        all:
          - {id: base, description: {en: B, zh: B}, source: "001 §6", decision: eligible}
          - {id: big_deposit, description: {en: G, zh: G}, source: "001 §6",
             check: deposit >= 50000}
    """)


@pytest.fixture(scope="module")
def small() -> promorules.Ruleset:
    return promorules.loads(SMALL, source="kit_demo.yaml")


# -- facts() -----------------------------------------------------------------------------


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(f=facts(RS, "registration"))
def test_facts_are_valid(f: dict[str, Any]) -> None:
    # a FactError would fail the test: every drawn fact set is valid
    RS.evaluate("registration", f, as_of=AS_OF)


@settings(max_examples=100)
@given(f=facts(RS, "merchant_eligibility", near_thresholds=False))
def test_facts_without_thresholds_are_valid(f: dict[str, Any]) -> None:
    RS.evaluate("merchant_eligibility", f, as_of=AS_OF)


def test_facts_are_typed_as_declared(small: promorules.Ruleset) -> None:
    drawn: list[dict[str, Any]] = []

    @seed(1)
    @settings(max_examples=200, database=None, phases=[Phase.generate])
    @given(f=facts(small, "eligible"))
    def collect(f: dict[str, Any]) -> None:
        drawn.append(f)

    collect()
    deposits = [f["deposit"] for f in drawn if f.get("deposit") is not None]
    assert deposits and all(isinstance(d, str) for d in deposits)  # money: decimal strings
    assert all(isinstance(f["orders"], int) for f in drawn if f.get("orders") is not None)
    assert {f["level"] for f in drawn if f.get("level") is not None} <= {"none", "A", "AA"}
    assert any("deposit" not in f or f["deposit"] is None for f in drawn)  # absent sometimes


def test_near_thresholds_hits_the_exact_values() -> None:
    seen: dict[str, set[Decimal]] = {"buyer_protection_deposit": set(),
                                     "violation_points_year": set()}

    @seed(20240301)
    @settings(max_examples=300, database=None, phases=[Phase.generate])
    @given(f=facts(RS, "merchant_eligibility"))
    def collect(f: dict[str, Any]) -> None:
        for name, values in seen.items():
            if f.get(name) is not None:
                values.add(Decimal(str(f[name])))

    collect()
    assert {Decimal("2999.99"), Decimal("3000"), Decimal("3000.01")} <= seen[
        "buyer_protection_deposit"]
    assert {Decimal("35.99"), Decimal("36"), Decimal("36.01")} <= seen["violation_points_year"]


# -- boundaries() ------------------------------------------------------------------------


def test_boundaries_of_merchant_eligibility() -> None:
    found = {(b.rule_id, b.side): b for b in boundaries(RS, "merchant_eligibility")}
    at, below, above = (found[("deposit", s)] for s in ("at", "below", "above"))
    assert (at.value, below.value, above.value) == (3000, Decimal("2999.99"),
                                                    Decimal("3000.01"))
    assert below.facts == {"buyer_protection_deposit": "2999.99"}
    assert at.fact == "buyer_protection_deposit"
    assert RS.evaluate("merchant_eligibility", below.facts).failed_rule_ids == ("deposit",)
    for b in (at, above):
        assert "deposit" not in RS.evaluate("merchant_eligibility", b.facts).failed_rule_ids
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        at.side = "below"  # type: ignore[misc]


def test_boundaries_use_each_facts_precision(small: promorules.Ruleset) -> None:
    got: dict[tuple[str, str, str], list[Any]] = {}
    for b in boundaries(small, "gold"):
        got.setdefault((b.rule_id, b.fact, b.side), []).append(b.facts[b.fact])
    assert got[("orders_ok", "orders", "below")] == [9, 499]  # integers: 1; both ends
    assert got[("orders_ok", "orders", "above")] == [11, 501]
    assert got[("score_ok", "score", "above")] == ["4.6"]  # the declared step
    assert got[("opened_ok", "opened_on", "below")] == ["2023-12-31"]  # dates: a day
    # applies_when thresholds and referenced decisions count too
    assert got[("verified_ok", "deposit", "at")] == ["100000"]
    assert got[("big_deposit", "deposit", "below")] == ["49999.99"]
    assert got[("deposit_ok", "deposit", "above")] == ["3000.01"]


def test_boundaries_stay_in_the_declared_range() -> None:
    text = SMALL.replace("check: score > 4.5", "check: score <= 5")
    rs = promorules.loads(text)
    sides = {b.side for b in boundaries(rs, "eligible") if b.fact == "score"}
    assert sides == {"below", "at"}  # 5.1 is above max: 5


def test_boundary_is_a_frozen_attrs_class() -> None:
    b = Boundary("deposit", "buyer_protection_deposit", 3000, "at",
                 {"buyer_protection_deposit": "3000"})
    assert attrs.has(Boundary) and b.side == "at"


# -- check_ruleset -----------------------------------------------------------------------


def test_check_ruleset_passes_on_a_sound_ruleset(small: promorules.Ruleset) -> None:
    check_ruleset(small, max_examples=50)


def _broken_copy(rs: promorules.Ruleset, decision: str, run: Any) -> promorules.Ruleset:
    """A copy of ``rs`` whose ``decision`` runs ``run`` instead of its compiled function."""
    compiled = dict(rs.decisions)
    compiled[decision] = attrs.evolve(compiled[decision], run=run)
    return promorules.Ruleset(rs.model, compiled, rs.lint, rs.digest, rs.text)


def test_check_ruleset_finds_a_group_that_is_not_kleene(small: promorules.Ruleset) -> None:
    original = small.decisions["eligible"].run

    def lying(facts: Any, as_of: Any) -> tuple[Any, ...]:
        record = original(facts, as_of)
        if record.outcome is False:  # a failed decision reported as passed
            return record._replace(outcome=True)
        return record

    broken = _broken_copy(small, "eligible", lying)
    with pytest.raises(AssertionError, match=r"Kleene violation in rule 'eligible'"):
        check_ruleset(broken, max_examples=50, decisions=["eligible"])


def test_check_ruleset_finds_nondeterminism(small: promorules.Ruleset) -> None:
    original = small.decisions["eligible"].run
    calls = [0]

    def flaky(facts: Any, as_of: Any) -> tuple[Any, ...]:
        calls[0] += 1
        record = original(facts, as_of)
        return record._replace(outcome=None) if calls[0] % 2 == 0 else record

    broken = _broken_copy(small, "eligible", flaky)
    with pytest.raises(AssertionError, match=r"two evaluations differ.*decision 'eligible'"):
        check_case(broken, "eligible", {"deposit": "100"}, AS_OF)


def test_check_ruleset_finds_an_error_on_valid_facts(small: promorules.Ruleset) -> None:
    def raising(facts: Any, as_of: Any) -> tuple[Any, ...]:
        raise promorules.FactError("boom", code="PR601", fact="deposit")

    broken = _broken_copy(small, "eligible", raising)
    with pytest.raises(AssertionError, match=r"raised FactError PR601 boom for valid facts"):
        check_ruleset(broken, max_examples=5, decisions=["eligible"])


def test_check_ruleset_finds_a_wrong_gap(small: promorules.Ruleset) -> None:
    # the gap of `deposit >= 3000` reported against a threshold 1000 too low: moving the
    # deposit by that gap does not make the rule pass
    def shifted(info: Any) -> Any:
        detail = info.detail

        def wrong(*args: Any) -> tuple[Any, ...]:
            lhs, rhs = detail(*args)
            return lhs, rhs - 1000

        return attrs.evolve(info, detail=wrong)

    nodes = tuple(shifted(n) if n.id == "deposit_ok" else n
                  for n in small.decisions["eligible"].nodes)
    compiled = dict(small.decisions)
    compiled["eligible"] = attrs.evolve(compiled["eligible"], nodes=nodes)
    broken = promorules.Ruleset(small.model, compiled, small.lint, small.digest, small.text)
    with pytest.raises(AssertionError, match=r"gap violation in rule 'deposit_ok'"):
        check_case(broken, "eligible", {"deposit": "100"}, AS_OF)
    with pytest.raises(AssertionError, match=r"gap violation in rule 'deposit_ok'"):
        check_ruleset(broken, max_examples=50, decisions=["eligible"])


def test_check_ruleset_finds_unknown_without_missing(small: promorules.Ruleset) -> None:
    original = small.decisions["eligible"].run

    def unsure(facts: Any, as_of: Any) -> tuple[Any, ...]:
        record = original(facts, as_of)
        return record._replace(outcome=None)  # always unknown

    broken = _broken_copy(small, "eligible", unsure)
    with pytest.raises(AssertionError, match="decision 'eligible'"):
        check_ruleset(broken, max_examples=20, decisions=["eligible"])


# -- the pytest plugin -------------------------------------------------------------------


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest",
                           "-p", "no:cacheprovider", "-q", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_plugin_fuzzes_each_ruleset_under_a_path(tmp_path: Path,
                                                small: promorules.Ruleset) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "kit_demo.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "rules" / "kit_demo.test.yaml").write_text("examples: []\n", encoding="utf-8")
    (tmp_path / "rules" / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    done = _pytest("--promorules-fuzz", "rules", "--promorules-fuzz-examples", "10",
                   "-rA", cwd=tmp_path)
    out = done.stdout
    assert "PASSED rules/kit_demo.yaml::promorules_fuzz" in out, out
    assert "FAILED rules/bad.yaml::promorules_fuzz" in out, out
    assert "invalid ruleset" in out and "1 failed, 1 passed" in out, out


def test_plugin_does_nothing_without_the_option(tmp_path: Path) -> None:
    (tmp_path / "kit_demo.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
    done = _pytest(cwd=tmp_path)
    assert "1 passed" in done.stdout and "promorules_fuzz" not in done.stdout, done.stdout


@pytest.mark.slow  # a whole pytest run in a subprocess; the fuzz paths run above already
def test_plugin_collects_given_tests_and_the_fuzz_paths(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "kit_demo.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
    done = _pytest("test_one.py", "--promorules-fuzz", "rules",
                   "--promorules-fuzz-examples", "5", cwd=tmp_path)
    assert "2 passed" in done.stdout, done.stdout


def test_plugin_registers_the_hypothesis_profiles() -> None:
    from hypothesis import settings as hsettings

    assert hsettings.get_profile("ci").derandomize
    assert hsettings.get_profile("nightly").max_examples == 2000


# -- monotone tiers and exact money ---------------------------------------------------------

_MONO = """\
id: mono
version: 1.0.0
title: {en: M, zh: M}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  gmv: {type: money, currency: USD, min: 0, monotone: increasing}
  amount: {type: money, currency: CNY, min: 0}
decisions:
  tier:
    description: {en: Tier, zh: 等级}
    tiers:
      - {id: silver, description: {en: s, zh: s}, source: "D 1", check: gmv >= 100}
      - {id: gold, description: {en: g, zh: g}, source: "D 1", check: GOLD}
    default: none
  fee:
    description: {en: Fee, zh: 费用}
    type: money
    compute: amount * 0.1
    round: {places: 2, mode: half_up}
"""


def test_monotone_tiers_hold_for_a_sound_ladder() -> None:
    rs = promorules.loads(_MONO.replace("GOLD", "gmv >= 1000"))
    for gmv in ("50", "100", "999.99", "1000", "5000"):
        check_case(rs, "tier", {"gmv": gmv})


def test_a_tier_that_drops_as_the_monotone_fact_grows_is_caught() -> None:
    # gold for small GMV only: more GMV lowers the tier, against `monotone: increasing`
    rs = promorules.loads(_MONO.replace("GOLD", "gmv >= 100 and gmv <= 200"))
    with pytest.raises(AssertionError, match="declared monotone: increasing"):
        check_case(rs, "tier", {"gmv": "150"})


def test_money_rounding_is_checked_against_an_exact_recomputation() -> None:
    rs = promorules.loads(_MONO.replace("GOLD", "gmv >= 1000"))
    check_case(rs, "fee", {"amount": "1.25"})  # 0.125 -> 0.13 half-up: correct
    # the IR declaring half_even while the compiled code rounds half-up must be reported
    compiled = rs.decisions["fee"]
    checked = compiled.ir
    assert checked is not None and isinstance(checked.value, ir.Compute)
    wrong = attrs.evolve(checked.value, rounding=ir.Rounding(2, ir.RoundingMode.HALF_EVEN))
    object.__setattr__(compiled, "ir", attrs.evolve(checked, value=wrong))  # an engine bug
    with pytest.raises(AssertionError, match=r"should be 0\.12, got 0\.13"):
        check_case(rs, "fee", {"amount": "1.25"})


# -- thresholds read from the typed IR ------------------------------------------------------

_IR_KIT = """\
id: ir_kit
version: 1.0.0
title: {en: I, zh: I}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
params:
  floor: {type: money, currency: CNY, default: 500}
facts:
  deposit: {type: money, currency: CNY, min: 0}
  level: {type: ordinal, values: [none, A, AA, AAA]}
  fee: {type: money, currency: CNY, min: 0}
decisions:
  ok:
    description: {en: OK, zh: OK}
    all:
      - {id: floor_ok, description: {en: F, zh: F}, source: "D 1", check: deposit > floor}
      - {id: level_ok, description: {en: L, zh: L}, source: "D 1", check: AA <= level}
      - {id: band, description: {en: B, zh: B}, source: "D 1", check: level between A and AA}
  parts:
    description: {en: Parts, zh: Parts}
    type: mapping
    split:
      amount: fee
      parts: {first: 30, rest: 70}
      round: {places: 2, mode: half_up}
"""


def test_thresholds_through_a_parameter_and_ordinal_symbols() -> None:
    from promorules.testing import Threshold, thresholds

    rs = promorules.loads(_IR_KIT, params={"floor": 800})
    found = set(thresholds(rs, "ok"))
    # the parameter's value in force (overridden), not its default
    assert Threshold("ok", "floor_ok", "deposit", ">", 800) in found
    # ordinal symbols (resolved to positions by the checker), on either side, as written
    assert Threshold("ok", "level_ok", "level", ">=", "AA") in found
    assert {(t.op, t.value) for t in found if t.rule_id == "band"} == {(">=", "A"),
                                                                        ("<=", "AA")}
    sides: dict[tuple[str, str], list[str]] = {}
    for b in boundaries(rs, "ok"):
        if b.fact == "level":
            sides.setdefault((b.rule_id, b.side), []).append(b.facts["level"])
    assert sides[("level_ok", "below")] == ["A"] and sides[("level_ok", "above")] == ["AAA"]
    assert sides[("band", "below")] == ["none", "A"]  # below A, below AA
    assert sides[("band", "at")] == ["A", "AA"]
    for b in boundaries(rs, "ok"):
        check_case(rs, "ok", b.facts)
    # the boundaries decide the rule as their side says
    assert "level_ok" in rs.evaluate("ok", {"level": "A"}).failed_rule_ids
    assert "level_ok" not in rs.evaluate("ok", {"level": "AA"}).failed_rule_ids


def test_a_split_whose_parts_do_not_add_up_is_caught() -> None:
    rs = promorules.loads(_IR_KIT)
    check_case(rs, "parts", {"fee": "100.01"})
    # the IR's amount is twice what the compiled code splits: the parts miss it
    compiled = rs.decisions["parts"]
    checked = compiled.ir
    assert checked is not None and isinstance(checked.value, ir.Split)
    amount = checked.value.amount
    double = attrs.evolve(amount, tree=ir.Arith("*", amount.tree, ir.Const(2, ir.NUMBER),
                                               amount.tree.ty))
    wrong = attrs.evolve(checked.value, amount=double)
    object.__setattr__(compiled, "ir", attrs.evolve(checked, value=wrong))
    with pytest.raises(AssertionError, match=r"parts: the parts .* add up to 100\.01, not "
                                             r"200\.02"):
        check_case(rs, "parts", {"fee": "100.01"})
