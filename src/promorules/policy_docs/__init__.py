"""Policy sheets: a ruleset rendered for the people who own the policy.

    promorules docs RULESET [-o FILE.md|FILE.html]
    promorules docs --all [--check]

A sheet gives the ruleset's title (English and Chinese), id, version, time zone and
sources; for each decision its description, source, a diagram of its rule tree (Mermaid in
Markdown, inline SVG in HTML: :mod:`.tree` and :mod:`.diagram`), and rules as a table (id,
description in both languages, the condition as written, the parameters it uses with their
values, the citation), nested groups indented under their logic, tiers (with what each adds
over the tier below), decision tables, cases and formulas; then the parameters, facts, lists
and worked examples.

The sheet is built once as a small document tree (:mod:`.sheet`, a visitor over the IR)
and written as Markdown or as a self-contained HTML page (:mod:`.document`). The output
depends only on the ruleset and its examples, so the sheets committed under
``docs/rulesets/`` can be checked for staleness byte for byte.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..examples import load_examples
from ..ruleset import Ruleset, load
from .document import to_html, to_markdown
from .sheet import ExampleRow, Sheet

__all__ = ["ExampleRow", "generate_all", "load_example_rows", "render_html",
           "render_markdown", "sheet_name"]


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
    return to_markdown(Sheet(rs, _rows(rs, examples)).build())


def render_html(rs: Ruleset, examples: Iterable[Any] | None = None) -> str:
    """The policy sheet of ``rs`` as one self-contained HTML page (inline CSS and SVG, no
    script, every text escaped)."""
    blocks = Sheet(rs, _rows(rs, examples)).build()
    return to_html(blocks, f"{rs.model.title.en} · {rs.model.title.zh} ({rs.id} {rs.version})")


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

