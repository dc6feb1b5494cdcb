"""Pipeline stage 5 (preparation): what a result needs to explain a compiled decision.

A :class:`Context` holds what results read from their ruleset (the compiled decisions, fact
types, parameters, time zone, calendar, identity), handed over explicitly by ``ruleset``.
For each decision it prepares, once and on first use, a :class:`Plan`: the static part of
every trace node (shared by every evaluation), and how each node reads its facts and its
outcome and its evidence. The trace builders generated from it (``trace_code``) are kept
by the Context too. What a node shows (its outcome and evidence), the exact facts of a
record and the missing facts are each answered in exactly one place here; which leaves
failed is answered by the generated failed-leaves function alone.
"""

from __future__ import annotations

import datetime as dt
import decimal
import operator
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from .compiler import (
    DECIMAL_CONTEXT,
    FAILED,
    NA,
    NULL,
    VALUE_ROOT,
    CompiledDecision,
    Hit,
    NodeInfo,
    Record,
    exact_facts,
    resolve_table,
)
from .facts import FactType, display_value
from .rule_result import RULE_KINDS, NodeStatic, Outcome
from .trace_detail import formula_text, node_gap, public_value, relative_gap, split_detail

__all__ = ["LOGIC", "OUTCOME", "RULE_ID", "VALUE_PARENTS", "VALUE_ROOT", "Context", "Plan",
           "defaulted_facts", "evidence_maker", "exact_record", "gap_only",
           "missing_facts", "outcome_rule", "resolve"]

OUTCOME = {True: Outcome.PASS, False: Outcome.FAIL, None: Outcome.UNKNOWN}
_PASS, _FAIL, _UNKNOWN, _NA = (Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN,
                               Outcome.NOT_APPLICABLE)
# kinds whose record value is a truth value (True / False / None)
_LOGIC = frozenset({"check", "all", "any", "not", "decision", "tier", "requires", "case",
                    "item", "default", "row"})
# value kinds whose children stand for the value decision's own children in a trace
VALUE_PARENTS = frozenset({"cases", "collect", "fields", "tiers", "table", "split"})
_T = TypeVar("_T")
RULE_ID = operator.attrgetter("rule_id")  # a FailedLeaf's rule id


class Plan:
    """The prepared trace of one compiled decision (immutable once built)."""

    __slots__ = ("decision", "extras", "fact_pos", "nodes", "reference_static", "root",
                 "root_static", "roots", "statics", "value_static")

    def __init__(self, ctx: Context, decision: CompiledDecision) -> None:
        self.decision = decision
        nodes = self.nodes = decision.nodes
        position = {name: k for k, name in enumerate(decision.fact_names)}
        self.fact_pos = tuple(tuple(position.get(f, -1) for f in n.facts) for n in nodes)
        self.statics = tuple(_static(ctx, n, pos) for n, pos in zip(nodes, self.fact_pos,
                                                                     strict=True))
        self.roots = tuple(i for i, n in enumerate(nodes) if n.parent is None)
        self.root = self.roots[0]
        referenced = {n.decision for n in nodes if n.kind == "decision"}
        # decisions read inside expressions: context ("reference") traces, not rules
        self.extras = tuple((j, did) for j, did in enumerate(decision.subs)
                            if did not in referenced)
        self.root_static = attrs.evolve(self.statics[self.root], decision=decision.id)
        self.value_static: NodeStatic | None = None
        if decision.kind != "passfail":
            last = self.statics[self.roots[-1]]
            self.value_static = NodeStatic(
                decision.id, decision.model.description, "value", last.facts,
                last.expected, decision.model.source, decision=decision.id,
                fact_types=last.fact_types, fact_pos=last.fact_pos)
        own = self.value_static or self.root_static
        self.reference_static = attrs.evolve(own, kind="reference")


def _static(ctx: Context, info: NodeInfo, fact_pos: tuple[int, ...]) -> NodeStatic:
    return NodeStatic(
        info.id, info.description, "tier" if info.tier else info.kind, info.facts,
        info.expected if info.kind == "check" else info.expression, info.source,
        info.severity, info.unit, info.decision, info.kind if info.tier else None,
        info.lhs_text, tuple(ctx.facts[f] for f in info.facts), fact_pos, info.when)


@attrs.frozen(eq=False)
class Context:
    """What the results of one ruleset read from it, passed explicitly (immutable; the
    plans and generated code it prepares on first use are immutable too)."""

    decisions: Mapping[str, CompiledDecision]
    facts: Mapping[str, FactType]
    params: Mapping[str, Any]
    timezone: Any
    calendar: Any
    ruleset_id: str
    ruleset_version: str
    digest: str
    # renders a Result as text (lang, color); supplied by ``ruleset`` so that results do
    # not import the renderer
    explainer: Callable[..., str] = attrs.field(repr=False)
    _plans: dict[str, Plan] = attrs.field(factory=dict, repr=False)
    _code: dict[str, Any] = attrs.field(factory=dict, repr=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, repr=False)
    # each declared default as a trace shows it (converted once, at load)
    shown_defaults: Mapping[str, Any] = attrs.field(init=False, repr=False)

    @shown_defaults.default
    def _shown_defaults(self) -> Mapping[str, Any]:
        return {name: _default_shown(fact) for name, fact in self.facts.items()
                if fact.default is not None}

    def plan(self, decision: CompiledDecision) -> Plan:
        """The prepared trace of ``decision`` (made once, on first use)."""
        try:
            return self._plans[decision.id]
        except KeyError:
            pass
        with self._lock:
            plan = self._plans.get(decision.id)
            if plan is None:
                plan = self._plans[decision.id] = Plan(self, decision)
            return plan

    def code(self, decision: CompiledDecision,
             make: Callable[[Context, CompiledDecision], _T]) -> _T:
        """The code generated for ``decision`` (its trace builders), made by
        ``make(self, decision)`` on first use, under the lock: once per decision."""
        try:
            code: _T = self._code[decision.id]
            return code
        except KeyError:
            pass
        with self._lock:
            if decision.id not in self._code:
                self._code[decision.id] = make(self, decision)
            code = self._code[decision.id]
            return code


# -- what a node shows, whatever the code that builds it -----------------------------------

LOGIC = {True: _PASS, False: _FAIL, None: _UNKNOWN, NA: _NA}  # a rule's outcome, by value


def logic_outcome(v: Any) -> Outcome:
    """The outcome of a node whose value is a truth value (anything else: it applies)."""
    if v is NA:
        return _NA
    return OUTCOME[v] if v in (True, False, None) else _PASS


def case_outcome(v: Any, decided: bool | None) -> Outcome:
    """A case (or default): it applies, but is unknown when its value cannot be computed."""
    outcome = logic_outcome(v)
    return _UNKNOWN if outcome is _PASS and decided is None else outcome


def value_outcome(v: Any) -> Outcome:
    """The outcome of a node whose value is a computed value."""
    if v is NA:
        return _NA
    if v is FAILED:
        return _FAIL
    return _UNKNOWN if v is None else _PASS


def outcome_rule(info: NodeInfo) -> Callable[..., Outcome] | None:
    """How a node's outcome is read from its value: None for rules (``LOGIC[value]``), else
    a function of the value (and, for cases, of the decision's outcome)."""
    if info.kind in RULE_KINDS:
        return None
    if info.kind in ("case", "default"):
        return case_outcome
    return logic_outcome if info.kind in _LOGIC else value_outcome


def gap_only(info: NodeInfo) -> bool:
    """The node shows evidence only when it fails: a rule whose detail is a comparison."""
    return (info.detail is not None and info.compare_op not in ("formula", "split")
            and info.hit_policy is None and info.kind in RULE_KINDS)


Evidence = tuple[Any, Any, str | None, Any, Any, Decimal | None, tuple[str, ...] | None,
                 tuple[str, ...] | None]


def evidence_maker(ctx: Context, decision: CompiledDecision, i: int
                   ) -> Callable[[Outcome, Record, tuple[Any, ...], Any], Evidence | None] | None:
    """The evidence of node ``i`` of ``decision`` (gap, threshold, detail, value, compared,
    relative gap) as a function of its outcome, the record, the record's exact facts
    (:func:`exact_facts`) and ``as_of``; None when the node never has any. Numbers are
    computed in promorules' decimal context."""
    plan = ctx.plan(decision)
    info = plan.nodes[i]
    is_value = info.kind not in RULE_KINDS
    if info.detail is None and info.hit_policy is None and not is_value:
        return None
    literal = info.kind in ("case", "item", "default", "row")

    def evidence(outcome: Outcome, record: Record, facts: tuple[Any, ...], as_of: Any
                 ) -> Evidence | None:
        v = record.nodes[i]
        gap = threshold = detail = compared = relative = None
        if info.detail is not None:
            if info.compare_op == "formula":
                if outcome is _PASS:
                    # a case that computes its value: its formula, with the decision's
                    shown = record.value if info.kind in ("case", "default") else v
                    with decimal.localcontext(DECIMAL_CONTEXT):
                        detail = formula_detail(ctx, decision, info, shown, record, facts,
                                                as_of)
            elif outcome is _FAIL:  # trace_detail computes in promorules' context itself
                gap, threshold, detail, compared = node_gap(
                    info, info.detail(facts, record.subs, as_of))
                relative = relative_gap(gap, threshold, compared)
            if info.compare_op == "split" and outcome is _PASS:
                with decimal.localcontext(DECIMAL_CONTEXT):
                    detail = split_detail(info, v, plan.nodes, facts, record.subs, as_of)
        matched = decided = None
        if info.table is not None and v is not NA:
            hit = table_hit(plan, info, record)
            ids = [plan.nodes[c].id for c in info.children]
            matched = tuple(ids[k] for k in hit.matched)
            decided = tuple(ids[k] for k in hit.decided)
            detail = table_problem(info, hit, ids) or detail
        value = None
        if is_value:
            if info.kind == "row" and info.children:  # computed outputs: shown when matched
                if v is True:
                    value = public_value(row_output(plan, info, record))
            elif literal:
                value = public_value(info.value_literal)
            elif v is not NA and v is not FAILED and v is not NULL:
                value = public_value(v)
        elif gap is None and threshold is None and detail is None and compared is None:
            return None
        return gap, threshold, detail, value, compared, relative, matched, decided

    return evidence


def row_output(plan: Plan, row: NodeInfo, record: Record) -> Any:
    """A matched row's output, its computed cells as the record holds them."""
    assert row.parent is not None
    table = plan.nodes[row.parent]
    k = table.children.index(row.index)
    static = table.table
    return static.shape(static.output(k, [record.nodes[c] for c in row.children]))


def table_hit(plan: Plan, info: NodeInfo, record: Record) -> Hit:
    """How a table came out (:func:`promorules.compiler.resolve_table`, as the evaluation did)."""
    static = info.table
    matches = [record.nodes[c] for c in info.children]
    outputs = [static.output(k, [record.nodes[c] for c in plan.nodes[r].children])
               if m is True else NA for k, (r, m) in enumerate(zip(info.children, matches,
                                                                  strict=True))]
    return resolve_table(static, matches, outputs)


def table_problem(info: NodeInfo, hit: Hit, ids: list[str]) -> str | None:
    """What went wrong in a table, as a trace detail (None: nothing)."""
    if hit.problem is None:
        return None
    what, rows = hit.problem
    policy = info.hit_policy
    if what == "unique":
        named = [ids[k] for k in rows]
        return ("rows " + " and ".join(named) + (" both" if len(named) == 2 else " all")
                + " match (hit policy unique)")
    if what == "any":
        a, b = rows
        return (f"rows {ids[a]} and {ids[b]} both match with different outputs "
                f"(hit policy any)")
    if what == "values":
        k, col, value = rows
        names = info.table.names
        column = f"output {names[col]}" if names else "the output"
        allowed = ", ".join(map(display_value, info.table.orders[col]))
        return (f"row {ids[k]} gives {display_value(value)}, not one of the values of "
                f"{column} ({allowed})")
    return "no row matches" if policy != "collect" else None


def formula_detail(ctx: Context, decision: CompiledDecision, info: NodeInfo, value: Any,
                   record: Record, fact_values: tuple[Any, ...], as_of: Any) -> str | None:
    """``19.99 × 8% = 1.5992 → 1.60``: the computation with its numbers (``fact_values``:
    the record's exact facts); for working-day arithmetic, the days skipped and why."""
    assert info.detail is not None
    subs = record.subs
    raw, *calls = info.detail(fact_values, subs, as_of)
    skipped = []
    for call in calls:
        if call is not None:
            start, n = call
            runs = ctx.calendar.add_working_days_explained(start, int(n))[1]
            skipped += [r.describe() for r in runs]
    if not isinstance(value, (int, Decimal, dt.date)) or isinstance(value, bool):
        return None

    def value_of(name: str) -> Any:
        if name in decision.fact_names:
            raw_value = fact_values[decision.fact_names.index(name)]
            fact = ctx.facts[name]
            return fact.shown(raw_value)
        if name in ctx.params:
            return ctx.params[name]
        if name in decision.subs:
            return subs[decision.subs.index(name)][1]
        if name == "as_of":
            return as_of
        if name == "today" and as_of is not None:
            return as_of.astimezone(ctx.timezone).date()
        return name

    percent = frozenset(n for n, f in ctx.facts.items() if f.kind == "percent")
    text = formula_text(info.formula, value_of, percent)
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


# -- the record's facts, and which leaves failed ------------------------------------------


def exact_record(ctx: Context, decision: CompiledDecision, record: Record) -> Record:
    """``record`` with its facts (and those of the records of the decisions it uses) read
    as exact values: a float the fast path kept is its exact decimal."""
    facts = exact_facts(record.facts, decision.float_facts)
    subs = tuple([exact_record(ctx, ctx.decisions[did], sub)
                  for did, sub in zip(decision.subs, record.subs, strict=True)])
    if facts is record.facts and all(a is b for a, b in zip(subs, record.subs, strict=True)):
        return record
    return record._replace(facts=facts, subs=subs)


def resolve(ctx: Context, decision: CompiledDecision, record: Record,
            path: tuple[int, ...]) -> tuple[CompiledDecision, Record]:
    """The decision and record a location's path leads to."""
    for j in path:
        decision = ctx.decisions[decision.subs[j]]
        record = record.subs[j]
    return decision, record


# -- which facts are missing -----------------------------------------------------------


def missing_facts(ctx: Context, decision: CompiledDecision, record: Record) -> tuple[str, ...]:
    """Absent facts read by the rules that left the outcome unknown, in trace order."""
    out: dict[str, None] = {}
    _missing(ctx, decision, record, out)
    return tuple(out)


def _missing(ctx: Context, decision: CompiledDecision, record: Record,
             out: dict[str, None]) -> None:
    if record.outcome is not None:  # decided: no fact was needed that it lacked
        return
    plan = ctx.plan(decision)
    nodes, values, facts = plan.nodes, record.nodes, record.facts

    def absent(i: int) -> None:
        for name, p in zip(nodes[i].facts, plan.fact_pos[i], strict=True):
            if p < 0 or facts[p] is None:
                out.setdefault(name)

    def walk(i: int) -> None:
        info = nodes[i]
        v = values[i]
        # an applying case whose value cannot be computed is undecided too
        if v is not None and not (v is True and info.kind in ("case", "default")):
            return
        absent(i)
        for c in info.children:
            walk(c)
        if info.kind == "decision" and info.decision is not None:
            j = decision.subs.index(info.decision)
            _missing(ctx, ctx.decisions[info.decision], record.subs[j], out)

    if decision.kind == "passfail":
        walk(plan.root)
    else:
        absent(plan.roots[-1])  # the value it could not produce needs these
        for root in plan.roots:
            walk(root)
    for j, did in plan.extras:
        _missing(ctx, ctx.decisions[did], record.subs[j], out)



# -- which facts took their default ------------------------------------------------------


def defaulted_facts(ctx: Context, record: Record) -> dict[str, Any]:
    """The facts that were not sent and took their declared default, in the order they were
    read (the decision's own, then those of the decisions it uses), each with the value
    taken as ``RuleResult.actual`` shows it (an ordinal by its name)."""
    names: dict[str, None] = {}
    stack = [record]
    while stack:
        r = stack.pop()
        names.update(dict.fromkeys(r.defaults))
        stack.extend(reversed(r.subs))
    shown = ctx.shown_defaults
    return {name: shown[name] for name in names}


def _default_shown(fact: FactType) -> Any:
    """A fact's declared default as ``RuleResult.actual`` shows it."""
    value = fact.convert(fact.default)
    return fact.shown(value)
