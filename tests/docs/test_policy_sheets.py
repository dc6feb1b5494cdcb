"""The committed policy sheets (docs/rulesets/<id>.md) are exactly what the shipped rulesets
and their examples generate, so a ruleset cannot change without its sheet; an HTML sheet
renders its rule-tree diagrams in headless Chromium."""

from __future__ import annotations

import difflib
import struct
import zlib
from pathlib import Path

import pytest

import promorules
from promorules.policy_docs import render_html, render_markdown, sheet_name
from promorules.policy_docs.tree import decision_tree

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("*.yaml")
                  if not p.name.endswith(".test.yaml"))
CHROMIUM = "/usr/bin/chromium"
REGENERATE = "promorules docs --all   (from the repository root)"


def test_every_shipped_ruleset_has_a_sheet() -> None:
    assert RULESETS
    sheets = {p.name for p in (ROOT / "docs" / "rulesets").glob("*.md")} - {"README.md"}
    expected = {sheet_name(promorules.load(p)) for p in RULESETS}
    assert sheets == expected, f"sheets out of step with rulesets/; regenerate: {REGENERATE}"


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_committed_sheet_is_up_to_date(path: Path) -> None:
    rs = promorules.load(path)
    sheet = ROOT / "docs" / "rulesets" / sheet_name(rs)
    expected = render_markdown(rs)
    assert sheet.is_file(), f"{sheet} is missing; generate it: {REGENERATE}"
    committed = sheet.read_text(encoding="utf-8")
    if committed != expected:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), expected.splitlines(keepends=True),
            str(sheet.relative_to(ROOT)), "generated", n=1))[:40])
        pytest.fail(f"{sheet.relative_to(ROOT)} is stale (the ruleset or its examples "
                    f"changed); regenerate it: {REGENERATE}\n{diff}", pytrace=False)


def test_html_sheet_renders_its_diagrams_in_chromium(tmp_path: Path) -> None:
    """The HTML sheet, opened in headless Chromium: each rule-tree SVG lays out with its
    rule ids as visible text, and a screenshot of it is a non-empty PNG."""
    sync_api = pytest.importorskip("playwright.sync_api")
    rs = promorules.load(ROOT / "rulesets" / "aliexpress_medals.yaml")
    page_file = tmp_path / "sheet.html"
    page_file.write_text(render_html(rs), encoding="utf-8")
    d = rs.ir.decisions["medal_tier"]
    tree = decision_tree(d)
    assert tree is not None
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 2000})
            page.goto(page_file.as_uri())
            svg = page.locator('svg.rule-tree[aria-label="Rule tree of medal_tier"]')
            box = svg.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 300
            shown = svg.locator("text").all_text_contents()
            for node in tree.walk():
                assert any(f"· {node.ident}" in t for t in shown), node.ident
            label = svg.locator("text", has_text="· mall_certified · added")
            assert label.bounding_box() is not None
            png = svg.screenshot()
        finally:
            browser.close()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 300 and height > 300
    # not a blank image: the boxes' fills and strokes differ from the page's white
    assert len(set(_png_pixels(png))) > 4


def _png_pixels(png: bytes) -> bytes:
    """The decompressed scanlines of a PNG (enough to tell a blank image)."""
    data, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(data)
