"""Policy sheets' rule-tree diagrams (promorules.policy_docs.tree and .diagram): every rule
of every shipped decision is drawn, joined to the group that holds it, in the Mermaid of
the Markdown sheet and the SVG of the HTML sheet; a tier's additions over the tier below."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import promorules
from promorules import ir
from promorules.policy_docs import render_html, render_markdown
from promorules.policy_docs.diagram import to_mermaid, to_svg
from promorules.policy_docs.tree import TreeNode, decision_tree, tier_additions
from promorules.wording import sub_rules

ROOT = Path(__file__).resolve().parents[2]
PATHS = sorted(p for p in (ROOT / "rulesets").glob("*.yaml") if not p.name.endswith(".test.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def rulesets() -> dict[str, promorules.Ruleset]:
    return {p.stem: promorules.load(p) for p in PATHS}


def _rules(d: ir.Decision) -> list[ir.Rule]:
    roots = list(d.requires.rules) if d.requires is not None else []
    roots += [d.rule] if d.rule is not None else []
    if isinstance(d.value, ir.Tiers):
        roots += [t.rule for t in d.value.tiers]
    out: list[ir.Rule] = []

    def walk(r: ir.Rule) -> None:
        out.append(r)
        for c in sub_rules(r):
            walk(c)

    for r in roots:
        walk(r)
    return out


def _ir_edges(d: ir.Decision) -> set[tuple[str, str]]:
    return {(r.id, c.id) for r in _rules(d) for c in sub_rules(r)}


def _mermaid_graph(text: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """(node name -> rule id, edges as rule-id pairs) read back from a flowchart."""
    ids = {m.group(1): m.group(3) for m in
           re.finditer(r'^  (n\d+)\W+"([A-Z ]+) ([^<"]+)<br/>', text, re.M)}
    edges = {(ids[a], ids[b]) for a, b in re.findall(r"^  (n\d+) --> (n\d+)$", text, re.M)}
    return ids, edges


def test_every_rule_and_edge_is_in_the_mermaid_and_the_svg(
        rulesets: dict[str, promorules.Ruleset]) -> None:
    drawn = 0
    for rs in rulesets.values():
        for d in rs.ir.decisions.values():
            tree = decision_tree(d)
            rules = _rules(d)
            if not rules:
                assert tree is None, d.id
                continue
            assert tree is not None
            drawn += 1
            ids, edges = _mermaid_graph(to_mermaid(tree))
            assert set(ids.values()) >= {r.id for r in rules}, d.id
            assert edges >= _ir_edges(d), d.id
            assert len(ids) == len(tree.walk()) and len(edges) == len(tree.edges())
            svg = ET.fromstring(to_svg(tree))
            boxes = svg.findall(f"{SVG}g")
            assert {g.get("data-rule") for g in boxes} >= {r.id for r in rules}
            texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
            for r in rules:
                assert re.search(rf"· {re.escape(r.id)}\b", texts), (d.id, r.id)
            assert len(svg.findall(f"{SVG}path")) == len(tree.edges())
    assert drawn >= 15


def test_svg_edges_join_each_box_to_its_parent() -> None:
    tree = TreeNode("decision", "d", "root", (
        TreeNode("all", "g", "all of these must pass", (
            TreeNode("check", "a", "x >= 1"), TreeNode("check", "b", "y < 2"))),))
    svg = ET.fromstring(to_svg(tree))
    boxes = {g.get("data-rule"): g.find(f"{SVG}rect") for g in svg.findall(f"{SVG}g")}

    def box(name: str) -> tuple[float, float, float]:
        rect = boxes[name]
        assert rect is not None
        return float(rect.get("x", 0)), float(rect.get("y", 0)), float(rect.get("height", 0))

    ends = set()
    for path in svg.findall(f"{SVG}path"):
        m = re.fullmatch(r"M(\d+),(\d+) V(\d+) H(\d+)", path.get("d", ""))
        assert m
        x0, y0, ymid, x1 = map(int, m.groups())
        ends.add(((x0, y0), (x1, ymid)))
    for parent, child in (("d", "g"), ("g", "a"), ("g", "b")):
        px, py, h = box(parent)
        cx, cy, _ = box(child)
        assert cy > py and cx > px  # top-down, indented
        assert any(start[1] == py + h and end == (cx, cy + h // 2) for start, end in ends)


def test_labels_are_escaped_and_clipped() -> None:
    long = 'name == "<b>&#x" or ' + "x" * 200
    tree = TreeNode("decision", "d", "root", (TreeNode("check", "c`1", long),))
    mermaid = to_mermaid(tree)
    body = mermaid.replace("<br/>", "")
    assert "<" not in body and ">" not in body.replace("-->", "") and "`" not in body
    assert '"' not in body.replace('["', "").replace('"]', "").replace('{{"', "").replace(
        '"}}', "")
    assert "…" in mermaid
    svg = to_svg(tree)
    ET.fromstring(svg)  # well formed: the text is escaped
    assert "&lt;b&gt;" in svg and "<b>" not in svg and "…" in svg


def test_wide_groups_read_left_to_right(rulesets: dict[str, promorules.Ruleset]) -> None:
    d = rulesets["1688_spring"].ir.decisions["merchant_eligibility"]
    tree = decision_tree(d)
    assert tree is not None and to_mermaid(tree).startswith("flowchart LR")
    small = decision_tree(rulesets["1688_spring"].ir.decisions["registration"])
    assert small is not None and to_mermaid(small).startswith("flowchart TD")


def test_what_each_tier_adds(rulesets: dict[str, promorules.Ruleset]) -> None:
    d = rulesets["aliexpress_medals"].ir.decisions["medal_tier"]
    assert isinstance(d.value, ir.Tiers)
    adds = {a.tier: (a.below, [r for r, _ in a.added]) for a in tier_additions(d.value)}
    assert adds == {
        "silver": (None, ["silver_gmv_floor", "silver_gmv_threshold",
                          "silver_preferred_access"]),
        "gold": ("silver", ["gold_gmv_threshold"]),  # the floor and access are the same
        "mall": ("gold", ["mall_certified"]),  # tier gold holds gold's conditions
    }
    tree = decision_tree(d)
    assert tree is not None
    assert {n.ident for n in tree.walk() if n.added} == {"gold_gmv_threshold", "mall_certified"}
    assert "class n9,n13 added" in to_mermaid(tree)


def test_sheets_carry_the_diagrams(rulesets: dict[str, promorules.Ruleset]) -> None:
    rs = rulesets["aliexpress_medals"]
    md = render_markdown(rs, [])
    assert md.count("```mermaid\nflowchart") == sum(
        decision_tree(d) is not None for d in rs.ir.decisions.values())
    assert "| `mall` | `gold` | `mall_certified`: `mall_certified` |" in md
    page = render_html(rs, [])
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="rule-tree"') == md.count(
        "```mermaid")
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
