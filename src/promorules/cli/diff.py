"""``promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]``: what changed
between two versions of a ruleset (see :mod:`promorules.diff`), and the version bump the
changes require (:mod:`promorules.diff.bump`).

Exits 0 when the rulesets are equivalent, 1 when they differ (or a replayed record
changes), 3 for an invalid ruleset, facts file or arguments.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import IO, Any

from ..diff import (
    format_changes,
    format_replay,
    read_records,
    replay_records,
    semantic_diff,
)
from ..diff.bump import bump_for, format_bump
from ..errors import PromorulesError
from ..ruleset import load
from .common import (
    EXIT_INVALID,
    CommandParser,
    add_color_option,
    parse_command,
    print_error,
    use_color,
)

__all__ = ["main", "parser"]

EXIT_SAME, EXIT_DIFFERENT = 0, 1


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules diff``."""
    p = CommandParser(prog="promorules diff",
                      description="Show what changed between two versions of a ruleset (rules, "
                                  "thresholds, tiers, table rows, facts, params, lists, texts), "
                                  "which version bump the changes require and whether NEW's "
                                  "version satisfies it, and with --facts what it changes "
                                  "for recorded facts. Exit 0 when the rulesets are "
                                  "equivalent, 1 when they differ, 3 for an invalid ruleset "
                                  "or facts file.")
    p.add_argument("old", metavar="OLD.yaml")
    p.add_argument("new", metavar="NEW.yaml")
    p.add_argument("--facts", metavar="RECORDS.jsonl",
                   help='replay these records (one JSON object per line: {"decision": ..., '
                        '"facts": {...}, "as_of": ...}; without "decision", every decision '
                        "both rulesets have)")
    p.add_argument("--json", action="store_true", help="print the changes as JSON")
    p.add_argument("--examples", type=int, default=3, metavar="N",
                   help="examples shown per decision and kind of change (default 3)")
    p.add_argument("--as-of", dest="as_of",
                   help="instant for records without as_of (default: now)")
    add_color_option(p)
    return p


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules diff``; ``argv`` is what follows ``diff``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    try:
        old, new = load(args.old), load(args.new)
        records = read_records(args.facts) if args.facts else None
        changes = semantic_diff(old, new)
        report = (replay_records(old, new, records, max_examples=max(args.examples, 0),
                                 as_of=args.as_of)
                  if records is not None else None)
    except PromorulesError as e:  # an invalid ruleset, facts file or --as-of
        print_error(e, stderr)
        return EXIT_INVALID
    bump = bump_for(changes, old, new)
    if args.json:
        data: dict[str, Any] = {
            "old": {"id": old.id, "version": old.version, "digest": old.digest},
            "new": {"id": new.id, "version": new.version, "digest": new.digest},
            "equivalent": not changes,
            "changes": [c.to_dict() for c in changes],
            "bump": bump.to_dict(),
        }
        if report is not None:
            data["replay"] = report.to_dict()
        stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(format_changes(changes, old, new, color=use_color(args.color, stdout)))
        stdout.write("\n" + format_bump(bump))
        if report is not None:
            stdout.write(format_replay(report))
    return EXIT_DIFFERENT if changes or (report is not None and report.changed) else EXIT_SAME
