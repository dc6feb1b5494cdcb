"""``promorules batch RULESET DECISION INPUT -o OUTPUT``: one decision over a whole table.

INPUT and OUTPUT formats follow their extensions (``.parquet``, ``.csv``, ``.jsonl``).
With the embedded engine (``--engine duckdb``, the default) the input is streamed through
DuckDB in record batches (:func:`promorules.batch.iter_batches`) and every batch is written
to OUTPUT as it arrives, so memory stays bounded whatever the input's size. With
``--engine spark`` Spark reads INPUT and writes OUTPUT as a directory of part files (Spark's
own layout; see docs/batch.md).

A progress bar is drawn on standard error when it is a terminal (rich), nothing otherwise;
at the end a summary goes to standard error: rows, the pass, fail, unknown and invalid
counts, and the rules that fail most often. Exit 0 when the batch ran, whatever the
outcomes; 3 for an invalid ruleset, decision, input file or arguments.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import PromorulesError
from ..ruleset import Ruleset, load
from .batch_io import BatchWriter, Summary, file_format, open_writer
from .common import EXIT_INVALID, CommandParser, parse_command, print_error

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = ["main", "parser", "progress_bar", "write_batches"]

DEFAULT_BATCH_SIZE = 65536


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules batch``."""
    ba = CommandParser(prog="promorules batch",
                       description="Evaluate DECISION of RULESET on every row of INPUT "
                                   "(.parquet, .csv or .jsonl; columns are fact names) and "
                                   "write the rows with outcome, failed, missing, value and "
                                   "error to OUTPUT (format by extension). Exit 0 when the "
                                   "batch ran, 3 for an invalid ruleset, decision or input.")
    ba.add_argument("ruleset")
    ba.add_argument("decision")
    ba.add_argument("input")
    ba.add_argument("-o", "--output", required=True, help="output file (.parquet, .csv or "
                    ".jsonl); with --engine spark, a directory of part files")
    ba.add_argument("--as-of", dest="as_of", help="evaluation instant (ISO date or date-time; "
                    "default now)")
    ba.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                    help="duckdb: embedded, streamed (default); spark: Apache Spark")
    ba.add_argument("--batch-size", dest="batch_size", type=int, default=DEFAULT_BATCH_SIZE,
                    metavar="ROWS", help=f"rows per streamed batch (default "
                    f"{DEFAULT_BATCH_SIZE}; duckdb engine)")
    ba.add_argument("--top", type=int, default=5, metavar="N",
                    help="failing rules listed in the summary (default 5)")
    return ba


def _is_tty(stream: IO[str]) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress_bar(stderr: IO[str], total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on ``stderr`` when it is a terminal, counting rows (a bar
    against ``total`` when it is known); yields the function that advances it. Nothing at
    all is written when ``stderr`` is not a terminal."""
    if not _is_tty(stderr):
        yield lambda rows: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [SpinnerColumn(), TextColumn("evaluating")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
                    TimeRemainingColumn()]
    else:
        columns += [TextColumn("{task.completed:,} rows")]
    columns.append(TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stderr), transient=False) as progress:
        task = progress.add_task("batch", total=total)
        yield lambda rows: progress.advance(task, rows)


def write_batches(batches: Iterable[pa.RecordBatch], output: Path, fmt: str,
                  summary: Summary, advance: Callable[[int], None]) -> None:
    """Write every batch of ``batches`` to ``output`` in ``fmt`` as it arrives, counting
    it in ``summary`` and advancing the progress bar. The file is written under a
    temporary name beside ``output`` and renamed when complete: a failed run leaves no
    half-written OUTPUT."""
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
    writer: BatchWriter | None = None
    try:
        for batch in batches:
            if writer is None:
                writer = open_writer(partial, fmt, batch.schema)
            writer.write(batch)
            summary.add(batch)
            advance(batch.num_rows)
        if writer is None:
            raise PromorulesError("the batch engine produced no output", code="PR900")
        writer.close()
        writer = None
        os.replace(partial, output)
    finally:
        if writer is not None:
            writer.close()
        if partial.exists():
            partial.unlink()


def _check_paths(args: argparse.Namespace) -> tuple[str, str]:
    in_fmt = file_format(args.input, "input")
    out_fmt = file_format(args.output, "output")
    path = Path(args.input)
    if not path.exists():
        raise PromorulesError(f"input file {args.input!r} does not exist", code="PR828")
    if args.engine == "duckdb" and not path.is_file():
        raise PromorulesError(f"input {args.input!r} is not a file", code="PR828")
    parent = Path(args.output).resolve().parent
    if not parent.is_dir():
        raise PromorulesError(f"output directory {str(parent)!r} does not exist",
                              code="PR828")
    if args.batch_size < 1:
        raise PromorulesError("--batch-size must be at least 1", code="PR828")
    return in_fmt, out_fmt


def _parquet_rows(path: str) -> int | None:
    """The row count in a Parquet file's footer (for the progress bar); None when it
    cannot be read (the engine then reports the problem)."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # a broken file: reported by the engine, with its own message
        return None


def _run_duckdb(rs: Ruleset, args: argparse.Namespace, in_fmt: str, out_fmt: str,
                summary: Summary, stderr: IO[str]) -> None:
    from ..batch import iter_batches  # type: ignore[import-not-found,unused-ignore]

    total = _parquet_rows(args.input) if in_fmt == "parquet" else None
    batches = iter_batches(rs, args.decision, args.input, as_of=args.as_of,
                           batch_size=args.batch_size)
    with progress_bar(stderr, total) as advance:
        write_batches(batches, Path(args.output), out_fmt, summary, advance)


def _run_spark(rs: Ruleset, args: argparse.Namespace, in_fmt: str, out_fmt: str,
               summary: Summary, stderr: IO[str]) -> None:
    from ..batch.spark import (  # type: ignore[import-not-found,unused-ignore]
        read_input,
        session,
        spark_counts,
        write_output,
    )

    spark = session("promorules batch")
    frame = read_input(spark, rs, args.input, in_fmt)
    result = rs.evaluate_batch(  # type: ignore[attr-defined,unused-ignore]
        args.decision, frame, as_of=args.as_of)
    with progress_bar(stderr, None):  # Spark reports its own stages; here a spinner
        write_output(result, args.output, out_fmt)
    outcomes, failed = spark_counts(spark, args.output, out_fmt)
    summary.add_counts(outcomes, failed)


def _batch(args: argparse.Namespace, stderr: IO[str]) -> int:
    in_fmt, out_fmt = _check_paths(args)
    rs = load(args.ruleset)
    if args.decision not in rs.decisions:
        rs.evaluate(args.decision, {})  # raises UnknownDecisionError, with a suggestion
    rs.instant(args.as_of)  # a malformed --as-of: a FactError before any work
    summary = Summary()
    run = _run_spark if args.engine == "spark" else _run_duckdb
    run(rs, args, in_fmt, out_fmt, summary, stderr)
    stderr.write(summary.render(args.top))
    return 0


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """``promorules batch``; ``argv`` is what follows ``batch``. Returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    try:
        return _batch(args, stderr)
    except PromorulesError as e:
        print_error(e, stderr)
        return EXIT_INVALID
