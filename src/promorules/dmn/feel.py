"""DMN import, stage 2: the subset of FEEL that maps onto a ruleset, translated to text.

Two forms are read: unary tests (a decision table's input entries: ``-``, ``"Medium","Low"``,
``>=18``, ``[15..30)``, ``<18,>=60``, ``not("High")``) and simple expressions (output
entries and literal expressions: literals, names, ``+ - * /``, comparisons, ``and``/``or``,
``date("...")``, and ``min``/``max``/``abs``). Names may hold spaces (``Years of Service``):
the known names of the model are matched longest first and become identifiers.

Anything else raises :class:`Unsupported` with what it is; the importer reports it at the
element's place in the XML and never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

__all__ = ["Cell", "Test", "Tests", "Translator", "Unsupported", "identifier"]

_NOT_WORD = re.compile(r"[^A-Za-z0-9_]")


def identifier(name: str) -> str:
    """A DMN name as a ruleset identifier: every character that is not a letter, digit or
    underscore becomes ``_`` (``Approval Status`` -> ``Approval_Status``); a name starting
    with a digit gains a leading ``_``."""
    ident = _NOT_WORD.sub("_", name.strip())
    return "_" + ident if not ident or ident[0].isdigit() else ident


class Unsupported(Exception):
    """A FEEL construct outside the subset the importer maps."""


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))(?![A-Za-z_])
  | (?P<op>\*\*|\.\.|<=|>=|!=|<|>|=|\+|-|\*|/|\(|\)|\[|\]|,|\.)
  | (?P<word>[^\s"(),\[\]<>=!+\-*/.]+)
    """,
    re.VERBOSE,
)
_FUNCTIONS = {"max": "max", "min": "min", "abs": "abs"}
_DATE_FUNCTIONS = {"date": "date", "date and time": "datetime"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
                       r"(?:Z|[+-]\d{2}:\d{2})?")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


@attrs.frozen
class Literal:
    """A FEEL literal: a string, a number (Decimal), a boolean, or a date as ISO text."""

    value: str | Decimal | bool
    is_date: bool = False


@attrs.frozen
class Test:
    """One unary test: ``op`` (``==``, ``<``, ...) against ``text`` (ruleset syntax), or a
    range ``[low..high]`` written in ``text``; ``literal`` when it is a plain literal."""

    text: str
    literal: Literal | None = None


@attrs.frozen
class Tests:
    """A whole input entry: ``any`` (``-``), or tests joined by "or", maybe negated."""

    tests: tuple[Test, ...]
    negated: bool = False


Cell = str | Decimal | bool | list[str | Decimal | bool]


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt not in _ESCAPES:
                raise Unsupported(f"the string escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _quote(text: str) -> str:
    """``text`` as a string literal of the ruleset's expression language."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\t", "\\t") + '"'


class Translator:
    """Translates FEEL text of one model, knowing its names (inputs and decisions)."""

    def __init__(self, names: Iterable[str], list_names: Iterable[str] = ()) -> None:
        # longest first, so "Years of Service" wins over "Years"
        self.names = sorted(set(names), key=len, reverse=True)
        self.list_names = frozenset(list_names)

    # -- tokens -------------------------------------------------------------------------

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            name = self._name_at(text, pos)
            if name is not None:
                tokens.append(("name", name))
                pos += len(name)
                continue
            m = _TOKEN.match(text, pos)
            if m is None:
                raise Unsupported(f"the character {text[pos]!r}")
            kind = m.lastgroup or ""
            if kind != "ws":
                tokens.append((kind, m.group()))
            pos = m.end()
        return self._join_functions(tokens)

    def _name_at(self, text: str, pos: int) -> str | None:
        if pos and (text[pos - 1].isalnum() or text[pos - 1] == "_"):
            return None
        for name in self.names:
            end = pos + len(name)
            if text.startswith(name, pos) and not (end < len(text) and (
                    text[end].isalnum() or text[end] == "_")):
                return name
        return None

    @staticmethod
    def _join_functions(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """``date and time`` followed by ``(`` is one function name."""
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(tokens):
            words = [t[1] for t in tokens[i:i + 4]]
            if words[:3] == ["date", "and", "time"] and words[3:] == ["("]:
                out.append(("word", "date and time"))
                i += 3
                continue
            out.append(tokens[i])
            i += 1
        return out

    # -- expressions --------------------------------------------------------------------

    def expression(self, text: str) -> str:
        """A FEEL expression in the ruleset's expression syntax."""
        tokens = self._tokens(text)
        if not tokens:
            raise Unsupported("an empty expression")
        return self._expr(tokens)

    def literal(self, text: str) -> Literal | None:
        """The literal ``text`` is (a string, number, boolean or date), or None."""
        tokens = self._tokens(text)
        negative = tokens[:1] == [("op", "-")]
        body = tokens[1:] if negative else tokens
        if len(body) == 1:
            kind, value = body[0]
            if kind == "num":
                number = Decimal(value)
                return Literal(-number if negative else number)
            if negative:
                return None
            if kind == "str":
                return Literal(_unescape(value[1:-1]))
            if kind == "word" and value in ("true", "false"):
                return Literal(value == "true")
        if not negative and len(body) == 4 and body[0][0] == "word" and \
                body[0][1] in _DATE_FUNCTIONS and body[1] == ("op", "(") and \
                body[2][0] == "str" and body[3] == ("op", ")"):
            return Literal(self._date_text(body[0][1], _unescape(body[2][1][1:-1])), True)
        return None

    @staticmethod
    def _date_text(function: str, text: str) -> str:
        pattern = _DATE if function == "date" else _DATETIME
        if not pattern.fullmatch(text):
            raise Unsupported(f'{function}("{text}") (only ISO dates and date-times with a '
                              "time zone offset are mapped)")
        return text

    def _expr(self, tokens: list[tuple[str, str]]) -> str:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            kind, value = tokens[i]
            if kind == "name":
                out.append(identifier(value))
            elif kind == "num":
                out.append(value if not value.startswith(".") else "0" + value)
            elif kind == "str":
                out.append(_quote(_unescape(value[1:-1])))
            elif kind == "op":
                if value == "**":
                    raise Unsupported("the exponent operator **")
                if value in ("..", "[", "]", "."):
                    raise Unsupported(f"{value!r} in an expression (ranges, lists and paths "
                                      "into structured values are not mapped)")
                out.append({"=": "=="}.get(value, value))
            elif value in ("true", "false", "and", "or"):
                out.append(value)
            elif value == "not" and tokens[i + 1:i + 2] == [("op", "(")]:
                out.append("not")
            elif value in _DATE_FUNCTIONS and tokens[i + 1:i + 2] == [("op", "(")]:
                if len(tokens) < i + 4 or tokens[i + 2][0] != "str" or \
                        tokens[i + 3] != ("op", ")"):
                    raise Unsupported(f"{value}() of anything but a string literal")
                out.append(self._date_text(value, _unescape(tokens[i + 2][1][1:-1])))
                i += 4
                continue
            elif value in _FUNCTIONS and tokens[i + 1:i + 2] == [("op", "(")]:
                out.append(_FUNCTIONS[value])
            elif tokens[i + 1:i + 2] == [("op", "(")]:
                raise Unsupported(f"the FEEL function {value}()")
            elif value == "null":
                raise Unsupported("null in an expression")
            else:
                raise Unsupported(f"the name {value!r}, which is neither an input nor a "
                                  "decision of the model")
            i += 1
        return _join(out)

    # -- unary tests --------------------------------------------------------------------

    def unary_tests(self, text: str) -> Tests | None:
        """An input entry; None for ``-`` (any value)."""
        text = text.strip()
        if text in ("", "-"):
            return None
        tokens = self._tokens(text)
        negated = False
        if tokens[:2] == [("word", "not"), ("op", "(")] and tokens[-1] == ("op", ")") and \
                self._closing(tokens, 1) == len(tokens) - 1:
            negated = True
            tokens = tokens[2:-1]
        tests = tuple(self._test(part) for part in self._split(tokens))
        return Tests(tests, negated)

    @staticmethod
    def _closing(tokens: list[tuple[str, str]], open_at: int) -> int:
        depth = 0
        for i in range(open_at, len(tokens)):
            if tokens[i] in (("op", "("), ("op", "[")):
                depth += 1
            elif tokens[i] in (("op", ")"), ("op", "]")):
                depth -= 1
                if depth == 0:
                    return i
        return -1

    @staticmethod
    def _split(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
        """Top-level comma-separated parts; a range's brackets may face either way."""
        parts: list[list[tuple[str, str]]] = [[]]
        depth = 0
        in_range = False
        for i, tok in enumerate(tokens):
            if tok == ("op", ",") and depth == 0 and not in_range:
                parts.append([])
                continue
            if tok == ("op", "("):
                depth += 1
            elif tok == ("op", ")") and depth:
                depth -= 1
            elif tok in (("op", "["), ("op", "]"), ("op", "(")) and depth == 0 and \
                    ("op", "..") in tokens[i + 1:] and not in_range and not parts[-1]:
                in_range = True
            elif in_range and tok in (("op", "]"), ("op", "["), ("op", ")")) and \
                    ("op", "..") in parts[-1]:
                in_range = False
            parts[-1].append(tok)
        if any(not p for p in parts):
            raise Unsupported("an empty test in a list of tests")
        return parts

    def _test(self, tokens: list[tuple[str, str]]) -> Test:
        first = tokens[0]
        if first[0] == "op" and first[1] in ("<", "<=", ">", ">=", "=", "!="):
            endpoint = self._endpoint(tokens[1:])
            return Test(f"{'==' if first[1] == '=' else first[1]} {endpoint}")
        if first in (("op", "["), ("op", "("), ("op", "]")) and ("op", "..") in tokens:
            last = tokens[-1]
            if last not in (("op", "]"), ("op", ")"), ("op", "[")):
                raise Unsupported("a range without its closing bracket")
            dots = tokens.index(("op", ".."))
            low = self._endpoint(tokens[1:dots])
            high = self._endpoint(tokens[dots + 1:-1])
            opening = "(" if first[1] in ("(", "]") else "["
            closing = ")" if last[1] in (")", "[") else "]"
            return Test(f"{opening}{low}..{high}{closing}")
        literal = self.literal(self._text(tokens))
        if literal is not None:
            return Test("", literal)
        if len(tokens) == 1 and tokens[0][0] == "name":
            if tokens[0][1] in self.list_names:
                raise Unsupported(f"the test {tokens[0][1]!r}, membership in a list-valued "
                                  "input")
            return Test(f"== {identifier(tokens[0][1])}")
        if tokens[0] == ("word", "null"):
            raise Unsupported("the test null (is the input missing)")
        raise Unsupported(f"the test {self._text(tokens)!r} (only comparisons, ranges, "
                          "literals and names of inputs are mapped)")

    def _endpoint(self, tokens: list[tuple[str, str]]) -> str:
        if not tokens:
            raise Unsupported("a comparison without a value")
        literal = self.literal(self._text(tokens))
        if literal is not None:
            return render_literal(literal)
        return self._expr(tokens)

    @staticmethod
    def _text(tokens: list[tuple[str, str]]) -> str:
        return " ".join(value for _, value in tokens).replace("( ", "(").replace(" )", ")")

    # -- cells --------------------------------------------------------------------------

    def cell(self, text: str) -> Cell:
        """An input entry as a ruleset cell: ``-``, a literal, a list of literals, or a test
        string (``">= 18"``, ``"[15..30)"``, ``"< 18, >= 60"``, ``"not(High)"``)."""
        tests = self.unary_tests(text)
        if tests is None:
            return "-"
        plain = [t.literal for t in tests.tests]
        if not tests.negated and all(lit is not None and not lit.is_date for lit in plain):
            values = [lit.value for lit in plain if lit is not None]
            if len(values) == 1:
                single = values[0]
                if not isinstance(single, str) or _plain_string(single):
                    return single
            elif all(isinstance(v, str) for v in values):
                return values
        parts = [t.text if t.literal is None else render_literal(t.literal, in_test=True)
                 for t in tests.tests]
        joined = ", ".join(parts)
        return f"not({joined})" if tests.negated else joined

    def output(self, text: str) -> str | Decimal | bool | Mapping[str, str] | None:
        """An output entry: a literal, None for ``null``, or ``{"compute": EXPRESSION}``."""
        stripped = text.strip()
        if stripped == "null":
            return None
        literal = self.literal(stripped)
        if literal is not None and not literal.is_date:
            return literal.value
        return {"compute": self.expression(stripped)}


def _join(parts: list[str]) -> str:
    """Expression tokens as text: spaces around operators, none inside parentheses or
    before a call's parenthesis or a comma."""
    text = ""
    for i, part in enumerate(parts):
        previous = parts[i - 1] if i else ""
        tight = (not text or part in (")", ",") or previous == "(" or
                 (part == "(" and (previous in _CALLS or previous == "not")))
        text += part if tight else " " + part
    return text


_CALLS = frozenset(_FUNCTIONS.values())


def _plain_string(text: str) -> bool:
    """Whether a string cell reads back as that literal (not as a test or "any")."""
    return bool(text) and text.strip() == text and text != "-" and \
        not text.startswith(("<", ">", "=", "!", "[", "]", "(", "not("))


def render_literal(literal: Literal, *, in_test: bool = False) -> str:
    """A literal in the ruleset's expression syntax (in a test, a bare literal is an
    equality; a string is quoted)."""
    value = literal.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif literal.is_date:
        text = value
    else:
        text = _quote(value)
    return f"== {text}" if in_test else text
