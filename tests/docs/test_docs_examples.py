"""The documentation's examples are run, so the docs cannot drift from the code.

Every ```pycon block of docs/api.md (and of docs/architecture.md) runs as one doctest
session from the repository root, and every `$ promorules ...` session of docs/cli.md is
re-run and its output compared.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import shlex
from pathlib import Path

import pytest

from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("page", ["api.md", "architecture.md"])
def test_pycon_examples_run(page: str) -> None:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, re.S)
    assert blocks, f"docs/{page} has no pycon examples"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, page, page, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        out = io.StringIO()
        runner.run(test, out=out.write)
    finally:
        os.chdir(old)
    assert runner.failures == 0, out.getvalue()
    assert runner.tries > 0


def _cli_sessions() -> list[tuple[str, str]]:
    """(command, expected stdout) for each simple `$ promorules ...` session in cli.md."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    sessions = []
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ promorules eval ") or "|" in lines[0]:
            continue
        output = []
        for line in lines[1:]:
            if line.startswith("$ "):
                break
            output.append(line)
        sessions.append((lines[0][2:], "\n".join(output)))
    return sessions


@pytest.mark.parametrize(("command", "expected"), _cli_sessions())
def test_cli_md_sessions_match(command: str, expected: str) -> None:
    argv = shlex.split(command)[1:]
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        run(argv, out, err)
    finally:
        os.chdir(old)
    shown = (out.getvalue() + err.getvalue()).rstrip("\n")
    assert shown == expected.rstrip("\n")
