"""The testing kit's generic properties, checked on evaluations: no error on valid facts,
determinism, Kleene logic in the trace, gaps that fix a failed threshold, unknown exactly
when a fact is missing, monotone tiers and exact money. What a rule means (its comparison,
its ``applies_when``, its rounding) is read from the typed IR (pipeline stage 4a); what an
evaluation gave, from the public :class:`~promorules.Result`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings

from .. import ir
from ..compiler import DECIMAL_CONTEXT
from ..errors import PromorulesError
from ..exact import NotArithmetic, exact
from ..facts import FactType
from ..ruleset import Ruleset
from ..trace import Result, RuleResult
from .strategies import as_of_strategy, date_range, facts
from .thresholds import boundaries, in_range, step, to_json
from .walk import closure, decision_ir, fact_names

__all__ = ["check_case", "check_ruleset"]

_GROUPS = ("all", "any", "not")
_NUMERIC = ir.NUMERIC_TY
_ROUNDING_MODES = {ir.RoundingMode.HALF_UP: ROUND_HALF_UP,
                   ir.RoundingMode.HALF_EVEN: ROUND_HALF_EVEN,
                   ir.RoundingMode.DOWN: ROUND_DOWN, ir.RoundingMode.UP: ROUND_UP}


def _where(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any) -> str:
    return (f"ruleset '{rs.id}' {rs.version} ({rs.source}), decision '{decision}', "
            f"facts {dict(facts)!r}, as_of {as_of!s}")


def _walk_ctx(node: RuleResult, ctx: str) -> Iterator[tuple[RuleResult, str]]:
    """(trace node, the decision it belongs to), depth first."""
    if node.decision is not None and node.kind != "decision":
        ctx = node.decision
    yield node, ctx
    for child in node.children:
        yield from _walk_ctx(child, ctx)


# -- Kleene logic ----------------------------------------------------------------------


def _kleene(kind: str, outcomes: list[str]) -> str:
    live = [o for o in outcomes if o != "not_applicable"]
    if kind == "not":
        return {"pass": "fail", "fail": "pass"}.get(outcomes[0], outcomes[0])
    win, lose = ("fail", "pass") if kind == "all" else ("pass", "fail")
    if win in live:
        return win
    return "unknown" if "unknown" in live else lose


def _check_groups(rs: Ruleset, result: Result, where: str) -> None:
    conditional = {(did, r.id) for did in rs.decisions for r in ir.rules(decision_ir(rs, did))
                   if r.applies_when is not None}
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


# -- gaps ------------------------------------------------------------------------------


@attrs.frozen
class _Compared:
    """A check whose expression compares a numeric fact (on the left) with anything."""

    fact: str
    op: str  # < <= > >= between
    conditional: bool


def _single_fact_thresholds(rs: Ruleset, decision: str) -> dict[tuple[str, str], _Compared]:
    found: dict[tuple[str, str], _Compared] = {}
    for did in closure(rs, decision):
        for rule in ir.rules(decision_ir(rs, did)):
            if not isinstance(rule, ir.Check):
                continue
            tree = rule.expr.tree
            if isinstance(tree, ir.Compare) and tree.op in ("<", "<=", ">", ">="):
                subject, op = tree.left, tree.op
            elif isinstance(tree, ir.Between):
                subject, op = tree.value, "between"
            else:
                continue
            if isinstance(subject, ir.FactRef) and subject.ty.kind in _NUMERIC:
                found[did, rule.id] = _Compared(subject.name, op, rule.applies_when is not None)
    return found


_CENT = Decimal("0.01")


def _move(ft: FactType, value: Any, gap: Any, op: str, threshold: Any) -> Any:
    x = Decimal(str(value))
    up = x < Decimal(str(threshold[0])) if op == "between" else op in (">", ">=")
    moved = x + Decimal(gap) if up else x - Decimal(gap)
    if ft.kind == ir.FactKind.MONEY:  # money is in cents: the next cent on the passing side
        moved = moved.quantize(_CENT, rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return to_json(ft, moved) if in_range(ft, moved) else None


def _check_gaps(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any,
                result: Result, where: str) -> None:
    found = _single_fact_thresholds(rs, decision)
    for node, ctx in _walk_ctx(result.trace, decision):
        if node.kind != "check" or str(node.outcome) != "fail" or node.gap is None:
            continue
        t = found.get((ctx, node.rule_id))
        if t is None or facts.get(t.fact) is None:
            continue
        moved = _move(rs.facts[t.fact], facts[t.fact], node.gap, t.op, node.threshold)
        if moved is None:
            continue
        after = rs.evaluate(decision, {**facts, t.fact: moved}, as_of=as_of)
        for again, ctx2 in _walk_ctx(after.trace, decision):
            if ctx2 == ctx and again.rule_id == node.rule_id:
                if str(again.outcome) != "pass" and not t.conditional:
                    raise AssertionError(
                        f"gap violation in rule '{node.rule_id}' of decision '{ctx}': "
                        f"{t.fact} = {facts[t.fact]!r} fails with gap {node.gap} "
                        f"(threshold {node.threshold}), but {t.fact} = {moved!r} "
                        f"gives {again.outcome}, not pass; {where}")
                break


# -- unknown and missing ---------------------------------------------------------------


def _check_unknown(rs: Ruleset, decision: str, facts: Mapping[str, Any], result: Result,
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
                                    for n in fact_names(rs, decision)):
        raise AssertionError(f"outcome unknown although every fact is supplied; {where}")


def _check_defaults(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any,
                    result: Result, where: str) -> None:
    """``defaults`` lists facts declaring a default that were not sent, never a missing
    one; sending the defaults gives the same outcome and value."""
    taken = dict(result.defaults)
    for name in taken:
        if rs.facts[name].default is None or facts.get(name) is not None:
            raise AssertionError(f"defaults lists {name!r}, which has no default or was "
                                 f"sent; {where}")
    defaulted = [m for m in result.missing if rs.facts[m].default is not None]
    if defaulted:
        raise AssertionError(f"facts with a default {defaulted} listed as missing; {where}")
    if not taken:
        return
    sent = rs.evaluate(decision, {**facts, **{n: rs.facts[n].default for n in taken}},
                       as_of=as_of)
    if (sent.outcome, sent.value) != (result.outcome, result.value) or sent.defaults:
        raise AssertionError(f"not sending {sorted(taken)} gives {result.outcome} "
                             f"{result.value!r}, sending their defaults {sent.outcome} "
                             f"{sent.value!r}; {where}")


# -- monotone tiers --------------------------------------------------------------------


def _tier_rank(tiers: ir.Tiers, value: Any) -> int:
    """The position of a tier value (lowest first); the default ranks below every tier."""
    ids = [t.id for t in tiers.tiers]
    return ids.index(value) if value in ids else -1


def _check_monotone(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: Any,
                    result: Result, where: str) -> None:
    """A tier never goes down when a fact declared ``monotone: increasing`` goes up (nor up
    when a ``decreasing`` one does)."""
    tiers = decision_ir(rs, decision).value
    if not isinstance(tiers, ir.Tiers) or str(result.outcome) != "pass":
        return
    for name in fact_names(rs, decision):
        ft = rs.facts[name]
        raw = facts.get(name)
        if ft.monotone is None or raw is None:
            continue
        value = ft.convert(raw)
        for bump in (step(ft), max(step(ft), abs(value) / 10), abs(value) + step(ft)):
            higher = value + bump
            if ft.kind == ir.FactKind.MONEY:  # money is in cents
                higher = Decimal(higher).quantize(_CENT, rounding=ROUND_CEILING)
            if not in_range(ft, higher):
                continue
            other = rs.evaluate(decision, dict(facts, **{name: to_json(ft, higher)}),
                                as_of=as_of)
            if str(other.outcome) != "pass":
                continue
            before, after = _tier_rank(tiers, result.value), _tier_rank(tiers, other.value)
            if (after < before) if ft.monotone == "increasing" else (after > before):
                raise AssertionError(
                    f"'{name}' is declared monotone: {ft.monotone}, but raising it from "
                    f"{value} to {higher} moves the tier from {result.value} to "
                    f"{other.value}; {where}")


# -- exact money -----------------------------------------------------------------------


class _Money(ir.Visitor[None]):
    """Checks a value's rounded computations and splits against an exact recomputation
    (:func:`promorules.exact.exact`) from the facts; ``value`` is what the evaluation
    gave for the node visited."""

    def __init__(self, rs: Ruleset, facts: Mapping[str, Any], label: str, value: Any,
                 where: str) -> None:
        self.rs, self.facts, self.label, self.value, self.where = rs, facts, label, value, where

    def generic_visit(self, node: Any) -> None:
        return None  # values that compute no money themselves

    def exact(self, expr: ir.TypedExpr) -> Decimal | None:
        """The exact value of a plain arithmetic expression, or None (a fact is absent, or
        it is not plain arithmetic)."""
        values = {n: self.rs.facts[n].convert(self.facts.get(n)) for n in expr.facts}
        if None in values.values():
            return None
        try:
            return exact(expr.tree, values)
        except (NotArithmetic, ArithmeticError):
            return None

    def visit_compute(self, node: ir.Compute) -> None:
        rounding, rounded = node.rounding, self.value
        if rounding is None or not isinstance(rounded, (int, Decimal)) or isinstance(
            rounded, bool
        ):
            return
        value = self.exact(node.expr)
        if value is None:
            return
        places, mode = rounding.places, rounding.mode
        want = value.quantize(Decimal(1).scaleb(-places), rounding=_ROUNDING_MODES[mode],
                              context=DECIMAL_CONTEXT)
        if rounded != want or abs(rounded - value) >= Decimal(1).scaleb(-places):
            raise AssertionError(
                f"{self.label}: {value} rounded {mode} to {places} places should be {want}, "
                f"got {rounded}; {self.where}")

    def visit_split(self, node: ir.Split) -> None:
        amount, parts = self.exact(node.amount), self.value
        if amount is None or not isinstance(parts, Mapping):
            return
        if sum(parts.values()) != amount:
            raise AssertionError(f"{self.label}: the parts {dict(parts)} add up to "
                                 f"{sum(parts.values())}, not {amount}; {self.where}")

    def visit_fields(self, node: ir.Fields) -> None:
        if not isinstance(self.value, Mapping):
            return
        for field in node.fields:
            if field.name in self.value:
                _Money(self.rs, self.facts, field.name, self.value[field.name],
                       self.where).visit(field.value)


def _check_money(rs: Ruleset, decision: str, facts: Mapping[str, Any], result: Result,
                 where: str) -> None:
    """Computed money never loses or invents a cent: the rounded value is the exact Decimal
    result rounded as declared, and a split's parts add up exactly to the amount."""
    value = decision_ir(rs, decision).value
    if value is not None and str(result.outcome) == "pass":
        _Money(rs, facts, decision, result.value, where).visit(value)


# -- the entry points ------------------------------------------------------------------


def check_case(ruleset: Ruleset, decision: str, facts: Mapping[str, Any],
               as_of: Any = None) -> None:
    """Check the generic properties on one fact set; raise AssertionError on a violation.

    - evaluation does not raise (the facts are valid: a FactError is a bug);
    - it is deterministic (two evaluations give the same ``to_dict()``);
    - every group node is the Kleene combination of its children (not-applicable children
      and warnings ignored; a decision where nothing applies passes);
    - moving a failed single-fact threshold's fact by the reported gap makes the rule pass;
    - unknown exactly when a needed fact is missing;
    - a tier never goes down when a fact declared ``monotone: increasing`` goes up;
    - computed money never loses or invents a cent;
    - a fact not sent takes its declared default exactly as if the default had been sent
      (same outcome and value), and ``defaults`` lists it.
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
    _check_money(rs, decision, facts, result, where)
    _check_defaults(rs, decision, facts, as_of, result, where)


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
        lo, hi = date_range(ruleset)
        as_of = dt.datetime.combine(lo + (hi - lo) / 2, dt.time(12),
                                    tzinfo=ruleset.ir.timezone)
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
