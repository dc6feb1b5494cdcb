"""Pipeline stage 4c (runtime): the hit policies of decision tables, in one place.

:func:`resolve_table` is the one definition of how a table's matching rows make its value: the
generated code calls it (as ``_hit``) for every table whose policy or outputs the plain
emitted forms do not cover, and the trace calls it again on the record to say which rows
matched and which decided. A table's static part is a :class:`TableStatic` (made once, at
compile time, from the IR).

Values: a row's output is its single column's value, or a mapping of column name to value;
``FAILED`` is an evaluation error (a ``unique`` overlap, an ``any`` disagreement, a
computed output outside its column's values, no row matching without a default), ``None``
unknown (a row's match, or a computed output, depends on a missing fact), ``NULL`` the
table's answer "nothing" (an aggregate over no row: outcome pass, value None).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from typing import Any

import attrs

from .runtime import DECIMAL_CONTEXT, FAILED

__all__ = ["NULL", "Hit", "TableStatic", "hit", "resolve_table"]

NULL = ("promorules.NULL",)  # "no value", with the outcome pass


@attrs.frozen
class TableStatic:
    """What :func:`resolve_table` knows of a table before evaluation.

    ``names``: the output columns' names (None: one unnamed column); ``orders``: each
    column's allowed values, highest priority first (None: any); ``default``: the output
    when no row matches, shaped as a row's (``FAILED``: none); ``computed``: for each row,
    which of its columns are computed (their None is unknown, not a null literal)."""

    policy: str
    aggregation: str | None
    names: tuple[str, ...] | None
    orders: tuple[tuple[Any, ...] | None, ...]
    default: Any
    computed: tuple[tuple[bool, ...], ...]
    literals: tuple[tuple[Any, ...], ...] = ()  # each row's literal outputs (None: computed)

    def output(self, row: int, computed: Sequence[Any]) -> tuple[Any, ...]:
        """Row ``row``'s output cells, its computed ones (in column order) filled in."""
        it = iter(computed)
        return tuple(next(it) if c else v
                     for c, v in zip(self.computed[row], self.literals[row], strict=True))

    def rank(self, out: tuple[Any, ...]) -> tuple[int, ...]:
        """A row output's priority: its positions in the value lists (lower is higher)."""
        return _rank(self, out)

    def shape(self, out: tuple[Any, ...]) -> Any:
        """A row's output as the table gives it: the value, or a mapping by column."""
        return _shape(self, out)


@attrs.frozen
class Hit:
    """How a table came out: its value, the rows that matched and those that decided (by
    index, in row order; for ``output_order`` in the order they are listed), and what went
    wrong (None, or ``("unique", rows)``, ``("any", (a, b))``, ``("values", (row,
    column, value))``, ``("none", ())``)."""

    value: Any
    matched: tuple[int, ...] = ()
    decided: tuple[int, ...] = ()
    problem: tuple[str, tuple[Any, ...]] | None = None


def _shape(static: TableStatic, out: tuple[Any, ...]) -> Any:
    if static.names is None:
        return out[0]
    return dict(zip(static.names, out, strict=True))


def _in(value: Any, values: tuple[Any, ...]) -> bool:
    return any(v == value and isinstance(v, bool) == isinstance(value, bool) for v in values)


def _rank(static: TableStatic, out: tuple[Any, ...]) -> tuple[int, ...]:
    """A row's priority: its columns' positions in their value lists (lower is higher)."""
    return tuple(order.index(v) if _in(v, order) else len(order)
                 for v, order in zip(out, static.orders, strict=True) if order is not None)


def resolve_table(static: TableStatic, matches: Sequence[Any], outputs: Sequence[Any]) -> Hit:
    """The value of a table from its rows' matches (True, False, None: unknown, NA: not
    evaluated) and outputs (a tuple of column values for the rows that matched, else
    NA)."""
    policy = static.policy
    if policy == "first":
        for k, m in enumerate(matches):
            if m is None:
                return Hit(None)
            if m is True:
                return _decide(static, (k,), outputs, (k,))
        return _none(static)
    if None in matches:
        return Hit(None)
    matched = tuple(k for k, m in enumerate(matches) if m is True)
    if not matched:
        return _none(static)
    return _decide(static, matched, outputs, matched)


def _decide(static: TableStatic, matched: tuple[int, ...], outputs: Sequence[Any],
            candidates: tuple[int, ...]) -> Hit:
    outs: dict[int, tuple[Any, ...]] = {}
    for k in candidates:
        out = outputs[k]
        if any(c and v is None for c, v in zip(static.computed[k], out, strict=True)):
            return Hit(None, matched)  # a computed output is unknown
        for col, (v, order) in enumerate(zip(out, static.orders, strict=True)):
            if order is not None and v is not None and not _in(v, order):
                return Hit(FAILED, matched, (k,), ("values", (k, col, v)))
        outs[k] = out
    policy = static.policy
    if policy == "unique":
        if len(matched) > 1:
            return Hit(FAILED, matched, (), ("unique", matched))
        return Hit(_shape(static, outs[matched[0]]), matched, matched)
    if policy == "first":
        return Hit(_shape(static, outs[matched[0]]), matched, matched)
    if policy == "any":
        first = matched[0]
        for k in matched[1:]:
            if outs[k] != outs[first]:
                return Hit(FAILED, matched, (), ("any", (first, k)))
        return Hit(_shape(static, outs[first]), matched, (first,))
    if policy == "priority":
        best = min(matched, key=lambda k: (_rank(static, outs[k]), k))
        return Hit(_shape(static, outs[best]), matched, (best,))
    if policy == "output_order":
        order = tuple(sorted(matched, key=lambda k: (_rank(static, outs[k]), k)))
        return Hit(tuple(_shape(static, outs[k]) for k in order), matched, order)
    values = tuple(_shape(static, outs[k]) for k in matched)
    if static.aggregation is None:  # rule_order, collect
        return Hit(values, matched, matched)
    return Hit(_aggregate(static.aggregation, values), matched, matched)


def _aggregate(aggregation: str, values: tuple[Any, ...]) -> Any:
    if aggregation == "count":
        return len(values)
    if any(v is None for v in values):
        return NULL
    try:
        if aggregation == "sum":
            total = values[0]
            with decimal.localcontext(DECIMAL_CONTEXT):
                for v in values[1:]:
                    total = total + v
            return total
        return min(values) if aggregation == "min" else max(values)
    except TypeError:
        return FAILED


def _none(static: TableStatic) -> Hit:
    """No row matched: the default, shaped as the policy's value."""
    d = static.default
    if d is FAILED:
        if static.aggregation is not None:
            return Hit(0 if static.aggregation == "count" else NULL)
        if static.policy in ("output_order", "rule_order", "collect"):
            return Hit(())
        return Hit(FAILED, (), (), ("none", ()))
    if static.aggregation is None and static.policy in ("output_order", "rule_order",
                                                       "collect"):
        return Hit((d,))
    return Hit(d)


def hit(static: TableStatic, matches: Sequence[Any], outputs: Sequence[Any]) -> Any:
    """The value of a table (see :func:`resolve_table`): what generated code calls."""
    return resolve_table(static, matches, outputs).value

