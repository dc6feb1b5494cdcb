"""Semantic diff, replay: recorded facts run through two versions of a ruleset.

:func:`replay` runs recorded facts (one JSON object per line: ``{"decision": ...,
"facts": {...}, "as_of": ...}``) through both rulesets and counts the records whose outcome
or value changes, with the first few examples of each change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..errors import FactError, PromorulesError, RulesetError, UnknownDecisionError
from ..facts import json_value, read_json
from ..ruleset import Ruleset
from ..wording import literal_text
from .canon import ARROW

__all__ = ["DecisionReplay", "ReplayExample", "ReplayReport", "read_records", "replay",
           "replay_records"]



@attrs.frozen
class ReplayExample:
    """One record whose result changed: where it is, the facts that matter, both sides."""

    record: int  # 1-based: the line of the JSONL file (or the position in the iterable)
    decision: str
    facts: str
    old: str
    new: str

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.define
class DecisionReplay:
    """The replay of one decision: how many records it ran on and what changed."""

    decision: str
    evaluated: int = 0
    # (old outcome, new outcome) -> records; an outcome is pass/fail/unknown, "error"
    # (a FactError or other error) or "absent" (the ruleset has no such decision)
    outcome_changes: dict[tuple[str, str], int] = attrs.field(factory=dict)
    value_changes: int = 0  # same outcome, different value
    examples: list[ReplayExample] = attrs.field(factory=list)

    @property
    def changed(self) -> int:
        return sum(self.outcome_changes.values()) + self.value_changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "evaluated": self.evaluated,
            "changed": self.changed,
            "outcome_changes": [{"old": o, "new": n, "records": c}
                                for (o, n), c in self.outcome_changes.items()],
            "value_changes": self.value_changes,
            "examples": [e.to_dict() for e in self.examples],
        }


@attrs.define
class ReplayReport:
    """What replaying records through both rulesets changed."""

    records: int = 0
    changed_outcome: int = 0  # records with at least one decision whose outcome changed
    changed_value: int = 0  # records whose outcomes all stayed but a value changed
    decisions: dict[str, DecisionReplay] = attrs.field(factory=dict)

    @property
    def changed(self) -> int:
        return self.changed_outcome + self.changed_value

    def summary(self) -> str:
        """``1,204 of 10,000 records change outcome: merchant_eligibility pass → fail
        1,180, ...`` and, when values changed, a second line for them."""
        total = f"{self.records:,}"
        transitions = [(c, f"{d.decision} {o} {ARROW} {n} {c:,}")
                       for d in self.decisions.values()
                       for (o, n), c in d.outcome_changes.items()]
        transitions.sort(key=lambda t: -t[0])
        lines = [f"{self.changed_outcome:,} of {total} record{'s' * (self.records != 1)} "
                 f"change outcome" + (": " + ", ".join(t for _, t in transitions)
                                      if transitions else "")]
        values = [(d.value_changes, f"{d.decision} {d.value_changes:,}")
                  for d in self.decisions.values() if d.value_changes]
        if values:
            values.sort(key=lambda t: -t[0])
            lines.append(f"{self.changed_value:,} of {total} change only a value: "
                         + ", ".join(t for _, t in values))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "changed_outcome": self.changed_outcome,
                "changed_value": self.changed_value, "summary": self.summary(),
                "decisions": [d.to_dict() for d in self.decisions.values()]}


@attrs.frozen
class _Side:
    status: str  # pass / fail / unknown / error / absent
    value: Any = None
    failed: tuple[str, ...] = ()
    error: str | None = None
    error_fact: str | None = None
    result: Any = None  # the Result, for the facts of an example

    def show(self) -> str:
        if self.status in ("error", "absent"):
            return f"{self.status}: {self.error}"
        text = self.status
        if self.value is not None:
            text += f" = {literal_text(json_value(self.value))}"
        if self.failed:
            more = len(self.failed) - 3
            text += " (failed: " + ", ".join(self.failed[:3]) + (
                f" and {more} more" if more > 0 else "") + ")"
        return text


def _run(rs: Ruleset, decision: str, facts: Any, as_of: Any) -> _Side:
    if decision not in rs.decisions:
        return _Side("absent", error=f"{rs.id} {rs.version} has no decision '{decision}'")
    try:
        if not isinstance(facts, Mapping):
            raise FactError("the record's facts must be an object of fact names to values",
                            code="PR600")
        result = rs.evaluate(decision, facts, as_of=as_of)
    except UnknownDecisionError as e:
        return _Side("absent", error=str(e))
    except FactError as e:
        return _Side("error", error=f"FactError {e}", error_fact=e.fact)
    except PromorulesError as e:
        return _Side("error", error=f"{type(e).__name__} {e}")
    outcome = str(result.outcome)
    failed = result.failed_rule_ids if outcome == "fail" else ()
    return _Side(outcome, result.value, tuple(failed), result=result)


def _changed_rules(side: _Side) -> dict[str, tuple[str, ...]]:
    """Failed and unknown leaf rules of a result, with the facts they read."""
    if side.result is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    try:
        for node in (*side.result.failed, *side.result.unknown):
            out[f"{node.outcome}:{node.rule_id}"] = tuple(node.facts)
    except PromorulesError:  # pragma: no cover - building a trace does not raise
        return {}
    return out


def _facts_summary(old: Ruleset, new: Ruleset, decision: str, facts: Any, a: _Side,
                   b: _Side, limit: int = 4) -> str:
    """The facts behind a change: those read by the rules that came out differently."""
    if not isinstance(facts, Mapping):
        return "(no facts object)"
    ra, rb = _changed_rules(a), _changed_rules(b)
    names: dict[str, None] = {}
    for side in (a, b):
        if side.error_fact:
            names.setdefault(side.error_fact)
    differing = [key for key in dict.fromkeys([*ra, *rb]) if (key in ra) != (key in rb)]
    differing.sort(key=lambda k: not k.startswith("fail:"))  # failed rules first
    for key in differing:
        for name in (ra.get(key) or rb.get(key) or ()):
            names.setdefault(name)
    if not names:
        for rs in (new, old):
            compiled = rs.decisions.get(decision)
            if compiled is not None:
                for name in compiled.fact_names:
                    if name in facts:
                        names.setdefault(name)
    chosen = list(names)
    shown = [f"{n}={literal_text(json_value(facts.get(n))) if n in facts else 'missing'}"
             for n in chosen[:limit]]
    if len(chosen) > limit:
        shown.append(f"… {len(chosen) - limit} more")
    return ", ".join(shown) or "(no facts)"


def replay_records(old: Ruleset, new: Ruleset,
                   records: Iterable[tuple[int, Mapping[str, Any]]], *, max_examples: int = 3,
                   as_of: Any = None) -> ReplayReport:
    """:func:`replay` of records numbered by the caller (``(line number, record)`` pairs,
    as :func:`read_records` returns them): examples name records by those numbers."""
    report = ReplayReport()
    shared = [d for d in old.decisions if d in new.decisions]
    now = as_of if as_of is not None else dt.datetime.now(dt.UTC)
    seen_examples: dict[tuple[str, str], int] = {}
    for number, record in records:
        report.records += 1
        decision = record.get("decision")
        targets = shared if decision is None else [str(decision)]
        facts = record.get("facts", {})
        when = record.get("as_of") or now
        outcome_changed = value_changed = False
        for did in targets:
            stats = report.decisions.get(did)
            if stats is None:
                stats = report.decisions[did] = DecisionReplay(did)
            stats.evaluated += 1
            a, b = _run(old, did, facts, when), _run(new, did, facts, when)
            if a.status != b.status:
                key = (a.status, b.status)
                stats.outcome_changes[key] = stats.outcome_changes.get(key, 0) + 1
                outcome_changed = True
                label = f"{a.status} {ARROW} {b.status}"
            elif a.status == "error" and a.error != b.error:
                key = ("error", "error")
                stats.outcome_changes[key] = stats.outcome_changes.get(key, 0) + 1
                outcome_changed = True
                label = "error"
            elif a.value != b.value:
                stats.value_changes += 1
                value_changed = True
                label = "value"
            else:
                continue
            example_key = (did, label)
            if seen_examples.get(example_key, 0) < max_examples:
                seen_examples[example_key] = seen_examples.get(example_key, 0) + 1
                stats.examples.append(ReplayExample(
                    number, did, _facts_summary(old, new, did, facts, a, b), a.show(),
                    b.show()))
        if outcome_changed:
            report.changed_outcome += 1
        elif value_changed:
            report.changed_value += 1
    return report


def replay(old: Ruleset, new: Ruleset, records: Iterable[Mapping[str, Any]], *,
           max_examples: int = 3, as_of: Any = None) -> ReplayReport:
    """Evaluate each record with both rulesets and count what changes.

    A record is ``{"decision": ..., "facts": {...}, "as_of": ...}``; without ``decision``
    every decision both rulesets have is evaluated; without ``as_of`` both sides use the
    same instant (``as_of`` here, default: now when the replay starts). A record whose facts
    one version rejects is counted as an ``error`` outcome on that side, not raised.
    ``max_examples`` examples are kept per decision and kind of change.
    """
    return replay_records(old, new, enumerate(records, 1), max_examples=max_examples,
                          as_of=as_of)


def read_records(path: str) -> list[tuple[int, dict[str, Any]]]:
    """The records of a JSONL file with their line numbers; blank lines are skipped.

    Raises RulesetError located at ``file:line:column`` for invalid JSON (PR101) or a line
    that is not a record (PR600).
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            lines = fh.read().splitlines()
    except (OSError, ValueError) as e:  # UnicodeDecodeError, a NUL in the path
        raise RulesetError(f"cannot read facts: {e}", code="PR100", source=path) from None
    out: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = read_json(line, "record", facts_key="facts")
        except FactError as e:
            raise RulesetError(e.message, code="PR101", source=path, line=number,
                               column=e.column or 1) from None
        problem = _record_problem(record)
        if problem:
            raise RulesetError(problem, code="PR600", source=path, line=number, column=1)
        out.append((number, record))
    return out


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return ('a record is a JSON object {"decision": ..., "facts": {...}, "as_of": ...}, '
                f"not {type(record).__name__}")
    if not isinstance(record.get("facts"), dict):
        return 'a record needs "facts": an object of fact names to values'
    if "decision" in record and not isinstance(record["decision"], str):
        return '"decision" must be a decision id (a string)'
    if record.get("as_of") is not None and not isinstance(record["as_of"], str):
        return '"as_of" must be an ISO date or date-time string'
    return None


