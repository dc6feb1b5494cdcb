"""The command line's shared parts: argument parsing that never exits the process, exit
codes, colour, and how errors are printed.

Every subcommand module of :mod:`promorules.cli` uses these; no library module does (the
``cli`` package alone owns argparse, standard output and standard error).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import IO, Any

from ..errors import FactError, PromorulesError, RulesetError

__all__ = [
    "EXIT_FAIL",
    "EXIT_INVALID",
    "EXIT_PASS",
    "EXIT_UNKNOWN",
    "CommandParser",
    "UsageError",
    "add_color_option",
    "parse_command",
    "print_error",
    "use_color",
]

EXIT_PASS, EXIT_FAIL, EXIT_UNKNOWN, EXIT_INVALID = 0, 1, 2, 3


class UsageError(Exception):
    """A command line that does not parse (exit status 3)."""


class CommandParser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so the command controls the exit code, and
    prints ``--help`` on the stream it is given (``out``) rather than on ``sys.stdout``."""

    out: IO[str] | None = None

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")

    def print_help(self, file: Any = None) -> None:  # argparse's SupportsWrite[str] | None
        super().print_help(file or self.out)


def parse_command(parser: argparse.ArgumentParser, argv: Sequence[str], stderr: IO[str],
                  stdout: IO[str] | None = None) -> argparse.Namespace | int:
    """The parsed arguments of a command, or the exit status to return at once: 3 for a
    usage error (printed on ``stderr``), 0 after ``--help`` (printed on ``stdout``)."""
    if isinstance(parser, CommandParser):
        parser.out = stdout
    try:
        return parser.parse_args(list(argv))
    except UsageError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except SystemExit as e:  # --help
        return int(e.code or 0)


def add_color_option(parser: argparse.ArgumentParser) -> None:
    """The ``--color auto|always|never`` option, with the same help in every subcommand."""
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the output: auto (the default) only on a terminal and "
                             "when NO_COLOR is not set; always, even when NO_COLOR is set; "
                             "never")


def use_color(mode: str, stream: IO[str]) -> bool:
    """--color auto|always|never, honouring NO_COLOR."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def print_error(err: PromorulesError, stderr: IO[str], facts_path: str | None = None) -> None:
    """A promorules error as the command line shows it: every problem of a RulesetError as
    ``file:line:column: CODE message``; a FactError about the facts file ``facts_path`` after
    that file's name (``<stdin>`` for ``-``) and, for JSON syntax, its line and column;
    anything else as ``error: CODE message``."""
    if isinstance(err, RulesetError):
        for e in err.errors:
            stderr.write(e.format() + "\n")
    elif isinstance(err, FactError) and facts_path and err.fact != "as_of":
        where = "<stdin>" if facts_path == "-" else facts_path
        if err.line is not None:
            where += f":{err.line}:{err.column or 1}"
        stderr.write(f"{where}: {err}\n")
    else:
        stderr.write(f"error: {err}\n")

