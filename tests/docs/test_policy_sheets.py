"""The committed policy sheets (docs/rulesets/<id>.md) are exactly what the shipped rulesets
and their examples generate, so a ruleset cannot change without its sheet; an HTML sheet
renders its rule-tree diagrams in headless Chromium."""

from __future__ import annotations

import difflib
import html
import json
import re
import struct
import subprocess
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


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on its own throwaway profile (tests may run side by side)."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False)


# what the test page adds to the sheet: the laid-out size of every text of the diagrams
_MEASURE = """<script>
window.addEventListener("load", () => {
  const boxes = [...document.querySelectorAll("svg.rule-tree text")].map(t => {
    const b = t.getBBox(); return [t.textContent, b.width, b.height]; });
  const out = document.createElement("pre"); out.id = "boxes";
  out.textContent = JSON.stringify(boxes); document.body.append(out);
});
</script>"""


def test_html_sheet_renders_its_diagrams_in_chromium(tmp_path: Path) -> None:
    """The HTML sheet, in headless Chromium: a screenshot is a non-empty, non-blank PNG,
    and every box of a decision's rule tree is laid out with its rule id as text."""
    rs = promorules.load(ROOT / "rulesets" / "aliexpress_medals.yaml")
    page = render_html(rs)
    sheet = tmp_path / "sheet.html"
    sheet.write_text(page, encoding="utf-8")
    shot = tmp_path / "sheet.png"
    done = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2000",
                     sheet.as_uri())
    assert shot.is_file(), done.stderr
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 2000)
    assert len(set(_png_pixels(png))) > 16  # not a blank page

    measured = tmp_path / "measured.html"
    measured.write_text(page.replace("</body>", _MEASURE + "\n</body>"), encoding="utf-8")
    done = _chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000",
                     measured.as_uri())
    found = re.search(r'<pre id="boxes">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    boxes = json.loads(html.unescape(found.group(1)))
    shown = {text: (w, h) for text, w, h in boxes}
    tree = decision_tree(rs.ir.decisions["medal_tier"])
    assert tree is not None
    for node in tree.walk():
        label = next((t for t in shown if t.endswith(f"· {node.ident}")
                      or f"· {node.ident} ·" in t), None)
        assert label is not None, node.ident
        width, height = shown[label]
        assert width > 50 and height > 8, (label, width, height)


def _png_pixels(png: bytes) -> bytes:
    """The decompressed scanlines of a PNG (enough to tell a blank image)."""
    data, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(data)
