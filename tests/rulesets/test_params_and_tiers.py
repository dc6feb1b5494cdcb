"""Parameters, tiered decisions and the tier lint (PR701), on rulesets/aliexpress_medals.yaml
and small inline rulesets: overrides and their errors (PR500 / PR501 / PR502), the values in
force, the parameters an explanation lists, ``--param`` on the command line, the trace of a
tiered decision and the monotonicity of the medal tier in GMV for any parameter values.
"""

from __future__ import annotations

import functools
import io
import pathlib
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import promorules
import shipped_rulesets
from promorules.cli import run

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets" / "aliexpress_medals.yaml"
MEDAL_30000 = ROOT / "examples" / "aliexpress_medals" / "medal_30000.json"
CENT = Decimal("0.01")
FLOOR = Decimal(10000)
DEFAULTS = {"gmv_floor_usd": 10000, "silver_gmv_usd": 10000, "gold_gmv_usd": 10000,
            "category_deposit_cny": 10000}
TIERS = ["silver", "gold", "mall"]  # lowest first, as the ruleset lists them
RANK = {"none": 0, "silver": 1, "gold": 2, "mall": 3}


@functools.cache
def medals(silver: Decimal | None = None, gold: Decimal | None = None) -> promorules.Ruleset:
    """The ruleset with these GMV thresholds (None: the default), loaded once per pair."""
    params = {k: v for k, v in (("silver_gmv_usd", silver), ("gold_gmv_usd", gold))
              if v is not None}
    if not params:
        return shipped_rulesets.load("aliexpress_medals")
    return promorules.load(RULESET, params=params)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# -- overriding parameters -----------------------------------------------------------------

@pytest.mark.parametrize(("params", "code", "named"), [
    # not declared
    ({"gold_gmv": 20000}, "PR500", "gold_gmv"),
    ({"deposit_cny": 10000}, "PR500", "deposit_cny"),
    # wrong type
    ({"gold_gmv_usd": "abc"}, "PR501", "gold_gmv_usd"),
    ({"gold_gmv_usd": "20,000"}, "PR501", "gold_gmv_usd"),
    ({"gold_gmv_usd": True}, "PR501", "gold_gmv_usd"),
    ({"gold_gmv_usd": [20000]}, "PR501", "gold_gmv_usd"),
    ({"category_deposit_cny": float("nan")}, "PR501", "category_deposit_cny"),
    # outside the declared range
    ({"category_deposit_cny": 9999.99}, "PR502", "category_deposit_cny"),
    ({"category_deposit_cny": 50000.01}, "PR502", "category_deposit_cny"),
    ({"gmv_floor_usd": 9000}, "PR502", "gmv_floor_usd"),
    ({"gmv_floor_usd": 10001}, "PR502", "gmv_floor_usd"),
    # a violated relation between parameters
    ({"gold_gmv_usd": 8000}, "PR502", "gold_gmv_usd"),
    ({"gold_gmv_usd": "9999.99"}, "PR502", "gold_gmv_usd"),
    ({"silver_gmv_usd": 9000}, "PR502", "silver_gmv_usd"),
    ({"silver_gmv_usd": 30000, "gold_gmv_usd": 20000}, "PR502", "gold_gmv_usd"),
], ids=lambda v: repr(v) if isinstance(v, dict) else None)
def test_bad_override_is_a_ruleset_error(params: dict[str, Any], code: str,
                                         named: str) -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.load(RULESET, params=params)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.code == code
    assert f"'{named}'" in err.message
    assert [e.code for e in err.errors] == [code]
    if code != "PR500":
        assert err.path[:2] == ("params", named)


def test_relation_error_message() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.load(RULESET, params={"gold_gmv_usd": 8000})
    assert info.value.message == ("parameter 'gold_gmv_usd' = 8000 must be >= silver_gmv_usd "
                                  "(10000)")


def test_raising_silver_alone_breaks_the_relation_with_gold() -> None:
    # gold keeps its default 10000, now below silver: the relation is checked after overrides
    with pytest.raises(promorules.RulesetError) as info:
        promorules.load(RULESET, params={"silver_gmv_usd": 30000})
    assert info.value.code == "PR502"
    assert "'gold_gmv_usd'" in info.value.message
    assert "silver_gmv_usd (30000)" in info.value.message


def test_unknown_parameter_suggests_the_declared_one() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.load(RULESET, params={"gold_gmv": 20000})
    assert "did you mean 'gold_gmv_usd'?" in info.value.message


def test_every_bad_override_is_reported() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.load(RULESET, params={"gold_gmv": 1, "category_deposit_cny": 1})
    assert sorted(e.code for e in info.value.errors) == ["PR500", "PR502"]


def test_params_must_be_a_mapping() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.load(RULESET, params=[("gold_gmv_usd", 20000)])  # type: ignore[arg-type]
    assert info.value.code == "PR500"


# -- the values in force -------------------------------------------------------------------

def test_params_default_to_the_documented_values() -> None:
    rs = medals()
    assert dict(rs.params) == DEFAULTS
    # no lint at all: no tier asks less than a lower one (PR701), and the monthly average
    # is compared exactly, never rounded first (PR703, issue 10 Fidelity 4)
    assert rs.lint == ()


@pytest.mark.parametrize("params", [
    {"gold_gmv_usd": 20000},
    {"gold_gmv_usd": "20000"},
    {"silver_gmv_usd": "12500.50", "gold_gmv_usd": 30000},
    {"silver_gmv_usd": 30000, "gold_gmv_usd": 30000},  # gold may equal silver
    {"gmv_floor_usd": 10000, "category_deposit_cny": 50000},  # the ends of the ranges
])
def test_params_show_the_values_in_force(params: dict[str, Any]) -> None:
    rs = promorules.load(RULESET, params=params)
    assert dict(rs.params) == {**DEFAULTS, **{k: Decimal(str(v)) for k, v in params.items()}}
    assert rs.lint == ()
    result = rs.evaluate("commission", {"order_amount_usd": "1.00",
                                        "commission_rate_percent": 5})
    assert result.to_dict()["params"] == {
        k: str(v) for k, v in {**DEFAULTS, **params}.items()}


def test_params_are_read_only() -> None:
    rs = promorules.load(RULESET, params={"gold_gmv_usd": 20000})
    with pytest.raises(TypeError):
        rs.params["gold_gmv_usd"] = 1  # type: ignore[index]
    assert medals().params["gold_gmv_usd"] == 10000  # one load never changes another


def test_explanation_lists_the_parameters_it_used() -> None:
    rs = promorules.load(RULESET, params={"gold_gmv_usd": 20000})
    result = rs.evaluate("medal_tier", {"gmv_90d_usd": 30000, "preferred_access": False,
                                        "mall_certified": False})
    en = result.explain("en").splitlines()
    assert en[-1] == ("parameters: gmv_floor_usd = 10,000, silver_gmv_usd = 10,000, "
                      "gold_gmv_usd = 20,000")
    zh = result.explain("zh").splitlines()
    assert zh[-1] == ("参数：gmv_floor_usd = 10,000, silver_gmv_usd = 10,000, "
                      "gold_gmv_usd = 20,000")
    # a parameter the decision does not use is not listed
    assert "category_deposit_cny" not in result.explain("en")


def test_cli_eval_with_param_prints_the_tier_explanation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the command exactly as the README gives it
    code, out, err = cli("eval", "rulesets/aliexpress_medals.yaml", "medal_tier",
                         "examples/aliexpress_medals/medal_30000.json",
                         "--param", "gold_gmv_usd=20000")
    assert (code, err) == (0, "")
    assert out.startswith("medal_tier: PASS\n")
    lines = [line.strip() for line in out.splitlines()]
    assert "value: silver" in lines
    assert "tier reached: silver" in lines
    # the tiers compare the exact monthly average gmv_90d_usd / 3 (issue 10), unrounded
    assert ("gmv_90d_usd / 3 = 10,000 USD is 10,000 USD short of the 20,000 USD needed "
            "for gold") in lines
    assert lines[-1].endswith("gold_gmv_usd = 20,000")
    # the same text as the library gives for the same override
    rs = promorules.load(RULESET, params={"gold_gmv_usd": 20000})
    facts = {"gmv_90d_usd": 30000, "preferred_access": False, "mall_certified": False}
    assert out == rs.evaluate("medal_tier", facts).explain("en")


def test_cli_eval_with_param_in_chinese() -> None:
    code, out, _ = cli("eval", str(RULESET), "medal_tier", str(MEDAL_30000),
                       "--param", "gold_gmv_usd=20000", "--lang", "zh")
    assert code == 0
    assert "达到的等级：silver" in out
    assert "距 gold 所需的 20,000 USD 差 10,000 USD" in out


@pytest.mark.parametrize(("param", "code"), [("gold_gmv_usd=8000", "PR502"),
                                             ("gmv_floor_usd=9000", "PR502"),
                                             ("gold_gmv_usd=lots", "PR501"),
                                             ("gold=20000", "PR500")])
def test_cli_eval_refuses_a_bad_param(param: str, code: str) -> None:
    status, out, err = cli("eval", str(RULESET), "medal_tier", str(MEDAL_30000),
                           "--param", param)
    assert status == 3
    assert out == ""
    assert f" {code} " in err
    assert param.partition("=")[0] in err


# -- the trace of a tiered decision --------------------------------------------------------

@pytest.mark.parametrize(("facts", "gold", "value", "outcomes"), [
    ({"gmv_90d_usd": 30000, "preferred_access": False, "mall_certified": False}, None,
     "gold", ["pass", "pass", "fail"]),
    ({"gmv_90d_usd": 30000, "preferred_access": False, "mall_certified": False},
     Decimal(20000), "silver", ["pass", "fail", "fail"]),
    ({"gmv_90d_usd": 45000, "preferred_access": False, "mall_certified": True}, None,
     "mall", ["pass", "pass", "pass"]),
    ({"gmv_90d_usd": 45000, "preferred_access": False, "mall_certified": True},
     Decimal(20000), "silver", ["pass", "fail", "fail"]),
    ({"gmv_90d_usd": 27000, "preferred_access": False, "mall_certified": True}, None,
     "none", ["fail", "fail", "fail"]),
    ({"gmv_90d_usd": 6000, "preferred_access": True, "mall_certified": True}, None,
     "mall", ["pass", "pass", "pass"]),
])
def test_every_tier_is_a_child_with_its_own_outcome(facts: dict[str, Any],
                                                     gold: Decimal | None, value: str,
                                                     outcomes: list[str]) -> None:
    result = medals(None, gold).evaluate("medal_tier", facts)
    assert result.outcome == "pass"
    assert result.value == value
    root = result.trace
    assert root.kind == "value"
    assert root.value == value
    tiers = [c for c in root.children if c.kind == "tier"]
    assert [t.rule_id for t in tiers] == TIERS
    assert [str(t.outcome) for t in tiers] == outcomes
    # the same in the JSON form
    data = result.to_dict()
    assert data["value"] == value
    assert data["trace"]["value"] == value
    assert [(c["rule_id"], c["outcome"]) for c in data["trace"]["children"]
            if c["kind"] == "tier"] == list(zip(TIERS, outcomes, strict=True))


def test_next_tier_alternatives_are_each_enough() -> None:
    # silver needs (floor AND silver threshold) OR preferred access. With the threshold
    # above the floor, reaching the floor alone is not enough for silver, so the
    # explanation must not list the floor as one of "any one of these is enough".
    result = medals(Decimal(12000), Decimal(12000)).evaluate(
        "medal_tier", {"gmv_90d_usd": 27000, "preferred_access": False,
                       "mall_certified": False})
    assert result.value == "none"
    text = result.explain("en")
    head = next(line for line in text.splitlines()
                if line.startswith("For silver, the next tier up"))
    if "(any one of these is enough)" in head:
        assert not re.search(r"^  \d+\. silver_gmv_floor — ", text, re.M), text
        assert not re.search(r"^  \d+\. silver_gmv_threshold — ", text, re.M), text
    assert ("gmv_90d_usd / 3 = 9,000 USD is 3,000 USD short of the 12,000 USD needed "
            "for silver") in text


def test_unknown_gmv_gives_an_unknown_tier() -> None:
    result = medals().evaluate("medal_tier", {"preferred_access": False,
                                              "mall_certified": False})
    assert result.outcome == "unknown"
    assert result.value is None
    assert result.missing == ("gmv_90d_usd",)


# -- the tier is monotone in GMV, for any parameter values ---------------------------------

def expected_tiers(gmv: Decimal, silver: Decimal, gold: Decimal, preferred: bool,
                   mall_certified: bool) -> dict[str, bool]:
    """Which tiers' requirements hold, as the contract states them: the monthly average
    (a third of the 90-day GMV) compared exactly, never rounded first (amendment of issue
    10), so gmv / 3 >= T is gmv >= 3 * T."""
    silver_ok = (gmv >= 3 * FLOOR and gmv >= 3 * silver) or preferred
    gold_ok = (gmv >= 3 * FLOOR and gmv >= 3 * gold) or preferred
    return {"silver": silver_ok, "gold": gold_ok, "mall": gold_ok and mall_certified}


def cents(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    """Money from ``lo`` to ``hi`` USD, with cents."""
    return st.integers(lo * 100, hi * 100).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def thresholds_and_gmvs(draw: st.DrawFn) -> tuple[Decimal, Decimal, list[Decimal]]:
    silver = draw(st.one_of(st.just(FLOOR), cents(10000, 60000)))
    gold = draw(st.one_of(st.just(silver), cents(0, 60000).map(lambda d: silver + d)))
    # GMVs anywhere, and on each side of every threshold (x3: monthly is a third)
    near = st.tuples(st.sampled_from([FLOOR, silver, gold]), st.integers(-2, 2)).map(
        lambda t: max(Decimal(0), t[0] * 3 + Decimal(t[1]) / 100))
    gmvs = draw(st.lists(st.one_of(cents(0, 400000), near), min_size=2, max_size=8))
    return silver, gold, sorted(gmvs)


@given(drawn=thresholds_and_gmvs(), preferred=st.booleans(), mall_certified=st.booleans())
def test_tier_is_monotone_in_gmv(drawn: tuple[Decimal, Decimal, list[Decimal]],
                                 preferred: bool, mall_certified: bool) -> None:
    silver, gold, gmvs = drawn
    rs = medals(silver, gold)
    assert rs.params["silver_gmv_usd"] == silver
    assert rs.params["gold_gmv_usd"] == gold
    ranks = []
    for gmv in gmvs:
        facts = {"gmv_90d_usd": str(gmv), "preferred_access": preferred,
                 "mall_certified": mall_certified}
        result = rs.evaluate("medal_tier", facts)
        assert result.outcome == "pass"
        holds = expected_tiers(gmv, silver, gold, preferred, mall_certified)
        # each tier node says whether its own requirements hold; the value is the highest
        assert {t.rule_id: t.passed for t in result.trace.children if t.kind == "tier"} == holds
        assert result.value == max((t for t in TIERS if holds[t]), key=RANK.__getitem__,
                                   default="none")
        ranks.append(RANK[result.value])
    assert ranks == sorted(ranks), list(zip(gmvs, ranks, strict=True))


# -- PR701: a higher tier easier to reach than a lower one ---------------------------------

LINT_RULESET = """\
id: tier_lint_demo
version: 1.0.0
title: {en: Tier lint demo, zh: 等级检查示例}
timezone: Asia/Shanghai
sources:
  "001": {file: 001_demo.txt, title: Demo}
facts:
  x:
    type: number
    description: {en: A quantity, zh: 数量}
decisions:
  tier:
    description: {en: Tier, zh: 等级}
    source: "001 §1"
    tiers:
      - id: silver
        description: {en: Silver, zh: 银牌}
        source: "001 §1"
        check: x >= 10000
      - id: gold
        description: {en: Gold, zh: 金牌}
        source: "001 §1"
        check: x >= 8000
    default: none
"""

PARAM_LINT_RULESET = """\
id: tier_param_lint_demo
version: 1.0.0
title: {en: Tier lint demo, zh: 等级检查示例}
timezone: Asia/Shanghai
sources:
  "001": {file: 001_demo.txt, title: Demo}
facts:
  x:
    type: number
    description: {en: A quantity, zh: 数量}
params:
  silver_x:
    type: number
    default: 10000
    description: {en: Silver threshold, zh: 银牌门槛}
    source: "001 §1"
  gold_x:
    type: number
    default: 20000
    description: {en: Gold threshold, zh: 金牌门槛}
    source: "001 §1"
decisions:
  tier:
    description: {en: Tier, zh: 等级}
    source: "001 §1"
    tiers:
      - id: silver
        description: {en: Silver, zh: 银牌}
        source: "001 §1"
        check: x >= silver_x
      - id: gold
        description: {en: Gold, zh: 金牌}
        source: "001 §1"
        check: x >= gold_x
    default: none
"""
GOLD_CHECK_LINE = LINT_RULESET.splitlines().index("        check: x >= 8000") + 1


def test_weaker_higher_tier_loads_with_a_pr701_lint() -> None:
    rs = promorules.loads(LINT_RULESET, source="lint.yaml")
    (warning,) = rs.lint
    assert warning.code == "PR701"
    assert "'gold'" in warning.message
    assert "'silver'" in warning.message
    assert "8000" in warning.message and "10000" in warning.message
    assert warning.path == ("decisions", "tier", "tiers", 1, "check")
    assert warning.line == GOLD_CHECK_LINE
    # a lint does not stop the ruleset working
    assert rs.evaluate("tier", {"x": 12000}).value == "gold"


def test_check_prints_the_pr701_warning_and_exits_0(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "lint.yaml"
    path.write_text("# yaml-language-server: $schema=../schema/ruleset.schema.json\n"
                    + LINT_RULESET, encoding="utf-8")
    code, out, err = cli("check", str(path))
    assert code == 0
    assert out == f"{path}: ok (1 warning)\n"
    assert f"{path}:{GOLD_CHECK_LINE + 1}:" in err
    assert "PR701 warning: tier 'gold'" in err
    assert "'silver'" in err


def test_pr701_uses_the_parameter_values_in_force() -> None:
    assert promorules.loads(PARAM_LINT_RULESET).lint == ()
    assert promorules.loads(PARAM_LINT_RULESET, params={"gold_x": 10000}).lint == ()
    (warning,) = promorules.loads(PARAM_LINT_RULESET, params={"gold_x": 8000}).lint
    assert warning.code == "PR701"
    assert "'gold'" in warning.message and "'silver'" in warning.message
    assert "8000" in warning.message and "10000" in warning.message


def test_aliexpress_ruleset_has_no_tier_lint_with_any_valid_thresholds() -> None:
    # the relations (silver >= floor, gold >= silver) keep the tiers in order
    assert medals(Decimal(15000), Decimal(40000)).lint == ()
    code, out, err = cli("check", str(RULESET))
    assert code == 0
    # no lint; only PR710 (the working-day calendar's horizon), which depends on today's date
    horizon = [line for line in err.splitlines() if " PR710 warning: " in line]
    assert err.splitlines() == horizon
    assert out == (f"{RULESET}: ok (1 warning)\n" if horizon else f"{RULESET}: ok\n")
