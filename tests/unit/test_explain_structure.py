"""The explanation follows the rules' structure: the next tier's missing requirements as
nested any/all groups at every depth, the case, row or items a value came from, the as_of
instant, and gaps shown in the quantity's own terms (no percentage on counts, percentage
points on percent facts). English and Chinese (Simplified, and Traditional through
OpenCC)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

import promorules

ROOT = Path(__file__).resolve().parents[2]

NESTED = """\
id: nest
version: 1.0.0
title: {en: Nested, zh: 嵌套}
timezone: Asia/Shanghai
sources:
  "002": {file: 002_demo.txt, title: Demo document}
facts:
  amount: {type: money, currency: CNY, min: 0, description: {en: Amount, zh: 金额}}
  gold: {type: boolean, description: {en: Gold member, zh: 金卡会员}}
  items: {type: integer, min: 0, description: {en: Items, zh: 件数}}
  rate: {type: percent, description: {en: Rate, zh: 好评率}}
  age: {type: integer, min: 0, unit: years, description: {en: Age, zh: 年龄}}
decisions:
  free_shipping:
    description: {en: Free shipping, zh: 包邮}
    source: "002 §1"
    any:
      - {id: big_order, description: {en: Big order, zh: 大额订单}, source: "002 §1",
         check: amount >= 99}
      - {id: gold_member, description: {en: Gold member, zh: 金卡会员}, source: "002 §1",
         check: gold}
  shipping:
    description: {en: Shipping level, zh: 运费等级}
    source: "002 §2"
    tiers:
      - id: free_standard
        description: {en: Free standard shipping, zh: 免费标准配送}
        source: "002 §2"
        decision: free_shipping
    default: paid
  level:
    description: {en: Level, zh: 等级}
    source: "002 §2"
    tiers:
      - id: basic
        description: {en: Basic, zh: 基础}
        source: "002 §2"
        check: items >= 1
      - id: plus
        description: {en: Plus, zh: 高级}
        source: "002 §2"
        all:
          - id: paid_or_member
            description: {en: Big order or loyal member, zh: 大额订单或忠实会员}
            source: "002 §2"
            any:
              - {id: big_order2, description: {en: Big order, zh: 大额订单}, source: "002 §1",
                 check: amount >= 99}
              - id: loyal
                description: {en: Loyal gold member, zh: 忠实金卡会员}
                source: "002 §1"
                all:
                  - {id: gold2, description: {en: Gold member, zh: 金卡会员},
                     source: "002 §1", check: gold}
                  - {id: good_rate, description: {en: Good rate, zh: 好评率},
                     source: "002 §1", check: rate >= 95}
          - {id: many_items, description: {en: Many items, zh: 多件}, source: "002 §2",
             check: items >= 3}
          - {id: adult, description: {en: Adult, zh: 成年}, source: "002 §2",
             check: age >= 18}
    default: none
"""

FACTS = {"amount": 10, "gold": False, "items": 1, "rate": 93, "age": 17}


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.loads(NESTED, source="nest.yaml")


def section(text: str, start: str) -> list[str]:
    lines = text.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(start))
    return lines[i:]


def test_a_tier_written_as_a_decision_reference_lists_alternatives(
        rs: promorules.Ruleset) -> None:
    text = rs.evaluate("shipping", FACTS).explain()
    assert ("For free_standard, the next tier up, this is missing (any one of these is "
            "enough):") in text
    heads = [ln for ln in text.splitlines() if ln.startswith("  ") and " — " in ln]
    assert heads == ["  1. big_order — Big order", "  2. gold_member — Gold member"]


def test_nested_groups_say_how_they_combine_at_every_depth(rs: promorules.Ruleset) -> None:
    text = rs.evaluate("level", FACTS).explain()
    heads = [ln for ln in section(text, "For plus") if " — " in ln]
    assert heads == [
        "  1. adult — Adult",
        "  2. many_items — Many items",
        "  3. paid_or_member — Big order or loyal member (any one of these is enough)",
        "    3.1. big_order2 — Big order",
        "    3.2. loyal — Loyal gold member (all of these)",
        "      3.2.1. good_rate — Good rate",
        "      3.2.2. gold2 — Gold member",
    ]
    assert section(text, "For plus")[0] == "For plus, the next tier up, this is missing:"
    # the evidence of a nested leaf is indented with it
    assert "         gap: 2 percentage points" in text
    zh = rs.evaluate("level", FACTS).explain(lang="zh")
    assert "  3. paid_or_member — 大额订单或忠实会员（满足其中任一项即可）" in zh
    assert "    3.2. loyal — 忠实金卡会员（以下各项均需满足）" in zh
    hant = rs.evaluate("level", FACTS).explain(lang="zh-Hant")
    assert "（滿足其中任一項即可）" in hant and "2 個百分點" in hant


def test_a_met_part_of_a_group_is_not_listed(rs: promorules.Ruleset) -> None:
    # gold but a low rate: only the rate is missing from the loyal branch, so the branch
    # is that one requirement
    text = rs.evaluate("level", dict(FACTS, gold=True, items=5, age=30)).explain()
    heads = [ln for ln in section(text, "For plus") if " — " in ln]
    assert heads == ["  1. big_order2 — Big order", "  2. good_rate — Good rate"]
    assert "this is missing (any one of these is enough):" in text


def test_gaps_in_the_quantity_s_own_terms(rs: promorules.Ruleset) -> None:
    text = rs.evaluate("level", FACTS).explain()
    lines = text.splitlines()
    gaps = [ln.strip() for ln in lines if ln.strip().startswith("gap: ")]
    # age (integer, years): 1, no percentage; items (integer): 2; money: relative gap kept;
    # percent: percentage points
    assert gaps == ["gap: 1 years", "gap: 2", "gap: 89 CNY (90%)",
                    "gap: 2 percentage points"]
    assert "rate 93% is 2 percentage points short of the 95% needed for plus" in text
    assert "差距：2 个百分点" in rs.evaluate("level", FACTS).explain(lang="zh")
    one = rs.evaluate("level", dict(FACTS, rate=94)).explain()
    assert "gap: 1 percentage point\n" in one


@functools.cache
def shipped(name: str) -> promorules.Ruleset:
    return promorules.load(ROOT / "rulesets" / f"{name}.yaml")


def test_an_age_gap_on_a_shipped_ruleset_has_no_percentage() -> None:
    offline = shipped("offline_coop")
    facts = json.loads((ROOT / "examples" / "offline_coop" / "individual_17.json").read_text(
        encoding="utf-8"))
    result = offline.evaluate("individual_eligibility", facts)
    assert result.failed[0].relative_gap is not None  # still in the trace, for callers
    text = result.explain()
    assert "     gap: 1\n" in text and "(5.6%)" not in text


def test_as_of_is_shown_in_the_ruleset_s_time_zone(rs: promorules.Ruleset) -> None:
    text = rs.evaluate("level", FACTS, as_of="2024-03-01T10:00:00Z").explain()
    assert "as of: 2024-03-01T18:00:00+08:00 (Asia/Shanghai)" in text.splitlines()
    zh = rs.evaluate("level", FACTS, as_of="2024-03-01T10:00:00Z").explain(lang="zh")
    assert "评估时间：2024-03-01T18:00:00+08:00（Asia/Shanghai）" in zh.splitlines()
    # a decision that does not read the time, evaluated without as_of: nothing to show
    assert "as of" not in rs.evaluate("level", FACTS).explain()


@pytest.mark.parametrize(("ruleset", "decision", "example", "lang", "line"), [
    ("offline_coop", "termination", "termination_auto", "en",
     "applied: case_1 — when period_expired and not renewal_intended"),
    ("offline_coop", "termination", "termination_continue", "en",
     "applied: default — no case applied"),
    ("offline_coop", "termination", "termination_continue", "zh", "适用：default — 没有情形适用"),
    ("tmall_global", "recommended_operating_model", "brand_well_known", "en",
     'applied: row big_brands — when brand_profile in ["well_known", "high_end"]'),
    ("tmall_global", "recommended_operating_model", "brand_well_known", "zh-Hant",
     '適用：行 big_brands — 條件 brand_profile in ["well_known", "high_end"]'),
    ("1688_spring", "benefits", "registration_ok", "en",
     "applied: item_1, item_2, item_3, item_4, item_5, item_6, item_7 (7 of 7 items)"),
])
def test_a_value_says_which_case_row_or_items_applied(
        ruleset: str, decision: str, example: str, lang: str, line: str) -> None:
    rs = shipped(ruleset)
    facts = json.loads((ROOT / "examples" / ruleset / f"{example}.json").read_text(
        encoding="utf-8"))
    lines = rs.evaluate(decision, facts, as_of="2024-03-01").explain(lang=lang).splitlines()
    assert lines[3] == line  # right under the value
