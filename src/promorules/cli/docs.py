"""``promorules docs RULESET [-o FILE.md|FILE.html] [--check]`` and ``promorules docs
--all [--check]``: policy sheets (see :mod:`promorules.policy_docs`).

``--check`` writes nothing and compares: alone or with ``--all``, every sheet of
``--rulesets`` against ``--out``; with ``RULESET -o FILE``, that one file (what the
``promorules-docs-check`` pre-commit hook and a CI job run). Exits 0 when written (or, with
--check, up to date), 1 when --check finds a stale or missing sheet, 3 for an invalid
ruleset, examples file or arguments.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import IO, Any

from ..errors import PromorulesError
from ..policy_docs import generate_all, render_html, render_markdown
from ..ruleset import load
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules docs``."""
    p = CommandParser(prog="promorules docs",
                      description="Write a ruleset's policy sheet: Markdown, or HTML for an "
                                  "output file ending in .html / .htm. Without -o, Markdown "
                                  "goes to standard output. --all regenerates "
                                  "docs/rulesets/<id>.md for every ruleset in rulesets/ (run "
                                  "from the repository root).")
    p.add_argument("ruleset", nargs="?", metavar="RULESET")
    p.add_argument("-o", "--output", metavar="FILE", help="FILE.md or FILE.html")
    p.add_argument("--all", action="store_true",
                   help="regenerate the sheet of every ruleset of --rulesets into --out")
    p.add_argument("--rulesets", default="rulesets", metavar="DIR",
                   help="with --all: the rulesets directory (default rulesets)")
    p.add_argument("--out", default=os.path.join("docs", "rulesets"), metavar="DIR",
                   help="with --all: where the sheets go (default docs/rulesets)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a committed sheet differs from the "
                        "generated one (every sheet, as with --all, unless RULESET -o FILE "
                        "names one)")
    p.add_argument("--no-examples", dest="examples", action="store_false",
                   help="leave the examples section out")
    return p


def _all(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    results = generate_all(args.rulesets, args.out, check=args.check)
    if not results:  # run from the wrong directory: never a silent pass
        stderr.write(f"promorules docs: no rulesets in {args.rulesets} (run from the "
                     "repository root, or give --rulesets DIR)\n")
        return EXIT_INVALID
    stale = [str(path) for path, fresh in results if not fresh]
    if args.check:
        for name in stale:
            stderr.write(f"{name}: stale; regenerate with `promorules docs --all`\n")
        return 1 if stale else 0
    for path, fresh in results:
        stdout.write(f"{path}: {'unchanged' if fresh else 'written'}\n")
    return 0


def _check_one(output: str | None, text: str, stderr: IO[str]) -> int:
    if not output or output == "-":
        stderr.write("promorules docs: --check with RULESET needs -o FILE, the committed "
                     "sheet to compare\n")
        return EXIT_INVALID
    try:
        with open(output, encoding="utf-8", newline="") as fh:
            fresh = fh.read() == text
    except FileNotFoundError:
        stderr.write(f"{output}: missing; generate it with `promorules docs RULESET -o "
                     f"{output}`\n")
        return 1
    if not fresh:
        stderr.write(f"{output}: stale; regenerate it with `promorules docs RULESET -o "
                     f"{output}`\n")
    return 0 if fresh else 1


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules docs``; ``argv`` is what follows ``docs``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    if args.check and not args.ruleset:
        args.all = True  # `promorules docs --check`: every sheet
    if args.all == bool(args.ruleset):
        stderr.write("promorules docs: give either RULESET or --all\n")
        return EXIT_INVALID
    if args.all and args.output:
        stderr.write("promorules docs: -o is for one RULESET; --all uses --out DIR\n")
        return EXIT_INVALID
    try:
        if args.all:
            return _all(args, stdout, stderr)
        rs = load(args.ruleset)
        examples: list[Any] | None = None if args.examples else []
        output = args.output
        if output and output.lower().endswith((".html", ".htm")):
            text = render_html(rs, examples)
        else:
            text = render_markdown(rs, examples)
        if args.check:
            return _check_one(output, text, stderr)
        if not output or output == "-":
            stdout.write(text)
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        return 0
    except PromorulesError as e:
        print_error(e, stderr)
        return EXIT_INVALID
    except OSError as e:
        stderr.write(f"error: cannot write {args.output}: {e.strerror or e}\n")
        return EXIT_INVALID
