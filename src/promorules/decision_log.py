"""Decision logs: one JSON line per evaluation, for audits and disputes (after the result).

A decision log records, for every evaluation, what decided it and what it decided: the
time, the ruleset's id, version and digest (the exact text that produced the result), the
decision, the instant it was evaluated at, the facts (those the ruleset lists under
``mask:`` replaced by ``"***"``), the outcome, the failed rule ids, the value and the
evaluation time. ``promorules serve --decision-log FILE.jsonl`` writes one; a Python
service that imports the library writes the same lines with :class:`DecisionLog`::

    with promorules.DecisionLog("decisions.jsonl") as log:
        result = rs.evaluate("merchant_eligibility", facts, as_of=when)
        log.record(rs, result, facts)

Lines are buffered in memory and written by a background thread at least once every
``flush_interval`` seconds (default 1), and on ``flush()`` and ``close()``: a process that
crashes loses at most the last interval, one that closes the log loses nothing. One log may
be shared by every thread of a service. This module has no HTTP dependency.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Any

from .errors import PromorulesError
from .facts import json_value
from .ruleset import Ruleset
from .trace import Result

__all__ = ["MASK", "DecisionLog", "decision_entry", "masked_facts"]

MASK = "***"
_log = logging.getLogger("promorules.decision_log")


def masked_facts(ruleset: Ruleset, facts: Mapping[str, Any], mask: str = MASK
                 ) -> dict[str, Any]:
    """``facts`` as JSON data, with every fact the ruleset lists under ``mask:`` that was
    sent (null included) replaced by ``mask``."""
    hidden = ruleset.model.mask
    out = {str(k): json_value(v) for k, v in facts.items()}
    for name in hidden:
        if name in out:
            out[name] = mask
    return out


def decision_entry(ruleset: Ruleset, result: Result, facts: Mapping[str, Any], *,
                   elapsed: float | None = None, time: dt.datetime | None = None,
                   mask: str = MASK) -> dict[str, Any]:
    """The decision-log line of one evaluation, as JSON data (see the module docstring).

    ``elapsed`` is the evaluation time in seconds (written in milliseconds); ``time`` when
    it happened (default now, UTC). ``as_of`` is the instant the result was evaluated at
    (null for a decision that does not depend on time and was given none).
    """
    when = time or dt.datetime.now(dt.UTC)
    return {
        "time": when.isoformat(),
        "ruleset_id": ruleset.id,
        "ruleset_version": ruleset.version,
        "ruleset_digest": ruleset.digest,
        "decision": result.decision,
        "as_of": None if result.as_of is None else result.as_of.isoformat(),
        "facts": masked_facts(ruleset, facts, mask),
        "outcome": str(result.outcome),
        "failed": list(result.failed_rule_ids),
        "value": json_value(result.value),
        "elapsed_ms": None if elapsed is None else round(elapsed * 1000.0, 3),
    }


class DecisionLog:
    """An append-only JSON Lines decision log, buffered and flushed by a background thread.

    ``path`` is opened for appending (created when missing). ``flush_interval`` bounds how
    long a line stays in memory. Use it as a context manager, or call :meth:`close`.
    Raises PromorulesError (``PR830``) when the file cannot be opened.
    """

    def __init__(self, path: str | os.PathLike[str], *, flush_interval: float = 1.0,
                 mask: str = MASK) -> None:
        self.path = os.fspath(path)
        self.mask = mask
        self._interval = float(flush_interval)
        try:
            self._file: IO[str] = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        except (OSError, ValueError) as e:
            raise PromorulesError(f"cannot open the decision log {self.path}: "
                                  f"{getattr(e, 'strerror', None) or e}", code="PR830") from None
        self._lines: list[str] = []
        self._lock = threading.Lock()  # guards _lines
        self._write_lock = threading.Lock()  # one writer of the file at a time
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="promorules-decision-log",
                                        daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"<DecisionLog {self.path}>"

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def write(self, entry: Mapping[str, Any]) -> None:
        """Append one line (a JSON object) to the buffer."""
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            if self._closed.is_set():
                raise PromorulesError(f"the decision log {self.path} is closed", code="PR831")
            self._lines.append(line)

    def record(self, ruleset: Ruleset, result: Result, facts: Mapping[str, Any], *,
               elapsed: float | None = None, time: dt.datetime | None = None
               ) -> dict[str, Any]:
        """Log one evaluation of ``ruleset`` (``result`` of ``ruleset.evaluate`` on
        ``facts``); returns the line written, as data. See :func:`decision_entry`."""
        entry = decision_entry(ruleset, result, facts, elapsed=elapsed, time=time,
                               mask=self.mask)
        self.write(entry)
        return entry

    def flush(self) -> None:
        """Write every buffered line to the file now. Raises OSError when the file cannot
        be written (a full disk): the lines stay buffered for the next flush."""
        with self._write_lock:
            with self._lock:
                lines, self._lines = self._lines, []
            if not lines or self._file.closed:
                return
            try:
                self._file.write("".join(lines))
                self._file.flush()
            except OSError:
                with self._lock:
                    self._lines[:0] = lines
                raise

    def close(self) -> None:
        """Flush and close the file (idempotent). Later ``record`` calls raise."""
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
        self._thread.join()
        self.flush()
        with self._write_lock:
            self._file.close()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _run(self) -> None:
        while not self._closed.wait(self._interval):
            try:
                self.flush()
            except OSError as e:  # a full disk: the lines are kept, tried again next tick
                _log.error("cannot write the decision log %s: %s", self.path, e)
