"""Policy sheets, the document: a tiny document model and its Markdown and HTML writers.

A sheet is built once as blocks (headings, paragraphs, tables of inline spans) and written
as Markdown (GitHub flavoured tables) or as a self-contained HTML page (inline CSS, no
script, every text escaped).
"""

from __future__ import annotations

import html
from typing import Any

import attrs

from .diagram import to_mermaid, to_svg
from .tree import TreeNode

__all__ = ["BR", "Block", "Cell", "Diagram", "Heading", "Para", "Span", "Table", "bold",
           "code", "em", "to_html", "to_markdown", "txt"]

# -- a tiny document model -----------------------------------------------------------------

Span = tuple[str, str]  # (style, text): text, code, strong, em, br, indent (text: the
# depth) or ref (text: an id that is also a heading's anchor, shown as code and linked)
Cell = list[Span]


@attrs.frozen
class Heading:
    """A heading (level 1-3), with the anchor links point to."""

    level: int
    text: str
    anchor: str = ""


@attrs.frozen
class Para:
    """A paragraph of spans."""

    spans: Cell


@attrs.frozen
class Table:
    """A table: header texts and rows of cells (``css``: the HTML class)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    css: str = ""


@attrs.frozen
class Diagram:
    """A rule tree: a Mermaid flowchart in Markdown, inline SVG in HTML."""

    tree: TreeNode
    title: str


Block = Heading | Para | Table | Diagram


def txt(text: Any) -> Span:
    """Plain text."""
    return ("text", str(text))


def code(text: Any) -> Span:
    """Code (an id, an expression, a value)."""
    return ("code", str(text))


def bold(text: Any) -> Span:
    """Strong text."""
    return ("strong", str(text))


def em(text: Any) -> Span:
    """Emphasised text."""
    return ("em", str(text))


BR: Span = ("br", "")


# -- writers -------------------------------------------------------------------------------


def _md_text(text: str) -> str:
    """Text in Markdown: no HTML (``<`` is an entity; ``>`` is harmless mid-line and kept
    readable), no table or emphasis syntax."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
    text = text.replace("|", "\\|").replace("*", "\\*").replace("`", "\\`")
    text = text.replace("[", "\\[").replace("]", "\\]")
    return " ".join(text.split("\n"))


def _md_code(text: str) -> str:
    text = " ".join(text.split("\n")).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_spans(spans: Cell) -> str:
    out = []
    for style, text in spans:
        if style == "code":
            out.append(_md_code(text))
        elif style in ("strong", "em"):
            mark = "**" if style == "strong" else "*"
            core = text.strip()  # emphasis markers must touch the text
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            out.append(f"{lead}{mark}{_md_text(core)}{mark}{trail}" if core
                       else _md_text(text))
        elif style == "br":
            out.append("<br>")
        elif style == "indent":
            out.append("&nbsp;&nbsp;&nbsp;&nbsp;" * (int(text) - 1) + "↳ ")
        elif style == "ref":
            out.append(f"[{_md_code(text)}](#{text})")
        else:
            out.append(_md_text(text))
    return "".join(out)


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + _md_text(b.text))
        elif isinstance(b, Para):
            out.append(_md_spans(b.spans))
        elif isinstance(b, Diagram):
            out.append("```mermaid\n" + to_mermaid(b.tree) + "```")
        else:
            header = "| " + " | ".join(_md_text(h) for h in b.header) + " |"
            lines = [header, "|" + "---|" * len(b.header)]
            for row in b.rows:
                lines.append("| " + " | ".join(_md_spans(c) for c in row) + " |")
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


_CSS = """\
body{font-family:-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",\
sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1f2328;line-height:1.5}
h1{border-bottom:2px solid #d0d7de;padding-bottom:.3em}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em;width:100%}
th,td{border:1px solid #d0d7de;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}
table.meta{width:auto}
table.meta td:first-child{font-weight:600}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95em;\
background:#f3f4f6;padding:.1em .3em;border-radius:4px}
.indent{color:#57606a}
figure.diagram{margin:.6em 0 1.2em;overflow-x:auto}
figure.diagram svg{display:block}
em{color:#57606a}
@media print{body{margin:0;max-width:none}}
"""


def _html_spans(spans: Cell) -> str:
    out = []
    for style, text in spans:
        if style == "code":
            out.append(f"<code>{html.escape(text)}</code>")
        elif style == "strong":
            out.append(f"<strong>{html.escape(text)}</strong>")
        elif style == "em":
            out.append(f"<em>{html.escape(text)}</em>")
        elif style == "br":
            out.append("<br>")
        elif style == "indent":
            depth = int(text)
            out.append(f'<span class="indent" style="padding-left:{(depth - 1) * 1.2:g}em">'
                       "↳ </span>")
        elif style == "ref":
            out.append(f'<a href="#{html.escape(text)}"><code>{html.escape(text)}</code></a>')
        else:
            out.append(html.escape(text))
    return "".join(out)


def to_html(blocks: list[Block], title: str, lang: str = "en") -> str:
    """The blocks as one self-contained HTML page."""
    body: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            anchor = f' id="{html.escape(b.anchor)}"' if b.anchor else ""
            body.append(f"<h{b.level}{anchor}>{html.escape(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            body.append(f"<p>{_html_spans(b.spans)}</p>")
        elif isinstance(b, Diagram):
            body.append(f'<figure class="diagram">\n{to_svg(b.tree, b.title)}\n</figure>')
        else:
            css = f' class="{b.css}"' if b.css else ""
            lines = [f"<table{css}>"]
            if any(b.header):
                lines.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>"
                                                     for h in b.header) + "</tr></thead>")
            lines.append("<tbody>")
            for row in b.rows:
                lines.append("<tr>" + "".join(f"<td>{_html_spans(c)}</td>" for c in row)
                             + "</tr>")
            lines.append("</tbody></table>")
            body.append("\n".join(lines))
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")

