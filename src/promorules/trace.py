"""Pipeline stage 5: the result of an evaluation and its trace tree.

The compiled function returns a compact record; a :class:`Result` keeps it and builds the
trace (a tree of :class:`RuleResult`), the failed rules, the missing facts and the warnings
only when they are first asked for. The fast path (``outcome``, ``failed_rule_ids``) never
builds the tree.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from .compiler import DECIMAL_CONTEXT, FAILED, NA, CompiledDecision, NodeInfo, Record
from .facts import FactType, display_value, json_value
from .text import Text

if TYPE_CHECKING:
    from .ruleset import Ruleset

__all__ = ["Outcome", "Result", "RuleResult"]


class Outcome(StrEnum):
    """The outcome of a decision or a rule. Compares equal to its string value."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


_OUTCOME = {True: Outcome.PASS, False: Outcome.FAIL, None: Outcome.UNKNOWN}
_new_result = object.__new__


@attrs.frozen
class RuleResult:
    """One node of a trace: a rule (or a part of a value computation) and how it came out.

    ``gap`` is, for a failed numeric threshold, how far the compared value is from passing
    (``0.01`` for a deposit of 2999.99 against ``>= 3000``); ``threshold`` the value it was
    compared with; ``relative_gap`` the gap as a fraction of the threshold.
    """

    rule_id: str
    description: Text
    outcome: Outcome
    facts: tuple[str, ...]
    actual: Mapping[str, Any]
    expected: str | None
    gap: Decimal | int | None
    source: str | None
    children: tuple[RuleResult, ...] = ()
    kind: str = "check"
    severity: str = "error"
    value: Any = None
    threshold: Any = None
    relative_gap: Decimal | None = None
    unit: str | None = None
    detail: str | None = None
    decision: str | None = None
    display: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    group: str | None = None  # a tier: how its requirements combine ("all", "any", ...)
    subject: str | None = None  # a threshold rule: the compared expression (its left side)
    compared: Any = None  # ... and its value, when the rule failed

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASS

    def walk(self) -> Iterator[RuleResult]:
        """This node and all below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        """This node and its children as JSON data.

        Every node has ``rule_id``, ``kind``, ``description``, ``outcome``, ``facts``,
        ``actual``, ``expected``, ``gap``, ``source`` and ``children``; ``threshold`` and
        ``detail`` appear when known, ``severity`` for warnings, ``value`` on the nodes of
        value decisions and ``decision`` on nodes that stand for a decision.
        """
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "description": self.description.to_dict(),
            "outcome": str(self.outcome),
            "facts": list(self.facts),
            "actual": {k: json_value(v) for k, v in self.actual.items()},
            "expected": self.expected,
            "gap": json_value(self.gap),
            "source": self.source,
            "children": [c.to_dict() for c in self.children],
        }
        if self.threshold is not None:
            out["threshold"] = json_value(self.threshold)
        if self.detail is not None:
            out["detail"] = self.detail
        if self.severity != "error":
            out["severity"] = self.severity
        if self.kind not in _RULE_KINDS:
            out["value"] = json_value(self.value)
        if self.decision is not None:
            out["decision"] = self.decision
        return out


_RULE_KINDS = frozenset({"check", "all", "any", "not", "decision", "requires"})


def _exponent(value: Any) -> int:
    if isinstance(value, Decimal):
        exp = value.as_tuple().exponent
        return exp if isinstance(exp, int) else 0
    return 0


def tidy(value: Any, places: int = 2) -> Any:
    """Drop trailing zeros past ``places`` decimals: 95.0000 -> 95.00, 1.5992 unchanged."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return value
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and exp < -places:
        normal = value.normalize()
        nexp = normal.as_tuple().exponent
        if isinstance(nexp, int) and nexp > -places:
            return normal.quantize(Decimal(1).scaleb(-places))
        return normal
    return value


def compute_gap(op: str, values: tuple[Any, ...], step: Any) -> tuple[Any, Any]:
    """(gap, threshold) for a failed numeric comparison ``values[0] op values[1]``."""
    if any(v is None or isinstance(v, bool) for v in values):
        return None, None
    values = tuple(tidy(v) for v in values)
    if step is None:
        step = Decimal(1).scaleb(min(_exponent(v) for v in values))
    x = values[0]
    if op == "between":
        lo, hi = values[1], values[2]
        return (lo - x if x < lo else x - hi), (lo, hi)
    t = values[1]
    gap = {">=": t - x, ">": t - x + step, "<=": x - t, "<": x - t + step}[op]
    return (gap if gap > 0 else None), t


def node_gap(info: NodeInfo, fact_values: tuple[Any, ...], subs: tuple[Any, ...],
             as_of: Any) -> tuple[Any, Any, str | None]:
    """(gap, threshold, detail) of a failed check node that has a detail function."""
    assert info.detail is not None
    parts = info.detail(fact_values, subs, as_of)
    if info.compare_op == "contains_any":
        found = [w for w in parts[1] if parts[0] is not None and w in parts[0]]
        return None, None, "found: " + ", ".join(found)
    if info.compare_op == "includes_all":
        have = set(parts[0] or ())
        return None, None, "missing: " + ", ".join(str(r) for r in parts[1] if r not in have)
    gap, threshold = compute_gap(str(info.compare_op), parts, info.step)
    return gap, threshold, None


def _relative(gap: Any, threshold: Any, compared: Any = None) -> Decimal | None:
    """The gap as a fraction of the bound that was missed."""
    if gap is None:
        return None
    base = threshold
    if isinstance(threshold, tuple):  # between: the bound on the side of the value
        base = threshold[1] if compared is not None and compared > threshold[1] else threshold[0]
    try:
        return abs(Decimal(gap) / Decimal(base)) if base else Decimal(gap)
    except Exception:
        return None


def public_value(value: Any) -> Any:
    """A record value as handed to callers: fresh lists and dicts, never shared constants."""
    if isinstance(value, tuple):
        return [public_value(v) for v in value]
    if isinstance(value, (MappingProxyType, dict)):
        return {k: public_value(v) for k, v in value.items()}
    return value


class _TraceBuilder:
    def __init__(self, ruleset: Ruleset) -> None:
        self.rs = ruleset
        self.facts = ruleset._model.facts

    def actual(self, names: tuple[str, ...], decision: CompiledDecision,
               values: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, str]]:
        actual: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for name in names:
            ft: FactType = self.facts[name]
            raw = values[decision.fact_names.index(name)] if name in decision.fact_names else None
            actual[name] = ft.to_json(raw) if ft.kind == "ordinal" else raw
            shown[name] = ft.display(raw)
        return actual, shown

    def formula(self, decision: CompiledDecision, info: NodeInfo, value: Any,
                fact_values: tuple[Any, ...], subs: tuple[Any, ...], as_of: Any) -> str | None:
        """``19.99 × 8% = 1.5992 → 1.60``: the computation with its numbers; for working-day
        arithmetic, the days skipped and why."""
        assert info.detail is not None
        raw, *calls = info.detail(fact_values, subs, as_of)
        skipped = []
        for call in calls:
            if call is not None:
                start, n = call
                runs = self.rs._model.calendar.add_working_days_explained(start, int(n))[1]
                skipped += [r.describe() for r in runs]
        if not isinstance(value, (int, Decimal, dt.date)) or isinstance(value, bool):
            return None

        def value_of(name: str) -> Any:
            if name in decision.fact_names:
                raw_value = fact_values[decision.fact_names.index(name)]
                fact = self.facts[name]
                return fact.to_json(raw_value) if fact.kind == "ordinal" else raw_value
            if name in self.rs.params:
                return self.rs.params[name]
            if name in decision.subs:
                return subs[decision.subs.index(name)][1]
            if name == "as_of":
                return as_of
            if name == "today" and as_of is not None:
                return as_of.astimezone(self.rs._tz).date()
            return name

        percent = frozenset(n for n, f in self.facts.items() if f.kind == "percent")
        text = _formula_text(info.formula, value_of, percent)
        if isinstance(value, dt.date):
            text += f" = {value.isoformat()}"
            if skipped:
                text += " (skipping " + "; ".join(skipped) + ")"
            return text
        shown_raw = format(raw, ",f") if isinstance(raw, Decimal) else display_value(raw)
        shown = format(value, ",f") if isinstance(value, Decimal) else display_value(value)
        text += f" = {shown_raw}"
        if shown != shown_raw:
            text += f" → {shown}"
        return text

    def build(self, decision: CompiledDecision, record: Record, as_of: Any) -> RuleResult:
        outcome_code, value, node_values, fact_values, subs = record
        nodes = decision.nodes
        dead: set[int] = set()

        def node_outcome(info: NodeInfo, v: Any) -> Outcome:
            if info.index in dead or v is NA:
                return Outcome.NOT_APPLICABLE
            if info.kind in ("check", "all", "any", "not", "decision", "tier", "requires",
                             "case", "item", "default", "row"):
                return _OUTCOME[v] if v in (True, False, None) else Outcome.PASS
            if v is FAILED:
                return Outcome.FAIL
            return Outcome.UNKNOWN if v is None else Outcome.PASS

        def make(i: int) -> RuleResult:
            info = nodes[i]
            v = node_values[i]
            outcome = node_outcome(info, v)
            if info.kind in ("case", "default") and outcome is Outcome.PASS and (
                outcome_code is None
            ):
                outcome = Outcome.UNKNOWN  # it applies, but its value cannot be computed
            if outcome is Outcome.NOT_APPLICABLE:
                dead.update(_descendants(nodes, i))
            children = [make(c) for c in info.children]
            if info.kind == "decision" and info.decision is not None:
                j = decision.subs.index(info.decision)
                sub = self.rs._compiled[info.decision]
                if outcome is not Outcome.NOT_APPLICABLE:
                    children.append(self.build(sub, subs[j], as_of))
            actual, shown = self.actual(info.facts, decision, fact_values)
            gap = threshold = detail = compared = None
            if info.compare_op == "formula":
                if outcome is Outcome.PASS and info.detail is not None:
                    # a case that computes its value: its formula, with the decision's value
                    result_value = value if info.kind in ("case", "default") else v
                    detail = self.formula(decision, info, result_value, fact_values, subs,
                                          as_of)
            elif outcome is Outcome.FAIL and info.detail is not None:
                gap, threshold, detail = node_gap(info, fact_values, subs, as_of)
                if info.compare_op not in ("contains_any", "includes_all"):
                    compared = tidy(info.detail(fact_values, subs, as_of)[0])
            if info.compare_op == "split" and outcome is Outcome.PASS:
                detail = _split_detail(info, v, nodes, fact_values, subs, as_of)
            if info.hit_policy == "unique" and v is FAILED:
                matched = [nodes[c].id for c in info.children if node_values[c] is True]
                detail = ("rows " + " and ".join(matched)
                          + (" both" if len(matched) == 2 else " all")
                          + " match (hit policy unique)" if matched else "no row matches")
            elif info.hit_policy == "first" and v is FAILED:
                detail = "no row matches"
            node_value = None
            if info.kind not in ("check", "all", "any", "not", "decision", "requires"):
                if info.kind in ("case", "item", "default", "row"):
                    node_value = public_value(info.value_literal)
                elif v is not NA and v is not FAILED:
                    node_value = public_value(v)
            return RuleResult(
                rule_id=info.id, description=info.description, outcome=outcome,
                facts=info.facts, actual=MappingProxyType(actual), expected=info.expected
                if info.kind == "check" else info.expression,
                gap=gap, source=info.source, children=tuple(children),
                kind="tier" if info.tier else info.kind,
                severity=info.severity, value=node_value, threshold=threshold,
                relative_gap=_relative(gap, threshold, compared), unit=info.unit, detail=detail,
                decision=info.decision, display=MappingProxyType(shown),
                subject=info.lhs_text, compared=compared,
                group=info.kind if info.tier else None)

        roots = [i for i, n in enumerate(nodes) if n.parent is None]
        built = [make(i) for i in roots]
        referenced = {n.decision for n in nodes if n.kind == "decision"}
        # decisions read inside expressions: their traces are context ("reference"), not
        # rules of this decision
        extra = tuple(
            attrs.evolve(self.build(self.rs._compiled[did], subs[j], as_of), kind="reference")
            for j, did in enumerate(decision.subs) if did not in referenced)
        model = decision.model
        if decision.kind == "passfail":
            root = built[0]
            # the root keeps its kind (all/any/not), names the decision it stands for, and has
            # the decision's outcome (a root where nothing applies passes)
            return attrs.evolve(root, children=root.children + extra, decision=decision.id,
                                outcome=_OUTCOME[outcome_code])
        outcome = _OUTCOME[outcome_code]
        value_root = built[-1]
        children = tuple(built[:-1]) + (
            value_root.children if value_root.kind in ("cases", "collect", "fields", "tiers",
                                                       "table", "split")
            else (value_root,)) + extra
        return RuleResult(
            rule_id=decision.id, description=model.description, outcome=outcome,
            facts=value_root.facts, actual=value_root.actual, expected=value_root.expected,
            gap=None, source=model.source, children=children, kind="value",
            detail=value_root.detail if value_root.kind in ("table", "split") else None,
            value=public_value(value), decision=decision.id, display=value_root.display)


def _formula_text(node: Any, value_of: Callable[[str], Any], percent: frozenset[str]) -> str:
    """An expression with every name replaced by its value: ``19.99 × 8% ...``."""
    from .expressions import ast as x

    def show(v: Any) -> str:
        if isinstance(v, Decimal):
            return format(v, ",f")
        if isinstance(v, int) and not isinstance(v, bool):
            return format(v, ",")
        return display_value(v)

    def percent_name(n: Any) -> str | None:
        return n.id if isinstance(n, x.Name) and n.id in percent else None

    def text(n: Any, parent: int = 0) -> str:
        if isinstance(n, x.Name):
            return show(value_of(n.id))
        if isinstance(n, x.Binary) and n.op in ("+", "-", "*", "/"):
            # a percent fact divided by 100 reads as a percentage: 8 / 100 -> 8%
            if n.op == "/" and isinstance(n.right, x.NumLit) and n.right.value == 100:
                name = percent_name(n.left)
                if name is not None:
                    return f"{show(value_of(name))}%"
                if isinstance(n.left, x.Binary) and n.left.op == "*":
                    name = percent_name(n.left.right)
                    if name is not None:
                        return f"{text(n.left.left, 2)} × {show(value_of(name))}%"
            prec = 1 if n.op in ("+", "-") else 2
            symbol = {"+": "+", "-": "−", "*": "×", "/": "÷"}[n.op]
            out = f"{text(n.left, prec)} {symbol} {text(n.right, prec + 1)}"
            return f"({out})" if prec < parent else out
        if isinstance(n, x.Call):
            return f"{n.func}(" + ", ".join(text(a) for a in n.args) + ")"
        return x.unparse(n)

    return text(node)


def _split_detail(info: NodeInfo, value: Any, nodes: tuple[NodeInfo, ...],
                  fact_values: tuple[Any, ...], subs: tuple[Any, ...], as_of: Any) -> str:
    """``1,000.01 × 30% = 300.003 → 300.00; 1,000.01 − 300.00 = 700.01``."""
    assert info.detail is not None
    amount = info.detail(fact_values, subs, as_of)[0]

    def show(v: Any) -> str:
        return format(v, ",f") if isinstance(v, Decimal) else format(v, ",")

    parts = [nodes[c] for c in info.children]
    lines = []
    for part in parts[:-1]:
        exact = Decimal(amount) * Decimal(part.value_literal) / 100
        lines.append(f"{part.id}: {show(amount)} × {part.value_literal}% = {show(exact)} → "
                     f"{show(value[part.id])}")
    taken = " − ".join(show(value[p.id]) for p in parts[:-1])
    last = parts[-1].id
    lines.append(f"{last}: {show(amount)} − {taken} = {show(value[last])}")
    return "; ".join(lines)


def _descendants(nodes: tuple[NodeInfo, ...], i: int) -> list[int]:
    out: list[int] = []
    stack = list(nodes[i].children)
    while stack:
        j = stack.pop()
        out.append(j)
        stack.extend(nodes[j].children)
    return out


def _failing_ids(rs: Ruleset, decision: CompiledDecision, record: Record) -> list[str]:
    """Ids of the leaf rules on the paths that made ``record`` fail (no trace needed)."""
    if decision.failed_ids is not None:
        return list(decision.failed_ids(record.nodes, record.subs))
    values = record.nodes
    nodes = decision.nodes
    out: list[str] = []

    def walk(i: int) -> None:
        info = nodes[i]
        if values[i] is not False or info.severity == "warning":
            return
        if info.kind == "check" or info.kind == "not":
            out.append(info.id)
        elif info.kind == "decision" and info.decision is not None:
            j = decision.subs.index(info.decision)
            out.extend(_failing_ids(rs, rs._compiled[info.decision], record.subs[j]))
        else:
            for c in info.children:
                walk(c)

    roots = [i for i, info in enumerate(nodes) if info.parent is None]
    root = roots[0]
    if decision.kind == "passfail" or (nodes[root].kind == "requires" and values[root] is False):
        walk(roots[0])
    else:
        out.append(decision.id)
    return out


def make_result(rs: Ruleset, decision: CompiledDecision, record: Record,
                as_of: dt.datetime | None) -> Result:
    """Build a Result without an ``__init__`` frame (this runs on every evaluation)."""
    result = _new_result(Result)
    result._rs = rs
    result._decision = decision
    result._record = record
    result._as_of = as_of
    result.outcome = _OUTCOME[record.outcome]
    return result  # _trace and _failed stay unset until first asked for


class Result:
    """The outcome of ``Ruleset.evaluate``: outcome, value, failed rules, trace, explanation.

    Immutable; the trace and everything derived from it are built on first access.
    """

    __slots__ = ("_as_of", "_decision", "_failed", "_record", "_rs", "_trace", "outcome")

    outcome: Outcome
    _rs: Ruleset
    _decision: CompiledDecision
    _record: Record
    _as_of: dt.datetime | None
    _trace: RuleResult
    _failed: tuple[RuleResult, ...]

    def __init__(self, rs: Ruleset, decision: CompiledDecision, record: Record,
                 as_of: dt.datetime | None) -> None:
        self._rs = rs
        self._decision = decision
        self._record = record
        self._as_of = as_of
        self.outcome = _OUTCOME[record.outcome]

    def __repr__(self) -> str:
        value = "" if self._record.value is None else f", value={self.value!r}"
        return f"<Result {self.decision}: {self.outcome}{value}>"

    @property
    def passed(self) -> bool:
        """``outcome == "pass"``."""
        return self._record.outcome is True

    @property
    def decision(self) -> str:
        return self._decision.id

    @property
    def ruleset_id(self) -> str:
        return self._rs.id

    @property
    def ruleset_version(self) -> str:
        return self._rs.version

    @property
    def as_of(self) -> dt.datetime | None:
        """The evaluation instant used (None when the decision does not depend on time)."""
        return self._as_of

    @property
    def value(self) -> Any:
        """The computed value (a fresh list/dict for lists/mappings); None for pass/fail."""
        return public_value(self._record.value)

    @property
    def trace(self) -> RuleResult:
        """The whole evaluation as a tree of RuleResult."""
        try:
            return self._trace
        except AttributeError:
            pass
        # gaps and formulas are exact whatever decimal context the caller has set
        with decimal.localcontext(DECIMAL_CONTEXT):
            self._trace = _TraceBuilder(self._rs).build(self._decision, self._record,
                                                        self._as_of)
        return self._trace

    @property
    def failed_rule_ids(self) -> tuple[str, ...]:
        """Ids of the failed leaf rules, without building the trace (the fast path)."""
        record = self._record
        if record.outcome is not False:
            return ()
        extract = self._decision.failed_ids
        if extract is not None:
            return extract(record.nodes, record.subs)
        return tuple(_failing_ids(self._rs, self._decision, record))

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        """The leaf rule results that made the decision fail, in rule order."""
        try:
            return self._failed
        except AttributeError:
            pass
        self._failed = () if self._record.outcome is not False else tuple(
            _failing_nodes(self.trace))
        return self._failed

    @property
    def unknown(self) -> tuple[RuleResult, ...]:
        """The leaf rules that left the outcome undecided for lack of facts (only those on
        the path to an unknown outcome: an unknown branch of an `any` that passed anyway
        was not needed)."""
        return tuple(r for r in _undecided(self.trace)
                     if r.kind in ("check", "not") or not r.children)

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the facts that were needed and absent (read by a rule left unknown)."""
        return self._missing()

    def _missing(self) -> tuple[str, ...]:
        if self._decision.kind == "passfail" and not hasattr(self, "_trace"):
            found: dict[str, None] = {}
            _missing_fast(self._rs, self._decision, self._record, found)
            return tuple(found)
        seen: dict[str, None] = {}
        for node in _undecided(self.trace):
            for name, value in node.actual.items():
                if value is None:
                    seen.setdefault(name)
        return tuple(seen)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Advisory messages: failed warning-severity rules."""
        out = []
        for node in self.trace.walk():
            if node.severity == "warning" and node.outcome == Outcome.FAIL:
                facts = ", ".join(f"{k} = {node.display.get(k)}" for k in node.facts)
                out.append(f"{node.rule_id} not met: {node.description.en} ({facts}; "
                           f"expected {node.expected})")
        return tuple(out)

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameter values in force for this evaluation."""
        return self._rs.params

    def explain(self, lang: str = "en", *, color: bool = False) -> str:
        """A human-readable explanation in English (``"en"``) or Chinese (``"zh"``)."""
        from .explain import explain

        with decimal.localcontext(DECIMAL_CONTEXT):
            return explain(self, lang, color=color)

    def to_dict(self) -> dict[str, Any]:
        """Everything above as JSON-serialisable data."""
        record = self._record
        model = self._rs._model
        return {
            "ruleset_id": model.id,
            "ruleset_version": model.version,
            "ruleset_digest": self._rs.digest,
            "decision": self._decision.id,
            "outcome": self.outcome.value,
            "value": None if record.value is None else json_value(public_value(record.value)),
            "as_of": None if self._as_of is None else self._as_of.isoformat(),
            "failed": [] if record.outcome is not False else list(self.failed_rule_ids),
            "missing": [] if record.outcome is not None else list(self._missing()),
            "warnings": list(self.warnings) if self._decision.has_warnings else [],
            # numbers as decimal strings, like money: the same type for defaults and overrides
            "params": {k: str(v) for k, v in self._rs._params.items()},
            "trace": _render_dict(self._rs, self._decision, self._record, self._as_of),
        }


def _undecided(node: RuleResult) -> Iterator[RuleResult]:
    """The nodes that make ``node`` unknown: unknown nodes below unknown nodes only."""
    if node.outcome != Outcome.UNKNOWN:
        return
    yield node
    for child in node.children:
        yield from _undecided(child)


def _failing_nodes(root: RuleResult) -> Iterator[RuleResult]:
    """The failed leaves that decide a failure: rules of a pass/fail tree (descending into
    referenced decisions), and for a value decision its failed requirements, or the
    decision itself when no value could be produced. Mirrors ``_failing_ids``."""
    if root.outcome != Outcome.FAIL or root.severity == "warning":
        return
    if root.kind == "value":
        requires = [c for c in root.children if c.kind == "requires"]
        if requires and requires[0].outcome == Outcome.FAIL:
            yield from _failing_nodes(requires[0])
        else:
            yield root
        return
    if root.kind in ("check", "not"):
        yield root
        return
    rules = [c for c in root.children
             if c.kind in ("check", "not", "all", "any", "decision", "requires")]
    if root.kind in ("all", "any") and not any(
        c.outcome == Outcome.FAIL and c.severity != "warning" for c in rules
    ):
        yield root  # an `any` none of whose branches applied: the group is the reason
        return
    for child in rules:
        yield from _failing_nodes(child)


# -- to_dict at speed ------------------------------------------------------------------
#
# ``Result.to_dict()`` is what services log on every request, so for pass/fail decisions the
# trace dict is built by a function generated once per decision: one nested dict display
# whose static parts (ids, descriptions, expected text, sources) are namespace constants and
# whose dynamic parts (outcome, actual values, gaps) are read straight from the record. It
# produces exactly ``RuleResult.to_dict()`` of the trace (a property test holds them equal).

_OUT_TEXT = {True: "pass", False: "fail", None: "unknown", NA: "not_applicable"}
_NOGAP: dict[str, Any] = {}


def _json_expr(ft: FactType, var: str) -> str:
    """Python code turning a converted fact value into its JSON form."""
    if ft.kind in ("boolean", "string", "enum", "integer"):
        return var
    if ft.kind in ("number", "percent", "money"):
        return f"(str({var}) if {var}.__class__ is _Decimal else {var})"
    if ft.kind == "ordinal":
        return f"(None if {var} is None else {ft.name!r}_NAMES[{var}])"
    return f"_json({var})"


class _RendererGen:
    def __init__(self, rs: Ruleset, decision: CompiledDecision) -> None:
        self.rs = rs
        self.d = decision
        self.ns: dict[str, Any] = {"OUT": _OUT_TEXT, "NA": NA, "NOGAP": _NOGAP,
                                   "_Decimal": Decimal, "_json": json_value,
                                   "R": lambda did, rec, as_of, kind=None: render_dict(
                                       rs, rs._compiled[did], rec, as_of, kind)}
        self.stmts: list[str] = []
        self.facts_used: set[int] = set()

    def const(self, value: Any) -> str:
        name = f"K{len(self.ns)}"
        self.ns[name] = value
        return name

    def fact(self, name: str) -> str:
        k = self.d.fact_names.index(name)
        self.facts_used.add(k)
        ft = self.rs._model.facts[name]
        expr = _json_expr(ft, f"f{k}")
        if ft.kind == "ordinal":
            names = self.const(ft.values)
            expr = f"(None if f{k} is None else {names}[f{k}])"
        return expr

    def node(self, i: int, dead: str | None) -> str:
        info = self.d.nodes[i]
        if info.conditional:
            x = f"x{i}"
            self.stmts.append(f"    {x} = {dead or 'False'} or N[{i}] is NA")
            dead = x
        outcome = f"OUT[N[{i}]]"
        if info.parent is None:  # a decision's root: a root where nothing applies passes
            outcome = f"OUT[True if N[{i}] is NA else N[{i}]]"
        elif dead is not None and not info.conditional:
            outcome = f'("not_applicable" if {dead} else OUT[N[{i}]])'
        o = f"o{i}"
        self.stmts.append(f"    {o} = {outcome}")
        extras = ""
        if info.detail is not None:
            g = f"g{i}"
            gap_fn = self.const(lambda F, S, as_of, _info=info: _json_gap(_info, F, S, as_of))
            self.stmts.append(f"    {g} = {gap_fn}(F, S, as_of) if {o} == 'fail' else NOGAP")
            extras = f", **{g}"
        children = [self.node(c, dead) for c in info.children]
        kids = "[" + ", ".join(children) + "]"
        if info.kind == "decision" and info.decision is not None:
            j = self.d.subs.index(info.decision)
            kids += (f" + ([] if {o} == 'not_applicable' else "
                     f"[R({self.const(info.decision)}, S[{j}], as_of)])")
        kind = info.kind
        decision = info.decision
        if info.parent is None:
            decision = self.d.id
            referenced = {n.decision for n in self.d.nodes if n.kind == "decision"}
            extra = [f"R({self.const(did)}, S[{j}], as_of, 'reference')"
                     for j, did in enumerate(self.d.subs) if did not in referenced]
            if extra:
                kids += " + [" + ", ".join(extra) + "]"
        actual = "{" + ", ".join(f"{self.const(n)}: {self.fact(n)}" for n in info.facts) + "}"
        expected = info.expected if info.kind == "check" else info.expression
        if info.severity != "error":
            extras += f', "severity": {self.const(info.severity)}'
        if decision is not None:
            extras += f', "decision": {self.const(decision)}'
        return (
            "{"
            f'"rule_id": {self.const(info.id)}, "kind": {self.const(kind)}, '
            f'"description": {{"en": {self.const(info.description.en)}, '
            f'"zh": {self.const(info.description.zh)}}}, '
            f'"outcome": {o}, "facts": [{", ".join(self.const(f) for f in info.facts)}], '
            f'"actual": {actual}, "expected": {self.const(expected)}, "gap": None, '
            f'"source": {self.const(info.source)}, "children": {kids}{extras}'
            "}"
        )

    def generate(self) -> Callable[..., dict[str, Any]]:
        root = next(i for i, n in enumerate(self.d.nodes) if n.parent is None)
        body = self.node(root, None)
        unpack = [f"    f{k} = F[{k}]" for k in sorted(self.facts_used)]
        src = ("def _render(N, F, S, as_of):\n" + "\n".join(unpack + self.stmts)
               + f"\n    return {body}\n")
        local: dict[str, Any] = {}
        # generated from the compiled decision's own node table; values are constants
        exec(compile(src, f"<promorules render {self.d.id}>", "exec"), self.ns, local)
        fn: Callable[..., dict[str, Any]] = local["_render"]
        return fn


def _json_gap(info: NodeInfo, F: tuple[Any, ...], S: tuple[Any, ...], as_of: Any
              ) -> dict[str, Any]:
    """The gap keys of a failed node's dict (threshold and detail only when known)."""
    gap, threshold, detail = node_gap(info, F, S, as_of)
    out: dict[str, Any] = {"gap": json_value(gap)}
    if threshold is not None:
        out["threshold"] = json_value(threshold)
    if detail is not None:
        out["detail"] = detail
    return out


def render_dict(rs: Ruleset, decision: CompiledDecision, record: Record,
                as_of: Any, kind: str | None = None) -> dict[str, Any]:
    """The trace of ``record`` as JSON data (``RuleResult.to_dict()`` of its trace);
    ``kind`` overrides the root's kind (``"reference"`` for context traces)."""
    if decision.kind != "passfail":
        out = _TraceBuilder(rs).build(decision, record, as_of).to_dict()
    else:
        renderer = rs._renderers.get(decision.id)
        if renderer is None:
            renderer = rs._renderers[decision.id] = _RendererGen(rs, decision).generate()
        out = renderer(record.nodes, record.facts, record.subs, as_of)
    if kind is not None:
        out["kind"] = kind
    return out


def _render_dict(rs: Ruleset, decision: CompiledDecision, record: Record,
                 as_of: Any) -> dict[str, Any]:
    with decimal.localcontext(DECIMAL_CONTEXT):
        return render_dict(rs, decision, record, as_of)


def _missing_fast(rs: Ruleset, decision: CompiledDecision, record: Record,
                  out: dict[str, None]) -> None:
    """Absent facts read by unknown rules, in trace order, without building the trace."""
    values, facts, subs = record.nodes, record.facts, record.subs
    if record.outcome is not None:  # decided: no fact was needed that it lacked
        return
    nodes = decision.nodes

    def walk(i: int) -> None:
        info = nodes[i]
        if values[i] is not None:  # decided (or not applicable): nothing below was needed
            return
        for name in info.facts:
            if facts[decision.fact_names.index(name)] is None:
                out.setdefault(name)
        for c in info.children:
            walk(c)
        if info.kind == "decision" and info.decision is not None:
            j = decision.subs.index(info.decision)
            _missing_fast(rs, rs._compiled[info.decision], subs[j], out)

    root = next(i for i, n in enumerate(nodes) if n.parent is None)
    walk(root)
    if values[root] is None:
        referenced = {n.decision for n in nodes if n.kind == "decision"}
        for j, did in enumerate(decision.subs):
            if did not in referenced:
                _missing_fast(rs, rs._compiled[did], subs[j], out)
