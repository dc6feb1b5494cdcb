"""Pipeline stage 4b: checked decisions -> generated Python functions.

Each decision becomes one generated function, compiled once at load time (as cel-python and
ZEN compile once and evaluate many times). Names become local variables (``f3``), and every
literal, list, parameter value and helper lives in the function's namespace as a constant
(``C7``), so no text from the ruleset is ever pasted into the generated source.

The generated function converts the facts it reads, evaluates every node with three-valued
logic (``True`` / ``False`` / ``None`` for unknown, ``NA`` for not applicable) and returns a
:class:`~.runtime.Record`. Every diagnostic was reported by the checking stage; this stage
only runs on what it accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from .. import ir
from ..expressions import ast
from ..expressions.ast import unparse
from ..facts import NUMERIC_KINDS
from ..ir import ANY, STRING, Ty
from ..model import Decision, Expr, Rule, RulesetModel, ValueSpec
from ..text import Text
from .check import freeze as _freeze
from .check import literal_ty as _literal_ty
from .check_expr import NUMERIC as _NUMERIC
from .compiled import CompiledDecision, NodeInfo
from .emit_expr import Code, ExprEmitter
from .runtime import FAILED, RUNTIME

__all__ = ["generate"]

_REQUIRES = Text("Requirements for a value", "得出结果的前提条件")


class _DecisionGen(ExprEmitter):
    """Generates the function of one decision."""

    def __init__(self, rc: _RulesetCompiler, decision: Decision, checked: ir.Decision) -> None:
        self.rc = rc
        self.ir = checked
        self.model = rc.model
        self.decision = decision
        self.ns: dict[str, Any] = dict(RUNTIME)
        self.ns["TZ"] = self.model.timezone
        self.ns["CAL"] = self.model.calendar
        self.lines: list[str] = []
        self.fact_index: dict[str, int] = {}
        self.sub_index: dict[str, int] = {}
        self.nodes: list[dict[str, Any]] = []
        self.temp = 0
        self.uses_time = False
        self.uses_today = False
        self.node_facts: set[str] = set()  # facts read by the expression being compiled
        # Second pass for the two-valued path: facts are known present, nodes already exist.
        self.present = False
        self.tier_vars: dict[str, str] = {}  # tiers of a `tiers` value so far: their variables
        self.replay: int | None = None
        self.canon_vars: dict[str, str] = {}  # f3 -> c3 where the fast path converted
        self.leaf_codes: list[str] | None = None  # check expressions seen in the second pass

    # rule trees

    def add_node(self, **info: Any) -> int:
        if self.replay is not None:  # second pass: the same nodes, in the same order
            self.replay += 1
            return self.replay - 1
        index = len(self.nodes)
        self.nodes.append(info)
        return index

    def emit_expr(self, expr: Expr | None, want: str | None = "bool"
                  ) -> tuple[Code, tuple[str, ...]]:
        """Compile one YAML expression; returns its code and the facts it reads."""
        assert expr is not None, "the checker accepted a missing expression"
        self.node_facts = set()
        code = self.emit(expr.node)
        return code, tuple(sorted(self.node_facts))

    def assign(self, var: str, code: Code) -> None:
        self.lines.append(f"    {var} = {code.text}")

    def gap_info(self, expr: Expr, code: Code) -> dict[str, Any]:
        """For numeric threshold checks: which comparison, and a detail function."""
        node = expr.node
        op: str | None = None
        parts: list[ast.Node] = []
        if isinstance(node, ast.Compare) and node.op in ("<", "<=", ">", ">="):
            op, parts = node.op, [node.left, node.right]
        elif isinstance(node, ast.Between):
            op, parts = "between", [node.value, node.low, node.high]
        if op is None:
            return {}
        codes = [self._emit(p) for p in parts]
        if not all(c.ty.kind in _NUMERIC for c in codes):
            return {}
        left_facts = _names_in(parts[0]) & set(self.model.facts)
        right_facts = {n for p in parts[1:] for n in _names_in(p)} & set(self.model.facts)
        if not left_facts and len(right_facts) == 1 and op != "between":
            # "3000 <= deposit": read it as "deposit >= 3000"
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
            codes.reverse()
            parts.reverse()
            left_facts, right_facts = right_facts, left_facts
        subject = next(iter(left_facts)) if len(left_facts) == 1 else None
        fact = self.model.facts.get(subject) if subject else None
        step: int | Decimal | None = None
        unit = None
        if fact is not None and isinstance(parts[0], ast.Name):
            if fact.kind == "integer":
                step = 1
            elif fact.kind == "money":
                step = fact.step or Decimal("0.01")
            else:
                step = fact.step
        lhs_ty = codes[0].ty
        if lhs_ty.kind == "money":
            unit = lhs_ty.currency
        elif fact is not None and isinstance(parts[0], ast.Name):
            unit = "%" if fact.kind == "percent" else fact.unit
        detail = self.detail_function([c.text for c in codes])
        return {"compare_op": op, "detail": detail, "step": step, "unit": unit,
                "subject": subject, "lhs_text": unparse(parts[0])}

    def found_info(self, expr: Expr) -> dict[str, Any]:
        """For ``[not] contains_any(text, words)``: report which words were found."""
        node = expr.node
        if isinstance(node, ast.Unary) and node.op == "not":
            node = node.operand
        if not (isinstance(node, ast.Call) and node.func in ("contains_any", "includes_all")):
            return {}
        texts = [self._emit(a).text for a in node.args]
        return {"compare_op": node.func, "detail": self.detail_function(texts)}

    def detail_function(self, texts: list[str]) -> Callable[..., Any]:
        """A function (facts, subs, as_of) -> the values of ``texts``, for traces."""
        body = self.prologue_unpack()
        body.append(f"    return ({', '.join(texts)},)")
        src = "def _detail(F, S, as_of):\n" + "\n".join(body) + "\n"
        return self.rc.exec_function(src, self.ns, "_detail")

    def prologue_unpack(self) -> list[str]:
        lines = [f"    f{i} = F[{i}]" for i in range(len(self.fact_index))]
        for did, j in self.sub_index.items():
            sub = self.rc.compiled.get(did)
            lines.append(f"    s{j} = S[{j}]")
            if sub is not None and sub.kind == "passfail":
                lines.append(f"    d{j} = s{j}[0]")
            else:
                lines.append(f"    v{j} = s{j}[1] if s{j}[0] is True else None")
        if self.uses_today:
            lines.append("    _today = as_of.astimezone(TZ).date()")
        return lines

    def rule(self, rule: Rule, parent: int | None) -> tuple[int, str]:
        """Emit a rule; returns its node index and the variable holding its contribution."""
        index = self.add_node(kind=rule.kind, id=rule.id, description=rule.description,
                              source=rule.source, parent=parent, severity=rule.severity,
                              conditional=rule.applies_when is not None)
        var = f"n{index}"
        info = self.nodes[index] if self.replay is None else {}
        when: Code | None = None
        when_facts: tuple[str, ...] = ()
        if rule.applies_when is not None:
            when, when_facts = self.emit_expr(rule.applies_when)
        if rule.kind == "check":
            code, facts = self.emit_expr(rule.check)
            if self.leaf_codes is not None:
                self.leaf_codes.append(code.text)
            if self.replay is None and rule.check is not None:
                info.update(
                    facts=tuple(sorted({*facts, *when_facts})), expression=rule.check.text,
                    expected=_expected_text(rule.check.node, self.model),
                    **(self.gap_info(rule.check, code) or self.found_info(rule.check)))
            value_text = code.text
        elif rule.kind == "tier":
            info.update(decision=None, facts=when_facts)
            value_text = self.tier_vars[str(rule.decision)]
        elif rule.kind == "decision":
            assert rule.decision is not None
            self.rc.compile_decision(rule.decision)
            j = self.sub_var(rule.decision)
            info.update(decision=rule.decision, facts=when_facts)
            value_text = f"d{j}"
        else:
            children = [self.rule(c, index) for c in rule.children]
            info.update(children=tuple(c[0] for c in children), facts=when_facts)
            cvars = [c[1] for c in children]
            plain = self.present and not any(_can_be_na(c) for c in rule.children)
            if plain:
                # two-valued pass, no child can be NA: plain boolean operators
                joiner = {"all": " and ", "any": " or "}.get(rule.kind)
                value_text = f"(not {cvars[0]})" if joiner is None else (
                    "(" + joiner.join(cvars) + ")")
            elif rule.kind == "not":
                c = cvars[0]
                value_text = f"(None if {c} is None else (NA if {c} is NA else not {c}))"
            else:
                tup = "(" + ", ".join(cvars) + ("," if len(cvars) == 1 else "") + ")"
                # fast path first: every child passed (the common case on a hot path)
                if rule.kind == "all":
                    every = " and ".join(f"{c} is True" for c in cvars)
                    value_text = (f"(True if {every} else False if False in {tup} else "
                                  f"(None if None in {tup} else True))")
                else:
                    value_text = (f"(True if True in {tup} else "
                                  f"(None if None in {tup} else False))")
        if when is not None:
            t = self.tmp()
            self.lines.append(f"    {t} = {when.text}")
            value_text = f"(NA if {t} is False else (None if {t} is None else {value_text}))"
        self.lines.append(f"    {var} = {value_text}")
        if rule.severity == "warning":
            # a warning never decides: it contributes "not applicable" to its parent
            return index, "NA"
        return index, var

    # value specs

    def value(self, spec: ValueSpec, parent: int | None, label: str,
              rounding: Any = None) -> tuple[str, Ty]:
        """Emit a value spec; returns the variable holding the value (None / FAILED)."""
        d = self.decision
        index = self.add_node(kind=spec.kind if spec.kind != "literal" else "value", id=label,
                              description=d.description, source=d.source, parent=parent)
        info = self.nodes[index]
        var = f"n{index}"
        ty: Ty = ANY
        if spec.kind == "literal":
            frozen = _freeze(spec.literal)
            self.lines.append(f"    {var} = {self.const(frozen)}")
            ty = _literal_ty(spec.literal)
            info.update(value_literal=frozen)
        elif spec.kind == "compute":
            code, facts = self.emit_expr(spec.compute, want=None)
            assert spec.compute is not None
            ty = code.ty
            text = code.text
            if rounding is not None:
                places, mode = self.const(rounding.places), self.const(rounding.mode)
                t = self.tmp()
                text = f"(None if ({t} := {text}) is None else _round({t}, {places}, {mode}))"
            # working-day arithmetic: the trace lists the days it skipped, so record the
            # arguments of every add_working_days call
            calls = [self.guard([self._emit(c.args[0]), self._emit(c.args[1])],
                                lambda a: f"({a[0]}, {a[1]})", ANY).text
                     for c in _walk(spec.compute.node)
                     if isinstance(c, ast.Call) and c.func == "add_working_days"]
            info.update(facts=facts, expression=spec.compute.text, formula=spec.compute.node,
                        compare_op="formula",
                        detail=self.detail_function([code.text, *calls]),
                        rounding=(rounding.places, rounding.mode) if rounding else None)
            self.lines.append(f"    {var} = {text}")
        elif spec.kind in ("cases", "collect"):
            ty = self.cases(spec, index, var)
        elif spec.kind == "lookup":
            ty = self.lookup(spec, index, var)
        elif spec.kind == "tiers":
            ty = self.tiers(spec, index, var)
        elif spec.kind == "table":
            ty = self.table(spec, index, var)
        elif spec.kind == "split":
            ty = self.split(spec, index, var)
        elif spec.kind == "fields":
            fields = []
            for name, sub in spec.fields.items():
                fvar, _ = self.value(sub, index, name, None)
                fields.append((name, fvar))
            info.update(children=tuple(i for i, n in enumerate(self.nodes) if n["parent"] == index))
            vals = ", ".join(v for _, v in fields)
            keys = self.const(tuple(n for n, _ in fields))
            tup = "(" + vals + ("," if len(fields) == 1 else "") + ")"
            self.lines.append(
                f"    {var} = (FAILED if FAILED in {tup} else (None if None in {tup} else "
                f"dict(zip({keys}, {tup}))))")
            ty = Ty("mapping")
        return var, ty

    def cases(self, spec: ValueSpec, index: int, var: str) -> Ty:
        collect = spec.kind == "collect"
        whens: list[str] = []
        children: list[int] = []
        tys: list[Ty] = []
        if not collect:
            self.lines.append(f"    {var} = FAILED")
            self.lines.append("    _pending = True")
        else:
            self.lines.append("    _items = []")
        for i, case in enumerate(spec.cases):
            label = "item" if collect else "case"
            ci = self.add_node(kind=label, id=f"{label}_{i + 1}",
                               description=self.decision.description,
                               source=self.decision.source, parent=index)
            children.append(ci)
            w = f"n{ci}"
            whens.append(w)
            cond, facts = self.emit_expr(case.when)
            self.nodes[ci].update(facts=facts, expression=case.when.text,
                                  value_literal=_freeze(case.value.literal)
                                  if case.value.kind == "literal" else None)
            if collect:
                self.lines.append(f"    {w} = {cond.text}")
                self.lines.append(f"    if {w} is True:")
                vcode, vty = self.inline_value(case.value)
                self.lines.append(f"        _items.append({vcode})")
                tys.append(vty)
            else:
                self.lines.append(f"    {w} = NA")
                self.lines.append("    if _pending:")
                self.lines.append(f"        {w} = {cond.text}")
                self.lines.append(f"        if {w} is not False:")
                vcode, vty = self.inline_value(case.value, ci)
                self.lines.append(f"            {var} = {vcode} if {w} is True else None")
                self.lines.append("            _pending = False")
                tys.append(vty)
        if collect:
            tup = "(" + ", ".join(whens) + ("," if len(whens) == 1 else "") + ")"
            self.lines.append(f"    {var} = None if None in {tup} or None in _items else "
                              "tuple(_items)")
            item = tys[0] if tys and all(t == tys[0] for t in tys) else ANY
            self.nodes[index]["children"] = tuple(children)
            return Ty("list", item=item)
        if spec.default is not None:
            di = self.add_node(kind="default", id="default", description=self.decision.description,
                               source=self.decision.source, parent=index,
                               value_literal=_freeze(spec.default.literal)
                               if spec.default.kind == "literal" else None)
            children.append(di)
            self.lines.append(f"    n{di} = NA")
            self.lines.append("    if _pending:")
            vcode, vty = self.inline_value(spec.default, di)
            self.lines.append(f"        n{di} = True")
            self.lines.append(f"        {var} = {vcode}")
            tys.append(vty)
        self.nodes[index]["children"] = tuple(children)
        kinds = {t.kind for t in tys if t.kind != "any"}
        return tys[0] if len(kinds) == 1 else ANY

    def tiers(self, spec: ValueSpec, index: int, var: str) -> Ty:
        """The highest tier whose requirements hold; tiers are listed lowest first."""
        self.tier_vars = {}
        children = []
        for tier in spec.tiers:
            ti, _ = self.rule(tier, index)
            self.nodes[ti]["tier"] = True
            self.tier_vars[tier.id] = f"n{ti}"
            children.append(ti)
        self.nodes[index]["children"] = tuple(children)
        default = FAILED if spec.default is None else _freeze(spec.default.literal)
        self.lines.append(f"    {var} = {self.const(default)}")
        self.lines.append("    _pending = True")
        for tier in reversed(spec.tiers):  # from the highest down
            t = self.tier_vars[tier.id]
            self.lines.append(f"    if _pending and {t} is not False:")
            self.lines.append(f"        {var} = {self.const(tier.id)} if {t} is True else None")
            self.lines.append("        _pending = False")
        return STRING

    def table(self, spec: ValueSpec, index: int, var: str) -> Ty:
        """A decision table: one condition per row, combined by the hit policy."""
        children: list[int] = []
        matches: list[str] = []
        thens = self.const(tuple(_freeze(r.then) for r in spec.rows))
        if spec.hit_policy == "first":
            self.lines.append(f"    {var} = _PENDING")  # rows are tried in order
        for row in spec.rows:
            ri = self.add_node(kind="row", id=row.id,
                               description=row.description or self.decision.description,
                               source=row.source or self.decision.source, parent=index,
                               value_literal=_freeze(row.then))
            children.append(ri)
            cond, facts = self.emit_expr(row.when)
            self.nodes[ri].update(facts=facts, expression=row.when.text if row.when else None)
            matches.append(f"n{ri}")
            if spec.hit_policy == "first":
                self.lines.append(f"    n{ri} = NA")
                self.lines.append(f"    if {var} is _PENDING: n{ri} = {cond.text}")
                self.lines.append(f"    if {var} is _PENDING and n{ri} is not False: "
                                  f"{var} = {thens}[{len(matches) - 1}] if n{ri} is True "
                                  "else None")
                continue
            self.lines.append(f"    n{ri} = {cond.text}")
        self.nodes[index]["children"] = tuple(children)
        self.nodes[index]["hit_policy"] = spec.hit_policy
        default = FAILED if spec.default is None else _freeze(spec.default.literal)
        tup = "(" + ", ".join(matches) + ("," if len(matches) == 1 else "") + ")"
        if spec.hit_policy == "first":
            self.lines.append(f"    if {var} is _PENDING: {var} = {self.const(default)}")
        elif spec.hit_policy == "unique":
            self.lines.append(
                f"    {var} = None if None in {tup} else ({thens}[{tup}.index(True)] if "
                f"{tup}.count(True) == 1 else ({self.const(default)} if True not in {tup} "
                "else FAILED))")
        else:
            self.lines.append(
                f"    {var} = None if None in {tup} else tuple(t for t, m in zip({thens}, {tup}) "
                "if m is True)")
        values = [_literal_ty(r.then) for r in spec.rows]
        if spec.hit_policy == "collect":
            return Ty("list", item=values[0] if values else ANY)
        kinds = {t.kind for t in values}
        return values[0] if len(kinds) == 1 else ANY

    def split(self, spec: ValueSpec, index: int, var: str) -> Ty:
        """Parts of an amount by percentages; the last takes the remainder, so they always
        add up exactly to the amount."""
        amount, facts = self.emit_expr(spec.compute, want=None)
        assert spec.rounding is not None
        places, mode = self.const(spec.rounding.places), self.const(spec.rounding.mode)
        a = self.tmp()
        self.lines.append(f"    {a} = {amount.text}")
        names: list[str] = []
        done: list[str] = []
        for n, (name, pct) in enumerate(spec.parts):
            pi = self.add_node(kind="part", id=name, description=self.decision.description,
                               source=self.decision.source, parent=index, facts=facts,
                               value_literal=pct)
            names.append(f"n{pi}")
            if n < len(spec.parts) - 1:
                self.lines.append(
                    f"    n{pi} = None if {a} is None else _round(CTX.divide(CTX.multiply("
                    f"{a}, {self.const(pct)}), 100), {places}, {mode})")
            else:
                rest = " + ".join(done) or "0"
                self.lines.append(f"    n{pi} = None if {a} is None else CTX.subtract({a}, "
                                  f"{rest})")
            done.append(f"n{pi}")
        self.nodes[index]["children"] = tuple(int(x[1:]) for x in names)
        self.nodes[index].update(facts=facts, expression=spec.compute.text if spec.compute
                                 else None, detail=self.detail_function([amount.text]),
                                 compare_op="split")
        keys = self.const(tuple(name for name, _ in spec.parts))
        tup = "(" + ", ".join(names) + ")"
        self.lines.append(f"    {var} = None if {a} is None else dict(zip({keys}, {tup}))")
        return Ty("mapping")

    def inline_value(self, spec: ValueSpec, node: int | None = None) -> tuple[str, Ty]:
        """A case's value; a computed one also gets its formula on the case's node."""
        if spec.kind == "literal":
            return self.const(_freeze(spec.literal)), _literal_ty(spec.literal)
        code, value_facts = self.emit_expr(spec.compute, want=None)
        if node is not None and spec.compute is not None:
            # the case reads its value's facts too: a missing one leaves it unknown
            known = self.nodes[node].get("facts", ())
            self.nodes[node]["facts"] = tuple(sorted({*known, *value_facts}))
            calls = [self.guard([self._emit(c.args[0]), self._emit(c.args[1])],
                                lambda a: f"({a[0]}, {a[1]})", ANY).text
                     for c in _walk(spec.compute.node)
                     if isinstance(c, ast.Call) and c.func == "add_working_days"]
            self.nodes[node].update(formula=spec.compute.node, compare_op="formula",
                                    detail=self.detail_function([code.text, *calls]),
                                    expression=spec.compute.text)
        return code.text, code.ty

    def lookup(self, spec: ValueSpec, index: int, var: str) -> Ty:
        key, facts = self.emit_expr(spec.key, want=None)
        assert spec.key is not None
        table: dict[Any, Any] = {}
        kt = key.ty
        for k, v in spec.table.items():
            if kt.kind in ("enum", "ordinal") and kt.scale is not None:
                table[self.scale_value(kt.scale, kt.kind, str(k), spec.key.node)] = _freeze(v)
            elif kt.kind == "bool":
                table[str(k) == "true"] = _freeze(v)
            else:
                table[str(k)] = _freeze(v)
        default = FAILED if spec.default is None else _freeze(spec.default.literal)
        self.nodes[index].update(facts=facts, expression=spec.key.text)
        t = self.tmp()
        self.lines.append(f"    {var} = None if ({t} := {key.text}) is None else "
                          f"{self.const(MappingProxyType(table))}.get({t}, "
                          f"{self.const(default)})")
        values = list(table.values())
        return _literal_ty(values[0]) if values else ANY

    # the whole decision

    def generate(self) -> CompiledDecision:
        d = self.decision
        out_ty: Ty | None = None
        if d.kind == "passfail":
            assert d.rule is not None
            _, root_var = self.rule(d.rule, None)
            output = "None"
            if d.output is not None:
                # a value given whatever the outcome (e.g. the missing documents)
                out_var, out_ty = self.value(d.output, None, d.id, None)
                output = f"(None if {out_var} is FAILED else {out_var})"
            # a root that is not applicable (a `not` over an inapplicable rule): nothing that
            # applies failed, so the decision passes
            result_line = (f"    return _Record(True if {root_var} is NA else {root_var}, "
                           f"{output}, NODES, FACTS, SUBS)")
        else:
            gate = "True"
            start = len(self.lines)
            if d.requires:
                ri = self.add_node(kind="requires", id="requires", description=_REQUIRES,
                                   source=d.source, parent=None)
                req_vars = [self.rule(r, ri)[1] for r in d.requires]
                self.nodes[ri]["children"] = tuple(
                    i for i, n in enumerate(self.nodes) if n["parent"] == ri)
                tup = "(" + ", ".join(req_vars) + ("," if len(req_vars) == 1 else "") + ")"
                self.lines.append(f"    n{ri} = (False if False in {tup} else "
                                  f"(None if None in {tup} else True))")
                gate = f"n{ri}"
                start = len(self.lines)
            var, out_ty = self.value(d.value, None, d.id, d.rounding)  # type: ignore[arg-type]
            if d.rounding is not None and d.value is not None and d.value.kind != "compute":
                # `round:` applies to whatever the decision computes (cases, lookups...);
                # a plain compute rounds inside its own node, so its trace shows both values
                places, mode = self.const(d.rounding.places), self.const(d.rounding.mode)
                self.lines.append(
                    f"    if {var}.__class__ in (int, _Decimal): "
                    f"{var} = _round({var}, {places}, {mode})")
            if d.type == "money" or out_ty.kind == "money":
                self.lines.append(f"    if {var} is not None and {var} is not FAILED: "
                                  f"{var} = _cents({var})")
            if d.requires:
                # the value is computed only when the requirements pass: a failing
                # requirement must not raise (e.g. a division by a zero rate)
                self.lines[start:] = [f"    if {gate} is True:"] + [
                    "    " + line for line in self.lines[start:]]
            result_line = (
                f"    _o = {gate}\n"
                f"    if _o is True:\n"
                f"        _o = False if {var} is FAILED else (None if {var} is None else True)\n"
                f"    return _Record(_o, {var} if _o is True else None, NODES, FACTS, SUBS)")
        n_nodes = len(self.nodes)
        node_tuple = "(" + ", ".join(f"n{i}" for i in range(n_nodes)) + ("," if n_nodes == 1
                                                                          else "") + ")"
        fact_tuple = "(" + ", ".join(f"f{i}" for i in range(len(self.fact_index))) + (
            "," if len(self.fact_index) == 1 else "") + ")"
        sub_tuple = "(" + ", ".join(f"s{j}" for j in range(len(self.sub_index))) + (
            "," if len(self.sub_index) == 1 else "") + ")"
        body = self.fact_prologue()
        if self.uses_today:
            body.append("    _today = as_of.astimezone(TZ).date()")
        if d.kind == "passfail" and not self.sub_index and self.fact_index and not d.output:
            body += self.two_valued_block(node_tuple, fact_tuple)
        body += self.fact_conversions() + self.sub_prologue()
        if d.kind == "value":
            # nodes of a value decision that are never reached stay NA
            body += [f"    n{i} = NA" for i in range(n_nodes)]
        body += self.lines
        body.append(result_line.replace("NODES", node_tuple).replace("FACTS", fact_tuple)
                    .replace("SUBS", sub_tuple))
        src = ("def _run(facts, as_of):\n    try:\n"
               + "\n".join("    " + line for line in "\n".join(body).split("\n"))
               + "\n    except _ArithmeticErrors as e:\n"
               + "        raise _arithmetic_error(e, DECISION) from None\n")
        self.ns["DECISION"] = d.id
        run = self.rc.exec_function(src, self.ns, "_run")
        nodes = tuple(_node_info(i, n) for i, n in enumerate(self.nodes))
        uses_time = self.uses_time or any(
            self.rc.compiled[s].uses_time for s in self.sub_index)
        has_warnings = any(n.severity == "warning" for n in nodes) or any(
            self.rc.compiled[s].has_warnings for s in self.sub_index)
        failed_ids = self.failed_ids_function(nodes) if d.kind == "passfail" else None
        return CompiledDecision(
            id=d.id, model=d, run=run, nodes=nodes, fact_names=tuple(self.fact_index),
            subs=tuple(self.sub_index), uses_time=uses_time, output=out_ty, source_code=src,
            has_warnings=has_warnings, failed_ids=failed_ids, ir=self.ir)

    def two_valued_block(self, node_tuple: str, fact_tuple: str) -> list[str]:
        """The fast path: when every fact is present with its canonical JSON type (and in
        range), the rules are evaluated in plain two-valued logic, with no unknown checks.
        Anything else (a missing fact, a float, an odd type) takes the full path, which
        converts, validates and uses three-valued logic; both give the same record."""
        d = self.decision
        assert d.rule is not None
        conds: list[str] = []
        bool_conds: dict[str, str] = {}
        for name, i in self.fact_index.items():
            f = self.model.facts[name]
            v, c = f"f{i}", f"c{i}"
            k = f.kind
            if k == "boolean":
                bool_conds[v] = f"{v}.__class__ is bool"
            elif k == "string":
                conds.append(f"{v}.__class__ is str")
            elif k == "enum":
                conds.append(f"{v}.__class__ is str and {v} in {self.const(frozenset(f.values))}")
            elif k == "ordinal":
                index = self.const(MappingProxyType({x: n for n, x in enumerate(f.values)}))
                conds.append(f"{v}.__class__ is str and ({c} := {index}.get({v})) is not None")
                self.canon_vars[v] = c
            elif k in NUMERIC_KINDS:
                convert = "_canon_integer" if k == "integer" else "_canon_number"
                cond = f"(({c} := {v}).__class__ is int or ({c} := {convert}({v})) is not None)"
                if f.minimum is not None:
                    cond += f" and {c} >= {self.const(f.minimum)}"
                if f.maximum is not None:
                    cond += f" and {c} <= {self.const(f.maximum)}"
                conds.append(cond)
                self.canon_vars[v] = c
            else:
                conds.append(f"({c} := _try({self.const(f.converter())}, {v})) is not _BAD")
                self.canon_vars[v] = c
        saved, self.lines = self.lines, []
        self.present, self.replay, self.leaf_codes = True, 0, []
        try:
            _, root = self.rule(d.rule, None)
            lines, leaves = self.lines, self.leaf_codes
        finally:
            self.lines, self.present, self.replay, self.leaf_codes = saved, False, None, None
        canon_facts = "(" + ", ".join(
            self.canon_vars.get(f"f{i}", f"f{i}") for i in range(len(self.fact_index))) + (
            "," if len(self.fact_index) == 1 else "") + ")"
        inner: list[str] = []
        if self.is_conjunction(d.rule):
            # Every rule passing is the common case: one short-circuit test, after which every
            # node is True by construction. A boolean fact used only as a whole rule (`x`,
            # `not x`) is type-checked by that test itself (`x is True`), so its separate
            # check moves to the inner block, which only the other cases reach.
            tests = list(leaves)
            for v, cond in bool_conds.items():
                token = re.compile(rf"\b{v}\b")
                uses = [n for n, t in enumerate(leaves) if token.search(t)]
                if uses and all(leaves[n] in (v, f"(not {v})") for n in uses):
                    for n in uses:
                        tests[n] = f"{v} is True" if leaves[n] == v else f"{v} is False"
                    inner.append(cond)
                else:
                    conds.append(cond)
            all_true = self.const((True,) * len(self.nodes))
            block = ["    if " + (" and ".join(f"({x})" for x in conds) or "True") + ":"]
            block.append("        if " + " and ".join(tests) + ":")
            block.append(f"            return _Record(True, None, {all_true}, {canon_facts}, ())")
        else:
            conds += bool_conds.values()
            block = ["    if " + (" and ".join(f"({x})" for x in conds) or "True") + ":"]
        indent = "    "
        if inner:
            block.append("        if " + " and ".join(inner) + ":")
            indent = "        "
        block += [indent + line for line in lines]
        block.append(f"    {indent}return _Record(True if {root} is NA else {root}, None, "
                     f"{node_tuple}, {canon_facts}, ())")
        return block

    def is_conjunction(self, rule: Rule) -> bool:
        """Only `all` groups and plain checks, no conditions or warnings."""
        if rule.applies_when is not None or rule.severity != "error":
            return False
        if rule.kind == "check":
            return True
        return rule.kind == "all" and all(self.is_conjunction(c) for c in rule.children)

    def failed_ids_function(self, nodes: tuple[NodeInfo, ...]
                            ) -> Callable[..., tuple[str, ...]]:
        """(node values, sub records) -> ids of the failed leaves that decide a failure:
        nested ifs that follow the rule tree (warnings never decide)."""
        lines = ["def _failed(N, S):", "    out = []"]

        def emit(i: int, indent: str) -> None:
            info = nodes[i]
            if info.severity == "warning":
                return
            lines.append(f"{indent}if N[{i}] is False:")
            if info.kind in ("check", "not"):
                lines.append(f"{indent}    out.append({self.const(info.id)})")
            elif info.kind == "decision" and info.decision is not None:
                sub = self.rc.compiled[info.decision]
                j = self.sub_index[info.decision]
                lines.append(f"{indent}    out.extend({self.const(sub.failed_ids)}(S[{j}][2], "
                             f"S[{j}][4]))")
            else:
                for child in info.children:
                    emit(child, indent + "    ")
                # an `any` none of whose branches applied fails without a failing child:
                # the group itself is the reason
                deciding = [c for c in info.children if nodes[c].severity != "warning"]
                if deciding:
                    kids = ", ".join(f"N[{c}]" for c in deciding) + ","
                    lines.append(f"{indent}    if False not in ({kids}): "
                                 f"out.append({self.const(info.id)})")
                else:
                    lines.append(f"{indent}    out.append({self.const(info.id)})")

        emit(0, "    ")
        lines.append("    return tuple(out)")
        return self.rc.exec_function("\n".join(lines) + "\n", self.ns, "_failed")

    def fact_prologue(self) -> list[str]:
        """Read and convert the facts this decision uses.

        Plain dicts are read by subscript (the fastest path); a missing key, or any other
        mapping, falls back to ``.get`` (never ``[]`` on a mapping that might insert, like
        a defaultdict).
        """
        if not self.fact_index:
            return []
        keys = {name: self.const(name) for name in self.fact_index}
        lines = ["    try:", "        if facts.__class__ is not dict: raise KeyError"]
        lines += [f"        f{i} = facts[{keys[n]}]" for n, i in self.fact_index.items()]
        lines += ["    except KeyError:", "        _get = facts.get"]
        lines += [f"        f{i} = _get({keys[n]})" for n, i in self.fact_index.items()]
        return lines

    def fact_conversions(self) -> list[str]:
        lines: list[str] = []
        for name, i in self.fact_index.items():
            f = self.model.facts[name]
            v = f"f{i}"
            cv = self.const(f.converter())
            k = f.kind
            if k == "boolean":
                lines.append(f"    if {v}.__class__ is not bool and {v} is not None: "
                             f"{v} = {cv}({v})")
            elif k == "string":
                lines.append(f"    if {v}.__class__ is not str and {v} is not None: "
                             f"{v} = {cv}({v})")
            elif k == "enum":
                allowed = self.const(frozenset(f.values))
                lines.append(f"    if ({v}.__class__ is not str or {v} not in {allowed}) and "
                             f"{v} is not None: {v} = {cv}({v})")
            elif k == "ordinal":
                index = self.const(MappingProxyType({s: n for n, s in enumerate(f.values)}))
                lines.append(f"    _o = {index}.get({v}) if {v}.__class__ is str else None")
                lines.append(f"    if _o is not None: {v} = _o")
                lines.append(f"    elif {v} is not None: {v} = {cv}({v})")
            elif k in NUMERIC_KINDS:
                checks = ""
                if f.minimum is not None:
                    checks += f" or {v} < {self.const(f.minimum)}"
                if f.maximum is not None:
                    checks += f" or {v} > {self.const(f.maximum)}"
                lines.append(f"    if ({v}.__class__ is not int{checks}) and {v} is not None: "
                             f"{v} = {cv}({v})")
            else:
                lines.append(f"    if {v} is not None: {v} = {cv}({v})")
        return lines

    def sub_kind(self, did: str) -> tuple[str, Ty | None]:
        sub = self.rc.compile_decision(did)
        return sub.kind, sub.output

    def sub_prologue(self) -> list[str]:
        lines = []
        for did, j in self.sub_index.items():
            sub = self.rc.compiled[did]
            lines.append(f"    s{j} = {self.const(sub.run)}(facts, as_of)")
            if sub.kind == "passfail":
                lines.append(f"    d{j} = s{j}[0]")
            else:
                lines.append(f"    v{j} = s{j}[1] if s{j}[0] is True else None")
        return lines


def _node_info(index: int, info: dict[str, Any]) -> NodeInfo:
    return NodeInfo(index=index, **info)


def _can_be_na(rule: Rule) -> bool:
    """Whether a rule can contribute "not applicable" to its parent: conditional and
    warning rules, and a `not` over such a rule (all/any groups always decide)."""
    if rule.applies_when is not None or rule.severity != "error":
        return True
    return rule.kind == "not" and _can_be_na(rule.children[0])


def _walk(node: ast.Node) -> list[ast.Node]:
    out = [node]
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        for v in value if isinstance(value, tuple) else (value,):
            if attrs.has(type(v)):
                out += _walk(v)
    return out


def _names_in(node: ast.Node) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.id}
    out: set[str] = set()
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        if isinstance(value, tuple):
            for v in value:
                if attrs.has(type(v)):
                    out |= _names_in(v)
        elif attrs.has(type(value)):
            out |= _names_in(value)
    return out


def _expected_text(node: ast.Node, model: RulesetModel) -> str:
    """What a rule expects, as a reader wants it: ``>= 3000``, ``true``, ``in industries``."""
    def with_params(n: ast.Node) -> str:
        text = unparse(n)
        names = sorted(_names_in(n) & set(model.params))
        if names:
            values = ", ".join(f"{p} = {model.params[p].value}" for p in names)
            text += f" ({values})"
        return text

    if isinstance(node, ast.Compare):
        return f"{node.op} {with_params(node.right)}"
    if isinstance(node, ast.Between):
        return f"between {with_params(node.low)} and {with_params(node.high)}"
    if isinstance(node, ast.Name) and node.id in model.facts:
        return "true"
    if isinstance(node, ast.Unary) and node.op == "not" and isinstance(node.operand, ast.Name) \
            and node.operand.id in model.facts:
        return "false"
    return unparse(node)


# -- the ruleset -----------------------------------------------------------------------


class _RulesetCompiler:
    def __init__(self, model: RulesetModel, checked: Mapping[str, ir.Decision]) -> None:
        self.model = model
        self.checked = checked
        self.compiled: dict[str, CompiledDecision] = {}

    def exec_function(self, src: str, ns: dict[str, Any], name: str) -> Callable[..., Any]:
        # The source is generated from the checked AST: identifiers are our own variable
        # names and every value is a namespace constant, so no ruleset text is executed.
        code = compile(src, f"<promorules {self.model.id}>", "exec")
        local: dict[str, Any] = {}
        exec(code, ns, local)
        fn: Callable[..., Any] = local[name]
        return fn

    def compile_decision(self, did: str) -> CompiledDecision:
        """Compile a checked decision (those it uses first: the checker ruled out cycles)."""
        if did not in self.compiled:
            self.compiled[did] = _DecisionGen(self, self.model.decisions[did],
                                              self.checked[did]).generate()
        return self.compiled[did]


def generate(model: RulesetModel, checked: Mapping[str, ir.Decision]
             ) -> dict[str, CompiledDecision]:
    """Compile every decision the checking stage accepted, in declaration order."""
    rc = _RulesetCompiler(model, checked)
    for did in checked:
        rc.compile_decision(did)
    return {did: rc.compiled[did] for did in model.decisions if did in rc.compiled}
