"""Syntax tree of the condition language. Nodes are frozen; ``pos`` is the character
offset of the node inside its expression text (for error locations)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

__all__ = [
    "Between",
    "Binary",
    "BoolLit",
    "Call",
    "Compare",
    "DateLit",
    "DateTimeLit",
    "ListLit",
    "Name",
    "Node",
    "NumLit",
    "StrLit",
    "Unary",
    "unparse",
]


@attrs.frozen
class NumLit:
    value: int | Decimal
    pos: int = 0


@attrs.frozen
class StrLit:
    value: str
    pos: int = 0


@attrs.frozen
class BoolLit:
    value: bool
    pos: int = 0


@attrs.frozen
class DateLit:
    value: dt.date
    pos: int = 0


@attrs.frozen
class DateTimeLit:
    """A date-time literal; ``value`` is naive when written without an offset."""

    value: dt.datetime
    text: str
    pos: int = 0


@attrs.frozen
class ListLit:
    items: tuple[Node, ...]
    pos: int = 0


@attrs.frozen
class Name:
    id: str
    pos: int = 0


@attrs.frozen
class Call:
    func: str
    args: tuple[Node, ...]
    pos: int = 0


@attrs.frozen
class Unary:
    op: str  # "-" or "not"
    operand: Node
    pos: int = 0


@attrs.frozen
class Binary:
    op: str  # "+", "-", "*", "/", "and", "or"
    left: Node
    right: Node
    pos: int = 0


@attrs.frozen
class Compare:
    op: str  # "==", "!=", "<", "<=", ">", ">=", "in", "not in"
    left: Node
    right: Node
    pos: int = 0


@attrs.frozen
class Between:
    value: Node
    low: Node
    high: Node
    pos: int = 0


Node = (
    NumLit | StrLit | BoolLit | DateLit | DateTimeLit | ListLit | Name | Call | Unary | Binary
    | Compare | Between
)

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}


def _prec(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return _PRECEDENCE["not"] if node.op == "not" else _PRECEDENCE["neg"]
    if isinstance(node, (Compare, Between)):
        return _PRECEDENCE["cmp"]
    return 100


def unparse(node: Node) -> str:
    """Canonical text of an expression (used in traces: ``expected``)."""
    if isinstance(node, NumLit):
        return str(node.value)
    if isinstance(node, StrLit):
        escaped = (node.value.replace("\\", "\\\\").replace('"', '\\"')
                   .replace("\n", "\\n").replace("\t", "\\t"))
        return '"' + escaped + '"'
    if isinstance(node, BoolLit):
        return "true" if node.value else "false"
    if isinstance(node, DateLit):
        return node.value.isoformat()
    if isinstance(node, DateTimeLit):
        return node.text
    if isinstance(node, ListLit):
        return "[" + ", ".join(unparse(i) for i in node.items) + "]"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Call):
        return f"{node.func}(" + ", ".join(unparse(a) for a in node.args) + ")"

    def wrap(child: Node, min_prec: int) -> str:
        text = unparse(child)
        return f"({text})" if _prec(child) < min_prec else text

    if isinstance(node, Unary):
        if node.op == "not":
            return "not " + wrap(node.operand, _PRECEDENCE["not"])
        return "-" + wrap(node.operand, _PRECEDENCE["neg"])
    if isinstance(node, Binary):
        p = _PRECEDENCE[node.op]
        # left-associative: the right operand needs parentheses at equal precedence
        return f"{wrap(node.left, p)} {node.op} {wrap(node.right, p + 1)}"
    if isinstance(node, Compare):
        p = _PRECEDENCE["cmp"] + 1
        return f"{wrap(node.left, p)} {node.op} {wrap(node.right, p)}"
    p = _PRECEDENCE["cmp"] + 1
    return f"{wrap(node.value, p)} between {wrap(node.low, p)} and {wrap(node.high, p)}"
