"""``promorules batch``'s own parts, without an engine: the writers, the summary, the
progress bar's silence off a terminal, and the argument checks that exit 3 before any
work. The real runs (DuckDB, Spark, a pseudo-terminal) are in tests/batch/."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from promorules.cli import run
from promorules.cli.batch import progress_bar, write_batches
from promorules.cli.batch_io import Summary, file_format
from promorules.errors import PromorulesError

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets" / "1688_spring.yaml")

SCHEMA = pa.schema([
    ("merchant_id", pa.int64()),
    ("outcome", pa.string()),
    ("failed", pa.list_(pa.string())),
    ("missing", pa.list_(pa.string())),
    ("value", pa.decimal128(12, 2)),
    ("error", pa.string()),
])


def fake_batches(n_batches: int, rows: int) -> Iterator[pa.RecordBatch]:
    """What an engine yields: row k fails 'deposit' when k % 3 == 1 and also
    'trade_medal' when k % 6 == 1; k % 3 == 2 is unknown; k % 7 == 0 invalid."""
    k = 0
    for _ in range(n_batches):
        cols: dict[str, list[object]] = {f.name: [] for f in SCHEMA}
        for _ in range(rows):
            if k % 7 == 0:
                o, failed, missing, err = "invalid", [], [], "PR601 deposit: not money"
            elif k % 3 == 1:
                o, failed, missing, err = ("fail", ["deposit", "trade_medal"] if k % 6 == 1
                                           else ["deposit"], [], None)
            elif k % 3 == 2:
                o, failed, missing, err = "unknown", [], ["deposit"], None
            else:
                o, failed, missing, err = "pass", [], [], None
            for name, v in zip(SCHEMA.names, (k, o, failed, missing, Decimal("1.50"), err),
                               strict=True):
                cols[name].append(v)
            k += 1
        yield pa.RecordBatch.from_pydict(cols, schema=SCHEMA)


def expected_counts(n: int) -> tuple[dict[str, int], dict[str, int]]:
    outcomes = {"pass": 0, "fail": 0, "unknown": 0, "invalid": 0}
    failed = {"deposit": 0, "trade_medal": 0}
    for k in range(n):
        if k % 7 == 0:
            outcomes["invalid"] += 1
        elif k % 3 == 1:
            outcomes["fail"] += 1
            failed["deposit"] += 1
            failed["trade_medal"] += k % 6 == 1
        elif k % 3 == 2:
            outcomes["unknown"] += 1
        else:
            outcomes["pass"] += 1
    return outcomes, failed


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_write_batches_writes_every_batch_and_counts(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    summary = Summary()
    advanced: list[int] = []
    write_batches(fake_batches(4, 25), out, fmt, summary, advanced.append)
    assert advanced == [25, 25, 25, 25]
    outcomes, failed = expected_counts(100)
    assert summary.rows == 100
    assert dict(summary.outcomes) == {k: v for k, v in outcomes.items() if v}
    assert dict(summary.failed) == failed
    if fmt == "parquet":
        table = pq.read_table(out)
        assert table.schema == SCHEMA
        assert table.column("merchant_id").to_pylist() == list(range(100))
        assert table.column("failed").to_pylist()[1] == ["deposit", "trade_medal"]
    elif fmt == "csv":
        table = pcsv.read_csv(out)
        assert table.column("merchant_id").to_pylist() == list(range(100))
        assert json.loads(table.column("failed").to_pylist()[1]) == ["deposit", "trade_medal"]
        assert table.column("outcome").to_pylist()[:3] == ["invalid", "fail", "unknown"]
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["merchant_id"] for r in rows] == list(range(100))
        assert rows[1] == {"merchant_id": 1, "outcome": "fail",
                           "failed": ["deposit", "trade_medal"], "missing": [],
                           "value": "1.50", "error": None}
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no partial file left


def test_a_failing_engine_leaves_no_output(tmp_path: Path) -> None:
    def broken() -> Iterator[pa.RecordBatch]:
        yield from fake_batches(1, 5)
        raise PromorulesError("the input broke", code="PR900")

    out = tmp_path / "out.parquet"
    with pytest.raises(PromorulesError):
        write_batches(broken(), out, "parquet", Summary(), lambda n: None)
    assert list(tmp_path.iterdir()) == []


def test_summary_text() -> None:
    summary = Summary()
    for batch in fake_batches(2, 21):
        summary.add(batch)
    assert summary.render(top=5) == (
        "rows: 42\n"
        "pass: 12  fail: 12  unknown: 12  invalid: 6\n"
        "most frequently failing rules:\n"
        "  deposit      12\n"
        "  trade_medal  6\n")
    assert summary.render(top=1).endswith("rules:\n  deposit  12\n")
    empty = Summary()
    empty.add_counts({"pass": 3}, {})
    assert empty.render() == "rows: 3\npass: 3  fail: 0  unknown: 0  invalid: 0\nno rule failed\n"


def test_progress_bar_is_silent_off_a_terminal() -> None:
    err = io.StringIO()
    with progress_bar(err, 100) as advance:
        advance(50)
        advance(50)
    assert err.getvalue() == ""


def test_file_format_by_extension() -> None:
    assert file_format("a/b.PARQUET", "input") == "parquet"
    assert file_format("x.csv", "output") == "csv"
    assert file_format("x.jsonl", "output") == "jsonl"
    with pytest.raises(PromorulesError, match=r"PR827.*output file 'x\.xlsx'"):
        file_format("x.xlsx", "output")


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["batch", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_exit_3_before_any_work(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("deposit\n1\n", encoding="utf-8")
    out = str(tmp_path / "out.parquet")
    cases = [
        ((RULESET, "merchant_eligibility", str(src), "-o", str(tmp_path / "o.xlsx")),
         "error: PR827 the output file"),
        ((RULESET, "merchant_eligibility", str(tmp_path / "in.txt"), "-o", out),
         "error: PR827 the input file"),
        ((RULESET, "merchant_eligibility", str(tmp_path / "nope.csv"), "-o", out),
         "error: PR828 input file"),
        ((RULESET, "merchant_eligibility", str(src), "-o", str(tmp_path / "no/o.csv")),
         "error: PR828 output directory"),
        ((RULESET, "merchant_eligibilty", str(src), "-o", out),
         "did you mean 'merchant_eligibility'"),
        ((RULESET, "merchant_eligibility", str(src), "-o", out, "--as-of", "soon"),
         "PR608"),
        ((str(tmp_path / "missing.yaml"), "merchant_eligibility", str(src), "-o", out),
         "PR100"),
        ((RULESET, "merchant_eligibility", str(src)), "the following arguments are required"),
        ((RULESET, "merchant_eligibility", str(src), "-o", out, "--engine", "pandas"),
         "invalid choice"),
    ]
    for argv, message in cases:
        code, stdout, stderr = _cli(*argv)
        assert code == 3, (argv, stderr)
        assert message in stderr, (argv, stderr)
        assert "Traceback" not in stderr and stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
