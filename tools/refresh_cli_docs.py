"""Refresh the generated parts of the docs, which tests/docs checks:

- docs/cli.md: the synopsis, the table of subcommands and the exit-status table (from
  ``promorules.cli.COMMANDS`` and ``EXIT_STATUS``), and the output of its
  ``$ promorules eval ...`` sessions;
- docs/writing-rulesets.md (the tutorial): the output of every ``$ promorules ...``
  session, run in a copy of docs/tutorial/ (see tests/docs/doc_sessions.py).

Run from anywhere, after changing a subcommand or its output:

    python tools/refresh_cli_docs.py
"""

import io
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "docs"))

from doc_sessions import refresh_page  # noqa: E402

from promorules.cli import run  # noqa: E402
from promorules.cli.reference import replace_generated  # noqa: E402


def refresh_cli(path: Path) -> int:
    text = replace_generated(path.read_text(encoding="utf-8"))
    changed = 0

    def redo(match: re.Match[str]) -> str:
        nonlocal changed
        block = match.group(1)
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ promorules eval ") or "|" in lines[0]:
            return match.group(0)
        rest = []
        for i, line in enumerate(lines[1:], 1):
            if line.startswith("$ "):
                rest = lines[i:]
                break
        out, err = io.StringIO(), io.StringIO()
        os.chdir(ROOT)
        run(shlex.split(lines[0][2:])[1:], out, err)
        shown = (out.getvalue() + err.getvalue()).rstrip("\n")
        new = "\n".join([lines[0], shown, *rest]) + "\n"
        changed += new != block
        return "```text\n" + new + "```"

    new_text = re.sub(r"```text\n(.*?)```", redo, text, flags=re.S)
    changed += new_text != path.read_text(encoding="utf-8") and not changed
    path.write_text(new_text, encoding="utf-8")
    return changed


if __name__ == "__main__":
    print(refresh_cli(ROOT / "docs" / "cli.md"), "part(s) of docs/cli.md updated")
    print(refresh_page(ROOT / "docs" / "writing-rulesets.md"),
          "session(s) of docs/writing-rulesets.md updated")
