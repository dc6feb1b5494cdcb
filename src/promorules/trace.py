"""Pipeline stage 5: the result of an evaluation and its trace tree.

The compiled function returns a compact record; a :class:`Result` keeps it, with the
ruleset's :class:`~promorules.plan.Context`, and builds the trace (a tree of
:class:`RuleResult`), the failed rules, the missing facts and the warnings only when they
are first asked for. The fast path (``outcome``, ``failed_rule_ids``) never builds the tree,
and ``failed`` builds only the failed leaves.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .compiler import DECIMAL_CONTEXT, CompiledDecision, Record
from .facts import json_value
from .plan import OUTCOME, RULE_ID, Context, defaulted_facts, exact_record, missing_facts
from .rule_result import Outcome, RuleResult
from .trace_code import build_trace, failed_nodes, render_dict
from .trace_detail import public_value

__all__ = ["Context", "Outcome", "Result", "RuleResult", "make_result", "undecided"]

_new_result = object.__new__


def make_result(ctx: Context, decision: CompiledDecision, record: Record,
                as_of: dt.datetime | None) -> Result:
    """Build a Result without an ``__init__`` frame (this runs on every evaluation)."""
    result = _new_result(Result)
    result._ctx = ctx
    result._decision = decision
    result._record = record
    result._as_of = as_of
    result.outcome = OUTCOME[record.outcome]
    return result  # _trace and _failed stay unset until first asked for


class Result:
    """The outcome of ``Ruleset.evaluate``: outcome, value, failed rules, trace, explanation.

    Immutable; the trace and everything derived from it are built on first access.
    """

    __slots__ = ("_as_of", "_ctx", "_decision", "_failed", "_record", "_trace", "outcome")

    outcome: Outcome
    _ctx: Context
    _decision: CompiledDecision
    _record: Record
    _as_of: dt.datetime | None
    _trace: RuleResult
    _failed: tuple[RuleResult, ...]

    def __init__(self) -> None:
        raise TypeError("a Result comes from Ruleset.evaluate()")

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
        return self._ctx.ruleset_id

    @property
    def ruleset_version(self) -> str:
        return self._ctx.ruleset_version

    @property
    def timezone(self) -> dt.tzinfo:
        """The ruleset's time zone (the explanation shows ``as_of`` in it)."""
        tz: dt.tzinfo = self._ctx.timezone
        return tz

    @property
    def as_of(self) -> dt.datetime | None:
        """The evaluation instant used (None when the decision does not depend on time)."""
        return self._as_of

    @property
    def record(self) -> Record:
        """The compiled function's record this result was made from, its facts read as
        exact values (for tools such as the testing kit; its shape belongs to the compiler
        and can change)."""
        return exact_record(self._ctx, self._decision, self._record)

    @property
    def value(self) -> Any:
        """The computed value (a fresh list/dict for lists/mappings); None for pass/fail."""
        return public_value(self._record.value)

    @property
    def trace(self) -> RuleResult:
        """The whole evaluation as a tree of RuleResult."""
        trace: RuleResult | None = getattr(self, "_trace", None)  # no exception: cheaper
        if trace is None:
            # made by code generated for the decision; gaps and formulas are computed in
            # promorules' decimal context whatever the caller's is
            trace = self._trace = build_trace(self._ctx, self._decision, self._record,
                                              self._as_of)
        return trace

    @property
    def failed_rule_ids(self) -> tuple[str, ...]:
        """Ids of the failed leaf rules, without building the trace (the fast path)."""
        record = self._record
        if record.outcome is not False:
            return ()
        # the ids of the generated failed-leaves function's answer (plan.failed_leaves,
        # inlined: this is the fast path)
        return tuple(map(RULE_ID, self._decision.failed_leaves(record.nodes, record.subs)))

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        """The leaf rule results that made the decision fail, in rule order."""
        record = self._record
        if record.outcome is not False:
            return ()
        failed: tuple[RuleResult, ...] | None = getattr(self, "_failed", None)
        if failed is None:
            failed = self._failed = failed_nodes(self._ctx, self._decision, record,
                                                 self._as_of)
        return failed

    @property
    def unknown(self) -> tuple[RuleResult, ...]:
        """The leaf rules that left the outcome undecided for lack of facts (only those on
        the path to an unknown outcome: an unknown branch of an `any` that passed anyway
        was not needed)."""
        return tuple(r for r in undecided(self.trace)
                     if r.kind in ("check", "not") or not r.children)

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the facts that were needed and absent (read by a rule left unknown)."""
        return missing_facts(self._ctx, self._decision, self._record)

    @property
    def defaults(self) -> Mapping[str, Any]:
        """The facts that were not sent (absent or null) and took their declared default,
        each with the value taken (empty when every fact read was sent)."""
        return MappingProxyType(defaulted_facts(self._ctx, self._record))

    @property
    def warnings(self) -> tuple[str, ...]:
        """Advisory messages: failed warning-severity rules."""
        if not self._decision.has_warnings:
            return ()
        return tuple(warning_text(n) for n in self.trace.walk()
                     if n.severity == "warning" and n.outcome == Outcome.FAIL)

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameter values in force for this evaluation."""
        return self._ctx.params

    def explain(self, lang: str = "en", *, color: bool = False) -> str:
        """A human-readable explanation in English (``"en"``) or Chinese in one script:
        Simplified for ``"zh"`` and ``"zh-Hans"``, Traditional for ``"zh-Hant"``."""
        with decimal.localcontext(DECIMAL_CONTEXT):
            return self._ctx.explainer(self, lang, color=color)

    def to_dict(self) -> dict[str, Any]:
        """Everything above as JSON-serialisable data."""
        record = self._record
        ctx = self._ctx
        trace = render_dict(ctx, self._decision, record, self._as_of)
        out = {
            "ruleset_id": ctx.ruleset_id,
            "ruleset_version": ctx.ruleset_version,
            "ruleset_digest": ctx.digest,
            "decision": self._decision.id,
            "outcome": str(self.outcome),
            "value": None if record.value is None else json_value(public_value(record.value)),
            "as_of": None if self._as_of is None else self._as_of.isoformat(),
            "failed": list(self.failed_rule_ids),
            "missing": [] if record.outcome is not None else list(self.missing),
            "warnings": list(self.warnings),
            # numbers as decimal strings, like money: the same type for defaults and overrides
            "params": {k: str(v) for k, v in ctx.params.items()} if ctx.params else {},
            "trace": trace,
        }
        defaults = defaulted_facts(ctx, record)
        if defaults:  # only when a fact took its default: a result of facts all sent is as before
            out["defaults"] = {k: json_value(v) for k, v in defaults.items()}
        return out


def warning_text(node: RuleResult) -> str:
    """The message of a failed warning-severity rule."""
    facts = ", ".join(f"{k} = {node.display.get(k)}" for k in node.facts)
    return (f"{node.rule_id} not met: {node.description.en} ({facts}; "
            f"expected {node.expected})")


def undecided(node: RuleResult) -> Iterator[RuleResult]:
    """The nodes that make ``node`` unknown: unknown nodes below unknown nodes only."""
    if node.outcome != Outcome.UNKNOWN:
        return
    yield node
    for child in node.children:
        yield from undecided(child)
