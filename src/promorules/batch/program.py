"""Batch backend (a consumer of pipeline stage 4a): one decision -> one SQL statement.

:func:`compile_select` builds the statement (a sqlglot tree) over a relation whose columns
are the facts: the facts read by their declared types (:mod:`.facts_sql`), the decision
and those it uses (:mod:`.nodes_sql`), then the output columns ``outcome``, ``failed``,
``missing``, ``value`` and ``error``, and ``__pr_bad`` (the facts whose cells were not
taken as they are, in the order ``evaluate`` converts them; empty for a valid row).

Relations it reads besides the facts: :data:`CALENDAR_TABLE` (working days, see
:mod:`.calendar_sql`) and :data:`FOLD_TABLE` (``text``, ``folded``: each non-ASCII text
compared under ``match: chinese``, folded as :func:`promorules.zh_script.fold` folds it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import sqlglot.expressions as exp

from .. import ir
from ..facts import FactType
from .exprs import S
from .facts_sql import NUMBER_TYPES, Column, FactSQL, read_fact
from .layers import Layers
from .nodes_sql import DecisionSQL, NodeCompiler
from .protocol import Rules
from .sqlx import (
    E,
    Unsupported,
    and_all,
    case,
    cast,
    col,
    is_false,
    is_true,
    lit,
    or_any,
    string_list,
)

__all__ = ["CALENDAR_TABLE", "FOLD_TABLE", "MASK_BITS", "OUTPUTS", "Compiled", "chinese_facts",
           "compile_select",
           "conversion_order", "fact_names"]

CALENDAR_TABLE = "promorules_calendar"
FOLD_TABLE = "promorules_zh_fold"
OUTPUTS = ("outcome", "failed", "missing", "value", "error")
BAD = "__pr_bad"


def conversion_order(rs: Rules, decision: str) -> tuple[str, ...]:
    """The facts a decision reads, in the order ``evaluate`` converts them (its own, then
    those of the decisions it uses): the first invalid one is the one its FactError names."""
    out: dict[str, None] = {}

    def visit(did: str) -> None:
        c = rs.decisions[did]
        out.update(dict.fromkeys(c.fact_names))
        for sub in c.subs:
            visit(sub)

    visit(decision)
    return tuple(out)


fact_names = conversion_order


def _kind(fact: FactType) -> tuple[str, int, int]:
    if fact.kind in NUMBER_TYPES:
        p, s = NUMBER_TYPES[fact.kind]
        return ("money" if fact.kind == "money" else "number"), p, s
    return {"boolean": "bool"}.get(fact.kind, fact.kind), 0, 0


@attrs.define
class _Scope:
    program: Program
    timezone: str
    calendar: str

    def fact(self, ref: ir.FactRef) -> S:
        kind, p, s = _kind(ref.fact)
        return S(self.program.fact(ref.name).value, kind, p, s)

    def folded(self, ref: ir.FactRef) -> S:
        return S(self.program.folded(ref.name), "string")

    def decision_value(self, e: ir.DecisionValue) -> S:
        sub = self.program.decision(e.decision)
        if e.passfail or sub.value is None:
            return S(sub.outcome, "bool")
        v = sub.value
        return S(case([(sub.outcome, v.v)]), v.kind, v.p, v.s)

    def as_of(self) -> dt.datetime:
        return self.program.instant()

    def today(self) -> dt.date:
        return self.program.instant().astimezone(self.program.tz).date()

    def column(self, expr: E, hint: str) -> E:
        return self.program.layers.add(expr, hint)


class Program:
    """The columns of one statement: facts read once, decisions compiled once."""

    def __init__(self, rs: Rules, columns: Mapping[str, Column],
                 as_of: dt.datetime | None, folds: Mapping[str, str] | None = None) -> None:
        self.rs = rs
        self.fold_values = folds
        self.columns = columns
        self.as_of = as_of
        self.tz = rs.ir.timezone
        self.layers = Layers()
        self.facts: dict[str, FactSQL] = {}
        self.folds: dict[str, E] = {}
        self.decisions: dict[str, DecisionSQL] = {}
        self.uses_tables = False

    def instant(self) -> dt.datetime:
        if self.as_of is None:
            raise Unsupported("a decision that reads the time needs as_of")
        return self.as_of

    def scope(self, compiled: Any) -> _Scope:
        return _Scope(self, str(getattr(self.tz, "key", self.tz)), CALENDAR_TABLE)

    def fact(self, name: str) -> FactSQL:
        if name not in self.facts:
            fact = self.rs.facts[name]
            c = self.columns.get(name) or Column(exp.null(), "absent")
            read = read_fact(fact, c, lambda e, hint: self.layers.add(e, f"{name}_{hint}"))
            self.facts[name] = FactSQL(self.layers.add(read.value, f"f_{name}"),
                                       self.layers.add(read.bad, f"bad_{name}"))
        return self.facts[name]

    def folded(self, name: str) -> E:
        if name not in self.folds:
            v = self.fact(name).value
            lookup: E
            if self.fold_values is not None:  # the input's few texts, folded in place
                lookup = case([(exp.EQ(this=v, expression=lit(t)), lit(f))
                               for t, f in self.fold_values.items()])
            else:
                self.uses_tables = True
                lookup = exp.Subquery(this=exp.select(exp.Max(this=col("folded"))).from_(
                    exp.to_table(FOLD_TABLE)).where(exp.EQ(this=col("text"), expression=v)))
            ascii_only = exp.RegexpLike(this=v, expression=exp.Literal.string(
                "^[\\x01-\\x7f]*$"))
            self.folds[name] = self.layers.add(case([(exp.Is(this=v, expression=exp.null()),
                                                      exp.null()), (ascii_only, v)], lookup),
                                               f"z_{name}")
        return self.folds[name]

    def decision(self, did: str) -> DecisionSQL:
        if did not in self.decisions:
            compiled = self.rs.decisions[did]
            assert compiled.ir is not None
            self.decisions[did] = NodeCompiler(self, compiled.ir, compiled).compile()
        return self.decisions[did]


@attrs.frozen
class Compiled:
    """A compiled statement and what running it needs."""

    select: exp.Select
    decision: str
    facts: tuple[str, ...]  # in conversion order
    chinese: tuple[str, ...]  # facts whose text the fold relation must hold
    uses_calendar: bool
    value_kind: str | None
    mask_names: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)  # masks=True
    ordered: bool = False  # sorted by ``order`` (it joins a relation)


def layers_tables(layers: Layers) -> list[exp.Table]:
    """The relations the columns read (the calendar, the fold relation)."""
    return [t for e, _ in layers.columns.values() for t in e.find_all(exp.Table)]


def _missing_list(entries: Sequence[tuple[E, str]]) -> E:
    seen: dict[str, list[E]] = {}
    items: list[E] = []
    for cond, name in entries:
        before = seen.setdefault(name, [])
        first = cond if not before else and_all([cond, exp.Not(this=or_any(before))])
        items.append(case([(first, lit(name))]))
        before.append(cond)
    return _filtered(items)


def _filtered(items: list[E]) -> E:
    if not items:
        return string_list(())
    x = exp.to_identifier("__pr_item")
    return exp.ArrayFilter(this=exp.Array(expressions=items), expression=exp.Lambda(
        this=exp.Not(this=exp.Is(this=exp.column(x), expression=exp.null())),
        expressions=[x]))


def chinese_facts(rs: Rules, decision: str) -> tuple[str, ...]:
    """The string facts of ``decision`` (and those it uses) compared under ``match:
    chinese``: their texts are folded (the fold relation, or ``folds``)."""
    return tuple(n for n in conversion_order(rs, decision)
                 if rs.facts[n].kind == "string" and rs.facts[n].match == "chinese")


MASK_BITS = 62  # entries per BIGINT mask column


def _masks(entries: Sequence[tuple[E, str]], gate: E, prefix: str
           ) -> tuple[list[tuple[str, E]], tuple[str, ...]]:
    """The entries as bit masks (BIGINT columns of up to MASK_BITS bits, bit k set when
    entry k's condition holds, 0 unless ``gate``), and the entries' names in bit order."""
    columns: list[tuple[str, E]] = []
    bigint = exp.DataType.build("BIGINT")
    for n, start in enumerate(range(0, max(len(entries), 1), MASK_BITS)):
        part = entries[start:start + MASK_BITS]
        total: E = cast(exp.Literal.number(0), bigint)
        for k, (cond, _) in enumerate(part):  # arithmetic, not a CASE per entry
            bit = exp.Mul(this=cast(is_true(cond), bigint),
                          expression=cast(exp.Literal.number(1 << k), bigint))
            total = bit if k == 0 else exp.Add(this=total, expression=bit)
        columns.append((f"{prefix}{n}", case([(gate, total)], cast(exp.Literal.number(0),
                                                                    bigint))))
    return columns, tuple(name for _, name in entries)


def compile_select(rs: Rules, decision: str, columns: Mapping[str, Column],
                   source: exp.Expression, keep: list[str], as_of: dt.datetime | None,
                   order: E | None = None, folds: Mapping[str, str] | None = None,
                   masks: bool = False) -> Compiled:
    """The statement evaluating ``decision`` over ``source`` (whose fact columns are read
    as ``columns`` say), keeping the columns ``keep`` first. ``folds``: every non-ASCII
    text of the input's ``chinese_facts`` with its fold, written into the statement (None:
    read from the fold relation). ``order``: sort by it when the statement joins a
    relation (a join need not keep the input's order). ``masks``: ``failed`` and
    ``missing`` as bit masks (``__pr_failed<n>``, ``__pr_missing<n>``, ``__pr_bad<n>``)
    whose lists the embedded engine builds once per distinct mask (:func:`mask_lists`)."""
    program = Program(rs, columns, as_of, folds)
    order_facts = conversion_order(rs, decision)
    for name in order_facts:
        program.fact(name)
    d = program.decision(decision)
    layers = program.layers
    bad_flags = [program.facts[n].bad for n in order_facts]
    any_bad = layers.add(or_any(bad_flags) if bad_flags else exp.false(), "any_bad")
    invalid = layers.add(or_any([any_bad, d.err]) if d.err is not None else any_bad,
                         "invalid")
    outcome = case([(invalid, lit("invalid")), (d.outcome, lit("pass")),
                    (exp.Not(this=d.outcome), lit("fail"))], lit("unknown"))
    failed = case([(and_all([exp.Not(this=invalid), is_false(d.outcome)]),
                    _filtered([case([(c, lit(n))]) for c, n in d.failed]))],
                  string_list(()))
    missing = case([(and_all([exp.Not(this=invalid), exp.Is(this=d.outcome,
                                                                expression=exp.null())]),
                     _missing_list(d.missing))], string_list(()))
    value: E = exp.null()
    if d.value is not None:
        value = case([(exp.Not(this=invalid), d.value.v)])
    error = _error_sql(rs, order_facts, program, d, invalid)
    bad = _filtered([case([(program.facts[n].bad, lit(n))]) for n in order_facts])
    bad = case([(any_bad, bad)], string_list(()))
    names: dict[str, tuple[str, ...]] = {}
    if masks:
        fail_gate = and_all([exp.Not(this=invalid), is_false(d.outcome)])
        unknown_gate = and_all([exp.Not(this=invalid), exp.Is(this=d.outcome,
                                                               expression=exp.null())])
        failed_cols, names["failed"] = _masks(d.failed, fail_gate, "__pr_failed")
        missing_cols, names["missing"] = _masks(d.missing, unknown_gate, "__pr_missing")
        bad_cols, names[BAD] = _masks([(program.facts[n].bad, n) for n in order_facts],
                                      any_bad, "__pr_bad")
        outputs = [("outcome", outcome), *failed_cols, *missing_cols, ("value", value),
                   ("error", error), *bad_cols]
    else:
        outputs = [("outcome", outcome), ("failed", failed), ("missing", missing),
                   ("value", value), ("error", error), (BAD, bad)]
    tables = {t.name for t in layers_tables(layers)}
    select = layers.select(source, outputs, keep, order if tables else None)
    chinese = tuple(n for n in program.folds)
    uses_calendar = CALENDAR_TABLE in tables
    return Compiled(select, decision, order_facts, chinese, uses_calendar,
                    d.value.kind if d.value is not None else None, names, bool(tables))


def _error_sql(rs: Rules, order: Sequence[str], program: Program, d: DecisionSQL,
               invalid: E) -> E:
    """The error as SQL can word it: the first fact not taken, with what it expects (the
    embedded engine replaces it with the FactError ``evaluate`` words)."""
    whens: list[tuple[E, E]] = []
    for name in order:
        fact = rs.facts[name]
        text = (f"PR601 {fact.role} '{name}': the value is not read as {fact.expected} "
                "(or is beyond the batch engine's exact types)")
        whens.append((program.facts[name].bad, lit(text)))
    if d.err is not None:
        whens.append((d.err, lit(f"PR606 decision '{d.id}' cannot be computed with these "
                                 "facts")))
    return case([(invalid, case(whens))])
