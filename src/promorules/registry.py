"""Versions in force: a registry of every ruleset under a directory.

Current and historical versions of a ruleset live side by side (``rulesets/history/``);
``Registry.get(id, as_of)`` returns the one in force at that instant. The loaded set is an
immutable snapshot; ``reload()`` builds and validates a complete new snapshot before
swapping it in with one assignment, so readers in other threads see the old set or the new
one, never a mixture, and a broken edit never replaces a working set.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from .errors import PromorulesError, RulesetError
from .facts import suggest
from .ruleset import Ruleset, load

__all__ = ["Registry", "UnknownRulesetError"]


class UnknownRulesetError(PromorulesError, LookupError):
    """No ruleset with that id, or no version of it in force at the instant asked."""

    code = "PR314"


@attrs.frozen
class _Snapshot:
    by_id: Mapping[str, tuple[Ruleset, ...]]  # each sorted by effective_from


def _ruleset_files(directory: Path) -> list[Path]:
    """Every ruleset file below ``directory`` (examples files NAME.test.yaml excluded)."""
    files = [p for p in directory.rglob("*.yaml") if not p.name.endswith(".test.yaml")]
    files += [p for p in directory.rglob("*.yml") if not p.name.endswith(".test.yml")]
    return sorted(files)


def _start(rs: Ruleset) -> dt.datetime:
    return rs.effective_from or dt.datetime.min.replace(tzinfo=dt.UTC)


def _overlap(a: Ruleset, b: Ruleset) -> bool:
    never_ends = dt.datetime.max.replace(tzinfo=dt.UTC)
    return _start(a) <= (b.effective_until or never_ends) and _start(b) <= (
        a.effective_until or never_ends)


def _describe_range(rs: Ruleset) -> str:
    lo = rs.effective_from.isoformat() if rs.effective_from else "always"
    hi = rs.effective_until.isoformat() if rs.effective_until else "open-ended"
    return f"{lo} .. {hi}"


def _build(directory: Path, params: Mapping[str, Mapping[str, object]]
           ) -> tuple[_Snapshot | None, list[RulesetError]]:
    errors: list[RulesetError] = []
    loaded: list[Ruleset] = []
    if not directory.is_dir():
        return None, [RulesetError(f"not a directory: {directory}", code="PR100",
                                   source=str(directory))]
    for path in _ruleset_files(directory):
        try:
            loaded.append(load(path))
        except RulesetError as e:
            errors.extend(e.errors)
    # parameter overrides apply to every version of an id; reload those that have some
    if params:
        redone = []
        for rs in loaded:
            if rs.id in params:
                try:
                    rs = load(rs.source, params=params[rs.id])
                except RulesetError as e:
                    errors.extend(e.errors)
                    continue
            redone.append(rs)
        loaded = redone
    by_id: dict[str, list[Ruleset]] = {}
    for rs in loaded:
        by_id.setdefault(rs.id, []).append(rs)
    for rid, versions in by_id.items():
        versions.sort(key=lambda r: (_start(r), r.version))
        for i, a in enumerate(versions):
            for b in versions[i + 1:]:
                if a.version == b.version:
                    errors.append(RulesetError(
                        f"ruleset '{rid}' version {a.version} is defined twice: in {a.source} "
                        f"and in {b.source}", code="PR312", source=b.source, line=1, column=1))
                elif _overlap(a, b):
                    errors.append(RulesetError(
                        f"ruleset '{rid}': versions {a.version} ({a.source}, "
                        f"{_describe_range(a)}) and {b.version} ({b.source}, "
                        f"{_describe_range(b)}) are in force at the same time; set "
                        "effective_until on the older one", code="PR313", source=b.source,
                        line=1, column=1))
    if errors:
        return None, errors
    return _Snapshot(MappingProxyType({k: tuple(v) for k, v in by_id.items()})), []


class Registry:
    """Every ruleset under ``directory`` (recursively), by id and version in force.

    ``params`` maps a ruleset id to parameter overrides for all its versions. Raises
    RulesetError listing every problem when the directory does not load.
    """

    def __init__(self, directory: str | os.PathLike[str],
                 params: Mapping[str, Mapping[str, object]] | None = None) -> None:
        self._directory = Path(directory)
        self._params = dict(params or {})
        self._lock = threading.Lock()  # one reload at a time; readers never wait
        snapshot, errors = _build(self._directory, self._params)
        if snapshot is None:
            raise RulesetError.collect(errors)
        self._snapshot = snapshot

    def __repr__(self) -> str:
        return f"<Registry {self._directory}: {', '.join(self.ids())}>"

    def ids(self) -> list[str]:
        """The ruleset ids, sorted."""
        return sorted(self._snapshot.by_id)

    def __contains__(self, ruleset_id: object) -> bool:
        return ruleset_id in self._snapshot.by_id

    def __iter__(self) -> Iterator[Ruleset]:
        """Every loaded version of every ruleset."""
        for versions in self._snapshot.by_id.values():
            yield from versions

    def versions(self, ruleset_id: str) -> tuple[Ruleset, ...]:
        """Every version of ``ruleset_id``, oldest first."""
        snapshot = self._snapshot  # one read: a consistent view
        if ruleset_id not in snapshot.by_id:
            close = suggest(str(ruleset_id), snapshot.by_id)
            raise UnknownRulesetError(
                f"no ruleset '{ruleset_id}' in {self._directory}"
                + (f" (did you mean '{close}'?)" if close else "")
                + "; rulesets: " + ", ".join(sorted(snapshot.by_id)))
        return snapshot.by_id[ruleset_id]

    def get(self, ruleset_id: str, as_of: object = None) -> Ruleset:
        """The version of ``ruleset_id`` in force at ``as_of`` (default now)."""
        versions = self.versions(ruleset_id)
        for rs in versions:
            if rs.in_force(as_of):
                return rs
        ranges = "; ".join(f"{rs.version}: {_describe_range(rs)}" for rs in versions)
        raise UnknownRulesetError(f"no version of '{ruleset_id}' is in force at "
                                  f"{as_of or 'now'} ({ranges})")

    def reload(self) -> list[RulesetError]:
        """Reload every file. The new set replaces the old only if all of it is valid;
        otherwise the old set keeps serving and the problems are returned."""
        with self._lock:
            snapshot, errors = _build(self._directory, self._params)
            if snapshot is not None:
                self._snapshot = snapshot  # a single assignment: atomic for readers
            return errors
