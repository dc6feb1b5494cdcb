"""The ``promorules`` command line (also ``python -m promorules``).

    promorules eval RULESET DECISION FACTS.json [--as-of DATETIME] [--json] [--lang en|zh]
                    [--param NAME=VALUE ...]
    promorules check RULESET...

``run(argv, stdout, stderr)`` is the testable core; ``main()`` wires it to the process.
Exit codes of ``eval``: 0 pass, 1 fail, 2 unknown, 3 invalid ruleset or facts; ``check``:
0 when every ruleset is valid, 3 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

from . import __version__
from .errors import FactError, PromorulesError, RulesetError
from .ruleset import load

__all__ = ["main", "run"]

EXIT_PASS, EXIT_FAIL, EXIT_UNKNOWN, EXIT_INVALID = 0, 1, 2, 3
_EXIT = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "unknown": EXIT_UNKNOWN}


class CommandParser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``run`` controls the exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


class UsageError(Exception):
    """A command line that does not parse (exit status 3)."""


def parse_command(parser: argparse.ArgumentParser, argv: Sequence[str],
                  stderr: IO[str]) -> argparse.Namespace | int:
    """The parsed arguments of a subcommand, or the exit status to return at once: 3 for a
    usage error (printed on ``stderr``), 0 after ``--help``."""
    try:
        return parser.parse_args(list(argv))
    except UsageError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except SystemExit as e:  # --help
        return int(e.code or 0)


def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="promorules", description="Evaluate and check promorules rulesets.")
    parser.add_argument("--version", action="version", version=f"promorules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)

    ev = sub.add_parser("eval", help="evaluate a decision on a facts file",
                        description="Evaluate DECISION of RULESET on the facts in FACTS "
                                    "(a JSON object; '-' reads standard input). Exit 0 pass, "
                                    "1 fail, 2 unknown, 3 invalid ruleset or facts.")
    ev.add_argument("ruleset")
    ev.add_argument("decision")
    ev.add_argument("facts")
    ev.add_argument("--as-of", dest="as_of", help="evaluation instant (ISO date or date-time; "
                    "default now)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")
    ev.add_argument("--lang", choices=("en", "zh"), default="en", help="explanation language")
    ev.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="override a declared parameter (repeatable)")
    ev.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    # subcommands implemented by their own modules (they parse their own arguments)
    for name, text in _DELEGATES.items():
        sub.add_parser(name, help=text[0], description=text[1], add_help=False)

    ck = sub.add_parser("check", help="validate rulesets",
                        description="Validate rulesets (YAML, schema, references, expressions) "
                                    "and print every problem as file:line:column: CODE message.")
    ck.add_argument("rulesets", nargs="+")
    return parser


_DELEGATES = {
    "test": ("run a ruleset's examples (with --coverage)",
             "promorules test PATH... [--coverage] [--min-coverage N] [--lang en|zh]"),
    "diff": ("semantic diff of two rulesets, and replay of recorded facts",
             "promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]"),
    "docs": ("render a ruleset as a policy sheet (Markdown or HTML)",
             "promorules docs RULESET [-o FILE.md|FILE.html]"),
    "monitor": ("watch entities' fact updates and stream qualification events",
                "promorules monitor RULESET DECISION updates.jsonl [--state FILE]"),
}


_MODULES = {"test": "examples", "diff": "diff", "docs": "policy_docs", "monitor": "monitor"}


def _delegate(name: str, argv: list[str], stdout: IO[str], stderr: IO[str]) -> int:
    # imported on use: `promorules eval` stays as quick to start as it can be
    module = importlib.import_module(f".{_MODULES[name]}", __package__)
    return int(module.cli_main(argv, stdout, stderr))


def _print_error(err: PromorulesError, stderr: IO[str], facts_path: str | None) -> None:
    if isinstance(err, RulesetError):
        for e in err.errors:
            stderr.write(e.format() + "\n")
    elif isinstance(err, FactError) and facts_path and err.fact != "as_of":
        where = "<stdin>" if facts_path == "-" else facts_path
        stderr.write(f"{where}: {err}\n")
    else:
        stderr.write(f"error: {err}\n")


def _read_facts(path: str, stdin: IO[str]) -> Any:
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise RulesetError(f"cannot read facts: {e}", code="PR100", source=path) from None
    try:
        # Keep JSON numbers exact: 2999.99 must not pass through a float.
        facts = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise RulesetError(f"facts are not valid JSON: {e.msg}", code="PR101",
                           source="<stdin>" if path == "-" else path, line=e.lineno,
                           column=e.colno) from None
    except ValueError as e:
        raise FactError(f"facts: {e}", code="PR602") from None
    if not isinstance(facts, dict):
        raise FactError("the facts file must hold a JSON object of fact names to values",
                        code="PR600")
    return facts


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _params(items: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"promorules eval: --param expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def use_color(mode: str, stream: IO[str]) -> bool:
    """--color auto|always|never, honouring NO_COLOR."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


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


def _check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    bad = 0
    for path in args.rulesets:
        if path.endswith((".test.yaml", ".test.yml")):
            # an examples file: check it against its ruleset (schema, decisions, facts files)
            from .examples import load_examples

            stem = path[: -len(".test.yaml")] if path.endswith(".yaml") else path[:-9]
            try:
                count = len(load_examples(stem + (".yaml" if path.endswith(".yaml") else ".yml")))
            except RulesetError as e:
                for err in e.errors:
                    stderr.write(err.format() + "\n")
                bad += 1
                continue
            stdout.write(f"{path}: ok ({count} examples)\n")
            continue
        try:
            ruleset = load(path)
        except RulesetError as e:
            for err in e.errors:
                stderr.write(err.format() + "\n")
            bad += 1
            continue
        for warning in ruleset.lint:
            stderr.write(warning.format().replace(f": {warning.code} ",
                                                  f": {warning.code} warning: ", 1) + "\n")
        stdout.write(f"{path}: ok" + (f" ({len(ruleset.lint)} warning"
                                       f"{'s' * (len(ruleset.lint) > 1)})"
                                       if ruleset.lint else "") + "\n")
    if bad:
        stderr.write(f"{bad} of {len(args.rulesets)} ruleset(s) invalid\n")
    return EXIT_INVALID if bad else 0


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
    if argv and argv[0] in _DELEGATES:
        try:
            return _delegate(argv[0], argv[1:], stdout, stderr)
        except PromorulesError as e:
            _print_error(e, stderr, None)
            return EXIT_INVALID
    try:
        args = _parser().parse_args(argv)
    except UsageError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except SystemExit as e:  # --help and --version
        return int(e.code or 0)
    try:
        if args.command == "eval":
            return _eval(args, stdout, stderr, stdin)
        return _check(args, stdout, stderr)
    except UsageError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    except PromorulesError as e:
        _print_error(e, stderr, getattr(args, "facts", None))
        return EXIT_INVALID


def main() -> int:
    """Console-script entry point."""
    try:
        return run()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
