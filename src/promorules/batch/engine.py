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
from .masks import mask_lists
from .program import (
    BAD,
    CALENDAR_TABLE,
    FOLD_TABLE,
    MASK_BITS,
    OUTPUTS,
    Compiled,
    chinese_facts,
    compile_select,
)
from .protocol import Rules
from .sqlx import col

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
    # a long IN list (a ruleset's list) is faster as the comparison it is than as the
    # join this optimizer makes of it (4x on merchant_eligibility)
    con.execute("SET disabled_optimizers = 'in_clause'")
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
    # in-memory input: its own columns are joined back from it, not copied through SQL
    keep = [ROW] if inp.table is not None else [*list(inp.columns), ROW]
    chinese = chinese_facts(rs, decision)
    defaults = [d for d in (rs.facts[n].default for n in chinese) if isinstance(d, str)]
    folds = _folds(con, inp, source, chinese, defaults)
    inline = None
    if folds.num_rows <= INLINE_FOLDS:
        inline = dict(zip(folds.column("text").to_pylist(),
                          folds.column("folded").to_pylist(), strict=True))
    compiled = compile_select(rs, decision, inp.facts, source, keep, when, order=col(ROW),
                              folds=inline, masks=True)
    if compiled.uses_calendar:
        con.register(CALENDAR_TABLE, calendar_table(rs))
    if inline is None:
        con.register(FOLD_TABLE, folds)
    return con, inp, compiled


INLINE_FOLDS = 64  # up to this many distinct texts to fold are written into the statement
ASCII = "^[\\x01-\\x7f]*$"


def _folds(con: duckdb.DuckDBPyConnection, inp: Input, source: exp.Expression,
           names: tuple[str, ...], extra: list[str]) -> pa.Table:
    """The fold relation of the input's non-ASCII texts of ``names`` (and ``extra``)."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    values: set[str] = set(extra)
    for name in names:
        c = inp.facts.get(name)
        if c is None or c.raw != "text":
            continue
        if inp.table is not None:  # in memory: the distinct texts by Arrow's hash
            distinct = pc.unique(inp.table.column(c.node.name)).to_pylist()
            values.update(v for v in distinct if isinstance(v, str) and (
                not v.isascii() or "\x00" in v))
            continue
        q = exp.select(c.node).distinct().from_(source.copy()).where(
            exp.Not(this=exp.RegexpLike(this=c.node, expression=exp.Literal.string(ASCII))))
        values.update(r[0] for r in con.execute(q.sql("duckdb")).fetchall() if r[0])
    return fold_table(values)


def _messages(rs: Rules, decision: str, when: dt.datetime | None, inp: Input,
              base: pa.Table, outcome: pa.Array, errors_sql: pa.Array,
              bads: pa.Array, rows: list[int]) -> pa.Array:
    """The ``error`` column: each invalid row's error as ``evaluate`` words it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    invalid = pc.equal(outcome, "invalid")
    if not pc.any(invalid).as_py():
        return errors_sql
    errors = errors_sql.to_pylist()
    bad = bads.to_pylist()
    names = list(rs.facts)
    for k, flag in enumerate(invalid.to_pylist()):
        if flag:
            facts = _row_facts(rs, inp, base, k, rows[k], names)
            errors[k] = _message(rs, decision, when, facts, bad[k] or [], errors[k])
    return pa.array(errors, pa.string())


def _row_facts(rs: Rules, inp: Input, base: pa.Table, k: int, row: int,
               names: list[str]) -> dict[str, Any]:
    if inp.records is not None:
        record = inp.records[row]
        return {n: record.get(n) for n in names if n in record}
    out: dict[str, Any] = {}
    for n in names:
        i = base.schema.get_field_index(n)
        if i >= 0 and n in inp.facts:
            v = base.column(i)[k].as_py()
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
        return (f"PR820 {fact.role} '{bad[0]}': {facts.get(bad[0])!r} is valid for evaluate, "
                "but the batch engine cannot read it exactly (a number beyond its exact "
                "DECIMAL types); evaluate this row with Ruleset.evaluate")
    return f"PR820 {sql_error or 'the batch engine cannot compute this row exactly'}"


def _masked(part: pa.Table, prefix: str, names: tuple[str, ...], dedupe: bool
            ) -> pa.Array:
    columns = [part.column(i) for i, f in enumerate(part.schema.names)
               if f.startswith(prefix) and f[len(prefix):].isdigit()]
    return mask_lists(columns, names, MASK_BITS, dedupe)


def iter_batches(rs: Rules, decision: str, source: Any, as_of: object = None,
                 batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
    """Evaluate ``decision`` over ``source`` on the embedded DuckDB engine, as Arrow record
    batches, in input order (the interface the CLI and other front ends build on).

    ``source`` is anything :meth:`promorules.Ruleset.evaluate_batch` takes: a
    ``pyarrow.Table``, a pandas or polars ``DataFrame``, a list of fact mappings, or a path
    (``str`` or ``pathlib.Path``) to a ``.parquet``, ``.csv`` or ``.jsonl`` file, which DuckDB
    streams (never loaded into Python objects: memory stays bounded by ``batch_size``).
    ``as_of`` is one instant for the whole batch, read as ``evaluate`` reads it.

    Each batch holds the input's columns, in their order, then ``outcome`` (string),
    ``failed`` and ``missing`` (lists of strings), ``value`` (the decision's value type;
    null for pass/fail decisions) and ``error`` (string). Batches have at most
    ``batch_size`` rows; together they have exactly the input's rows.

    Raises UnknownDecisionError (``PR310``) for an unknown decision, PromorulesError
    ``PR821`` for an input it cannot read, ``PR822`` for a decision it cannot compute
    exactly, ``PR829`` when the batch extra is missing.
    """
    import pyarrow as pa

    con, inp, compiled = _prepare(rs, decision, source, as_of)
    when = instant(rs, decision, as_of)
    sql = compiled.select.sql("duckdb", copy=False)
    try:
        reader = con.sql(sql).to_arrow_reader(batch_size)
    except Exception as e:  # duckdb.Error: a bug in the generated SQL, or a bad file
        raise PromorulesError(f"the batch engine failed on {decision!r}: {e}",
                              code="PR829") from None
    for batch in reader:
        done = _finish(rs, decision, when, inp, compiled, pa.Table.from_batches([batch]))
        yield from done.to_batches()


def _finish(rs: Rules, decision: str, when: dt.datetime | None, inp: Input,
            compiled: Compiled, part: pa.Table) -> pa.Table:
    """The rows of one statement's result as the caller sees them: the input's columns
    (from the in-memory input itself: not copied through SQL), then the outputs, the
    lists built from their masks and the errors of invalid rows worded."""
    import pyarrow as pa

    names = compiled.mask_names
    rows = part.column(ROW)
    if inp.table is not None:
        base = _rows_of(inp.table.select(inp.columns), rows)
    else:
        base = part.select(inp.columns)
    outcome = part.column("outcome")
    failed = _masked(part, "__pr_failed", names["failed"], False)
    missing = _masked(part, "__pr_missing", names["missing"], True)
    bads = _masked(part, "__pr_bad", names[BAD], False)
    error = _messages(rs, decision, when, inp, base, outcome, part.column("error"), bads,
                      rows.to_pylist() if inp.records is not None else [0] * len(rows))
    columns = [*base.columns, outcome, failed, missing, part.column("value"), error]
    return pa.Table.from_arrays(columns, [*inp.columns, *OUTPUTS])


def _rows_of(table: pa.Table, rows: Any) -> pa.Table:
    """The rows ``rows`` (positions, in order) of ``table``: a slice when they follow one
    another (no copy)."""
    n = len(rows)
    if n and rows[n - 1].as_py() - rows[0].as_py() == n - 1:
        return table.slice(rows[0].as_py(), n)
    return table.take(rows)


def run_table(rs: Rules, decision: str, data: Any, as_of: object = None) -> pa.Table:
    """The whole result as one Arrow table (see :meth:`Ruleset.evaluate_batch`): one
    statement, its lists built once for the whole table."""
    con, inp, compiled = _prepare(rs, decision, data, as_of)
    when = instant(rs, decision, as_of)
    try:
        table = con.sql(compiled.select.sql("duckdb", copy=False)).to_arrow_table()
    except Exception as e:  # duckdb.Error: a bug in the generated SQL, or a bad file
        raise PromorulesError(f"the batch engine failed on {decision!r}: {e}",
                              code="PR829") from None
    return _finish(rs, decision, when, inp, compiled, table)
