"""Pipeline stage 5 (result): one node of a trace, the outcome values, and a node's JSON.

A :class:`RuleResult` is a static part (:class:`NodeStatic`: id, kind, description,
expected text, source, facts, unit...) built once per node of a compiled decision and
shared by every evaluation, and a small dynamic part set per evaluation: the outcome, the
children, the decision's converted facts (the node reads its own by position) and, for
nodes that have any, the evidence (gap, threshold, detail, value, compared, relative gap),
or the deferred computation of it. ``actual`` and ``display``, and deferred evidence, are
computed when first read, once.

What a node is as JSON is answered here once, as code: :func:`node_json` writes the
statements (stdlib ``ast``) that build a node's dict from its static part and four dynamic
expressions. The trace renderer generated for each decision inlines them node by node, and
``RuleResult.to_dict()`` runs them compiled once per static part.
"""

from __future__ import annotations

import ast
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import attrs

from .compiler import pyast as P
from .facts import FactType, json_value
from .text import Text

__all__ = ["RULE_KINDS", "NodeStatic", "Outcome", "RuleResult", "deferred",
           "node_json", "node_parts", "rule_result_maker"]


class Outcome(StrEnum):
    """The outcome of a decision or a rule. Compares equal to its string value."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


# the node kinds that are rules (their to_dict has no "value")
RULE_KINDS = frozenset({"check", "all", "any", "not", "decision", "requires"})
# a node's evidence, by position (None as a whole when it has none)
_GAP, _THRESHOLD, _DETAIL, _VALUE, _COMPARED, _RELATIVE, _MATCHED, _DECIDED = range(8)
# the dynamic part, by position
_STATIC, _OUTCOME, _CHILDREN, _FACTS, _EVIDENCE = range(5)
# evidence computed when first read: ``deferred(make, *args)`` stands for ``make(*args)``
deferred = functools.partial


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
    # where each of ``facts`` sits in the decision's converted facts (-1: not there)
    fact_pos: tuple[int, ...] = ()
    when: str | None = None  # a case, item or table row: its condition, as written
    # the compiled to_dict of nodes with this static part, made on first use
    json: list[Callable[..., dict[str, Any]]] = attrs.field(
        factory=list, init=False, eq=False, repr=False)


class RuleResult:
    """One node of a trace: a rule (or a part of a value computation) and how it came out.

    ``gap`` is, for a failed numeric threshold, how far the compared value is from passing
    (``0.01`` for a deposit of 2999.99 against ``>= 3000``); ``threshold`` the value it was
    compared with; ``relative_gap`` the gap as a fraction of the threshold. Immutable:
    setting an attribute raises ``attrs.exceptions.FrozenInstanceError``.
    """

    __slots__ = ("_c", "_d", "_e")

    _d: tuple[Any, ...]
    _c: tuple[Mapping[str, Any], Mapping[str, str]]
    _e: tuple[Any, ...] | None  # deferred evidence, once computed

    def __init__(self, rule_id: str, description: Text, outcome: Outcome,
                 facts: tuple[str, ...], actual: Mapping[str, Any], expected: str | None,
                 gap: Decimal | int | None, source: str | None,
                 children: tuple[RuleResult, ...] = (), kind: str = "check",
                 severity: str = "error", value: Any = None, threshold: Any = None,
                 relative_gap: Decimal | None = None, unit: str | None = None,
                 detail: str | None = None, decision: str | None = None,
                 display: Mapping[str, str] | None = None, group: str | None = None,
                 subject: str | None = None, compared: Any = None,
                 matched: tuple[str, ...] | None = None,
                 decided_by: tuple[str, ...] | None = None) -> None:
        facts = tuple(facts)
        static = NodeStatic(rule_id, description, kind, facts, expected, source,
                            severity, unit, decision, group, subject, (),
                            tuple(range(len(facts))))
        evidence = (gap, threshold, detail, value, compared, relative_gap, matched, decided_by)
        _set_d(self, (static, outcome, tuple(children), tuple(actual.get(f) for f in facts),
                      None if evidence == (None,) * 8 else evidence))
        _set_c(self, (MappingProxyType(dict(actual)),
                      MappingProxyType(dict(display or {}))))

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    # the static part
    rule_id = property(lambda self: self._d[0].rule_id, doc="the rule's id")
    description = property(lambda self: self._d[0].description, doc="bilingual description")
    kind = property(lambda self: self._d[0].kind, doc="check, all, any, not, decision, value...")
    facts = property(lambda self: self._d[0].facts, doc="names of the facts this node reads")
    expected = property(lambda self: self._d[0].expected, doc="what a check expects, as text")
    source = property(lambda self: self._d[0].source, doc="the citation")
    severity = property(lambda self: self._d[0].severity, doc="error or warning")
    unit = property(lambda self: self._d[0].unit, doc="how the compared quantity is shown")
    decision = property(lambda self: self._d[0].decision, doc="the decision it stands for")
    group = property(lambda self: self._d[0].group, doc="a tier: how its requirements combine")
    subject = property(lambda self: self._d[0].subject, doc="the compared expression")

    # the dynamic part
    outcome = property(lambda self: self._d[1], doc="how it came out")
    children = property(lambda self: self._d[2], doc="sub-rules")
    gap = property(lambda self: (e := self._evidence()) and e[0], doc="how far from passing")
    threshold = property(lambda self: (e := self._evidence()) and e[1],
                         doc="the value compared with")
    detail = property(lambda self: (e := self._evidence()) and e[2], doc="extra evidence")
    value = property(lambda self: (e := self._evidence()) and e[3],
                     doc="the value a value node gives")
    compared = property(lambda self: (e := self._evidence()) and e[4],
                        doc="the compared value (failed)")
    relative_gap = property(lambda self: (e := self._evidence()) and e[5],
                            doc="gap / threshold")
    matched = property(lambda self: (e := self._evidence()) and e[6],
                       doc="a decision table: the ids of the rows that matched, in order")
    decided_by = property(lambda self: (e := self._evidence()) and e[7],
                          doc="a decision table: the ids of the rows that gave its value")

    def _evidence(self) -> tuple[Any, ...] | None:
        """The evidence tuple (None: none), computing deferred evidence on first read."""
        evidence = self._d[4]
        if evidence.__class__ is not deferred:
            return evidence  # type: ignore[no-any-return]
        try:
            return self._e
        except AttributeError:
            pass
        computed: tuple[Any, ...] | None = evidence()
        _set_e(self, computed)  # computed once; a race computes the same thing twice
        return computed

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
        static, facts = self._d[0], self._d[3]
        actual: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for name, ft, p in zip(static.facts, static.fact_types, static.fact_pos, strict=True):
            value = facts[p] if p >= 0 else None
            actual[name] = ft.shown(value)
            shown[name] = ft.display(value)
        cache = (MappingProxyType(actual), MappingProxyType(shown))
        _set_c(self, cache)  # computed once; a race computes the same thing twice
        return cache

    @property
    def passed(self) -> bool:
        return bool(self._d[1] == Outcome.PASS)

    def walk(self) -> Iterator[RuleResult]:
        """This node and all below it, depth first."""
        stack = [self]
        pop, extend = stack.pop, stack.extend
        while stack:
            node = pop()
            yield node
            extend(reversed(node._d[2]))

    def _fields(self) -> tuple[Any, ...]:
        s = self._d[0]
        return (s.rule_id, s.description, self.outcome, s.facts, dict(self.actual),
                s.expected, self.gap, s.source, self.children, s.kind, s.severity, self.value,
                self.threshold, self.relative_gap, s.unit, self.detail, s.decision, s.group,
                s.subject, self.compared, self.matched, self.decided_by)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not RuleResult:
            return NotImplemented
        assert isinstance(other, RuleResult)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # like a frozen attrs class with a mapping

    def __repr__(self) -> str:
        names = ("rule_id", "description", "outcome", "facts", "actual", "expected", "gap",
                 "source", "children", "kind", "severity", "value", "threshold",
                 "relative_gap", "unit", "detail", "decision", "group", "subject", "compared",
                 "matched", "decided_by")
        body = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True))
        return f"RuleResult({body})"

    def to_dict(self) -> dict[str, Any]:
        """This node and its children as JSON data.

        Every node has ``rule_id``, ``kind``, ``description``, ``outcome``, ``facts``,
        ``actual``, ``expected``, ``gap``, ``source`` and ``children``; ``threshold`` and
        ``detail`` appear when known, ``severity`` for warnings, ``value`` on the nodes of
        value decisions and ``decision`` on nodes that stand for a decision.
        """
        static, outcome, children, facts, _ = self._d
        render = static.json[0] if static.json else _json_function(static)
        return render(outcome, [c.to_dict() for c in children], facts, self._evidence())


# the slots' own setters: the only way to fill a RuleResult, whose __setattr__ refuses
_set_d: Callable[[RuleResult, tuple[Any, ...]], None] = vars(RuleResult)["_d"].__set__
_set_c: Callable[[RuleResult, tuple[Any, Any]], None] = vars(RuleResult)["_c"].__set__
_set_e: Callable[[RuleResult, tuple[Any, ...] | None], None] = vars(RuleResult)["_e"].__set__
_new = object.__new__


def rule_result_maker() -> tuple[Callable[[type], RuleResult],
                                 Callable[[RuleResult, tuple[Any, ...]], None], type]:
    """``(new, fill, RuleResult)``: generated trace builders make a node with
    ``node = new(RuleResult); fill(node, (static, outcome, children, facts, evidence))``,
    two calls and no ``__init__`` frame (this runs once per node of every trace). The
    evidence may be ``deferred(make, *args)``: computed by ``make(*args)`` when first read.
    ``facts`` are the decision's exact facts (``runtime.exact_facts``)."""
    return _new, _set_d, RuleResult


def node_parts(node: RuleResult
               ) -> tuple[NodeStatic, Outcome, tuple[RuleResult, ...], str | None]:
    """A node's static part, outcome, children and detail, read in one call (for walks
    over a whole trace)."""
    static, outcome, children, _, _ = node._d
    evidence = node._evidence()
    return static, outcome, children, None if evidence is None else evidence[_DETAIL]


# -- a node as JSON, as code ---------------------------------------------------------------

_OUTCOME_TEXT = {o: o.value for o in Outcome}


def _fact_json(ft: FactType | None, value: ast.expr,
               const: Callable[[Any], ast.expr]) -> ast.expr:
    """Code turning one converted fact value into its JSON form."""
    kind = None if ft is None else ft.kind
    if kind in ("boolean", "string", "enum", "integer"):
        return value
    if kind in ("number", "percent", "money"):  # str(x) if x.__class__ is Decimal else x
        is_decimal = ast.Compare(ast.Attribute(value, "__class__", ast.Load()), [ast.Is()],
                                 [const(Decimal)])
        return ast.IfExp(is_decimal, P.call(ast.Name("str", ast.Load()), value), value)
    if kind == "ordinal":
        assert ft is not None
        return ast.IfExp(ast.Compare(value, [ast.Is()], [ast.Constant(None)]),
                         ast.Constant(None),
                         ast.Subscript(const(ft.values), value, ast.Load()))
    return P.call(const(json_value), value)


def node_json(static: NodeStatic, target: str, outcome: ast.expr, children: ast.expr,
              facts: ast.expr, evidence: ast.expr | None,
              const: Callable[[Any], ast.expr], *, shown: bool = False) -> list[ast.stmt]:
    """Statements that set ``target`` to the JSON of a node of part ``static``.

    ``outcome`` is the node's Outcome (``shown``: already its text), ``children`` a list of
    its children's dicts, ``facts`` the decision's converted facts and ``evidence`` the
    node's evidence tuple or None (``evidence=None`` itself: the node never has any).
    ``const(value)`` names a constant of the namespace the code runs in. The keys come in
    this order: ``rule_id``, ``kind``, ``description``, ``outcome``, ``facts``, ``actual``,
    ``expected``, ``gap``, ``source``, ``children``, then ``threshold`` and ``detail`` when
    known, ``severity`` for warnings, ``value`` on value nodes and ``decision`` on nodes
    standing for a decision.
    """
    types: tuple[FactType | None, ...] = static.fact_types or (None,) * len(static.facts)
    actual = ast.Dict(
        [const(name) for name in static.facts],
        [ast.Constant(None) if p < 0 else _fact_json(ft, ast.Subscript(
            facts, ast.Constant(p), ast.Load()), const)
         for ft, p in zip(types, static.fact_pos, strict=True)])
    desc = static.description
    # the static keys come from a template (copying it is quicker than building the dict),
    # in the final key order; the mutable values are made fresh for every node
    template = {"rule_id": static.rule_id, "kind": static.kind, "description": None,
                "outcome": None, "facts": None, "actual": None, "expected": static.expected,
                "gap": None, "source": static.source, "children": None}
    out = ast.Name(target, ast.Store())
    body: list[ast.stmt] = [ast.Assign([out], P.call(ast.Attribute(
        const(template), "copy", ast.Load())))]

    def put(key: str, value: ast.expr) -> ast.stmt:
        return ast.Assign([ast.Subscript(ast.Name(target, ast.Load()), ast.Constant(key),
                                         ast.Store())], value)

    body += [
        put("description", ast.Dict([ast.Constant("en"), ast.Constant("zh")],
                                    [const(desc.en), const(desc.zh)])),
        put("outcome", outcome if shown else ast.Subscript(const(_OUTCOME_TEXT), outcome,
                                                            ast.Load())),
        put("facts", ast.List([const(f) for f in static.facts], ast.Load())),
        put("actual", actual),
        put("children", children)]

    def is_set(value: ast.expr) -> ast.expr:
        return ast.Compare(value, [ast.IsNot()], [ast.Constant(None)])

    if evidence is not None:
        jv = const(json_value)
        body.append(ast.If(is_set(evidence), [
            put("gap", P.call(jv, P.index(evidence, _GAP))),
            ast.If(is_set(P.index(evidence, _THRESHOLD)),
                   [put("threshold", P.call(jv, P.index(evidence, _THRESHOLD)))], []),
            ast.If(is_set(P.index(evidence, _DETAIL)),
                   [put("detail", P.index(evidence, _DETAIL))], []),
        ], []))
        if static.kind == "table" or static.kind == "value" or static.kind == "reference":
            listed = P.call(ast.Name("list", ast.Load()), P.index(evidence, _MATCHED))
            decided = P.call(ast.Name("list", ast.Load()), P.index(evidence, _DECIDED))
            body.append(ast.If(ast.BoolOp(ast.And(), [is_set(evidence), is_set(
                P.index(evidence, _MATCHED))]), [put("matched", listed),
                                                  put("decided_by", decided)], []))
    if static.severity != "error":
        body.append(put("severity", const(static.severity)))
    if static.kind not in RULE_KINDS:
        value: ast.expr = ast.Constant(None)
        if evidence is not None:
            value = ast.IfExp(is_set(evidence), P.call(const(json_value), P.index(
                evidence, _VALUE)), ast.Constant(None))
        body.append(put("value", value))
    if static.decision is not None:
        body.append(put("decision", const(static.decision)))
    return body


_json_lock = threading.Lock()


def _json_function(static: NodeStatic) -> Callable[..., dict[str, Any]]:
    """``to_dict`` of the nodes of part ``static``: :func:`node_json`, compiled on first
    use and kept on the static part."""
    ns: dict[str, Any] = {}

    def const(value: Any) -> ast.expr:
        name = f"K{len(ns)}"
        ns[name] = value
        return ast.Name(name, ast.Load())

    args = ast.arguments([], [ast.arg(a) for a in ("outcome", "children", "F", "evidence")],
                         None, [], [], None, [])
    body = node_json(static, "node", ast.Name("outcome", ast.Load()),
                     ast.Name("children", ast.Load()), ast.Name("F", ast.Load()),
                     ast.Name("evidence", ast.Load()), const)
    body.append(ast.Return(ast.Name("node", ast.Load())))
    module = ast.Module([ast.FunctionDef("node_to_dict", args, body, [], None)], [])
    # built from the static part's fields; every value is a namespace constant
    exec(compile(ast.fix_missing_locations(module), "<promorules node json>", "exec"), ns)
    fn: Callable[..., dict[str, Any]] = ns["node_to_dict"]
    with _json_lock:
        if not static.json:
            static.json.append(fn)
        return static.json[0]
