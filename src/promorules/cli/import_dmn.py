"""``promorules import dmn MODEL.dmn -o RULESET.yaml [--id ID] [--partial]``: convert a DMN
model's decision tables into a ruleset (see :mod:`promorules.dmn` and docs/dmn.md).

Every element outside the mapped subset is printed as ``MODEL.dmn:line:column: PR840 ...``.
Exits 0 when the ruleset is written (with ``--partial``, also when some decisions were left
out: they are listed), 3 when the model cannot be imported or the written ruleset does not
load.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import IO

from ..dmn import import_dmn
from ..errors import RulesetError
from ..ruleset import loads
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules import``."""
    p = CommandParser(prog="promorules import",
                      description="Convert a DMN 1.3-1.5 model's decision tables into a "
                                  "ruleset (docs/dmn.md). Anything outside the mapped subset "
                                  "is reported with its line in the model.")
    p.add_argument("format", choices=["dmn"], help="the model's format (dmn)")
    p.add_argument("model", metavar="MODEL.dmn")
    p.add_argument("-o", "--output", required=True, metavar="RULESET.yaml",
                   help="where the ruleset is written (- for standard output)")
    p.add_argument("--id", dest="ruleset_id", metavar="ID",
                   help="the ruleset id (default: the model's name, as an identifier)")
    p.add_argument("--partial", action="store_true",
                   help="import the decisions that map and list the others, instead of "
                        "refusing the model")
    return p


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules import``; ``argv`` is what follows ``import``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    result = import_dmn(args.model, ruleset_id=args.ruleset_id, partial=args.partial)
    try:  # what is written must load: a defect of the importer is never left to the analyst
        loads(result.yaml, source=args.output)
    except RulesetError as e:
        print_error(e, stderr)
        stderr.write("promorules import: the converted ruleset does not load; nothing "
                     "written\n")
        return EXIT_INVALID
    if args.output == "-":
        stdout.write(result.yaml)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(result.yaml)
    for problem in result.problems:
        stderr.write(problem.error(result.source).format() + "\n")
    decisions = len(result.ruleset["decisions"])
    where = "standard output" if args.output == "-" else os.fspath(args.output)
    stderr.write(f"{where}: {decisions} decision{'s' * (decisions != 1)} imported"
                 + (f", {len(result.skipped)} left out" if result.skipped else "") + "\n")
    return 0
