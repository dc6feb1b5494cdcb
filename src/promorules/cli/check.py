"""``promorules check RULESET...``: validate rulesets (and examples files ``*.test.yaml``).

Prints every problem as ``file:line:column: CODE message`` and lint warnings as
``... CODE warning: ...``; exits 0 when every file is valid, 3 otherwise.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import IO

from ..errors import RulesetError
from ..examples import find_rulesets, load_examples
from ..horizon import calendar_warnings
from ..ruleset import load
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules check``."""
    ck = CommandParser(prog="promorules check",
                       description="Validate rulesets (YAML, schema, references, expressions) "
                                   "and print every problem as file:line:column: CODE message.")
    ck.add_argument("rulesets", nargs="+")
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


def _check_ruleset(path: str, stdout: IO[str], stderr: IO[str]) -> bool:
    try:
        ruleset = load(path)
    except RulesetError as e:
        print_error(e, stderr)
        return False
    warnings = [*ruleset.lint, *calendar_warnings(ruleset)]
    for warning in warnings:
        stderr.write(warning.format().replace(f": {warning.code} ",
                                              f": {warning.code} warning: ", 1) + "\n")
    stdout.write(f"{path}: ok" + (f" ({len(warnings)} warning"
                                   f"{'s' * (len(warnings) > 1)})"
                                   if warnings else "") + "\n")
    return True


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules check``; ``argv`` is what follows ``check``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    bad = 0
    for path in args.rulesets:
        check = _check_examples if path.endswith((".test.yaml", ".test.yml")) else _check_ruleset
        bad += not check(path, stdout, stderr)
    if bad:
        stderr.write(f"{bad} of {len(args.rulesets)} ruleset(s) invalid\n")
    return EXIT_INVALID if bad else 0
