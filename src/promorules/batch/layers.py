"""Batch backend: the columns of a compiled decision, nested in layers of SELECTs.

A column may read columns defined before it; it goes in the first layer after every column
it reads, so that one statement of nested ``SELECT *, ... FROM (...)`` computes them all, in
any SQL dialect (no lateral column aliases needed), and the engine computes each shared
value (a rule's outcome, a converted fact) once per row.
"""

from __future__ import annotations

import typing

import attrs
import sqlglot.expressions as exp

from .sqlx import E, col

__all__ = ["Layers"]

PREFIX = "__pr_"


@attrs.define
class Layers:
    """Named columns, each in the layer after those it reads."""

    columns: dict[str, tuple[E, int]] = attrs.field(factory=dict)
    count: int = 0

    def add(self, expr: E, hint: str = "c") -> exp.Column:
        """A column computing ``expr``; returns the reference to it (``expr`` itself when
        it already is a column or a literal)."""
        if isinstance(expr, (exp.Column, exp.Literal, exp.Boolean, exp.Null)):
            return expr  # type: ignore[return-value]
        self.count += 1
        name = f"{PREFIX}{self.count}_{_clean(hint)}"
        level = 1 + max((self.columns[c.name][1] for c in expr.find_all(exp.Column)
                         if c.name in self.columns), default=0)
        self.columns[name] = (expr, level)
        return col(name)

    def select(self, source: exp.Expression, outputs: list[tuple[str, E]],
               keep: list[str] | None, order: E | None = None) -> exp.Select:
        """The statement: ``source`` (a table or subquery), the layers, then ``outputs``
        after the columns ``keep`` (None: every column of ``source``)."""
        by_level: dict[int, list[tuple[str, E]]] = {}
        for name, (expr, level) in self.columns.items():
            by_level.setdefault(level, []).append((name, expr))
        current: exp.Expression = source
        for n, level in enumerate(sorted(by_level)):
            cols = [exp.alias_(e, exp.to_identifier(name, quoted=True), copy=False)
                    for name, e in by_level[level]]
            q = exp.select(exp.Star(), *cols, copy=False).from_(current, copy=False)
            current = q.subquery(f"{PREFIX}l{n}", copy=False)
        final_cols: list[exp.Expression] = [exp.Star()]
        if keep is not None:
            final_cols = [typing.cast(exp.Expression, col(k)) for k in keep]
        for name, e in outputs:
            final_cols.append(typing.cast(exp.Expression, exp.alias_(
                e, exp.to_identifier(name, quoted=True), copy=False)))
        q = exp.select(*final_cols, copy=False).from_(current, copy=False)
        if keep is None and self.columns:
            raise AssertionError("keep the input columns by name when layers are used")
        if order is not None:
            q = q.order_by(order, copy=False)
        parenthesize(q)
        return q


_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.In, exp.Between)
_NOT_OPERATORS = (exp.Dot, exp.PropertyEQ)


def parenthesize(tree: exp.Expression) -> None:
    """``tree`` with every operator operand that is itself an operator in parentheses: the
    trees are built node by node, and SQL text must read as they are built (``NOT (x IN
    ...) IS NULL`` is not ``(NOT x IN ...) IS NULL``)."""
    for node in list(tree.walk()):
        if not isinstance(node, _OPERATORS) or isinstance(node, _NOT_OPERATORS):
            continue
        for key in ("this", "expression"):
            child = node.args.get(key)
            if isinstance(child, _OPERATORS) and not isinstance(child, _NOT_OPERATORS):
                node.set(key, exp.Paren(this=child))


def _clean(hint: str) -> str:
    return "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in hint)[:24]
