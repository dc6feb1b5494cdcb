"""Pipeline stage 4b: checked decisions (the typed IR) -> generated Python functions.

Each decision becomes one generated module, built as stdlib ``ast`` nodes and compiled once
at load time (as cel-python and ZEN compile once and evaluate many times):

- ``run_<decision>(facts, as_of)``: reads and converts the facts, evaluates every node
  (the two-valued fast path first, see :mod:`.emit_fast`; else three-valued, see
  :mod:`.emit_kleene`) and returns a :class:`~.runtime.Record`;
- ``detail_<node>(F, S, as_of)``: for traces, the values a node's gap or formula shows;
- ``failed_<decision>(N, S)``: the failed leaves, each with its rule id and its place
  (:mod:`.failed_ids`).

Names come from the ruleset (a fact's variable is its name, a rule's value
``rule_<id>``), every value is a namespace constant, and the line table maps each
generated line back to its rule id and YAML line. This stage only runs on what the
checking stage accepted, and reads nothing but the IR.
"""

from __future__ import annotations

import ast
import datetime as dt
import gc
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .. import ir
from ..calendar import WorkingCalendar as Calendar
from ..facts import INT_LIMIT, NUMERIC_KINDS
from . import hits
from . import pyast as P
from .compiled import CompiledDecision
from .emit_expr import ExprEmitter
from .emit_fast import fast_path
from .emit_kleene import ValueEmitter
from .failed_ids import FailedIds
from .frame import Frame
from .names import Names
from .nodes import Detail, NodeTable, build_table
from .runtime import RUNTIME

__all__ = ["generate"]

_ARGS = ("facts", "as_of", "F", "S", "N", "out", "then", "match", "leaf")



class _DecisionGen:
    """Generates the module of one decision."""

    def __init__(self, rc: _RulesetCompiler, decision: ir.Decision) -> None:
        self.rc = rc
        self.d = decision
        ns = dict(RUNTIME)
        ns["TZ"] = rc.timezone
        ns["CAL"] = rc.calendar
        ns["_hit"] = hits.hit
        ns["NULL"] = hits.NULL
        self.names = Names(ns)
        self.names.reserve(_ARGS)
        self.table: NodeTable = build_table(decision)
        self.frame = Frame(decision, self.names, self.table, rc.compile_decision)
        self.run_name = self.names.fresh(f"run_{decision.id}")
        self.failed_name = self.names.fresh(f"failed_{decision.id}")
        self.float_facts: frozenset[str] = frozenset()  # set by the fast path

    # -- run ----------------------------------------------------------------------------

    def read_facts(self) -> list[ast.stmt]:
        """Plain dicts are read by subscript (the fastest path); a missing key, or any other
        mapping, falls back to ``.get`` (never ``[]`` on a mapping that might insert, like
        a defaultdict)."""
        f = self.frame
        if not f.facts:
            return []
        keys = {n: self.names.const(n, f"KEY_{n}") for n in f.facts}
        facts = P.name("facts")
        first: list[ast.stmt] = [P.if_(P.is_not(P.attr(facts, "__class__"), P.name("dict")),
                                       [ast.Raise(P.name("KeyError"), None)])]
        # a fact that declares a default is often not sent: it is read with .get, so that
        # its absence does not send the whole read down the fallback
        first += [P.assign(v, P.call(P.attr(facts, "get"), keys[n])
                           if f.fact_types[n].default is not None else P.index(facts, keys[n]))
                  for n, v in f.facts.items()]
        get = self.names.fresh("get")
        fallback: list[ast.stmt] = [P.assign(get, P.attr(facts, "get"))]
        fallback += [P.assign(v, P.call(get, keys[n])) for n, v in f.facts.items()]
        read = ast.Try(first, [ast.ExceptHandler(P.name("KeyError"), None, fallback)], [], [])
        return [read, *self.apply_defaults(keys)]

    def apply_defaults(self, keys: dict[str, ast.Name]) -> list[ast.stmt]:
        """A fact not sent (absent or null) that declares a default takes it, as the value
        it is written as (then converted and validated as a sent value is), and its name
        is noted in the record's ``defaults``. One ``is None`` test per such fact."""
        var = self.frame.defaults_var()
        if var is None:
            return []
        out: list[ast.stmt] = [P.assign(var, P.tup([]))]
        for name, v, fact in self.frame.defaulted():
            default = self.names.const(fact.default, f"DEFAULT_{name}")
            out.append(P.if_(P.is_(P.name(v), P.NONE), [
                P.assign(v, default),
                P.assign(var, P.add(P.name(var), P.tup([keys[name]])))]))
        return out

    def convert_facts(self) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for name, var in self.frame.facts.items():
            f = self.frame.fact_types[name]
            v = P.name(var)
            convert = self.names.const(f.converter(), f"CONVERT_{name}")
            assign = P.assign(var, P.call(convert, v))
            present = P.is_not(v, P.NONE)
            k = f.kind
            if k in ("boolean", "string"):
                cls = P.is_not(P.attr(v, "__class__"), P.name("bool" if k == "boolean" else "str"))
                out.append(P.if_(P.and_(cls, present), [assign]))
            elif k == "enum":
                allowed = self.names.const(frozenset(f.values), f"ENUM_{name}")
                odd = P.or_(P.is_not(P.attr(v, "__class__"), P.name("str")),
                            P.cmp(v, "not in", allowed))
                out.append(P.if_(P.and_(odd, present), [assign]))
            elif k == "ordinal":
                rank = self.names.const(
                    MappingProxyType({s: n for n, s in enumerate(f.values)}), f"RANK_{name}")
                r = self.names.fresh(f"{name}_rank")
                out.append(P.assign(r, P.ifexp(P.is_(P.attr(v, "__class__"), P.name("str")),
                                               P.call(P.attr(rank, "get"), v), P.NONE)))
                out.append(P.if_(P.is_not(P.name(r), P.NONE), [P.assign(var, P.name(r))],
                                 [P.if_(present, [assign])]))
            elif k in NUMERIC_KINDS:
                # an int is taken as it is only in range and within the bounds every number
                # keeps (facts.number_problem); anything else is converted, or refused
                tests: list[ast.expr] = [P.is_not(P.attr(v, "__class__"), P.name("int"))]
                tests.append(P.cmp(v, "<", self.names.const(f.minimum, f"MIN_{name}"))
                             if f.minimum is not None else
                             P.cmp(v, "<=", self.names.const(-INT_LIMIT, "INT_LOW")))
                tests.append(P.cmp(v, ">", self.names.const(f.maximum, f"MAX_{name}"))
                             if f.maximum is not None else
                             P.cmp(v, ">=", self.names.const(INT_LIMIT, "INT_HIGH")))
                out.append(P.if_(P.and_(P.or_(*tests), present), [assign]))
            else:
                out.append(P.if_(present, [assign]))
        return out

    def read_subs(self, from_record: bool, only: set[str] | None = None) -> list[ast.stmt]:
        """The records of the decisions this one uses (``only`` those): computed (``run``)
        or read from ``S`` (detail functions)."""
        out: list[ast.stmt] = []
        for j, (did, (record, value)) in enumerate(self.frame.subs.items()):
            if only is not None and did not in only:
                continue
            sub = self.rc.compile_decision(did)
            if from_record:
                out.append(P.assign(record, P.index(P.name("S"), j)))
            else:
                run = self.names.const(sub.run, f"RUN_{did}")
                out.append(P.assign(record, P.call(run, P.name("facts"), P.name("as_of"))))
            r = P.name(record)
            outcome = P.attr(r, "outcome")
            if sub.kind == "passfail":
                out.append(P.assign(value, outcome))
            else:
                out.append(P.assign(value, P.ifexp(P.is_(outcome, P.TRUE), P.attr(r, "value"),
                                                   P.NONE)))
        return out

    def today(self) -> list[ast.stmt]:
        if not self.frame.today:
            return []
        return [P.assign(self.frame.today, P.call(P.attr(P.call(P.attr(
            P.name("as_of"), "astimezone"), P.name("TZ")), "date")))]

    def run_function(self) -> ast.FunctionDef:
        d = self.d
        body_emitter = ValueEmitter(self.frame)
        body_emitter.visit(d)
        body = body_emitter.out
        fast: list[ast.stmt] = []
        if (d.kind == ir.DecisionKind.PASSFAIL and not self.frame.subs and self.frame.facts
                and d.output is None):
            assert d.rule is not None
            fast, self.float_facts = fast_path(self.frame, d.rule, body_emitter.today)
        stmts = [*self.read_facts(), *self.today(), *fast, *self.convert_facts(),
                 *self.read_subs(False), *body]
        error = self.names.fresh("error")
        decision = self.names.const(d.id, "DECISION")
        handler = ast.ExceptHandler(P.name("_ArithmeticErrors"), error, [ast.Raise(
            P.call("_arithmetic_error", P.name(error), decision), P.NONE)])
        function_body: list[ast.stmt] = [ast.Try(stmts, [handler], [], [])]
        return ast.FunctionDef(self.run_name, P.args("facts", "as_of"), function_body, [], None)

    # -- details ------------------------------------------------------------------------

    def detail_function(self, index: int, detail: Detail) -> ast.FunctionDef:
        """``(F, S, as_of) -> values`` of a node's detail, for traces."""
        x = ExprEmitter(self.names, self.frame.fact, lambda did: self.frame.sub(did)[1],
                        lambda: self.frame.today)
        values = [x.expr(e) for e in detail.exprs]
        for call in detail.working_days:
            values.append(x.guard([x.visit(call.args[0]), x.visit(call.args[1])], P.tup).node)
        read = [e for tree in detail.exprs for e in ir.walk_expr(tree)]
        facts = {e.name for e in read if isinstance(e, ir.FactRef)}
        subs = {e.decision for e in read if isinstance(e, ir.DecisionValue)}
        unpack: list[ast.stmt] = [P.assign(v, P.index(P.name("F"), i))
                                  for i, (n, v) in enumerate(self.frame.facts.items())
                                  if n in facts]
        today = self.today() if any(isinstance(e, ir.Today) for e in read) else []
        body = [*unpack, *self.read_subs(True, subs), *today, P.ret(P.tup(values))]
        info = self.table.drafts[index].info
        name = self.names.fresh(f"detail_{info['id']}")
        fn = ast.FunctionDef(name, P.args("F", "S", "as_of"), body, [], None)
        self.frame.mark(fn, self.table.drafts[index].node)
        return fn

    # -- the module ---------------------------------------------------------------------

    def generate(self) -> CompiledDecision:
        d = self.d
        run = self.run_function()
        details = {i: self.detail_function(i, draft.detail)
                   for i, draft in enumerate(self.table.drafts) if draft.detail is not None}
        failed_ids = FailedIds(self.frame, self.failed_name)
        failed = failed_ids.function(d)
        module = ast.Module([run, *details.values(), failed], [])
        statements = P.number_lines(module)
        code = compile(module, f"<promorules {self.rc.ruleset_id} {d.id}>", "exec")
        # Built from the checked IR: identifiers are made from fact and rule names by
        # `names.identifier`, and every value is a namespace constant, so no ruleset text
        # is executed.
        ns = self.names.ns
        exec(code, ns)
        nodes = self.table.infos({i: ns[fn.name] for i, fn in details.items()})
        subs = tuple(self.frame.subs)
        used = [self.rc.compile_decision(s) for s in subs]
        origins = self.frame.origins
        line_table = {s.lineno: origins[id(s)] for s in statements if id(s) in origins}
        return CompiledDecision(
            id=d.id, model=self.rc.models[d.id], run=ns[self.run_name], nodes=nodes,
            fact_names=tuple(self.frame.facts), subs=subs,
            float_facts=tuple(k for k, name in enumerate(self.frame.facts)
                              if name in self.float_facts),
            uses_time=d.uses_time or any(s.uses_time for s in used), output=d.ty,
            module=module, line_table=line_table,
            has_warnings=any(n.severity == "warning" for n in nodes)
            or any(s.has_warnings for s in used),
            failed_leaves=ns[self.failed_name], leaves=tuple(failed_ids.leaves), ir=d)


class _RulesetCompiler:
    def __init__(self, models: Mapping[str, Any], checked: Mapping[str, ir.Decision],
                 ruleset_id: str, timezone: dt.tzinfo, calendar: Calendar) -> None:
        self.models = models
        self.checked = checked
        self.ruleset_id = ruleset_id
        self.timezone = timezone
        self.calendar = calendar
        self.compiled: dict[str, CompiledDecision] = {}

    def compile_decision(self, did: str) -> CompiledDecision:
        """Compile a checked decision (those it uses first: the checker ruled out cycles)."""
        if did not in self.compiled:
            self.compiled[did] = _DecisionGen(self, self.checked[did]).generate()
        return self.compiled[did]


def generate(checked: Mapping[str, ir.Decision], *, models: Mapping[str, Any],
             ruleset_id: str, timezone: dt.tzinfo, calendar: Calendar
             ) -> dict[str, CompiledDecision]:
    """Compile every decision the checking stage accepted, in declaration order.
    ``models`` (decision id -> its model) is passed through to ``CompiledDecision.model``;
    the time zone and working-day calendar are what generated code computes dates with."""
    rc = _RulesetCompiler(models, checked, ruleset_id, timezone, calendar)
    # Building the code allocates thousands of small ast nodes, none of them garbage in a
    # cycle: pausing the cyclic collector meanwhile spares collections of the caller's
    # whole heap (in a large process, more than the generation itself costs).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for did in checked:
            rc.compile_decision(did)
    finally:
        if collecting:
            gc.enable()
    return {did: rc.compiled[did] for did in models if did in rc.compiled}
