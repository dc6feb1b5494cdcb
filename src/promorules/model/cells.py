"""Pipeline stage 3, building: a decision-table cell written as text, read as a condition
on its input column.

A string cell that starts with ``<``, ``>``, ``=``, ``!``, ``[``, ``]``, ``(`` or ``not(``
is a *test*: comma-separated alternatives (a disjunction), each a comparison
(``>= 18``), a range (``[18..65)``, ``]0..1[``) or a plain expression (an equality);
``not(T1, T2)`` negates a disjunction. The result is an ordinary condition of the
expression language over the input (a range is an ``and`` of two comparisons), so every
consumer of conditions reads it without knowing it came from a cell.
"""

from __future__ import annotations

from ..expressions import ExpressionSyntaxError, ast, parse

__all__ = ["TEST_STARTS", "is_test", "parse_test"]

TEST_STARTS = ("<", ">", "=", "!", "[", "]", "(")
_OPS = ("<=", ">=", "!=", "==", "<", ">")
_OPENERS = {"[": ">=", "(": ">", "]": ">"}  # how a range's low end compares
_CLOSERS = {"]": "<=", ")": "<", "[": "<"}  # how its high end compares


def is_test(text: str) -> bool:
    """Whether a string cell is a test (else it is a literal string)."""
    t = text.strip()
    return t.startswith(TEST_STARTS) or _not_body(t) is not None


def _not_body(t: str) -> str | None:
    if t.startswith("not") and t[3:].lstrip().startswith("(") and t.endswith(")"):
        return t[3:].lstrip()[1:-1]
    return None


def parse_test(text: str, subject: ast.Node) -> ast.Node:
    """The condition a test cell puts on ``subject`` (the input's syntax tree).
    Raises ExpressionSyntaxError (PR400, or PR323 for a malformed range or ``not``)."""
    t = text.strip()
    body = _not_body(t)
    if body is not None:
        if not body.strip():
            raise ExpressionSyntaxError("'not()' needs at least one test inside", 0, "PR323")
        return ast.Unary("not", _disjunction(body, subject))
    return _disjunction(t, subject)


def _disjunction(text: str, subject: ast.Node) -> ast.Node:
    node: ast.Node | None = None
    for part in _alternatives(text):
        test = _alternative(part, subject)
        node = test if node is None else ast.Binary("or", node, test)
    if node is None:
        raise ExpressionSyntaxError("an empty test", 0, "PR323")
    return node


def _alternative(part: str, subject: ast.Node) -> ast.Node:
    p = part.strip()
    if not p:
        raise ExpressionSyntaxError("an empty test between commas", 0, "PR323")
    if p[0] in _OPENERS:
        return _range(p, subject)
    for op in _OPS:
        if p.startswith(op):
            return ast.Compare(op, subject, parse(p[len(op):].strip()))
    if p[0] in "=!":
        raise ExpressionSyntaxError(f"'{p}' is not a test: write '==' or '!='", 0, "PR323")
    return ast.Compare("==", subject, parse(p))


def _range(p: str, subject: ast.Node) -> ast.Node:
    """``[a..b]`` and its open forms: ``(`` / ``]`` open the low end, ``)`` / ``[`` the
    high end."""
    closer = p[-1]
    if closer not in _CLOSERS:
        raise ExpressionSyntaxError(
            f"range '{p}' must end with ']', ')' or '['", len(p) - 1, "PR323")
    inner = p[1:-1]
    dots = _top_level(inner, "..")
    if dots < 0:
        raise ExpressionSyntaxError(
            f"range '{p}' needs '..' between its ends (as in '[1..10]')", 0, "PR323")
    low, high = inner[:dots].strip(), inner[dots + 2:].strip()
    if not low or not high:
        raise ExpressionSyntaxError(f"range '{p}' needs both ends", 0, "PR323")
    return ast.Binary("and", ast.Compare(_OPENERS[p[0]], subject, parse(low)),
                      ast.Compare(_CLOSERS[closer], subject, parse(high)))


def _top_level(text: str, needle: str) -> int:
    """The first position of ``needle`` outside quotes and parentheses, or -1."""
    depth = 0
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and text.startswith(needle, i):
            return i
        i += 1
    return -1


def _alternatives(text: str) -> list[str]:
    """Split at the commas between alternatives: not inside quotes, parentheses or list
    brackets, nor inside a range (which runs from its opening bracket to its closing one,
    after its ``..``)."""
    parts: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i <= n:
        while i < n and text[i].isspace():
            i += 1
        i = _range_end(text, i) if i < n and text[i] in _OPENERS else _plain_end(text, i)
        parts.append(text[start:i])
        if i >= n:
            break
        i += 1  # the comma
        start = i
        if i >= n:
            parts.append("")  # a trailing comma: an empty test (reported)
            break
    return parts


def _range_end(text: str, i: int) -> int:
    """From a range's opening bracket, the position after it (its closing bracket and
    any spaces): the next comma, or the end."""
    dots = text.find("..", i)
    if dots < 0:
        return _plain_end(text, i)
    j = dots + 2
    depth = 0
    quote = ""
    while j < len(text):
        c = text[j]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")" and depth > 0:
            depth -= 1
        elif depth == 0 and c in _CLOSERS:
            j += 1
            break
        j += 1
    while j < len(text) and text[j] != ",":
        j += 1
    return j


def _plain_end(text: str, i: int) -> int:
    depth = 0
    quote = ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth <= 0:
            return i
        i += 1
    return i
