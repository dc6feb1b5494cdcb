"""The durable backend's translator: a visitor over the typed IR (pipeline stage 4a) that
turns a pass/fail decision's rule tree into durable_rules conditions.

Rules give three conditions, T (passes), F (fails) and N (not applicable); expressions
give two, T and F; a node matching none is unknown. Names, symbols and parameters are
already resolved by the checker, and each value's IR type decides how it is encoded
(:func:`.conditions.encode`). What durable cannot compute exactly (arithmetic, date spans,
``contains_any``) becomes a derived field computed in Python before posting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ... import ir
from ...calendar import years_between
from ...exact import NotArithmetic, arith_facts, exact
from ...facts import FactType
from ...zh_script import fold_value
from .conditions import (
    FLIP,
    NEGATE,
    ROUND_RIGHT,
    Cond,
    and_,
    cmp,
    encode,
    ex,
    or_,
    python_compare,
    scaled,
)

__all__ = ["Derived", "Translator", "Unsupported", "fact_field", "len_field"]

_NUMERIC = ir.NUMERIC_TY
_DATE_SPANS: dict[str, Callable[[Any, Any], int]] = {
    "years_between": years_between,
    "days_between": lambda a, b: (b - a).days,
}
Outcomes = tuple[Cond, Cond, Cond]  # a rule: passes, fails, not applicable


class Unsupported(Exception):
    """Something the backend cannot translate (the message says what)."""


@attrs.frozen
class Derived:
    """A value computed in Python before posting (absent when a fact it reads is)."""

    field: str
    facts: tuple[str, ...]
    compute: Callable[[Mapping[str, Any]], Any]


@attrs.frozen
class _Operand:
    """One side of a comparison: a posted field, an encoded constant, or arithmetic (to be
    computed in Python)."""

    ty: ir.Ty
    field: str | None = None
    const: Any = None
    arith: ir.Expr | None = None
    facts: tuple[str, ...] = ()  # arithmetic: the facts it reads


def fact_field(name: str) -> str:
    """The posted field holding fact ``name``."""
    return "f_" + name


def len_field(name: str) -> str:
    """The posted field holding the length of list fact ``name``."""
    return "n_" + name


class Translator(ir.Visitor[Outcomes]):
    """Translates rules (``visit``: T, F, N of a rule's own kind; :meth:`rule` adds
    ``applies_when``, severity and the rule names). ``decisions`` are the checked decisions
    a translated one may use."""

    def __init__(self, decisions: Mapping[str, ir.Decision]) -> None:
        self.decisions = decisions
        self.facts: dict[str, FactType] = {}  # the facts read, with their declared types
        self.derived: list[Derived] = []
        self.rules: dict[str, Cond] = {}  # durable rule name -> condition
        self.register = False  # name the rules visited (those of the decision compiled)
        self.text = ""  # the expression being translated, for messages
        self._conditions = _Conditions(self)
        self._operands = _Operands(self)

    # rule trees

    def decision(self, did: str) -> tuple[Cond, Cond]:
        """T and F of a pass/fail decision (a decision is never not applicable)."""
        dec = self.decisions.get(did)
        if dec is None or dec.kind != ir.DecisionKind.PASSFAIL or dec.rule is None:
            raise Unsupported(f"'{did}' is not a pass/fail decision")
        register, self.register = self.register, False
        try:
            t, f, n = self.rule(dec.rule)
        finally:
            self.register = register
        return or_(t, n), f

    def rule(self, r: ir.Rule) -> Outcomes:
        """(passes, fails, not applicable) of a rule node, as its parent sees it."""
        t, f, n = self.visit(r)
        if r.applies_when is not None:
            ct, cf = self.condition(r.applies_when)
            t, f, n = and_(ct, t), and_(ct, f), or_(cf, and_(ct, n))
        if self.register:
            self.rules[r.id] = t
            self.rules[f"{r.id}:fail"] = f
            if n is not False:
                self.rules[f"{r.id}:na"] = n
        if r.severity == ir.Severity.WARNING:
            return False, False, True  # a warning never decides: not applicable to its parent
        return t, f, n

    def generic_visit(self, node: Any) -> Outcomes:
        raise Unsupported(f"rule '{node.id}' of kind '{node.kind}'")

    def visit_check(self, node: ir.Check) -> Outcomes:
        t, f = self.condition(node.expr)
        return t, f, False

    def visit_decision_ref(self, node: ir.DecisionRef) -> Outcomes:
        t, f = self.decision(node.decision)
        return t, f, False

    def visit_all(self, node: ir.All) -> Outcomes:
        kids = [self.rule(c) for c in node.children]
        return (and_(*(or_(kt, kn) for kt, _, kn in kids)), or_(*(kf for _, kf, _ in kids)),
                False)

    def visit_any(self, node: ir.Any) -> Outcomes:
        kids = [self.rule(c) for c in node.children]
        return (or_(*(kt for kt, _, _ in kids)), and_(*(or_(kf, kn) for _, kf, kn in kids)),
                False)

    def visit_not(self, node: ir.Not) -> Outcomes:
        f, t, n = self.rule(node.child)
        return t, f, n

    # expressions

    def condition(self, expr: ir.TypedExpr) -> tuple[Cond, Cond]:
        """T and F of a written condition."""
        outer, self.text = self.text, expr.text
        try:
            return self._conditions.visit(expr.tree)
        finally:
            self.text = outer

    def unsupported(self, what: str = "") -> Unsupported:
        return Unsupported(f"{what or 'the expression'} in '{self.text}'")

    def derive(self, facts: tuple[str, ...], compute: Callable[[Mapping[str, Any]], Any]
               ) -> str:
        field = f"d_{len(self.derived)}"
        self.derived.append(Derived(field, tuple(sorted(facts)), compute))
        return field

    def read(self, fact: ir.FactRef) -> str:
        """The posted field of a fact (which the posted message will then carry)."""
        self.facts[fact.name] = fact.fact
        return fact_field(fact.name)

    def operand(self, node: ir.Expr) -> _Operand:
        return self._operands.visit(node)

    def items(self, node: ir.Expr) -> list[Any]:
        """The encoded items of a list literal or a declared list."""
        if not isinstance(node, (ir.Const, ir.ListRef)) or node.ty.kind != ir.TyKind.LIST:
            raise self.unsupported("a list that is not written or declared")
        item = node.ty.item if node.ty.item is not None else ir.ANY
        values = node.value if isinstance(node, ir.Const) else node.items
        return [encode(item, v, f"the list item {v}") for v in values]

    def compare(self, op: str, left: ir.Expr, right: ir.Expr) -> tuple[Cond, Cond]:
        left, right = ir.whole_second(op, left, right)
        a, b = self.operand(left), self.operand(right)
        if a.arith is not None or b.arith is not None:
            return self.compare_arith(op, a, b)
        if a.field is None and b.field is None:
            value = python_compare(op, a.const, b.const)
            return value, not value
        if a.field is None:
            a, b, op = b, a, FLIP[op]
        assert a.field is not None
        present = [ex(a.field)] + ([ex(b.field)] if b.field is not None else [])
        rhs = {"$m": b.field} if b.field is not None else b.const
        return (and_(*present, cmp(op, a.field, rhs)),
                and_(*present, cmp(NEGATE[op], a.field, rhs)))

    def compare_arith(self, op: str, a: _Operand, b: _Operand) -> tuple[Cond, Cond]:
        if op not in ROUND_RIGHT:
            raise self.unsupported(f"'{op}' with arithmetic (only <, <=, >, >=)")
        if a.arith is not None and b.arith is not None:
            # both sides computed: post the exact difference, compare it with 0
            diff = ir.Arith("-", a.arith, b.arith, ir.NUMBER)
            a, b = _Operand(ir.NUMBER, const=0), _Operand(ir.NUMBER, arith=diff,
                                                          facts=(*a.facts, *b.facts))
            op = FLIP[op]
        elif a.arith is not None:
            a, b, op = b, a, FLIP[op]
        if a.ty.kind not in _NUMERIC:
            raise self.unsupported("arithmetic compared with a non-number")
        node, rounding, text = b.arith, ROUND_RIGHT[op], self.text
        assert node is not None

        def compute(facts: Mapping[str, Any]) -> int:
            return scaled(exact(node, facts), f"'{text}'", rounding)

        field = self.derive(b.facts, compute)
        if a.field is None:  # constant OP derived: derived FLIP(OP) constant
            return (and_(ex(field), cmp(FLIP[op], field, a.const)),
                    and_(ex(field), cmp(NEGATE[FLIP[op]], field, a.const)))
        present = [ex(a.field), ex(field)]
        return (and_(*present, cmp(op, a.field, {"$m": field})),
                and_(*present, cmp(NEGATE[op], a.field, {"$m": field})))


class _Conditions(ir.ExprVisitor[tuple[Cond, Cond]]):
    """T and F of a boolean expression."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr

    def generic_visit(self, node: Any) -> tuple[Cond, Cond]:
        raise self.tr.unsupported()

    def visit_const(self, node: ir.Const) -> tuple[Cond, Cond]:
        if node.ty.kind != ir.TyKind.BOOL:
            raise self.tr.unsupported()
        return bool(node.value), not node.value

    def visit_fact(self, node: ir.FactRef) -> tuple[Cond, Cond]:
        if node.ty.kind != ir.TyKind.BOOL:
            raise self.tr.unsupported(f"'{node.name}' as a condition")
        field = self.tr.read(node)
        return {field: True}, {field: False}

    def visit_decision_value(self, node: ir.DecisionValue) -> tuple[Cond, Cond]:
        return self.tr.decision(node.decision)

    def visit_unary(self, node: ir.Unary) -> tuple[Cond, Cond]:
        t, f = self.visit(node.operand)
        return f, t  # "not": the checker allows no other unary operator on a condition

    def visit_logic(self, node: ir.Logic) -> tuple[Cond, Cond]:
        (at, af), (bt, bf) = self.visit(node.left), self.visit(node.right)
        if node.op == "and":
            return and_(at, bt), or_(af, bf)
        return or_(at, bt), and_(af, bf)

    def visit_compare(self, node: ir.Compare) -> tuple[Cond, Cond]:
        return self.tr.compare(node.op, node.left, node.right)

    def visit_between(self, node: ir.Between) -> tuple[Cond, Cond]:
        lt, lf = self.tr.compare(">=", node.value, node.low)
        ht, hf = self.tr.compare("<=", node.value, node.high)
        return and_(lt, ht), or_(lf, hf)

    def visit_membership(self, node: ir.Membership) -> tuple[Cond, Cond]:
        a = self.tr.operand(node.left)
        if a.field is None or a.ty.kind not in (*_NUMERIC, ir.TyKind.ORDINAL, ir.TyKind.ENUM,
                                                ir.TyKind.STRING):
            raise self.tr.unsupported(f"'{node.op}' on anything but a fact")
        items = self.tr.items(node.right)
        field = a.field
        if ir.matches_chinese(node.left) or ir.matches_chinese(node.right):
            if not isinstance(node.left, ir.FactRef):
                raise self.tr.unsupported("match: chinese on anything but a fact")
            name = node.left.name
            field = self.tr.derive((name,), lambda f: fold_value(f[name]))
            items = [fold_value(i) for i in items]
        t = and_(ex(field), or_(*({field: i} for i in items)))
        f = and_(ex(field), *(cmp("!=", field, i) for i in items))
        return (f, t) if node.op == "not in" else (t, f)

    def visit_call(self, node: ir.Call) -> tuple[Cond, Cond]:
        tr, args = self.tr, node.args
        if node.func == "present" and isinstance(args[0], ir.FactRef):
            field = tr.read(args[0])
            return ex(field), {"$nex": {field: 1}}
        if node.func == "contains_any":
            if not isinstance(args[0], ir.FactRef) or args[0].ty.kind != ir.TyKind.STRING:
                raise tr.unsupported("contains_any on anything but a string fact")
            tr.read(args[0])
            name, words = args[0].name, [str(w) for w in tr.items(args[1])]
            zh = ir.matches_chinese(args[0]) or ir.matches_chinese(args[1])
            if zh:
                words = [fold_value(w) for w in words]

            def contains(facts: Mapping[str, Any]) -> bool:
                text = fold_value(facts[name]) if zh else facts[name]
                return any(w in text for w in words)

            field = tr.derive((name,), contains)
            return {field: True}, {field: False}
        if node.func == "includes_all":
            have = args[0]
            item = have.ty.item
            if not isinstance(have, ir.FactRef) or item is None or item.kind not in (
                ir.TyKind.STRING, ir.TyKind.ENUM
            ):
                raise tr.unsupported("includes_all on anything but a list of strings")
            field, size = tr.read(have), len_field(have.name)
            required = tr.items(args[1])
            # durable's $iall is false on an empty array: the length is posted alongside
            return (and_(ex(field), *({"$iany": {field: {"$eq": {"$i": r}}}}
                                      for r in required)),
                    and_(ex(field), or_(*(or_({size: 0},
                                              {"$iall": {field: {"$neq": {"$i": r}}}})
                                          for r in required))))
        raise tr.unsupported(f"the function {node.func}()")


class _Operands(ir.ExprVisitor[_Operand]):
    """One side of a comparison."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr

    def generic_visit(self, node: Any) -> _Operand:
        raise self.tr.unsupported(f"'{node.kind}' as a value")

    def visit_fact(self, node: ir.FactRef) -> _Operand:
        return _Operand(node.ty, field=self.tr.read(node))

    def visit_param(self, node: ir.ParamRef) -> _Operand:
        return _Operand(node.ty, const=encode(node.ty, node.value, f"parameter '{node.name}'"))

    def visit_const(self, node: ir.Const) -> _Operand:
        if node.ty.kind == ir.TyKind.LIST:
            raise self.tr.unsupported("a list as a value")
        return _Operand(node.ty, const=encode(node.ty, node.value, f"the constant {node.value}"))

    def visit_as_of(self, node: ir.AsOf) -> _Operand:
        raise self.tr.unsupported("'as_of' (time-dependent rules)")

    def visit_today(self, node: ir.Today) -> _Operand:
        raise self.tr.unsupported("'today' outside years_between / days_between")

    def arithmetic(self, node: ir.Unary | ir.Arith) -> _Operand:
        """Plain arithmetic, computed exactly in Python (durable computes in floating
        point, and only on the right of a comparison)."""
        try:
            facts = arith_facts(node)
        except NotArithmetic as e:
            raise self.tr.unsupported(f"'{e.node.kind}' in arithmetic") from None
        if not _safe_division(node):
            raise self.tr.unsupported("division by anything but a non-zero constant")
        for fact in facts:
            self.tr.read(fact)
        return _Operand(node.ty, arith=node, facts=tuple(f.name for f in facts))

    visit_unary = visit_arith = arithmetic

    def visit_call(self, node: ir.Call) -> _Operand:
        """``years_between(a, b)`` / ``days_between(a, b)`` of two date facts (or today):
        computed exactly in Python (the engine's own functions), posted as a whole
        number."""
        span = _DATE_SPANS.get(node.func)
        if span is None:
            raise self.tr.unsupported(f"the function {node.func}()")
        names: list[str] = []
        for arg in node.args:
            if isinstance(arg, ir.Today):
                names.append("today")
            elif isinstance(arg, ir.FactRef) and arg.ty.kind == ir.TyKind.DATE:
                names.append(arg.name)
                self.tr.read(arg)
            else:
                raise self.tr.unsupported(f"{node.func}() of anything but date facts and "
                                          "'today'")
        first, second = names
        text = self.tr.text

        def compute(facts: Mapping[str, Any]) -> int:
            return scaled(span(facts[first], facts[second]), f"'{text}'")

        return _Operand(ir.NUMBER, field=self.tr.derive(tuple(names), compute))


def _safe_division(node: ir.Expr) -> bool:
    """Plain arithmetic divides only by non-zero constants (a fact could be zero, where the
    engine reports an error and durable could not)."""
    return all(not (isinstance(n, ir.Arith) and n.op == "/") or (
        isinstance(n.right, ir.Const) and n.right.value != 0) for n in ir.walk_expr(node))
