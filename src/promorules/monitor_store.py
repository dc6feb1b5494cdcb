"""Continuous monitoring, saved state: a monitor's state kept durably as it goes.

:class:`SqliteStateStore` keeps the state in a SQLite database (the standard library's
``sqlite3``) in WAL mode: a ``meta`` table with the header (format, ruleset, decision,
window) and the integrity digest, and an ``entities`` table with one row per entity (its
saved data as JSON, and the row's digest). :meth:`~StateStore.checkpoint` writes, in one
transaction, only the entities changed since the previous checkpoint
(``Monitor.take_changes``); :meth:`~StateStore.update_seen` checkpoints every ``every``
updates or every ``interval`` seconds, whichever comes first. A process that dies between
two checkpoints loses at most the updates since the last one; the database is never left
half-written (a transaction either happened or did not).

:class:`JsonStateStore` keeps the same state as one JSON file (``Monitor.save()``),
rewritten atomically (a temporary file renamed over it) at each checkpoint: the format
before SQLite, still read and written for ``--state FILE.json``, and the export format.

:func:`open_store` picks the kind: by the file's content when it exists (SQLite's header,
else JSON), else by its name (``.json``: JSON). Both check the integrity digests
(:mod:`promorules.monitor_digest`) when they restore: ``PR803`` for a state changed
outside promorules, ``PR804`` for a file that is not a monitor state store, ``PR806`` for
one that cannot be written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from typing import Any

from .errors import FactError, PromorulesError
from .facts import read_json
from .monitor import Backend, Monitor, Window
from .monitor_digest import (
    ALGORITHM,
    check_key,
    empty_rows,
    head_digest,
    header_of,
    row_digest,
    state_key,
    xor_digests,
)
from .ruleset import Ruleset

__all__ = ["JsonStateStore", "SqliteStateStore", "StateStore", "open_store"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


class StateStore:
    """Where a monitor's state lives between runs: :meth:`restore` (or a fresh monitor),
    :meth:`attach`, then :meth:`update_seen` after each update and :meth:`close` at the
    end (also on a signal or a broken pipe)."""

    def __init__(self, path: str, *, key: bytes | None = None, every: int = 1000,
                 interval: float = 1.0) -> None:
        self.path = path
        self.key = key
        self.every = every
        self.interval = interval
        self.monitor: Monitor | None = None
        self.checkpoints = 0
        self.position: dict[str, Any] | None = None  # {"input": name, "line": n} done
        self._pending = 0
        self._last = time.monotonic()

    # -- to override -------------------------------------------------------------------

    def load(self) -> dict[str, Any] | None:
        """The saved state (as ``Monitor.save()`` gives it), or None for an empty store."""
        raise NotImplementedError

    def saved_position(self) -> dict[str, Any] | None:
        """Where the input stood at the last checkpoint (``{"input": name, "line": n}``,
        the last line whose update the state holds), or None. Not covered by the
        integrity digest: it only tells a resumed run which lines to skip."""
        raise NotImplementedError

    def _write(self, changes: dict[str, dict[str, Any]], header: bool) -> None:
        """Write ``changes`` (entity id -> saved data), and the header when ``header``."""
        raise NotImplementedError

    def _close(self) -> None:
        pass

    # -- the protocol --------------------------------------------------------------------

    def restore(self, ruleset: Ruleset, decision: str, *, backend: Backend = "native",
                window: Window | None = None) -> Monitor | None:
        """The monitor saved in the store (checked: ``PR800``, ``PR801``, ``PR803``,
        ``PR805``), or None when the store is empty."""
        data = self.load()
        if data is None:
            return None
        return Monitor.restore(ruleset, data, decision=decision, backend=backend,
                               window=window, key=self.key)

    def attach(self, monitor: Monitor, *, everything: bool = False) -> None:
        """Save ``monitor`` here from now on; writes its header (and, with ``everything``,
        every entity: an import from another store) at once."""
        self.monitor = monitor
        changes = monitor.take_changes()
        if everything:
            changes = monitor.save()["entities"]
        self._commit(changes, True)

    def update_seen(self, position: dict[str, Any] | None = None) -> bool:
        """Count one update (``position``: where it was read); checkpoint when ``every``
        updates or ``interval`` seconds have passed since the last checkpoint. Returns
        whether it checkpointed."""
        self._pending += 1
        if position is not None:
            self.position = position
        if self._pending >= self.every or time.monotonic() - self._last >= self.interval:
            self.checkpoint()
            return True
        return False

    def checkpoint(self) -> None:
        """Write the entities changed since the previous checkpoint, in one transaction."""
        if self.monitor is None:
            return
        changes = self.monitor.take_changes()
        if changes or self._pending:
            self._commit(changes, False)
        self._pending, self._last = 0, time.monotonic()

    def close(self) -> None:
        """A last checkpoint, then release the file."""
        try:
            self.checkpoint()
        finally:
            self._close()

    def _commit(self, changes: dict[str, dict[str, Any]], header: bool) -> None:
        try:
            self._write(changes, header)
        except BaseException:
            if self.monitor is not None:  # not written: they stay to be written next time
                self.monitor.mark_changed(changes)
            raise
        self.checkpoints += 1


class JsonStateStore(StateStore):
    """The state as one JSON file, rewritten atomically at each checkpoint."""

    def load(self) -> dict[str, Any] | None:
        if not os.path.exists(self.path):
            return None
        try:
            with open(self.path, "rb") as fh:
                data = read_json(fh.read(), "saved state")  # strict: depth, keys, numbers
        except OSError as e:
            raise PromorulesError(f"cannot read the saved state: {e.strerror or e}",
                                  code="PR804") from None
        except FactError as e:
            raise PromorulesError(f"cannot read the saved state: {e.message}",
                                  code="PR800") from None
        if not isinstance(data, dict):
            raise PromorulesError("the saved state is not a JSON object", code="PR800")
        return data

    def saved_position(self) -> dict[str, Any] | None:
        data = self.load()
        position = None if data is None else data.get("position")
        return position if isinstance(position, dict) else None

    def _write(self, changes: dict[str, dict[str, Any]], header: bool) -> None:
        assert self.monitor is not None
        data = self.monitor.save(self.key)
        if self.position is not None:
            data["position"] = self.position
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            fd, tmp = tempfile.mkstemp(prefix=".monitor-", suffix=".json", dir=folder)
        except OSError as e:
            raise PromorulesError(f"cannot write the state: {e.strerror or e}",
                                  code="PR806") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)  # atomic: a crash never leaves half a state file
        except OSError as e:
            raise PromorulesError(f"cannot write the state: {e.strerror or e}",
                                  code="PR806") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


class SqliteStateStore(StateStore):
    """The state in a SQLite database in WAL mode, one row per entity."""

    def __init__(self, path: str, *, key: bytes | None = None, every: int = 1000,
                 interval: float = 1.0) -> None:
        super().__init__(path, key=key, every=every, interval=interval)
        self._rows: dict[str, str] = {}  # entity id -> its row digest, as stored
        self._xor = empty_rows()
        self._key: bytes | None = None  # the HMAC key, once the header is known
        try:
            self._db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta "
                             "(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS entities (entity_id TEXT PRIMARY "
                             "KEY, data TEXT NOT NULL, digest TEXT NOT NULL)")
        except sqlite3.DatabaseError as e:
            raise PromorulesError(f"not a monitor state store (SQLite: {e})",
                                  code="PR804") from None

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def saved_position(self) -> dict[str, Any] | None:
        try:
            position = json.loads(self._meta("position") or "null")
        except (ValueError, sqlite3.DatabaseError):
            return None
        return position if isinstance(position, dict) else None

    def load(self) -> dict[str, Any] | None:
        try:
            header = self._meta("header")
            integrity = self._meta("integrity")
            rows = self._db.execute("SELECT entity_id, data, digest FROM entities "
                                    "ORDER BY rowid").fetchall()
        except sqlite3.DatabaseError as e:
            raise PromorulesError(f"not a monitor state store (SQLite: {e})",
                                  code="PR804") from None
        if header is None:
            if rows:
                raise PromorulesError("the state store has entities but no header: it was "
                                      "changed outside promorules", code="PR803")
            return None
        try:
            data: dict[str, Any] = json.loads(header)
            data["integrity"] = json.loads(integrity or "null")
            entities = {str(eid): json.loads(text) for eid, text, _ in rows}
        except (ValueError, TypeError) as e:
            raise PromorulesError(f"the state store holds data that is not JSON ({e}): it "
                                  "was changed outside promorules", code="PR803") from None
        if not isinstance(data, dict) or not isinstance(data.get("ruleset"), dict):
            raise PromorulesError("the state store's header is damaged", code="PR800")
        data["entities"] = entities
        check_key(data["integrity"], self.key)
        key = state_key(str(data["ruleset"].get("id")), str(data.get("decision")), self.key)
        for eid, _, digest in rows:  # each row: names the entity that was edited
            if row_digest(key, str(eid), entities[str(eid)]) != digest:
                raise PromorulesError(f"entity '{eid}' in the state store does not match its "
                                      "integrity digest: it was changed outside promorules; "
                                      "refusing to restore it", code="PR803")
            self._rows[str(eid)] = str(digest)
            self._xor = xor_digests(self._xor, str(digest))
        return data

    def _write(self, changes: dict[str, dict[str, Any]], header: bool) -> None:
        assert self.monitor is not None
        head = header_of(self.monitor.header())
        key = self._key or state_key(head["ruleset"]["id"], head["decision"], self.key)
        self._key = key
        rows, xor = dict(self._rows), self._xor
        values = []
        for eid, data in changes.items():
            digest = row_digest(key, eid, data)
            if eid in rows:
                xor = xor_digests(xor, rows[eid])
            rows[eid] = digest
            xor = xor_digests(xor, digest)
            values.append((eid, json.dumps(data, ensure_ascii=False, sort_keys=True), digest))
        integrity = {"algorithm": ALGORITHM, "keyed": self.key is not None,
                     "digest": head_digest(key, head, len(rows), xor)}
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if header:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('header', ?)",
                               (json.dumps(head, ensure_ascii=False, sort_keys=True),))
                db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?, ?)", values)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('integrity', ?)",
                           (json.dumps(integrity),))
                if self.position is not None:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('position', ?)",
                               (json.dumps(self.position, ensure_ascii=False),))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise PromorulesError(f"cannot write the state store: {e}", code="PR806") from None
        self._rows, self._xor = rows, xor

    def _close(self) -> None:
        self._db.close()

    def export(self) -> dict[str, Any] | None:
        """The stored state as the JSON export (``Monitor.save()`` data), checked."""
        return self.load()


def open_store(path: str, *, key: bytes | None = None, every: int = 1000,
               interval: float = 1.0) -> StateStore:
    """The store for ``path``: SQLite when the file is a SQLite database, JSON when it is
    another existing file; a new file is JSON when its name ends in ``.json``, else SQLite."""
    kind: type[StateStore] = SqliteStateStore
    if os.path.exists(path):
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as e:
            raise PromorulesError(f"cannot read the saved state: {e.strerror or e}",
                                  code="PR804") from None
        if head != _SQLITE_MAGIC and head != b"":
            kind = JsonStateStore
    elif path.endswith(".json"):
        kind = JsonStateStore
    return kind(path, key=key, every=every, interval=interval)

