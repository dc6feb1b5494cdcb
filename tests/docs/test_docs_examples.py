"""The documentation's examples are run, so the docs cannot drift from the code.

Every ```pycon block of docs/api.md (and of docs/architecture.md and docs/batch.md) runs
as one doctest session from the repository root, and every `$ promorules ...` session of
docs/cli.md (and the `$ promorules batch ...` sessions of docs/batch.md, in a scratch
directory) is re-run and its output compared. The SQL blocks of docs/batch.md parse in their
dialect, and its `spark-submit` command runs (slow profile).
"""

from __future__ import annotations

import doctest
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("page", ["api.md", "architecture.md", "batch.md"])
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


def _sessions(page: str, command: str) -> list[tuple[str, str]]:
    """(command line, expected output) of each `$ promorules COMMAND ...` session of a
    page's ```text blocks."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        lines = block.splitlines()
        if lines and lines[0].startswith(f"$ promorules {command} "):
            out.append((lines[0][2:], "\n".join(lines[1:])))
    return out


def _scratch(tmp_path: Path) -> Path:
    """A scratch working directory that sees the repository's rulesets and examples."""
    for name in ("rulesets", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


@pytest.mark.parametrize(("command", "expected"), _sessions("batch.md", "batch"))
def test_batch_md_sessions_match(tmp_path: Path, command: str, expected: str) -> None:
    argv = shlex.split(command)[1:]
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(_scratch(tmp_path))
    try:
        code = run(argv, out, err)
    finally:
        os.chdir(old)
    assert code == 0, err.getvalue()
    assert (out.getvalue() + err.getvalue()).rstrip("\n") == expected.rstrip("\n")
    assert (tmp_path / argv[argv.index("-o") + 1]).is_file()


def test_batch_md_sql_blocks_parse() -> None:
    import sqlglot

    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql (\w+)\n(.*?)```", text, re.S)
    assert {d for d, _ in blocks} >= {"postgres", "spark"}
    for dialect, sql in blocks:
        assert sqlglot.parse_one(sql, read=dialect) is not None


@pytest.mark.slow  # a JVM and a Spark application: CI's full profile
def test_batch_md_spark_submit_runs(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    commands = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S)
                for line in block.splitlines() if line.startswith("spark-submit ")]
    assert commands
    for command in commands:
        argv = shlex.split(command)
        argv[0] = str(Path(sys.executable).parent / "spark-submit")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
               "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600,
                              cwd=_scratch(tmp_path), env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.strip().splitlines()[-1] == "pass: 1, fail: 3, unknown: 1, invalid: 1"
