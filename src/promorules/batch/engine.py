"""Batch backend: running a compiled decision on DuckDB (embedded, in process).

One statement per batch (:mod:`.program`); the input is an Arrow table DuckDB reads in
place, or a file DuckDB streams. Rows are returned in input order, as Arrow record
batches. The few ``invalid`` rows get their error message from the row engine: the first
fact ``evaluate`` refuses, worded as its FactError; a value ``evaluate`` takes but that
the batch engine's exact types cannot hold is ``PR820``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import sqlglot.expressions as exp

from ..errors import FactError, PromorulesError, UnknownDecisionError
from ..facts import suggest
from .calendar_sql import calendar_table, fold_table
from .facts_sql import Column
from .inputs import ROW, Input, InputError, duck_column, from_data, reading_value
from .program import BAD, CALENDAR_TABLE, FOLD_TABLE, OUTPUTS, Compiled, compile_select
from .protocol import Rules
from .sqlx import Unsupported, col

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]


__all__ = ["check_decision", "instant", "iter_batches", "run_table"]

SOURCE = "__pr_input"


def check_decision(rs: Rules, decision: str) -> None:
    """Raise what ``evaluate`` raises for an unknown decision (PR310)."""
    if not isinstance(decision, str) or decision not in rs.decisions:
        close = suggest(str(decision), rs.decisions)
        raise UnknownDecisionError(
            f"ruleset '{rs.id}' has no decision {decision!r}"
            + (f" (did you mean '{close}'?)" if close else "")
            + "; decisions: " + ", ".join(rs.decisions))


def instant(rs: Rules, decision: str, as_of: object) -> dt.datetime | None:
    """The instant ``evaluate`` would use: one constant for the whole batch."""
    compiled = rs.decisions[decision]
    if compiled.uses_time or as_of is not None:
        return rs.instant(as_of)
    return None


def _connect() -> duckdb.DuckDBPyConnection:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - depends on the environment
        raise PromorulesError("the batch engine needs DuckDB: pip install 'promorules[batch]'",
                              code="PR829") from None
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _source(con: duckdb.DuckDBPyConnection, inp: Input, facts: Mapping[str, Any]
            ) -> exp.Expression:
    """Register the input; fill in its columns and readings for a file."""
    if inp.table is not None:
        con.register(SOURCE, inp.table)
        return exp.to_table(SOURCE)
    assert inp.path is not None
    path = exp.Literal.string(inp.path)
    if inp.reader == "parquet":
        rel: exp.Expression = exp.Anonymous(this="read_parquet", expressions=[path])
    elif inp.reader == "csv":
        rel = exp.Anonymous(this="read_csv", expressions=[path, exp.EQ(
            this=exp.column("all_varchar"), expression=exp.true()), exp.EQ(
            this=exp.column("header"), expression=exp.true())])
    else:
        rel = exp.Anonymous(this="read_json", expressions=[path, exp.EQ(
            this=exp.column("format"), expression=exp.Literal.string("newline_delimited"))])
    query = exp.select(exp.Star()).from_(rel)
    try:
        described = con.execute("DESCRIBE " + query.sql("duckdb")).fetchall()
    except Exception as e:  # duckdb.Error: a file DuckDB cannot read
        raise InputError(f"cannot read {inp.path!r}: {e}") from None
    inp.columns = [str(r[0]) for r in described]
    for name, type_name, *_ in described:
        if name in facts:
            inp.facts[name] = Column(col(name), "text") if inp.text_cells else duck_column(
                name, str(type_name))
    row = exp.alias_(exp.Window(this=exp.Anonymous(this="row_number", expressions=[])), ROW)
    return exp.select(exp.Star(), row).from_(rel).subquery("__pr_file")


def _prepare(rs: Rules, decision: str, data: Any, as_of: object
             ) -> tuple[duckdb.DuckDBPyConnection, Input, Compiled]:
    check_decision(rs, decision)
    when = instant(rs, decision, as_of)
    inp = from_data(data, rs.facts)
    con = _connect()
    source = _source(con, inp, rs.facts)
    keep = [*list(inp.columns), ROW]
    compiled = compile_select(rs, decision, inp.facts, source, keep, when, order=col(ROW))
    if compiled.uses_calendar:
        con.register(CALENDAR_TABLE, calendar_table(rs))
    if compiled.chinese:
        con.register(FOLD_TABLE, _folds(con, inp, source, compiled))
    return con, inp, compiled


def _folds(con: duckdb.DuckDBPyConnection, inp: Input, source: exp.Expression,
           compiled: Compiled) -> pa.Table:
    values: set[str] = set()
    for name in compiled.chinese:
        c = inp.facts.get(name)
        if c is None or c.raw != "text":
            continue
        q = exp.select(c.node).distinct().from_(source.copy()).where(
            exp.Not(this=exp.RegexpLike(this=c.node, expression=exp.Literal.string(
                "^[\\x01-\\x7f]*$"))))
        values.update(r[0] for r in con.execute(q.sql("duckdb")).fetchall() if r[0])
    return fold_table(values)


def _messages(rs: Rules, decision: str, when: dt.datetime | None, inp: Input,
              batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with each invalid row's error as ``evaluate`` words it."""
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    outcome = batch.column(batch.schema.get_field_index("outcome"))
    invalid = pc.equal(outcome, "invalid")
    if not pc.any(invalid).as_py():
        return batch
    errors = batch.column(batch.schema.get_field_index("error")).to_pylist()
    bads = batch.column(batch.schema.get_field_index(BAD)).to_pylist()
    rows = batch.column(batch.schema.get_field_index(ROW)).to_pylist()
    names = [n for n in rs.facts]
    for k, flag in enumerate(invalid.to_pylist()):
        if not flag:
            continue
        facts = _row_facts(rs, inp, batch, k, rows[k], names)
        errors[k] = _message(rs, decision, when, facts, bads[k] or [], errors[k])
    idx = batch.schema.get_field_index("error")
    return batch.set_column(idx, batch.schema.field(idx), pa.array(errors, pa.string()))


def _row_facts(rs: Rules, inp: Input, batch: pa.RecordBatch, k: int, row: int,
               names: list[str]) -> dict[str, Any]:
    if inp.records is not None:
        record = inp.records[row]
        return {n: record.get(n) for n in names if n in record}
    out: dict[str, Any] = {}
    for n in names:
        i = batch.schema.get_field_index(n)
        if i >= 0 and n in inp.facts:
            v = batch.column(i)[k].as_py()
            out[n] = reading_value(rs.facts[n], v, inp.text_cells)
    return out


def _message(rs: Rules, decision: str, when: dt.datetime | None, facts: dict[str, Any],
             bad: list[str], sql_error: str | None) -> str:
    try:
        rs.evaluate(decision, facts, as_of=when)
    except FactError as e:
        return f"{e.code} {e.message}"
    except PromorulesError as e:  # pragma: no cover - a bug: say so in the row
        return f"{e.code} {e.message}"
    if bad:
        fact = rs.facts[bad[0]]
        return (f"PR820 {fact.role} '{bad[0]}': {facts.get(bad[0])!r} is valid for evaluate but "
                f"beyond the batch engine's exact types (see docs/batch.md)")
    return f"PR820 {sql_error or 'the batch engine cannot compute this row exactly'}"


def iter_batches(rs: Rules, decision: str, source: Any, as_of: object = None,
                 batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
    """Evaluate ``decision`` over ``source`` on DuckDB, as Arrow record batches in input
    order: the input's columns, then ``outcome``, ``failed``, ``missing``, ``value``,
    ``error``. ``source`` is anything :meth:`Ruleset.evaluate_batch` takes; a path is
    streamed by DuckDB (never loaded into Python objects), so memory stays bounded."""
    con, inp, compiled = _prepare(rs, decision, source, as_of)
    when = instant(rs, decision, as_of)
    sql = compiled.select.sql("duckdb", copy=False)
    try:
        reader = con.sql(sql).to_arrow_reader(batch_size)
    except Exception as e:  # duckdb.Error: a bug in the generated SQL, or a bad file
        raise PromorulesError(f"the batch engine failed on {decision!r}: {e}",
                              code="PR829") from None
    wanted = list(inp.columns) + list(OUTPUTS)
    for batch in reader:
        batch = _messages(rs, decision, when, inp, batch)
        yield batch.select(wanted)


def run_table(rs: Rules, decision: str, data: Any, as_of: object = None) -> pa.Table:
    """The whole result as one Arrow table (see :meth:`Ruleset.evaluate_batch`)."""
    import pyarrow as pa

    batches = list(iter_batches(rs, decision, data, as_of, batch_size=1 << 20))
    if batches:
        return pa.Table.from_batches(batches)
    con, inp, compiled = _prepare(rs, decision, data, as_of)
    table = con.sql(compiled.select.sql("duckdb", copy=False)).to_arrow_table()
    return table.select(list(inp.columns) + list(OUTPUTS))


def describe_unsupported(e: Unsupported, decision: str) -> Unsupported:
    return Unsupported(f"decision '{decision}': {e.message}")
