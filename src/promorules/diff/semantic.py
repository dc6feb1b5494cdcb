"""Semantic diff: what changed between two versions of a ruleset.

:func:`semantic_diff` compares the loaded rulesets, not their text: the declarations (facts,
params with their bounds, lists, metadata) from the model, and each decision as its typed
IR (:mod:`.decisions`), so expressions are compared as typed trees (``x>=3000`` and
``x >= 3000.0`` are the same); comments, key order and YAML style are ignored. Rules are
matched by decision and rule id at any depth, table rows by id, tiers by id, facts, params
and lists by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..facts import FactType
from ..model import RulesetModel
from ..ruleset import Ruleset
from ..wording import literal_text
from .canon import ARROW, freeze
from .changes import Change, Recorder
from .decisions import DecisionDiffer, decision_summary

__all__ = ["semantic_diff"]


def _fact_type_text(ft: FactType) -> str:
    if ft.kind == "list":
        return f"list of {ft.item_kind}"
    return ft.kind


def _fact_summary(ft: FactType) -> str:
    """A fact as an added or removed one is summed up: its type, its default and its
    matching when declared (``boolean, default false``)."""
    parts = [_fact_type_text(ft)]
    if ft.default is not None:
        parts.append(f"default {literal_text(ft.default)}")
    if ft.match != "exact":
        parts.append(f"match {ft.match}")
    return ", ".join(parts)


def _list_summary(items: int, match: str) -> str:
    return f"{items} items" + (f", match {match}" if match != "exact" else "")


class _Differ(Recorder):
    def __init__(self, old: Ruleset, new: Ruleset) -> None:
        super().__init__()
        self.old, self.new = old, new
        self.o: RulesetModel = old.model
        self.n: RulesetModel = new.model

    # -- the whole ruleset ---------------------------------------------------------------

    def run(self) -> list[Change]:
        o, n = self.o, self.n
        sec = "ruleset"
        self.changed(sec, "id", "", o.id, n.id, subject="id")
        self.changed(sec, "version", "", o.version, n.version, subject="version")
        self.text_pair(sec, "title", "", o.title, n.title, subject="title")
        self.text_pair(sec, "description", "", o.description, n.description,
                       subject="description")
        self.changed(sec, "timezone", "", o.timezone.key, n.timezone.key, subject="timezone")
        iso: Callable[[Any], str] = lambda v: v.isoformat()  # noqa: E731
        self.changed(sec, "effective_from", "", o.effective_from, n.effective_from, show=iso,
                     subject="effective_from")
        self.changed(sec, "effective_until", "", o.effective_until, n.effective_until,
                     show=iso, subject="effective_until")
        self.sources()
        self.calendar()
        versions: Callable[[Any], str] = lambda log: ", ".join(  # noqa: E731
            str(e.get("version", "?")) for e in log) or "none"
        self.changed(sec, "changelog", "", list(o.changelog), list(n.changelog),
                     key=freeze, show=versions, subject="changelog (versions)")
        self.facts()
        self.params()
        self.lists()
        self.decisions()
        return self.changes

    def sources(self) -> None:
        o, n = self.o.sources, self.n.sources
        for sid in [*o, *(s for s in n if s not in o)]:
            path = f"sources.{sid}"
            if sid not in n:
                self.removed("ruleset", path, "source", str(o[sid].get("file")))
            elif sid not in o:
                self.added("ruleset", path, "source", str(n[sid].get("file")))
            else:
                for key in ("file", "title"):
                    self.changed("ruleset", path, key, o[sid].get(key), n[sid].get(key),
                                 quoted=True)

    def calendar(self) -> None:
        o, n = self.o.calendar, self.n.calendar
        days: Callable[[Any], str] = lambda ds: ", ".join(  # noqa: E731
            str(d) for d in sorted(ds)) or "none"
        self.changed("ruleset", "calendar", "years", o.years, n.years, show=days)
        self.changed("ruleset", "calendar", "workdays", o.workdays, n.workdays, show=days)
        hols: Callable[[Any], str] = lambda hs: ", ".join(  # noqa: E731
            f"{d} {hs[d]}" for d in sorted(hs)) or "none"
        self.changed("ruleset", "calendar", "holidays", dict(o.holidays), dict(n.holidays),
                     show=hols)

    def facts(self) -> None:
        o, n = self.o.facts, self.n.facts
        for name in [*o, *(f for f in n if f not in o)]:
            if name not in n:
                self.removed("facts", name, "fact", _fact_summary(o[name]))
                continue
            if name not in o:
                self.added("facts", name, "fact", _fact_summary(n[name]))
                continue
            a, b = o[name], n[name]
            subject = f"fact {name}"
            self.changed("facts", name, "type", _fact_type_text(a), _fact_type_text(b),
                         subject=subject)
            for aspect in ("currency", "unit"):
                self.changed("facts", name, aspect, getattr(a, aspect), getattr(b, aspect),
                             subject=subject)
            for aspect, attr in (("min", "minimum"), ("max", "maximum"), ("step", "step")):
                self.changed("facts", name, aspect, getattr(a, attr), getattr(b, attr),
                             subject=subject)
            if a.values != b.values:
                gone = [v for v in a.values if v not in b.values]
                new = [v for v in b.values if v not in a.values]
                notes = ([f"added {', '.join(new)}"] if new else []) + (
                    [f"removed {', '.join(gone)}"] if gone else [])
                if not notes:
                    notes = ["reordered"]
                self.changed("facts", name, "values", list(a.values), list(b.values),
                             show=literal_text, subject=subject,
                             detail=f"{literal_text(list(a.values))} {ARROW} "
                                    f"{literal_text(list(b.values))} ({'; '.join(notes)})")
            # the value taken when the fact is not sent (None: no default, then missing),
            # and how its text is compared: both can change an outcome
            self.changed("facts", name, "default", a.default, b.default, key=freeze,
                         show=literal_text, subject=subject)
            self.changed("facts", name, "match", a.match, b.match, subject=subject)
            self.text_pair("facts", name, "description", a.description, b.description,
                           subject=subject)

    def params(self) -> None:
        o, n = self.o.params, self.n.params
        for name in [*o, *(p for p in n if p not in o)]:
            if name not in n:
                self.removed("params", name, "param", f"default {o[name].default}")
                continue
            if name not in o:
                self.added("params", name, "param", f"default {n[name].default}")
                continue
            a, b = o[name], n[name]
            subject = f"param {name}"
            self.changed("params", name, "type", a.type.kind, b.type.kind, subject=subject)
            self.changed("params", name, "currency", a.type.currency, b.type.currency,
                         subject=subject)
            self.changed("params", name, "default", a.default, b.default, subject=subject)
            if a.value != a.default or b.value != b.default:
                self.changed("params", name, "value in force", a.value, b.value,
                             subject=subject)
            (alo, ahi), (blo, bhi) = a.bounds(), b.bounds()
            self.changed("params", name, "min", alo, blo, subject=subject)
            self.changed("params", name, "max", ahi, bhi, subject=subject)
            self.text_pair("params", name, "description", a.description, b.description,
                           subject=subject)
            self.changed("params", name, "source", a.source, b.source, quoted=True,
                         subject=subject)

    def lists(self) -> None:
        o, n = self.o.lists, self.n.lists
        for name in [*o, *(x for x in n if x not in o)]:
            if name not in n:
                self.removed("lists", name, "list",
                             _list_summary(len(o[name].items), o[name].match))
                continue
            if name not in o:
                self.added("lists", name, "list", _list_summary(len(n[name].items), n[name].match))
                continue
            a, b = o[name], n[name]
            subject = f"list {name}"
            if freeze(a.items) != freeze(b.items):
                old_keys = [freeze(i) for i in a.items]
                new_keys = [freeze(i) for i in b.items]
                gone = [literal_text(i) for i, k in zip(a.items, old_keys, strict=True)
                        if k not in new_keys]
                new = [literal_text(i) for i, k in zip(b.items, new_keys, strict=True)
                       if k not in old_keys]
                notes = ([f"added {', '.join(new)}"] if new else []) + (
                    [f"removed {', '.join(gone)}"] if gone else [])
                self.changed("lists", name, "items", list(a.items), list(b.items),
                             key=freeze, show=literal_text, subject=subject,
                             detail="; ".join(notes) or "reordered")
            self.changed("lists", name, "match", a.match, b.match, subject=subject)
            self.text_pair("lists", name, "description", a.description, b.description,
                           subject=subject)
            self.changed("lists", name, "source", a.source, b.source, quoted=True,
                         subject=subject)

    def decisions(self) -> None:
        o, n = self.old.ir.decisions, self.new.ir.decisions
        differ = DecisionDiffer(self)
        for did in [*o, *(d for d in n if d not in o)]:
            if did not in n:
                self.removed(did, did, "decision", decision_summary(o[did]))
            elif did not in o:
                self.added(did, did, "decision", decision_summary(n[did]))
            else:
                differ.decision(o[did], n[did])


def semantic_diff(old: Ruleset, new: Ruleset) -> list[Change]:
    """Every semantic difference from ``old`` to ``new`` (empty: they are equivalent).

    Ruleset metadata (version, title, sources, calendar, changelog), facts, params and
    lists come first, then each decision's changes in decision order.
    """
    return _Differ(old, new).run()
