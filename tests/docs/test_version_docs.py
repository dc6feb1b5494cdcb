"""The version-discipline sessions of docs/cli.md (`promorules diff ... --facts` and
`promorules check NEW --against OLD`) are run for real, in a directory holding the files
the page describes: `new/1688_spring.yaml` (the deposit threshold raised from 3000 to 5000,
released as 2.2.0) and `records.jsonl` (the facts of two shipped merchant examples)."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]


def _sessions() -> list[tuple[str, str, int | None]]:
    """(command, expected output, expected status or None) of the diff/check --against
    sessions of cli.md."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        lines = block.splitlines()
        if not lines or not (lines[0].startswith("$ promorules diff ")
                             or "--against" in lines[0]):
            continue
        shown, status = [], None
        rest = iter(lines[1:])
        for line in rest:
            if line == "$ echo $?":
                status = int(next(rest))
                break
            shown.append(line)
        out.append((lines[0][2:], "\n".join(shown), status))
    return out


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("versions")
    (root / "rulesets").mkdir()
    shutil.copy(ROOT / "rulesets" / "1688_spring.yaml", root / "rulesets")
    text = (ROOT / "rulesets" / "1688_spring.yaml").read_text(encoding="utf-8")
    text = text.replace("check: buyer_protection_deposit >= 3000",
                        "check: buyer_protection_deposit >= 5000", 1)
    (root / "new").mkdir()
    (root / "new" / "1688_spring.yaml").write_text(
        re.sub(r"^version: .*$", "version: 2.2.0", text, count=1, flags=re.M), encoding="utf-8")
    examples = ROOT / "examples" / "1688_spring"
    records = [{"decision": "merchant_eligibility",
                "facts": json.loads((examples / f"{name}.json").read_text(encoding="utf-8"))}
               for name in ("merchant_ok", "merchant_low_deposit")]
    (root / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records),
                                        encoding="utf-8")
    return root


SESSIONS = _sessions()


def test_the_page_has_both_sessions() -> None:
    assert [c.split()[1] for c, _, _ in SESSIONS] == ["check", "diff"]


@pytest.mark.parametrize(("command", "expected", "status"), SESSIONS)
def test_version_sessions_match(sandbox: Path, command: str, expected: str,
                                status: int | None) -> None:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(sandbox)
    try:
        code = run(shlex.split(command)[1:], out, err)
    finally:
        os.chdir(old)
    assert (out.getvalue() + err.getvalue()).rstrip("\n") == expected.rstrip("\n")
    if status is not None:
        assert code == status
