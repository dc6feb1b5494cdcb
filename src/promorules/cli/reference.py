"""The command line's reference, generated from its one table of subcommands
(``promorules.cli.COMMANDS`` and ``EXIT_STATUS``): the synopsis, the table of subcommands
and the exit-status table of docs/cli.md, which ``tools/refresh_cli_docs.py`` writes
between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` markers and
tests/docs checks."""

from __future__ import annotations

import re

from . import COMMANDS, EXIT_STATUS

__all__ = ["GENERATED", "commands_table", "exit_status_table", "replace_generated",
           "synopsis"]

# the order of the docs: the analyst's loop first, then the rest in COMMANDS order
_LOOP = ("check", "eval", "test", "diff", "docs", "monitor")


def _names() -> list[str]:
    return [n for n in _LOOP if n in COMMANDS] + [n for n in COMMANDS if n not in _LOOP]


def synopsis() -> str:
    """Every subcommand's usage line, then ``--version`` and ``--help``."""
    lines = []
    for name in _names():
        for usage in COMMANDS[name][1].split(" | "):
            lines.append(usage if usage.startswith("promorules ") else
                         f"promorules {name} {usage}")
    lines += ["promorules --version",
              "promorules --help          # and promorules COMMAND --help"]
    return "```\n" + "\n".join(lines) + "\n```\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def commands_table() -> str:
    """| command | what it does |, one row per subcommand, linked to its section."""
    rows = ["| command | what it does |", "|---|---|"]
    for name in _names():
        rows.append(f"| [`{name}`](#promorules-{name}) | {_cell(COMMANDS[name][0])} |")
    return "\n".join(rows) + "\n"


def exit_status_table() -> str:
    """| command | 0 | 1 | 2 | 3 |: what each exit status of each subcommand means."""
    names = _names()
    codes = sorted({c for n in names for c in EXIT_STATUS[n]})
    rows = ["| command | " + " | ".join(str(c) for c in codes) + " |",
            "|---|" + "---|" * len(codes)]
    for name in names:
        cells = [_cell(EXIT_STATUS[name].get(code, "-")) for code in codes]
        rows.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


GENERATED = {"synopsis": synopsis, "commands": commands_table, "exit-status": exit_status_table}


def replace_generated(text: str) -> str:
    """``text`` with every generated part (between its markers) written afresh."""

    def redo(match: re.Match[str]) -> str:
        name = match.group(1)
        return (f"<!-- generated: {name} -->\n{GENERATED[name]()}"
                f"<!-- end: {name} -->")

    return re.sub(r"<!-- generated: ([\w-]+) -->\n.*?<!-- end: \1 -->", redo, text,
                  flags=re.S)
