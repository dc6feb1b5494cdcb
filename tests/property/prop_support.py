"""Shared helpers for the property tests: the shipped ruleset, fact strategies drawn from
the declared fact types, and small trace utilities.

(Named ``prop_support`` rather than ``support``/``helpers`` so that it cannot collide with a
module of the same name in another test directory under pytest's default import mode.)
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, localcontext
from typing import Any

from hypothesis import strategies as st

import promorules
import shipped_rulesets
from promorules import RuleResult

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULESET_PATH = ROOT / "rulesets" / "1688_spring.yaml"
EXAMPLES = ROOT / "examples" / "1688_spring"
AS_OF = "2024-03-01T12:00:00+08:00"
TZ = dt.timezone(dt.timedelta(hours=8))

RS = shipped_rulesets.load("1688_spring")
RULESET_TEXT = RULESET_PATH.read_text(encoding="utf-8")

#: every fact of every decision passes with these (registration_ok.json is the union).
BASE_FACTS: dict[str, Any] = json.loads((EXAMPLES / "registration_ok.json").read_text("utf-8"))

PASSFAIL = tuple(d for d, c in RS.decisions.items() if c.kind == "passfail")
VALUE_DECISIONS = tuple(d for d, c in RS.decisions.items() if c.kind == "value")

INDUSTRIES = tuple(RS.model.lists["industries"].items)
BANNED = tuple(RS.model.lists["banned_words"].items)
REMOTE = tuple(RS.model.lists["remote_regions"].items)

ORDER_OPS = ("<", "<=", ">", ">=")


# -- decisions -------------------------------------------------------------------------

def facts_read(decision: str, rs: promorules.Ruleset = RS) -> tuple[str, ...]:
    """Every fact a decision reads, including through the decisions it refers to."""
    seen: dict[str, None] = {}

    def visit(did: str) -> None:
        c = rs.decisions[did]
        for name in c.fact_names:
            seen.setdefault(name)
        for sub in c.subs:
            visit(sub)

    visit(decision)
    return tuple(seen)


def node_by_id(result_or_trace: Any, rule_id: str) -> RuleResult:
    trace = getattr(result_or_trace, "trace", result_or_trace)
    found = [n for n in trace.walk() if n.rule_id == rule_id]
    assert found, f"no rule {rule_id!r} in the trace"
    return found[0]


def walk_with_parent(node: RuleResult, parent: RuleResult | None = None
                     ) -> Iterator[tuple[RuleResult, RuleResult | None]]:
    yield node, parent
    for child in node.children:
        yield from walk_with_parent(child, node)


# -- decimals --------------------------------------------------------------------------

def exact(op: str, a: Decimal, b: Decimal) -> Decimal:
    """``a op b`` with enough precision to be exact for the values the tests use."""
    with localcontext() as ctx:
        ctx.prec = 200
        return a + b if op == "+" else a - b


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)  # str() of an int of thousands of digits fails
    return Decimal(str(value).strip())


def granularity(*values: Decimal) -> Decimal:
    """The smallest decimal unit among the values as written (``1`` for whole numbers)."""
    exps = [v.as_tuple().exponent for v in values]
    return Decimal(1).scaleb(min(0, *[e for e in exps if isinstance(e, int)]))


def compare(op: str, x: Decimal, t: Decimal) -> bool:
    return {"<": x < t, "<=": x <= t, ">": x > t, ">=": x >= t}[op]


def expected_gap(op: str, x: Decimal, t: Decimal, step: Decimal) -> Decimal:
    """The contract's gap for a failed ``x op t``."""
    with localcontext() as ctx:
        ctx.prec = 200
        return {">=": t - x, ">": t - x + step, "<=": x - t, "<": x - t + step}[op]


def towards_passing(op: str) -> str:
    """Which way the subject must move to pass: ``+`` for >=/>, ``-`` for <=/<."""
    return "+" if op in (">=", ">") else "-"


# -- fact strategies -------------------------------------------------------------------

def decimal_text(value: Decimal) -> str:
    return format(value, "f")


@st.composite
def decimals(draw: st.DrawFn, lo: Decimal | int | None, hi: Decimal | int | None,
             places: int | None = None, around: tuple[Decimal | int, ...] = ()) -> Decimal:
    """A Decimal in [lo, hi], often close to one of ``around`` (thresholds)."""
    if places is None:
        places = draw(st.integers(0, 4))
    unit = Decimal(1).scaleb(-places)
    lo_d = Decimal(-10_000) if lo is None else Decimal(lo)
    hi_d = Decimal(100_000) if hi is None else Decimal(hi)
    if around and draw(st.booleans()):
        centre = Decimal(draw(st.sampled_from(around)))
        value = centre + draw(st.integers(-3, 3)) * unit
    else:
        value = draw(st.decimals(lo_d, hi_d, places=places, allow_nan=False,
                                 allow_infinity=False))
    return min(max(value, lo_d), hi_d)


def json_number(draw: st.DrawFn, value: Decimal, integral_only: bool = False) -> Any:
    """``value`` as JSON delivers it: an int, a float (when exact) or a decimal string."""
    if value == value.to_integral_value() and (integral_only or draw(st.booleans())):
        return int(value)
    forms = ["str"]
    if Decimal(repr(float(value))) == value:
        forms.append("float")
    form = draw(st.sampled_from(forms))
    return float(value) if form == "float" else decimal_text(value)


THRESHOLDS_BY_FACT: dict[str, tuple[Decimal | int, ...]] = {
    "pickup_rate_48h_30d": (90,),
    "growth_score": (60,),
    "buyer_protection_deposit": (3000,),
    "violation_points_year": (36,),
    "prohibited_info_points": (24,),
    "min_order_qty": (2,),
    "experience_score_30d": (2,),
    "dispute_score_30d": (4,),
    "market_price": (Decimal("100.00"), Decimal("20")),
    "activity_price_pc": (Decimal("95.00"), Decimal("19")),
    "activity_price_mobile": (Decimal("95.00"), Decimal("19")),
}

WINDOW_EDGES = (
    dt.datetime(2023, 2, 23, 0, 0, 0, tzinfo=TZ),
    dt.datetime(2024, 3, 5, 23, 59, 59, tzinfo=TZ),
)


@st.composite
def valid_value(draw: st.DrawFn, name: str, rs: promorules.Ruleset = RS) -> Any:
    """A valid JSON-like value of the declared type of fact ``name``."""
    ft = rs.facts[name]
    k = ft.kind
    if k == "boolean":
        return draw(st.booleans())
    if k in ("enum", "ordinal"):
        return draw(st.sampled_from(ft.values))
    if k == "string":
        if name in ("main_industry", "industry"):
            return draw(st.one_of(st.sampled_from(INDUSTRIES), st.text(max_size=6)))
        if name == "title":
            prefix = draw(st.text(max_size=8))
            word = draw(st.sampled_from(("", "", *BANNED, "最", "全球")))
            return prefix + word + draw(st.text(max_size=8))
        if name == "destination_region":
            return draw(st.one_of(st.sampled_from(REMOTE),
                                  st.sampled_from(("浙江", "广东", "上海", "北京")),
                                  st.text(max_size=4)))
        return draw(st.text(max_size=10))
    if k in ("number", "integer", "percent", "money"):
        lo = ft.minimum if ft.minimum is not None else (0 if k == "percent" else None)
        hi = ft.maximum if ft.maximum is not None else (100 if k == "percent" else None)
        places = 0 if k == "integer" else draw(st.integers(0, 2)) if k == "money" else None
        value = draw(decimals(lo, hi, places=places,
                              around=THRESHOLDS_BY_FACT.get(name, ())))
        return json_number(draw, value, integral_only=k == "integer")
    if k == "datetime":
        if draw(st.booleans()):
            edge = draw(st.sampled_from(WINDOW_EDGES))
            moment = edge + dt.timedelta(seconds=draw(st.integers(-2, 2)))
        else:
            moment = draw(st.datetimes(dt.datetime(2022, 1, 1), dt.datetime(2025, 12, 31)))
            offset = draw(st.sampled_from((None, 0, 8, -5)))
            if offset is not None:
                moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset)))
        return moment.isoformat()
    if k == "date":
        return draw(st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31))).isoformat()
    raise AssertionError(f"no strategy for fact type {k}")  # pragma: no cover


@st.composite
def partial_facts(draw: st.DrawFn, names: tuple[str, ...], p_absent: float | None = None,
                  rs: promorules.Ruleset = RS) -> dict[str, Any]:
    """Each fact independently present (with a valid value) or absent (key missing or
    null)."""
    out: dict[str, Any] = {}
    if p_absent is None:
        p_absent = draw(st.sampled_from((0.0, 0.05, 0.2, 0.5)))
    for name in names:
        absent = p_absent > 0 and draw(st.floats(0, 1)) < p_absent
        if absent:
            if draw(st.booleans()):
                out[name] = None
            continue
        out[name] = draw(valid_value(name, rs))
    return out


def absent(facts: Mapping[str, Any], name: str) -> bool:
    return facts.get(name) is None


# -- independent validity of JSON fact values (for the robustness tests) -----------------

_ASCII_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def clearly_invalid(name: str, value: Any, rs: promorules.Ruleset = RS) -> bool:
    """True when ``value`` is, beyond doubt, not a valid value of fact ``name`` (a present
    value that the contract says must raise FactError). Borderline inputs (date-time
    spellings) count as not clearly invalid; numbers in non-ASCII digits or with surrounding
    whitespace are invalid (api.md, "Numbers and text in facts"), and so are numbers beyond
    a few dozen digits and money below the cent."""
    if value is None:
        return False
    ft = rs.facts[name]
    k = ft.kind
    if k == "boolean":
        return not isinstance(value, bool)
    if k in ("enum", "ordinal"):
        return not isinstance(value, str) or value not in ft.values
    if k == "string":
        return not isinstance(value, str)
    if k in ("number", "integer", "percent", "money"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return True
        if (isinstance(value, float) and value != value) or value in (float("inf"),
                                                                      float("-inf")):
            return True
        if isinstance(value, str) and not _ASCII_NUMBER.fullmatch(value):
            return True
        if isinstance(value, str) and len(value) > 60:
            return True
        number = as_decimal(value)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent < -60 or (number and abs(number.adjusted()) > 60):
            return True
        if k == "money" and exponent < -2:
            return True
        lo = ft.minimum if ft.minimum is not None else (0 if k == "percent" else None)
        hi = ft.maximum if ft.maximum is not None else (100 if k == "percent" else None)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            return True
        return k == "integer" and number != number.to_integral_value()
    if k in ("date", "datetime"):
        return not isinstance(value, str)
    return False
