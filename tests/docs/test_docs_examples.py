"""The documentation's examples are run, so the docs cannot drift from the code.

Every ```pycon block of docs/api.md (and of docs/architecture.md and docs/batch.md) runs
as one doctest session from the repository root, and every `$ promorules eval ...` session of
docs/cli.md is re-run and its output compared (tests/docs/doc_sessions.py, which also runs
the tutorial: test_tutorial.py). docs/batch.md's sessions run in a scratch directory that
sees rulesets/ and examples/, its SQL blocks parse in their dialect, and its `spark-submit`
command runs (slow profile).
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
from doc_sessions import Command, check_page, eval_sessions, root_output, scratch_root

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


@pytest.mark.parametrize("command", eval_sessions(ROOT / "docs" / "cli.md"),
                         ids=lambda c: c.line)
def test_cli_md_sessions_match(command: Command) -> None:
    assert root_output(command.line) == command.expected.rstrip("\n")


def test_batch_md_sessions_match(tmp_path: Path) -> None:
    problems, ran = check_page(ROOT / "docs" / "batch.md", tmp_path, root=True)
    assert ran >= 1
    assert not problems, problems
    assert (tmp_path / "root" / "merchants_out.parquet").is_file()


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
                              cwd=scratch_root(tmp_path), env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.strip().splitlines()[-1] == "pass: 1, fail: 3, unknown: 1, invalid: 1"
