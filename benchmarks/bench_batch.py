"""Benchmark: `merchant_eligibility` of rulesets/1688_spring.yaml over a whole table, on the
batch engines, against the row engine's Python loop measured in the same run.

    .venv/bin/python benchmarks/bench_batch.py [--n N] [--sample S] [--repeats R] [--no-spark]

Measures, in one run, on N merchants (default 1,000,000) in an in-memory Arrow table:

  (a) the row engine: a Python loop of ``rs.evaluate`` + ``outcome`` + ``failed_rule_ids``
      over the first S merchants as dicts (the baseline; rows/s extrapolated);
  (d) ``rs.evaluate_batch`` on DuckDB (embedded): the whole table, outcome and failed ids
      among the added columns; rows/s, peak RSS of the process and Arrow's peak;
  (s) the same on Spark local (``local[*]``): the result DataFrame computed into Spark's
      ``noop`` sink (everything evaluated, nothing collected); its overhead against (d).

Target (issue 11): (d) at least 10x (a). Before timing, the first S merchants are checked to
give the same outcome and failed ids on (a), (d) and (s); a disagreement aborts the run.
Timings never gate anything: this is a script, not a test.

The merchants are generated column by column (numpy), each of the 15 independent
requirements violated by about 2% of them, as in bench_merchant_eligibility.py; the deposit
is an exact DECIMAL(12, 2) column, and the row engine gets it as a decimal string, as a
service would.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import promorules

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT / "rulesets" / "1688_spring.yaml"
DECISION = "merchant_eligibility"
RATE = 0.02
TARGET = 10.0
MEDALS = ("none", "A", "AA", "AAA", "AAAA", "AAAAA")
OTHER_INDUSTRIES = ("房地產", "金融服務", "其他")


def generate(n: int, seed: int, industries: tuple[str, ...]) -> pa.Table:
    """``n`` merchants as an Arrow table, deterministic for ``seed``."""
    rng = np.random.default_rng(seed)

    def bad() -> Any:
        return rng.random(n) < RATE

    def pick(values: tuple[str, ...], size: int | None = None) -> Any:
        return np.asarray(values, dtype=object)[rng.integers(0, len(values), size or n)]

    industry = np.where(bad(), pick(OTHER_INDUSTRIES), pick(industries))
    medal = np.where(bad(), "none", pick(MEDALS[1:]))
    deposit_bad = bad()
    cents = np.where(deposit_bad, rng.integers(0, 300000, n), rng.integers(300000, 5000000, n))
    deposit = pa.array([f"{c // 100}.{c % 100:02d}" for c in cents.tolist()],
                       pa.string()).cast(pa.decimal128(12, 2))
    points = np.where(bad(), rng.integers(36, 61, n), rng.integers(0, 36, n))
    prohibited = np.where(bad(), rng.integers(24, 49, n), rng.integers(0, 24, n))
    return pa.table({
        "merchant_id": pa.array(np.arange(n), pa.int64()),
        "main_industry": pa.array(industry, pa.string()),
        "trade_medal_level": pa.array(medal, pa.string()),
        "chengxintong_active": pa.array(~bad()),
        "chengxintong_type": pa.array(pick(("enterprise", "individual")), pa.string()),
        "alipay_real_name_verified": pa.array(~bad()),
        "buyer_protection_enabled": pa.array(~bad()),
        "buyer_protection_deposit": deposit,
        "serious_fake_trade_3m": pa.array(bad()),
        "violation_points_year": pa.array(points, pa.int64()),
        "serious_ip_infringement": pa.array(bad()),
        "store_competitiveness_ok": pa.array(~bad()),
        "prohibited_info_points": pa.array(prohibited, pa.int64()),
        "commercial_compliance_violation": pa.array(bad()),
        "infringing_listing_penalty": pa.array(bad()),
        "court_dishonest_record": pa.array(bad()),
        "finance_serious_overdue": pa.array(bad()),
    })


def as_dicts(table: pa.Table) -> list[dict[str, Any]]:
    """Rows as a service sends them: JSON types, money as a decimal string."""
    rows = table.drop_columns(["merchant_id"]).to_pylist()
    for r in rows:
        r["buyer_protection_deposit"] = str(r["buyer_protection_deposit"])
    return rows


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def spark_session() -> Any:
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[*]").appName("bench_batch")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "3g")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="merchants (default 1000000)")
    ap.add_argument("--sample", type=int, default=20_000,
                    help="merchants the row engine's loop is timed on (default 20000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3, help="timing rounds (default 3)")
    ap.add_argument("--no-spark", dest="spark", action="store_false",
                    help="leave Spark out")
    args = ap.parse_args(argv)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: nproc {os.cpu_count()}, Python {sys.version.split()[0]}, "
          f"load average {load}")
    rs = promorules.load(RULESET)
    industries = tuple(rs.model.lists["industries"].items)
    table = generate(args.n, args.seed, industries)
    sample = as_dicts(table.slice(0, min(args.sample, args.n)))
    print(f"merchants: {args.n:,} in an Arrow table ({table.nbytes / 2**20:.0f} MiB); "
          f"row-engine sample: {len(sample):,}")
    rss_before = peak_rss_mb()

    # -- verification: (a) and (d) agree on the sample -----------------------------------
    evaluate = rs.evaluate
    want = []
    for m in sample:
        r = evaluate(DECISION, m)
        want.append((str(r.outcome), list(r.failed_rule_ids)))
    head = rs.evaluate_batch(DECISION, table.slice(0, len(sample)))
    got = list(zip(head.column("outcome").to_pylist(), head.column("failed").to_pylist(),
                   strict=True))
    bad = [k for k, (w, g) in enumerate(zip(want, got, strict=True)) if w != g]
    if bad:
        print(f"ABORT: DuckDB and evaluate disagree on {len(bad)} merchants, e.g. #{bad[0]}: "
              f"{want[bad[0]]} vs {got[bad[0]]}", file=sys.stderr)
        return 1
    failing = sum(1 for o, _ in want if o == "fail")
    print(f"verified: (a) and (d) give the same outcome and failed ids on the sample "
          f"({100 * failing / len(want):.1f}% failing)")

    # -- (a) the row engine's loop --------------------------------------------------------
    def loop() -> None:
        ev = evaluate
        for m in sample:
            r = ev(DECISION, m)
            r.outcome, r.failed_rule_ids  # noqa: B018 (what is timed)

    gc.disable()
    try:
        t_a, _ = best(loop, args.repeats)
    finally:
        gc.enable()
    a_rps = len(sample) / t_a

    # -- (d) DuckDB ---------------------------------------------------------------------
    pool = pa.default_memory_pool()
    t_d, out = best(lambda: rs.evaluate_batch(DECISION, table), args.repeats)
    assert out.num_rows == args.n
    d_rps = args.n / t_d
    rss_after = peak_rss_mb()
    del out
    ratio = d_rps / a_rps

    print(f"\nbest of {args.repeats} rounds:")
    print(f"  (a) evaluate + outcome + failed_rule_ids loop  {a_rps:>12,.0f} rows/s  "
          f"({1e6 / a_rps:.2f} µs/row)")
    print(f"  (d) evaluate_batch on DuckDB, {args.n:,} rows   {d_rps:>12,.0f} rows/s  "
          f"({t_d:.2f} s)   (d)/(a) = {ratio:5.1f}x  target {TARGET:g}x  "
          f"{'PASS' if ratio >= TARGET else 'SHORT'}")
    print(f"      peak RSS {rss_after:,.0f} MiB (before the batch: {rss_before:,.0f} MiB); "
          f"Arrow pool peak {pool.max_memory() / 2**20:,.0f} MiB")

    # -- (s) Spark local ------------------------------------------------------------------
    if args.spark:
        t0 = time.perf_counter()
        spark = spark_session()
        start = time.perf_counter() - t0
        frame = spark.createDataFrame(table).cache()
        frame.count()  # the input in Spark's memory: not part of what is timed
        check = rs.evaluate_batch(DECISION, frame.limit(len(sample)).orderBy("merchant_id"))
        s_got = [(r["outcome"], list(r["failed"])) for r in
                 check.select("merchant_id", "outcome", "failed").orderBy("merchant_id")
                 .collect()]
        if s_got != want[:len(s_got)]:
            print("ABORT: Spark and evaluate disagree on the sample", file=sys.stderr)
            return 1

        def on_spark() -> None:
            result = rs.evaluate_batch(DECISION, frame)
            result.write.format("noop").mode("overwrite").save()

        t_s, _ = best(on_spark, args.repeats)
        s_rps = args.n / t_s
        print(f"  (s) evaluate_batch on Spark local[*]          {s_rps:>12,.0f} rows/s  "
              f"({t_s:.2f} s)   (s)/(a) = {s_rps / a_rps:5.1f}x; "
              f"overhead against (d): {t_s / t_d:.1f}x the time (+{t_s - t_d:.2f} s)")
        print(f"      session start {start:.1f} s (not counted); peak RSS of the driver "
              f"{peak_rss_mb():,.0f} MiB (the JVM is another process)")
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
