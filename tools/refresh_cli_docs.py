"""Refresh the generated parts of the docs, which tests/docs checks:

- docs/cli.md: the synopsis, the table of subcommands and the exit-status table (from
  ``promorules.cli.COMMANDS`` and ``EXIT_STATUS``), and the output of its
  ``$ promorules eval ...`` sessions;
- docs/writing-rulesets.md (the tutorial): the output of every ``$ promorules ...``
  session, run in a copy of docs/tutorial/ (see tests/docs/doc_sessions.py).

Run from anywhere, after changing a subcommand or its output:

    python tools/refresh_cli_docs.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "docs"))

from doc_sessions import eval_sessions, refresh_page, root_output  # noqa: E402

from promorules.cli.reference import replace_generated  # noqa: E402


def refresh_cli(path: Path) -> int:
    """The generated parts of docs/cli.md, and the output of its eval sessions."""
    old = path.read_text(encoding="utf-8")
    text = replace_generated(old)
    for command in eval_sessions(path):
        shown = f"$ {command.line}\n{command.expected}"
        text = text.replace(shown, f"$ {command.line}\n{root_output(command.line)}", 1)
    path.write_text(text, encoding="utf-8")
    return int(text != old)


if __name__ == "__main__":
    print("docs/cli.md", "updated" if refresh_cli(ROOT / "docs" / "cli.md") else "unchanged")
    print(refresh_page(ROOT / "docs" / "writing-rulesets.md"),
          "session(s) of docs/writing-rulesets.md updated")
