"""Pipeline stage 4b (code generation): the two-valued fast path of a pass/fail decision.

When every fact is present with its canonical JSON type (and in range), the rules are
evaluated in plain two-valued logic, with no unknown checks; anything else (a missing
fact, an odd type, a value out of range) falls through to the three-valued body, which
converts, validates and gives the same record. When every rule is an ``all`` of plain
checks, one short-circuit test answers the common case: everything passed.

A number fact whose every use is a comparison with a constant threshold that round-trips
through a float (``store_rating >= 4.7``) is accepted as a float as received, not
converted: compared with the float threshold, it gives exactly the decimal answer (see
:func:`.emit_expr.float_threshold`). The record then holds the float itself, at a
position listed in ``CompiledDecision.float_facts``; readers of the record's facts read it
as its exact decimal through :func:`.runtime.exact_facts`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .. import ir
from ..facts import INT_LIMIT, MAX_EXPONENT, NUMERIC_KINDS, FactType
from . import pyast as P
from .emit_expr import ExprEmitter, float_threshold
from .emit_kleene import NA, RuleEmitter, can_be_na
from .frame import Frame

__all__ = ["FastRuleEmitter", "fast_path", "float_facts"]

_ORDER = ("<", "<=", ">", ">=")


class FastRuleEmitter(RuleEmitter):
    """Two-valued rules: groups without a child that can be "not applicable" are plain
    ``and``/``or``/``not``. ``leaves``: each check and the code of its test, in order."""

    def __init__(self, frame: Frame, x: ExprEmitter) -> None:
        super().__init__(frame, x)
        self.leaves: list[tuple[ir.Check, ast.expr]] = []

    def visit_check(self, rule: ir.Check) -> ast.expr:
        code = self.expr(rule.expr).node
        self.leaves.append((rule, code))
        return code

    def visit_not(self, rule: ir.Not) -> ast.expr:
        if can_be_na(rule.child):
            return super().visit_not(rule)
        return P.not_(self.rule(rule.child))

    def visit_all(self, rule: ir.All) -> ast.expr:
        if any(can_be_na(c) for c in rule.children):
            return super().visit_all(rule)
        return P.and_(*(self.rule(c) for c in rule.children))

    def visit_any(self, rule: ir.Any) -> ast.expr:
        if any(can_be_na(c) for c in rule.children):
            return super().visit_any(rule)
        return P.or_(*(self.rule(c) for c in rule.children))


def _rule_exprs(rule: ir.Rule) -> Iterator[ir.TypedExpr]:
    for r in ir.rules(rule):
        if r.applies_when is not None:
            yield r.applies_when
        if isinstance(r, ir.Check):
            yield r.expr


def _round_trips(value: Any) -> bool:
    return value is None or Decimal(repr(float(value))) == value


def float_facts(rule: ir.Rule) -> frozenset[str]:
    """The number facts that are only ever compared with float-exact thresholds."""
    uses: dict[str, int] = {}
    safe: dict[str, int] = {}
    facts: dict[str, FactType] = {}
    for expr in _rule_exprs(rule):
        for e in ir.walk_expr(expr.tree):
            if isinstance(e, ir.FactRef):
                uses[e.name] = uses.get(e.name, 0) + 1
                facts[e.name] = e.fact
            pairs: list[tuple[ir.Expr, tuple[ir.Expr, ...]]] = []
            if isinstance(e, ir.Compare) and e.op in _ORDER:
                pairs = [(e.left, (e.right,)), (e.right, (e.left,))]
            elif isinstance(e, ir.Between):
                pairs = [(e.value, (e.low, e.high))]
            for side, others in pairs:
                if isinstance(side, ir.FactRef) and all(float_threshold(o) is not None
                                                        for o in others):
                    safe[side.name] = safe.get(side.name, 0) + 1
    return frozenset(
        name for name, n in uses.items()
        if safe.get(name) == n and facts[name].kind in ("number", "percent", "money")
        and _round_trips(facts[name].minimum) and _round_trips(facts[name].maximum))


# the bounds a number taken as it is must keep (facts.number_problem judges the rest)
_FLOAT_LIMIT = float(10 ** MAX_EXPONENT)
_FLOAT_TINY = float(f"1e-{MAX_EXPONENT}")


def _canonical(frame: Frame, name: str, fact: FactType, raw: ast.Name, floats: bool
               ) -> tuple[ast.expr, str | None]:
    """The fast path's test that a fact has its canonical type, and the variable holding
    its canonical value (None: the raw value is canonical)."""
    names = frame.names
    k = fact.kind
    if k == "boolean":
        return P.is_(P.attr(raw, "__class__"), P.name("bool")), None
    is_str = P.is_(P.attr(raw, "__class__"), P.name("str"))
    if k == "string":
        return is_str, None
    if k == "enum":
        allowed = names.const(frozenset(fact.values), f"ENUM_{name}")
        return P.and_(is_str, P.cmp(raw, "in", allowed)), None
    c = names.fresh(f"{name}_value")
    if k == "ordinal":
        rank = names.const(MappingProxyType({x: n for n, x in enumerate(fact.values)}),
                           f"RANK_{name}")
        return P.and_(is_str, P.is_not(P.walrus(c, P.call(P.attr(rank, "get"), raw)),
                                       P.NONE)), c
    if k in NUMERIC_KINDS:
        convert = "_canon_integer" if k == "integer" else "_canon_number"
        exact = P.or_(P.is_(P.attr(P.walrus(c, raw), "__class__"), P.name("int")),
                      P.is_not(P.walrus(c, P.call(convert, raw)), P.NONE))
        tests = [exact]
        # an int is taken as it is only within the bounds every number keeps (a few dozen
        # digits, facts.number_problem); beyond them the full conversion words the FactError
        tests.append(P.cmp(P.name(c), ">=", names.const(fact.minimum, f"MIN_{name}"))
                     if fact.minimum is not None else
                     P.cmp(P.name(c), ">", names.const(-INT_LIMIT, "INT_LOW")))
        tests.append(P.cmp(P.name(c), "<=", names.const(fact.maximum, f"MAX_{name}"))
                     if fact.maximum is not None else
                     P.cmp(P.name(c), "<", names.const(INT_LIMIT, "INT_HIGH")))
        if not floats:
            return P.and_(*tests), c
        # a float is kept as it is when it is in range and within the same bounds: zero, or
        # a magnitude between FLOAT_TINY and FLOAT_HIGH. The positive band is tested first:
        # one chained comparison for the usual value
        lo = float(fact.minimum) if fact.minimum is not None else -_FLOAT_LIMIT
        hi = float(fact.maximum) if fact.maximum is not None else _FLOAT_LIMIT
        v = P.name(c)

        def band(low: float, high: float, label: str) -> ast.expr:
            node = P.at(ast.Compare(names.const(low, f"{label}_LOW_{name}"),
                                    [ast.LtE(), ast.LtE()],
                                    [v, names.const(high, f"{label}_HIGH_{name}")]))
            assert isinstance(node, ast.expr)
            return node

        bands: list[ast.expr] = []
        if hi >= _FLOAT_TINY:
            bands.append(band(max(lo, _FLOAT_TINY), min(hi, _FLOAT_LIMIT), "FLOAT"))
        if lo <= -_FLOAT_TINY:
            bands.append(band(max(lo, -_FLOAT_LIMIT), min(hi, -_FLOAT_TINY), "FLOAT_NEG"))
        if lo <= 0.0 <= hi:
            bands.append(P.cmp(v, "==", names.const(0.0, "FLOAT_ZERO")))
        is_float = P.is_(P.attr(P.walrus(c, raw), "__class__"), P.name("float"))
        float_tests = [is_float, P.or_(*bands) if len(bands) > 1 else bands[0]]
        if k == "money":
            # in whole cents: round(v * 100) / 100 == v exactly when v is the float nearest
            # to an amount with at most 2 decimals (both roundings are correct), i.e. when
            # its shortest repr has at most 2 decimals; cheaper than round(v, 2)
            hundred = names.const(100.0, "FLOAT_HUNDRED")
            scaled = P.at(ast.BinOp(v, ast.Mult(), hundred))
            assert isinstance(scaled, ast.expr)
            cents = P.at(ast.BinOp(P.call("round", scaled), ast.Div(), hundred))
            assert isinstance(cents, ast.expr)
            float_tests.append(P.cmp(cents, "==", v))
        tests[0] = P.or_(P.is_(P.attr(P.name(c), "__class__"), P.name("int")),
                         P.is_not(P.walrus(c, P.call(convert, raw)), P.NONE))
        return P.or_(P.and_(*float_tests), P.and_(*tests)), c
    convert_any = names.const(fact.converter(), f"CONVERT_{name}")
    return P.is_not(P.walrus(c, P.call("_try", convert_any, raw)), P.name("_BAD")), c


def _is_conjunction(rule: ir.Rule) -> bool:
    """Only `all` groups and plain checks, no conditions or warnings."""
    if rule.applies_when is not None or rule.severity != ir.Severity.ERROR:
        return False
    if isinstance(rule, ir.Check):
        return True
    return isinstance(rule, ir.All) and all(_is_conjunction(c) for c in rule.children)


def fast_path(frame: Frame, rule: ir.Rule, today: Any) -> tuple[list[ast.stmt], frozenset[str]]:
    """The fast path's statements (they return the record, or fall through), and the facts
    its record may hold as the float they came as."""
    facts = frame.fact_types
    floats = float_facts(rule)
    conds: list[ast.expr] = []
    bool_conds: dict[str, ast.expr] = {}
    canon: dict[str, str] = {}
    for name, raw in frame.facts.items():
        fact = facts[name]
        test, var = _canonical(frame, name, fact, P.name(raw), name in floats)
        canon[name] = var or raw
        if fact.kind == "boolean":
            bool_conds[name] = test
        else:
            conds.append(test)
    x = ExprEmitter(frame.names, lambda ref: canon[ref.name], None, today, two_valued=True,
                    float_facts=floats)
    emitter = FastRuleEmitter(frame, x)
    root = emitter.rule(rule)
    values = [P.name(canon[n]) for n in frame.facts]
    fact_tuple = P.tup(values)
    nodes = P.tup([P.name(v) for v in frame.vars])
    answer = P.ret(P.call("_Record", P.ifexp(P.is_(root, NA), P.TRUE, root), P.NONE, nodes,
                          fact_tuple, P.tup([]), *frame.record_args()))
    frame.mark(answer, rule)
    inner: list[ast.expr] = []
    if _is_conjunction(rule):
        # Every rule passing is the common case: one short-circuit test, after which
        # every node is True by construction. A boolean fact used only as a whole rule
        # (`x`, `not x`) is type-checked by that test itself (`x is True`), so its own
        # check moves to the inner block, which only the other cases reach.
        tests = [code for _, code in emitter.leaves]
        for name, cond in bool_conds.items():
            uses = [n for n, (check, _) in enumerate(emitter.leaves) if name in check.expr.facts]
            whole_uses = [_whole_use(emitter.leaves[n][0].expr.tree, name) for n in uses]
            if uses and all(w is not None for w in whole_uses):
                fact_var = P.name(frame.facts[name])
                for n, w in zip(uses, whole_uses, strict=True):
                    tests[n] = P.is_(fact_var, P.TRUE if w else P.FALSE)
                inner.append(cond)
            else:
                conds.append(cond)
        all_true = frame.names.const((True,) * len(frame.vars), "ALL_PASSED")
        passed = P.ret(P.call("_Record", P.TRUE, P.NONE, all_true, fact_tuple, P.tup([]),
                              *frame.record_args()))
        body: list[ast.stmt] = [frame.mark(P.if_(P.and_(*tests), [passed]), rule)]
    else:
        conds += bool_conds.values()
        body = []
    rest = [*emitter.out, answer]
    body += [P.if_(P.and_(*inner), rest)] if inner else rest
    return [P.if_(P.and_(*conds) if conds else P.TRUE, body)], floats


def _whole_use(tree: ir.Expr, name: str) -> bool | None:
    """True for a check that is the boolean fact itself, False for its negation."""
    if isinstance(tree, ir.FactRef) and tree.name == name:
        return True
    if isinstance(tree, ir.Unary) and tree.op == "not" and isinstance(tree.operand, ir.FactRef) \
            and tree.operand.name == name:
        return False
    return None
