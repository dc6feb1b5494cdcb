"""Policy sheets: a ruleset rendered for the people who own the policy.

    promorules docs RULESET [-o FILE.md|FILE.html]
    promorules docs --all [--check]

A sheet gives the ruleset's title (English and Chinese), id, version, time zone and
sources; for each decision its description, source and rules as a table (id, description in
both languages, the condition as written, the parameters it uses with their values, the
citation), nested groups indented under their logic, tiers, decision tables, cases and
formulas; then the parameters, facts, lists and worked examples.

The sheet is built once as a small document tree (headings, paragraphs, tables of inline
spans) and written as Markdown or as a self-contained HTML page (inline CSS, no script,
every text escaped). The output depends only on the ruleset and its examples, so the
sheets committed under ``docs/rulesets/`` can be checked for staleness byte for byte.
"""

from __future__ import annotations

import enum
import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .diff import (
    cell_text,
    expr_text,
    literal_text,
    names_in,
    number_text,
    param_bounds,
    raw_data,
    rule_summary,
    spec_text,
)
from .examples import load_examples
from .facts import FactType
from .model import Decision, Expr, Param, Rule, ValueSpec
from .ruleset import Ruleset, load

__all__ = ["generate_all", "render_html", "render_markdown", "sheet_name"]

# -- a tiny document model -----------------------------------------------------------------

Span = tuple[str, str]  # (style, text): text, code, strong, em, br, indent (text: the
# depth) or ref (text: an id that is also a heading's anchor, shown as code and linked)
Cell = list[Span]


@attrs.frozen
class _Heading:
    level: int
    text: str
    anchor: str = ""


@attrs.frozen
class _Para:
    spans: Cell


@attrs.frozen
class _Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    css: str = ""


Block = _Heading | _Para | _Table


def _t(text: Any) -> Span:
    return ("text", str(text))


def _c(text: Any) -> Span:
    return ("code", str(text))


def _b(text: Any) -> Span:
    return ("strong", str(text))


def _i(text: Any) -> Span:
    return ("em", str(text))


_BR: Span = ("br", "")


# -- examples ------------------------------------------------------------------------------


@attrs.frozen
class ExampleRow:
    """What a sheet shows of an example."""

    name: str
    decision: str
    outcome: str
    value: Any = None
    has_value: bool = False
    failed: tuple[str, ...] | None = None


def _example_row(item: Any) -> ExampleRow:
    """An Example object (promorules.examples) or a plain mapping, as a row."""

    def get(obj: Any, key: str) -> Any:
        if isinstance(obj, Mapping):
            return obj.get(key)
        return getattr(obj, key, None)

    expect = get(item, "expect") or {}
    value = get(expect, "value")
    given = value is not None and not isinstance(value, enum.Enum)
    if isinstance(expect, Mapping):
        given = "value" in expect
    failed = get(expect, "failed")
    return ExampleRow(str(get(item, "name")), str(get(item, "decision")),
                      str(get(expect, "outcome")), value if given else None, given,
                      None if failed is None else tuple(str(f) for f in failed))


def load_example_rows(rs: Ruleset) -> list[ExampleRow]:
    """The examples of a ruleset loaded from a file: those under its ``examples:`` key and
    in its sibling ``NAME.test.yaml``."""
    path = Path(rs.source)
    if not path.is_file():
        return []
    return [_example_row(e) for e in load_examples(path)]


# -- building the sheet --------------------------------------------------------------------


_LOGIC = {"all": "all of the rules below must pass", "any": "at least one rule below must pass",
          "not": "the rule below must fail"}
_HIT = {"unique": "unique: exactly one row may match", "first": "first: the first matching row",
        "collect": "collect: the list of every matching row's value"}


def _rounding(rounding: Any) -> str:
    if rounding is None:
        return "no rounding"
    places = rounding.places
    return f"{places} decimal place{'s' * (places != 1)} ({rounding.mode.replace('_', ' ')})"


def _money(value: Any, ft: FactType | None) -> str:
    text = number_text(value)
    if ft is not None and ft.kind == "money" and ft.currency:
        return f"{text} {ft.currency}"
    if ft is not None and ft.kind == "percent":
        return f"{text}%"
    return text


class _Sheet:
    def __init__(self, rs: Ruleset, examples: Sequence[ExampleRow]) -> None:
        self.rs = rs
        self.m = rs.model
        self.raw = raw_data(rs)
        self.examples = examples
        self.blocks: list[Block] = []

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def para(self, *spans: Span) -> None:
        self.add(_Para(list(spans)))

    # -- the whole sheet -------------------------------------------------------------

    def build(self) -> list[Block]:
        m = self.m
        self.add(_Heading(1, f"{m.title.en} · {m.title.zh}", "top"))
        self.para(_i(f"Policy sheet generated from {os.path.basename(self.rs.source)} by "
                     "promorules docs; do not edit by hand."))
        meta: list[tuple[Cell, ...]] = [
            ([_t("Ruleset id")], [_c(m.id)]),
            ([_t("Version")], [_t(m.version)]),
            ([_t("Title")], [_t(m.title.en), _BR, _t(m.title.zh)]),
            ([_t("Time zone")], [_t(m.timezone.key)]),
        ]
        if m.effective_from is not None or m.effective_until is not None:
            meta.append(([_t("In force")], [_t(
                f"from {m.effective_from.isoformat() if m.effective_from else 'always'} "
                f"until {m.effective_until.isoformat() if m.effective_until else 'further notice'}"
            )]))
        meta.append(([_t("Decisions")], [_t(str(len(m.decisions)))]))
        self.add(_Table(("", ""), tuple(meta), "meta"))
        if m.description is not None:
            self.para(_t(m.description.en))
            self.para(_t(m.description.zh))
        self.sources()
        self.decision_index()
        for decision in m.decisions.values():
            self.decision(decision)
        self.params()
        self.facts()
        self.lists()
        self.examples_section()
        self.changelog()
        return self.blocks

    def sources(self) -> None:
        self.add(_Heading(2, "Sources", "sources"))
        rows = tuple(([_c(sid)], [_t(src.get("file", ""))], [_t(src.get("title", ""))])
                     for sid, src in self.m.sources.items())
        self.add(_Table(("Source", "File", "Title"), rows))

    def decision_index(self) -> None:
        self.add(_Heading(2, "Decisions", "decisions"))
        rows = []
        for d in self.m.decisions.values():
            rows.append(([("ref", d.id)], [_t(self.kind_text(d))], [_t(d.description.en)],
                          [_t(d.description.zh)], [_t(d.source or "")]))
        self.add(_Table(("Decision", "Kind", "Description", "中文", "Source"), tuple(rows)))

    @staticmethod
    def kind_text(d: Decision) -> str:
        if d.kind == "passfail":
            return "pass/fail" + (" with a value" if d.output is not None else "")
        kind = d.value.kind if d.value is not None else "value"
        names = {"compute": "formula", "cases": "cases", "lookup": "lookup", "collect": "list",
                 "fields": "fields", "literal": "constant", "tiers": "tiers",
                 "table": "decision table", "split": "split"}
        return f"value ({names.get(kind, kind)})"

    # -- one decision ----------------------------------------------------------------

    def decision(self, d: Decision) -> None:
        self.add(_Heading(3, d.id, d.id))
        self.para(_b(d.description.en), _BR, _t(d.description.zh))
        facts: list[Span] = []
        if d.source:
            facts += [_t("Source: "), _t(d.source)]
        if d.type:
            type_text = d.type + (f" ({d.currency})" if d.currency else "")
            facts += ([_t(" · ")] if facts else []) + [_t("Type: "), _t(type_text)]
        if d.rounding is not None:
            facts += ([_t(" · ")] if facts else []) + [
                _t(f"Rounded to {_rounding(d.rounding)}")]
        if facts:
            self.para(*facts)
        if d.requires:
            self.para(_t("Requires (all must pass, or the decision fails with no value):"))
            self.rule_table(list(d.requires))
        if d.kind == "passfail" and d.rule is not None:
            logic = _LOGIC.get(d.rule.kind, d.rule.kind)
            self.para(_b("Passes when"), _t(f" {logic}:"))
            self.rule_table(list(d.rule.children))
            if d.output is not None:
                self.para(_b("Value"), _t(" (given whatever the outcome):"))
                self.value(d.output, _i("no value"))
        elif d.value is not None:
            self.value(d.value, _i("no value (the decision fails)"))

    def value(self, spec: ValueSpec, nothing: Span) -> None:
        k = spec.kind
        if k == "compute":
            self.para(_t("Formula: "), _c(_written(spec.compute)))
        elif k == "literal":
            self.para(_t("Value: "), _c(literal_text(spec.literal)))
        elif k == "cases":
            rows: list[tuple[Cell, ...]] = [
                ([_t(str(n))], [_c(_written(c.when))], self.spec_cell(c.value))
                for n, c in enumerate(spec.cases, 1)]
            rows.append(([_t("otherwise")], [_t("no case applies")],
                         self.spec_cell(spec.default) if spec.default is not None
                         else [nothing]))
            self.para(_t("The first case whose condition holds gives the value:"))
            self.add(_Table(("#", "When", "Value"), tuple(rows)))
        elif k == "collect":
            rows = [([_t(str(n))], [_c(_written(c.when))], self.spec_cell(c.value))
                    for n, c in enumerate(spec.cases, 1)]
            self.para(_t("A list of the items whose condition holds, in this order:"))
            self.add(_Table(("#", "When", "Adds"), tuple(rows)))
        elif k == "lookup":
            self.para(_t("Looked up by "), _c(_written(spec.key)), _t(":"))
            rows = [([_c(key)], [_c(literal_text(v))]) for key, v in spec.table.items()]
            rows.append(([_t("any other")], self.spec_cell(spec.default)
                         if spec.default is not None else [nothing]))
            self.add(_Table(("Key", "Value"), tuple(rows)))
        elif k == "fields":
            rows = [([_c(name)], self.spec_cell(f)) for name, f in spec.fields.items()]
            self.para(_t("A mapping of:"))
            self.add(_Table(("Field", "Value"), tuple(rows)))
        elif k == "tiers":
            default = (literal_text(spec.default.literal) if spec.default is not None
                       and spec.default.kind == "literal" else spec_text(spec.default))
            self.para(_t("The highest tier whose requirements hold, from the lowest: "),
                      *self.join([_c(t.id) for t in spec.tiers], " < "),
                      _t("; when none holds: "), _c(default), _t("."))
            self.rule_table(list(spec.tiers), tiers=True)
        elif k == "table":
            self.decision_table(spec)
        elif k == "split":
            self.para(_t("Splits "), _c(_written(spec.compute)),
                      _t(f" into parts; every part but the last is rounded to "
                         f"{_rounding(spec.rounding)}, and the last takes the remainder:"))
            rows = [([_c(n)], [_t(f"{v}%")]) for n, v in spec.parts]
            self.add(_Table(("Part", "Share"), tuple(rows)))
        used = self.used_params(_spec_exprs(spec), _t("; "))
        if used:
            self.para(_t("Uses: "), *used)

    def spec_cell(self, spec: ValueSpec | None) -> Cell:
        if spec is None:
            return [_i("none")]
        if spec.kind == "literal":
            return [_c(literal_text(spec.literal))]
        if spec.kind == "compute":
            return [_c(_written(spec.compute))]
        return [_c(spec_text(spec))]

    @staticmethod
    def join(spans: list[Span], sep: str) -> list[Span]:
        out: list[Span] = []
        for n, s in enumerate(spans):
            if n:
                out.append(_t(sep))
            out.append(s)
        return out

    def decision_table(self, spec: ValueSpec) -> None:
        inputs = [expr_text(i) for i in spec.inputs]
        self.para(_t("Decision table, hit policy "), _t(_HIT.get(spec.hit_policy,
                                                                spec.hit_policy)), _t("."))
        rows: list[tuple[Cell, ...]] = []
        for r in spec.rows:
            cells = [[_c(cell_text(c))] for c in r.cells] or [[_t("?")] for _ in inputs]
            rows.append(([_c(r.id)], *cells, [_c(literal_text(r.then))],
                         [_t(r.description.en if r.description else "")],
                         [_t(r.description.zh if r.description else "")],
                         [_t(r.source or "")]))
        if spec.default is not None:
            rows.append(([_t("otherwise")], *[[_t("-")] for _ in inputs],
                          self.spec_cell(spec.default), [_t("")], [_t("")], [_t("")]))
        self.add(_Table(("Row", *inputs, "Then", "Description", "中文", "Source"),
                        tuple(rows)))

    # -- rules -----------------------------------------------------------------------

    def rule_table(self, rules: list[Rule], tiers: bool = False) -> None:
        rows: list[tuple[Cell, ...]] = []

        def walk(rule: Rule, depth: int, is_tier: bool) -> None:
            ident: Cell = ([("indent", str(depth))] if depth else []) + [_c(rule.id)]
            rows.append((ident, [_t(rule.description.en)], [_t(rule.description.zh)],
                         self.condition(rule, is_tier), self.used_params(_rule_exprs(rule)),
                         [_t(rule.source or "")]))
            for child in rule.children:
                walk(child, depth + 1, False)

        for rule in rules:
            walk(rule, 0, tiers)
        self.add(_Table(("Rule", "Description", "中文", "Condition", "Parameters / lists",
                         "Source"),
                        tuple(rows), "rules"))

    def condition(self, rule: Rule, is_tier: bool) -> Cell:
        cell: Cell = []
        if is_tier:
            cell += [_t("gives "), _c(rule.id), _t(" when:"), _BR]
        if rule.kind == "check":
            cell.append(_c(_written(rule.check)))
        elif rule.kind in _LOGIC:
            words = {"all": "all of:", "any": "any of:", "not": "must fail:"}[rule.kind]
            cell += [_b(words), _t(" " + ", ".join(c.id for c in rule.children))]
        elif rule.kind == "decision":
            cell += [_t("decision "), _c(rule.decision), _t(" passes")]
        elif rule.kind == "tier":
            cell += [_t("tier "), _c(rule.decision), _t(" is reached")]
        else:  # pragma: no cover - every rule kind is above
            cell.append(_t(rule_summary(rule)))
        if rule.applies_when is not None:
            cell += [_BR, _i("applies when "), _c(_written(rule.applies_when))]
        if rule.severity != "error":
            cell += [_BR, _i(f"{rule.severity} only: does not fail the decision")]
        return cell

    def used_params(self, exprs: Iterable[Expr | None], sep: Span = _BR) -> Cell:
        names: dict[str, None] = {}
        for e in exprs:
            for n in names_in(e):
                names.setdefault(n)
        cell: Cell = []
        for n in names:
            if n in self.m.params:
                p = self.m.params[n]
                text = f" = {_money(p.value, p.type)}"
            elif n in self.m.lists:
                count = len(self.m.lists[n].items)
                text = f" (list of {count} item{'s' * (count != 1)})"
            else:
                continue
            if cell:
                cell.append(sep)
            cell += [_c(n), _t(text)]
        return cell

    # -- declarations ----------------------------------------------------------------

    def params(self) -> None:
        if not self.m.params:
            return
        self.add(_Heading(2, "Parameters", "parameters"))
        self.para(_t("Declared thresholds a service may override when it loads the ruleset "
                     "(within the range)."))
        rows = []
        for p in self.m.params.values():
            rows.append(([_c(p.name)], [_t(_money(p.value, p.type))],
                         [_t(_money(p.default, p.type))], self.param_range(p),
                         [_t(p.description.en if p.description else "")],
                         [_t(p.description.zh if p.description else "")],
                         [_t(p.source or "")]))
        self.add(_Table(("Parameter", "Value", "Default", "Range", "Description", "中文",
                         "Source"), tuple(rows)))

    def param_range(self, p: Param) -> Cell:
        lo, hi = param_bounds(p, self.raw)

        def bound(v: Any) -> Span:
            return _c(v) if isinstance(v, str) else _t(_money(v, p.type))

        if lo is not None and hi is not None:
            return [bound(lo), _t(" to "), bound(hi)]
        if lo is not None:
            return [_t("≥ "), bound(lo)]
        if hi is not None:
            return [_t("≤ "), bound(hi)]
        return [_t("any")]

    def facts(self) -> None:
        self.add(_Heading(2, "Facts", "facts"))
        rows = []
        for f in self.m.facts.values():
            type_text = f"list of {f.item_kind}" if f.kind == "list" else f.kind
            if f.currency:
                type_text += f" ({f.currency})"
            rows.append(([_c(f.name)], [_t(type_text)], self.fact_range(f),
                         [_t(f.description.en if f.description else "")],
                         [_t(f.description.zh if f.description else "")]))
        self.add(_Table(("Fact", "Type", "Range / values", "Description", "中文"),
                        tuple(rows)))

    @staticmethod
    def fact_range(f: FactType) -> Cell:
        cell: Cell = []
        if f.values:
            sep = " < " if f.kind == "ordinal" else ", "
            cell += _Sheet.join([_c(v) for v in f.values], sep)
        if f.minimum is not None and f.maximum is not None:
            cell.append(_t(f"{number_text(f.minimum)} to {number_text(f.maximum)}"))
        elif f.minimum is not None:
            cell.append(_t(f"≥ {number_text(f.minimum)}"))
        elif f.maximum is not None:
            cell.append(_t(f"≤ {number_text(f.maximum)}"))
        if f.step is not None:
            cell.append(_t(f", step {number_text(f.step)}"))
        if f.unit:
            cell.append(_t(f" ({f.unit})"))
        return cell

    def lists(self) -> None:
        if not self.m.lists:
            return
        self.add(_Heading(2, "Lists", "lists"))
        rows = []
        for lst in self.m.lists.values():
            rows.append(([_c(lst.name)], [_t(", ".join(literal_text(i) for i in lst.items))],
                         [_t(lst.description.en if lst.description else "")],
                         [_t(lst.description.zh if lst.description else "")],
                         [_t(lst.source or "")]))
        self.add(_Table(("List", "Items", "Description", "中文", "Source"), tuple(rows)))

    def examples_section(self) -> None:
        if not self.examples:
            return
        self.add(_Heading(2, "Examples", "examples"))
        self.para(_t(f"{len(self.examples)} worked example"
                     f"{'s' * (len(self.examples) != 1)}, checked by "), _c("promorules test"),
                  _t("."))
        rows = []
        for e in self.examples:
            expected: Cell = [_b(e.outcome)]
            if e.has_value:
                expected += [_t(" value "), _c(literal_text(e.value))]
            if e.failed:
                expected += [_t(" failed "), _c(", ".join(e.failed))]
            rows.append(([_t(e.name)], [_c(e.decision)], expected))
        self.add(_Table(("Example", "Decision", "Expected"), tuple(rows)))

    def changelog(self) -> None:
        if not self.m.changelog:
            return
        self.add(_Heading(2, "Changelog", "changelog"))
        rows = []
        for entry in self.m.changelog:
            changes = entry.get("changes") or []
            cell: Cell = []
            for n, c in enumerate(changes if isinstance(changes, list) else [changes]):
                if n:
                    cell.append(_BR)
                cell.append(_t(literal_text(c)))
            rows.append(([_t(literal_text(entry.get("version", "")))],
                         [_t(literal_text(entry.get("date", "")))], cell))
        self.add(_Table(("Version", "Date", "Changes"), tuple(rows)))


def _written(expr: Expr | None) -> str:
    """An expression as the ruleset writes it (whitespace folded), for readers."""
    return " ".join(expr.text.split()) if expr is not None else ""


def _rule_exprs(rule: Rule) -> list[Expr | None]:
    return [rule.check, rule.applies_when]


def _spec_exprs(spec: ValueSpec | None) -> list[Expr | None]:
    if spec is None:
        return []
    out: list[Expr | None] = [spec.compute, spec.key, *spec.inputs]
    for c in spec.cases:
        out.append(c.when)
        out += _spec_exprs(c.value)
    out += _spec_exprs(spec.default)
    for f in spec.fields.values():
        out += _spec_exprs(f)
    return out


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


def _to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, _Heading):
            out.append("#" * b.level + " " + _md_text(b.text))
        elif isinstance(b, _Para):
            out.append(_md_spans(b.spans))
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


def _to_html(blocks: list[Block], title: str, lang: str = "en") -> str:
    body: list[str] = []
    for b in blocks:
        if isinstance(b, _Heading):
            anchor = f' id="{html.escape(b.anchor)}"' if b.anchor else ""
            body.append(f"<h{b.level}{anchor}>{html.escape(b.text)}</h{b.level}>")
        elif isinstance(b, _Para):
            body.append(f"<p>{_html_spans(b.spans)}</p>")
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


def _rows(rs: Ruleset, examples: Iterable[Any] | None) -> list[ExampleRow]:
    if examples is None:
        return load_example_rows(rs)
    return [e if isinstance(e, ExampleRow) else _example_row(e) for e in examples]


def render_markdown(rs: Ruleset, examples: Iterable[Any] | None = None) -> str:
    """The policy sheet of ``rs`` as Markdown (GitHub flavoured tables).

    ``examples``: Example objects (``promorules.examples``) or mappings with ``name``,
    ``decision`` and ``expect``; None reads the ruleset's own (its ``examples:`` key and
    its sibling ``NAME.test.yaml``); ``[]`` leaves the section out.
    """
    return _to_markdown(_Sheet(rs, _rows(rs, examples)).build())


def render_html(rs: Ruleset, examples: Iterable[Any] | None = None) -> str:
    """The policy sheet of ``rs`` as one self-contained HTML page (inline CSS, no script,
    every text escaped)."""
    blocks = _Sheet(rs, _rows(rs, examples)).build()
    return _to_html(blocks, f"{rs.model.title.en} · {rs.model.title.zh} ({rs.id} {rs.version})")


# -- regenerating the shipped sheets -------------------------------------------------------


def sheet_name(rs: Ruleset) -> str:
    """The committed sheet's file name: ``<id>.md``."""
    return f"{rs.id}.md"


def _ruleset_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(".test.yaml"))


def generate_all(rulesets_dir: str | os.PathLike[str] = "rulesets",
                 out_dir: str | os.PathLike[str] = "docs/rulesets", *, check: bool = False
                 ) -> list[tuple[Path, bool]]:
    """Write (or with ``check`` only compare) the Markdown sheet of every ruleset in
    ``rulesets_dir`` (``*.yaml`` except ``*.test.yaml``) to ``out_dir/<id>.md``.

    Returns ``(sheet path, up to date before this call)`` for each ruleset.
    """
    out = Path(out_dir)
    results: list[tuple[Path, bool]] = []
    for path in _ruleset_files(Path(rulesets_dir)):
        rs = load(path)
        text = render_markdown(rs)
        target = out / sheet_name(rs)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        fresh = current == text
        if not check and not fresh:
            out.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        results.append((target, fresh))
    return results
