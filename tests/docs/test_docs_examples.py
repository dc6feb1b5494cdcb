"""The documentation's examples are run, so the docs cannot drift from the code.

Every ```pycon block of docs/api.md (and of docs/architecture.md) runs as one doctest
session from the repository root, and every `$ promorules eval ...` session of docs/cli.md
is re-run and its output compared (tests/docs/doc_sessions.py, which also runs the
tutorial: test_tutorial.py).
"""

from __future__ import annotations

import doctest
import io
import os
import re
from pathlib import Path

import pytest
from doc_sessions import Command, eval_sessions, root_output

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


@pytest.mark.parametrize("command", eval_sessions(ROOT / "docs" / "cli.md"),
                         ids=lambda c: c.line)
def test_cli_md_sessions_match(command: Command) -> None:
    assert root_output(command.line) == command.expected.rstrip("\n")
