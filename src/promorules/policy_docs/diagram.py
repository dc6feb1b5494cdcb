"""Policy sheets, the diagrams: a rule tree (:mod:`.tree`) written as a Mermaid flowchart
for Markdown, or as inline SVG for HTML (laid out here: no script, no CDN).

The SVG layout is top-down and indented: the decision at the top, each rule on its own row
under the group that holds it, one column in per level, joined by elbow lines. A decision
with sixteen rules side by side stays as wide as its deepest branch, and every label keeps
its size. Every box shows the rule's kind and id, and a short text (a check's condition as
written, a group's logic); the rules a tier adds over the tier below are highlighted.
"""

from __future__ import annotations

import html
import unicodedata

from .tree import TreeNode

__all__ = ["to_mermaid", "to_svg"]

_BADGE = {"decision": "DECISION", "requires": "REQUIRES", "tier": "TIER", "all": "ALL",
          "any": "ANY", "not": "NOT", "check": "CHECK", "decision_ref": "DECISION",
          "tier_ref": "TIER REF"}
# (stroke, fill) by kind
_COLOURS = {"decision": ("#1f2328", "#eaeef2"), "requires": ("#57606a", "#f6f8fa"),
            "tier": ("#1a7f37", "#dafbe1"), "all": ("#0969da", "#ddf4ff"),
            "any": ("#bc4c00", "#fff1e5"), "not": ("#cf222e", "#ffebe9"),
            "check": ("#6e7781", "#ffffff"), "decision_ref": ("#8250df", "#fbefff"),
            "tier_ref": ("#1a7f37", "#ffffff")}
_ADDED = ("#9a6700", "#fff8c5")

# -- text widths: a monospace font, East Asian wide characters take two columns ----------


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` columns, with an ellipsis when cut."""
    if _columns(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = _columns(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


# -- Mermaid -------------------------------------------------------------------------------

_MERMAID_SHAPE = {"decision": ("{{", "}}"), "requires": ("[/", "/]"), "tier": ("([", "])"),
                  "all": ("(", ")"), "any": ("(", ")"), "not": ("(", ")"),
                  "check": ("[", "]"), "decision_ref": ("[[", "]]"), "tier_ref": ("[[", "]]")}
MERMAID_TEXT = 60  # columns of a node's short text in Mermaid


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: entity codes for what Mermaid or Markdown would
    read (``#`` first, as every code starts with it)."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                       ("&", "#amp;"), ("`", "#96;"), ("\n", " ")):
        text = text.replace(char, code)
    return text


def to_mermaid(tree: TreeNode) -> str:
    """The tree as a Mermaid flowchart (the text inside a ```` ```mermaid ```` fence):
    top-down, or left to right when a group holds more than six rules."""
    nodes = tree.walk()
    names = {id(n): f"n{i}" for i, n in enumerate(nodes)}
    wide = max(len(n.children) for n in nodes) > 6
    lines = [f"flowchart {'LR' if wide else 'TD'}"]
    for n in nodes:
        left, right = _MERMAID_SHAPE[n.kind]
        label = (f"{_BADGE[n.kind]} {_mermaid_text(n.ident)}<br/>"
                 f"{_mermaid_text(_clip(n.text, MERMAID_TEXT))}")
        lines.append(f'  {names[id(n)]}{left}"{label}"{right}')
    for parent, child in tree.edges():
        lines.append(f"  {names[id(parent)]} --> {names[id(child)]}")
    added = [names[id(n)] for n in nodes if n.added]
    if added:
        lines.append(f"  classDef added fill:{_ADDED[1]},stroke:{_ADDED[0]},stroke-width:2px")
        lines.append(f"  class {','.join(added)} added")
    return "\n".join(lines) + "\n"


# -- SVG -----------------------------------------------------------------------------------

FONT_SIZE = 12
CHAR_W = 7.3  # advance of a monospace character at FONT_SIZE (0.6em, rounded up)
SVG_TEXT = 84  # columns of a box's longest line
_BOX_H, _GAP, _INDENT, _MARGIN, _PAD = 40, 12, 28, 8, 8


def _depths(tree: TreeNode) -> list[tuple[TreeNode, int]]:
    out: list[tuple[TreeNode, int]] = []

    def walk(n: TreeNode, depth: int) -> None:
        out.append((n, depth))
        for c in n.children:
            walk(c, depth + 1)

    walk(tree, 0)
    return out


def to_svg(tree: TreeNode, title: str = "") -> str:
    """The tree as one inline ``<svg>`` element (no script, no external reference): the
    root at the top, each rule a box on its own row, indented under its group."""
    rows = _depths(tree)
    lines = {id(n): (f"{_BADGE[n.kind]} · {n.ident}" + (" · added" if n.added else ""),
                     _clip(n.text, SVG_TEXT)) for n, _ in rows}
    columns = max(_columns(t) for pair in lines.values() for t in pair)
    box_w = round(min(columns, SVG_TEXT) * CHAR_W + 2 * _PAD)
    width = 2 * _MARGIN + max(d for _, d in rows) * _INDENT + box_w
    height = 2 * _MARGIN + len(rows) * (_BOX_H + _GAP) - _GAP
    place = {id(n): (_MARGIN + d * _INDENT, _MARGIN + i * (_BOX_H + _GAP))
             for i, (n, d) in enumerate(rows)}
    label = html.escape(title or f"Rule tree of {tree.ident}", quote=True)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="rule-tree" role="img" '
           f'aria-label="{label}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="ui-monospace,SFMono-Regular,Menlo,'
           f'Consolas,monospace" font-size="{FONT_SIZE}">',
           f"<title>{label}</title>"]
    for parent, child in tree.edges():
        px, py = place[id(parent)]
        cx, cy = place[id(child)]
        x = px + _INDENT // 2
        out.append(f'<path d="M{x},{py + _BOX_H} V{cy + _BOX_H // 2} H{cx}" fill="none" '
                   'stroke="#8c959f" stroke-width="1.5"/>')
    for n, _ in rows:
        x, y = place[id(n)]
        stroke, fill = _ADDED if n.added else _COLOURS[n.kind]
        first, second = lines[id(n)]
        out.append(f'<g class="node {n.kind}{" added" if n.added else ""}" '
                   f'data-rule="{html.escape(n.ident, quote=True)}">'
                   f'<rect x="{x}" y="{y}" width="{box_w}" height="{_BOX_H}" rx="5" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if n.added else 1.2}"/>'
                   f'<text x="{x + _PAD}" y="{y + 16}" font-weight="bold" fill="{stroke}">'
                   f"{html.escape(first)}</text>"
                   f'<text x="{x + _PAD}" y="{y + 32}" fill="#1f2328">{html.escape(second)}'
                   "</text></g>")
    out.append("</svg>")
    return "\n".join(out)
