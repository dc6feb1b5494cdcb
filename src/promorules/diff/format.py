"""Semantic diff, formatting: the changes and the replay report as text for a terminal."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..ruleset import Ruleset
from .canon import ARROW
from .changes import Change
from .replay import ReplayReport

__all__ = ["format_changes", "format_replay"]



_PAINT = {"+": "\033[32m", "-": "\033[31m", "~": "\033[33m", "h": "\033[1m"}
_MARK = {"added": "+", "removed": "-", "changed": "~"}




def format_changes(changes: Sequence[Change], old: Ruleset, new: Ruleset, *,
                   color: bool = False) -> str:
    """The changes as text, grouped by section (ruleset, facts, params, lists, then each
    decision) and by what changed, with ``+`` / ``-`` / ``~`` markers; a changed rule shows
    each changed part old and new."""

    def paint(style: str, text: str) -> str:
        return f"{_PAINT[style]}{text}\033[0m" if color else text

    head = f"{old.id} {old.version} {ARROW} {new.id} {new.version}: "
    if not changes:
        return head + "no semantic changes (the rulesets are equivalent)\n"
    n = len(changes)
    lines = [paint("h", head + f"{n} change{'s' * (n != 1)}")]
    sections: dict[str, list[Change]] = {}
    for c in changes:
        sections.setdefault(c.section, []).append(c)
    for section, items in sections.items():
        plain = section in ("ruleset", "facts", "params", "lists")
        lines.append("")
        lines.append(paint("h", section if plain else f"decision {section}"))
        by_path: dict[str, list[Change]] = {}
        for c in items:
            by_path.setdefault(c.path, []).append(c)
        for path, group in by_path.items():
            if group[0].kind != "changed":  # an addition or removal is one line
                c = group[0]
                mark = _MARK[c.kind]
                lines.append(paint(mark, f"  {mark} {c.text}"))
                continue
            if path == section:  # the decision itself: its own aspects, one per line
                for c in group:
                    lines.extend(_change_lines(c, paint, f"  ~ {c.aspect}: ", True))
                continue
            name = path if plain else path[len(section) + 1:]
            if len(group) == 1:
                c = group[0]
                first = f"  ~ {name} {c.aspect}: " if c.aspect else f"  ~ {name}: "
                lines.extend(_change_lines(c, paint, first, True))
                continue
            lines.append(paint("~", f"  ~ {name}"))
            for c in group:
                lines.extend(_change_lines(c, paint, f"      {c.aspect}: ", False))
    return "\n".join(lines) + "\n"


def _change_lines(c: Change, paint: Callable[[str, str], str], first: str,
                  mark: bool) -> list[str]:
    """``first`` then ``old → new`` on one line when short, else old and new on two lines
    below it."""
    style: Callable[[str], str] = (lambda t: paint("~", t)) if mark else (
        lambda t: t)
    if len(first) + len(c.detail) <= 100 and "\n" not in c.detail:
        return [style(first + c.detail)]
    pad = " " * (len(first) - len(first.lstrip()) + 4)
    return [style(first.rstrip()),
            paint("-", f"{pad}- {'none' if c.old is None else c.old}"),
            paint("+", f"{pad}+ {'none' if c.new is None else c.new}")]


def format_replay(report: ReplayReport) -> str:
    """The replay report as text: the summary, then each decision's changes with examples."""
    lines = ["", "replay: " + report.summary().replace("\n", "\n        ")]
    for stats in report.decisions.values():
        if not stats.changed:
            continue
        lines.append(f"  {stats.decision}: {stats.changed:,} of {stats.evaluated:,} change")
        for e in stats.examples:
            lines.append(f"    record {e.record}: {e.facts}")
            lines.append(f"      {e.old} {ARROW} {e.new}")
    return "\n".join(lines) + "\n"
