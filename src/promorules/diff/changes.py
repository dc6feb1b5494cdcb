"""Semantic diff, the changes found: one :class:`Change` per difference, and the recorder
the differs write them with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs

from ..text import Text
from .canon import ARROW

__all__ = ["Change", "Recorder"]


@attrs.frozen
class Change:
    """One semantic difference between two rulesets.

    ``kind`` is ``added``, ``removed`` or ``changed``; ``path`` names what changed (a
    decision ``merchant_eligibility``, a rule or table row ``merchant_eligibility.deposit``,
    a fact, param or list by its name, or a top-level key such as ``version``); ``section``
    groups changes for display (the decision id, or ``ruleset``, ``facts``, ``params``,
    ``lists``); ``aspect`` says which part of it changed (``check``, ``description.en``,
    ``default``...; empty for additions and removals). ``old`` and ``new`` are the two sides
    as text (None on the side where it does not exist); ``detail`` the readable difference
    (``buyer_protection_deposit >= 3000 → >= 5000``: only the part of an expression that
    changed); ``text`` one self-contained line:
    ``merchant_eligibility.deposit: buyer_protection_deposit >= 3000 → >= 5000``,
    ``param category_deposit_cny default 10000 → 20000``.
    """

    kind: str
    path: str
    old: str | None
    new: str | None
    text: str
    aspect: str = ""
    section: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "section": self.section, "path": self.path,
                "aspect": self.aspect, "old": self.old, "new": self.new,
                "detail": self.detail, "text": self.text}


def _quote(text: str | None) -> str:
    return "none" if text is None else json.dumps(text, ensure_ascii=False)


class Recorder:
    """Collects the changes of a diff, in the order they are found."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def added(self, section: str, path: str, what: str, summary: str) -> None:
        self.changes.append(Change("added", path, None, summary,
                                   f"{what} added: {path} ({summary})", "", section, summary))

    def removed(self, section: str, path: str, what: str, summary: str) -> None:
        self.changes.append(Change("removed", path, summary, None,
                                   f"{what} removed: {path} ({summary})", "", section, summary))

    def changed(self, section: str, path: str, aspect: str, old: Any, new: Any,
                *, key: Callable[[Any], Any] | None = None, show: Callable[[Any], str] = str,
                detail: str | None = None, subject: str | None = None,
                head: str | None = None, quoted: bool = False) -> None:
        """Record a change of ``aspect`` when ``old`` and ``new`` differ (by ``key``).

        The change's text is ``head detail``; ``head`` defaults to ``subject aspect``
        (``subject`` to the path)."""
        k = key or (lambda v: v)
        if k(old) == k(new):
            return
        old_s = None if old is None else show(old)
        new_s = None if new is None else show(new)
        if detail is None:
            shown = _quote if quoted else (lambda t: "none" if t is None else t)
            detail = f"{shown(old_s)} {ARROW} {shown(new_s)}"
        if head is None:
            head = f"{subject if subject is not None else path} {aspect}".strip()
        self.changes.append(Change("changed", path, old_s, new_s, f"{head} {detail}",
                                   aspect, section, detail))

    def text_pair(self, section: str, path: str, aspect: str, old: Text | None,
                  new: Text | None, subject: str | None = None) -> None:
        for lang in ("en", "zh"):
            self.changed(section, path, f"{aspect}.{lang}" if aspect else lang,
                         None if old is None else old.get(lang),
                         None if new is None else new.get(lang), quoted=True, subject=subject)

