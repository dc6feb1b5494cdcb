"""The playground page end to end: a real server on localhost, headless Chromium from the
system packages, driven by Playwright. One analyst's session: pick a ruleset and a
decision, fill the form, see the result change as they type, switch to Chinese, turn what
they tried into a test example, and break the YAML in the editor."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import promorules
from promorules.examples import load_examples, run_examples

from .playground_support import EXAMPLES, RULESETS, make_app, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSING = json.loads((EXAMPLES / "1688_spring" / "merchant_ok.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(make_app(RULESETS)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    yield page
    context.close()
    assert errors == [], errors  # no uncaught JavaScript error during the session
    # works offline: every file and call is the server's own (no CDN, no web font)
    assert requests and all(r.startswith(url) for r in requests), requests


def fill_form(page: Page, facts: dict[str, Any]) -> None:
    """Fill every fact through its own control, as an analyst would."""
    for name, value in facts.items():
        field = page.locator(f"#fact-{name}")
        kind = field.get_attribute("data-kind")
        if kind == "boolean":
            # a checkbox starts "not sent" (indeterminate): click until it says the value
            for _ in range(3):
                if field.evaluate("(e, v) => !e.indeterminate && e.checked === v", value):
                    break
                field.click()
            assert field.evaluate("(e, v) => !e.indeterminate && e.checked === v", value)
        elif kind in ("enum", "ordinal"):
            field.select_option(str(value))
        else:
            field.fill(str(value))


def edit_yaml(page: Page, find: str, replace: str, at: int = 0) -> None:
    """In the editor, select the first ``find`` from its ``at``-th character on (to its
    end, or one character when ``at`` is given), and type ``replace`` over it."""
    editor = page.locator("#yaml")
    start = editor.input_value().index(find) + at
    end = start + (1 if at else len(find))
    editor.evaluate("(e, [a, b]) => { e.focus(); e.setSelectionRange(a, b); }", [start, end])
    page.keyboard.type(replace)


def test_an_analysts_session(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    # the picker lists the served rulesets; the form follows the decision's facts
    expect(page.locator("#ruleset option[value=aliexpress_medals]")).to_have_count(1)
    page.select_option("#ruleset", "1688_spring")
    page.select_option("#decision", "merchant_eligibility")
    expect(page.locator("#form .field")).to_have_count(17)
    deposit = page.locator(".field[data-fact=buyer_protection_deposit]")
    expect(deposit).to_contain_text("Buyer-protection deposit balance")  # en description
    expect(deposit).to_contain_text("買家保障服務保證金余額")  # and zh
    expect(deposit.locator(".unit")).to_have_text("CNY")
    expect(page.locator("#fact-trade_medal_level option")).to_have_count(7)  # not sent + 6

    # 1688_spring is no longer in force today: the page evaluates as of its last day
    expect(page.locator("#notice")).to_contain_text("2024-03-05T23:59:59")

    fill_form(page, PASSING)
    outcome = page.locator("#outcome")
    expect(outcome).to_have_text("PASS")
    expect(page.locator(".outcome")).to_have_class(re.compile(r"\bpass\b"))

    # one fen short of the deposit: FAIL, with the gap, as soon as the analyst types
    page.fill("#fact-buyer_protection_deposit", "2999.99")
    expect(outcome).to_have_text("FAIL")
    rule = page.locator(".rule[data-rule=deposit]")
    expect(rule.locator("dd.gap")).to_have_text("0.01 CNY")
    expect(rule.locator("dd.actual")).to_have_text("buyer_protection_deposit = 2999.99 CNY")
    expect(rule.locator("dd.expected")).to_have_text(">= 3000")
    expect(rule.locator("dd.source")).to_have_text("002_d8f09dc1866388ea.txt §四.6")
    expect(page.locator("#result")).to_contain_text("serious_fake_trade_history = false")

    # what was tried becomes a test example that `promorules test` runs and passes
    page.click("#copy-test")
    example = page.locator("#copied-text").input_value()
    folder = tmp_path_factory.mktemp("example")
    shutil.copy(RULESETS / "1688_spring.yaml", folder / "1688_spring.yaml")
    (folder / "1688_spring.test.yaml").write_text(example, encoding="utf-8")
    (loaded,) = load_examples(folder / "1688_spring.yaml")
    assert loaded.expect.outcome == "fail" and loaded.expect.failed == ("deposit",)
    (ran,) = run_examples(promorules.load(folder / "1688_spring.yaml"), [loaded])
    assert ran.ok, ran.problems
    page.click("#copy-facts")
    facts = json.loads(page.locator("#copied-text").input_value())
    assert facts == {**PASSING, "buyer_protection_deposit": "2999.99"}

    # Chinese: the labels, the outcome and the explanation
    page.click("#lang-zh")
    expect(outcome).to_have_text("不通过")
    expect(page.locator("#explanation")).to_contain_text("差距：0.01 CNY")
    expect(page.locator("[data-i18n=ruleset]")).to_have_text("规则集")
    expect(page.locator("#notice")).to_contain_text("今天不在有效期内")
    expect(rule.locator(".rdesc")).to_have_text("買家保障服務保證金余額不低于3000元")

    # the YAML editor: an unknown fact, marked at its line, and listed with line:column
    editor = page.locator("#yaml")
    text = editor.input_value()
    needle = "check: buyer_protection_deposit >= 3000"
    line = text[:text.index(needle)].count("\n") + 1
    edit_yaml(page, needle, needle + " and deposit_topped_up")
    expect(page.locator(f"#gutter div:nth-child({line})")).to_have_class("error")
    problem = page.locator(f"#problems li[data-line='{line}']")
    expect(problem).to_contain_text("PR301")
    expect(problem).to_contain_text("deposit_topped_up")
    column = text.split("\n")[line - 1].index(needle) + len(needle + " and ") + 1
    expect(problem.locator(".where")).to_have_text(f"L{line}:{column}")
    expect(page.locator("#editor-state")).to_have_text("本标签页中已修改")
    expect(page.locator(".outcome")).to_have_attribute("data-outcome", "error")
    problem.click()  # jumps to the line
    assert editor.evaluate("e => e.value.slice(0, e.selectionStart).split('\\n').length") == line

    # the screenshot, kept as an artifact
    shot = tmp_path_factory.mktemp("artifacts") / "playground.png"
    page.screenshot(path=str(shot), full_page=False)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_pasted_facts_a_bad_fact_and_an_edited_ruleset(page: Page) -> None:
    page.select_option("#ruleset", "1688_spring")
    page.select_option("#decision", "merchant_eligibility")
    # facts pasted as JSON fill the form
    page.click("#load-facts")
    page.fill("#paste-facts", json.dumps({**PASSING, "buyer_protection_deposit": "2999.99"}))
    page.click("#apply-facts")
    expect(page.locator("#outcome")).to_have_text("FAIL")
    expect(page.locator("#fact-trade_medal_level")).to_have_value("AA")
    assert page.locator("#fact-serious_fake_trade_3m").evaluate(
        "e => !e.indeterminate && !e.checked")

    # a fact the engine refuses is marked at its field, and typing goes on there
    points = page.locator("#fact-violation_points_year")
    field = page.locator(".field[data-fact=violation_points_year]")
    points.fill("twelve")
    expect(field).to_have_class(re.compile(r"\bbad\b"))
    expect(field.locator(".hint")).to_contain_text("is not a number")
    expect(points).to_be_focused()
    points.fill("12")
    expect(field).not_to_have_class(re.compile(r"\bbad\b"))
    expect(page.locator("#outcome")).to_have_text("FAIL")

    # the edited version decides; it is kept in this tab only, and reverted on demand
    edit_yaml(page, "buyer_protection_deposit >= 3000", "2", at=len("buyer_protection_deposit >= "))
    expect(page.locator("#editor-state")).to_have_text("edited in this tab")
    expect(page.locator("#outcome")).to_have_text("PASS")
    expect(page.locator("#check-summary")).to_have_class(re.compile(r"\bok\b"))
    stored = page.evaluate("sessionStorage.getItem('promorules.playground.yaml.1688_spring')")
    assert stored is not None and "buyer_protection_deposit >= 2000" in stored
    assert "buyer_protection_deposit >= 2000" not in (RULESETS / "1688_spring.yaml").read_text(
        "utf-8")
    page.click("#revert")
    expect(page.locator("#outcome")).to_have_text("FAIL")
    assert page.evaluate("sessionStorage.length") == 0

    # a value decision shows its value, and the default it took
    page.select_option("#decision", "free_shipping_required")
    expect(page.locator("#form .field")).to_have_count(2)
    expect(page.locator("#fact-destination_country")).to_have_attribute("placeholder",
                                                                       "default: CN")
    page.fill("#fact-destination_region", "海南")
    expect(page.locator("#value")).to_have_text("false")
    expect(page.locator("#result .chip")).to_have_text("destination_country = CN")
