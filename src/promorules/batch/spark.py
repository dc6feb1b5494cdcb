"""Batch backend on Apache Spark: a decision over a ``pyspark.sql.DataFrame``.

A consumer of the batch backend's SQL (pipeline stage 4a, through
:func:`promorules.batch.statement`): the same sqlglot tree the embedded engine runs,
rendered in Spark's dialect over a temporary view of the input, so the work is Spark SQL
expressions in the executors (no Python UDF), and the result is a lazy DataFrame like any
transformation. The working-day calendar (``promorules_calendar``) is a broadcast
relation. Needs ``pip install 'promorules[spark]'`` (pyspark 4, Java 17).

Text compared under ``match: chinese`` is folded with OpenCC, which Spark does not have:
for such a decision the distinct non-ASCII values of those columns (never the rows) are
computed by one Spark job when the result is built, folded on the driver, and broadcast
as ``promorules_zh_fold``.

Also the file side of ``promorules batch --engine spark``: :func:`session`,
:func:`read_input`, :func:`write_output` and :func:`spark_counts`.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import PromorulesError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# A promorules.Ruleset. Not imported, even for type checking: Ruleset.evaluate_batch
# imports this module, and the layers stay acyclic (tests/unit/test_layers.py).
Ruleset = Any

__all__ = ["evaluate", "is_spark_frame", "read_input", "session", "spark_counts",
           "spark_tree", "write_output"]

INSTALL = "pip install 'promorules[spark]'"

# input DataFrame -> ruleset digest -> its folding relation: one job per input and ruleset,
# however many decisions are evaluated on it
_FOLDS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def is_spark_frame(data: object) -> bool:
    """Whether ``data`` is a Spark DataFrame (classic or Spark Connect). Never imports
    pyspark: a DataFrame can only exist once pyspark is imported."""
    if "pyspark.sql" not in sys.modules:
        return False
    classes = []
    for module, name in (("pyspark.sql", "DataFrame"),
                         ("pyspark.sql.connect.dataframe", "DataFrame")):
        mod = sys.modules.get(module)
        cls = getattr(mod, name, None) if mod is not None else None
        if isinstance(cls, type):
            classes.append(cls)
    return bool(classes) and isinstance(data, tuple(classes))


def _pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise PromorulesError(f"evaluating on Spark needs pyspark: {INSTALL}",
                              code="PR825") from None
    return pyspark.sql


def session(app: str = "promorules") -> SparkSession:
    """The active SparkSession, or a new one named ``app`` (local when no master is
    configured, as ``spark-submit`` configures one). A PromorulesError (PR825) when
    pyspark or Java is missing."""
    sql = _pyspark()
    active = sql.SparkSession.getActiveSession()
    if active is not None:
        return active  # type: ignore[no-any-return]
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise PromorulesError("Spark needs Java 17: install it (e.g. the "
                              "openjdk-17-jre-headless package) or set JAVA_HOME",
                              code="PR825")
    builder = sql.SparkSession.builder.appName(app)
    return builder.getOrCreate()  # type: ignore[no-any-return]


def _view(spark: SparkSession, frame: DataFrame, name: str, broadcast: bool) -> None:
    from pyspark.sql import functions as F

    (F.broadcast(frame) if broadcast else frame).createOrReplaceTempView(name)


def _folds(spark: SparkSession, rs: Ruleset, frame: DataFrame) -> DataFrame:
    """``promorules_zh_fold`` for the input's ``match: chinese`` text columns: their
    distinct non-ASCII values (one small Spark job; rows never reach the driver), each
    with its fold."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    from . import fold_table

    values: set[str] = set()
    names = [f.name for f in frame.schema.fields
             if f.name in rs.facts and rs.facts[f.name].match == "chinese"
             and isinstance(f.dataType, StringType)]
    if names:
        texts = None
        for name in names:
            part = frame.select(F.col(name).alias("text")).where(
                ~F.col("text").rlike("^[\\x01-\\x7f]*$"))
            texts = part if texts is None else texts.union(part)
        assert texts is not None
        values.update(r[0] for r in texts.distinct().collect() if r[0] is not None)
    return spark.createDataFrame(fold_table(values))


# the Spark type of a null column standing for an absent fact
_NULL_TYPES = {"boolean": "boolean", "integer": "bigint", "list": "array<string>",
               "date": "date"}


def _with_every_fact(rs: Ruleset, frame: DataFrame) -> DataFrame:
    """``frame`` with a typed null column for each fact it lacks (an absent column is a
    missing fact): Spark types every expression, where an untyped NULL would not do."""
    from pyspark.sql import functions as F

    have = set(frame.columns)
    absent = {name: F.lit(None).cast(_NULL_TYPES.get(fact.kind, "string"))
              for name, fact in rs.facts.items() if name not in have}
    return frame.withColumns(absent) if absent else frame


def spark_tree(select: Any) -> Any:
    """The batch statement made fit for Spark SQL, meaning unchanged (a copy; sqlglot
    trees):

    - ``CAST`` becomes ``TRY_CAST``: Spark 4's ANSI mode fails the whole job on a cast it
      cannot do, where the statement guards every cast (a cell that does not read is an
      invalid row, never an aborted batch);
    - ``INT128`` (DuckDB's HUGEINT) becomes ``DECIMAL(38, 0)``;
    - DuckDB's ``list_has_all(a, b)`` becomes ``size(array_except(b, a)) = 0``, null when
      ``a`` or ``b`` is;
    - ``INTERVAL (n) MONTH`` of a computed ``n`` (Spark takes only literals there) becomes
      ``make_ym_interval(0, n)`` (``make_dt_interval(n)`` for days);
    - a naive ``TIMESTAMP`` read ``AT TIME ZONE`` the fact's zone (a local time there, made
      an instant) becomes ``to_utc_timestamp(ts, zone)``: Spark's rendering,
      ``from_utc_timestamp``, converts the other way.
    """
    import sqlglot.expressions as exp

    tree = select.copy()
    for zoned in reversed(list(tree.find_all(exp.AtTimeZone))):
        inner = zoned.this
        if isinstance(inner, exp.Cast) and inner.to.this == exp.DataType.Type.TIMESTAMP:
            zoned.replace(exp.Anonymous(this="to_utc_timestamp", expressions=[
                inner.copy(), zoned.args["zone"].copy()]))
    # children before parents, so that a replaced parent is built on fixed children
    for node in reversed(list(tree.find_all(exp.DataType))):
        if node.this == exp.DataType.Type.INT128:
            node.replace(exp.DataType.build("DECIMAL(38, 0)"))
    for node in reversed(list(tree.find_all(exp.Interval))):
        unit = node.unit.sql().upper() if node.unit is not None else ""
        if isinstance(node.this, exp.Literal) or unit not in ("DAY", "MONTH", "YEAR"):
            continue
        n = exp.cast(node.this.copy(), "INT")
        if unit == "DAY":
            node.replace(exp.Anonymous(this="make_dt_interval", expressions=[n]))
        else:
            args = [exp.Literal.number(0), n] if unit == "MONTH" else [n, exp.Literal.number(0)]
            node.replace(exp.Anonymous(this="make_ym_interval", expressions=args))
    for node in reversed(list(tree.find_all(exp.Anonymous))):
        if str(node.this).lower() != "list_has_all":
            continue
        a, b = node.expressions
        size = exp.Anonymous(this="size", expressions=[
            exp.Anonymous(this="array_except", expressions=[b.copy(), a.copy()])])
        either_null = exp.or_(exp.Is(this=a.copy(), expression=exp.Null()),
                              exp.Is(this=b.copy(), expression=exp.Null()))
        node.replace(exp.Case(ifs=[exp.If(this=either_null, true=exp.Null())],
                              default=exp.EQ(this=size, expression=exp.Literal.number(0))))
    for node in reversed(list(tree.find_all(exp.Cast))):  # TryCast included: made safe
        node.replace(exp.TryCast(**{**node.args, "safe": True}))  # rendered TRY_CAST
    return tree


def evaluate(rs: Ruleset, decision: str, frame: DataFrame, as_of: object = None
             ) -> DataFrame:
    """``decision`` of ``rs`` over the Spark DataFrame ``frame``: a DataFrame of its
    columns, then ``outcome``, ``failed``, ``missing``, ``value`` and ``error`` (see
    :meth:`promorules.Ruleset.evaluate_batch`). Lazy: Spark computes it on an action."""
    _pyspark()
    from pyspark.sql.pandas.types import to_arrow_schema

    from . import CALENDAR_TABLE, FOLD_TABLE, calendar_table, statement

    spark = frame.sparkSession
    view = f"promorules_input_{uuid.uuid4().hex}"
    keep = list(frame.columns)
    frame = _with_every_fact(rs, frame)
    select = statement(rs, decision, table=view, as_of=as_of,
                       schema=to_arrow_schema(frame.schema), keep=keep)
    sql = spark_tree(select).sql("spark")
    if CALENDAR_TABLE in sql:
        _view(spark, spark.createDataFrame(calendar_table(rs)), CALENDAR_TABLE, True)
    if FOLD_TABLE in sql:
        known = _FOLDS.setdefault(frame, {})
        folds = known.get(rs.digest)
        if folds is None:
            folds = known[rs.digest] = _folds(spark, rs, frame)
        _view(spark, folds, FOLD_TABLE, True)
    frame.createOrReplaceTempView(view)
    try:
        return spark.sql(sql)  # analysed now: the views are bound into its plan
    finally:
        spark.catalog.dropTempView(view)


# -- files, for `promorules batch --engine spark` ------------------------------------------


def read_input(spark: SparkSession, rs: Ruleset, path: str, fmt: str) -> DataFrame:
    """``path`` (a file or a directory of part files) as a DataFrame: Parquet as typed,
    JSON lines as Spark infers them, CSV with a header and every cell as text (read by
    the declared fact types, as the embedded engine reads CSV)."""
    reader = spark.read
    if fmt == "parquet":
        return reader.parquet(path)
    if fmt == "csv":
        return reader.option("header", True).option("inferSchema", False).csv(path)
    return reader.json(path)


def _flat(frame: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, MapType, StructType

    return frame.select(*(
        F.to_json(F.col(f.name)).alias(f.name)
        if isinstance(f.dataType, (ArrayType, MapType, StructType)) else F.col(f.name)
        for f in frame.schema.fields))


def write_output(frame: DataFrame, path: str, fmt: str) -> None:
    """Write ``frame`` to ``path`` as Spark does: a directory of part files (replaced if it
    exists). CSV with a header, list and struct columns as JSON text; JSON lines keep
    null fields."""
    if fmt == "parquet":
        frame.write.mode("overwrite").parquet(path)
    elif fmt == "csv":
        _flat(frame).write.mode("overwrite").option("header", True).csv(path)
    else:
        frame.write.mode("overwrite").option("ignoreNullFields", False).json(path)


def spark_counts(spark: SparkSession, path: str, fmt: str
                 ) -> tuple[Mapping[str, int], Mapping[str, int]]:
    """(rows per outcome, failures per rule) of an output written by
    :func:`write_output`, aggregated by Spark (only the counts reach the driver)."""
    from pyspark.sql import functions as F

    if fmt == "parquet":
        frame = spark.read.parquet(path)
    elif fmt == "csv":
        frame = spark.read.option("header", True).csv(path).select(
            "outcome", F.from_json("failed", "array<string>").alias("failed"))
    else:
        frame = spark.read.schema("outcome string, failed array<string>").json(path)
    outcomes = {str(r[0]): int(r[1]) for r in frame.groupBy("outcome").count().collect()}
    failed = {str(r[0]): int(r[1]) for r in
              frame.select(F.explode("failed").alias("rule")).groupBy("rule").count()
              .collect()}
    return outcomes, failed
