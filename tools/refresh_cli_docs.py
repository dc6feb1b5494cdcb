"""Re-run the `$ promorules eval ...` sessions of docs/cli.md and write their real output
back into the file (tests/docs checks that they match). Run from anywhere:

    python tools/refresh_cli_docs.py
"""

import io
import os
import re
import shlex
from pathlib import Path

from promorules.cli import run

ROOT = Path(__file__).resolve().parents[1]


def refresh(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
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

    text = re.sub(r"```text\n(.*?)```", redo, text, flags=re.S)
    path.write_text(text, encoding="utf-8")
    return changed


if __name__ == "__main__":
    print(refresh(ROOT / "docs" / "cli.md"), "session(s) updated")
