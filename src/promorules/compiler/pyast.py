"""Pipeline stage 4b (code generation): small builders of stdlib ``ast`` nodes.

The emitters build generated code as ``ast`` nodes with these helpers. Only ``None``,
``True``, ``False`` and index integers the generator chooses itself ever become
``ast.Constant``; every value from a ruleset is a namespace constant, named (see
:mod:`.names`), so no ruleset text can reach the generated source.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = [
    "FALSE",
    "NONE",
    "TRUE",
    "add",
    "and_",
    "args",
    "assign",
    "at",
    "attr",
    "call",
    "cmp",
    "empty_list",
    "if_",
    "ifexp",
    "index",
    "is_",
    "is_not",
    "name",
    "not_",
    "number_lines",
    "or_",
    "ret",
    "store",
    "tup",
    "walrus",
]

# Expressions are placed at line 1 when built (walking every expression afterwards to
# give it its statement's line would cost more than the rest of code generation);
# statements get their real lines from `number_lines`, so the line table is exact.
_AT: dict[str, Any] = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 0}

NONE = ast.Constant(None, **_AT)
TRUE = ast.Constant(True, **_AT)
FALSE = ast.Constant(False, **_AT)

_CMP: dict[str, type[ast.cmpop]] = {
    "==": ast.Eq, "!=": ast.NotEq, "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE,
    "in": ast.In, "not in": ast.NotIn, "is": ast.Is, "is not": ast.IsNot,
}


def name(ident: str) -> ast.Name:
    return ast.Name(ident, ast.Load(), **_AT)


def store(ident: str) -> ast.Name:
    return ast.Name(ident, ast.Store(), **_AT)


def attr(value: ast.expr, field: str) -> ast.Attribute:
    return ast.Attribute(value, field, ast.Load(), **_AT)


def call(func: ast.expr | str, *args: ast.expr) -> ast.Call:
    return ast.Call(name(func) if isinstance(func, str) else func, list(args), [], **_AT)


def index(value: ast.expr, i: int | ast.expr) -> ast.Subscript:
    """``value[i]``: ``i`` is an index the generator chose, or an expression."""
    return ast.Subscript(value, ast.Constant(i, **_AT) if isinstance(i, int) else i, ast.Load(),
                         **_AT)


def cmp(left: ast.expr, op: str, right: ast.expr) -> ast.Compare:
    return ast.Compare(left, [_CMP[op]()], [right], **_AT)


def is_(left: ast.expr, right: ast.expr) -> ast.Compare:
    return cmp(left, "is", right)


def is_not(left: ast.expr, right: ast.expr) -> ast.Compare:
    return cmp(left, "is not", right)


def and_(*values: ast.expr) -> ast.expr:
    return values[0] if len(values) == 1 else ast.BoolOp(ast.And(), list(values), **_AT)


def or_(*values: ast.expr) -> ast.expr:
    return values[0] if len(values) == 1 else ast.BoolOp(ast.Or(), list(values), **_AT)


def not_(value: ast.expr) -> ast.UnaryOp:
    return ast.UnaryOp(ast.Not(), value, **_AT)


def ifexp(test: ast.expr, body: ast.expr, orelse: ast.expr) -> ast.IfExp:
    return ast.IfExp(test, body, orelse, **_AT)


def walrus(target: str, value: ast.expr) -> ast.NamedExpr:
    return ast.NamedExpr(store(target), value, **_AT)


def tup(values: Sequence[ast.expr]) -> ast.Tuple:
    return ast.Tuple(list(values), ast.Load(), **_AT)


def at(node: ast.AST) -> ast.AST:
    """``node`` placed at line 1 (an expression built without these helpers)."""
    node.__dict__.update(_AT)
    return node


def empty_list() -> ast.List:
    return ast.List([], ast.Load(), **_AT)


def add(left: ast.expr, right: ast.expr) -> ast.BinOp:
    return ast.BinOp(left, ast.Add(), right, **_AT)


def args(*names: str) -> ast.arguments:
    """A function's positional parameters."""
    return ast.arguments([], [ast.arg(n, **_AT) for n in names], None, [], [], None, [])


def assign(target: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([store(target)], value)


def if_(test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt] | None = None) -> ast.If:
    return ast.If(test, body or [ast.Pass()], orelse or [])


def ret(value: ast.expr) -> ast.Return:
    return ast.Return(value)


# -- line numbers ----------------------------------------------------------------------


def _blocks(stmt: ast.stmt) -> Iterator[tuple[str | None, list[ast.stmt]]]:
    """The statement lists inside a compound statement, each with the header line that
    ``ast.unparse`` writes before it (None: no line of its own)."""
    if isinstance(stmt, ast.If):
        yield None, stmt.body
        if len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If):
            yield None, stmt.orelse  # written as `elif`, on the nested If's own line
        elif stmt.orelse:
            yield "else", stmt.orelse
    elif isinstance(stmt, ast.Try):
        yield None, stmt.body
        for handler in stmt.handlers:
            yield "except", handler.body
        if stmt.orelse:
            yield "else", stmt.orelse
        if stmt.finalbody:
            yield "finally", stmt.finalbody
    elif isinstance(stmt, (ast.FunctionDef, ast.For, ast.While, ast.With)):
        yield None, stmt.body
        orelse = getattr(stmt, "orelse", None)
        if orelse:
            yield "else", orelse


def number_lines(module: ast.Module) -> list[ast.stmt]:
    """Give every statement the line ``ast.unparse(module)`` writes it on (every
    expression of the generated code fits on one line: it holds no string constant), so
    that the line table agrees with ``source_code``. Expressions stay where they were
    built, at line 1. Returns the statements."""
    line = 0
    out: list[ast.stmt] = []

    def place(stmts: list[ast.stmt], top: bool) -> None:
        nonlocal line
        for stmt in stmts:
            if top and isinstance(stmt, ast.FunctionDef) and line > 0:
                line += 1  # the blank line between top-level functions
            line += 1
            out.append(stmt)
            _locate(stmt, line)
            for header, body in _blocks(stmt):
                if header is not None:
                    line += 1
                    if header == "except" and isinstance(stmt, ast.Try):
                        for handler in stmt.handlers:
                            if handler.body is body:
                                _locate(handler, line)
                place(body, False)

    place(module.body, True)
    return out


def _locate(node: ast.AST, line: int) -> None:
    node.lineno = node.end_lineno = line  # type: ignore[attr-defined]
    node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
