"""Policy sheets, the content: a ruleset's sheet built as document blocks.

A visitor over the ruleset's typed IR (each decision's rules and values) for the
decisions, and over the model's declarations for the parameters (with bounds that name
another parameter), facts and lists; every expression, value and rule is worded by
:mod:`promorules.wording`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import attrs

from ..facts import FactType
from ..model import Param
from ..ruleset import Ruleset
from ..wording import literal_text, number_text, value_text
from .decisions import DecisionBlocks, join, kind_text
from .document import BR, Block, Cell, Heading, Para, Span, Table, bold, code, em, txt

__all__ = ["ExampleRow", "Sheet"]


@attrs.frozen
class ExampleRow:
    """What a sheet shows of an example."""

    name: str
    decision: str
    outcome: str
    value: Any = None
    has_value: bool = False
    failed: tuple[str, ...] | None = None


def match_note(match: str) -> Span:
    """How a fact's or list's text is compared, when not exactly (``match: chinese``)."""
    if match == "chinese":
        return txt("matched in either Chinese script and width (match: chinese)")
    return txt(f"match: {match}")


# -- building the sheet --------------------------------------------------------------------


class Sheet:
    """Builds the policy sheet of a ruleset as document blocks."""

    def __init__(self, rs: Ruleset, examples: Sequence[ExampleRow]) -> None:
        self.rs = rs
        self.m = rs.model
        self.ir = rs.ir
        self.examples = examples
        self.blocks: list[Block] = []

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def para(self, *spans: Span) -> None:
        self.add(Para(list(spans)))

    # -- the whole sheet -------------------------------------------------------------

    def build(self) -> list[Block]:
        """The whole sheet."""
        m = self.m
        self.add(Heading(1, f"{m.title.en} · {m.title.zh}", "top"))
        self.para(em(f"Policy sheet generated from {os.path.basename(self.rs.source)} by "
                     "promorules docs; do not edit by hand."))
        meta: list[tuple[Cell, ...]] = [
            ([txt("Ruleset id")], [code(m.id)]),
            ([txt("Version")], [txt(m.version)]),
            ([txt("Title")], [txt(m.title.en), BR, txt(m.title.zh)]),
            ([txt("Time zone")], [txt(m.timezone.key)]),
        ]
        if m.effective_from is not None or m.effective_until is not None:
            meta.append(([txt("In force")], [txt(
                f"from {m.effective_from.isoformat() if m.effective_from else 'always'} "
                f"until {m.effective_until.isoformat() if m.effective_until else 'further notice'}"
            )]))
        meta.append(([txt("Decisions")], [txt(str(len(m.decisions)))]))
        self.add(Table(("", ""), tuple(meta), "meta"))
        if m.description is not None:
            self.para(txt(m.description.en))
            self.para(txt(m.description.zh))
        self.sources()
        self.decision_index()
        decisions = DecisionBlocks(m, self.blocks)
        for decision in self.ir.decisions.values():
            decisions.visit(decision)
        self.params()
        self.facts()
        self.lists()
        self.examples_section()
        self.changelog()
        return self.blocks

    def sources(self) -> None:
        self.add(Heading(2, "Sources", "sources"))
        rows = tuple(([code(sid)], [txt(src.get("file", ""))], [txt(src.get("title", ""))])
                     for sid, src in self.m.sources.items())
        self.add(Table(("Source", "File", "Title"), rows))

    def decision_index(self) -> None:
        self.add(Heading(2, "Decisions", "decisions"))
        rows = []
        for d in self.ir.decisions.values():
            rows.append(([("ref", d.id)], [txt(kind_text(d))], [txt(d.description.en)],
                          [txt(d.description.zh)], [txt(d.source or "")]))
        self.add(Table(("Decision", "Kind", "Description", "中文", "Source"), tuple(rows)))

    # -- declarations ----------------------------------------------------------------

    def params(self) -> None:
        if not self.m.params:
            return
        self.add(Heading(2, "Parameters", "parameters"))
        self.para(txt("Declared thresholds a service may override when it loads the ruleset "
                     "(within the range)."))
        rows = []
        for p in self.m.params.values():
            rows.append(([code(p.name)], [txt(value_text(p.value, p.type))],
                         [txt(value_text(p.default, p.type))], self.param_range(p),
                         [txt(p.description.en if p.description else "")],
                         [txt(p.description.zh if p.description else "")],
                         [txt(p.source or "")]))
        self.add(Table(("Parameter", "Value", "Default", "Range", "Description", "中文",
                         "Source"), tuple(rows)))

    def param_range(self, p: Param) -> Cell:
        lo, hi = p.bounds()

        def bound(v: Any) -> Span:
            return code(v) if isinstance(v, str) else txt(value_text(v, p.type))

        if lo is not None and hi is not None:
            return [bound(lo), txt(" to "), bound(hi)]
        if lo is not None:
            return [txt("≥ "), bound(lo)]
        if hi is not None:
            return [txt("≤ "), bound(hi)]
        return [txt("any")]

    def facts(self) -> None:
        self.add(Heading(2, "Facts", "facts"))
        rows = []
        for f in self.m.facts.values():
            type_text = f"list of {f.item_kind}" if f.kind == "list" else f.kind
            if f.currency:
                type_text += f" ({f.currency})"
            rows.append(([code(f.name)], [txt(type_text)], self.fact_range(f),
                         [txt(f.description.en if f.description else "")],
                         [txt(f.description.zh if f.description else "")]))
        self.add(Table(("Fact", "Type", "Range / values", "Description", "中文"),
                        tuple(rows)))

    @staticmethod
    def fact_range(f: FactType) -> Cell:
        cell: Cell = []
        if f.values:
            sep = " < " if f.kind == "ordinal" else ", "
            cell += join([code(v) for v in f.values], sep)
        if f.minimum is not None and f.maximum is not None:
            cell.append(txt(f"{number_text(f.minimum)} to {number_text(f.maximum)}"))
        elif f.minimum is not None:
            cell.append(txt(f"≥ {number_text(f.minimum)}"))
        elif f.maximum is not None:
            cell.append(txt(f"≤ {number_text(f.maximum)}"))
        if f.step is not None:
            cell.append(txt(f", step {number_text(f.step)}"))
        if f.unit:
            cell.append(txt(f" ({f.unit})"))
        # optional facts and Chinese matching are noted after the range, so that the sheet
        # of a ruleset that declares neither reads as before
        notes: list[Cell] = []
        if f.default is not None:
            notes.append([txt("default when not sent: "), code(literal_text(f.default))])
        if f.match != "exact":
            notes.append([match_note(f.match)])
        for note in notes:
            cell += [txt("; "), *note] if cell else note
        return cell

    def lists(self) -> None:
        if not self.m.lists:
            return
        self.add(Heading(2, "Lists", "lists"))
        rows = []
        for lst in self.m.lists.values():
            items: Cell = [txt(", ".join(literal_text(i) for i in lst.items))]
            if lst.match != "exact":
                items += [txt("; "), match_note(lst.match)]
            rows.append(([code(lst.name)], items,
                         [txt(lst.description.en if lst.description else "")],
                         [txt(lst.description.zh if lst.description else "")],
                         [txt(lst.source or "")]))
        self.add(Table(("List", "Items", "Description", "中文", "Source"), tuple(rows)))

    def examples_section(self) -> None:
        if not self.examples:
            return
        self.add(Heading(2, "Examples", "examples"))
        self.para(txt(f"{len(self.examples)} worked example"
                     f"{'s' * (len(self.examples) != 1)}, checked by "), code("promorules test"),
                  txt("."))
        rows = []
        for e in self.examples:
            expected: Cell = [bold(e.outcome)]
            if e.has_value:
                expected += [txt(" value "), code(literal_text(e.value))]
            if e.failed:
                expected += [txt(" failed "), code(", ".join(e.failed))]
            rows.append(([txt(e.name)], [code(e.decision)], expected))
        self.add(Table(("Example", "Decision", "Expected"), tuple(rows)))

    def changelog(self) -> None:
        if not self.m.changelog:
            return
        self.add(Heading(2, "Changelog", "changelog"))
        rows = []
        for entry in self.m.changelog:
            changes = entry.get("changes") or []
            cell: Cell = []
            for n, c in enumerate(changes if isinstance(changes, list) else [changes]):
                if n:
                    cell.append(BR)
                cell.append(txt(literal_text(c)))
            rows.append(([txt(literal_text(entry.get("version", "")))],
                         [txt(literal_text(entry.get("date", "")))], cell))
        self.add(Table(("Version", "Date", "Changes"), tuple(rows)))


