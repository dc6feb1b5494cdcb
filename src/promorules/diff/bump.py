"""Semantic diff, version discipline: which version bump a set of changes requires.

This module is the one place where the rule is written down. :data:`RULES` says, for each
kind of change the semantic diff finds (:mod:`.semantic`, :mod:`.decisions`), whether it
needs a **major**, **minor** or **patch** bump; docs/writing-rulesets.md shows the same
table (a test checks they agree). The principle:

- **major**: anything that can change an outcome or a value for facts that already
  worked, or break a caller: a changed threshold or logic (tightened *or* loosened), a new
  rule or tier in an existing decision, a removed or renamed fact, decision, rule, param or
  list, a changed default, bound, type, calendar or time zone;
- **minor**: new facts, params, lists or decisions, which leave every existing decision's
  outcomes unchanged;
- **patch**: wording only: descriptions, citations, titles, the changelog, the order of
  the rules of an ``all``/``any`` group (the logic is the same in any order).

:func:`required_bump` applies the table to two loaded rulesets and says whether the new
version number is large enough (:class:`BumpReport`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from .. import ir
from ..errors import RulesetError
from ..loader import parse_yaml
from ..ruleset import Ruleset
from ..wording import sub_rules
from .canon import ARROW
from .changes import Change
from .semantic import semantic_diff

__all__ = [
    "BUMPS",
    "RULES",
    "BumpReport",
    "BumpRule",
    "bump_for",
    "bump_of",
    "check_bump",
    "format_bump",
    "required_bump",
    "rules_table",
]

#: the bumps, smallest first ("none": only the version itself changed)
BUMPS = ("none", "patch", "minor", "major")


@attrs.frozen
class BumpRule:
    """One row of the table: changes of ``what`` (``ruleset``, ``facts``, ``params``,
    ``lists``, ``decision`` (the decision itself), ``rule`` (a rule, tier or row of one) or
    ``warning`` (a rule that is ``severity: warning``)) of ``kind`` (``added``,
    ``removed``, ``changed``, ``*``) to ``aspect`` (``*`` for any; a trailing ``*`` matches
    a prefix; for the ``ruleset`` section, the path, e.g. ``timezone``) need ``bump``,
    because ``why``."""

    what: str
    kind: str
    aspect: str
    bump: str
    why: str
    label: str = ""  # how the table shows the row (default: what, kind, aspect)

    def matches(self, what: str, kind: str, aspect: str) -> bool:
        if self.what != what or self.kind not in ("*", kind):
            return False
        if self.aspect.endswith("*"):
            return aspect.startswith(self.aspect[:-1])
        return self.aspect == aspect


def _r(what: str, kind: str, aspect: str, bump: str, why: str, label: str = "") -> BumpRule:
    return BumpRule(what, kind, aspect, bump, why, label)


_WORDING = "wording only: no outcome changes"
_OUTCOME = "can change an outcome or value for facts that already worked"
_BREAKS = "breaks callers and stored facts that use it"
_NEW = "new, so no existing outcome changes"
_ADVICE = "changes the warnings given, never an outcome"

#: The table, first match wins (specific rows before the catch-all of each section).
RULES: tuple[BumpRule, ...] = (
    # the ruleset's own metadata
    _r("ruleset", "changed", "version", "none", "the version itself", "version"),
    _r("ruleset", "*", "title", "patch", _WORDING, "title"),
    _r("ruleset", "*", "description", "patch", _WORDING, "description"),
    _r("ruleset", "*", "changelog", "patch", _WORDING, "changelog"),
    _r("ruleset", "*", "sources.*", "patch", "citations only: no outcome changes",
       "sources (cited documents)"),
    _r("ruleset", "*", "id", "major", "another ruleset for every caller", "id"),
    _r("ruleset", "*", "*", "major", _OUTCOME,
       "timezone, effective_from/until, calendar"),
    # facts, params, lists
    _r("facts", "added", "*", "minor", _NEW, "fact added"),
    _r("facts", "removed", "*", "major", _BREAKS, "fact removed or renamed"),
    _r("facts", "changed", "description*", "patch", _WORDING, "fact description"),
    _r("facts", "changed", "*", "major", _OUTCOME,
       "fact type, currency, unit, min, max, step, values, default or match"),
    _r("params", "added", "*", "minor", _NEW, "param added"),
    _r("params", "removed", "*", "major", _BREAKS, "param removed or renamed"),
    _r("params", "changed", "description*", "patch", _WORDING, "param description"),
    _r("params", "changed", "source", "patch", _WORDING, "param source"),
    _r("params", "changed", "*", "major", _OUTCOME,
       "param default, value in force, type, currency, min or max"),
    _r("lists", "added", "*", "minor", _NEW, "list added"),
    _r("lists", "removed", "*", "major", _BREAKS, "list removed or renamed"),
    _r("lists", "changed", "description*", "patch", _WORDING, "list description"),
    _r("lists", "changed", "source", "patch", _WORDING, "list source"),
    _r("lists", "changed", "*", "major", _OUTCOME, "list items or match"),
    # decisions: "decision added/removed" are the decision itself, "rule ..." its parts
    _r("decision", "added", "*", "minor", _NEW, "decision added"),
    _r("decision", "removed", "*", "major", _BREAKS, "decision removed or renamed"),
    _r("warning", "added", "*", "minor", _ADVICE,
       "rule with severity: warning added to a decision"),
    _r("warning", "changed", "check", "minor", _ADVICE, "check of a warning rule"),
    _r("warning", "changed", "applies_when", "minor", _ADVICE,
       "applies_when of a warning rule"),
    _r("rule", "added", "*", "major", _OUTCOME, "rule, tier or table row added to a decision"),
    _r("rule", "removed", "*", "major", _BREAKS + "; " + _OUTCOME,
       "rule, tier or table row removed or renamed"),
    _r("rule", "changed", "description*", "patch", _WORDING,
       "description of a decision or rule"),
    _r("rule", "changed", "source", "patch", "citations only: no outcome changes",
       "source of a decision or rule"),
    _r("rule", "changed", "order", "patch", "all/any give the same result in any order",
       "order of the rules of an all/any group"),
    _r("rule", "changed", "*", "major", _OUTCOME,
       "check (a threshold tightened or loosened), logic, applies_when, severity, "
       "value, cases, rows, tiers, rounding, type"),
)


def _classify(change: Change) -> tuple[str, str, str]:
    """(what, kind, aspect) of a change, as :data:`RULES` matches them."""
    section = change.section
    if section in ("facts", "params", "lists"):
        return section, change.kind, change.aspect
    if section == "ruleset":
        return section, change.kind, change.path
    # a decision's section: the decision itself is added or removed at path == section
    if change.kind != "changed" and change.path == section:
        return "decision", change.kind, ""
    return "rule", change.kind, change.aspect


def _rule_at(ruleset: Ruleset, path: str) -> ir.Rule | None:
    """The rule ``decision.rule_id`` of ``ruleset`` (None when there is none)."""
    did, _, rid = path.partition(".")
    decision = ruleset.ir.decisions.get(did)
    if decision is None or not rid:
        return None
    stack: list[ir.Rule] = [] if decision.rule is None else [decision.rule]
    if decision.requires is not None:
        stack += decision.requires.rules
    for value in ir.values(decision):
        if isinstance(value, ir.Tiers):
            stack += [t.rule for t in value.tiers]
    while stack:
        rule = stack.pop()
        if rule.id == rid:
            return rule
        stack += sub_rules(rule)
    return None


def _warning_on_both_sides(change: Change, old: Ruleset | None, new: Ruleset | None
                           ) -> bool:
    """Whether ``change`` is to a rule that is ``severity: warning`` in every version that
    has it (a warning never changes an outcome)."""
    if new is None or change.kind == "removed":
        return False
    sides = [_rule_at(new, change.path)]
    if change.kind == "changed" and old is not None:
        sides.append(_rule_at(old, change.path))
    return all(r is not None and r.severity.value == "warning" for r in sides)


def bump_of(change: Change, old: Ruleset | None = None, new: Ruleset | None = None
            ) -> BumpRule:
    """The row of :data:`RULES` that applies to ``change`` (with the two rulesets, a change
    to a warning rule is told from one to a rule that decides the outcome)."""
    what, kind, aspect = _classify(change)
    if what == "rule" and _warning_on_both_sides(change, old, new):
        for rule in RULES:
            if rule.matches("warning", kind, aspect):
                return rule
    for rule in RULES:
        if rule.matches(what, kind, aspect):
            return rule
    raise AssertionError(f"no bump rule for {what} {kind} {aspect}")  # pragma: no cover


def rules_table() -> str:
    """:data:`RULES` as the Markdown table docs/writing-rulesets.md shows."""
    lines = ["| change | bump | why |", "|---|---|---|"]
    for rule in RULES:
        lines.append(f"| {rule.label} | {rule.bump} | {rule.why} |")
    return "\n".join(lines)


_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+].*)?$")


def _core(version: str) -> tuple[int, int, int]:
    m = _SEMVER.match(version)
    if m is None:  # the schema already requires MAJOR.MINOR.PATCH: a last guard
        raise RulesetError(f"version {version!r} is not a semantic version MAJOR.MINOR.PATCH",
                           code="PR317", path=("version",))
    return int(m[1]), int(m[2]), int(m[3])


@attrs.frozen
class BumpReport:
    """The bump the changes from ``old_version`` to ``new_version`` require.

    ``required`` is one of :data:`BUMPS`; ``reasons`` the changes that require it, each
    with its row of :data:`RULES`; ``minimum`` the smallest version that satisfies it;
    ``satisfied`` whether ``new_version`` does (its MAJOR.MINOR.PATCH is at least
    ``minimum``; a pre-release or build suffix is not compared).
    """

    old_version: str
    new_version: str
    required: str
    reasons: tuple[tuple[Change, BumpRule], ...]

    @property
    def minimum(self) -> str:
        major, minor, patch = _core(self.old_version)
        return {"major": f"{major + 1}.0.0", "minor": f"{major}.{minor + 1}.0",
                "patch": f"{major}.{minor}.{patch + 1}"}.get(self.required, self.old_version)

    @property
    def satisfied(self) -> bool:
        return _core(self.new_version) >= _core(self.minimum)

    def to_dict(self) -> dict[str, Any]:
        return {"required": self.required, "old_version": self.old_version,
                "new_version": self.new_version, "minimum": self.minimum,
                "satisfied": self.satisfied,
                "reasons": [{"path": c.path, "aspect": c.aspect, "text": c.text,
                             "why": r.why} for c, r in self.reasons]}


def bump_for(changes: Sequence[Change], old: Ruleset, new: Ruleset) -> BumpReport:
    """The report for changes already computed by :func:`~.semantic.semantic_diff`."""
    rows = [(c, bump_of(c, old, new)) for c in changes]
    required = max((r.bump for _, r in rows), key=BUMPS.index, default="none")
    reasons = tuple((c, r) for c, r in rows if r.bump == required and required != "none")
    return BumpReport(old.version, new.version, required, reasons)


def required_bump(old: Ruleset, new: Ruleset) -> BumpReport:
    """The version bump the changes from ``old`` to ``new`` require, and whether
    ``new.version`` satisfies it."""
    return bump_for(semantic_diff(old, new), old, new)


def format_bump(report: BumpReport, *, limit: int = 3) -> str:
    """The verdict on the version number in a few lines: the bump the changes require,
    whether the new version satisfies it, and up to ``limit`` of the changes requiring it."""
    versions = f"version {report.old_version} {ARROW} {report.new_version}"
    if report.required == "none":
        verdict = ("no semantic changes, no bump required" if report.satisfied else
                   f"goes back: the new version must be at least {report.old_version}")
        return f"{versions}: {verdict}\n"
    need = f"a {report.required} bump (at least {report.minimum})"
    if report.satisfied:
        lines = [f"{versions}: satisfies the {report.required} bump these changes require:"]
    else:
        lines = [f"{versions}: too small, these changes require {need}:"]
    lines += [f"  {c.text}" for c, _ in report.reasons[:limit]]
    if len(report.reasons) > limit:
        lines.append(f"  and {len(report.reasons) - limit} more")
    return "\n".join(lines) + "\n"


def _error(message: str, code: str, key: str, source: str, text: str | None
           ) -> RulesetError:
    if text is None:
        return RulesetError(message, code=code, source=source, path=(key,))
    return parse_yaml(text, source).error(message, code, (key,))


def check_bump(old: Ruleset, new: Ruleset, *, source: str = "<string>",
               text: str | None = None) -> BumpReport:
    """:func:`required_bump`, raising a ``RulesetError`` when ``new`` is not a later version
    of ``old``: ``PR316`` another ruleset id, ``PR315`` a version number too small for the
    changes (or lower than the old one). ``source`` and ``text`` (the new file's name and
    YAML text) locate the error at the ``version:`` (``id:``) line."""
    if old.id != new.id:
        raise _error(f"cannot check the version against ruleset {old.id!r}: this is ruleset "
                     f"{new.id!r}", "PR316", "id", source, text)
    report = required_bump(old, new)
    if report.satisfied:
        return report
    if report.required == "none":
        raise _error(f"version {new.version} is lower than {old.version}", "PR315",
                     "version", source, text)
    why = "; ".join(c.text for c, _ in report.reasons[:3])
    more = len(report.reasons) - 3
    raise _error(f"version {new.version} is too small: the changes since {old.version} "
                 f"require a {report.required} bump, so at least {report.minimum} ({why}"
                 f"{f'; and {more} more' if more > 0 else ''})", "PR315", "version", source,
                 text)
