"""rulesets/aliexpress_medals.yaml: golden explanations, the contract's public examples and
properties of its decisions (contract: AliExpress 2022 entry, gold / silver medals, AE MALL).

Golden files: tests/golden/aliexpress_medals/<case>.{en,zh}.txt hold the English
and Chinese explanation of every command of examples/aliexpress_medals/README.md (and
<case>.zh-Hant.txt the Traditional-script one, for the cases of HANT). To
regenerate them after an intended change of wording or of the ruleset, run

    PROMORULES_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden tests/rulesets

which writes the files instead of comparing them (the tests then pass); review the diff
before committing. The README's outcomes, failed rules and values are checked separately
(test_readme_expectations), so regenerating can never silently accept a wrong decision.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pathlib
import re
import shlex
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import promorules
import shipped_rulesets
from golden_files import Golden

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets" / "aliexpress_medals.yaml"
EXAMPLES = ROOT / "examples" / "aliexpress_medals"
GOLDEN = Golden("aliexpress_medals")
# Decisions the README runs without --as-of do not read the date; fix it all the same.
AS_OF = "2022-07-15T12:00:00+08:00"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


@functools.cache
def medals(params: tuple[tuple[str, Any], ...] = ()) -> promorules.Ruleset:
    """The ruleset loaded with ``params`` (a sorted tuple of pairs), once per distinct tuple."""
    if not params:
        return shipped_rulesets.load("aliexpress_medals")
    return promorules.load(RULESET, params=dict(params))


def facts_of(example: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{example}.json").read_text("utf-8"))
    return data


# -- golden explanations of the README's commands ---------------------------------------

MALL_BENEFITS = ["commission_refund", "search_class_a", "search_class_b", "search_class_c",
                 "superdeals_guide", "windows_and_identity_mark", "xinghe_rebate",
                 "loan_discount", "account_manager", "exclusive_butler", "buyer_session_quota"]
GOLD_BENEFITS = ["commission_refund", "search_class_b", "search_class_c", "superdeals_guide",
                 "windows_and_identity_mark", "xinghe_rebate", "loan_discount",
                 "account_manager", "buyer_session_quota"]
SILVER_BENEFITS = ["commission_refund", "search_class_c", "superdeals_guide",
                   "windows_and_identity_mark", "xinghe_rebate", "loan_discount",
                   "account_manager", "buyer_session_quota"]
NO_PARAMS: dict[str, str] = {}

# (example, decision, --param overrides, --as-of, outcome, failed rule ids, to_dict value),
# in the order and with the expectations of examples/aliexpress_medals/README.md
CASES: list[tuple[str, str, dict[str, str], str | None, str, list[str], Any]] = [
    ("store_ok", "store_entry", NO_PARAMS, None, "pass", [], None),
    ("store_ok", "store_entry", {"category_deposit_cny": "20000"}, None, "fail", ["deposit"],
     None),
    ("store_bad", "store_entry", NO_PARAMS, None, "fail",
     ["entity_company", "applied_before_cutoff", "trademark", "deposit",
      "enterprise_accounts", "business_scope"], None),
    ("store_individual_early", "store_entry", NO_PARAMS, None, "pass", [], None),
    ("medal_30000", "monthly_gmv_usd", NO_PARAMS, None, "pass", [], "10000.00"),
    ("medal_just_below", "monthly_gmv_usd", NO_PARAMS, None, "pass", [], "10000.00"),
    ("medal_just_below", "medal_tier", NO_PARAMS, None, "pass", [], "none"),
    ("medal_30000", "medal_tier", NO_PARAMS, None, "pass", [], "gold"),
    ("medal_30000", "medal_tier", {"gold_gmv_usd": "20000"}, None, "pass", [], "silver"),
    ("medal_mall", "medal_tier", NO_PARAMS, None, "pass", [], "mall"),
    ("medal_mall", "medal_tier", {"gold_gmv_usd": "20000"}, None, "pass", [], "silver"),
    ("medal_below_floor", "medal_tier", NO_PARAMS, None, "pass", [], "none"),
    ("medal_preferred", "medal_tier", NO_PARAMS, None, "pass", [], "gold"),
    ("assessment", "assessment_period", NO_PARAMS, None, "pass", [],
     {"start": "2022-04-01", "end": "2022-06-30"}),
    ("assessment_early", "assessment_period", NO_PARAMS, None, "fail", ["first_assessment"],
     None),
    ("commission", "commission", NO_PARAMS, None, "pass", [], "1.60"),
    ("commission_bad_rate", "commission", NO_PARAMS, None, "fail", ["commission_rate_range"],
     None),
    ("refund_new_mall", "commission_refund", NO_PARAMS, "2022-09-09", "pass", [],
     "new_merchant_rebate"),
    ("refund_new_mall", "commission_refund", NO_PARAMS, "2022-11-28", "pass", [],
     "new_merchant_rebate"),
    ("refund_new_mall", "commission_refund", NO_PARAMS, "2022-11-29", "pass", [],
     "old_merchant_rebate"),
    ("refund_new_gold", "commission_refund", NO_PARAMS, "2022-09-09", "pass", [], "none"),
    ("refund_new_gold", "commission_refund", NO_PARAMS, "2022-11-29", "pass", [],
     "old_merchant_rebate"),
    ("refund_new_mall", "benefits", NO_PARAMS, None, "pass", [], MALL_BENEFITS),
    ("refund_new_gold", "benefits", NO_PARAMS, None, "pass", [], GOLD_BENEFITS),
    ("loan", "benefits", NO_PARAMS, None, "pass", [], SILVER_BENEFITS),
    ("loan", "loan_rate", NO_PARAMS, None, "pass", [], "7.3882"),
    ("loan_mall", "loan_rate", NO_PARAMS, None, "pass", [], "6.9993"),
    ("store_type_change", "store_type_change", NO_PARAMS, "2022-05-31", "pass", [], None),
    ("store_type_change", "store_type_change", NO_PARAMS, "2022-05-30", "fail",
     ["store_type_change_interval"], None),
    ("certification_review", "certification_review_due", NO_PARAMS, None, "pass", [],
     "2022-10-08"),
    ("trademark_review", "trademark_review_window", NO_PARAMS, None, "pass", [],
     {"earliest": "2022-04-06", "latest": "2022-04-08"}),
    ("certification_same_subject", "certification_subject_change", NO_PARAMS, None, "pass",
     [], None),
    ("certification_new_subject", "certification_subject_change", NO_PARAMS, None, "fail",
     ["certified_subject_unchanged"], None),
    ("loan_discount", "loan_discount_available_from", NO_PARAMS, None, "pass", [],
     "2022-07-01"),
]
# README commands that must be refused: a parameter outside its range or relation (exit 3)
REFUSED = [
    ("medal_30000", "medal_tier", {"gold_gmv_usd": "8000"}, "gold_gmv_usd"),
    ("medal_30000", "medal_tier", {"gmv_floor_usd": "9000"}, "gmv_floor_usd"),
]


def case_name(example: str, decision: str, params: Mapping[str, str], as_of: str | None
              ) -> str:
    name = f"{example}__{decision}"
    name += "".join(f"__{k}-{v}" for k, v in params.items())
    return name + (f"__as-of-{as_of}" if as_of else "")


IDS = [case_name(e, d, p, a) for e, d, p, a, *_ in CASES]
# also pinned in Traditional script (lang="zh-Hant"): failed rules, and a tier with its formula
HANT = ["store_bad__store_entry", "medal_30000__medal_tier"]


def evaluate(example: str, decision: str, params: Mapping[str, str], as_of: str | None
             ) -> promorules.Result:
    rs = medals(tuple(sorted(params.items())))
    return rs.evaluate(decision, facts_of(example), as_of=as_of or AS_OF)


def readme_commands() -> list[tuple[str, str, dict[str, str], str | None]]:
    readme = (EXAMPLES / "README.md").read_text("utf-8")
    out = []
    for command in re.findall(r"`(promorules eval rulesets/aliexpress_medals\.yaml [^`]*)`",
                              readme):
        args = shlex.split(command)[3:]
        if args[0] == "DECISION":  # the usage line
            continue
        decision, path, rest = args[0], args[1], args[2:]
        params: dict[str, str] = {}
        as_of = None
        for flag, value in zip(rest[::2], rest[1::2], strict=True):
            if flag == "--param":
                name, _, v = value.partition("=")
                params[name] = v
            else:
                assert flag == "--as-of", command
                as_of = value
        example = pathlib.PurePosixPath(path).stem
        out.append((example, decision, params, as_of))
    return out


def test_cases_are_the_readme_commands() -> None:
    listed = [(e, d, p, a) for e, d, p, a, *_ in CASES]
    listed += [(e, d, p, None) for e, d, p, _ in REFUSED]
    commands = readme_commands()
    assert commands, "no command found in the README"
    assert sorted(map(repr, commands)) == sorted(map(repr, listed))


def test_every_decision_has_a_golden_case() -> None:
    assert {d for _, d, *_ in CASES} == set(medals().decisions)


@pytest.mark.parametrize(("example", "decision", "params", "as_of", "outcome", "failed",
                          "value"), CASES, ids=IDS)
def test_readme_expectations(example: str, decision: str, params: dict[str, str],
                             as_of: str | None, outcome: str, failed: list[str],
                             value: Any) -> None:
    result = evaluate(example, decision, params, as_of)
    assert str(result.outcome) == outcome
    assert list(result.failed_rule_ids) == failed
    assert result.to_dict()["value"] == value
    assert result.missing == ()


@pytest.mark.parametrize(("example", "decision", "params", "parameter"), REFUSED,
                         ids=[case_name(e, d, p, None) for e, d, p, _ in REFUSED])
def test_readme_refused_parameters(example: str, decision: str, params: dict[str, str],
                                   parameter: str) -> None:
    with pytest.raises(promorules.RulesetError) as info:
        medals(tuple(sorted(params.items())))
    assert info.value.code == "PR502"
    assert f"'{parameter}'" in info.value.message


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("example", "decision", "params", "as_of"),
                         [c[:4] for c in CASES], ids=IDS)
def test_golden_explanation(example: str, decision: str, params: dict[str, str],
                            as_of: str | None, lang: str) -> None:
    text = evaluate(example, decision, params, as_of).explain(lang)
    GOLDEN.check_text(f"{case_name(example, decision, params, as_of)}.{lang}.txt", text)


@pytest.mark.parametrize(("example", "decision", "params", "as_of"),
                         [c[:4] for c, name in zip(CASES, IDS, strict=True) if name in HANT],
                         ids=HANT)
def test_golden_explanation_traditional(example: str, decision: str, params: dict[str, str],
                                        as_of: str | None) -> None:
    text = evaluate(example, decision, params, as_of).explain("zh-Hant")
    name = case_name(example, decision, params, as_of)
    GOLDEN.check_text(f"{name}.zh-Hant.txt", text)


def test_no_stale_golden_files() -> None:
    expected = {f"{name}.{lang}.txt" for name in IDS for lang in ("en", "zh")}
    expected |= {f"{name}.zh-Hant.txt" for name in HANT}
    GOLDEN.assert_no_stale(expected)


# -- the contract's public examples -------------------------------------------------------

MEDAL_30000 = {"gmv_90d_usd": 30000, "preferred_access": False, "mall_certified": False}


def test_public_example_medal_tier_defaults_gold() -> None:
    result = medals().evaluate("medal_tier", MEDAL_30000)
    assert result.outcome == "pass"
    assert result.value == "gold"


def test_public_example_medal_tier_gold_20000_silver() -> None:
    rs = promorules.load(RULESET, params={"gold_gmv_usd": 20000})
    result = rs.evaluate("medal_tier", MEDAL_30000)
    assert result.value == "silver"
    en = result.explain("en")
    lines = [line.strip() for line in en.splitlines()]
    assert "tier reached: silver" in lines
    # the tiers compare the exact monthly average gmv_90d_usd / 3 (issue 10), unrounded
    assert ("gmv_90d_usd / 3 = 10,000 USD is 10,000 USD short of the 20,000 USD needed "
            "for gold") in lines
    assert "For gold, the next tier up, this is missing (any one of these is enough):" in lines
    zh = [line.strip() for line in result.explain("zh").splitlines()]
    assert "gmv_90d_usd / 3 为 10,000 USD，距 gold 所需的 20,000 USD 差 10,000 USD" in zh
    # the failed gold requirement carries the numbers the sentence is made of
    node = next(n for n in result.trace.walk() if n.rule_id == "gold_gmv_threshold")
    assert node.outcome == "fail"
    assert node.gap == Decimal("10000.00")
    assert node.threshold == 20000


def test_public_example_commission() -> None:
    result = medals().evaluate("commission",
                               {"order_amount_usd": "19.99", "commission_rate_percent": 8})
    assert result.outcome == "pass"
    assert result.value == Decimal("1.60")
    assert str(result.value) == "1.60"
    details = [n.detail for n in result.trace.walk() if n.detail]
    assert details == ["19.99 × 8% = 1.5992 → 1.60"]
    for lang in ("en", "zh"):
        assert "19.99 × 8% = 1.5992 → 1.60" in result.explain(lang)


# -- commission ----------------------------------------------------------------------------

FORMULA = re.compile(r"^(?P<a>[\d,.]+) × (?P<r>[\d.]+)% = (?P<e>[\d,.]+)(?: → (?P<v>[\d,.]+))?$")


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


# (cents, hundredths of a percent) where amount × rate falls exactly on half a cent:
# a rate of 5 × odd hundredths on 10 × odd dollars (10.00 × 5.05% = 0.505)
HALF_CENT = st.tuples(st.integers(0, 10**8).map(lambda k: (20 * k + 10) * 100),
                      st.integers(50, 79).map(lambda j: 10 * j + 5))


@given(amount_rate=st.one_of(st.tuples(st.integers(0, 10**12), st.integers(500, 800)),
                             HALF_CENT),
       as_number=st.booleans())
def test_commission_is_exact_half_up_to_cents(amount_rate: tuple[int, int],
                                              as_number: bool) -> None:
    cents, hundredths = amount_rate
    amount = f"{cents // 100}.{cents % 100:02d}"
    rate = Decimal(hundredths).scaleb(-2).normalize()
    rate_text = format(rate, "f")  # 5, 7.5, 7.25: up to two decimals
    rate_fact: Any = rate if as_number else rate_text
    result = medals().evaluate("commission",
                               {"order_amount_usd": amount, "commission_rate_percent": rate_fact})
    exact = Decimal(amount) * Decimal(rate_text) / 100  # exact: at most 6 decimal places
    assert result.outcome == "pass"
    value = result.value
    assert isinstance(value, Decimal)
    assert value == exact.quantize(CENT, rounding=ROUND_HALF_UP)
    assert value.as_tuple().exponent == -2  # always cents
    assert abs(value - exact) <= Decimal("0.005")  # never a cent lost or invented
    # the trace shows the formula with these numbers, before and after rounding
    (detail,) = [n.detail for n in result.trace.walk() if n.detail]
    match = FORMULA.match(detail)
    assert match, detail
    assert _dec(match["a"]) == Decimal(amount)
    assert _dec(match["r"]) == rate
    assert _dec(match["e"]) == exact
    assert (match["v"] or match["e"]) == format(value, ",f")


@pytest.mark.parametrize(("amount", "rate", "commission"), [
    ("0.10", "5", "0.01"),  # 0.005: half a cent rounds up
    ("10.00", "5.05", "0.51"),  # 0.505
    ("30.00", "5.05", "1.52"),  # 1.515
    ("0.06", "7.5", "0.00"),  # 0.0045: below half a cent
    ("0.07", "7.5", "0.01"),  # 0.00525
])
def test_commission_half_cent_rounds_up(amount: str, rate: str, commission: str) -> None:
    result = medals().evaluate("commission",
                               {"order_amount_usd": amount, "commission_rate_percent": rate})
    assert str(result.value) == commission


@pytest.mark.parametrize(("rate", "outcome"), [("4.99", "fail"), ("5", "pass"), ("8", "pass"),
                                               ("8.01", "fail")])
def test_commission_rate_range(rate: str, outcome: str) -> None:
    result = medals().evaluate("commission",
                               {"order_amount_usd": "100.00", "commission_rate_percent": rate})
    assert result.outcome == outcome
    if outcome == "fail":
        assert result.failed_rule_ids == ("commission_rate_range",)
        assert result.value is None


# -- commission refund: day 180 is within, day 181 is not -----------------------------------

def expected_refund(tier: str, days: int) -> str:
    if tier == "mall" and days <= 180:
        return "new_merchant_rebate"
    if tier in ("mall", "gold", "silver") and days > 180:
        return "old_merchant_rebate"
    return "none"


@given(tier=st.sampled_from(["mall", "gold", "silver", "none"]),
       opened=st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
       days=st.one_of(st.integers(170, 190), st.integers(0, 3000)),
       time=st.times())
def test_commission_refund_switches_after_day_180(tier: str, opened: dt.date, days: int,
                                                   time: dt.time) -> None:
    # any time of day in the ruleset's time zone counts as that day
    as_of = dt.datetime.combine(opened + dt.timedelta(days=days), time, tzinfo=SHANGHAI)
    facts = {"tier": tier, "store_opened_on": opened.isoformat()}
    result = medals().evaluate("commission_refund", facts, as_of=as_of)
    assert result.outcome == "pass"
    assert result.value == expected_refund(tier, days)


@pytest.mark.parametrize(("tier", "day_180", "day_181"), [
    ("mall", "new_merchant_rebate", "old_merchant_rebate"),
    ("gold", "none", "old_merchant_rebate"),
    ("silver", "none", "old_merchant_rebate"),
    ("none", "none", "none"),
])
def test_commission_refund_boundary(tier: str, day_180: str, day_181: str) -> None:
    opened = dt.date(2022, 6, 1)
    facts = {"tier": tier, "store_opened_on": opened.isoformat()}
    rs = medals()
    at = [rs.evaluate("commission_refund", facts, as_of=opened + dt.timedelta(days=n)).value
          for n in (180, 181)]
    assert at == [day_180, day_181]


# -- benefits ------------------------------------------------------------------------------

RANK = {"none": 0, "silver": 1, "gold": 2, "mall": 3}
MALL_ONLY = {"search_class_a", "exclusive_butler"}  # the document: "exclusive to MALL"


def benefits(tier: str) -> list[str]:
    value = medals().evaluate("benefits", {"tier": tier}).value
    assert isinstance(value, list)
    return value


@given(pair=st.lists(st.sampled_from(list(RANK)), min_size=2, max_size=2, unique=True))
def test_higher_tier_benefits_include_lower(pair: list[str]) -> None:
    lower, higher = sorted(pair, key=RANK.__getitem__)
    assert set(benefits(lower)) <= set(benefits(higher))
    # mall-only benefits are the only ones a tier below mall lacks against mall
    if higher == "mall" and lower != "none":
        assert set(benefits("mall")) - set(benefits(lower)) >= MALL_ONLY
        assert not MALL_ONLY & set(benefits(lower))


def test_benefits_table_of_the_contract() -> None:
    assert benefits("mall") == MALL_BENEFITS
    assert set(MALL_BENEFITS) - set(benefits("gold")) == MALL_ONLY
    assert set(benefits("gold")) - set(benefits("silver")) == {"search_class_b"}
    assert benefits("silver") == SILVER_BENEFITS
    assert benefits("none") == []
    for tier in RANK:
        assert len(set(benefits(tier))) == len(benefits(tier))  # no benefit twice


# -- store entry: the 2021-12-15 cut-off for individual businesses --------------------------

def test_individual_business_admitted_before_cutoff() -> None:
    facts = facts_of("store_individual_early")
    assert facts["entity_type"] == "individual_business"
    result = medals().evaluate("store_entry", dict(facts, application_date="2021-12-14"))
    assert result.outcome == "pass"
    assert result.failed_rule_ids == ()


def test_individual_business_refused_from_cutoff() -> None:
    facts = dict(facts_of("store_individual_early"), application_date="2021-12-15")
    result = medals().evaluate("store_entry", facts)
    assert result.outcome == "fail"
    assert result.failed_rule_ids == ("entity_company", "applied_before_cutoff")
    en = result.explain("en")
    assert ("  2. applied_before_cutoff — Applied before 15 December 2021\n"
            "     actual: application_date = 2021-12-15\n"
            "     expected: < 2021-12-15\n") in en
    assert "  1. entity_company — The applicant is a company\n" in en
    zh = result.explain("zh")
    assert ("applied_before_cutoff — 申请日期早于2021年12月15日\n"
            "     实际：application_date = 2021-12-15\n"
            "     要求：< 2021-12-15\n") in zh


def test_company_admitted_after_cutoff() -> None:
    facts = dict(facts_of("store_individual_early"), application_date="2021-12-15",
                 entity_type="company")
    assert medals().evaluate("store_entry", facts).outcome == "pass"


# -- assessment period ---------------------------------------------------------------------

def test_assessment_period_july_2022() -> None:
    result = medals().evaluate("assessment_period", {"assessment_date": "2022-07-15"})
    assert result.outcome == "pass"
    assert result.value == {"start": dt.date(2022, 4, 1), "end": dt.date(2022, 6, 30)}
    assert result.to_dict()["value"] == {"start": "2022-04-01", "end": "2022-06-30"}


def test_assessment_period_before_july_2022_fails_with_reason() -> None:
    result = medals().evaluate("assessment_period", {"assessment_date": "2022-06-30"})
    assert result.outcome == "fail"
    assert result.value is None
    assert result.failed_rule_ids == ("first_assessment",)
    en = result.explain("en")
    assert ("first_assessment — Medal assessments start in July 2022 (the first one covers "
            "1 April to 30 June 2022); there is no assessment before 1 July 2022") in en
    assert "actual: assessment_date = 2022-06-30\n     expected: >= 2022-07-01" in en


@given(day=st.dates(dt.date(2022, 7, 1), dt.date(2040, 12, 31)))
def test_assessment_period_is_the_previous_quarter(day: dt.date) -> None:
    value = medals().evaluate("assessment_period", {"assessment_date": day.isoformat()}).value
    quarter_start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    assert value["end"] == quarter_start - dt.timedelta(days=1)
    assert value["start"].day == 1
    assert value["start"].month in (1, 4, 7, 10)
    assert (value["end"] - value["start"]).days in range(89, 92)
    assert value["start"] < value["end"] < day


# -- loan rate -----------------------------------------------------------------------------

@pytest.mark.parametrize(("tier", "rate"), [("mall", "3.9150"), ("gold", "3.9150"),
                                            ("silver", "4.1325"), ("none", "4.3500")])
def test_loan_rate(tier: str, rate: str) -> None:
    result = medals().evaluate("loan_rate", {"tier": tier, "base_loan_rate_percent": "4.35"})
    assert result.outcome == "pass"
    assert result.value == Decimal(rate)
    assert result.value.as_tuple().exponent == -4  # rounded to 4 places


def test_loan_rate_trace_shows_its_formula() -> None:
    # docs/format.md: "The trace of a computed value shows its formula with the numbers
    # substituted, before and after rounding" -- loan_rate computes in its cases
    result = medals().evaluate("loan_rate", facts_of("loan"))
    assert result.value == Decimal("7.3882")
    formula = re.compile(r"7\.777%? × 0\.95 = 7\.38815%? → 7\.3882%?")
    assert any(formula.search(n.detail or "") for n in result.trace.walk()), result.to_dict()
    for lang in ("en", "zh"):
        assert formula.search(result.explain(lang)), result.explain(lang)
