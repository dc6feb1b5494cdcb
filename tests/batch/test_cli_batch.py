"""``promorules batch`` end to end on the embedded engine: every input and output format,
streaming in several batches with bounded memory, the summary against the row engine, the
progress bar on a pseudo-terminal and silence off one, and exit 3 for a bad input file."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

import promorules
from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets" / "1688_spring.yaml")
DECISION = "merchant_eligibility"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_merchant_eligibility import generate  # noqa: E402

RS = promorules.load(RULESET)
INDUSTRIES = RS.model.lists["industries"].items


def merchants(n: int, seed: int = 3) -> pa.Table:
    """``n`` merchants as typed columns (money as decimal text), with an id column, a
    few missing deposits and one deposit that is not money."""
    rows = generate(n, seed, INDUSTRIES)
    for k, m in enumerate(rows):
        d = m["buyer_protection_deposit"]
        m["buyer_protection_deposit"] = (None if k % 50 == 7 else "12.345" if k == 11
                                         else str(d))
        m["merchant_id"] = k
    return pa.Table.from_pylist(rows)


def write(table: pa.Table, path: Path) -> None:
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    elif path.suffix == ".csv":
        pcsv.write_csv(table, path)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                for r in table.to_pylist()), encoding="utf-8")


def expected_summary(table: pa.Table) -> tuple[Counter[str], Counter[str]]:
    outcomes: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for row in table.to_pylist():
        facts = {k: v for k, v in row.items() if v is not None and k != "merchant_id"}
        try:
            r = RS.evaluate(DECISION, facts)
        except promorules.FactError:
            outcomes["invalid"] += 1
            continue
        outcomes[str(r.outcome)] += 1
        failed.update(r.failed_rule_ids)
    return outcomes, failed


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["batch", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("src", "dst"), [("parquet", "parquet"), ("csv", "jsonl"),
                                          ("jsonl", "csv")])
def test_batch_command_every_format(tmp_path: Path, src: str, dst: str) -> None:
    table = merchants(300)
    inp, out = tmp_path / f"in.{src}", tmp_path / f"out.{dst}"
    write(table, inp)
    code, stdout, stderr = cli(RULESET, DECISION, str(inp), "-o", str(out))
    assert code == 0, stderr
    assert stdout == ""
    outcomes, failed = expected_summary(table)
    top = sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    width = max(len(r) for r, _ in top)
    assert stderr == (
        "rows: 300\n"
        + "  ".join(f"{o}: {outcomes[o]}" for o in ("pass", "fail", "unknown", "invalid"))
        + "\nmost frequently failing rules:\n"
        + "".join(f"  {r:<{width}}  {c}\n" for r, c in top))
    if dst == "parquet":
        got = pq.read_table(out).to_pylist()
    elif dst == "csv":
        got = [{**r, "failed": json.loads(r["failed"])}
               for r in pcsv.read_csv(out).to_pylist()]
    else:
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [int(r["merchant_id"]) for r in got] == list(range(300))  # CSV cells: text
    assert got[11]["outcome"] == "invalid" and "buyer_protection_deposit" in got[11]["error"]
    assert got[7]["outcome"] == "unknown"
    assert Counter(r["outcome"] for r in got) == outcomes


def _peak_of_run(tmp_path: Path, n: int, size: int) -> tuple[int, int]:
    """(Python's peak allocations during `promorules batch` on ``n`` rows in batches of
    ``size``, the output's row groups)."""
    inp, out = tmp_path / f"in{n}.parquet", tmp_path / f"out{n}.parquet"
    pq.write_table(merchants(n), inp, row_group_size=size)
    tracemalloc.start()
    try:
        code, _, stderr = cli(RULESET, DECISION, str(inp), "-o", str(out),
                              "--batch-size", str(size))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0, stderr
    meta = pq.ParquetFile(out).metadata
    assert meta.num_rows == n
    return peak, meta.num_row_groups


def test_large_input_streams_in_batches_with_bounded_memory(tmp_path: Path) -> None:
    """An input larger than a batch is evaluated and written batch by batch (the output
    has a row group per batch), and Python's peak allocations do not grow with the input:
    eight times the rows, about the same peak, far below the rows as Python objects."""
    size = 1_000
    _peak_of_run(tmp_path, 2 * size, size)  # imports and compiled plans: not per row
    small, _ = _peak_of_run(tmp_path, 5 * size, size)
    large, groups = _peak_of_run(tmp_path, 40 * size, size)
    assert groups >= 20  # several batches, each written as it came
    tracemalloc.start()  # what the large input takes once loaded into Python objects
    try:
        rows = merchants(40 * size).to_pylist()
        as_objects, _ = tracemalloc.get_traced_memory()
        del rows
    finally:
        tracemalloc.stop()
    assert large < small * 1.5 + 2**20, (small, large)
    assert large < as_objects / 3, (large, as_objects)


def _run_on_pty(argv: list[str]) -> tuple[int, str]:
    """Run the CLI with standard error on a pseudo-terminal; returns (exit, what the
    terminal showed)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "promorules", *argv], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=120)
    assert proc.stdout is not None
    proc.stdout.close()
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_and_quiet_off_one(tmp_path: Path) -> None:
    inp, out = tmp_path / "in.parquet", tmp_path / "out.csv"
    pq.write_table(merchants(2_000), inp)
    argv = ["batch", RULESET, DECISION, str(inp), "-o", str(out), "--batch-size", "500"]
    code, shown = _run_on_pty(argv)
    assert code == 0, shown
    assert "evaluating" in shown and "2000/2000" in shown  # rich's bar, with the row count
    assert "\x1b[" in shown  # drawn with terminal control sequences
    assert "rows: 2000" in shown
    done = subprocess.run([sys.executable, "-m", "promorules", *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0
    assert done.stderr.startswith("rows: 2000\n") and "\x1b" not in done.stderr
    assert "evaluating" not in done.stderr


def test_a_bad_input_file_exits_3_with_a_message(tmp_path: Path) -> None:
    broken = tmp_path / "in.parquet"
    broken.write_bytes(b"not a parquet file at all")
    code, _, stderr = cli(RULESET, DECISION, str(broken), "-o", str(tmp_path / "o.parquet"))
    assert code == 3
    assert stderr.startswith("error: PR821") and "Traceback" not in stderr
    assert not (tmp_path / "o.parquet").exists()


def test_a_decision_the_engine_cannot_compute_exits_3(tmp_path: Path, monkeypatch: Any) -> None:
    inp = tmp_path / "in.csv"
    write(merchants(3), inp)
    code, _, stderr = cli(str(ROOT / "rulesets" / "1688_spring.yaml"), "no_such_decision",
                          str(inp), "-o", str(tmp_path / "o.csv"))
    assert code == 3 and "has no decision 'no_such_decision'" in stderr
