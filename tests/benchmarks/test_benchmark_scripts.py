"""The benchmark scripts of docs/performance.md run, at a tiny size, and verify what they
verify before timing (every variant gives the same answers). They print timings; this test
asserts on none of them, only that each script completes and prints its result table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPTS = [
    ("bench_merchant_eligibility.py", ["--n", "500", "--repeats", "1"],
     ["verified:", "(b) evaluate + outcome + failed_rule_ids", "(e) evaluate + explain()"]),
    ("bench_breakdown.py", ["--n", "500", "--repeats", "1"],
     ["verified: fast and full paths give the same records", "breakdown of (b)"]),
    ("bench_peers.py", ["--n", "500", "--repeats", "1"],
     ["verified:", "(c)  promorules evaluate() + failed_rule_ids"]),
    ("bench_batch.py", ["--n", "3000", "--sample", "500", "--repeats", "1", "--no-spark"],
     ["verified: (a) and (d)", "(a) evaluate + outcome + failed_rule_ids loop",
      "(d) evaluate_batch on DuckDB"]),
    ("bench_load.py", ["--repeats", "1", "--fresh", "1", "--top", "3"],
     ["verified:", "import promorules", "load() of 1688_spring"]),
    ("bench_service.py", ["--seconds", "1", "--warmup", "0.2", "--n", "50"],
     ["verified:", "GET /healthz (baseline", "evaluate, explain off", "target, explain off"]),
]


@pytest.mark.slow  # CI's full profile runs it (.ci/run: pytest -m slow)
@pytest.mark.parametrize(("script", "args", "expected"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_benchmark_script_runs(script: str, args: list[str], expected: list[str]) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for text in expected:
        assert text in done.stdout, (text, done.stdout[-2000:])
