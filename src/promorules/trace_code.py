"""Pipeline stage 5 (code): the trace builders of a decision, generated once.

For each compiled decision, on first use, this module writes straight-line Python (built as
stdlib ``ast`` nodes and compiled once) that turns the decision's record into:

- ``trace(R, as_of, ref)``: the trace, every node made directly from the record;
- ``to_dict(R, as_of, ref)``: the same trace as JSON data, without making the nodes;
- ``node_<i>(R, as_of)``: one rule's subtree alone, for the failed leaves (``r.failed``).

Static parts (ids, descriptions, expected texts, sources) are namespace constants; a node's
outcome is read from its value, and its evidence (gaps, formulas, rows) comes from
:func:`promorules.plan.evidence_maker`, computed only for the nodes that show it: for JSON
data at once, for trace nodes when first read. The record's facts are read once, as exact
values (:func:`promorules.compiler.exact_facts`). A node's
JSON is written by :func:`promorules.rule_result.node_json`, the one definition that
``RuleResult.to_dict()`` runs too. ``ast.unparse`` of the code is kept for readers.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from typing import Any

from .compiler import CompiledDecision, FailedLeaf, Record, exact_facts
from .compiler import pyast as P
from .plan import (
    LOGIC,
    OUTCOME,
    VALUE_PARENTS,
    VALUE_ROOT,
    Context,
    evidence_maker,
    gap_only,
    outcome_rule,
    resolve,
)
from .rule_result import (
    NodeStatic,
    Outcome,
    RuleResult,
    deferred,
    node_json,
    rule_result_maker,
)
from .trace_detail import public_value

__all__ = ["TraceCode", "build_trace", "code_of", "failed_nodes", "render_dict"]

_NEW, _FILL, _RULE_RESULT = rule_result_maker()
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")
Builder = Callable[[Record, Any], RuleResult]
_NEVER_NA = frozenset({"check", "all", "any", "decision"})  # unless conditional


class TraceCode:
    """What is generated for one decision (immutable once made)."""

    __slots__ = ("leaves", "nodes", "render", "source", "trace")

    def __init__(self, trace: Callable[[Record, Any, bool], RuleResult],
                 render: Callable[[Record, Any, bool], dict[str, Any]],
                 nodes: dict[int, Builder], leaves: dict[FailedLeaf, Builder],
                 source: str) -> None:
        self.trace = trace  # (record, as_of, reference) -> the trace's root
        self.render = render  # (record, as_of, reference) -> the trace as JSON data
        self.nodes = nodes  # node index -> its subtree alone
        self.leaves = leaves  # each leaf the failed-leaves function names -> its node
        self.source = source  # the generated code, for people


def code_of(ctx: Context, decision: CompiledDecision) -> TraceCode:
    """The generated trace code of ``decision`` (made once, on first use)."""
    return ctx.code(decision, _generate)


def build_trace(ctx: Context, decision: CompiledDecision, record: Record, as_of: Any,
                reference: bool = False) -> RuleResult:
    """The trace of one decision: its root, standing for the decision (kind
    ``"reference"`` for the context trace of a decision read inside expressions)."""
    return code_of(ctx, decision).trace(record, as_of, reference)


def render_dict(ctx: Context, decision: CompiledDecision, record: Record, as_of: Any,
                reference: bool = False) -> dict[str, Any]:
    """The trace of ``record`` as JSON data (``to_dict()`` of its trace)."""
    return code_of(ctx, decision).render(record, as_of, reference)


def failed_nodes(ctx: Context, decision: CompiledDecision, record: Record, as_of: Any
                 ) -> tuple[RuleResult, ...]:
    """The failed leaves as trace nodes, each built alone (not the whole tree)."""
    leaves = ctx.code(decision, _generate).leaves  # code_of, inlined (a hot path)
    out = []
    for leaf in decision.failed_leaves(record.nodes, record.subs):
        out.append(leaves[leaf](record, as_of))
    return tuple(out)


def _located(ctx: Context, decision: CompiledDecision, i: int) -> Builder:
    """The builder of the failed location ``i`` of ``decision``: a node, or the whole
    decision (a value decision that gave no value, or a root standing for its decision)."""
    if i == VALUE_ROOT or (i == ctx.plan(decision).root and decision.kind == "passfail"):
        return lambda rec, as_of: build_trace(ctx, decision, rec, as_of)
    return code_of(ctx, decision).nodes[i]


def _leaf(ctx: Context, decision: CompiledDecision, path: tuple[int, ...], i: int,
          nodes: dict[int, Builder]) -> Builder:
    """The builder of the failed leaf at ``path`` and ``i`` (``nodes``: the decision's own
    node builders, being made)."""
    if not path:
        return nodes[i] if i in nodes else _located(ctx, decision, i)

    def build(record: Record, as_of: Any) -> RuleResult:
        d, rec = resolve(ctx, decision, record, path)
        return _located(ctx, d, i)(rec, as_of)

    return build


def _generate(ctx: Context, decision: CompiledDecision) -> TraceCode:
    return _Gen(ctx, decision).generate()


# -- the generator -----------------------------------------------------------------------


def _seq(items: list[ast.expr], json: bool) -> ast.expr:
    return ast.List(items, ast.Load()) if json else ast.Tuple(items, ast.Load())


class _Gen:
    """Writes the trace code of one decision."""

    def __init__(self, ctx: Context, decision: CompiledDecision) -> None:
        self.ctx = ctx
        self.d = decision
        self.plan = ctx.plan(decision)
        self.ns: dict[str, Any] = {
            "new": _NEW, "fill": _FILL, "RuleResult": _RULE_RESULT, "LOGIC": LOGIC,
            "OUTCOME": OUTCOME, "LOGIC_TEXT": {v: o.value for v, o in LOGIC.items()},
            "NA_": Outcome.NOT_APPLICABLE, "FAIL_": Outcome.FAIL,
            "public_value": public_value, "deferred": deferred, "exact_facts": exact_facts,
            "FLOATS": decision.float_facts}
        self.names: dict[int, tuple[Any, ast.Name]] = {}  # id(constant) -> it, its name
        self.evidence_of: dict[int, Any] = {}  # node index -> its evidence function
        self.body: list[ast.stmt] = []
        self.uses_subs = False
        self.eager: set[int] = set()  # trace nodes whose evidence the root reads at once
        # the nodes whose outcome is never "not applicable": in a pass/fail decision, the
        # unconditional checks, groups and decision references below such nodes (only a
        # rule's `applies_when` gives NA; a value decision leaves unreached nodes NA)
        self.never_na: list[bool] = []
        for info in self.plan.nodes:
            self.never_na.append(
                decision.kind == "passfail" and info.kind in _NEVER_NA and not info.conditional
                and (info.parent is None or self.never_na[info.parent]))

    def const(self, value: Any, name: str | None = None) -> ast.Name:
        """A namespace constant, named once per value."""
        known = self.names.get(id(value))
        if known is not None:
            return known[1]
        name = name or f"K{len(self.ns)}"
        assert name not in self.ns
        self.ns[name] = value
        node = P.name(name)
        self.names[id(value)] = (value, node)  # kept alive: its id stays its own
        return node

    def tag(self, i: int) -> str:
        """``6_deposit``: a node's index, and its id when that is a plain name."""
        rid = self.plan.nodes[i].id
        return f"{i}_{rid}" if _NAME.fullmatch(rid) else str(i)

    def sub(self, j: int) -> ast.expr:
        self.uses_subs = True
        return P.index(P.name("S"), j)

    def sub_call(self, did: str, j: int, json: bool, reference: bool) -> ast.expr:
        ctx, decision = self.ctx, self.ctx.decisions[did]
        if json:
            fn: Callable[..., Any] = lambda rec, as_of, ref: render_dict(  # noqa: E731
                ctx, decision, rec, as_of, ref)
        else:
            fn = lambda rec, as_of, ref: build_trace(ctx, decision, rec, as_of, ref)  # noqa: E731
        name = ("RENDER_" if json else "TRACE_") + (did if _NAME.fullmatch(did) else str(j))
        self.ns.setdefault(name, fn)
        return P.call(P.name(name), self.sub(j), P.name("as_of"), ast.Constant(reference))

    def outcome(self, i: int, parent: str | None) -> str:
        """``o<i> = ...``: node ``i``'s outcome (not applicable below a node that is not)."""
        info = self.plan.nodes[i]
        value = P.index(P.name("N"), i)
        rule = outcome_rule(info)
        if rule is None:
            expr: ast.expr = ast.Subscript(P.name("LOGIC"), value, ast.Load())
        elif info.kind in ("case", "default"):
            expr = P.call(self.const(rule, "case_outcome"), value,
                         ast.Attribute(P.name("R"), "outcome", ast.Load()))
        else:
            expr = P.call(self.const(rule, rule.__name__), value)
        if parent is not None and not (info.parent is not None and self.never_na[info.parent]):
            expr = ast.IfExp(P.is_(P.name(parent), P.name("NA_")), P.name("NA_"), expr)
        name = f"o{self.tag(i)}"
        self.body.append(P.assign(name, expr))
        return name

    def evidence_maker(self, i: int) -> Any:
        """Node ``i``'s evidence function (None: it never has any), made once."""
        if i not in self.evidence_of:
            self.evidence_of[i] = evidence_maker(self.ctx, self.d, i)
        return self.evidence_of[i]

    def evidence(self, i: int, outcome: str, json: bool) -> ast.expr | None:
        """``e<i> = ...``: node ``i``'s evidence, or None when it never has any; deferred
        for a trace node (computed when first read)."""
        make = self.evidence_maker(i)
        if make is None:
            return None
        info = self.plan.nodes[i]
        args = [P.name(outcome), P.name("R"), P.name("F"), P.name("as_of")]
        maker = self.const(make, f"EVIDENCE{self.tag(i)}")
        expr: ast.expr = (P.call(maker, *args) if json or i in self.eager
                          else P.call(P.name("deferred"), maker, *args))
        if gap_only(info):
            expr = ast.IfExp(P.is_(P.name(outcome), P.name("FAIL_")), expr, ast.Constant(None))
        name = f"e{self.tag(i)}"
        self.body.append(P.assign(name, expr))
        return P.name(name)

    def subtree(self, i: int, parent: str | None, json: bool
                ) -> tuple[str, ast.expr, ast.expr | None]:
        """Node ``i`` and everything below it: (the outcome's name, the children, the
        evidence). The node itself is made by :meth:`make`."""
        info = self.plan.nodes[i]
        o = self.outcome(i, parent)
        kids: list[ast.expr] = [P.name(self.node(c, o, json)) for c in info.children]
        children = _seq(kids, json)
        if info.kind == "decision" and info.decision is not None:
            j = self.d.subs.index(info.decision)
            with_sub = _seq([*kids, self.sub_call(info.decision, j, json, False)], json)
            children = ast.IfExp(P.is_(P.name(o), P.name("NA_")), children, with_sub)
        return o, children, self.evidence(i, o, json)

    def node(self, i: int, parent: str | None, json: bool) -> str:
        info = self.plan.nodes[i]
        if (json and not info.children and info.kind != "decision"
                and outcome_rule(info) is None and self.evidence_maker(i) is None
                and (parent is None or (info.parent is not None and self.never_na[info.parent]))):
            # a rule with nothing below it and no evidence: its outcome is only shown, so
            # its text is read from its value at once
            text = ast.Subscript(P.name("LOGIC_TEXT"), P.index(P.name("N"), i), ast.Load())
            name = f"n{self.tag(i)}"
            self.body += node_json(self.plan.statics[i], name, text, _seq([], True), P.name("F"),
                                   None, self.const, shown=True)
            return name
        o, children, evidence = self.subtree(i, parent, json)
        return self.make(f"n{self.tag(i)}", self.plan.statics[i], None, P.name(o),
                         children, evidence, json)

    def make(self, name: str, static: NodeStatic, static_expr: ast.expr | None,
             outcome: ast.expr, children: ast.expr, evidence: ast.expr | None,
             json: bool) -> str:
        """``name = ...``: a RuleResult, or its JSON data."""
        if json:
            self.body += node_json(static, name, outcome, children, P.name("F"), evidence,
                                   self.const)
        else:
            s = static_expr or self.const(static, f"STATIC{name[1:]}")
            part = ast.Tuple([s, outcome, children, P.name("F"),
                              evidence or ast.Constant(None)], ast.Load())
            self.body += [P.assign(name, P.call(P.name("new"), P.name("RuleResult"))),
                          ast.Expr(P.call(P.name("fill"), P.name(name), part))]
        return name

    def decision_body(self, json: bool) -> str:
        """The whole trace, its root standing for the decision."""
        plan, d = self.plan, self.d
        extras = [self.sub_call(did, j, json, True) for j, did in plan.extras]
        outcome = ast.Subscript(P.name("OUTCOME"), ast.Attribute(P.name("R"), "outcome",
                                                                ast.Load()), ast.Load())
        if d.kind == "passfail":
            static = plan.root_static
            _, children, evidence = self.subtree(plan.root, None, json)
        else:
            assert plan.value_static is not None
            static = plan.value_static
            parts: list[ast.expr] = []
            for r in plan.roots[:-1]:
                parts.append(P.name(self.node(r, None, json)))
            last = plan.roots[-1]
            kind = plan.nodes[last].kind
            if kind in VALUE_PARENTS:
                if kind in ("table", "split"):
                    self.eager.add(last)  # its detail is the decision's
                _, last_children, last_evidence = self.subtree(last, None, json)
            else:
                last_children = _seq([P.name(self.node(last, None, json))], json)
                last_evidence = None
            children = ast.BinOp(_seq(parts, json), ast.Add(), last_children)
            detail: ast.expr = ast.Constant(None)
            matched: ast.expr = ast.Constant(None)
            decided: ast.expr = ast.Constant(None)
            if kind in ("table", "split") and last_evidence is not None:
                detail = P.index(last_evidence, 2)
            if kind == "table" and last_evidence is not None:  # the rows, as the table's
                matched, decided = P.index(last_evidence, 6), P.index(last_evidence, 7)
            value = P.call(P.name("public_value"), ast.Attribute(P.name("R"), "value", ast.Load()))
            self.body.append(P.assign("e_value", ast.Tuple(
                [ast.Constant(None), ast.Constant(None), detail, value, ast.Constant(None),
                 ast.Constant(None), matched, decided], ast.Load())))
            evidence = P.name("e_value")
        if extras:
            children = ast.BinOp(children, ast.Add(), _seq(extras, json))
        if json:  # the same node as a context ("reference") trace, or standing for the decision
            self.body.append(P.assign("kids", children))
            as_reference = node_json(plan.reference_static, "root", outcome, P.name("kids"),
                                     P.name("F"), evidence, self.const)
            self.body.append(ast.If(P.name("ref"), as_reference, node_json(
                static, "root", outcome, P.name("kids"), P.name("F"), evidence, self.const)))
            return "root"
        choice = ast.IfExp(P.name("ref"), self.const(plan.reference_static, "STATIC_reference"),
                           self.const(static, "STATIC_decision"))
        return self.make("root", static, choice, outcome, children, evidence, False)

    def function(self, name: str, args: tuple[str, ...], result: Callable[[], str]
                 ) -> ast.FunctionDef:
        self.body, self.uses_subs = [], False
        returned = result()
        prologue: list[ast.stmt] = [
            P.assign("N", ast.Attribute(P.name("R"), "nodes", ast.Load())),
            P.assign("F", ast.Attribute(P.name("R"), "facts", ast.Load()))]
        if self.d.float_facts:  # a float the fast path kept: read as its exact decimal
            kept: list[ast.expr] = [
                P.is_(ast.Attribute(P.index(P.name("F"), p), "__class__", ast.Load()),
                    P.name("float")) for p in self.d.float_facts]
            test = kept[0] if len(kept) == 1 else ast.BoolOp(ast.Or(), kept)
            prologue.append(ast.If(test, [P.assign("F", P.call(
                P.name("exact_facts"), P.name("F"), P.name("FLOATS")))], []))
        if self.uses_subs:
            prologue.append(P.assign("S", ast.Attribute(P.name("R"), "subs", ast.Load())))
        arguments = ast.arguments([], [ast.arg(a) for a in args], None, [], [], None, [])
        return ast.FunctionDef(name, arguments, [*prologue, *self.body,
                                                 ast.Return(P.name(returned))], [], None)

    def generate(self) -> TraceCode:
        plan, d = self.plan, self.d
        functions = [
            self.function("trace", ("R", "as_of", "ref"), lambda: self.decision_body(False)),
            self.function("to_dict", ("R", "as_of", "ref"), lambda: self.decision_body(True)),
        ]
        # every rule that can be a failed leaf, alone
        alone = [i for i, n in enumerate(plan.nodes)
                 if n.kind in ("check", "not", "all", "any", "requires")
                 and not (i == plan.root and d.kind == "passfail")]
        for i in alone:
            functions.append(self.function(f"node_{self.tag(i)}", ("R", "as_of"),
                                           functools.partial(self.node, i, None, False)))
        module = ast.fix_missing_locations(ast.Module(list[ast.stmt](functions), []))
        # built from the decision's node table: every ruleset text is a namespace constant
        exec(compile(module, f"<promorules trace {d.id}>", "exec"), self.ns)
        nodes = {i: self.ns[f"node_{self.tag(i)}"] for i in alone}
        leaves = {leaf: _leaf(self.ctx, d, leaf.path, leaf.index, nodes) for leaf in d.leaves}
        return TraceCode(self.ns["trace"], self.ns["to_dict"], nodes, leaves,
                         ast.unparse(module))
