"""Continuous monitoring: a decision re-evaluated on a stream of fact updates per entity.

This stage sits after evaluation: it keeps, for every entity (a merchant, a store), the facts
known so far and a small state machine, and turns each update into the *events* it causes.

The state machine follows 1688 備注4 ("商家需自報名成功之時起至活動結束時持續保持符合上述規則，
如有不符一經發現，立即取消活動資格及相應權益"): from the moment an entity qualifies until the end
of the window it must keep qualifying, and a lapse disqualifies it for the rest of the
window, however quickly it recovers.

- An entity's state is ``qualified`` (the decision passes), ``disqualified`` (it fails) or
  ``unknown`` (facts it needs are missing).
- An event is emitted on the first evaluation of an entity and whenever its state changes.
- The window ``(start, end)`` comes from ``Monitor(window=...)``, else from the ruleset's
  ``effective_from`` / ``effective_until``; either end may be open (``None``).
- The first ``qualified`` evaluation inside the window starts the entity's monitoring
  (``qualified_at``: "報名成功之時"). A ``fail`` after that, still inside the window, locks the
  entity ``disqualified`` (``disqualified_at``): later evaluations in the window emit nothing
  and change nothing. A failure *before* the entity ever qualified does not lock it.
- The first update after the window's end starts afresh: the lock and ``qualified_at`` are
  cleared and that evaluation emits an event whatever the previous state. Outside the window
  nothing locks. Without any window end, a lock lasts for the monitor's lifetime.

``Monitor.save()`` / ``Monitor.restore()`` carry the state across processes as JSON data
sealed with an integrity digest (:mod:`promorules.monitor_digest`);
:mod:`promorules.monitor_store` keeps it durably in SQLite as it goes (``promorules
monitor`` is :mod:`promorules.cli.monitor`). See docs/monitoring.md.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

from .errors import FactError, PromorulesError
from .monitor_digest import FORMAT, LEGACY_FORMAT, seal, verify
from .ruleset import Ruleset
from .trace import Result

__all__ = ["EntityState", "Monitor", "MonitorEvent", "Window"]

QUALIFIED, DISQUALIFIED, UNKNOWN = "qualified", "disqualified", "unknown"
_KIND = {"pass": QUALIFIED, "fail": DISQUALIFIED, "unknown": UNKNOWN}
_STATES = frozenset(_KIND.values())

Backend = Literal["native", "durable"]
Instant = dt.datetime | dt.date | str
Window = tuple[Instant | None, Instant | None]


@dataclass(frozen=True, slots=True)
class MonitorEvent:
    """A change of an entity's state, caused by one ``observe`` call.

    ``result`` is the evaluation that caused it (always from the native engine, so it has
    the trace and the explanation): for a ``disqualified`` event, ``result.failed`` and
    ``result.explain()`` say which rules failed, and ``as_of`` is the instant.
    """

    kind: str  # "qualified", "disqualified" or "unknown"
    entity_id: str
    as_of: dt.datetime
    result: Result
    previous: str | None  # the state before the update (None on a first evaluation)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The event as one JSON object, as ``promorules monitor`` prints it."""
        return {
            "kind": self.kind,
            "entity_id": self.entity_id,
            "as_of": self.as_of.isoformat(),
            "outcome": str(self.result.outcome),
            "failed": list(self.result.failed_rule_ids),
            "missing": list(self.result.missing),
            "explanation": self.result.explain(lang),
        }


@dataclass(frozen=True, slots=True)
class EntityState:
    """A read-only snapshot of what the monitor knows about one entity."""

    entity_id: str
    facts: Mapping[str, Any]
    state: str | None  # None before the first evaluation (and after a fresh start)
    since: dt.datetime | None  # when the entity entered ``state``
    qualified_at: dt.datetime | None  # start of its monitoring: first qualified in the window
    disqualified_at: dt.datetime | None  # when it was locked disqualified (None: not locked)
    failed: tuple[str, ...]  # failed rule ids of the evaluation that set ``state``
    last_as_of: dt.datetime | None  # the instant of the latest update

    @property
    def locked(self) -> bool:
        """Whether the entity is disqualified for the rest of the window."""
        return self.disqualified_at is not None


class _Entity:
    __slots__ = ("disqualified_at", "facts", "failed", "last_as_of", "qualified_at", "since",
                 "state")

    def __init__(self) -> None:
        self.facts: dict[str, Any] = {}
        self.state: str | None = None
        self.since: dt.datetime | None = None
        self.qualified_at: dt.datetime | None = None
        self.disqualified_at: dt.datetime | None = None
        self.failed: tuple[str, ...] = ()
        self.last_as_of: dt.datetime | None = None


class Monitor:
    """Watches one decision of a ruleset over a stream of fact updates per entity.

    ``backend="durable"`` takes the outcome of every update from
    ``promorules.backends.durable.compile(ruleset, decision)``; the result carried by an
    event is still computed by the native engine, for its explanation. ``window`` is
    ``(start, end)`` (aware or naive datetimes, dates or ISO strings, read like ``as_of``;
    ``None`` for an open end); by default the ruleset's effective dates.

    A monitor is safe to share between threads (updates are serialised by a lock); feed each
    entity's updates in time order.
    """

    def __init__(self, ruleset: Ruleset, decision: str, backend: Backend = "native",
                 window: Window | None = None) -> None:
        if not isinstance(ruleset, Ruleset):
            raise PromorulesError(f"Monitor needs a Ruleset, not {type(ruleset).__name__}",
                                  code="PR800")
        if decision not in ruleset.decisions:
            # fail now, not at the first update: evaluate raises UnknownDecisionError (with
            # a "did you mean") before it reads the facts
            ruleset.evaluate(decision, {})
        if backend not in ("native", "durable"):
            raise PromorulesError(f"unknown backend {backend!r}; backends: native, durable",
                                  code="PR802")
        self._ruleset = ruleset
        self._decision = decision
        self._backend: Backend = backend
        self._fast: Callable[[Mapping[str, Any], dt.datetime], str] | None = None
        # imported now so that a missing backend is reported at once; compiled on first use
        self._durable: Any = _import_durable() if backend == "durable" else None
        if window is None:
            window = (ruleset.effective_from, ruleset.effective_until)
        self._window = self._read_window(window)
        self._entities: dict[str, _Entity] = {}
        self._changed: set[str] = set()  # entities changed since the last take_changes()
        self._lock = threading.Lock()
        self.notes: list[str] = []
        """Notes about this monitor, e.g. a restore on a ruleset of another digest."""

    def _read_window(self, window: object) -> tuple[dt.datetime | None, dt.datetime | None]:
        if not isinstance(window, tuple | list) or len(window) != 2:
            raise FactError("window must be a (start, end) pair", code="PR608",
                            fact="window", value=window)
        start, end = (None if w is None else self._instant(w) for w in window)
        if start is not None and end is not None and start > end:
            raise FactError(f"window starts ({start.isoformat()}) after it ends "
                            f"({end.isoformat()})", code="PR608", fact="window", value=window)
        return start, end

    def _instant(self, value: object) -> dt.datetime:
        return self._ruleset.instant(value)

    # -- properties ------------------------------------------------------------------------

    @property
    def ruleset(self) -> Ruleset:
        return self._ruleset

    @property
    def decision(self) -> str:
        return self._decision

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def window(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The window in force, as aware datetimes (``None``: open at that end)."""
        return self._window

    def __repr__(self) -> str:
        return (f"<Monitor {self._ruleset.id} {self._ruleset.version} {self._decision}: "
                f"{len(self._entities)} entities>")

    def __len__(self) -> int:
        return len(self._entities)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entities))

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._entities

    def state(self, entity_id: str) -> EntityState | None:
        """What the monitor knows about an entity (None if it has never seen it)."""
        with self._lock:
            e = self._entities.get(entity_id)
            if e is None:
                return None
            return EntityState(entity_id, MappingProxyType(dict(e.facts)), e.state, e.since,
                               e.qualified_at, e.disqualified_at, e.failed, e.last_as_of)

    # -- updates ---------------------------------------------------------------------------

    def observe(self, entity_id: str, changed_facts: Mapping[str, Any],
                as_of: object = None) -> list[MonitorEvent]:
        """Merge ``changed_facts`` into the entity's facts (a value of ``None`` removes a
        fact), evaluate the decision at ``as_of`` (default now) and return the events this
        caused: an empty list, or one event.

        Raises FactError for invalid facts, an invalid ``as_of`` or one earlier than the
        entity's previous update; the monitor is then left unchanged.
        """
        if not isinstance(entity_id, str) or not entity_id:
            raise FactError("entity_id must be a non-empty string", code="PR600",
                            fact="entity_id", value=entity_id)
        if not isinstance(changed_facts, Mapping):
            raise FactError(f"changed facts must be a mapping of fact names to values, not "
                            f"{type(changed_facts).__name__}", code="PR600")
        when = self._instant(as_of)
        changes = {self._name(k): self._jsonable(k, v) for k, v in changed_facts.items()}
        with self._lock:
            entity = self._entities.get(entity_id)
            previous = entity or _Entity()
            if previous.last_as_of is not None and when < previous.last_as_of:
                raise FactError(
                    f"update of {entity_id!r} at {when.isoformat()} is earlier than its "
                    f"previous update at {previous.last_as_of.isoformat()}; feed each "
                    "entity's updates in time order", code="PR608", fact="as_of", value=as_of)
            facts = dict(previous.facts)
            for name, value in changes.items():
                if value is None:
                    facts.pop(name, None)
                else:
                    facts[name] = value
            # evaluate before changing anything: a FactError leaves the monitor as it was
            result, outcome = self._evaluate(facts, when)
            if entity is None:
                entity = self._entities[entity_id] = _Entity()
            entity.facts = facts
            events = self._step(entity_id, entity, when, outcome, result, facts)
            entity.last_as_of = when
            self._changed.add(entity_id)
            return events

    def _step(self, entity_id: str, e: _Entity, when: dt.datetime, outcome: str,
              result: Result | None, facts: Mapping[str, Any]) -> list[MonitorEvent]:
        start, end = self._window
        before = e.state
        if end is not None and when > end and e.last_as_of is not None and e.last_as_of <= end:
            # the first update after the window: start afresh
            e.state, e.since, e.qualified_at, e.disqualified_at, e.failed = (
                None, None, None, None, ())
        in_window = (start is None or when >= start) and (end is None or when <= end)
        if e.disqualified_at is not None:
            return []  # locked for the rest of the window (備注4)
        kind = _KIND[outcome]
        if kind == QUALIFIED and in_window and e.qualified_at is None:
            e.qualified_at = when
        locks = kind == DISQUALIFIED and in_window and e.qualified_at is not None
        if kind == e.state:
            if result is not None:  # native: the failing rules may have changed
                e.failed = result.failed_rule_ids
            return []
        if result is None:  # the durable backend gave the outcome; explain it natively
            result = self._ruleset.evaluate(self._decision, facts, as_of=when)
        event = MonitorEvent(kind, entity_id, when, result, before)
        e.state, e.since, e.failed = kind, when, result.failed_rule_ids
        if locks:
            e.disqualified_at = when
        return [event]

    def _evaluate(self, facts: Mapping[str, Any], when: dt.datetime
                  ) -> tuple[Result | None, str]:
        if self._backend == "native":
            result = self._ruleset.evaluate(self._decision, facts, as_of=when)
            return result, str(result.outcome)
        if self._fast is None:
            self._fast = _durable_evaluator(self._durable, self._ruleset, self._decision)
        outcome = self._fast(facts, when)
        if outcome not in _KIND:
            raise PromorulesError(f"the durable backend returned the outcome {outcome!r}",
                                  code="PR802")
        return None, outcome

    def _name(self, name: object) -> str:
        if not isinstance(name, str):
            raise FactError(f"fact names must be strings, not {type(name).__name__}",
                            code="PR600", value=name)
        return name

    def _jsonable(self, name: str, value: object) -> Any:
        """The value as JSON data that evaluates the same (money as decimal strings), so
        that the state can always be saved."""
        fact = self._ruleset.facts.get(name)
        if fact is not None and fact.kind == "money" and isinstance(value, int | float | Decimal
                                                                    ) and not isinstance(
                value, bool):
            return _number_text(value)
        return _to_json(name, value)

    # -- saving ------------------------------------------------------------------------------

    def header(self) -> dict[str, Any]:
        """The saved state without its entities: format, ruleset, decision, window."""
        rs = self._ruleset
        return {"format": FORMAT,
                "ruleset": {"id": rs.id, "version": rs.version, "digest": rs.digest},
                "decision": self._decision,
                "window": [_iso(self._window[0]), _iso(self._window[1])]}

    def save(self, key: bytes | None = None) -> dict[str, Any]:
        """The monitor's whole state as JSON-serialisable data (see :meth:`restore`),
        sealed with an ``integrity`` digest (keyed with the secret ``key`` when given)."""
        with self._lock:
            data = self.header()
            data["entities"] = {eid: _entity_data(e) for eid, e in self._entities.items()}
        data["integrity"] = seal(data, key)
        return data

    def mark_changed(self, entity_ids: Iterable[str]) -> None:
        """Mark entities as changed again (their save failed: the next one retries)."""
        with self._lock:
            self._changed.update(e for e in entity_ids if e in self._entities)

    def take_changes(self) -> dict[str, dict[str, Any]]:
        """The saved data of every entity changed since the previous call (or since the
        monitor was made), by entity id; for a state store that writes only what changed."""
        with self._lock:
            changed, self._changed = self._changed, set()
            return {eid: _entity_data(self._entities[eid]) for eid in sorted(changed)}

    @classmethod
    def restore(cls, ruleset: Ruleset, data: Mapping[str, Any], *,
                decision: str | None = None, backend: Backend = "native",
                window: Window | None = None, key: bytes | None = None) -> Monitor:
        """A monitor continuing from ``data`` (what :meth:`save` returned) on ``ruleset``.

        Refuses (PromorulesError ``PR801``) data saved for another ruleset id, or for
        another decision than ``decision`` when given. Data saved from a ruleset with
        another digest (another version or an edited file) is accepted, with a note in
        ``monitor.notes``. The saved window is kept unless ``window`` is given.

        The ``integrity`` digest is checked first (with the secret ``key`` the state was
        saved with, if any): a state changed outside promorules is refused (``PR803``), as
        is a key that does not match how it was saved (``PR805``). A state saved before
        digests existed (format ``promorules.monitor/1``) is restored with a note.
        """
        if not isinstance(data, Mapping) or data.get("format") not in (FORMAT, LEGACY_FORMAT):
            raise PromorulesError(f"not a saved monitor state (expected \"format\": "
                                  f"\"{FORMAT}\")", code="PR800")
        legacy = verify(data, key)
        saved_rs = _field(data, "ruleset", Mapping)
        saved_id = _field(saved_rs, "id", str, "ruleset.")
        saved_decision = _field(data, "decision", str)
        if saved_id != ruleset.id:
            raise PromorulesError(f"the state was saved for ruleset '{saved_id}', not "
                                  f"'{ruleset.id}'", code="PR801")
        if decision is not None and decision != saved_decision:
            raise PromorulesError(f"the state was saved for decision '{saved_decision}', not "
                                  f"'{decision}'", code="PR801")
        if window is None:
            saved_window = _field(data, "window", list)
            if len(saved_window) != 2 or not all(w is None or isinstance(w, str)
                                                 for w in saved_window):
                raise PromorulesError("saved state: 'window' must be a pair of ISO "
                                      "date-times or nulls", code="PR800")
            window = (saved_window[0], saved_window[1])
        monitor = cls(ruleset, saved_decision, backend=backend, window=window)
        if legacy is not None:
            monitor.notes.append(legacy)
        saved_digest = saved_rs.get("digest")
        if saved_digest != ruleset.digest:
            monitor.notes.append(
                f"the state was saved with {saved_id} {saved_rs.get('version')} "
                f"({saved_digest}) and is restored on {ruleset.id} {ruleset.version} "
                f"({ruleset.digest}): states were reached under the old rules; each entity is "
                "re-evaluated under the new ones at its next update")
        entities = _field(data, "entities", Mapping)
        for eid, raw in entities.items():
            where = f"entities.{eid}."
            if not isinstance(raw, Mapping):
                raise PromorulesError(f"saved state: '{where[:-1]}' must be an object",
                                      code="PR800")
            e = _Entity()
            facts = _field(raw, "facts", Mapping, where)
            e.facts = {monitor._name(k): monitor._jsonable(k, v)
                       for k, v in facts.items() if v is not None}
            e.state = raw.get("state")
            if e.state is not None and e.state not in _STATES:
                raise PromorulesError(f"saved state: '{where}state' is {e.state!r}",
                                      code="PR800")
            e.since = monitor._saved_instant(raw, "since", where)
            e.qualified_at = monitor._saved_instant(raw, "qualified_at", where)
            e.disqualified_at = monitor._saved_instant(raw, "disqualified_at", where)
            e.last_as_of = monitor._saved_instant(raw, "last_as_of", where)
            failed = raw.get("failed", [])
            if not isinstance(failed, list) or not all(isinstance(f, str) for f in failed):
                raise PromorulesError(f"saved state: '{where}failed' must be a list of rule "
                                      "ids", code="PR800")
            e.failed = tuple(failed)
            monitor._entities[str(eid)] = e
        return monitor

    def _saved_instant(self, raw: Mapping[str, Any], key: str, where: str
                       ) -> dt.datetime | None:
        value = raw.get(key)
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise FactError("not a string")
            return self._instant(value)
        except FactError:
            raise PromorulesError(f"saved state: '{where}{key}' is not an ISO date-time: "
                                  f"{value!r}", code="PR800") from None


# -- helpers -------------------------------------------------------------------------------


def _entity_data(e: _Entity) -> dict[str, Any]:
    return {"facts": dict(e.facts), "state": e.state, "since": _iso(e.since),
            "qualified_at": _iso(e.qualified_at), "disqualified_at": _iso(e.disqualified_at),
            "failed": list(e.failed), "last_as_of": _iso(e.last_as_of)}


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _field(data: Mapping[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        what = {"Mapping": "an object", "list": "a list", "str": "a string"}[kind.__name__]
        raise PromorulesError(f"saved state: '{where}{key}' must be {what}", code="PR800")
    return value


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        return repr(value)  # the shortest repr: what the engine reads a float as
    return str(value)


def _to_json(name: str, value: object, depth: int = 0) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # the engine will reject it
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetime included: the engine reads ISO text the same
        return value.isoformat()
    if depth < 20 and isinstance(value, list | tuple):
        return [_to_json(name, v, depth + 1) for v in value]
    if depth < 20 and isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return {k: _to_json(name, v, depth + 1) for k, v in value.items()}
    raise FactError(f"fact '{name}': a {type(value).__name__} cannot be monitored (facts "
                    "must be JSON data, numbers, decimals, dates or date-times)",
                    code="PR600", fact=name, value=value)


def _import_durable() -> Any:
    try:
        return importlib.import_module("promorules.backends.durable")
    except ImportError as e:
        raise PromorulesError(f"the 'durable' backend is not available "
                              f"(promorules.backends.durable cannot be imported: {e}); use "
                              "backend='native'", code="PR802") from e


def _durable_evaluator(module: Any, ruleset: Ruleset, decision: str
                       ) -> Callable[[Mapping[str, Any], dt.datetime], str]:
    """A function (facts, as_of) -> "pass" / "fail" / "unknown" from the durable backend:
    ``compile(ruleset, decision).evaluate(facts, as_of)``."""
    try:
        compiled = module.compile(ruleset, decision)
    except PromorulesError:
        raise
    except Exception as e:
        raise PromorulesError(f"the 'durable' backend cannot compile '{decision}': {e!r}",
                              code="PR802") from e
    run = getattr(compiled, "evaluate", None)
    if not callable(run):
        raise PromorulesError("the 'durable' backend's compile() returned "
                              f"{type(compiled).__name__}, which cannot evaluate",
                              code="PR802")

    def evaluate(facts: Mapping[str, Any], as_of: dt.datetime) -> str:
        return str(run(facts, as_of))

    return evaluate
