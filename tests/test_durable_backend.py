"""The durable_rules backend: a differential test against the native engine, and units.

Skipped when durable-rules is not installed (``pip install 'promorules[durable]'``).
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import sys
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import promorules
import shipped_rulesets
from promorules.expressions import ast
from promorules.facts import NUMERIC_KINDS, FactType

pytest.importorskip("durable")

from promorules.backends import durable

ROOT = pathlib.Path(__file__).resolve().parents[1]
RULESETS = shipped_rulesets.load_all()
AS_OF = "2024-03-01T12:00:00+08:00"

# every pass/fail decision of the four shipped rulesets is supported by the backend
PASSFAIL = [(rid, d) for rid, rs in RULESETS.items() for d, c in rs.decisions.items()
            if c.kind == "passfail"]
SUPPORTED = PASSFAIL
COMPILED = {k: durable.compile(RULESETS[k[0]], k[1]) for k in SUPPORTED}


def _constants(rs: promorules.Ruleset) -> tuple[set[Decimal], set[dt.date], set[dt.datetime]]:
    """Numbers, dates and date-times written in the ruleset's rules (the thresholds)."""
    nums: set[Decimal] = {Decimal(v) for v in rs.params.values()}
    dates: set[dt.date] = set()
    stamps: set[dt.datetime] = set()

    def visit(node: Any) -> None:
        if isinstance(node, ast.NumLit):
            nums.add(Decimal(node.value))
        elif isinstance(node, ast.DateLit):
            dates.add(node.value)
        elif isinstance(node, ast.DateTimeLit):
            stamps.add(node.value)
        for name in ("items", "args", "operand", "left", "right", "value", "low", "high"):
            child = getattr(node, name, None)
            for c in child if isinstance(child, tuple) else (child,):
                if c is not None and hasattr(c, "pos"):
                    visit(c)

    def rule(r: Any) -> None:
        for e in (r.check, r.applies_when):
            if e is not None:
                visit(e.node)
        for c in r.children:
            rule(c)

    for dec in rs.model.decisions.values():
        if dec.rule is not None:
            rule(dec.rule)
    return nums, dates, stamps


def _number_text(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def _value(ft: FactType, rs: promorules.Ruleset) -> st.SearchStrategy[Any]:
    nums, dates, stamps = _constants(rs)
    if ft.kind in NUMERIC_KINDS:
        lo = Decimal(ft.minimum) if ft.minimum is not None else Decimal(-50)
        hi = Decimal(ft.maximum) if ft.maximum is not None else Decimal(20000)
        cent = Decimal("0.01")
        near = sorted({n + d for n in nums | {Decimal(95), Decimal(100)}
                       for d in (-cent, 0, cent)})
        places = 0 if ft.kind == "integer" else 2
        unit = Decimal(1) if places == 0 else cent
        pool = [n for n in near if lo <= n <= hi and n == n.quantize(unit)]
        anywhere = st.integers(int(lo / unit), int(hi / unit)).map(lambda i: i * unit)
        value = st.sampled_from(pool) | anywhere if pool else anywhere
        if places == 0:
            return value.map(int)
        # money and numbers as decimal strings with 2 places (or JSON numbers)
        return value.flatmap(lambda v: st.sampled_from([_number_text(v, 2), float(v)]))
    if ft.kind == "boolean":
        return st.booleans()
    if ft.kind in ("enum", "ordinal"):
        return st.sampled_from(ft.values)
    if ft.kind == "string":
        words = [str(i) for lst in rs.model.lists.values() for i in lst.items]
        if not words:  # a ruleset without lists (aliexpress_medals: credit codes)
            return st.sampled_from(["91330100000000001A", "91330100000000002B"]) | st.text(
                max_size=4)
        return (st.sampled_from(words) | st.text(max_size=4)
                | st.tuples(st.text(max_size=2), st.sampled_from(words), st.text(max_size=2))
                .map("".join))
    if ft.kind == "date":
        days = sorted({d + dt.timedelta(days=k) for d in dates for k in (-1, 0, 1)}) or [
            dt.date(2024, 3, 1)]
        return (st.sampled_from(days) | st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1))
                ).map(dt.date.isoformat)
    if ft.kind == "datetime":
        edges = sorted({s + dt.timedelta(seconds=k) for s in stamps for k in (-1, 0, 1)}) or [
            dt.datetime(2024, 3, 1)]
        naive = st.sampled_from(edges) | st.datetimes(dt.datetime(2022, 1, 1),
                                                      dt.datetime(2025, 1, 1))
        return naive.flatmap(lambda t: st.sampled_from([
            t.isoformat(), t.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat(),
            t.replace(tzinfo=dt.UTC).isoformat()]))
    if ft.kind == "list":
        return st.lists(st.sampled_from(ft.values), unique=True)
    raise AssertionError(ft.kind)  # pragma: no cover


def _examples(rid: str) -> list[dict[str, Any]]:
    """The shipped example fact sets of a ruleset (mostly passing: good starting points)."""
    out: list[dict[str, Any]] = []
    merged: dict[str, Any] = {}  # the passing examples together (for decisions using others)
    for path in sorted((ROOT / "examples" / rid).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and set(data) <= set(RULESETS[rid].facts):
            out.append(data)
            if path.stem.endswith("_ok"):
                merged.update(data)
    return [merged, *out] if merged else out


EXAMPLES = {rid: _examples(rid) for rid in RULESETS}


@st.composite
def _facts(draw: st.DrawFn, key: tuple[str, str]) -> dict[str, Any]:
    """Facts from the declared types; half the time a shipped example with a few facts
    changed or removed, so that passing (and just failing) cases are drawn too."""
    rs = RULESETS[key[0]]
    names = COMPILED[key].facts
    bases = EXAMPLES[key[0]]
    base: dict[str, Any] = {}
    use_base: bool = draw(st.booleans())
    if bases and use_base:  # the merged passing examples half of the time
        base = draw(st.sampled_from(bases[:1] * len(bases) + bases))
    changed = draw(st.sets(st.sampled_from(names), max_size=2)) if base else set(names)
    out: dict[str, Any] = {}
    for name in names:
        if name in base and name not in changed:
            out[name] = base[name]
        elif draw(st.integers(0, 9)) > 0:  # absent: about one fact in ten
            out[name] = draw(_value(rs.facts[name], rs))
    return out


def _agree(key: tuple[str, str], facts: dict[str, Any]) -> None:
    native = RULESETS[key[0]].evaluate(key[1], facts, as_of=AS_OF).outcome
    assert COMPILED[key].evaluate(facts, as_of=AS_OF) == str(native), (key, facts)


def test_every_shipped_passfail_decision_compiles() -> None:
    assert len(COMPILED) == len(PASSFAIL) == 10
    assert ("aliexpress_medals", "store_type_change") in COMPILED
    assert ("offline_coop", "individual_eligibility") in COMPILED


@pytest.mark.parametrize(("last_change", "outcome"),
                         [("2022-05-01", "fail"), ("2022-04-30", "pass"), (None, "unknown")])
def test_time_dependent_decision_uses_as_of(last_change: str | None, outcome: str) -> None:
    # store_type_change reads days_between(last_store_type_change_on, today): day 29 fails,
    # day 30 passes, at as_of 2022-05-30 in the ruleset's time zone
    key = ("aliexpress_medals", "store_type_change")
    facts = {} if last_change is None else {"last_store_type_change_on": last_change}
    as_of = "2022-05-30T23:30:00+08:00"
    native = RULESETS[key[0]].evaluate(key[1], facts, as_of=as_of).outcome
    assert COMPILED[key].evaluate(facts, as_of=as_of) == str(native) == outcome


@pytest.mark.parametrize("key", SUPPORTED, ids=[f"{r}:{d}" for r, d in SUPPORTED])
def test_differential(key: tuple[str, str]) -> None:
    @settings(max_examples=40)
    @given(facts=_facts(key))
    def check(facts: dict[str, Any]) -> None:
        _agree(key, facts)

    check()


# boundaries found or worth keeping, as explicit examples
@example(facts={"activity_price_pc": "95.00", "activity_price_mobile": "95.00",
                "market_price": "100.00"})
@example(facts={"activity_price_pc": "95.01", "market_price": "100.00"})
@example(facts={"activity_price_pc": "94.99", "market_price": 100})
@example(facts={"activity_price_pc": "1.24", "market_price": "1.30"})  # 0.95 x = 1.235
@example(facts={"activity_price_pc": "1.23", "market_price": "1.30"})
@example(facts={"title": "最好的商品"})
@example(facts={"title": "a\n最低價"})
@given(facts=st.just({}))
@settings(max_examples=1)
def test_product_boundaries(facts: dict[str, Any]) -> None:
    _agree(("1688_spring", "product_eligibility"), facts)


@pytest.mark.parametrize("facts", [
    {"buyer_protection_deposit": "2999.99"}, {"buyer_protection_deposit": 3000},
    {"buyer_protection_deposit": 2999.99}, {"trade_medal_level": "none"},
    {"chengxintong_active": False}, {"chengxintong_active": True},
    {"chengxintong_active": True, "chengxintong_type": "individual"},
])
def test_merchant_boundaries(facts: dict[str, Any]) -> None:
    _agree(("1688_spring", "merchant_eligibility"), facts)


@pytest.mark.parametrize("facts", [
    {"submitted_at": "2024-03-05T23:59:59"}, {"submitted_at": "2024-03-06T00:00:00"},
    {"submitted_at": "2024-03-05T15:59:59Z"}, {"submitted_at": "2024-03-05T16:00:00Z"},
    {"submitted_at": "2023-02-22T23:59:59+08:00"},
])
def test_registration_window_boundaries(facts: dict[str, Any]) -> None:
    _agree(("1688_spring", "registration"), facts)


@pytest.mark.parametrize("facts", [
    {"applicant_type": "corporate", "documents": []},
    {"applicant_type": "individual", "documents": []},
    {"applicant_type": "corporate",
     "documents": ["application_form", "business_license", "legal_rep_id_copy"]},
    {"documents": ["application_form"]}, {"applicant_type": "individual"},
])
def test_required_documents_boundaries(facts: dict[str, Any]) -> None:
    _agree(("offline_coop", "required_documents"), facts)


def test_two_compiles_coexist() -> None:
    rs = RULESETS["1688_spring"]
    a = durable.compile(rs, "merchant_eligibility")
    b = durable.compile(rs, "merchant_eligibility")
    assert a.name != b.name
    assert a.name.startswith("1688_spring_merchant_eligibility_")
    low = {"buyer_protection_deposit": "2999.99"}
    assert a.evaluate(low) == b.evaluate(low) == "fail"


def test_rule_names_are_rule_ids() -> None:
    rs = RULESETS["1688_spring"]
    dd = COMPILED[("1688_spring", "merchant_eligibility")]

    def ids(r: Any) -> set[str]:
        return {r.id}.union(*(ids(c) for c in r.children))

    root = rs.model.decisions["merchant_eligibility"].rule
    assert root is not None
    assert {n.split(":")[0] for n in dd.rule_names} == ids(root)
    assert "merchant_eligibility" in dd.rule_names
    assert "merchant_eligibility:fail" in dd.rule_names
    outcomes = dd.rule_outcomes({"buyer_protection_deposit": "2999.99"})
    assert outcomes["merchant_eligibility"] == "fail"
    failing = [i for i, o in outcomes.items() if o == "fail" and i != "merchant_eligibility"]
    assert failing and all(o in ("fail", "unknown", "pass") for o in outcomes.values())


def test_missing_durable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "durable", None)  # "import durable" now fails
    with pytest.raises(promorules.PromorulesError, match=r"pip install 'promorules\[durable\]'"):
        durable.compile(RULESETS["1688_spring"], "merchant_eligibility")


def test_importing_promorules_does_not_import_durable() -> None:
    import subprocess

    code = ("import sys, promorules, promorules.backends; "
            "assert 'durable' not in sys.modules, 'durable was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_value_decisions_and_inexact_numbers_are_refused() -> None:
    rs = RULESETS["1688_spring"]
    with pytest.raises(promorules.PromorulesError, match="value decisions"):
        durable.compile(rs, "benefits")
    dd = COMPILED[("1688_spring", "merchant_eligibility")]
    with pytest.raises(promorules.PromorulesError, match="decimal places"):
        dd.evaluate({"buyer_protection_deposit": "2999.9999999"})
    with pytest.raises(promorules.FactError):
        dd.evaluate({"trade_medal_level": "B"})


_IR_DEMO = """\
id: durable_ir
version: 1.0.0
title: {en: D, zh: D}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
params:
  floor: {type: money, currency: CNY, default: 500}
facts:
  deposit: {type: money, currency: CNY, min: 0}
  level: {type: ordinal, values: [none, A, AA, AAA]}
  opened_at: {type: datetime}
decisions:
  ok:
    description: {en: OK, zh: OK}
    all:
      - {id: floor_ok, description: {en: F, zh: F}, source: "D 1", check: deposit > floor}
      - {id: level_ok, description: {en: L, zh: L}, source: "D 1",
         check: "level in [A, 'AAA'] or AA == level"}
      - {id: opened_ok, description: {en: O, zh: O}, source: "D 1",
         check: opened_at < 2024-03-01T00:00:00}
  timed:
    description: {en: T, zh: T}
    all:
      - {id: now_ok, description: {en: N, zh: N}, source: "D 1", check: opened_at < as_of}
"""


@pytest.mark.parametrize("facts", [
    {"deposit": "800", "level": "A", "opened_at": "2024-02-29T23:59:59"},
    {"deposit": "800.01", "level": "AA", "opened_at": "2024-02-29T15:59:59Z"},
    {"deposit": "800.01", "level": "AAA", "opened_at": "2024-02-29T16:00:00Z"},
    {"deposit": "900", "level": "none"}, {"deposit": "500.01", "level": "A"},
])
def test_parameters_symbols_and_datetimes_come_resolved_from_the_ir(facts: dict[str, Any]
                                                                    ) -> None:
    # the parameter's value in force (overridden to 800), ordinal symbols bare or quoted and
    # on either side, and a naive date-time literal in the ruleset's zone: all resolved by
    # the checker and encoded by their IR type
    rs = promorules.loads(_IR_DEMO, params={"floor": 800})
    dd = durable.compile(rs, "ok")
    native = rs.evaluate("ok", facts, as_of=AS_OF)
    assert dd.evaluate(facts, as_of=AS_OF) == str(native.outcome)
    outcomes = dd.rule_outcomes(facts, as_of=AS_OF)
    assert {r for r, o in outcomes.items() if o == "fail"} - {"ok"} == set(
        native.failed_rule_ids)


def test_unsupported_constructs_name_the_expression() -> None:
    rs = promorules.loads(_IR_DEMO)
    with pytest.raises(promorules.PromorulesError,
                       match=r"PR811 .*'as_of' \(time-dependent rules\) in 'opened_at < as_of'"):
        durable.compile(rs, "timed")
