"""The ``promorules`` command line (also ``python -m promorules``).

    promorules eval RULESET DECISION FACTS.json [--as-of DATETIME] [--json]
                    [--lang en|zh|zh-Hans|zh-Hant] [--param NAME=VALUE ...]
    promorules check RULESET...
    promorules test | diff | docs | monitor ...
    promorules batch RULESET DECISION INPUT -o OUTPUT [--as-of DATETIME] [--engine duckdb|spark]

``run(argv, stdout, stderr)`` is the testable core; ``main()`` wires it to the process.
Each subcommand is one module of this package (``promorules.cli.eval``, ``.check``,
``.test``, ``.diff``, ``.docs``, ``.monitor``, ``.batch``), imported only when it runs, with a
``main(argv, stdout, stderr, stdin) -> int``. This package alone owns argparse, standard
output and standard error; the library modules it calls return data and raise promorules
errors. Exit codes of ``eval``: 0 pass, 1 fail, 2 unknown, 3 invalid ruleset or facts;
``check``: 0 when every ruleset is valid, 3 otherwise; ``batch``: 0 when the batch ran, 3
for an invalid ruleset, decision or input file.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import IO

from .. import __version__
from ..errors import PromorulesError
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "run"]

# subcommand -> (help in `promorules --help`, usage line); in the order --help lists them
COMMANDS = {
    "eval": ("evaluate a decision on a facts file",
             "promorules eval RULESET DECISION FACTS.json [--as-of DATETIME] [--json]"),
    "test": ("run a ruleset's examples (with --coverage)",
             "promorules test PATH... [--coverage] [--min-coverage N] "
             "[--lang en|zh|zh-Hans|zh-Hant]"),
    "diff": ("semantic diff of two rulesets, and replay of recorded facts",
             "promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]"),
    "docs": ("render a ruleset as a policy sheet (Markdown or HTML)",
             "promorules docs RULESET [-o FILE.md|FILE.html]"),
    "monitor": ("watch entities' fact updates and stream qualification events",
                "promorules monitor RULESET DECISION updates.jsonl [--state FILE]"),
    "check": ("validate rulesets", "promorules check RULESET..."),
    "batch": ("evaluate a decision over a whole table (Parquet, CSV, JSON lines)",
              "promorules batch RULESET DECISION INPUT -o OUTPUT [--as-of DATETIME] "
              "[--engine duckdb|spark]"),
}


def _parser() -> argparse.ArgumentParser:
    """The top-level parser: it only names the subcommands (each parses its own arguments),
    for ``promorules --help`` and for usage errors before a subcommand."""
    parser = CommandParser(prog="promorules", description="Evaluate and check promorules rulesets.")
    parser.add_argument("--version", action="version", version=f"promorules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    for name, (text, usage) in COMMANDS.items():
        sub.add_parser(name, help=text, description=usage, add_help=False)
    return parser


def run(argv: Sequence[str] | None = None, stdout: IO[str] | None = None,
        stderr: IO[str] | None = None, stdin: IO[str] | None = None) -> int:
    """Run the command line with ``argv``; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stdin = stdin or sys.stdin
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-V"]):
        stdout.write(f"promorules {__version__}\n")
        return 0
    if any("\x00" in a for a in argv):  # no file name or value can hold one
        stderr.write("error: a command-line argument contains a NUL character\n")
        return EXIT_INVALID
    if argv and argv[0] in COMMANDS:
        # imported on use: `promorules eval` does not load the diff or docs machinery
        command = importlib.import_module(f".{argv[0]}", __name__)
        try:
            return int(command.main(argv[1:], stdout, stderr, stdin))
        except PromorulesError as e:
            print_error(e, stderr)
            return EXIT_INVALID
        except BrokenPipeError:
            raise
        except RecursionError:  # every reader bounds its input: a last resort, never exit 1
            stderr.write("error: PR105 the input is nested too deeply to process\n")
            return EXIT_INVALID
        except Exception as e:  # a bug in promorules: reported as one, never a traceback
            stderr.write(f"error: PR900 internal error in '{argv[0]}': {e!r}; please report "
                         "it\n")
            return EXIT_INVALID
    parsed = parse_command(_parser(), argv, stderr, stdout)  # no or an unknown subcommand
    return parsed if isinstance(parsed, int) else EXIT_INVALID


def main() -> int:
    """Console-script entry point."""
    try:
        return run()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
