"""Batch backend: the public entry points, ``evaluate_batch`` and ``to_sql``.

``to_sql`` renders the statement for a warehouse table whose columns are the facts, read
with the natural SQL type of each declared fact type (or as a given Arrow schema says):
money, numbers and percentages as numbers of any SQL type (read through their decimal
text, as ``evaluate`` reads a float), booleans as BOOLEAN, strings, enums and ordinals as
text, dates as DATE, date-times as TIMESTAMP WITH TIME ZONE, lists as arrays of text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlglot.expressions as exp

from ..errors import PromorulesError
from .engine import check_decision, instant, run_table
from .facts_sql import Column
from .inputs import arrow_column
from .program import compile_select, conversion_order
from .protocol import Rules
from .sqlx import Unsupported, cast, col, dec_type

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]


__all__ = ["evaluate_batch", "statement", "to_sql"]

DIALECTS = ("duckdb", "spark", "postgres")


def _reraise(e: Unsupported, decision: str) -> Unsupported:
    return Unsupported(f"decision '{decision}' cannot be evaluated by the batch engine: "
                       f"{e.message}")


def evaluate_batch(rs: Rules, decision: str, data: Any, as_of: object = None) -> pa.Table:
    """See :meth:`promorules.Ruleset.evaluate_batch`."""
    try:
        return run_table(rs, decision, data, as_of)
    except Unsupported as e:
        raise _reraise(e, decision) from None


def _natural(rs: Rules, name: str) -> Column:
    kind = rs.facts[name].kind
    if kind in ("money", "number", "integer", "percent"):
        return Column(cast(col(name), "VARCHAR"), "text")
    return Column(col(name), {"boolean": "bool", "string": "text", "enum": "text",
                              "ordinal": "text", "date": "date", "datetime": "timestamptz",
                              "list": "list"}[kind])


def statement(rs: Rules, decision: str, table: str = "facts", as_of: object = None,
              schema: pa.Schema | None = None, keep: Sequence[str] | None = None
              ) -> exp.Select:
    """The sqlglot tree of :func:`to_sql`'s statement."""
    check_decision(rs, decision)
    when = instant(rs, decision, as_of)
    facts = conversion_order(rs, decision)
    if schema is not None:
        columns = {n: arrow_column(n, schema.field(n).type) for n in schema.names
                   if n in rs.facts}
    else:
        columns = {n: _natural(rs, n) for n in facts}
    kept = list(keep) if keep is not None else list(facts)
    try:
        compiled = compile_select(rs, decision, columns, exp.to_table(table), kept, when)
    except Unsupported as e:
        raise _reraise(e, decision) from None
    select = compiled.select
    # the helper column listing the facts not taken is for the embedded engine only
    select.set("expressions", [e for e in select.expressions if e.alias_or_name != "__pr_bad"])
    return select


def to_sql(rs: Rules, decision: str, dialect: str = "duckdb", table: str = "facts",
           as_of: object = None, schema: pa.Schema | None = None,
           keep: Sequence[str] | None = None) -> str:
    """See :meth:`promorules.Ruleset.to_sql`."""
    import sqlglot

    try:
        if not isinstance(dialect, str) or not dialect:
            raise ValueError(dialect)
        sqlglot.Dialect.get_or_raise(dialect)
    except ValueError:
        raise PromorulesError(f"unknown SQL dialect {dialect!r}; try one of "
                              + ", ".join(DIALECTS), code="PR823") from None
    tree = statement(rs, decision, table, as_of, schema, keep)
    if dialect != "duckdb":
        tree = portable(tree)
    return tree.sql(dialect, pretty=True)


def portable(tree: exp.Select) -> exp.Select:
    """The statement for engines without DuckDB's HUGEINT: the integer arithmetic of exact
    rounding (non-negative operands, integer division) on DECIMAL(38, 0)."""
    out = tree.copy()  # a copy: the tree shares nodes, a copy does not
    for node in list(out.find_all(exp.DataType)):
        if node.this == exp.DataType.Type.INT128:
            node.replace(dec_type(38, 0))
    return out
