"""A pass/fail decision compiled into a durable_rules ruleset: an independent oracle for
the native engine, and a bridge to a streaming rules engine.

    >>> from promorules.backends import durable
    >>> dd = durable.compile(rs, "merchant_eligibility")
    >>> dd.evaluate(facts)
    'pass'

Three-valued logic is encoded with two durable conditions per rule node, T (it passes)
and F (it fails), plus N (not applicable) for rules that can be skipped; a rule node whose
conditions both fail to match is unknown. Each rule id becomes the name of durable rules:
``<id>`` fires when the rule passes, ``<id>:fail`` when it fails and ``<id>:na`` when it is
not applicable. The decision's outcome is ``pass`` when the root rule (named by the
decision id) fires, ``fail`` when ``<decision>:fail`` fires, ``unknown`` otherwise.

Facts are validated and converted by the ruleset's fact types, then posted as one JSON
fact: numbers and money as integers scaled by 10**6 (exact: ``2999.99`` is
``2999990000``), ordinals as their position, dates as day numbers, date-times as UTC
microseconds. Two things are computed in Python before posting, because durable_rules
cannot compute them exactly: arithmetic (``0.95 * market_price``, durable computes in
floating point and only on the right of a comparison) and ``contains_any`` (durable's
regular expressions have no negation). See docs/durable-backend.md.

durable_rules is imported lazily: importing promorules never imports it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..calendar import years_between
from ..compiler import DECIMAL_CONTEXT
from ..errors import FactError, PromorulesError
from ..expressions import ast
from ..expressions.ast import unparse
from ..facts import NUMERIC_KINDS, FactType
from ..model import Rule, RulesetModel

if TYPE_CHECKING:
    from ..ruleset import Ruleset

__all__ = ["SCALE", "DurableDecision", "compile"]

SCALE = 6
"""Numbers are posted as integers counting 10**-SCALE units."""

_INT64 = 2**63
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MARKER = "_pr"  # every posted fact carries it; every rule requires it

Cond = dict[str, Any] | bool  # a durable condition, or a constant
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
# ``field OP derived``: the exact derived value rounded so that the integer comparison
# agrees with the exact one (x <= d <=> x <= floor(d) for an integer x, and so on)
_ROUND_RIGHT = {"<=": ROUND_FLOOR, ">": ROUND_FLOOR, "<": ROUND_CEILING, ">=": ROUND_CEILING}


_DATE_SPANS: dict[str, Callable[[dt.date, dt.date], int]] = {
    "years_between": years_between,
    "days_between": lambda a, b: (b - a).days,
}


def _engine() -> Any:
    try:
        from durable import engine  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as e:
        raise PromorulesError(
            "the durable backend needs durable-rules, which is not installed: "
            "pip install 'promorules[durable]'", code="PR810") from e
    return engine


class _Unsupported(Exception):
    pass


def _unsupported(what: str) -> _Unsupported:
    return _Unsupported(what)


def _scaled(value: int | Decimal, what: str, rounding: str | None = None) -> int:
    """An exact number as an integer count of 10**-SCALE units."""
    d = Decimal(value).scaleb(SCALE, context=DECIMAL_CONTEXT)
    if rounding is not None:
        d = d.to_integral_value(rounding=rounding, context=DECIMAL_CONTEXT)
    elif d != d.to_integral_value(context=DECIMAL_CONTEXT):
        raise PromorulesError(
            f"{what} = {value} has more than {SCALE} decimal places and cannot be represented "
            "exactly by the durable backend", code="PR812")
    n = int(d)
    if not -_INT64 < n < _INT64:
        raise PromorulesError(f"{what} = {value} is too large for the durable backend "
                              f"(|x| must be below {_INT64 // 10**SCALE})", code="PR812")
    return n


# -- conditions ------------------------------------------------------------------------


def _join(op: str, parts: Sequence[Cond]) -> Cond:
    absorbing = op == "$or"  # True absorbs an or, False an and
    out: list[dict[str, Any]] = []
    for p in parts:
        if p is absorbing:
            return absorbing
        if p is (not absorbing):
            continue
        assert isinstance(p, dict)
        if len(p) == 1 and op in p:
            out.extend(p[op])
        else:
            out.append(p)
    if not out:
        return not absorbing
    return out[0] if len(out) == 1 else {op: out}


def _and(*parts: Cond) -> Cond:
    return _join("$and", parts)


def _or(*parts: Cond) -> Cond:
    return _join("$or", parts)


def _ex(field: str) -> Cond:
    return {"$ex": {field: 1}}


def _cmp(op: str, field: str, right: Any) -> Cond:
    """``field OP right``; right is a constant or ``{"$m": other_field}``."""
    if op == "==":
        return {field: right}
    return {_OPS[op]: {field: right}}


# -- operands --------------------------------------------------------------------------


@attrs.frozen
class _Operand:
    kind: str  # num ordinal enum string bool date datetime list symbol arith
    field: str | None = None  # a posted field (fact or derived)
    const: Any = None  # an encoded constant (when field is None)
    scale: FactType | None = None  # enum / ordinal / list: the declaring fact
    symbol: str = ""
    node: ast.Node | None = None  # arith: the expression
    facts: frozenset[str] = frozenset()  # arith: the facts it reads


@attrs.frozen
class _Derived:
    """A value computed in Python before posting (absent when a fact it reads is)."""

    field: str
    facts: tuple[str, ...]
    compute: Callable[[Mapping[str, Any]], Any]


def _fact_field(name: str) -> str:
    return "f_" + name


def _len_field(name: str) -> str:
    return "n_" + name


class _Translator:
    def __init__(self, model: RulesetModel) -> None:
        self.model = model
        self.facts: set[str] = set()
        self.derived: list[_Derived] = []
        self.rules: dict[str, Cond] = {}  # durable rule name -> condition

    # rule trees

    def decision(self, did: str) -> tuple[Cond, Cond]:
        """T and F of a pass/fail decision (a decision is never not applicable)."""
        dec = self.model.decisions.get(did)
        if dec is None or dec.kind != "passfail" or dec.rule is None:
            raise _unsupported(f"'{did}' is not a pass/fail decision")
        if dec.requires:
            raise _unsupported(f"decision '{did}' has 'requires'")
        t, f, n = self.rule(dec.rule, register=False)
        return _or(t, n), f

    def rule(self, r: Rule, register: bool) -> tuple[Cond, Cond, Cond]:
        """(passes, fails, not applicable) of a rule node."""
        n: Cond = False
        if r.kind == "check":
            if r.check is None:  # pragma: no cover - a loaded ruleset parsed every check
                raise _unsupported(f"rule '{r.id}' has no check")
            t, f = self.expr(r.check.node)
        elif r.kind == "decision":
            assert r.decision is not None
            t, f = self.decision(r.decision)
        elif r.kind in ("all", "any", "not"):
            kids = [self.rule(c, register) for c in r.children]
            if r.kind == "all":
                t = _and(*(_or(kt, kn) for kt, _, kn in kids))
                f = _or(*(kf for _, kf, _ in kids))
            elif r.kind == "any":
                t = _or(*(kt for kt, _, _ in kids))
                f = _and(*(_or(kf, kn) for _, kf, kn in kids))
            else:
                f, t, n = kids[0]
        else:
            raise _unsupported(f"rule '{r.id}' of kind '{r.kind}'")
        if r.applies_when is not None:
            ct, cf = self.expr(r.applies_when.node)
            t, f, n = _and(ct, t), _and(ct, f), _or(cf, _and(ct, n))
        if register:
            self.rules[r.id] = t
            self.rules[f"{r.id}:fail"] = f
            if n is not False:
                self.rules[f"{r.id}:na"] = n
        if r.severity == "warning":
            return False, False, True  # a warning never decides: not applicable to its parent
        return t, f, n

    # expressions: (true, false); neither matching is unknown

    def expr(self, node: ast.Node) -> tuple[Cond, Cond]:
        if isinstance(node, ast.BoolLit):
            return node.value, not node.value
        if isinstance(node, ast.Unary) and node.op == "not":
            t, f = self.expr(node.operand)
            return f, t
        if isinstance(node, ast.Binary) and node.op in ("and", "or"):
            at, af = self.expr(node.left)
            bt, bf = self.expr(node.right)
            if node.op == "and":
                return _and(at, bt), _or(af, bf)
            return _or(at, bt), _and(af, bf)
        if isinstance(node, ast.Name):
            if node.id in self.model.decisions:
                return self.decision(node.id)
            op = self.operand(node)
            if op.kind != "bool" or op.field is None:
                raise _unsupported(f"'{node.id}' as a condition")
            return {op.field: True}, {op.field: False}
        if isinstance(node, ast.Compare):
            if node.op in ("in", "not in"):
                t, f = self.membership(node)
                return (f, t) if node.op == "not in" else (t, f)
            return self.compare(node.op, node.left, node.right)
        if isinstance(node, ast.Between):
            lt, lf = self.compare(">=", node.value, node.low)
            ht, hf = self.compare("<=", node.value, node.high)
            return _and(lt, ht), _or(lf, hf)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise _unsupported(f"the expression '{unparse(node)}'")

    def operand(self, node: ast.Node) -> _Operand:
        m = self.model
        if isinstance(node, ast.Name):
            n = node.id
            if n in m.facts:
                ft = m.facts[n]
                kind = "num" if ft.kind in NUMERIC_KINDS else (
                    "bool" if ft.kind == "boolean" else ft.kind)
                if kind not in ("num", "bool", "ordinal", "enum", "string", "date", "datetime",
                                "list"):
                    raise _unsupported(f"facts of type {ft.kind} ('{n}')")
                self.facts.add(n)
                return _Operand(kind, field=_fact_field(n), scale=ft)
            if n in m.params:
                return _Operand("num", const=_scaled(m.params[n].value, f"parameter '{n}'"))
            if n in ("as_of", "today"):
                raise _unsupported(f"'{n}' (time-dependent rules)")
            if n in m.lists or n in m.decisions:
                raise _unsupported(f"'{n}' as a value")
            return _Operand("symbol", symbol=n)
        if isinstance(node, ast.NumLit):
            return _Operand("num", const=_scaled(node.value, f"the constant {node.value}"))
        if isinstance(node, ast.StrLit):
            return _Operand("string", const=node.value)
        if isinstance(node, ast.BoolLit):
            return _Operand("bool", const=node.value)
        if isinstance(node, ast.DateLit):
            return _Operand("date", const=node.value.toordinal())
        if isinstance(node, ast.DateTimeLit):
            value = node.value
            if value.tzinfo is None:
                value = value.replace(tzinfo=m.timezone)
            return _Operand("datetime", const=(value - _EPOCH) // dt.timedelta(microseconds=1))
        if (isinstance(node, ast.Binary) and node.op in ("+", "-", "*", "/")) or (
            isinstance(node, ast.Unary) and node.op == "-"
        ):
            return _Operand("arith", node=node, facts=frozenset(self.arith_facts(node)))
        if isinstance(node, ast.Call) and node.func in _DATE_SPANS:
            return self.date_span(node)
        raise _unsupported(f"the expression '{unparse(node)}'")

    def date_span(self, node: ast.Call) -> _Operand:
        """``years_between(a, b)`` / ``days_between(a, b)`` of two date facts: computed
        exactly in Python (the engine's own functions) and posted as a whole number."""
        names = [a.id for a in node.args if isinstance(a, ast.Name)]
        if len(names) != 2 or len(node.args) != 2 or not all(
            n == "today" or (n in self.model.facts and self.model.facts[n].kind == "date")
            for n in names
        ):
            raise _unsupported(f"'{unparse(node)}' (only between date facts and 'today')")
        self.facts.update(n for n in names if n != "today")
        span = _DATE_SPANS[node.func]
        first, second = names

        def compute(facts: Mapping[str, Any]) -> int:
            return _scaled(span(facts[first], facts[second]), unparse(node))

        return _Operand("num", field=self.derive(frozenset(names), compute))

    def arith_facts(self, node: ast.Node) -> set[str]:
        """The numeric facts an arithmetic expression reads (checking it is supported)."""
        if isinstance(node, ast.NumLit):
            return set()
        if isinstance(node, ast.Name):
            if node.id in self.model.params:
                return set()
            ft = self.model.facts.get(node.id)
            if ft is None or ft.kind not in NUMERIC_KINDS:
                raise _unsupported(f"'{node.id}' in arithmetic")
            self.facts.add(node.id)
            return {node.id}
        if isinstance(node, ast.Unary) and node.op == "-":
            return self.arith_facts(node.operand)
        if isinstance(node, ast.Binary) and node.op in ("+", "-", "*", "/"):
            if node.op == "/" and not (
                isinstance(node.right, ast.NumLit) and node.right.value != 0
            ):
                raise _unsupported("division by anything but a non-zero constant")
            return self.arith_facts(node.left) | self.arith_facts(node.right)
        raise _unsupported(f"'{unparse(node)}' in arithmetic")

    def arith_value(self, node: ast.Node, facts: Mapping[str, Any]) -> Decimal:
        ctx = DECIMAL_CONTEXT
        if isinstance(node, ast.NumLit):
            return Decimal(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.model.params:
                return Decimal(self.model.params[node.id].value)
            return Decimal(facts[node.id])
        if isinstance(node, ast.Unary):
            return ctx.minus(self.arith_value(node.operand, facts))
        assert isinstance(node, ast.Binary)
        a, b = self.arith_value(node.left, facts), self.arith_value(node.right, facts)
        method = {"+": ctx.add, "-": ctx.subtract, "*": ctx.multiply, "/": ctx.divide}[node.op]
        return method(a, b)

    def derive(self, facts: frozenset[str], compute: Callable[[Mapping[str, Any]], Any]) -> str:
        field = f"d_{len(self.derived)}"
        self.derived.append(_Derived(field, tuple(sorted(facts)), compute))
        return field

    def resolve(self, symbol: _Operand, scale: FactType) -> _Operand:
        if symbol.symbol not in scale.values:
            raise _unsupported(f"'{symbol.symbol}' is not a value of '{scale.name}'")
        value: Any = symbol.symbol
        if scale.kind == "ordinal":
            value = scale.values.index(symbol.symbol)
        return _Operand(scale.kind, const=value, scale=scale)

    def compare(self, op: str, left: ast.Node, right: ast.Node) -> tuple[Cond, Cond]:
        a, b = self.operand(left), self.operand(right)
        if a.kind == "symbol" and b.kind in ("enum", "ordinal") and b.scale is not None:
            a = self.resolve(a, b.scale)
        elif b.kind == "symbol" and a.kind in ("enum", "ordinal") and a.scale is not None:
            b = self.resolve(b, a.scale)
        if "arith" in (a.kind, b.kind):
            return self.compare_arith(op, a, b)
        text = f"{unparse(left)} {op} {unparse(right)}"
        if a.kind != b.kind or a.kind in ("symbol", "list"):
            raise _unsupported(f"the comparison '{text}'")
        if op not in ("==", "!=") and a.kind not in ("num", "ordinal", "date", "datetime"):
            raise _unsupported(f"the comparison '{text}'")
        if a.field is None and b.field is None:
            value = _python_compare(op, a.const, b.const)
            return value, not value
        if a.field is None:
            a, b, op = b, a, _FLIP[op]
        assert a.field is not None
        present = [_ex(a.field)] + ([_ex(b.field)] if b.field is not None else [])
        rhs = {"$m": b.field} if b.field is not None else b.const
        return (_and(*present, _cmp(op, a.field, rhs)),
                _and(*present, _cmp(_NEGATE[op], a.field, rhs)))

    def compare_arith(self, op: str, a: _Operand, b: _Operand) -> tuple[Cond, Cond]:
        if op not in _ROUND_RIGHT:
            raise _unsupported(f"'{op}' with arithmetic (only <, <=, >, >=)")
        if a.kind == "arith" and b.kind == "arith":
            # both sides computed: post the exact difference, compare it with 0
            assert a.node is not None and b.node is not None
            diff = ast.Binary("-", a.node, b.node)
            a, b = _Operand("num", const=0), _Operand("arith", node=diff,
                                                      facts=a.facts | b.facts)
            op = _FLIP[op]
        elif a.kind == "arith":
            a, b, op = b, a, _FLIP[op]
        if a.kind != "num":
            raise _unsupported("arithmetic compared with a non-number")
        node, rounding = b.node, _ROUND_RIGHT[op]
        assert node is not None

        def compute(facts: Mapping[str, Any]) -> int:
            return _scaled(self.arith_value(node, facts), unparse(node), rounding)

        field = self.derive(b.facts, compute)
        if a.field is None:  # constant OP derived: derived FLIP(OP) constant
            present: list[Cond] = [_ex(field)]
            return (_and(*present, _cmp(_FLIP[op], field, a.const)),
                    _and(*present, _cmp(_NEGATE[_FLIP[op]], field, a.const)))
        present = [_ex(a.field), _ex(field)]
        return (_and(*present, _cmp(op, a.field, {"$m": field})),
                _and(*present, _cmp(_NEGATE[op], a.field, {"$m": field})))

    def const_list(self, node: ast.Node, scale: FactType | None) -> list[Any]:
        """The encoded items of a list literal or a declared list."""
        if isinstance(node, ast.Name) and node.id in self.model.lists:
            raw: list[Any] = list(self.model.lists[node.id].items)
        elif isinstance(node, ast.ListLit):
            raw = []
            for item in node.items:
                if isinstance(item, ast.Name) and scale is not None and (
                    item.id not in self.model.facts and item.id not in self.model.params
                ):
                    raw.append(item.id)
                elif isinstance(item, (ast.NumLit, ast.StrLit)):
                    raw.append(item.value)
                else:
                    raise _unsupported(f"the list item '{unparse(item)}'")
        else:
            raise _unsupported(f"'{unparse(node)}' as a list")
        out: list[Any] = []
        for value in raw:
            if scale is not None and scale.kind == "ordinal":
                out.append(self.resolve(_Operand("symbol", symbol=str(value)), scale).const)
            elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                out.append(_scaled(value, f"the list item {value}"))
            else:
                out.append(value)
        return out

    def membership(self, node: ast.Compare) -> tuple[Cond, Cond]:
        a = self.operand(node.left)
        if a.field is None or a.kind not in ("num", "ordinal", "enum", "string"):
            raise _unsupported(f"'{unparse(node)}'")
        scale = a.scale if a.kind in ("enum", "ordinal") else None
        items = self.const_list(node.right, scale)
        present = _ex(a.field)
        return (_and(present, _or(*({a.field: i} for i in items))),
                _and(present, *(_cmp("!=", a.field, i) for i in items)))

    def call(self, node: ast.Call) -> tuple[Cond, Cond]:
        if node.func == "present" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, ast.Name) and arg.id in self.model.facts:
                self.facts.add(arg.id)
                field = _fact_field(arg.id)
                return _ex(field), {"$nex": {field: 1}}
        if node.func == "contains_any" and len(node.args) == 2:
            text = self.operand(node.args[0])
            if text.kind != "string" or text.field is None:
                raise _unsupported("contains_any on anything but a string fact")
            words = [str(w) for w in self.const_list(node.args[1], None)]
            name = text.field[2:]

            def contains(facts: Mapping[str, Any]) -> bool:
                return any(w in facts[name] for w in words)

            field = self.derive(frozenset({name}), contains)
            return {field: True}, {field: False}
        if node.func == "includes_all" and len(node.args) == 2:
            have = self.operand(node.args[0])
            if have.kind != "list" or have.field is None or have.scale is None or (
                have.scale.item_kind not in ("string", "enum")
            ):
                raise _unsupported("includes_all on anything but a list of strings")
            required = self.const_list(node.args[1], None)
            field, size = have.field, _len_field(have.field[2:])
            # durable's $iall is false on an empty array: the length is posted alongside
            return (_and(_ex(field), *({"$iany": {field: {"$eq": {"$i": r}}}}
                                       for r in required)),
                    _and(_ex(field), _or(*(_or({size: 0},
                                               {"$iall": {field: {"$neq": {"$i": r}}}})
                                           for r in required))))
        raise _unsupported(f"the function {node.func}()")


_CHUNK = 8  # durable_rules refuses a rule whose condition expands to many alternatives


def _split(cond: Cond) -> list[dict[str, Any]]:
    """A rule condition (with the marker) as one or more durable conditions, or-ed: a
    top-level disjunction is spread over several durable rules."""
    marker: dict[str, Any] = {_MARKER: 1}
    if cond is True:
        return [marker]
    if cond is False:
        return [{"$and": [marker, {"$ex": {"_never": 1}}]}]
    assert isinstance(cond, dict)
    alternatives = cond["$or"] if len(cond) == 1 and "$or" in cond else [cond]
    out: list[dict[str, Any]] = []
    for i in range(0, len(alternatives), _CHUNK):
        full = _and(marker, _or(*alternatives[i:i + _CHUNK]))
        assert isinstance(full, dict)
        out.append(full)
    return out


def _python_compare(op: str, a: Any, b: Any) -> bool:
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                 "!=": a != b}[op])


def _encode(ft: FactType, value: Any) -> Any:
    """A converted fact value as JSON for durable_rules."""
    if ft.kind in NUMERIC_KINDS:
        return _scaled(value, f"fact '{ft.name}'")
    if ft.kind == "date":
        return value.toordinal()
    if ft.kind == "datetime":
        return (value - _EPOCH) // dt.timedelta(microseconds=1)
    if ft.kind == "list":
        return [_scaled(v, f"fact '{ft.name}'") if isinstance(v, (int, Decimal)) else v
                for v in value]
    return value  # bool, str, ordinal position


class DurableDecision:
    """One pass/fail decision registered as a durable_rules ruleset of its own."""

    def __init__(self, name: str, decision: str, model: RulesetModel,
                 rules: Mapping[str, Cond], facts: Sequence[str],
                 derived: Sequence[_Derived]) -> None:
        engine = _engine()
        self.name = name
        self.decision = decision
        self._model = model
        self._facts = tuple(facts)
        self._derived = tuple(derived)
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._fired: list[str] = []
        self.definition: dict[str, dict[str, Any]] = {}
        self._logical: dict[str, str] = {}  # durable rule name -> rule name (<id>[:fail|:na])
        for rule_name, cond in rules.items():
            for k, part in enumerate(_split(cond)):
                durable_name = rule_name if k == 0 else f"{rule_name}#{k + 1}"
                self.definition[durable_name] = {"all": [{"m": part}]}
                self._logical[durable_name] = rule_name
        actions = {n: {**d, "run": self._action(self._logical[n])}
                   for n, d in self.definition.items()}
        self._engine = engine
        try:
            self._ruleset = engine.Ruleset(name, None, actions)
        except Exception as e:  # durable_rules_engine.error: its network size limits
            raise PromorulesError(
                f"not supported by the durable backend: decision '{decision}' is too large "
                f"for durable_rules ({e})", code="PR811") from None

    def _action(self, rule_name: str) -> Callable[[Any], None]:
        def run(c: Any) -> None:
            self._fired.append(rule_name)
        return run

    @property
    def rule_names(self) -> tuple[str, ...]:
        """The rule names: ``<id>``, ``<id>:fail``, ``<id>:na`` (a large condition is split
        into durable rules ``<name>``, ``<name>#2``, ...: see ``definition``)."""
        return tuple(dict.fromkeys(self._logical.values()))

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts the decision reads."""
        return self._facts

    def message(self, facts: Mapping[str, Any], as_of: Any = None) -> dict[str, Any]:
        """The JSON fact posted for ``facts`` (validated by the ruleset's fact types);
        ``today`` (for date spans) is the date of ``as_of`` in the ruleset's time zone."""
        if not isinstance(facts, Mapping):
            raise FactError(f"facts must be a mapping of fact names to values, not "
                            f"{type(facts).__name__}", code="PR600")
        converted: dict[str, Any] = {"today": self._today(as_of)}
        msg: dict[str, Any] = {_MARKER: 1}
        for name in self._facts:
            ft = self._model.facts[name]
            value = ft.convert(facts.get(name))
            if value is None:
                continue
            converted[name] = value
            msg[_fact_field(name)] = _encode(ft, value)
            if ft.kind == "list":
                msg[_len_field(name)] = len(value)
        for d in self._derived:
            if all(f in converted for f in d.facts):
                msg[d.field] = d.compute(converted)
        return msg

    def _today(self, as_of: Any) -> dt.date:
        if as_of is None:
            return dt.datetime.now(self._model.timezone).date()
        if isinstance(as_of, str):
            try:
                as_of = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
            except ValueError:
                raise FactError(f"as_of {as_of!r} is not an ISO date or date-time",
                                code="PR608", fact="as_of") from None
        if isinstance(as_of, dt.datetime):
            moment: dt.datetime = as_of
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self._model.timezone)
            return moment.astimezone(self._model.timezone).date()
        if isinstance(as_of, dt.date):
            return as_of
        raise FactError("as_of must be a date-time, a date or an ISO string", code="PR608",
                        fact="as_of")

    def fired(self, facts: Mapping[str, Any], as_of: Any = None) -> tuple[str, ...]:
        """The names of the durable rules that fire on ``facts`` at ``as_of``."""
        msg = self.message(facts, as_of)
        engine = self._engine
        errors: list[BaseException] = []

        def done(error: BaseException | None, state: Any) -> None:
            if error is not None:
                errors.append(error)

        with self._lock:
            msg["sid"] = "0"
            msg["_n"] = next(self._counter)  # never the same fact twice
            self._fired = []
            try:
                handle = self._ruleset.assert_fact(msg)
            except engine.MessageNotHandledException:
                return ()  # no rule matched (durable does not keep the fact)
            try:
                self._ruleset.do_actions(handle, done)
            finally:
                with contextlib.suppress(engine.MessageNotHandledException):
                    self._ruleset.retract_fact(msg)
            fired = tuple(self._fired)
        if errors:  # pragma: no cover - our actions only record their name
            raise PromorulesError(f"durable_rules failed: {errors[0]!r}", code="PR900")
        return fired

    def evaluate(self, facts: Mapping[str, Any], as_of: Any = None) -> str:
        """``"pass"``, ``"fail"`` or ``"unknown"``; ``as_of`` (default now) is the instant
        rules reading ``today`` use."""
        fired = self.fired(facts, as_of)
        if self.decision in fired:
            return "pass"
        if f"{self.decision}:fail" in fired:
            return "fail"
        return "unknown"

    def rule_outcomes(self, facts: Mapping[str, Any], as_of: Any = None) -> dict[str, str]:
        """Each rule id of the decision's own tree: pass, fail, not_applicable or unknown."""
        fired = set(self.fired(facts, as_of))
        out: dict[str, str] = {}
        for name in self.rule_names:
            rid = name.split(":", 1)[0]
            if rid in out:
                continue
            out[rid] = ("pass" if rid in fired else "fail" if f"{rid}:fail" in fired
                        else "not_applicable" if f"{rid}:na" in fired else "unknown")
        return out

    def __repr__(self) -> str:
        return f"<DurableDecision {self.name}: {len(self.definition)} durable rules>"


def compile(ruleset: Ruleset, decision: str) -> DurableDecision:
    """Compile a pass/fail ``decision`` of ``ruleset`` into a durable_rules ruleset.

    Raises PromorulesError (``PR810``) when durable-rules is not installed and
    (``PR811``) when the decision uses something the backend does not support.
    """
    _engine()
    model = ruleset.model
    dec = model.decisions.get(decision)
    if dec is None:
        raise PromorulesError(f"ruleset '{model.id}' has no decision {decision!r}",
                              code="PR811")
    translator = _Translator(model)
    try:
        if dec.kind != "passfail" or dec.rule is None:
            raise _unsupported(f"value decisions ('{decision}' computes a value)")
        if dec.requires:
            raise _unsupported(f"decision '{decision}' has 'requires'")
        t, _, n = translator.rule(dec.rule, register=True)
    except _Unsupported as e:
        raise PromorulesError(f"not supported by the durable backend: {e} "
                              f"(decision '{decision}' of '{model.id}')", code="PR811") from None
    # a decision is never not applicable: when nothing in it applies, it passes
    translator.rules[dec.rule.id] = _or(t, n)
    translator.rules.pop(f"{dec.rule.id}:na", None)
    name = f"{model.id}_{decision}_{uuid.uuid4().hex[:8]}"
    return DurableDecision(name, decision, model, translator.rules,
                           sorted(translator.facts), translator.derived)
