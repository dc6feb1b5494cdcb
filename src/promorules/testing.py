"""A testing kit for ruleset authors: Hypothesis strategies of valid facts, the explicit
boundary cases of every threshold, and :func:`check_ruleset`, which fuzzes every decision of
a ruleset against the engine's generic guarantees.

Needs Hypothesis (``pip install promorules[test]``)::

    from hypothesis import given
    from promorules.testing import boundaries, check_ruleset, facts

    rs = promorules.load("rulesets/1688_spring.yaml")

    @given(facts(rs, "merchant_eligibility"))
    def test_never_raises(f):
        rs.evaluate("merchant_eligibility", f, as_of="2024-03-01")

    def test_generic_properties():
        check_ruleset(rs)

See docs/testing-kit.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import attrs

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("promorules.testing needs Hypothesis: pip install 'promorules[test]'"
                      ) from e

from .compiler import FAILED, NA
from .errors import PromorulesError
from .expressions import ast
from .facts import NUMERIC_KINDS, FactType
from .model import Decision, Expr, Rule, ValueSpec
from .ruleset import Ruleset

__all__ = ["Boundary", "Threshold", "boundaries", "check_ruleset", "facts", "thresholds"]

_ORDER_OPS = ("<", "<=", ">", ">=")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_SIDES = ("below", "at", "above")
_GROUPS = ("all", "any", "not")

Number = int | Decimal
Value = int | Decimal | dt.date


@attrs.frozen
class Threshold:
    """A constant a fact is compared with: ``fact op value`` in rule ``rule_id`` of
    decision ``decision``."""

    decision: str
    rule_id: str
    fact: str
    op: str  # "<", "<=", ">", ">=" (a ``between`` gives one ">=" and one "<=")
    value: Value


@attrs.frozen
class Boundary:
    """One side of one threshold: ``facts`` holds only ``fact`` = ``value`` (as JSON), which
    is exactly ``at`` the threshold of rule ``rule_id``, or one smallest step ``below`` or
    ``above`` it."""

    rule_id: str
    fact: str
    value: Value
    side: str  # "at" | "below" | "above"
    facts: dict[str, Any] = attrs.field(hash=False)


# -- what a decision reads -------------------------------------------------------------


def _closure(rs: Ruleset, decision: str) -> list[str]:
    """``decision`` and every decision it refers to (``decision:`` rules, names), in order."""
    seen: dict[str, None] = {}

    def visit(did: str) -> None:
        if did in seen:
            return
        seen[did] = None
        for sub in rs.decisions[did].subs:
            visit(sub)

    visit(decision)
    return list(seen)


def _fact_names(rs: Ruleset, decision: str) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for did in _closure(rs, decision):
        for name in rs.decisions[did].fact_names:
            names.setdefault(name)
    return tuple(names)


def _rule_exprs(rule: Rule) -> Iterator[tuple[str, Expr]]:
    if rule.applies_when is not None:
        yield rule.id, rule.applies_when
    if rule.check is not None:
        yield rule.id, rule.check
    for child in rule.children:
        yield from _rule_exprs(child)


def _spec_exprs(spec: ValueSpec, owner: str) -> Iterator[tuple[str, Expr]]:
    for expr in (spec.compute, spec.key, *spec.inputs):
        if expr is not None:
            yield owner, expr
    for case in spec.cases:
        yield owner, case.when
        yield from _spec_exprs(case.value, owner)
    if spec.default is not None:
        yield from _spec_exprs(spec.default, owner)
    for name, field in spec.fields.items():
        yield from _spec_exprs(field, name)
    for tier in spec.tiers:
        yield from _rule_exprs(tier)
    for row in spec.rows:
        if row.when is not None:
            yield row.id, row.when


def _decision_exprs(model: Decision) -> Iterator[tuple[str, Expr]]:
    if model.rule is not None:
        yield from _rule_exprs(model.rule)
    for rule in model.requires:
        yield from _rule_exprs(rule)
    for spec in (model.value, model.output):
        if spec is not None:
            yield from _spec_exprs(spec, model.id)


def _walk(node: ast.Node) -> Iterator[ast.Node]:
    yield node
    if isinstance(node, ast.ListLit):
        children: Sequence[ast.Node] = node.items
    elif isinstance(node, ast.Call):
        children = node.args
    elif isinstance(node, ast.Unary):
        children = (node.operand,)
    elif isinstance(node, (ast.Binary, ast.Compare)):
        children = (node.left, node.right)
    elif isinstance(node, ast.Between):
        children = (node.value, node.low, node.high)
    else:
        children = ()
    for child in children:
        yield from _walk(child)


def _constant(rs: Ruleset, node: ast.Node) -> Value | None:
    """The value of a constant operand: a number, a date or a parameter."""
    if isinstance(node, ast.NumLit):
        return node.value
    if isinstance(node, ast.DateLit):
        return node.value
    if isinstance(node, ast.Unary) and node.op == "-" and isinstance(node.operand, ast.NumLit):
        return -node.operand.value
    if isinstance(node, ast.Name) and node.id in rs.params:
        value = rs.params[node.id]
        return value if isinstance(value, (int, Decimal)) else None
    return None


def _subject(rs: Ruleset, node: ast.Node) -> FactType | None:
    """The fact an operand is, when it is a numeric or date fact by name."""
    if isinstance(node, ast.Name):
        ft = rs.facts.get(node.id)
        if ft is not None and (ft.kind in NUMERIC_KINDS or ft.kind == "date"):
            return ft
    return None


def thresholds(ruleset: Ruleset, decision: str) -> list[Threshold]:
    """Every ``fact <op> constant`` comparison (``<``, ``<=``, ``>``, ``>=``, ``between``)
    that ``decision`` and the decisions it refers to make, anywhere in their expressions
    (checks, ``applies_when``, cases, tiers, ...). A constant is a number, a date literal or
    a parameter (its value in force)."""
    found: dict[Threshold, None] = {}
    for did in _closure(ruleset, decision):
        for owner, expr in _decision_exprs(ruleset.decisions[did].model):
            for node in _walk(expr.node):
                pairs: list[tuple[str, ast.Node, ast.Node]] = []
                if isinstance(node, ast.Compare) and node.op in _ORDER_OPS:
                    pairs.append((node.op, node.left, node.right))
                    pairs.append((_FLIP[node.op], node.right, node.left))
                elif isinstance(node, ast.Between):
                    pairs += [(">=", node.value, node.low), ("<=", node.value, node.high)]
                for op, left, right in pairs:
                    ft, value = _subject(ruleset, left), _constant(ruleset, right)
                    if ft is None or value is None:
                        continue
                    if (ft.kind == "date") != isinstance(value, dt.date):
                        continue
                    found[Threshold(did, owner, ft.name, op, value)] = None
    return list(found)


# -- values ----------------------------------------------------------------------------


def _step(ft: FactType) -> Number:
    if ft.kind == "integer":
        return 1
    return ft.step if ft.step is not None else Decimal("0.01")


def _bounds(ft: FactType) -> tuple[Number | None, Number | None]:
    lo, hi = ft.minimum, ft.maximum
    if ft.kind == "percent":
        lo = 0 if lo is None else lo
        hi = 100 if hi is None else hi
    return lo, hi


def _in_range(ft: FactType, value: Value) -> bool:
    if isinstance(value, dt.date):
        return True
    lo, hi = _bounds(ft)
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _json(ft: FactType, value: Value) -> Any:
    """A value as a JSON fact: money and numbers as decimal strings, integers as ints,
    dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if ft.kind == "integer":
        return int(value)
    return format(Decimal(value), "f")


def _sides(ft: FactType, t: Value) -> list[tuple[str, Value]]:
    """(side, value) for a threshold: at it, one smallest step below and above, in range."""
    if isinstance(t, dt.date):
        day = dt.timedelta(days=1)
        out: list[tuple[str, Value]] = [("below", t - day), ("at", t), ("above", t + day)]
    elif ft.kind == "integer":
        d = Decimal(t)
        if d == d.to_integral_value():
            n = int(d)
            out = [("below", n - 1), ("at", n), ("above", n + 1)]
        else:  # no whole number is at it: the nearest on either side
            out = [("below", int(d.to_integral_value(rounding="ROUND_FLOOR"))),
                   ("above", int(d.to_integral_value(rounding="ROUND_CEILING")))]
    else:
        step = Decimal(_step(ft))
        d = Decimal(t)
        out = [("below", d - step), ("at", d), ("above", d + step)]
    return [(side, v) for side, v in out if _in_range(ft, v)]


def boundaries(ruleset: Ruleset, decision: str) -> list[Boundary]:
    """The boundary fact sets of ``decision``: for every threshold (see :func:`thresholds`),
    one fact set exactly at it and one a smallest step below and above it (integer 1, money
    0.01, number and percent their declared ``step`` or 0.01, dates one day), each labelled
    with the rule it probes. Sides outside the fact's declared range are left out."""
    out: dict[Boundary, None] = {}
    for t in thresholds(ruleset, decision):
        ft = ruleset.facts[t.fact]
        for side, value in _sides(ft, t.value):
            b = Boundary(t.rule_id, t.fact, value, side, {t.fact: _json(ft, value)})
            out.setdefault(b)
    return list(out)


# -- strategies ------------------------------------------------------------------------


def _date_range(rs: Ruleset) -> tuple[dt.date, dt.date]:
    """Dates whose working-day arithmetic the ruleset's calendar covers (a year's margin)."""
    years = sorted(rs.model.calendar.known_years)
    if not years:
        return dt.date(2020, 1, 1), dt.date(2030, 12, 31)
    # the longest run of consecutive known years
    best: list[int] = []
    run: list[int] = []
    for y in years:
        run = [*run, y] if run and y == run[-1] + 1 else [y]
        if len(run) > len(best):
            best = run
    lo, hi = best[0], best[-1]
    if hi - lo >= 2:
        lo, hi = lo + 1, hi - 1
    return dt.date(lo, 1, 1), dt.date(hi, 12, 31)


def _strings(rs: Ruleset) -> tuple[str, ...]:
    """String constants of the ruleset (list items, string literals), for string facts."""
    pool: dict[str, None] = {}
    for decl in rs.model.lists.values():
        for item in decl.items:
            if isinstance(item, str):
                pool.setdefault(item)
    for did in rs.decisions:
        for _owner, expr in _decision_exprs(rs.decisions[did].model):
            for node in _walk(expr.node):
                if isinstance(node, ast.StrLit):
                    pool.setdefault(node.value)
    return tuple(pool)


def _number_strategy(ft: FactType) -> st.SearchStrategy[Any]:
    lo, hi = _bounds(ft)
    lo_d = Decimal(-1_000_000) if lo is None else Decimal(lo)
    hi_d = Decimal(10_000_000) if hi is None else Decimal(hi)
    if ft.kind == "integer":
        return st.integers(int(lo_d.to_integral_value(rounding="ROUND_CEILING")),
                           int(hi_d.to_integral_value(rounding="ROUND_FLOOR")))
    places = 2
    if ft.step is not None:
        exponent = Decimal(ft.step).normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 2
    return st.decimals(lo_d, hi_d, places=places, allow_nan=False,
                       allow_infinity=False).map(lambda d: _json(ft, d))


def _value_strategy(ft: FactType, near: Sequence[Any], strings: tuple[str, ...],
                    dates: tuple[dt.date, dt.date], tz: dt.tzinfo) -> st.SearchStrategy[Any]:
    k = ft.kind
    base: st.SearchStrategy[Any]
    if k == "boolean":
        base = st.booleans()
    elif k in ("enum", "ordinal"):
        base = st.sampled_from(ft.values)
    elif k == "string":
        base = st.text(max_size=8)
        if strings:
            base = st.one_of(base, st.sampled_from(strings))
    elif k in NUMERIC_KINDS:
        base = _number_strategy(ft)
    elif k == "date":
        base = st.dates(*dates).map(dt.date.isoformat)
    elif k == "datetime":
        lo = dt.datetime.combine(dates[0], dt.time())
        hi = dt.datetime.combine(dates[1], dt.time(23, 59, 59))
        zones: st.SearchStrategy[Any] = st.sampled_from((None, dt.UTC, tz))
        base = st.datetimes(lo, hi, timezones=zones).map(
            lambda m: m.replace(microsecond=0).isoformat())
    else:  # list
        item: st.SearchStrategy[Any]
        if ft.item_kind == "enum":
            item = st.sampled_from(ft.values)
        elif ft.item_kind == "integer":
            item = st.integers(-1000, 100_000)
        elif ft.item_kind == "number":
            item = st.decimals(-1000, 100_000, places=2).map(lambda d: format(d, "f"))
        else:
            item = st.sampled_from(strings) | st.text(max_size=6) if strings else st.text(
                max_size=6)
        base = st.lists(item, max_size=5)
    if near:
        return st.one_of(st.sampled_from(tuple(near)), base)
    return base


def facts(ruleset: Ruleset, decision: str, near_thresholds: bool = True
          ) -> st.SearchStrategy[dict[str, Any]]:
    """A Hypothesis strategy of valid fact mappings for ``decision``.

    Every fact the decision reads (including through the decisions it refers to) is drawn
    from its declared type: money and numbers as decimal strings, integers as ints, dates
    and date-times as ISO strings, enums and ordinals from their values, lists of their
    items. Each fact may be absent (key left out, or ``None``). With ``near_thresholds``,
    numeric and date facts are drawn about half the time from the boundary values of the
    thresholds they are compared with (see :func:`boundaries`).
    """
    names = _fact_names(ruleset, decision)
    near: dict[str, list[Any]] = {n: [] for n in names}
    if near_thresholds:
        for b in boundaries(ruleset, decision):
            if b.fact in near and b.facts[b.fact] not in near[b.fact]:
                near[b.fact].append(b.facts[b.fact])
    strings = _strings(ruleset)
    dates = _date_range(ruleset)
    tz = ruleset.model.timezone
    values = {n: _value_strategy(ruleset.facts[n], near[n], strings, dates, tz)
              for n in names}

    @st.composite
    def draw_facts(draw: st.DrawFn) -> dict[str, Any]:
        p_absent = draw(st.sampled_from((0, 0, 10, 30, 60)))  # percent, per example
        out: dict[str, Any] = {}
        for name in names:
            if p_absent and draw(st.integers(0, 99)) < p_absent:
                if draw(st.booleans()):
                    out[name] = None
                continue
            out[name] = draw(values[name])
        return out

    return draw_facts()


def as_of_strategy(ruleset: Ruleset) -> st.SearchStrategy[dt.datetime]:
    """Evaluation instants inside the dates the ruleset's calendar covers."""
    lo, hi = _date_range(ruleset)
    return st.datetimes(dt.datetime.combine(lo, dt.time()),
                        dt.datetime.combine(hi, dt.time(23, 59, 59)),
                        timezones=st.just(ruleset.model.timezone))


# -- the generic properties ------------------------------------------------------------


def _where(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any) -> str:
    return (f"ruleset '{rs.id}' {rs.version} ({rs.source}), decision '{decision}', "
            f"facts {dict(facts)!r}, as_of {as_of!s}")


def _kleene(kind: str, outcomes: list[str]) -> str:
    live = [o for o in outcomes if o != "not_applicable"]
    if kind == "not":
        return {"pass": "fail", "fail": "pass"}.get(outcomes[0], outcomes[0])
    win, lose = ("fail", "pass") if kind == "all" else ("pass", "fail")
    if win in live:
        return win
    return "unknown" if "unknown" in live else lose


def _walk_ctx(node: Any, ctx: str) -> Iterator[tuple[Any, str]]:
    """(node, the decision it belongs to), depth first."""
    if node.decision is not None and node.kind != "decision":
        ctx = node.decision
    yield node, ctx
    for child in node.children:
        yield from _walk_ctx(child, ctx)


def _check_groups(rs: Ruleset, result: Any, where: str) -> None:
    conditional = {(did, n.id) for did in rs.decisions for n in rs.decisions[did].nodes
                   if n.conditional}
    for node, ctx in _walk_ctx(result.trace, result.decision):
        outcome = str(node.outcome)
        if outcome == "not_applicable" or not node.children:
            continue
        if outcome == "unknown" and (ctx, node.rule_id) in conditional:
            continue  # its applies_when may be what is unknown
        kids = ["not_applicable" if c.severity == "warning" else str(c.outcome)
                for c in node.children if c.kind != "reference"]
        if node.kind in _GROUPS and kids:
            expected = _kleene(node.kind, kids)
            if node.decision is not None and expected == "not_applicable":
                expected = "pass"  # a decision where nothing applies passes
        elif node.kind == "decision" and len(node.children) == 1:
            expected = str(node.children[0].outcome)
        else:
            continue
        if outcome != expected:
            raise AssertionError(
                f"Kleene violation in rule '{node.rule_id}' ({node.kind}) of decision "
                f"'{ctx}': outcome {outcome}, but its children {kids} combine to {expected}; "
                f"{where}")


def _move(ft: FactType, value: Any, gap: Any, op: str, threshold: Any) -> Any:
    x = Decimal(str(value))
    up = x < Decimal(str(threshold[0])) if op == "between" else op in (">", ">=")
    moved = x + Decimal(gap) if up else x - Decimal(gap)
    return _json(ft, moved) if _in_range(ft, moved) else None


def _check_gaps(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any,
                result: Any, where: str) -> None:
    infos = {(did, n.id): n for did in _closure(rs, decision) for n in rs.decisions[did].nodes}
    for node, ctx in _walk_ctx(result.trace, decision):
        if node.kind != "check" or str(node.outcome) != "fail" or node.gap is None:
            continue
        info = infos.get((ctx, node.rule_id))
        if (info is None or info.compare_op not in (*_ORDER_OPS, "between")
                or info.subject is None or info.lhs_text != info.subject):
            continue
        ft = rs.facts[info.subject]
        if ft.kind not in NUMERIC_KINDS or facts.get(info.subject) is None:
            continue
        moved = _move(ft, facts[info.subject], node.gap, info.compare_op, node.threshold)
        if moved is None:
            continue
        fixed = {**facts, info.subject: moved}
        after = rs.evaluate(decision, fixed, as_of=as_of)
        for again, ctx2 in _walk_ctx(after.trace, decision):
            if ctx2 == ctx and again.rule_id == node.rule_id:
                if str(again.outcome) != "pass" and not info.conditional:
                    raise AssertionError(
                        f"gap violation in rule '{node.rule_id}' of decision '{ctx}': "
                        f"{info.subject} = {facts[info.subject]!r} fails with gap {node.gap} "
                        f"(threshold {node.threshold}), but {info.subject} = {moved!r} "
                        f"gives {again.outcome}, not pass; {where}")
                break


def _check_unknown(rs: Ruleset, decision: str, facts: Mapping[str, Any], result: Any,
                   where: str) -> None:
    outcome = str(result.outcome)
    if outcome == "unknown":
        if not result.missing:
            raise AssertionError(f"outcome unknown but nothing is missing; {where}")
        present = [m for m in result.missing if facts.get(m) is not None]
        if present:
            raise AssertionError(f"outcome unknown with supplied facts {present} listed as "
                                 f"missing; {where}")
    elif result.missing:
        raise AssertionError(f"outcome {outcome} but missing lists {list(result.missing)}; "
                             f"{where}")
    if outcome == "unknown" and all(facts.get(n) is not None
                                    for n in _fact_names(rs, decision)):
        raise AssertionError(f"outcome unknown although every fact is supplied; {where}")


def check_case(ruleset: Ruleset, decision: str, facts: Mapping[str, Any],
               as_of: Any = None) -> None:
    """Check the generic properties on one fact set; raise AssertionError on a violation.

    - evaluation does not raise (the facts are valid: a FactError is a bug);
    - it is deterministic (two evaluations give the same ``to_dict()``);
    - every group node is the Kleene combination of its children (not-applicable children
      and warnings ignored; a decision where nothing applies passes);
    - moving a failed single-fact threshold's fact by the reported gap makes the rule pass;
    - unknown exactly when a needed fact is missing.
    """
    rs = ruleset
    where = _where(rs, decision, facts, as_of)
    try:
        result = rs.evaluate(decision, facts, as_of=as_of)
        again = rs.evaluate(decision, facts, as_of=as_of)
    except PromorulesError as e:
        raise AssertionError(f"evaluation raised {type(e).__name__} {e} for valid facts; "
                             f"{where}") from e
    first, second = result.to_dict(), again.to_dict()
    if first != second:
        raise AssertionError(f"two evaluations differ: {first!r} != {second!r}; {where}")
    _check_groups(rs, result, where)
    _check_unknown(rs, decision, facts, result, where)
    _check_gaps(rs, decision, facts, as_of, result, where)
    _check_monotone(rs, decision, facts, as_of, result, where)
    _check_money(rs, decision, result, where)


def _tier_rank(spec: ValueSpec, value: Any) -> int:
    """The position of a tier value (lowest first); the default ranks below every tier."""
    ids = [t.id for t in spec.tiers]
    return ids.index(value) if value in ids else -1


def _check_monotone(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any,
                    result: Any, where: str) -> None:
    """A tier never goes down when a fact declared ``monotone: increasing`` goes up (nor up
    when a ``decreasing`` one does)."""
    spec = rs.model.decisions[decision].value
    if spec is None or spec.kind != "tiers" or str(result.outcome) != "pass":
        return
    for name in _fact_names(rs, decision):
        ft = rs.facts[name]
        raw = facts.get(name)
        if ft.monotone is None or raw is None:
            continue
        value = ft.convert(raw)
        for bump in (_step(ft), max(_step(ft), abs(value) / 10), abs(value) + _step(ft)):
            higher = value + bump
            if not _in_range(ft, higher):
                continue
            moved = dict(facts, **{name: _json(ft, higher)})
            other = rs.evaluate(decision, moved, as_of=as_of)
            if str(other.outcome) != "pass":
                continue
            before, after = _tier_rank(spec, result.value), _tier_rank(spec, other.value)
            if (after < before) if ft.monotone == "increasing" else (after > before):
                raise AssertionError(
                    f"'{name}' is declared monotone: {ft.monotone}, but raising it from "
                    f"{value} to {higher} moves the tier from {result.value} to "
                    f"{other.value}; {where}")


def _check_money(rs: Ruleset, decision: str, result: Any, where: str) -> None:
    """Computed money never loses or invents a cent: the rounded value is the exact Decimal
    result rounded as declared, and a split's parts add up exactly to the amount."""
    if str(result.outcome) != "pass":
        return
    compiled = rs.decisions[decision]
    record = result._record
    for info in compiled.nodes:
        if info.detail is None or record.nodes[info.index] in (None, NA, FAILED):
            continue
        if info.compare_op == "formula" and info.kind == "compute" and info.rounding:
            exact = info.detail(record.facts, record.subs, result.as_of)[0]
            places, mode = info.rounding
            rounded = record.nodes[info.index]
            if not isinstance(exact, (int, Decimal)) or isinstance(exact, bool):
                continue
            want = Decimal(exact).quantize(Decimal(1).scaleb(-places),
                                           rounding=_ROUNDING_MODES[mode])
            if rounded != want or abs(rounded - Decimal(exact)) >= Decimal(1).scaleb(-places):
                raise AssertionError(
                    f"{info.id}: {exact} rounded {mode} to {places} places should be {want}, "
                    f"got {rounded}; {where}")
        elif info.compare_op == "split":
            amount = info.detail(record.facts, record.subs, result.as_of)[0]
            parts = record.nodes[info.index]
            if sum(parts.values()) != amount:
                raise AssertionError(f"{info.id}: the parts {dict(parts)} add up to "
                                     f"{sum(parts.values())}, not {amount}; {where}")


_ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN,
                   "down": ROUND_DOWN, "up": ROUND_UP}


def check_ruleset(ruleset: Ruleset, *, max_examples: int | None = None,
                  decisions: Sequence[str] | None = None) -> None:
    """Fuzz every decision of ``ruleset`` (or only ``decisions``) with Hypothesis against the
    generic properties of :func:`check_case`, after trying every boundary of
    :func:`boundaries` explicitly. ``max_examples`` overrides the active Hypothesis profile's
    example count. Raises AssertionError naming the decision, rule and facts on a violation
    (Hypothesis shrinks the facts first).

    Also: a tier never goes down when a fact declared ``monotone: increasing`` goes up, and
    computed money never loses or invents a cent against an exact Decimal recomputation.
    """
    for decision in decisions if decisions is not None else list(ruleset.decisions):
        lo, hi = _date_range(ruleset)
        as_of = dt.datetime.combine(lo + (hi - lo) / 2, dt.time(12),
                                    tzinfo=ruleset.model.timezone)
        for b in boundaries(ruleset, decision):
            check_case(ruleset, decision, b.facts, as_of)
        _fuzz(ruleset, decision, max_examples)()


def _fuzz(rs: Ruleset, decision: str, max_examples: int | None) -> Callable[[], None]:
    options: dict[str, Any] = {"deadline": None,
                               "suppress_health_check": [HealthCheck.too_slow,
                                                         HealthCheck.data_too_large]}
    if max_examples is not None:
        options["max_examples"] = max_examples

    @settings(**options)
    @given(case=facts(rs, decision), as_of=as_of_strategy(rs))
    def fuzz(case: dict[str, Any], as_of: dt.datetime) -> None:
        check_case(rs, decision, case, as_of)

    fuzz.__name__ = f"check_{rs.id}_{decision}"
    fuzz.__qualname__ = fuzz.__name__
    return fuzz
