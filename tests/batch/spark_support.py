"""The Spark tests' shared parts: one SparkSession for the whole test session (local[2],
UI off, two shuffle partitions, quiet logs) and the comparison with the row engine.

(Named ``spark_support`` so that it cannot collide with a helper module of another test
directory under pytest's default import mode.)
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import json
import os
import shutil
import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

import promorules
from promorules import FactError

JAVA = "/usr/bin/java"


def java_home() -> str:
    """Java 17 for Spark 4: JAVA_HOME if set, else the `java` on PATH (/usr/bin/java here).
    Missing Java fails the Spark tests, it does not skip them: CI installs it (.ci/run)."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java") or (JAVA if os.path.exists(JAVA) else None)
    if java is None:
        pytest.fail("Spark 4 needs Java 17 and there is no `java`: .ci/run installs "
                    "openjdk-17-jre-headless", pytrace=False)
    return os.path.dirname(os.path.dirname(os.path.realpath(java)))


@functools.cache
def spark_session() -> Any:
    """The test session's SparkSession, created once (stopped at exit)."""
    os.environ.setdefault("JAVA_HOME", java_home())
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("promorules-tests")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.default.parallelism", "2")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.memory", "1g")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    atexit.register(spark.stop)
    return spark


def canon(value: Any) -> Any:
    """A value in one comparable form: numbers as normalised Decimals, dates as ISO text,
    sets as sorted lists, mappings and lists item by item."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(canon(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): canon(v) for k, v in value.items()}
    return value


def expected_row(rs: promorules.Ruleset, decision: str, facts: Mapping[str, Any],
                 as_of: object) -> dict[str, Any]:
    """What the row engine says of one row, in the batch's output columns (a null cell
    is an absent fact)."""
    given = {k: v for k, v in facts.items() if v is not None}
    try:
        r = rs.evaluate(decision, given, as_of=as_of)
    except FactError as e:
        return {"outcome": "invalid", "failed": [], "missing": [], "value": None,
                "error": (e.code, e.fact)}
    outcome = str(r.outcome)
    return {"outcome": outcome, "failed": [x.rule_id for x in r.failed],
            "missing": list(r.missing),
            "value": canon(r.value), "error": None}


def spark_cell(kind: str, v: Any) -> Any:
    """A fact cell as a Spark column of the fact's type holds it (see :func:`spark_type`):
    numbers as their decimal text, dates as ISO text, lists of text; a value no such
    column can hold (a boolean for a number, a list for a date) is null."""
    if v is None:
        return None
    if kind == "boolean":
        return v if isinstance(v, bool) else None
    if kind == "integer":
        ok = isinstance(v, int) and not isinstance(v, bool) and -(2 ** 63) <= v < 2 ** 63
        return v if ok else None
    if kind in ("number", "money", "percent"):
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return str(v)
        if isinstance(v, Decimal):
            return format(v, "f") if v.is_finite() else str(v)
        return repr(v) if isinstance(v, float) else None
    if kind == "list":
        return [str(i) for i in v] if isinstance(v, (list, tuple)) else None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v if isinstance(v, str) else None


def spark_type(kind: str) -> Any:
    """The Spark column type the tests give a fact of ``kind``."""
    from pyspark.sql import types as T

    if kind == "boolean":
        return T.BooleanType()
    if kind == "integer":
        return T.LongType()
    if kind == "list":
        return T.ArrayType(T.StringType())
    return T.StringType()


def spark_rows(frame: Any) -> list[dict[str, Any]]:
    """The collected output of the comparison query (``decision``, ``row``, the outcome
    columns, the value as JSON)."""
    out = []
    for r in frame.collect():
        d = r.asDict()
        d["value"] = canon(json.loads(d.pop("value_json"), parse_float=Decimal).get("value"))
        err = d["error"]
        d["error"] = None if err is None else err
        out.append(d)
    return out
