"""``promorules monitor RULESET DECISION UPDATES.jsonl [--state FILE]``: a decision watched
over a stream of fact updates (see :mod:`promorules.monitor`).

Prints one JSON line per event. Exits 0, or 3 for an invalid ruleset, state file, argument
or input line (``file:line: message``; the state file is then left as it was).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from ..errors import FactError, PromorulesError
from ..facts import read_json
from ..monitor import Monitor, Window
from ..ruleset import load
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
                                  "they cause as JSON lines. Exit 0, or 3 for an invalid "
                                  "ruleset, state file or input line.")
    p.add_argument("ruleset")
    p.add_argument("decision")
    p.add_argument("updates", metavar="UPDATES.jsonl")
    p.add_argument("--state", metavar="FILE",
                   help="load the monitor's state from FILE if it exists, and save it there "
                        "at the end")
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


def _updates(path: str, stdin: IO[str]) -> Iterator[tuple[str, str, object, dict[str, Any]]]:
    """(location, entity, as_of, facts) for each non-blank line."""
    name = "<stdin>" if path == "-" else path
    try:
        fh = stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        raise _LineError(name, f"cannot read updates: {e.strerror or e}") from None
    try:
        for number, line in enumerate(fh, 1):
            if line.strip():
                where = f"{name}:{number}"
                yield (where, *_update(where, line))
    except UnicodeDecodeError as e:
        raise _LineError(name, f"not UTF-8 text: {e.reason}") from None
    finally:
        if fh is not stdin:
            fh.close()


def _read_state(path: str) -> dict[str, Any] | None:
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as fh:
            data = read_json(fh.read(), "saved state")  # strict: depth, repeated keys, numbers
    except OSError as e:
        raise _LineError(path, f"cannot read the saved state: {e}") from None
    except FactError as e:
        raise _LineError(path, f"cannot read the saved state: {e.message}") from None
    if not isinstance(data, dict):
        raise _LineError(path, "the saved state is not a JSON object")
    return data


def _write_state(path: str, data: Mapping[str, Any]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".monitor-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)  # atomic: a crash never leaves half a state file
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _monitor(args: argparse.Namespace, stdout: IO[str], stderr: IO[str],
             stdin: IO[str]) -> None:
    ruleset = load(args.ruleset)
    window: Window | None = None
    if args.window_from or args.window_until:
        window = (args.window_from or ruleset.effective_from,
                  args.window_until or ruleset.effective_until)
    saved = _read_state(args.state) if args.state else None
    if saved is None:
        monitor = Monitor(ruleset, args.decision, backend=args.backend, window=window)
    else:
        try:
            monitor = Monitor.restore(ruleset, saved, decision=args.decision,
                                      backend=args.backend, window=window)
        except FactError as e:
            raise _LineError(args.state, str(e)) from None
        except PromorulesError as e:
            if e.code in ("PR800", "PR801"):
                raise _LineError(args.state, str(e)) from None
            raise
    for note in monitor.notes:
        stderr.write(f"note: {note}\n")
    for where, entity, as_of, facts in _updates(args.updates, stdin):
        try:
            events = monitor.observe(entity, facts, as_of=as_of)
        except FactError as e:
            raise _LineError(where, str(e)) from None
        for event in events:
            stdout.write(json.dumps(event.to_dict(args.lang), ensure_ascii=False) + "\n")
    if args.state:
        _write_state(args.state, monitor.save())


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules monitor``; ``argv`` is what follows ``monitor``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    try:
        _monitor(args, stdout, stderr, stdin)
    except _LineError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except PromorulesError as e:
        print_error(e, stderr)
        return EXIT_INVALID
    except OSError as e:  # the state file cannot be written
        stderr.write(f"error: {e}\n")
        return EXIT_INVALID
    return 0
