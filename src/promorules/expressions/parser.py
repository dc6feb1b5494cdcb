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
from collections.abc import Callable
from decimal import Decimal

import attrs

from . import ast

__all__ = ["ExpressionSyntaxError", "parse"]

# Size limits (PR403), generous for real rulesets and far below what the checking stage,
# the code generator and Python's compiler can take: a tree nested (or an operator chain
# such as ``a + b + c``, which nests too) more than MAX_DEPTH levels, brackets, calls, ``not``
# and unary minus nested more than MAX_NESTING levels (each costs the parser and every later
# stage a level of recursion), or a number literal of more than MAX_LITERAL_DIGITS
# characters, is refused here rather than failing later.
MAX_LENGTH = 10_000
MAX_DEPTH = 100
MAX_NESTING = 50
MAX_LITERAL_DIGITS = 60
TOO_LARGE = "PR403"


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
  | (?P<datetime>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?
                 (?:Z|[+-][0-9]{2}:[0-9]{2})?)(?![\w.])
  | (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?![\w.:])
  | (?P<num>[0-9]+(?:\.[0-9]+)?)(?![\w.])
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
            if ch.isdigit() or ch.isnumeric():  # full-width, Arabic-Indic, ...
                hint = " (write numbers with the ASCII digits 0-9)"
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
            if len(raw) > MAX_LITERAL_DIGITS:
                raise ExpressionSyntaxError(
                    f"number literal of {len(raw)} digits is too long (at most "
                    f"{MAX_LITERAL_DIGITS}; declare a parameter for a large number)", pos,
                    TOO_LARGE)
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
        self.depth = 0  # of the tree: recursion and operator chains
        self.nesting = 0  # of the parser's recursion

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
        """One level deeper by recursion: brackets, calls, lists, ``not``, unary minus."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionSyntaxError(
                f"expression is nested too deeply (more than {MAX_NESTING} levels of brackets, "
                f"calls, 'not' or '-')", self.tok.pos, TOO_LARGE)
        self.deeper()

    def leave(self) -> None:
        self.nesting -= 1
        self.depth -= 1

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionSyntaxError(
                f"expression is too deep (more than {MAX_DEPTH} levels; each operator of a "
                f"chain such as 'a + b + c' counts as a level: split it into several "
                f"decisions)", self.tok.pos, TOO_LARGE)

    def chain(self, left: ast.Node, ops: tuple[str, ...], kind: str,
              operand: Callable[[], ast.Node]) -> ast.Node:
        """``left (op operand)*``, left-associative: each operator nests one level deeper."""
        depth = self.depth
        while self.tok.kind == kind and self.tok.text in ops:
            t = self.take()
            self.deeper()
            left = ast.Binary(t.text, left, operand(), t.pos)
        self.depth = depth
        return left

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
        return self.chain(self.and_(), ("or",), "KW", self.and_)

    def and_(self) -> ast.Node:
        return self.chain(self.not_(), ("and",), "KW", self.not_)

    def not_(self) -> ast.Node:
        if self.at("KW", "not"):
            pos = self.take().pos
            self.enter()
            operand = self.not_()
            self.leave()
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
        return self.chain(self.product(), ("+", "-"), "OP", self.product)

    def product(self) -> ast.Node:
        return self.chain(self.unary(), ("*", "/"), "OP", self.unary)

    def unary(self) -> ast.Node:
        if self.at("OP", "-"):
            pos = self.take().pos
            self.enter()
            operand = self.unary()
            self.leave()
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
            self.leave()


def parse(text: str) -> ast.Node:
    """Parse an expression. Raises ExpressionSyntaxError with the offending offset."""
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(f"expression longer than {MAX_LENGTH} characters", 0,
                                    TOO_LARGE)
    try:
        return _Parser(text).parse()
    except RecursionError:  # the caller's own stack was already deep
        raise ExpressionSyntaxError("expression is nested too deeply", 0, TOO_LARGE) from None
