"""Fact types: validation and conversion of facts on the way in, and their display.

Facts arrive as JSON-like values. Each declared fact type converts them to the engine's
value (``int``/``Decimal`` numbers, ``bool``, ``str``, ordinal positions, ``date``, aware
``datetime``, tuples) or raises a FactError naming the fact. Floats become Decimals through
their shortest repr, so ``2999.99`` is exactly ``Decimal("2999.99")``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs

from .errors import FactError
from .text import Text

__all__ = [
    "INT_LIMIT",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MONEY_PLACES",
    "NUMERIC_KINDS",
    "FactType",
    "display_value",
    "json_value",
    "number_problem",
    "read_json",
    "read_json_facts",
    "suggest",
]

NUMERIC_KINDS = frozenset({"number", "integer", "percent", "money"})
# ASCII digits only, no surrounding whitespace: "３０００" and " 3000 " are not numbers
_DECIMAL_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_N = TypeVar("_N", int, Decimal, str)

# "A value that can be shown in a few dozen digits": every number a fact or a JSON document
# holds has at most MAX_DIGITS significant digits (or characters, as text) and a magnitude
# between 1e-MAX_EXPONENT and 1e+MAX_EXPONENT. Money has at most MONEY_PLACES decimals.
MAX_DIGITS = 60
MAX_EXPONENT = 60
MONEY_PLACES = 2
INT_LIMIT = 10 ** (MAX_EXPONENT + 1)  # an int is within the bounds when -INT_LIMIT < n < INT_LIMIT
_BOUNDS = (f"at most {MAX_DIGITS} digits and a magnitude between 1e-{MAX_EXPONENT} and "
           f"1e{MAX_EXPONENT}")


def _shown(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "..."


def number_problem(value: int | Decimal | str) -> str | None:
    """Why a number (or a number's text) cannot be shown in a few dozen digits, or None.

    The one bound every path applies: :class:`FactType` conversion, the generated fast
    path's helpers (which leave such values to that conversion) and :func:`read_json`.
    """
    if isinstance(value, str):
        if len(value) <= MAX_DIGITS:
            return None
        return (f"the number {_shown(value)} ({len(value)} characters) is too long to read "
                f"exactly ({_BOUNDS})")
    if isinstance(value, int):
        if -INT_LIMIT < value < INT_LIMIT:
            return None
        return (f"the number of about {int(value.bit_length() * 0.30103) + 1} digits is too "
                f"large to read exactly ({_BOUNDS})")
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return None  # NaN and infinity are refused on their own
    too_small = exponent < -MAX_EXPONENT
    too_big = bool(value) and value.adjusted() > MAX_EXPONENT
    if not too_small and not too_big and len(digits) <= MAX_DIGITS:
        return None
    mantissa = "".join(map(str, digits[:20]))
    shown = f"{'-' if sign else ''}{mantissa}{'...' if len(digits) > 20 else ''}E{exponent}"
    return (f"the number {shown} is too large, too small or too long to read exactly "
            f"({_BOUNDS})")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def suggest(name: str, candidates: object) -> str | None:
    """The closest candidate to a misspelt name, for "did you mean" hints."""
    names = [str(c) for c in candidates]  # type: ignore[attr-defined]
    for candidate in names:
        if candidate.lower() == name.lower() and candidate != name:
            return candidate  # l2 -> L2
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return found[0] if found else None


def _kind_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _short(value: object) -> str:
    if isinstance(value, int) and not -INT_LIMIT < value < INT_LIMIT:
        return f"<a number of {value.bit_length()} bits>"  # repr() of it may itself fail
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number_text_hint(text: str) -> str | None:
    """Why a string that looks like a number is not one, for the FactError's hint."""
    if text.strip() != text and _DECIMAL_TEXT.fullmatch(text.strip()):
        return "remove the surrounding whitespace"
    if not text.isascii() and any(c.isdigit() for c in text):
        return "write the number with the ASCII digits 0-9"
    return None


@attrs.frozen
class FactType:
    """A declared fact: its type, constraints and description."""

    name: str
    kind: str
    description: Text | None = None
    unit: str | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    step: int | Decimal | None = None
    currency: str | None = None
    values: tuple[str, ...] = ()
    item_kind: str | None = None  # for lists: "string", "number", "integer" or "enum"
    role: str = "fact"  # "fact" or "parameter", for messages
    monotone: str | None = None  # "increasing" / "decreasing": a property for the testing kit
    # the declared default, as written (a JSON-like value): taken when the fact is not sent
    # (absent or null); None: the fact has no default and is missing when not sent
    default: Any = None
    match: str = "exact"  # "chinese": text compared script- and width-insensitively
    unused: str | None = None  # why the fact is declared though no decision reads it (PR720)
    timezone: ZoneInfo | None = attrs.field(default=None, eq=False)
    _index: Mapping[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {v: i for i, v in enumerate(self.values)})

    # -- description -------------------------------------------------------------------

    @property
    def expected(self) -> str:
        """What a valid value looks like, for error messages."""
        k = self.kind
        if k == "money":
            text = f"an amount of money in {self.currency} (a number or a decimal string)"
        elif k == "percent":
            text = "a percentage (a number"
            if (self.minimum, self.maximum) == (0, 100):
                return text + " from 0 to 100)"
            text += ")"
        elif k == "integer":
            text = "a whole number"
        elif k == "number":
            text = "a number"
        elif k == "boolean":
            text = "true or false"
        elif k in ("enum", "ordinal"):
            text = "one of " + ", ".join(self.values)
        elif k == "string":
            text = "a string"
        elif k == "date":
            text = "an ISO date such as \"2024-03-08\""
        elif k == "datetime":
            text = "an ISO date-time such as \"2024-03-04T10:00:00+08:00\""
        else:
            item = "one of " + ", ".join(self.values) if self.item_kind == "enum" else (
                f"{self.item_kind}s")
            text = f"a list of {item}"
        if k in NUMERIC_KINDS and (self.minimum is not None or self.maximum is not None):
            if self.minimum is not None and self.maximum is not None:
                text += f" from {self.minimum} to {self.maximum}"
            elif self.minimum is not None:
                text += f" >= {self.minimum}"
            else:
                text += f" <= {self.maximum}"
        return text

    def _error(self, value: object, problem: str, code: str = "PR601",
               hint: str | None = None) -> FactError:
        message = f"{self.role} '{self.name}': {problem}; expected {self.expected}"
        if hint:
            message += f" ({hint})"
        return FactError(message, code=code, fact=self.name, value=value, expected=self.expected)

    # -- conversion --------------------------------------------------------------------

    def converter(self) -> Callable[[Any], Any]:
        """The function converting a present (non-null) input value, raising FactError."""
        return getattr(self, "_convert_" + self.kind)  # type: ignore[no-any-return]

    def convert(self, value: object) -> Any:
        """Convert one input value (``None`` means missing and stays ``None``)."""
        return None if value is None else self.converter()(value)

    def _number(self, value: object) -> int | Decimal:
        cls = value.__class__
        if cls is int:
            assert isinstance(value, int)
            return self._bounded(value, value)
        if cls is float:
            assert isinstance(value, float)
            if not math.isfinite(value):
                raise self._error(value, f"{value!r} is not a finite number", "PR602")
            return self._bounded(Decimal(repr(value)), value)
        if isinstance(value, bool):
            raise self._error(value, f"got the boolean {str(value).lower()}")
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise self._error(value, f"{value} is not a finite number", "PR602")
            return self._bounded(value, value)
        if isinstance(value, int):  # int subclasses (not bool)
            return self._bounded(int(value), value)
        if isinstance(value, str):
            if _DECIMAL_TEXT.fullmatch(value):
                self._bounded(value, value)
                try:
                    return self._bounded(Decimal(value), value)
                except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                    pass
            low = value.strip().lower()
            if low in ("nan", "inf", "infinity", "-inf", "-infinity", "+inf"):
                raise self._error(value, f"{value!r} is not a finite number", "PR602")
            raise self._error(value, f"{_short(value)} is not a number",
                              hint=_number_text_hint(value))
        raise self._error(value, f"got {_kind_of(value)}")

    def _bounded(self, number: _N, original: object) -> _N:
        """``number`` if it can be shown in a few dozen digits; else a FactError (PR601)."""
        problem = number_problem(number)
        if problem is not None:
            raise self._error(original, problem)
        return number

    def _check_range(self, value: int | Decimal, original: object) -> int | Decimal:
        if self.minimum is not None and value < self.minimum:
            raise self._error(original, f"{value} is below the minimum {self.minimum}", "PR603")
        if self.maximum is not None and value > self.maximum:
            raise self._error(original, f"{value} is above the maximum {self.maximum}", "PR603")
        return value

    def _convert_number(self, value: object) -> int | Decimal:
        return self._check_range(self._number(value), value)

    _convert_percent = _convert_number

    def _convert_money(self, value: object) -> int | Decimal:
        number = self._number(value)
        if isinstance(number, Decimal):
            exponent = number.as_tuple().exponent
            assert isinstance(exponent, int)  # finite
            if exponent < -MONEY_PLACES:
                raise self._error(value, f"{_short(value)} has more than {MONEY_PLACES} "
                                         "decimal places")
        return self._check_range(number, value)

    def _convert_integer(self, value: object) -> int:
        number = self._number(value)
        if isinstance(number, Decimal):
            if number != number.to_integral_value():
                raise self._error(value, f"{value} is not a whole number")
            number = int(number)
        self._check_range(number, value)
        return number

    def _convert_boolean(self, value: object) -> bool:
        if value is True or value is False:
            return value
        hint = "JSON true/false, not 0/1 or a string" if isinstance(value, (int, str)) else None
        raise self._error(value, f"got {_kind_of(value)} {_short(value)}", hint=hint)

    def _convert_string(self, value: object) -> str:
        if isinstance(value, str):
            return value
        raise self._error(value, f"got {_kind_of(value)}")

    def _member(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._error(value, f"got {_kind_of(value)}")
        if value not in self._index:
            close = suggest(value, self.values)
            raise self._error(value, f"unknown value {value!r}", "PR604",
                              hint=f"did you mean {close!r}?" if close else None)
        return value

    def _convert_enum(self, value: object) -> str:
        return self._member(value)

    def _convert_ordinal(self, value: object) -> int:
        return self._index[self._member(value)]

    def _convert_date(self, value: object) -> dt.date:
        if isinstance(value, dt.datetime):
            raise self._error(value, "got a date-time")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            if not _DATE_TEXT.fullmatch(value):
                raise self._error(value, f"{_short(value)} is not an ISO date", "PR605")
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise self._error(value, f"{value!r} is not a valid date", "PR605") from None
        raise self._error(value, f"got {_kind_of(value)}")

    def _convert_datetime(self, value: object) -> dt.datetime:
        if isinstance(value, dt.datetime):
            result = value
        elif isinstance(value, str):
            if not _DATETIME_TEXT.fullmatch(value):
                raise self._error(value, f"{_short(value)} is not an ISO date-time", "PR605")
            try:
                result = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise self._error(value, f"{value!r} is not a valid date-time", "PR605") from None
        else:
            raise self._error(value, f"got {_kind_of(value)}")
        if result.tzinfo is None:
            result = result.replace(tzinfo=self.timezone)
        return result

    def _convert_list(self, value: object) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise self._error(value, f"got {_kind_of(value)}")
        out: list[Any] = []
        for item in value:
            if self.item_kind in ("string", "enum"):
                if not isinstance(item, str):
                    raise self._error(value, f"item {_short(item)} is not a string")
                if self.item_kind == "enum" and item not in self._index:
                    close = suggest(item, self.values)
                    raise self._error(value, f"unknown item {item!r}", "PR604",
                                      hint=f"did you mean {close!r}?" if close else None)
                out.append(item)
            else:
                number = self._number(item)
                if self.item_kind == "integer" and number != int(number):
                    raise self._error(value, f"item {item} is not a whole number")
                out.append(int(number) if self.item_kind == "integer" else number)
        return tuple(out)

    # -- display -----------------------------------------------------------------------

    def display(self, value: Any) -> str:
        """A converted value as a person reads it (``2999.99 CNY``, ``AA``, ``true``)."""
        if value is None:
            return "missing"
        if self.kind == "ordinal":
            return str(self.values[value])
        text = display_value(value)
        if self.kind == "money" and self.currency:
            return f"{text} {self.currency}"
        if self.kind == "percent":
            return f"{text}%"
        if self.unit:
            return f"{text} {self.unit}"
        return text

    def shown(self, value: Any) -> Any:
        """A converted value as a trace's ``actual`` holds it: an ordinal by its name,
        anything else as it is."""
        if self.kind == "ordinal" and value is not None:
            return self.values[value]
        return value

    def to_json(self, value: Any) -> Any:
        """A converted value as JSON: ordinals by name, money as a decimal string."""
        if self.kind == "ordinal" and value is not None:
            return self.values[value]
        return json_value(value)


def display_value(value: Any) -> str:
    """A plain value as text, without units."""
    if value is None:
        return "missing"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset)):
        return "[" + ", ".join(display_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {display_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def json_value(value: Any) -> Any:
    """A plain value as JSON: Decimal as a decimal string, dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset)):
        items = sorted(value) if isinstance(value, frozenset) else value
        return [json_value(v) for v in items]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


# -- reading facts from JSON ---------------------------------------------------------------

JSON_MAX_DEPTH = 64  # objects and lists nested in one another


class _Number:
    """A JSON number too long to be read: kept as text, refused once its fact is known."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_int(text: str) -> int | _Number:
    return int(text) if len(text) <= MAX_DIGITS else _Number(text)


def _json_float(text: str) -> Decimal | _Number:
    if len(text) > MAX_DIGITS:
        return _Number(text)
    value = Decimal(text)  # exact: 2999.99 never passes through a float
    return _Number(text) if number_problem(value) else value


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Repeated(key)
        out[key] = value
    return out


def _check_json(data: Any, what: str, facts_key: str | None) -> None:
    """Refuse too-deep nesting and unreadable numbers, naming the fact they are under: a
    top-level key, or with ``facts_key`` a key of the object under that key."""
    fact_depth = 0 if facts_key is None else 1
    stack: list[tuple[Any, int, str | None]] = [(data, 0, None)]
    while stack:
        value, depth, fact = stack.pop()
        if isinstance(value, _Number):
            where = f"fact '{fact}'" if fact is not None else what
            raise FactError(f"{where}: the number {_shown(value.text)} ({len(value.text)} "
                            f"characters) is too large, too small or too long to read exactly "
                            f"(at most {MAX_DIGITS} characters and a magnitude between "
                            f"1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT})",
                            code="PR601", fact=fact, value=value.text)
        if isinstance(value, dict | list):
            if depth >= JSON_MAX_DEPTH:
                where = f"fact '{fact}'" if fact is not None else what
                raise FactError(f"{where}: nested deeper than {JSON_MAX_DEPTH} levels",
                                code="PR600", fact=fact)
            if isinstance(value, dict):
                names = depth == fact_depth and (facts_key is None or fact == facts_key)
                stack.extend((v, depth + 1, k if names or depth == 0 else fact)
                             for k, v in value.items())
            else:
                stack.extend((v, depth + 1, fact) for v in value)


def read_json(text: str | bytes, what: str = "facts", facts_key: str | None = None) -> Any:
    """Strict JSON, the one way promorules reads facts (and records holding facts): numbers
    are exact (``int`` or ``Decimal``, never ``float``), and a repeated key, ``NaN`` /
    ``Infinity``, nesting deeper than ``JSON_MAX_DEPTH`` or a number that cannot be read
    exactly is refused. A leading UTF-8 byte-order mark is skipped.

    Raises FactError: ``PR101`` for text that is not JSON (with ``line`` and ``column``),
    ``PR102`` for a repeated key, ``PR602`` for NaN or infinity, ``PR600`` for nesting too
    deep, ``PR601`` for a number too long, too large or too small (naming the fact, the
    top-level key it is under, or with ``facts_key`` the key under ``data[facts_key]``, as
    in a record ``{"facts": {...}, ...}``). ``what`` names the text in messages (``facts``,
    ``record``).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FactError(f"{what}: not UTF-8 text ({e.reason} at byte {e.start})",
                            code="PR100") from None
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text, parse_int=_json_int, parse_float=_json_float,
                          parse_constant=_json_constant, object_pairs_hook=_json_object)
    except json.JSONDecodeError as e:
        verb = "are" if what.endswith("s") else "is"
        raise FactError(f"{what} {verb} not valid JSON: {e.msg}", code="PR101", line=e.lineno,
                        column=e.colno) from None
    except _Repeated as e:
        raise FactError(f"{what}: duplicate key '{e.key}'", code="PR102") from None
    except RecursionError:
        raise FactError(f"{what}: nested deeper than {JSON_MAX_DEPTH} levels",
                        code="PR600") from None
    except ValueError as e:  # NaN, Infinity
        raise FactError(f"{what}: {e}", code="PR602") from None
    _check_json(data, what, facts_key)
    return data


def read_json_facts(text: str | bytes) -> dict[str, Any]:
    """The facts of a JSON document: an object of fact names to values, read by
    :func:`read_json` (exact numbers; repeated keys, NaN, too deep nesting and unreadable
    numbers refused). Raises FactError (``PR600`` when the document is not an object)."""
    data = read_json(text, "facts")
    if not isinstance(data, dict):
        raise FactError("the facts file must hold a JSON object of fact names to values",
                        code="PR600")
    return data
