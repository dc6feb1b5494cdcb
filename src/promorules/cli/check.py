"""``promorules check RULESET...``: validate rulesets (and examples files ``*.test.yaml``).

Prints every problem as ``file:line:column: CODE message`` and lint warnings as
``... CODE warning: ...``; exits 0 when every file is valid, 3 otherwise. With
``--against OLD.yaml``, a version number too small for the changes since OLD is invalid too
(``PR315``, see :mod:`promorules.diff.bump`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from ..diff.bump import check_bump
from ..errors import RulesetError
from ..examples import find_rulesets, load_examples
from ..horizon import calendar_warnings
from ..ruleset import Ruleset, load
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules check``."""
    ck = CommandParser(prog="promorules check",
                       description="Validate rulesets (YAML, schema, references, expressions) "
                                   "and print every problem as file:line:column: CODE message. "
                                   "Exit 0 when every file is valid, 3 otherwise.")
    ck.add_argument("rulesets", nargs="+")
    ck.add_argument("--against", metavar="OLD.yaml",
                    help="also check that the version number of RULESET (one file) is large "
                         "enough for its changes since OLD.yaml (PR315; see promorules diff)")
    return ck


def _check_examples(path: str, stdout: IO[str], stderr: IO[str]) -> bool:
    """An examples file, checked against its ruleset (schema, decisions, facts files)."""
    (ruleset,) = find_rulesets(path)  # NAME.test.yaml stands for NAME.yaml
    try:
        count = len(load_examples(ruleset))
    except RulesetError as e:
        print_error(e, stderr)
        return False
    stdout.write(f"{path}: ok ({count} examples)\n")
    return True


def _check_ruleset(path: str, stdout: IO[str], stderr: IO[str],
                   against: Ruleset | None = None) -> bool:
    bump = ""
    try:
        ruleset = load(path)
        if against is not None:
            report = check_bump(against, ruleset, source=path,
                                text=Path(path).read_text(encoding="utf-8"))
            bump = (f"; version {report.old_version} → {report.new_version}: "
                    + ("no bump required" if report.required == "none" else
                       f"{report.required} bump required, satisfied"))
    except RulesetError as e:
        print_error(e, stderr)
        return False
    warnings = [*ruleset.lint, *calendar_warnings(ruleset)]
    for warning in warnings:
        stderr.write(warning.format().replace(f": {warning.code} ",
                                              f": {warning.code} warning: ", 1) + "\n")
    stdout.write(f"{path}: ok" + (f" ({len(warnings)} warning"
                                   f"{'s' * (len(warnings) > 1)})"
                                   if warnings else "") + bump + "\n")
    return True


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules check``; ``argv`` is what follows ``check``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    against = None
    if args.against is not None:
        if len(args.rulesets) != 1 or args.rulesets[0].endswith((".test.yaml", ".test.yml")):
            stderr.write("error: --against checks one ruleset file against its older "
                         "version\n")
            return EXIT_INVALID
        try:
            against = load(args.against)
        except RulesetError as e:
            print_error(e, stderr)
            stderr.write(f"{args.against}: the older version is invalid\n")
            return EXIT_INVALID
    bad = 0
    for path in args.rulesets:
        if path.endswith((".test.yaml", ".test.yml")):
            bad += not _check_examples(path, stdout, stderr)
        else:
            bad += not _check_ruleset(path, stdout, stderr, against)
    if bad:
        stderr.write(f"{bad} of {len(args.rulesets)} ruleset(s) invalid\n")
    return EXIT_INVALID if bad else 0
