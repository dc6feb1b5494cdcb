"""``promorules test PATH... [--coverage] [--min-coverage N] [--lang en|zh|zh-Hans|zh-Hant]``:
run rulesets' examples (see :mod:`promorules.examples`).

Exits 0 when every example passes, 1 when one fails or coverage is below
``--min-coverage``, 3 for an invalid ruleset, examples file or arguments.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from ..errors import RulesetError
from ..examples import (
    coverage,
    find_rulesets,
    format_coverage,
    format_failure,
    load_examples,
    run_examples,
)
from ..ruleset import load
from ..zh_script import EXPLAIN_LANGS
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules test``."""
    p = CommandParser(
        prog="promorules test",
        description="Run the examples of rulesets (their `examples:` key and NAME.test.yaml). "
                    "Exit 0 when every example passes, 1 when one fails or coverage is below "
                    "--min-coverage, 3 for an invalid ruleset or examples file.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a ruleset file or a directory of rulesets")
    p.add_argument("--coverage", action="store_true",
                   help="show, for every rule, whether the examples saw it pass and fail")
    p.add_argument("--min-coverage", dest="min_coverage", type=float, metavar="N",
                   help="fail when a ruleset's coverage is below N%%")
    p.add_argument("--lang", choices=EXPLAIN_LANGS, default="en",
                   help="language of the explanations of failures")
    return p


def _marks(stream: IO[str]) -> tuple[str, str]:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "ok", "FAIL"
    return "✓", "✗"


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules test``; ``argv`` is what follows ``test``. Returns the exit code: 0 all
    examples pass, 1 an example fails or coverage is below the minimum, 3 an invalid
    ruleset or examples file. The ``N passed, M failed`` line is printed only when some
    ruleset ran."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    ok_mark, fail_mark = _marks(stdout)
    paths: list[Path] = []
    seen: set[Path] = set()
    for given in args.paths:
        for path in find_rulesets(given):
            if path.resolve() not in seen:
                seen.add(path.resolve())
                paths.append(path)
    if not paths:
        stderr.write(f"promorules test: no rulesets in {', '.join(args.paths)}\n")
        return EXIT_INVALID
    passed = failed = invalid = low = 0
    show_coverage = args.coverage or args.min_coverage is not None
    for path in paths:
        try:
            ruleset = load(path)
            examples = load_examples(path)
        except RulesetError as e:
            print_error(e, stderr)
            invalid += 1
            continue
        stdout.write(f"{path} ({ruleset.id} {ruleset.version}): {len(examples)} example"
                     f"{'s' * (len(examples) != 1)}\n")
        results = run_examples(ruleset, examples)
        for r in results:
            if r.ok:
                passed += 1
                stdout.write(f"  {ok_mark} {r.example.name}\n")
                continue
            failed += 1
            stdout.write(f"  {fail_mark} {r.example.name}\n")
            for line in format_failure(r, args.lang).splitlines():
                stdout.write(f"      {line}\n" if line else "\n")
        if show_coverage:
            cov = coverage(ruleset, results)
            text = format_coverage(cov)
            if not args.coverage:
                text = text.splitlines()[0]
            below = args.min_coverage is not None and cov.percent < args.min_coverage
            if below:
                low += 1
                text += f"\n  coverage {cov.percent:.1f}% is below --min-coverage " \
                        f"{args.min_coverage:g}%"
            stdout.write(text + "\n")
    if invalid < len(paths):  # no "0 passed, 0 failed" when nothing could run
        stdout.write(f"{passed} passed, {failed} failed\n")
    if invalid:
        stderr.write(f"{invalid} ruleset(s) or examples file(s) invalid\n")
        return EXIT_INVALID
    return 1 if failed or low else 0
