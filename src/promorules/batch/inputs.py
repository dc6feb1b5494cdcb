"""Batch backend: what a batch reads, as a relation and a reading of each fact column.

In-memory inputs become a ``pyarrow.Table`` (an Arrow table as it is; pandas and polars
frames through Arrow; a list of fact mappings column by column); files are read by DuckDB
(``.parquet`` as typed, ``.csv`` with every cell as text, read by the declared fact types,
``.jsonl`` as DuckDB infers it). Each fact column gets a :class:`~.facts_sql.Column`: what
its cells hold, from the column's type.

A list of mappings may hold any Python value under a fact: each fact gets a text column
(numbers as their shortest decimal text, booleans as ``true``/``false``, dates as ISO text)
and a flag column marking a value of another kind, which is then an ``invalid`` row worded
by ``evaluate`` itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import PromorulesError
from ..facts import FactType
from .facts_sql import Column
from .sqlx import cast, col

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["Input", "arrow_column", "from_data", "reading_value"]

ROW = "__pr_row"


class InputError(PromorulesError):
    """A batch input that cannot be read (``PR821``)."""

    code = "PR821"


@attrs.define
class Input:
    """A batch's input: an Arrow table (``table``) or a DuckDB relation text (``relation``,
    built from a path), its columns, and how each fact column is read."""

    columns: list[str]  # the input's own columns, in order
    facts: dict[str, Column]
    table: pa.Table | None = None
    path: str | None = None
    reader: str | None = None  # "parquet", "csv", "jsonl"
    records: Sequence[Mapping[str, Any]] | None = None
    text_cells: bool = False  # cells are text read by the declared types (CSV)


def arrow_column(name: str, t: pa.DataType) -> Column:
    """How a column of Arrow type ``t`` is read."""
    import pyarrow as pa
    import pyarrow.types as pt  # type: ignore[import-untyped]

    node = col(name)
    if pt.is_null(t):
        return Column(node, "null")
    if pt.is_boolean(t):
        return Column(node, "bool")
    if pt.is_integer(t):
        return Column(node, "int")
    if pt.is_decimal(t):
        return Column(node, "decimal", scale=t.scale)
    if pt.is_floating(t):
        return Column(cast(node, "DOUBLE"), "float")
    if pt.is_string(t) or pt.is_large_string(t):
        return Column(node, "text")
    if getattr(pt, "is_string_view", lambda _: False)(t) or (
            pt.is_dictionary(t) and (pt.is_string(t.value_type)
                                     or pt.is_large_string(t.value_type))):
        # polars' string views, pandas' categories: text as DuckDB reads it
        return Column(cast(node, "VARCHAR"), "text")
    if pt.is_date(t):
        return Column(node, "date")
    if pt.is_timestamp(t):
        return Column(node, "timestamptz" if t.tz else "timestamp")
    if (pt.is_list(t) or pt.is_large_list(t)) and (
            pt.is_string(t.value_type) or pt.is_large_string(t.value_type)
            or pt.is_null(t.value_type)):
        return Column(node, "list")
    del pa
    return Column(node, "other")


def duck_column(name: str, type_name: str) -> Column:
    """How a column of DuckDB type ``type_name`` (a file read by DuckDB) is read."""
    t = type_name.upper()
    node = col(name)
    if t == "BOOLEAN":
        return Column(node, "bool")
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT"):
        return Column(node, "int")
    if t.startswith("DECIMAL"):
        scale = int(t.split(",")[1].rstrip(")").strip()) if "," in t else 0
        return Column(node, "decimal", scale=scale)
    if t in ("DOUBLE", "FLOAT", "REAL"):
        return Column(cast(node, "DOUBLE"), "float")
    if t == "VARCHAR":
        return Column(node, "text")
    if t == "DATE":
        return Column(node, "date")
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return Column(node, "timestamptz")
    if t.startswith("TIMESTAMP"):
        return Column(node, "timestamp")
    if t in ("VARCHAR[]",):
        return Column(node, "list")
    if t == '"NULL"' or t == "NULL":
        return Column(node, "null")
    return Column(node, "other")


# -- a list of mappings ---------------------------------------------------------------------

def _text(fact: FactType, v: Any) -> tuple[Any, bool]:
    """(the cell as the reading column holds it, whether it is of another kind)."""
    k = fact.kind
    if v is None:
        return None, False
    if k in ("number", "integer", "percent", "money"):
        if isinstance(v, bool):
            return None, True
        if isinstance(v, int):
            return str(v), False
        if isinstance(v, float):
            return repr(v), False
        if isinstance(v, Decimal):
            return (format(v, "f") if v.is_finite() else str(v)), False
        if isinstance(v, str):
            return v, False
        return None, True
    if k == "boolean":
        if v is True or v is False:
            return ("true" if v else "false"), False
        return None, True
    if k in ("string", "enum", "ordinal"):
        return (str(v), False) if isinstance(v, str) else (None, True)
    if k == "date":
        if isinstance(v, dt.datetime):
            return None, True
        if isinstance(v, dt.date):
            return v.isoformat(), False
        return (v, False) if isinstance(v, str) else (None, True)
    if k == "datetime":
        if isinstance(v, dt.datetime):
            return v.isoformat(), False
        return (v, False) if isinstance(v, str) else (None, True)
    if k == "list":
        if isinstance(v, (list, tuple)) and all(isinstance(i, str) for i in v):
            return [str(i) for i in v], False
        return None, True
    return None, True


def from_records(records: Sequence[Mapping[str, Any]], facts: Mapping[str, FactType]) -> Input:
    import pyarrow as pa

    names: dict[str, None] = {}
    for r in records:
        if not isinstance(r, Mapping):
            raise InputError(f"a batch given as a list holds fact mappings, not "
                             f"{type(r).__name__}")
        names.update(dict.fromkeys(str(k) for k in r))
    arrays: dict[str, pa.Array] = {}
    for name in names:
        values = [r.get(name) for r in records]
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            arrays[name] = pa.array([None if v is None else _shown(v) for v in values],
                                    pa.string())
    columns = list(names)
    reading: dict[str, Column] = {}
    for name, fact in facts.items():
        if name not in names:
            continue
        cells = [_text(fact, r.get(name)) for r in records]
        t_name, o_name = f"__pr_t_{name}", f"__pr_o_{name}"
        kind = "list" if fact.kind == "list" else "text"
        arrays[t_name] = pa.array([c[0] for c in cells],
                                  pa.list_(pa.string()) if kind == "list" else pa.string())
        arrays[o_name] = pa.array([c[1] for c in cells], pa.bool_())
        reading[name] = Column(col(t_name), kind, odd=col(o_name))
    arrays[ROW] = pa.array(range(len(records)), pa.int64())
    table = pa.table(arrays) if arrays else pa.table({ROW: pa.array([], pa.int64())})
    return Input(columns, reading, table=table, records=records)


def _shown(v: Any) -> str:
    try:
        return json.dumps(v, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(v)


def from_arrow(table: pa.Table, facts: Mapping[str, FactType]) -> Input:
    import pyarrow as pa

    columns = list(table.column_names)
    if len(set(columns)) != len(columns):
        raise InputError("the batch has two columns of the same name")
    reading = {n: arrow_column(n, table.schema.field(n).type) for n in columns if n in facts}
    import numpy as np

    table = table.append_column(ROW, pa.array(np.arange(table.num_rows, dtype=np.int64)))
    return Input(columns, reading, table=table)


def from_data(data: Any, facts: Mapping[str, FactType]) -> Input:
    """The input of a batch, whatever its kind (see :func:`promorules.batch.evaluate_batch`)."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return from_arrow(data, facts)
    if isinstance(data, pa.RecordBatch):
        return from_arrow(pa.Table.from_batches([data]), facts)
    if isinstance(data, (str, os.PathLike)):
        return from_path(Path(data), facts)
    kind = type(data).__module__.split(".")[0]
    if kind == "pandas":
        try:
            return from_arrow(pa.Table.from_pandas(data, preserve_index=False), facts)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return from_records(data.to_dict("records"), facts)
    if kind == "polars":
        return from_arrow(data.to_arrow(), facts)
    if isinstance(data, Sequence) and not isinstance(data, (bytes, bytearray)):
        return from_records(data, facts)
    raise InputError(f"a batch is an Arrow table, a pandas or polars DataFrame, a list of fact "
                     f"mappings or a .parquet, .csv or .jsonl path, not {type(data).__name__}")


_READERS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def from_path(path: Path, facts: Mapping[str, FactType]) -> Input:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"cannot read {str(path)!r}: a batch file is .parquet, .csv or .jsonl")
    if not path.is_file():
        raise InputError(f"cannot read {str(path)!r}: no such file")
    if reader == "jsonl":
        return from_records(read_jsonl(path), facts)
    return Input([], {}, path=str(path), reader=reader, text_cells=reader == "csv")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The fact mappings of a JSON Lines file, each line read as ``evaluate``'s JSON
    reader reads facts (:func:`promorules.facts.read_json`: exact numbers); blank lines
    are skipped."""
    from ..errors import FactError
    from ..facts import read_json

    records: list[dict[str, Any]] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = read_json(line, "facts")
                except FactError as e:
                    raise InputError(f"{str(path)!r} line {number}: {e.message}") from None
                if not isinstance(record, dict):
                    raise InputError(f"{str(path)!r} line {number}: not a JSON object of "
                                     "facts")
                records.append(record)
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {str(path)!r}: {e}") from None
    return records


def reading_value(fact: FactType, v: Any, text_cells: bool) -> Any:
    """A cell as ``evaluate`` would be given it: as it is, or (a CSV cell, text) read by
    the declared type as the batch reads it (``true``/``false`` booleans, JSON lists)."""
    if not text_cells or not isinstance(v, str):
        return v
    if fact.kind == "boolean" and v in ("true", "false"):
        return v == "true"
    if fact.kind == "list":
        try:
            items = json.loads(v)
        except ValueError:
            return v
        return items
    return v
