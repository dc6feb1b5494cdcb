"""Golden tests: the explanation texts (English and Chinese) and the to_dict() JSON of every
example of examples/1688_spring/ with every decision its README names, at
as_of = 2024-03-01T12:00:00+08:00.

The expected files live in tests/golden/1688_spring/<example>__<decision>.{en.txt,zh.txt,json}
(and .zh-Hant.txt, the Traditional-script explanation, for the cases of HANT).

To regenerate them after an intended change of wording or output, run

    PROMORULES_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden tests/rulesets

which writes the files instead of comparing (the tests then pass); review the diff with
`git diff tests/golden` before committing. The README's expected outcomes, failed
rules and values are checked separately (test_readme_expectations), so regenerating can
never silently accept a wrong decision.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest

import promorules
import shipped_rulesets
from golden_files import Golden

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "1688_spring"
GOLDEN = Golden("1688_spring")
AS_OF = "2024-03-01T12:00:00+08:00"

RS = shipped_rulesets.load("1688_spring")

BENEFITS = ["yanxuan_badge", "quality_main_image_chance", "search_recommend_boost",
            "venue_exposure", "channel_priority", "plus_member_support", "plus_red_packet"]

# (example, decision, outcome, failed rule ids, value) as examples/1688_spring/README.md says
CASES: list[tuple[str, str, str, list[str], Any]] = [
    ("merchant_ok", "merchant_eligibility", "pass", [], None),
    ("merchant_low_deposit", "merchant_eligibility", "fail", ["deposit"], None),
    ("product_ok", "product_eligibility", "pass", [], None),
    ("product_ok", "yanxuan_entry", "pass", [], None),
    ("product_bad", "product_eligibility", "fail", ["price_pc", "title_words"], None),
    ("registration_ok", "registration", "pass", [], None),
    ("registration_ok", "free_shipping_required", "pass", [], True),
    ("registration_ok", "review_due", "pass", [], "2024-03-06"),
    ("registration_ok", "benefits", "pass", [], BENEFITS),
    ("registration_late", "registration", "fail", ["registration_window"], None),
    ("registration_late", "free_shipping_required", "pass", [], False),
    ("registration_late", "review_due", "pass", [], "2024-03-11"),
    ("registration_late", "benefits", "pass", [], []),
]
IDS = [f"{example}__{decision}" for example, decision, *_ in CASES]
# the cases also pinned in Traditional script (lang="zh-Hant"): failed rules with the
# document's own wording and list items, and a formula with a working-day computation
HANT = [("merchant_low_deposit", "merchant_eligibility"),
        ("product_bad", "product_eligibility"), ("registration_ok", "review_due")]


def evaluate(example: str, decision: str) -> promorules.Result:
    facts = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    return RS.evaluate(decision, facts, as_of=AS_OF)


def test_cases_are_the_readme_table() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([a-z_]+)\.json`\s*\|\s*`([a-z_]+)`\s*\|", readme, re.M)
    assert rows, "the README's table was not found"
    assert sorted(rows) == sorted((e, d) for e, d, *_ in CASES)


@pytest.mark.parametrize(("example", "decision", "outcome", "failed", "value"), CASES, ids=IDS)
def test_readme_expectations(example: str, decision: str, outcome: str, failed: list[str],
                             value: Any) -> None:
    result = evaluate(example, decision)
    assert str(result.outcome) == outcome
    assert [r.rule_id for r in result.failed] == failed
    assert result.to_dict()["value"] == value
    assert result.missing == ()


def test_readme_gaps() -> None:
    (deposit,) = evaluate("merchant_low_deposit", "merchant_eligibility").failed
    assert (str(deposit.actual["buyer_protection_deposit"]), deposit.expected,
            str(deposit.gap)) == ("2999.99", ">= 3000", "0.01")
    price, title = evaluate("product_bad", "product_eligibility").failed
    assert price.gap is not None and str(price.gap) == "1.00"
    assert title.detail is not None and "最低價" in title.detail


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("example", "decision"), [c[:2] for c in CASES], ids=IDS)
def test_explanation_golden(example: str, decision: str, lang: str) -> None:
    text = evaluate(example, decision).explain(lang)
    GOLDEN.check_text(f"{example}__{decision}.{lang}.txt", text)


@pytest.mark.parametrize(("example", "decision"), HANT, ids=[f"{e}__{d}" for e, d in HANT])
def test_explanation_golden_traditional(example: str, decision: str) -> None:
    text = evaluate(example, decision).explain("zh-Hant")
    GOLDEN.check_text(f"{example}__{decision}.zh-Hant.txt", text)


def test_no_stale_golden_files() -> None:
    expected = {f"{name}.{ext}" for name in IDS for ext in ("en.txt", "zh.txt", "json")}
    expected |= {f"{e}__{d}.zh-Hant.txt" for e, d in HANT}
    GOLDEN.assert_no_stale(expected)


@pytest.mark.parametrize(("example", "decision"), [c[:2] for c in CASES], ids=IDS)
def test_to_dict_golden(example: str, decision: str) -> None:
    GOLDEN.check_json(f"{example}__{decision}.json", evaluate(example, decision).to_dict())
