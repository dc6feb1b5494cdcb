"""``promorules batch``'s output side: file formats by extension, incremental writers of
Arrow record batches (Parquet, CSV, JSON lines), and the run's summary.

Part of the command line (:mod:`promorules.cli`), after the batch engine: the engine
yields ``pyarrow.RecordBatch`` es (the input's columns, then ``outcome``, ``failed``,
``missing``, ``value``, ``error``); each is written as soon as it arrives and counted, so
neither the input nor the output is ever held whole in memory.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from ..errors import PromorulesError
from ..facts import json_value

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "FORMATS",
    "BatchWriter",
    "Summary",
    "file_format",
    "open_writer",
]

# extension -> format name; the input and the output of `promorules batch` follow these
FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl"}
OUTCOMES = ("pass", "fail", "unknown", "invalid")


def file_format(path: str | os.PathLike[str], role: str) -> str:
    """The format of ``path`` by its extension (``parquet``, ``csv`` or ``jsonl``); a
    PromorulesError (PR827) naming the ``role`` (input, output) for any other."""
    ext = Path(path).suffix.lower()
    try:
        return FORMATS[ext]
    except KeyError:
        raise PromorulesError(
            f"the {role} file {os.fspath(path)!r} has no known extension: use "
            + ", ".join(FORMATS), code="PR827") from None


class BatchWriter(Protocol):
    """Writes record batches to one file as they come."""

    def write(self, batch: pa.RecordBatch) -> None: ...

    def close(self) -> None: ...


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(json_value(value), ensure_ascii=False)


def _flat_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with its nested columns (lists, structs, maps) as JSON text: what a CSV
    cell can hold. Flat columns are kept as they are."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    nested = [i for i, f in enumerate(batch.schema)
              if pa.types.is_nested(f.type)]
    if not nested:
        return batch
    arrays = list(batch.columns)
    fields = list(batch.schema)
    for i in nested:
        arrays[i] = pa.array([_json_text(v) for v in arrays[i].to_pylist()], pa.string())
        fields[i] = pa.field(fields[i].name, pa.string())
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

        self._writer = pq.ParquetWriter(path, schema)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class _CsvWriter:
    """CSV with a header; list and struct columns as JSON text (``["deposit"]``)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._writer: Any = None

    def write(self, batch: pa.RecordBatch) -> None:
        import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

        flat = _flat_columns(batch)
        if self._writer is None:
            self._writer = pcsv.CSVWriter(self._path, flat.schema)
        self._writer.write_batch(flat)

    def close(self) -> None:
        if self._writer is None:  # no batch at all: still a valid (empty) file
            self._path.write_bytes(b"")
        else:
            self._writer.close()


class _JsonLinesWriter:
    """One JSON object per row; decimals as decimal strings and dates as ISO text, as
    ``Result.to_dict()`` writes them."""

    def __init__(self, path: Path) -> None:
        self._fh: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by close())

    def write(self, batch: pa.RecordBatch) -> None:
        dumps = json.dumps
        self._fh.writelines(dumps(json_value(row), ensure_ascii=False) + "\n"
                            for row in batch.to_pylist())

    def close(self) -> None:
        self._fh.close()


def open_writer(path: Path, fmt: str, schema: pa.Schema) -> BatchWriter:
    """An incremental writer of ``fmt`` (see :data:`FORMATS`) to ``path``."""
    if fmt == "parquet":
        return _ParquetWriter(path, schema)
    if fmt == "csv":
        return _CsvWriter(path)
    return _JsonLinesWriter(path)


class Summary:
    """Counts of a batch run, accumulated batch by batch: rows, outcomes, and how often
    each rule failed."""

    def __init__(self) -> None:
        self.rows = 0
        self.outcomes: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    def add(self, batch: pa.RecordBatch) -> None:
        """Count one record batch of the engine's output."""
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        self.rows += batch.num_rows
        for item in pc.value_counts(batch.column("outcome")).to_pylist():
            self.outcomes[str(item["values"])] += int(item["counts"])
        flat = pc.list_flatten(batch.column("failed"))
        if len(flat):
            for item in pc.value_counts(flat).to_pylist():
                self.failed[str(item["values"])] += int(item["counts"])

    def add_counts(self, outcomes: Mapping[str, int], failed: Mapping[str, int]) -> None:
        """Count totals computed elsewhere (by Spark)."""
        self.rows += sum(outcomes.values())
        self.outcomes.update(outcomes)
        self.failed.update(failed)

    def render(self, top: int = 5) -> str:
        """The summary text (``promorules batch`` prints it on standard error)."""
        lines = [f"rows: {self.rows}",
                 "  ".join(f"{o}: {self.outcomes.get(o, 0)}" for o in OUTCOMES)]
        ranked = sorted(self.failed.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        if ranked:
            width = max(len(rule) for rule, _ in ranked)
            lines.append("most frequently failing rules:")
            lines.extend(f"  {rule:<{width}}  {count}" for rule, count in ranked)
        else:
            lines.append("no rule failed")
        return "\n".join(lines) + "\n"
