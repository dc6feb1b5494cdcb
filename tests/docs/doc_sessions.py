"""Shell sessions and file listings in a Markdown page, run and compared: the one
mechanism of tests/docs/test_tutorial.py, test_docs_examples.py (docs/cli.md's eval
sessions) and tools/refresh_cli_docs.py.

A page marks them so:

- ``<!-- cwd: docs/tutorial/1.0.0 -->``: the working directory of the sessions that follow,
  relative to the repository root. The sessions run in a copy of that directory's tree
  (everything under ``docs/tutorial/``), in page order, so a command that writes a file is
  seen by the commands after it and the repository is never written.
- a ```` ```text ```` block whose first line starts with ``$ ``: a session. Each ``$
  promorules ...`` line is run with the command line's ``run`` and its standard output then
  standard error must be the lines that follow it; ``$ echo $?`` shows the exit status of
  the command before it. Any other command is an error: every command shown is run.
- ``<!-- file: PATH -->`` right before a fenced block: the block is the whole file PATH
  (relative to the repository root); ``<!-- excerpt: PATH -->``: the block is a part of it.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
from pathlib import Path

import attrs

from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]
TREE = "docs/tutorial"  # the part of the repository the sessions run in (a copy of it)

_TOKEN = re.compile(
    r"<!-- cwd: (?P<cwd>\S+) -->"
    r"|<!-- (?P<kind>file|excerpt): (?P<path>\S+) -->\n```[\w-]*\n(?P<content>.*?)```"
    r"|```text\n(?P<session>\$ .*?)```", re.S)


@attrs.frozen
class Command:
    """One ``$ ...`` line of a session and the output shown under it."""

    line: str
    expected: str


@attrs.frozen
class Problem:
    """A session whose output differs, or a listing that is not its file."""

    where: str
    expected: str
    actual: str


def _commands(session: str) -> list[Command]:
    out: list[Command] = []
    line, shown = None, []
    for text in session.rstrip("\n").split("\n"):
        if text.startswith("$ "):
            if line is not None:
                out.append(Command(line, "\n".join(shown)))
            line, shown = text[2:], []
        else:
            shown.append(text)
    if line is not None:
        out.append(Command(line, "\n".join(shown)))
    return out


class Runner:
    """Runs a page's sessions in a copy of docs/tutorial/ under ``workdir``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        shutil.copytree(ROOT / TREE, workdir / TREE)
        self.cwd = workdir / TREE
        self.status = 0

    def chdir(self, relative: str) -> None:
        if not (relative + "/").startswith(TREE + "/"):
            raise ValueError(f"<!-- cwd: {relative} -->: sessions run under {TREE}/ only")
        self.cwd = self.workdir / relative
        if not self.cwd.is_dir():
            raise ValueError(f"<!-- cwd: {relative} -->: no such directory")

    def output(self, line: str) -> str:
        """The output the command ``line`` prints (standard output, then standard
        error), or its exit status for ``echo $?``."""
        if line.strip() == "echo $?":
            return str(self.status)
        argv = shlex.split(line)
        if not argv or argv[0] != "promorules":
            raise ValueError(f"$ {line}: only promorules commands (and echo $?) are run")
        out, err = io.StringIO(), io.StringIO()
        old = os.getcwd()
        os.chdir(self.cwd)
        try:
            self.status = run(argv[1:], out, err, io.StringIO(""))
        finally:
            os.chdir(old)
        return (out.getvalue() + err.getvalue()).rstrip("\n")


def eval_sessions(page: Path) -> list[Command]:
    """The ``$ promorules eval ...`` sessions of a reference page run from the repository
    root as they are (docs/cli.md): the first command of each ``text`` block, without a
    pipe. The page's other sessions need files it only describes."""
    text = page.read_text(encoding="utf-8")
    out = []
    for m in _TOKEN.finditer(text):
        session = m.group("session")
        if session and session.startswith("$ promorules eval ") and "|" not in \
                session.split("\n", 1)[0]:
            out.append(_commands(session)[0])
    return out


def root_output(line: str) -> str:
    """What ``$ line`` prints, run in the repository root (which it must not write)."""
    argv = shlex.split(line)
    assert argv[0] == "promorules", line
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        run(argv[1:], out, err, io.StringIO(""))
    finally:
        os.chdir(old)
    return (out.getvalue() + err.getvalue()).rstrip("\n")


def scratch_root(workdir: Path) -> Path:
    """A directory under ``workdir`` that sees the repository's ``rulesets/`` and
    ``examples/`` (links): sessions run from the repository root's point of view there, and
    the files they write land in ``workdir``, never in the repository."""
    root = workdir / "root"
    root.mkdir(exist_ok=True)
    for name in ("rulesets", "examples"):
        if not (root / name).exists():
            (root / name).symlink_to(ROOT / name)
    return root


def check_page(page: Path, workdir: Path, root: bool = False) -> tuple[list[Problem], int]:
    """Every session and listing of ``page``: (the problems, how many commands ran). With
    ``root``, the sessions start in :func:`scratch_root` (docs/batch.md) instead of the copy
    of docs/tutorial/."""
    text = page.read_text(encoding="utf-8")
    runner = Runner(workdir)
    if root:
        runner.cwd = scratch_root(workdir)
    problems: list[Problem] = []
    ran = 0
    for m in _TOKEN.finditer(text):
        where = f"{page.name}:{text.count(chr(10), 0, m.start()) + 1}"
        if m.group("cwd"):
            runner.chdir(m.group("cwd"))
        elif m.group("kind"):
            path = ROOT / m.group("path")
            actual = path.read_text(encoding="utf-8") if path.is_file() else "(no such file)"
            content = m.group("content")
            ok = content == actual if m.group("kind") == "file" else content in actual
            if not ok:
                problems.append(Problem(f"{where} ({m.group('kind')} {m.group('path')})",
                                        content, actual))
        else:
            for command in _commands(m.group("session")):
                actual = runner.output(command.line)
                ran += command.line.strip() != "echo $?"
                if actual != command.expected.rstrip("\n"):
                    problems.append(Problem(f"{where} $ {command.line}", command.expected,
                                            actual))
    return problems, ran


def refresh_page(page: Path, workdir: Path | None = None) -> int:
    """Rewrite the output of every session of ``page`` as the commands print it now;
    returns how many sessions changed. Listings are not rewritten (edit the file and the
    page together)."""
    import tempfile

    text = page.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(workdir or Path(tmp))
        changed = 0

        def redo(m: re.Match[str]) -> str:
            nonlocal changed
            if m.group("cwd"):
                runner.chdir(m.group("cwd"))
                return m.group(0)
            if m.group("kind"):
                return m.group(0)
            lines = []
            for command in _commands(m.group("session")):
                lines.append(f"$ {command.line}")
                output = runner.output(command.line)
                if output:
                    lines.append(output)
            new = "\n".join(lines) + "\n"
            changed += new != m.group("session")
            return "```text\n" + new + "```"

        new_text = _TOKEN.sub(redo, text)
    page.write_text(new_text, encoding="utf-8")
    return changed
