"""Pipeline stage 5 (result): one node of a trace, and the outcome values.

A :class:`RuleResult` is two parts: a static part (:class:`NodeStatic`: id, kind,
description, expected text, source, facts, unit...) built once per node of a compiled
decision and shared by every evaluation, and a small dynamic part (outcome, children, gap,
threshold, detail, value, compared, the raw fact values) set per evaluation. ``actual`` and
``display`` are computed from the raw fact values when first read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import attrs

from .facts import FactType, json_value
from .text import Text

__all__ = ["NodeStatic", "Outcome", "RuleResult", "new_rule_result"]


class Outcome(StrEnum):
    """The outcome of a decision or a rule. Compares equal to its string value."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


# the node kinds that are rules (their to_dict has no "value")
RULE_KINDS = frozenset({"check", "all", "any", "not", "decision", "requires"})


@attrs.frozen(slots=True)
class NodeStatic:
    """What a trace node is, whatever the facts: built once per node and shared."""

    rule_id: str
    description: Text
    kind: str
    facts: tuple[str, ...] = ()
    expected: str | None = None
    source: str | None = None
    severity: str = "error"
    unit: str | None = None
    decision: str | None = None
    group: str | None = None
    subject: str | None = None
    fact_types: tuple[FactType, ...] = ()  # how to read and show each of ``facts``


_EMPTY: Mapping[str, Any] = MappingProxyType({})

# the dynamic part, by position
_OUTCOME, _CHILDREN, _GAP, _THRESHOLD, _DETAIL, _VALUE, _COMPARED, _RELATIVE, _RAW = range(9)


class RuleResult:
    """One node of a trace: a rule (or a part of a value computation) and how it came out.

    ``gap`` is, for a failed numeric threshold, how far the compared value is from passing
    (``0.01`` for a deposit of 2999.99 against ``>= 3000``); ``threshold`` the value it was
    compared with; ``relative_gap`` the gap as a fraction of the threshold. Immutable:
    setting an attribute raises ``attrs.exceptions.FrozenInstanceError``.
    """

    __slots__ = ("_c", "_d", "_s")

    _s: NodeStatic
    _d: tuple[Any, ...]
    _c: tuple[Mapping[str, Any], Mapping[str, str]]

    def __init__(self, rule_id: str, description: Text, outcome: Outcome,
                 facts: tuple[str, ...], actual: Mapping[str, Any], expected: str | None,
                 gap: Decimal | int | None, source: str | None,
                 children: tuple[RuleResult, ...] = (), kind: str = "check",
                 severity: str = "error", value: Any = None, threshold: Any = None,
                 relative_gap: Decimal | None = None, unit: str | None = None,
                 detail: str | None = None, decision: str | None = None,
                 display: Mapping[str, str] | None = None, group: str | None = None,
                 subject: str | None = None, compared: Any = None) -> None:
        static = NodeStatic(rule_id, description, kind, tuple(facts), expected, source,
                            severity, unit, decision, group, subject,
                            ())
        _set_s(self, static)
        _set_d(self, (outcome, tuple(children), gap, threshold, detail, value, compared,
                      relative_gap, None))
        _set_c(self, (MappingProxyType(dict(actual)),
                      MappingProxyType(dict(display or {}))))

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    # the static part
    rule_id = property(lambda self: self._s.rule_id, doc="the rule's id")
    description = property(lambda self: self._s.description, doc="bilingual description")
    kind = property(lambda self: self._s.kind, doc="check, all, any, not, decision, value...")
    facts = property(lambda self: self._s.facts, doc="names of the facts this node reads")
    expected = property(lambda self: self._s.expected, doc="what a check expects, as text")
    source = property(lambda self: self._s.source, doc="the citation")
    severity = property(lambda self: self._s.severity, doc="error or warning")
    unit = property(lambda self: self._s.unit, doc="how the compared quantity is shown")
    decision = property(lambda self: self._s.decision, doc="the decision it stands for")
    group = property(lambda self: self._s.group, doc="a tier: how its requirements combine")
    subject = property(lambda self: self._s.subject, doc="the compared expression")

    # the dynamic part
    outcome = property(lambda self: self._d[_OUTCOME], doc="how it came out")
    children = property(lambda self: self._d[_CHILDREN], doc="sub-rules")
    gap = property(lambda self: self._d[_GAP], doc="how far from passing")
    threshold = property(lambda self: self._d[_THRESHOLD], doc="the value compared with")
    detail = property(lambda self: self._d[_DETAIL], doc="extra evidence")
    value = property(lambda self: self._d[_VALUE], doc="the value a value node gives")
    compared = property(lambda self: self._d[_COMPARED], doc="the compared value (failed)")
    relative_gap = property(lambda self: self._d[_RELATIVE], doc="gap / threshold")

    @property
    def actual(self) -> Mapping[str, Any]:
        """The facts' values as the engine read them (None when missing)."""
        return self._shown()[0]

    @property
    def display(self) -> Mapping[str, str]:
        """The facts' values as shown to people."""
        return self._shown()[1]

    def _shown(self) -> tuple[Mapping[str, Any], Mapping[str, str]]:
        try:
            return self._c
        except AttributeError:
            pass
        static = self._s
        raw = self._d[_RAW] or (None,) * len(static.facts)
        actual: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for name, ft, value in zip(static.facts, static.fact_types, raw, strict=True):
            actual[name] = ft.to_json(value) if ft.kind == "ordinal" else value
            shown[name] = ft.display(value)
        cache = (MappingProxyType(actual), MappingProxyType(shown))
        _set_c(self, cache)  # computed once; a race computes the same thing twice
        return cache

    @property
    def passed(self) -> bool:
        return bool(self._d[_OUTCOME] == Outcome.PASS)

    def walk(self) -> Iterator[RuleResult]:
        """This node and all below it, depth first."""
        stack = [self]
        pop, extend = stack.pop, stack.extend
        while stack:
            node = pop()
            yield node
            extend(reversed(node._d[_CHILDREN]))

    def _fields(self) -> tuple[Any, ...]:
        s, d = self._s, self._d
        return (s.rule_id, s.description, d[_OUTCOME], s.facts, dict(self.actual), s.expected,
                d[_GAP], s.source, d[_CHILDREN], s.kind, s.severity, d[_VALUE],
                d[_THRESHOLD], d[_RELATIVE], s.unit, d[_DETAIL], s.decision, s.group,
                s.subject, d[_COMPARED])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not RuleResult:
            return NotImplemented
        assert isinstance(other, RuleResult)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # like a frozen attrs class with a mapping

    def __repr__(self) -> str:
        names = ("rule_id", "description", "outcome", "facts", "actual", "expected", "gap",
                 "source", "children", "kind", "severity", "value", "threshold",
                 "relative_gap", "unit", "detail", "decision", "group", "subject", "compared")
        body = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True))
        return f"RuleResult({body})"

    def to_dict(self) -> dict[str, Any]:
        """This node and its children as JSON data.

        Every node has ``rule_id``, ``kind``, ``description``, ``outcome``, ``facts``,
        ``actual``, ``expected``, ``gap``, ``source`` and ``children``; ``threshold`` and
        ``detail`` appear when known, ``severity`` for warnings, ``value`` on the nodes of
        value decisions and ``decision`` on nodes that stand for a decision.
        """
        s, d = self._s, self._d
        out: dict[str, Any] = {
            "rule_id": s.rule_id,
            "kind": s.kind,
            "description": s.description.to_dict(),
            "outcome": str(d[_OUTCOME]),
            "facts": list(s.facts),
            "actual": {k: json_value(v) for k, v in self.actual.items()},
            "expected": s.expected,
            "gap": json_value(d[_GAP]),
            "source": s.source,
            "children": [c.to_dict() for c in d[_CHILDREN]],
        }
        if d[_THRESHOLD] is not None:
            out["threshold"] = json_value(d[_THRESHOLD])
        if d[_DETAIL] is not None:
            out["detail"] = d[_DETAIL]
        if s.severity != "error":
            out["severity"] = s.severity
        if s.kind not in RULE_KINDS:
            out["value"] = json_value(d[_VALUE])
        if s.decision is not None:
            out["decision"] = s.decision
        return out


# the slots' own setters: the only way to fill a RuleResult, whose __setattr__ refuses
_set_s: Callable[[RuleResult, NodeStatic], None] = vars(RuleResult)["_s"].__set__
_set_d: Callable[[RuleResult, tuple[Any, ...]], None] = vars(RuleResult)["_d"].__set__
_set_c: Callable[[RuleResult, tuple[Any, Any]], None] = vars(RuleResult)["_c"].__set__
_new = object.__new__


def new_rule_result(static: NodeStatic, outcome: Outcome, children: tuple[RuleResult, ...],
                    raw: tuple[Any, ...] | None, gap: Any = None, threshold: Any = None,
                    detail: str | None = None, value: Any = None, compared: Any = None,
                    relative_gap: Decimal | None = None) -> RuleResult:
    """A RuleResult from a shared static part and this evaluation's values (no ``__init__``
    frame: this runs once per node of every trace)."""
    node: RuleResult = _new(RuleResult)
    _set_s(node, static)
    _set_d(node, (outcome, children, gap, threshold, detail, value, compared, relative_gap,
                  raw))
    return node


def restate(node: RuleResult, static: NodeStatic, outcome: Outcome,
            extra: tuple[RuleResult, ...] = ()) -> RuleResult:
    """``node``'s values under another static part and outcome, with ``extra`` children
    appended: a decision's root stands for the decision (its id, its outcome)."""
    d = node._d
    return new_rule_result(static, outcome, d[_CHILDREN] + extra, d[_RAW], d[_GAP],
                           d[_THRESHOLD], d[_DETAIL], d[_VALUE], d[_COMPARED], d[_RELATIVE])


def raw_facts(node: RuleResult) -> tuple[Any, ...] | None:
    """The raw fact values a node read (what ``actual`` and ``display`` are made from)."""
    raw: tuple[Any, ...] | None = node._d[_RAW]
    return raw
