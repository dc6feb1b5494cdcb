"""``promorules monitor RULESET DECISION UPDATES.jsonl [--state FILE]``: a decision watched
over a stream of fact updates (see :mod:`promorules.monitor`).

Prints one JSON line per event. With ``--state``, the state is saved as it goes
(:mod:`promorules.monitor_store`), and at the end however the run ends: the input done,
an invalid line, a broken pipe on standard output, or SIGTERM / SIGHUP / SIGINT. Exits 0
(also when the reader of standard output goes away), 3 for an invalid ruleset, state file,
argument or input line (``file:line: message``), 128 + the signal's number when stopped by
a signal (143 for SIGTERM, 129 SIGHUP, 130 SIGINT).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
from collections.abc import Iterator, Sequence
from typing import IO, Any

from ..errors import FactError, PromorulesError
from ..facts import read_json
from ..monitor import Monitor, Window
from ..monitor_store import JsonStateStore, StateStore, open_store
from ..ruleset import Ruleset, load
from ..zh_script import EXPLAIN_LANGS
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "parser"]


class _LineError(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules monitor``."""
    p = CommandParser(prog="promorules monitor",
                      description="Watch DECISION of RULESET over a stream of fact updates "
                                  "(JSON lines {\"entity\": ..., \"as_of\": ..., \"facts\": "
                                  "{...}}; '-' reads standard input) and print the events "
                                  "they cause as JSON lines. Exit 0, 3 for an invalid "
                                  "ruleset, state file or input line, 128+N when stopped "
                                  "by signal N (the state is saved).")
    p.add_argument("ruleset")
    p.add_argument("decision")
    p.add_argument("updates", metavar="UPDATES.jsonl")
    p.add_argument("--state", metavar="FILE",
                   help="load the monitor's state from FILE if it exists, and save it there "
                        "as it goes (every N updates or every second) and at the end, also "
                        "on SIGTERM, SIGHUP, SIGINT or a broken pipe: a SQLite database in "
                        "WAL mode, or a JSON file when FILE ends in .json or already is one")
    p.add_argument("--resume", action="store_true",
                   help="skip the lines of UPDATES.jsonl the state already holds (the same "
                        "file, after a run that stopped early)")
    p.add_argument("--import-state", dest="import_state", metavar="FILE.json",
                   help="start from this JSON state (from an older run, or Monitor.save()); "
                        "the --state store must be empty")
    p.add_argument("--state-key", dest="state_key", metavar="KEYFILE",
                   help="a secret (at least 16 bytes) that keys the state's integrity "
                        "digest: without it the digest is a checksum (tamper-evident); "
                        "with it only a holder of the key can write a state that verifies")
    p.add_argument("--checkpoint-every", dest="checkpoint_every", type=int, default=1000,
                   metavar="N", help="save the state every N updates (and at least every "
                                     "second; default 1000)")
    p.add_argument("--window-from", dest="window_from", metavar="DATETIME",
                   help="start of the monitoring window (default: the ruleset's "
                        "effective_from, or the saved state's window)")
    p.add_argument("--window-until", dest="window_until", metavar="DATETIME",
                   help="end of the monitoring window, inclusive (default: the ruleset's "
                        "effective_until, or the saved state's window)")
    p.add_argument("--backend", choices=("native", "durable"), default="native")
    p.add_argument("--lang", choices=EXPLAIN_LANGS, default="en",
                   help="explanation language (zh, zh-Hans: Simplified; zh-Hant: Traditional)")
    return p


def _update(where: str, line: str) -> tuple[str, object, dict[str, Any]]:
    """(entity, as_of, facts) of one input line."""
    try:
        item = read_json(line, "update", facts_key="facts")
    except FactError as e:
        raise _LineError(where, f"not a JSON object: {e.message}") from None
    if not isinstance(item, dict):
        raise _LineError(where, "expected a JSON object {\"entity\": ..., "
                                "\"as_of\": ..., \"facts\": {...}}")
    unknown = sorted(set(item) - {"entity", "as_of", "facts"})
    if unknown:
        raise _LineError(where, f"unknown key(s) {', '.join(unknown)}; expected "
                                "entity, as_of, facts")
    entity = item.get("entity")
    if isinstance(entity, int) and not isinstance(entity, bool):
        entity = str(entity)
    if not isinstance(entity, str) or not entity:
        raise _LineError(where, "\"entity\" must be a non-empty string")
    if not isinstance(item.get("as_of"), str):
        raise _LineError(where, "\"as_of\" must be an ISO date or date-time string")
    facts = item.get("facts", {})
    if not isinstance(facts, dict):
        raise _LineError(where, "\"facts\" must be an object of fact names to values")
    return entity, item["as_of"], facts


def _updates(path: str, stdin: IO[str], skip: int = 0
             ) -> Iterator[tuple[str, int, str, object, dict[str, Any]]]:
    """(location, line number, entity, as_of, facts) for each non-blank line after the
    first ``skip`` lines."""
    name = "<stdin>" if path == "-" else path
    try:
        fh = stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        raise _LineError(name, f"cannot read updates: {e.strerror or e}") from None
    try:
        for number, line in enumerate(fh, 1):
            if number > skip and line.strip():
                where = f"{name}:{number}"
                yield (where, number, *_update(where, line))
    except UnicodeDecodeError as e:
        raise _LineError(name, f"not UTF-8 text: {e.reason}") from None
    finally:
        if fh is not stdin:
            fh.close()


class _Stopped(Exception):
    """A signal asked the monitor to stop (raised by the handler, between two updates or
    inside one: the state is then saved as of the last whole update)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                      if hasattr(signal, name))


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`_Stopped` (SIGINT raises KeyboardInterrupt), in
    the main thread; elsewhere (a library caller's thread) nothing is installed."""
    def stop(signum: int, frame: object) -> None:
        raise _Stopped(signum)

    saved = {}
    try:
        for sig in _STOP_SIGNALS:
            saved[sig] = signal.signal(sig, stop)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Signals held back while the state is written for the last time; one that came
    meanwhile is delivered after (to the handler in force then)."""
    held = {signal.SIGINT, *_STOP_SIGNALS}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # pragma: no cover (no sigmask)
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _quiet(stdout: IO[str]) -> None:
    """After a broken pipe: point standard output at /dev/null, so that the interpreter's
    last flush at exit does not fail again."""
    try:
        fd = stdout.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _read_key(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            key = fh.read().strip()
    except OSError as e:
        raise _LineError(path, f"cannot read the state key: {e.strerror or e}") from None
    if len(key) < 16:
        raise _LineError(path, "the state key must hold at least 16 bytes")
    return key


def _restore(args: argparse.Namespace, store: StateStore | None, ruleset: Ruleset,
             window: Window | None, key: bytes | None) -> tuple[Monitor, bool]:
    """The monitor to run (restored, imported or new) and whether it was imported."""
    where = args.state
    try:
        monitor = None if store is None else store.restore(
            ruleset, args.decision, backend=args.backend, window=window)
        if args.import_state:
            if monitor is not None:
                raise _LineError(args.state, "--import-state: the state store already holds "
                                             "a state")
            where = args.import_state
            data = JsonStateStore(args.import_state).load()
            if data is None:
                raise _LineError(args.import_state, "no such file")
            monitor = Monitor.restore(ruleset, data, decision=args.decision,
                                      backend=args.backend, window=window, key=key)
            return monitor, True
    except FactError as e:
        raise _LineError(where, str(e)) from None
    except PromorulesError as e:
        if e.code in _STATE_CODES:
            raise _LineError(where, str(e)) from None
        raise
    if monitor is None:
        monitor = Monitor(ruleset, args.decision, backend=args.backend, window=window)
    return monitor, False


_STATE_CODES = frozenset({"PR800", "PR801", "PR803", "PR804", "PR805", "PR806"})


def _monitor(args: argparse.Namespace, stdout: IO[str], stderr: IO[str],
             stdin: IO[str]) -> int:
    ruleset = load(args.ruleset)
    window: Window | None = None
    if args.window_from or args.window_until:
        window = (args.window_from or ruleset.effective_from,
                  args.window_until or ruleset.effective_until)
    if args.resume and (args.updates == "-" or not args.state):
        raise _LineError("error", "--resume needs --state and an updates file (not '-'): it "
                                  "skips the lines of that file the state already holds")
    key = _read_key(args.state_key) if args.state_key else None
    store = None
    if args.state:
        try:
            store = open_store(args.state, key=key, every=args.checkpoint_every)
        except PromorulesError as e:
            raise _LineError(args.state, str(e)) from None
    status = 0
    try:
        monitor, imported = _restore(args, store, ruleset, window, key)
        for note in monitor.notes:
            stderr.write(f"note: {note}\n")
        skip = 0
        name = "<stdin>" if args.updates == "-" else os.path.abspath(args.updates)
        if args.resume and store is not None:
            saved = store.saved_position()
            if saved is not None and saved.get("input") == name:
                skip = int(saved.get("line", 0))
        with _stop_on_signals():
            if store is not None:
                store.attach(monitor, everything=imported)
            for where, line, entity, as_of, facts in _updates(args.updates, stdin, skip):
                try:
                    events = monitor.observe(entity, facts, as_of=as_of)
                except FactError as e:
                    raise _LineError(where, str(e)) from None
                if store is not None:  # the state now holds this line's update
                    store.position = {"input": name, "line": line}
                for event in events:
                    stdout.write(json.dumps(event.to_dict(args.lang), ensure_ascii=False)
                                 + "\n")
                if events:
                    stdout.flush()  # an event is printed as soon as it happens
                if store is not None:  # after printing: a saved update's events are out
                    store.update_seen()
            stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, state saved
        _quiet(stdout)
    except _Stopped as e:
        status = 128 + e.signum
    except KeyboardInterrupt:
        status = 128 + signal.SIGINT
    finally:
        if store is not None:
            with _signals_held():
                store.close()
    if status and args.state:
        stderr.write(f"stopped by signal {status - 128}; the state is saved in "
                     f"{args.state}\n")
    return status


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules monitor``; ``argv`` is what follows ``monitor``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    try:
        return _monitor(args, stdout, stderr, stdin)
    except _LineError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except PromorulesError as e:
        if e.code in _STATE_CODES and args.state:
            stderr.write(f"{args.state}: {e}\n")
        else:
            print_error(e, stderr)
        return EXIT_INVALID
