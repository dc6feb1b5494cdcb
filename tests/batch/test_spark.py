"""Spark: ``rs.evaluate_batch(decision, spark_df)`` against the row engine, on a sample of
every decision of every shipped ruleset, and the shape of the work Spark does (SQL
expressions in the executors: no Python UDF, nothing collected before an action, the
calendar broadcast).

One SparkSession (local[2], UI off) for the test session: tests/batch/spark_support.py.
The rows are the DuckDB differential test's (tests/batch/oracle.py: the testing kit's
strategies, boundary values, wrong values), each cell as a typed Spark column holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

import promorules

from .oracle import RULESETS, fuzzed_rows, ruleset
from .spark_support import expected_row, spark_cell, spark_rows, spark_session, spark_type

AS_OF = "2024-03-01T10:00:00"
ROOT_RULESETS = RULESETS[0].parent
LOADED = {p.stem: ruleset(p) for p in RULESETS}

# The default run's sample: a few rows of one decision per shipped ruleset, each exercising
# distinct constructs (the slow profile compares every decision on more rows).
SAMPLE = {
    # percents, ordinals, enum membership, nested any/all
    "1688_spring": ("yanxuan_entry",),
    # computed money with explicit rounding, cases, dates relative to today
    "aliexpress_medals": ("commission",),
    # working days: the calendar relation, broadcast
    "offline_coop": ("payment_due",),
    # a first-hit decision table, a requirement with applies_when, missing facts
    "tmall_global": ("escrow_state",),
}
SAMPLE_ROWS = 2


@pytest.fixture(scope="module")
def spark() -> Any:
    return spark_session()


def spark_table(spark: Any, rs: promorules.Ruleset, rows: Sequence[Mapping[str, Any]]
                ) -> tuple[Any, list[dict[str, Any]]]:
    """``rows`` as a Spark DataFrame with a ``row`` number and a typed column per fact,
    and as the row engine is given the same cells."""
    from pyspark.sql import types as T

    names = sorted({k for r in rows for k in r if k in rs.facts})
    cells = [{n: spark_cell(rs.facts[n].kind, r.get(n)) for n in names} for r in rows]
    schema = T.StructType([T.StructField("row", T.LongType(), False)] + [
        T.StructField(n, spark_type(rs.facts[n].kind), True) for n in names])
    data = [(i, *(c[n] for n in names)) for i, c in enumerate(cells)]
    return spark.createDataFrame(data, schema), cells


def _compare(spark: Any, n: int, decisions: Mapping[str, Sequence[str]] | None = None
             ) -> None:
    """Every decision (or those of ``decisions``, by ruleset) on ``n`` fuzzed rows per
    decision plus its boundary and wrong-value rows, on Spark and by ``evaluate``. The
    union's plan is SQL only (no Python UDF) and building it runs no Spark job."""
    from pyspark.sql import functions as F

    parts = []
    tables: dict[str, list[dict[str, Any]]] = {}
    oracle: dict[tuple[str, str, int], dict[str, Any]] = {}
    for rid, rs in LOADED.items():
        chosen = list(rs.decisions) if decisions is None else list(decisions.get(rid, ()))
        if not chosen:
            continue
        rows = [r for d in chosen for r in fuzzed_rows(rs, d, n)]
        frame, cells = spark_table(spark, rs, rows)
        tables[rid] = cells
        for d in chosen:
            jobs = _jobs(spark)
            out = rs.evaluate_batch(d, frame, as_of=AS_OF)
            assert _jobs(spark) == jobs, f"building {rid}.{d} ran a Spark job"
            parts.append(out.select(
                F.lit(rid).alias("ruleset"), F.lit(d).alias("decision"), "row", "outcome",
                "failed", "missing", F.to_json(F.struct("value")).alias("value_json"),
                "error"))
            for i, c in enumerate(cells):
                oracle[rid, d, i] = expected_row(rs, d, c, AS_OF)
    union = parts[0]
    for p in parts[1:]:
        union = union.unionByName(p)
    plan = _plan(union)
    assert "Python" not in plan and "ArrowEval" not in plan, plan[:2000]
    got = spark_rows(union)  # the comparison's one action
    assert len(got) == len(oracle)
    bad = []
    for g in got:
        key = (g["ruleset"], g["decision"], g["row"])
        want = oracle[key]
        have = {k: g[k] for k in ("outcome", "failed", "missing", "value", "error")}
        if want["outcome"] == "invalid":
            # Spark's error is the statement's own text: a code and the fact's name (the
            # embedded engine words it as evaluate does, in Python: docs/batch.md)
            fact = want["error"][1]
            # (a computation `evaluate` refuses, PR606, names no fact)
            ok = (have["outcome"] == "invalid" and have["error"] is not None
                  and have["error"].startswith("PR")
                  and (fact is None or f"'{fact}'" in have["error"]))
        else:
            ok = have == want or (have["outcome"] == "invalid" and _beyond_exact_types(
                LOADED[key[0]], key[1], tables[key[0]][key[2]]))
        if not ok:
            bad.append((key, want, have))
    assert not bad, f"{len(bad)} of {len(got)} rows differ from evaluate; first: {bad[:3]}"


def _beyond_exact_types(rs: promorules.Ruleset, decision: str, cells: Mapping[str, Any]
                        ) -> bool:
    """Whether the embedded engine refuses this row with PR820 (a number `evaluate` takes
    but the batch engine's exact DECIMAL types cannot hold: docs/errors.md#pr820), the one
    documented case where a batch row is `invalid` and `evaluate` answers."""
    error = rs.evaluate_batch(decision, [dict(cells)], as_of=AS_OF).column("error")[0].as_py()
    return isinstance(error, str) and error.startswith("PR820 ")


def test_spark_agrees_with_evaluate_on_a_sample() -> None:
    """The sample names real decisions, one of them reading the working-day calendar."""
    assert sorted(SAMPLE) == sorted(LOADED)
    for rid, decisions in SAMPLE.items():
        assert set(decisions) <= set(LOADED[rid].decisions), rid
    assert any("promorules_calendar" in LOADED[rid].to_sql(d, dialect="spark", as_of=AS_OF)
               for rid, ds in SAMPLE.items() for d in ds)


def test_spark_agrees_with_evaluate_on_sample_decisions(spark: Any) -> None:
    _compare(spark, SAMPLE_ROWS, SAMPLE)


@pytest.mark.slow
def test_spark_agrees_with_evaluate_on_every_decision(spark: Any) -> None:
    _compare(spark, 8)


@pytest.mark.slow
def test_spark_agrees_with_evaluate_larger_samples(spark: Any) -> None:
    _compare(spark, 200)


def _plan(frame: Any) -> str:
    """The executed plan Spark would run for ``frame`` (no job is run to get it)."""
    return str(frame._jdf.queryExecution().executedPlan().toString())


def _jobs(spark: Any) -> int:
    """How many Spark jobs outside a job group the session has run so far."""
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(None))


_GROUP = "promorules-lazy"


def _sql_only_and_lazy(spark: Any, decisions: Mapping[str, Sequence[str]]
                       ) -> dict[tuple[str, str], str]:
    """The plans of ``decisions``, each checked: no Python UDF in it (no BatchEvalPython,
    ArrowEvalPython and the like) and no job run by building the result (for a decision
    without `match: chinese` text), on rows that give each decision's facts."""
    plans = {}
    for rid, chosen in decisions.items():
        rs = LOADED[rid]
        frame, _ = spark_table(spark, rs, [r for d in chosen for r in fuzzed_rows(rs, d, 2)])
        spark.sparkContext.setJobGroup(_GROUP, "building only")
        before = len(spark.sparkContext.statusTracker().getJobIdsForGroup(_GROUP))
        outs = {(rid, d): rs.evaluate_batch(d, frame, as_of=AS_OF) for d in chosen}
        plans.update({k: _plan(o) for k, o in outs.items()})
        after = len(spark.sparkContext.statusTracker().getJobIdsForGroup(_GROUP))
        spark.sparkContext.setJobGroup("", "")
        assert before == after, f"building {rid}'s results ran a Spark job"
    for p in plans.values():
        assert "Python" not in p and "ArrowEval" not in p, p[:2000]
    return plans


@pytest.mark.slow
def test_spark_plan_is_sql_only_and_lazy_for_every_decision(spark: Any) -> None:
    _sql_only_and_lazy(spark, {rid: tuple(rs.decisions) for rid, rs in LOADED.items()})


def test_spark_plan_is_sql_only_lazy_and_broadcasts_the_calendar(spark: Any) -> None:
    """Every decision reading the working-day calendar: its plan is SQL only and lazy,
    and each join of the input with the calendar is a broadcast hash join (the input is
    never shuffled for it). The rows give the decisions' facts: a column that is absent
    is a null, and Spark folds a lookup of a null day away."""
    working = LOADED["offline_coop"]
    uses_calendar = [d for d in working.decisions
                     if "promorules_calendar" in working.to_sql(d, dialect="spark", as_of=AS_OF)]
    assert uses_calendar, "offline_coop has working-day decisions"
    for plan in _sql_only_and_lazy(spark, {working.id: uses_calendar}).values():
        assert "BroadcastHashJoin" in plan, plan[:2000]
        assert "SortMergeJoin" not in plan and "ShuffledHashJoin" not in plan, plan[:2000]
        assert "CartesianProduct" not in plan and "NestedLoopJoin" not in plan, plan[:2000]


def test_spark_is_an_optional_extra_imported_on_use() -> None:
    """`import promorules` and the embedded engine never import pyspark; a Spark
    DataFrame is recognised without importing it."""
    import subprocess
    import sys

    code = ("import sys, promorules, pyarrow as pa\n"
            "rs = promorules.load('rulesets/tmall_global.yaml')\n"
            "rs.evaluate_batch('escrow_state', pa.table({'buyer_paid': [True]}))\n"
            "from promorules.batch import spark\n"
            "assert not spark.is_spark_frame(object())\n"
            "print('pyspark' in sys.modules)\n")
    from .oracle import ROOT

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("fmt", ["parquet", pytest.param("csv", marks=pytest.mark.slow)])
def test_cli_engine_spark_reads_and_writes_with_spark(spark: Any, tmp_path: Any,
                                                     fmt: str) -> None:
    """`promorules batch --engine spark`: Spark reads INPUT and writes OUTPUT as a
    directory of part files; the summary is Spark's aggregate of the written output."""
    import io
    import json

    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from promorules.cli import run

    rs = LOADED["tmall_global"]
    rows = [{"id": k, "buyer_paid": k % 3 != 0, "shipped": k % 2 == 0,
             "receipt_confirmed": k % 5 == 0 if k % 7 else None} for k in range(40)]
    table = pa.Table.from_pylist(rows)
    inp, out = tmp_path / f"in.{fmt}", tmp_path / f"out.{fmt}"
    pq.write_table(table, inp) if fmt == "parquet" else pcsv.write_csv(table, inp)
    err = io.StringIO()
    code = run(["batch", str(ROOT_RULESETS / "tmall_global.yaml"), "escrow_state", str(inp),
                "-o", str(out), "--engine", "spark"], io.StringIO(), err)
    assert code == 0, err.getvalue()
    assert out.is_dir() and any(p.name.startswith("part-") for p in out.iterdir())
    back = spark.read.parquet(str(out)) if fmt == "parquet" else spark.read.option(
        "header", True).csv(str(out))
    got = {int(r["id"]): r for r in back.collect()}
    assert sorted(got) == list(range(40))
    counts: dict[str, int] = {}
    for row in rows:
        want = expected_row(rs, "escrow_state", {k: v for k, v in row.items() if k != "id"},
                            None)
        r = got[row["id"]]
        failed = r["failed"] if fmt == "parquet" else json.loads(r["failed"])
        assert (r["outcome"], list(failed)) == (want["outcome"], want["failed"])
        counts[want["outcome"]] = counts.get(want["outcome"], 0) + 1
    lines = err.getvalue().splitlines()
    assert lines[0] == "rows: 40"
    assert lines[1] == "  ".join(f"{o}: {counts.get(o, 0)}"
                                 for o in ("pass", "fail", "unknown", "invalid"))
