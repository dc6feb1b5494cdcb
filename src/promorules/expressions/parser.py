"""Lexer and recursive-descent parser of the condition language (text -> AST).

Grammar, lowest precedence first::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum [(== | != | < | <= | > | >=) sum | ["not"] "in" sum
                       | "between" sum "and" sum]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | DATE | DATETIME | true | false | NAME
                | NAME "(" [expr ("," expr)*] ")" | "(" expr ")" | "[" [expr ("," expr)*] "]"

Comparisons do not chain (``a < b < c`` is an error: write ``b between a and c``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import attrs

from . import ast

__all__ = ["ExpressionSyntaxError", "parse"]

MAX_LENGTH = 10_000
MAX_DEPTH = 100


class ExpressionSyntaxError(Exception):
    """Internal: turned into a located RulesetError (PR400/PR402) by the compiler."""

    def __init__(self, message: str, pos: int, code: str = "PR400") -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.code = code


@attrs.frozen
class Token:
    kind: str  # NUM, STR, DATE, DATETIME, NAME, KW, OP, END
    text: str
    pos: int
    value: object = None


_KEYWORDS = frozenset({"and", "or", "not", "in", "between", "true", "false"})
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?
                 (?:Z|[+-]\d{2}:\d{2})?)(?![\w.])
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w.:])
  | (?P<num>\d+(?:\.\d+)?)(?![\w.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_ASCII_OPERATORS = {"≥": ">=", "≤": "<=", "≠": "!="}
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def _unescape(body: str, pos: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt not in _ESCAPES:
                raise ExpressionSyntaxError(f"unknown escape '\\{nxt}' in string", pos + i + 1)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = " (strings are quoted: \"...\")" if ch.isalpha() or ord(ch) > 127 else ""
            if ch in "≥≤≠":
                hint = f" (write {_ASCII_OPERATORS[ch]})"
            elif text.startswith(("&&", "||"), pos):
                hint = " (write 'and' / 'or')"
            elif ch == "=":
                hint = " (comparison is '==')"
            elif ch == "!":
                hint = " (negation is 'not')"
            raise ExpressionSyntaxError(f"unexpected character {ch!r}{hint}", pos)
        kind = m.lastgroup
        raw = m.group()
        if kind == "ws":
            pass
        elif kind == "datetime":
            try:
                value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raise ExpressionSyntaxError(f"invalid date-time {raw}", pos, "PR402") from None
            tokens.append(Token("DATETIME", raw, pos, value))
        elif kind == "date":
            try:
                date_value = dt.date.fromisoformat(raw)
            except ValueError:
                raise ExpressionSyntaxError(f"invalid date {raw}", pos, "PR402") from None
            tokens.append(Token("DATE", raw, pos, date_value))
        elif kind == "num":
            tokens.append(Token("NUM", raw, pos, Decimal(raw) if "." in raw else int(raw)))
        elif kind == "name":
            tokens.append(Token("KW" if raw in _KEYWORDS else "NAME", raw, pos))
        elif kind == "str":
            tokens.append(Token("STR", raw, pos, _unescape(raw[1:-1], pos + 1)))
        else:
            tokens.append(Token("OP", raw, pos))
        pos = m.end()
    tokens.append(Token("END", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def take(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            found = self.tok.text or "end of expression"
            raise ExpressionSyntaxError(f"expected {what}, found {found!r}", self.tok.pos)
        return self.take()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionSyntaxError("expression is nested too deeply", self.tok.pos)

    def parse(self) -> ast.Node:
        if self.at("END"):
            raise ExpressionSyntaxError("empty expression", 0)
        node = self.or_()
        if not self.at("END"):
            t = self.tok
            hint = ""
            if t.kind == "OP" and t.text in ("<", "<=", ">", ">=", "==", "!="):
                hint = " (comparisons do not chain: use 'x between a and b' or 'and')"
            raise ExpressionSyntaxError(f"unexpected {t.text!r}{hint}", t.pos)
        return node

    def or_(self) -> ast.Node:
        left = self.and_()
        while self.at("KW", "or"):
            pos = self.take().pos
            left = ast.Binary("or", left, self.and_(), pos)
        return left

    def and_(self) -> ast.Node:
        left = self.not_()
        while self.at("KW", "and"):
            pos = self.take().pos
            left = ast.Binary("and", left, self.not_(), pos)
        return left

    def not_(self) -> ast.Node:
        if self.at("KW", "not"):
            pos = self.take().pos
            self.enter()
            operand = self.not_()
            self.depth -= 1
            return ast.Unary("not", operand, pos)
        return self.comparison()

    def comparison(self) -> ast.Node:
        left = self.sum_()
        t = self.tok
        if t.kind == "OP" and t.text in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            return ast.Compare(t.text, left, self.sum_(), t.pos)
        if self.at("KW", "in"):
            self.take()
            return ast.Compare("in", left, self.sum_(), t.pos)
        if self.at("KW", "not") and self.tokens[self.i + 1].text == "in":
            self.i += 2
            return ast.Compare("not in", left, self.sum_(), t.pos)
        if self.at("KW", "between"):
            self.take()
            low = self.sum_()
            self.expect("KW", "and", "'and' in 'x between low and high'")
            return ast.Between(left, low, self.sum_(), t.pos)
        return left

    def sum_(self) -> ast.Node:
        left = self.product()
        while self.tok.kind == "OP" and self.tok.text in ("+", "-"):
            t = self.take()
            left = ast.Binary(t.text, left, self.product(), t.pos)
        return left

    def product(self) -> ast.Node:
        left = self.unary()
        while self.tok.kind == "OP" and self.tok.text in ("*", "/"):
            t = self.take()
            left = ast.Binary(t.text, left, self.unary(), t.pos)
        return left

    def unary(self) -> ast.Node:
        if self.at("OP", "-"):
            pos = self.take().pos
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if isinstance(operand, ast.NumLit):  # fold: -5 is a literal
                return ast.NumLit(-operand.value, pos)
            return ast.Unary("-", operand, pos)
        return self.primary()

    def _items(self, close: str) -> tuple[ast.Node, ...]:
        items: list[ast.Node] = []
        if not self.at("OP", close):
            items.append(self.or_())
            while self.at("OP", ","):
                self.take()
                items.append(self.or_())
        self.expect("OP", close, f"',' or '{close}'")
        return tuple(items)

    def primary(self) -> ast.Node:
        t = self.tok
        self.enter()
        try:
            if t.kind == "NUM":
                self.take()
                assert isinstance(t.value, (int, Decimal))
                return ast.NumLit(t.value, t.pos)
            if t.kind == "STR":
                self.take()
                return ast.StrLit(str(t.value), t.pos)
            if t.kind == "DATE":
                self.take()
                assert isinstance(t.value, dt.date)
                return ast.DateLit(t.value, t.pos)
            if t.kind == "DATETIME":
                self.take()
                assert isinstance(t.value, dt.datetime)
                return ast.DateTimeLit(t.value, t.text, t.pos)
            if t.kind == "KW" and t.text in ("true", "false"):
                self.take()
                return ast.BoolLit(t.text == "true", t.pos)
            if t.kind == "NAME":
                self.take()
                if self.at("OP", "("):
                    self.take()
                    return ast.Call(t.text, self._items(")"), t.pos)
                return ast.Name(t.text, t.pos)
            if self.at("OP", "("):
                self.take()
                node = self.or_()
                self.expect("OP", ")", "')'")
                return node
            if self.at("OP", "["):
                self.take()
                return ast.ListLit(self._items("]"), t.pos)
            found = t.text or "end of expression"
            raise ExpressionSyntaxError(f"expected a value, found {found!r}", t.pos)
        finally:
            self.depth -= 1


def parse(text: str) -> ast.Node:
    """Parse an expression. Raises ExpressionSyntaxError with the offending offset."""
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(f"expression longer than {MAX_LENGTH} characters", 0)
    return _Parser(text).parse()
