"""Pipeline stage 4c: the runtime the generated code runs against.

``NA`` (not applicable), ``FAILED`` (a value that could not be computed), the fixed decimal
context, the record a compiled decision returns, and the helper functions generated code
calls, gathered in the ``RUNTIME`` namespace every generated function starts from.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from .. import calendar as cal
from ..errors import FactError
from ..zh_script import fold_value

__all__ = ["DECIMAL_CONTEXT", "FAILED", "NA", "RUNTIME", "Record", "exact_facts"]


class _NotApplicable:
    """The outcome of a rule whose ``applies_when`` is false."""

    _instance: _NotApplicable | None = None

    def __new__(cls) -> _NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"

    def __reduce__(self) -> str:
        return "NA"


NA = _NotApplicable()
FAILED = ("promorules.FAILED",)  # a value computation that failed (not unknown)

# Decimal arithmetic in a fixed context, whatever the caller's thread context says.
# Traces and explanations compute in it too, never in the caller's.
DECIMAL_CONTEXT = decimal.Context(
    prec=34, rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
_ROUNDING = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN,
             "down": decimal.ROUND_DOWN, "up": decimal.ROUND_UP}



def _contains_any(text: str, words: Sequence[str]) -> bool:
    return any(w in text for w in words)


def _concat(*parts: str) -> str:
    return "".join(parts)


def _missing_from(have: Sequence[Any], required: Sequence[Any]) -> tuple[Any, ...]:
    got = set(have)
    return tuple(r for r in required if r not in got)


def _includes_all(have: Sequence[Any], required: Sequence[Any]) -> bool:
    got = set(have)
    return all(r in got for r in required)


def _round(value: Decimal | int, places: int, mode: str = "half_up") -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=_ROUNDING[mode],
                                   context=DECIMAL_CONTEXT)


def _add_days(day: dt.date, n: int | Decimal) -> dt.date:
    return day + dt.timedelta(days=_whole(n, "add_days"))


def _days_between(a: dt.date, b: dt.date) -> int:
    return (b - a).days


# The fast path takes a number as it is only when it is plainly within the bounds that
# FactType conversion enforces (promorules.facts.number_problem): ASCII digits, at most 55
# before the point and 2 after it (money's limit: a number with more decimals is left to the
# full conversion, which knows the fact's kind), no exponent, no surrounding whitespace.
# Anything else returns None: the full conversion judges it and words the FactError, so both
# paths accept and refuse the same values, with the same message.
_PLAIN = re.compile(r"[-+]?[0-9]{1,55}(?:\.[0-9]{0,2})?").fullmatch
_FAST_LIMIT = Decimal("1e55")


def _canon_number(value: Any) -> int | Decimal | None:
    """What the full conversion makes of a float, Decimal or decimal string, or None
    when it must be judged by the full path (NaN, bool, odd types, unusual numbers)."""
    cls = value.__class__
    if cls is str:  # money usually arrives as a decimal string: the hot case first
        return Decimal(value) if _PLAIN(value) else None
    if cls is float:
        text = repr(value)  # finite and plain: below 1e16, at least 1e-4
        return Decimal(text) if _PLAIN(text) else None
    if cls is Decimal:
        if not value.is_finite() or not -_FAST_LIMIT < value < _FAST_LIMIT:
            return None
        exponent = value.as_tuple().exponent
        return value if isinstance(exponent, int) and exponent >= -2 else None
    return None


def _canon_integer(value: Any) -> int | None:
    number = _canon_number(value)
    if number is None or number != int(number):
        return None
    return int(number)


_BAD = ("promorules.BAD",)


def _try(convert: Callable[[Any], Any], value: Any) -> Any:
    if value is None:
        return _BAD
    try:
        return convert(value)
    except FactError:
        return _BAD





_CENT = Decimal("0.01")


def _split(amount: int | Decimal, percents: tuple[Decimal | int, ...], places: int,
           mode: str) -> tuple[Decimal, ...]:
    """``amount`` split by ``percents`` (adding up to 100), in promorules' decimal context
    whatever the caller's: every part but the last is the amount's share rounded to
    ``places`` by ``mode``, capped so that the parts so far never exceed the amount (a
    rounding up cannot make the last part negative); the last part is the remainder. Every
    part is quantized to ``places`` and has the amount's sign, and the parts add up to the
    amount exactly. An amount with more decimal places than ``places`` is a FactError
    (``PR606``): it cannot be split into such parts exactly."""
    c = DECIMAL_CONTEXT
    unit = Decimal(1).scaleb(-places)
    whole = Decimal(amount).quantize(unit, context=c)
    if whole != amount:
        raise FactError(f"cannot split {amount}: it has more than {places} decimal places",
                        code="PR606")
    size = c.abs(whole)
    parts: list[Decimal] = []
    taken = Decimal(0).quantize(unit, context=c)
    for pct in percents[:-1]:
        share = c.divide(c.multiply(size, Decimal(pct)), Decimal(100))
        part = min(_round(share, places, mode), c.subtract(size, taken))
        parts.append(part)
        taken = c.add(taken, part)
    parts.append(c.subtract(size, taken))
    if whole < 0:
        parts = [c.minus(p) for p in parts]
    total = Decimal(0)
    for p in parts:
        total = c.add(total, p)
    if total != whole:  # pragma: no cover - exact in the context, by construction
        raise FactError(f"cannot split {amount} exactly", code="PR606")
    return tuple(parts)


def _cents(value: int | Decimal) -> Decimal:
    """A money value as an amount of cents, exactly; rounding must be explicit."""
    exact = Decimal(value).quantize(_CENT, context=DECIMAL_CONTEXT)
    if exact != value:
        raise FactError(f"the money value {value} is not a whole number of cents and the "
                        "decision declares no rounding ('round:')", code="PR606")
    return exact


def _arithmetic_error(error: Exception, decision: str) -> FactError:
    if isinstance(error, (ZeroDivisionError, decimal.DivisionByZero)):
        problem = "a division by zero"
    elif isinstance(error, (OverflowError, decimal.Overflow)):
        problem = "a number or date out of range"
    else:
        problem = "an invalid arithmetic operation"
    return FactError(f"decision '{decision}' cannot be computed with these facts: {problem}",
                     code="PR606")


def _whole(n: int | Decimal, what: str) -> int:
    if n != int(n):
        raise FactError(f"{what} needs a whole number, got {n}", code="PR606")
    return int(n)


def _add_working_days(calendar: Any, day: dt.date, n: int | Decimal) -> dt.date:
    result: dt.date = calendar.add_working_days(day, _whole(n, "add_working_days"))
    return result


def _add_months(day: dt.date, n: int | Decimal) -> dt.date:
    return cal.add_months(day, _whole(n, "add_months"))


def exact_facts(facts: tuple[Any, ...], floats: tuple[int, ...]) -> tuple[Any, ...]:
    """A record's facts with each number held as the float it was given as (at the
    positions ``floats``, ``CompiledDecision.float_facts``: the fast path compares such
    floats without converting them) read as its exact decimal, ``Decimal(repr(x))``: what
    the full conversion makes of it. ``facts`` itself when there is none. The one place
    that conversion is made; every reader of a record's fact values calls it."""
    for p in floats:
        if facts[p].__class__ is float:
            break
    else:
        return facts
    exact = list(facts)
    for p in floats:
        if exact[p].__class__ is float:
            exact[p] = Decimal(repr(exact[p]))
    return tuple(exact)


class Record(NamedTuple):
    """What a compiled decision's function returns: everything a trace is built from.

    ``outcome`` is True (pass), False (fail) or None (unknown); ``value`` the decision's
    value (value decisions); ``nodes`` the value of every node of the decision's node table,
    by index; ``facts`` the converted facts, in ``CompiledDecision.fact_names`` order (at
    the positions ``CompiledDecision.float_facts``, a number may be the float it came as:
    read the values through :func:`exact_facts`); ``subs`` the records of the decisions it
    uses, in ``CompiledDecision.subs`` order; ``defaults`` the names of the facts of this
    decision that were not sent and took their declared default (their values in ``facts``
    are the defaults).
    """

    outcome: bool | None
    value: Any
    nodes: tuple[Any, ...]
    facts: tuple[Any, ...]
    subs: tuple[Record, ...]
    defaults: tuple[str, ...] = ()


RUNTIME: dict[str, Any] = {
    "_zh_fold": fold_value,  # text compared under `match: chinese`
    "_split": _split,
    "_concat": _concat,
    "_Record": Record,
    "_includes_all": _includes_all,
    "NA": NA, "FAILED": FAILED, "CTX": DECIMAL_CONTEXT,
    "_PENDING": ("pending",),
    "_Decimal": Decimal,
    "_contains_any": _contains_any, "_missing_from": _missing_from, "_round": _round,
    "_add_days": _add_days, "_canon_number": _canon_number,
    "_canon_integer": _canon_integer, "_try": _try, "_BAD": _BAD,
    "_days_between": _days_between, "_cents": _cents,
    "_arithmetic_error": _arithmetic_error,
    "_add_working_days": _add_working_days, "ONE": 1,
    "_years_between": cal.years_between, "_quarter_start": cal.quarter_start,
    "_quarter_end": cal.quarter_end, "_add_months": _add_months,
    "_ArithmeticErrors": (ArithmeticError, decimal.DecimalException, OverflowError),
}

