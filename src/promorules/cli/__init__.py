"""The ``promorules`` command line (also ``python -m promorules``).

    promorules check RULESET... [--against OLD.yaml]
    promorules eval RULESET DECISION FACTS.json [--as-of DATETIME] [--json] [--lang LANG]
                    [--param NAME=VALUE ...] [--color auto|always|never]
    promorules test PATH... [--coverage] [--min-coverage N]
    promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]
    promorules docs RULESET [-o FILE.md|FILE.html] | --all | --check
    promorules monitor RULESET DECISION updates.jsonl [--state FILE]
    promorules batch RULESET DECISION INPUT -o OUTPUT [--as-of DATETIME] [--engine duckdb|spark]
    promorules serve RULESETS_DIR [--host HOST] [--port PORT] [--decision-log FILE.jsonl]
    promorules import dmn MODEL.dmn -o RULESET.yaml [--id ID] [--partial]

``run(argv, stdout, stderr)`` is the testable core; ``main()`` wires it to the process.
Each subcommand is one module of this package (``promorules.cli.eval``, ``.check``, ...;
``import`` is ``.import_dmn``, ``import`` being a Python keyword),
imported only when it runs, with a ``main(argv, stdout, stderr, stdin) -> int``. This
package alone owns argparse, standard output and standard error; the library modules it
calls return data and raise promorules errors.

``COMMANDS`` (help and usage line) and ``EXIT_STATUS`` (what each exit status means) are
the one table of subcommands: ``promorules --help`` shows it, and the synopsis and the
exit-status table of docs/cli.md are generated from it (:mod:`.reference`,
``tools/refresh_cli_docs.py``). A new subcommand adds a row to both. Every subcommand exits
3 for invalid input (a ruleset, a file, arguments), never with a traceback; ``eval`` exits
0 pass, 1 fail, 2 unknown; ``check`` 0 when every file is valid (with ``--against``, and
the version bump is large enough); ``test`` 1 when an example fails or coverage is below
``--min-coverage``; ``diff`` 1 when the rulesets differ; ``docs --check`` 1 when a sheet is
stale.
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
             "promorules eval RULESET DECISION FACTS.json [--as-of DATETIME] [--json] "
             "[--lang en|zh|zh-Hans|zh-Hant] [--param NAME=VALUE ...] "
             "[--color auto|always|never]"),
    "test": ("run a ruleset's examples (with --coverage)",
             "promorules test PATH... [--coverage] [--min-coverage N] "
             "[--lang en|zh|zh-Hans|zh-Hant]"),
    "diff": ("semantic diff of two rulesets, and replay of recorded facts",
             "promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]"),
    "docs": ("render a ruleset as a policy sheet (Markdown or HTML)",
             "promorules docs RULESET [-o FILE.md|FILE.html] [--check] | "
             "promorules docs --all [--check]"),
    "monitor": ("watch entities' fact updates and stream qualification events",
                "promorules monitor RULESET DECISION updates.jsonl [--state FILE]"),
    "batch": ("evaluate a decision over a whole table (Parquet, CSV, JSON lines)",
              "promorules batch RULESET DECISION INPUT -o OUTPUT [--as-of DATETIME] "
              "[--engine duckdb|spark]"),
    "serve": ("serve rulesets over HTTP (needs promorules[server])",
              "promorules serve RULESETS_DIR [--host 127.0.0.1] [--port 8080] "
              "[--decision-log FILE.jsonl]"),
    "check": ("validate rulesets (with --against OLD, the version bump too)",
              "promorules check RULESET... [--against OLD.yaml]"),
    "import": ("convert a DMN model's decision tables into a ruleset",
               "promorules import dmn MODEL.dmn -o RULESET.yaml [--id ID] [--partial]"),
}

# subcommand -> what each exit status means (docs/cli.md's table; tests/unit/test_cli_analyst_loop
# checks every subcommand of COMMANDS has its row). Rows for subcommands not in COMMANDS
# are not shown.
EXIT_STATUS: dict[str, dict[int, str]] = {
    "check": {0: "every file is valid (warnings allowed; with `--against`, the version bump is "
                 "large enough)",
              3: "at least one ruleset or examples file is invalid (with `--against`: or its "
                 "version is too small, PR315)"},
    "eval": {0: "the decision passed (a value decision produced its value)",
             1: "the decision failed", 2: "unknown: facts it needs are missing",
             3: "invalid ruleset, facts file, facts, `--as-of`, `--param` or usage"},
    "test": {0: "every example passed (and coverage is at least `--min-coverage`)",
             1: "an example failed, or coverage is below `--min-coverage`",
             3: "invalid ruleset, examples file or arguments"},
    "diff": {0: "the rulesets are equivalent", 1: "they differ",
             3: "invalid ruleset, records file or arguments"},
    "docs": {0: "written (with `--check`: every sheet is up to date)",
             1: "with `--check`: a sheet is stale or missing",
             3: "invalid ruleset, examples file or arguments"},
    "monitor": {0: "every update was read (events on standard output), or the reader of "
                   "standard output went away (`| head`); the state is saved",
                3: "invalid ruleset, update line, state file (PR800-PR806) or arguments"},
    "batch": {0: "the batch ran, whatever the outcomes",
              3: "invalid ruleset, decision, input file or arguments"},
    "serve": {0: "stopped (SIGTERM or Ctrl-C)",
              3: "the rulesets do not load, the server extra is missing, or bad arguments"},
    "import": {0: "the ruleset was written (with `--partial`: the decisions that map; the "
                  "others are listed)",
               3: "the model cannot be read or has elements outside the mapped subset "
                  "(PR840-PR842), or bad arguments"},
}
# a subcommand whose module is not named after it (``import`` is a Python keyword)
MODULES = {"import": "import_dmn"}


def _parser() -> argparse.ArgumentParser:
    """The top-level parser: it only names the subcommands (each parses its own arguments),
    for ``promorules --help`` and for usage errors before a subcommand."""
    parser = CommandParser(prog="promorules", description="Evaluate and check promorules rulesets.",
                           epilog="exit status: 3 for invalid input in every subcommand; "
                                  "see `promorules COMMAND --help` and docs/cli.md")
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
        command = importlib.import_module(f".{MODULES.get(argv[0], argv[0])}", __name__)
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
