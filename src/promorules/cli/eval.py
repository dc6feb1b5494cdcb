"""``promorules eval RULESET DECISION FACTS.json``: one decision on one facts file.

Prints the explanation (or the ``to_dict()`` JSON with ``--json``) and exits 0 for pass, 1
for fail, 2 for unknown, 3 for an invalid ruleset, facts file or arguments.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import IO, Any

from ..errors import PromorulesError, RulesetError
from ..facts import read_json_facts
from ..ruleset import load
from ..zh_script import EXPLAIN_LANGS
from .common import (
    EXIT_FAIL,
    EXIT_INVALID,
    EXIT_PASS,
    EXIT_UNKNOWN,
    CommandParser,
    UsageError,
    add_color_option,
    parse_command,
    print_error,
    use_color,
)

__all__ = ["main", "parser"]

_EXIT = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "unknown": EXIT_UNKNOWN}


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules eval``."""
    ev = CommandParser(prog="promorules eval",
                       description="Evaluate DECISION of RULESET on the facts in FACTS "
                                   "(a JSON object; '-' reads standard input). Exit 0 pass, "
                                   "1 fail, 2 unknown, 3 invalid ruleset or facts.")
    ev.add_argument("ruleset")
    ev.add_argument("decision")
    ev.add_argument("facts")
    ev.add_argument("--as-of", dest="as_of", help="evaluation instant (ISO date or date-time; "
                    "default now)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")
    ev.add_argument("--lang", choices=EXPLAIN_LANGS, default="en",
                    help="explanation language (zh, zh-Hans: Simplified; zh-Hant: Traditional)")
    ev.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="override a declared parameter (repeatable)")
    add_color_option(ev)
    return ev


def _read_facts(path: str, stdin: IO[str]) -> dict[str, Any]:
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise RulesetError(f"cannot read facts: {e}", code="PR100", source=path) from None
    return read_json_facts(text)


def _params(items: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"promorules eval: --param expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _eval(args: argparse.Namespace, stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    ruleset = load(args.ruleset, params=_params(args.param))
    facts = _read_facts(args.facts, stdin)
    result = ruleset.evaluate(args.decision, facts, as_of=args.as_of)
    if args.json:
        stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(result.explain(args.lang, color=use_color(args.color, stdout)))
        undeclared = sorted(set(facts) - set(ruleset.facts))
        if undeclared:
            stderr.write(f"note: facts not declared by {ruleset.id} were ignored: "
                         f"{', '.join(undeclared)}\n")
    return _EXIT[str(result.outcome)]


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules eval``; ``argv`` is what follows ``eval``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    try:
        return _eval(args, stdout, stderr, stdin)
    except UsageError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except PromorulesError as e:
        print_error(e, stderr, args.facts)
        return EXIT_INVALID
