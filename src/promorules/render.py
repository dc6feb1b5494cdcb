"""Pipeline stage 5 (JSON): a trace as JSON data, by code generated once per decision.

``Result.to_dict()`` is what services log on every request, so for pass/fail decisions the
trace dict is built by a function generated once per decision: one nested dict display
whose static parts (ids, descriptions, expected text, sources) are namespace constants and
whose dynamic parts (outcome, actual values, gaps) are read straight from the record. It
produces exactly ``RuleResult.to_dict()`` of the trace (a property test holds them equal).
Value decisions are rendered from their trace.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .compiler import NA, CompiledDecision, NodeInfo, Record
from .facts import FactType, json_value
from .plan import Context, build_decision
from .trace_detail import node_gap

__all__ = ["render_dict"]

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
    def __init__(self, ctx: Context, decision: CompiledDecision) -> None:
        self.ctx = ctx
        self.d = decision
        self.ns: dict[str, Any] = {"OUT": _OUT_TEXT, "NA": NA, "NOGAP": _NOGAP,
                                   "_Decimal": Decimal, "_json": json_value,
                                   "R": lambda did, rec, as_of, kind=None: render_dict(
                                       ctx, ctx.decisions[did], rec, as_of, kind)}
        self.stmts: list[str] = []
        self.facts_used: set[int] = set()
    def const(self, value: Any) -> str:
        name = f"K{len(self.ns)}"
        self.ns[name] = value
        return name

    def fact(self, name: str) -> str:
        k = self.d.fact_names.index(name)
        self.facts_used.add(k)
        ft = self.ctx.facts[name]
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


def render_dict(ctx: Context, decision: CompiledDecision, record: Record,
                as_of: Any, kind: str | None = None) -> dict[str, Any]:
    """The trace of ``record`` as JSON data (``RuleResult.to_dict()`` of its trace);
    ``kind`` overrides the root's kind (``"reference"`` for context traces). Call it in
    promorules' decimal context."""
    if decision.kind != "passfail":
        out = build_decision(ctx, decision, record, as_of).to_dict()
    else:
        renderer = ctx.renderer(decision, lambda: _RendererGen(ctx, decision).generate())
        out = renderer(record.nodes, record.facts, record.subs, as_of)
    if kind is not None:
        out["kind"] = kind
    return out
