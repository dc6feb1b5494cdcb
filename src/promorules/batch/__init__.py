"""Batch evaluation (a consumer of pipeline stage 4a, the typed IR): a decision over a whole
table, as one SQL statement.

A visitor over the IR (:mod:`.nodes_sql`, :mod:`.exprs`) compiles a decision to one
relational expression built with sqlglot, whose output columns are

- ``outcome``: ``pass``, ``fail``, ``unknown``, or ``invalid`` (``evaluate`` raises a
  FactError for the row's facts);
- ``failed``: the failed leaf rule ids in trace order (``[r.rule_id for r in
  result.failed]``);
- ``missing``: as ``result.missing``;
- ``value``: as ``result.value`` (DECIMAL for numbers and money, DATE, VARCHAR, a list, a
  STRUCT for a mapping); NULL for pass/fail decisions and for rows that are not ``pass``;
- ``error``: NULL, or for an invalid row the FactError's code and message.

It runs embedded on DuckDB (:func:`evaluate_batch`, :func:`iter_batches`), or anywhere as
SQL text (:func:`to_sql`, for DuckDB, Spark SQL, PostgreSQL and sqlglot's other dialects).
Needs the ``batch`` extra: ``pip install 'promorules[batch]'``.

Relations the SQL reads besides the facts: ``promorules_calendar`` (:func:`calendar_table`)
for decisions using working days, and ``promorules_zh_fold`` (:func:`fold_table`) for text
compared under ``match: chinese``.
"""

from __future__ import annotations

from .calendar_sql import calendar_table, fold_table
from .engine import iter_batches, run_table
from .program import CALENDAR_TABLE, FOLD_TABLE, OUTPUTS
from .sql import evaluate_batch, statement, to_sql

__all__ = ["CALENDAR_TABLE", "FOLD_TABLE", "OUTPUTS", "calendar_table", "evaluate_batch",
           "fold_table", "iter_batches", "run_table", "statement", "to_sql"]
