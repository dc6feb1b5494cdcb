"""Pipeline stage 4: model -> compiled decisions.

Each decision becomes one generated Python function, compiled once at load time (as
cel-python and ZEN compile once and evaluate many times). The generator works from the
type-checked syntax tree only: names become local variables (``f3``), and every literal,
list, parameter value and helper lives in the function's namespace as a constant (``C7``),
so no text from the ruleset is ever pasted into the generated source.

The generated function converts the facts it reads, evaluates every node with three-valued
logic (``True`` / ``False`` / ``None`` for unknown, ``NA`` for not applicable) and returns a
*record*: ``(outcome, value, node_values, fact_values, sub_records)``. Traces are built
from the record only when asked for (see :mod:`promorules.trace`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs

from . import calendar as cal
from .errors import FactError, RulesetError
from .expressions import ast
from .expressions.ast import unparse
from .facts import NUMERIC_KINDS, FactType, display_value, suggest
from .loader import Document
from .model import Decision, Expr, Rule, RulesetModel, ValueSpec, expression_offset
from .text import Text

__all__ = ["DECIMAL_CONTEXT", "NA", "CompiledDecision", "NodeInfo", "Record", "compile_ruleset"]


class _NotApplicable:
    """The outcome of a rule whose ``applies_when`` is false."""

    _instance: _NotApplicable | None = None

    def __new__(cls) -> _NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"

    def __reduce__(self) -> str:
        return "NA"


NA = _NotApplicable()
FAILED = ("promorules.FAILED",)  # a value computation that failed (not unknown)

# Decimal arithmetic in a fixed context, whatever the caller's thread context says.
_CTX = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN,
                       traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
DECIMAL_CONTEXT = _CTX  # traces and explanations compute in it too, never in the caller's
_ROUNDING = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN,
             "down": decimal.ROUND_DOWN, "up": decimal.ROUND_UP}


# -- types -----------------------------------------------------------------------------


@attrs.frozen
class Ty:
    """Static type of an expression."""

    kind: str  # bool number money string date datetime enum ordinal list mapping any symbol
    currency: str | None = None
    scale: FactType | None = None  # enum / ordinal: the declaring fact
    item: Ty | None = None  # list items
    symbol: str | None = None  # a bare identifier awaiting an enum/ordinal context

    def describe(self) -> str:
        if self.kind == "money":
            return f"money ({self.currency})" if self.currency else "money"
        if self.kind in ("enum", "ordinal") and self.scale is not None:
            return f"{self.kind} '{self.scale.name}'"
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item.describe()}"
        if self.kind == "symbol":
            return f"the name '{self.symbol}'"
        return self.kind


BOOL, NUMBER, STRING, DATE, DATETIME = Ty("bool"), Ty("number"), Ty("string"), Ty("date"), Ty(
    "datetime")
ANY = Ty("any")
_NUMERIC = frozenset({"number", "money"})


def fact_ty(f: FactType) -> Ty:
    k = f.kind
    if k in ("number", "integer", "percent"):
        return NUMBER
    if k == "money":
        return Ty("money", currency=f.currency)
    if k == "boolean":
        return BOOL
    if k in ("enum", "ordinal"):
        return Ty(k, scale=f)
    if k == "list":
        if f.item_kind == "enum":
            return Ty("list", item=Ty("enum", scale=f))
        return Ty("list", item=STRING if f.item_kind == "string" else NUMBER)
    return Ty(k)


@attrs.frozen
class Code:
    """Generated Python expression text, its type, and whether it may be unknown (None)."""

    text: str
    ty: Ty
    nullable: bool = False
    const: bool = False  # a constant: no fact, param-free literal


_SIMPLE = re.compile(r"[fdv]\d+|as_of|_today")


class _Skip(Exception):
    """An expression that did not parse (already reported): skip what depends on it."""


class _CompileError(Exception):
    def __init__(self, message: str, code: str, pos: int, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.pos, self.suggestion = message, code, pos, suggestion


# -- runtime helpers used by generated code --------------------------------------------


def _contains_any(text: str, words: Sequence[str]) -> bool:
    return any(w in text for w in words)


def _missing_from(have: Sequence[Any], required: Sequence[Any]) -> tuple[Any, ...]:
    got = set(have)
    return tuple(r for r in required if r not in got)


def _includes_all(have: Sequence[Any], required: Sequence[Any]) -> bool:
    got = set(have)
    return all(r in got for r in required)


def _round(value: Decimal | int, places: int, mode: str = "half_up") -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=_ROUNDING[mode],
                                   context=_CTX)


def _add_days(day: dt.date, n: int | Decimal) -> dt.date:
    if n != int(n):
        raise FactError(f"add_days needs a whole number of days, got {n}", code="PR606")
    return day + dt.timedelta(days=int(n))


def _days_between(a: dt.date, b: dt.date) -> int:
    return (b - a).days


def _fast_decimal(text: str) -> Decimal | None:
    """A decimal string as Decimal, or None for anything the full conversion must judge."""
    try:
        value = Decimal(text)
    except decimal.InvalidOperation:
        return None
    return value if value.is_finite() and "_" not in text else None


def _canon_number(value: Any) -> int | Decimal | None:
    """What the full conversion makes of a float, Decimal or decimal string, or None
    when it must be judged by the full path (NaN, bool, odd types)."""
    cls = value.__class__
    if cls is str:  # money usually arrives as a decimal string: the hot case first
        if "_" in value:
            return None
        try:
            number = Decimal(value)
        except decimal.InvalidOperation:
            return None
        return number if number.is_finite() else None
    if cls is float:
        return Decimal(repr(value)) if value - value == 0 else None  # finite
    if cls is Decimal:
        return value if value.is_finite() else None
    return None


def _canon_integer(value: Any) -> int | None:
    number = _canon_number(value)
    if number is None or number != int(number):
        return None
    return int(number)


_BAD = ("promorules.BAD",)


def _try(convert: Callable[[Any], Any], value: Any) -> Any:
    if value is None:
        return _BAD
    try:
        return convert(value)
    except FactError:
        return _BAD


_REQUIRES = Text("Requirements for a value", "得出结果的前提条件")
_CENT = Decimal("0.01")


def _cents(value: int | Decimal) -> Decimal:
    """A money value as an amount of cents, exactly; rounding must be explicit."""
    exact = Decimal(value).quantize(_CENT, context=_CTX)
    if exact != value:
        raise FactError(f"the money value {value} is not a whole number of cents and the "
                        "decision declares no rounding ('round:')", code="PR606")
    return exact


def _arithmetic_error(error: Exception, decision: str) -> FactError:
    if isinstance(error, (ZeroDivisionError, decimal.DivisionByZero)):
        problem = "a division by zero"
    elif isinstance(error, (OverflowError, decimal.Overflow)):
        problem = "a number or date out of range"
    else:
        problem = "an invalid arithmetic operation"
    return FactError(f"decision '{decision}' cannot be computed with these facts: {problem}",
                     code="PR606")


def _whole(n: int | Decimal, what: str) -> int:
    if n != int(n):
        raise FactError(f"{what} needs a whole number, got {n}", code="PR606")
    return int(n)


class Record(NamedTuple):
    """What a compiled decision's function returns: everything a trace is built from.

    ``outcome`` is True (pass), False (fail) or None (unknown); ``value`` the decision's
    value (value decisions); ``nodes`` the value of every node of the decision's node table,
    by index; ``facts`` the converted facts, in ``CompiledDecision.fact_names`` order; ``subs``
    the records of the decisions it uses, in ``CompiledDecision.subs`` order.
    """

    outcome: bool | None
    value: Any
    nodes: tuple[Any, ...]
    facts: tuple[Any, ...]
    subs: tuple[Record, ...]


RUNTIME: dict[str, Any] = {
    "_Record": Record,
    "_includes_all": _includes_all,
    "NA": NA, "FAILED": FAILED, "CTX": _CTX, "FactError": FactError, "_PENDING": ("pending",),
    "_Decimal": Decimal,
    "_contains_any": _contains_any, "_missing_from": _missing_from, "_round": _round,
    "_add_days": _add_days, "_fast_decimal": _fast_decimal, "_canon_number": _canon_number,
    "_canon_integer": _canon_integer, "_try": _try, "_BAD": _BAD,
    "_days_between": _days_between, "_whole": _whole, "_cents": _cents,
    "_arithmetic_error": _arithmetic_error,
    "_years_between": cal.years_between, "_quarter_start": cal.quarter_start,
    "_quarter_end": cal.quarter_end, "_add_months": cal.add_months,
    "_ArithmeticErrors": (ArithmeticError, decimal.DecimalException, OverflowError),
}


# -- compiled output -------------------------------------------------------------------


@attrs.frozen
class NodeInfo:
    """Static description of one trace node: what the record's value at ``index`` means."""

    index: int
    kind: str  # all any not check decision | value cases case default lookup collect item
    #          # fields field requires
    id: str
    description: Any  # Text
    source: str | None
    parent: int | None
    children: tuple[int, ...] = ()
    facts: tuple[str, ...] = ()  # facts this node reads (its own expressions)
    expected: str | None = None
    severity: str = "error"
    decision: str | None = None  # kind "decision": the referenced decision
    compare_op: str | None = None  # for gaps: "<", "<=", ">", ">=", "between"
    detail: Callable[..., Any] | None = None  # (facts, subs, as_of) -> (lhs, rhs[, hi])
    step: Decimal | int | None = None  # smallest step of the compared quantity, if known
    unit: str | None = None  # how to display the compared quantity ("CNY", "%")
    subject: str | None = None  # the fact the gap applies to, when there is one
    value_literal: Any = None  # for case/item nodes: the value they give (when a literal)
    expression: str | None = None  # the expression text (check, when, compute)
    conditional: bool = False  # has `applies_when`: its value may be NA
    tier: bool = False  # the root of a tier's requirements
    lhs_text: str | None = None  # threshold checks: the compared expression, as written
    hit_policy: str | None = None  # decision tables
    formula: Any = None  # compute nodes: the expression's syntax tree, for traces
    rounding: tuple[int, str] | None = None  # compute nodes: (places, mode) when rounded


@attrs.frozen
class CompiledDecision:
    """A decision compiled to a function, plus what the trace builder needs."""

    id: str
    model: Decision
    run: Callable[[Mapping[str, Any], Any], Record] = attrs.field(repr=False)
    nodes: tuple[NodeInfo, ...] = attrs.field(repr=False)
    fact_names: tuple[str, ...]
    subs: tuple[str, ...]
    uses_time: bool
    output: Ty | None = attrs.field(repr=False)
    source_code: str = attrs.field(repr=False)
    has_warnings: bool = False  # it (or a decision it uses) has warning-severity rules
    # pass/fail: (node values, sub records) -> failed leaf ids, generated from the tree
    failed_ids: Callable[..., tuple[str, ...]] | None = attrs.field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """``"passfail"`` or ``"value"``."""
        return self.model.kind

    @property
    def description(self) -> Any:
        return self.model.description

    @property
    def source(self) -> str | None:
        return self.model.source


# -- the generator ---------------------------------------------------------------------


class _DecisionGen:
    """Generates the function of one decision."""

    def __init__(self, rc: _RulesetCompiler, decision: Decision) -> None:
        self.rc = rc
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
        self.expr_ctx: Expr | None = None
        # Second pass for the two-valued path: facts are known present, nodes already exist.
        self.present = False
        self.broken = False  # an expression failed to compile (reported): do not generate
        self.replay: int | None = None
        self.canon_vars: dict[str, str] = {}  # f3 -> c3 where the fast path converted
        self.leaf_codes: list[str] | None = None  # check expressions seen in the second pass

    # namespace and names

    def const(self, value: Any) -> str:
        name = f"C{len(self.ns)}"
        self.ns[name] = value
        return name

    def tmp(self) -> str:
        self.temp += 1
        return f"_t{self.temp}"

    def fact_var(self, name: str) -> str:
        if name not in self.fact_index:
            self.fact_index[name] = len(self.fact_index)
        return f"f{self.fact_index[name]}"

    def sub_var(self, did: str) -> int:
        if did not in self.sub_index:
            self.sub_index[did] = len(self.sub_index)
        return self.sub_index[did]

    # expressions

    def fail(self, message: str, node: ast.Node, code: str = "PR401",
             suggestion: str | None = None) -> _CompileError:
        return _CompileError(message, code, node.pos, suggestion)

    def guard(self, parts: Sequence[Code], build: Callable[[list[str]], str], ty: Ty) -> Code:
        """Code that is None when any nullable part is None, else ``build(parts)``."""
        args: list[str] = []
        conds: list[str] = []
        for p in parts:
            if p.nullable and _SIMPLE.fullmatch(p.text):
                conds.append(f"{p.text} is None")  # a plain variable: no temporary needed
                args.append(p.text)
            elif p.nullable:
                t = self.tmp()
                conds.append(f"({t} := {p.text}) is None")
                args.append(t)
            else:
                args.append(p.text)
        if not conds:
            return Code(f"({build(args)})", ty, False)
        return Code(f"(None if {' or '.join(conds)} else {build(args)})", ty, True)

    def name(self, node: ast.Name) -> Code:
        n = node.id
        m = self.model
        if n in m.facts:
            self.node_facts.add(n)
            if self.present:  # two-valued pass: the canonical value, known present
                var = self.fact_var(n)
                return Code(self.canon_vars.get(var, var), fact_ty(m.facts[n]))
            return Code(self.fact_var(n), fact_ty(m.facts[n]), nullable=True)
        if n in m.params:
            p = m.params[n]
            ty = Ty("money", currency=p.type.currency) if p.type.kind == "money" else NUMBER
            return Code(self.const(p.value), ty)
        if n in m.lists:
            items = m.lists[n].items
            item_ty = NUMBER if items and all(
                isinstance(i, (int, Decimal)) and not isinstance(i, bool) for i in items
            ) else STRING
            return Code(self.const(tuple(items)), Ty("list", item=item_ty), const=True)
        if n in m.decisions:
            if n == self.decision.id:
                raise self.fail(f"decision '{n}' refers to itself", node, "PR305")
            sub = self.rc.compile_decision(n, via=self.decision.id)
            j = self.sub_var(n)
            if sub.kind == "passfail":
                return Code(f"d{j}", BOOL, nullable=True)
            return Code(f"v{j}", sub.output or ANY, nullable=True)
        if n == "as_of":
            self.uses_time = True
            return Code("as_of", DATETIME)
        if n == "today":
            self.uses_time = self.uses_today = True
            return Code("_today", DATE)
        return Code("", Ty("symbol", symbol=n))

    def unknown_name(self, node: ast.Name) -> _CompileError:
        m = self.model
        names = [*m.facts, *m.params, *m.lists, *m.decisions, "as_of", "today"]
        close = suggest(node.id, names)
        hint = f" (did you mean '{close}'?)" if close else ""
        return self.fail(f"unknown name '{node.id}'{hint}", node, "PR301", close)

    def emit(self, node: ast.Node) -> Code:
        """Type-check and generate code for an expression node."""
        code = self._emit(node)
        if code.ty.kind == "symbol":
            assert isinstance(node, ast.Name)
            raise self.unknown_name(node)
        return code

    def _emit(self, node: ast.Node) -> Code:
        if isinstance(node, ast.NumLit):
            return Code(self.const(node.value), NUMBER, const=True)
        if isinstance(node, ast.StrLit):
            return Code(self.const(node.value), STRING, const=True)
        if isinstance(node, ast.BoolLit):
            return Code("True" if node.value else "False", BOOL, const=True)
        if isinstance(node, ast.DateLit):
            return Code(self.const(node.value), DATE, const=True)
        if isinstance(node, ast.DateTimeLit):
            value = node.value if node.value.tzinfo else node.value.replace(
                tzinfo=self.model.timezone)
            return Code(self.const(value), DATETIME, const=True)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.ListLit):
            literal_types = (ast.NumLit, ast.StrLit, ast.BoolLit, ast.DateLit, ast.DateTimeLit)
            if any(isinstance(i, ast.Name) and i.id not in self.declared_names()
                   for i in node.items):
                return Code("", Ty("list", item=Ty("symbol")))  # enum values: see `in`
            for i in node.items:
                if not isinstance(i, literal_types):
                    raise self.fail("list literals hold only literal values (numbers, strings, "
                                    "dates, or enum values)", i)
            items = [self._emit(i) for i in node.items]
            values = tuple(self.ns.get(i.text, i.text == "True") for i in items)
            item_ty = items[0].ty if items else ANY
            return Code(self.const(values), Ty("list", item=item_ty), const=True)
        if isinstance(node, ast.Unary):
            operand = self.emit(node.operand)
            if node.op == "not":
                self.need(operand, "bool", node.operand, "'not'")
                if not operand.nullable:
                    return Code(f"(not {operand.text})", BOOL)
                t = self.tmp()
                return Code(f"(None if ({t} := {operand.text}) is None else not {t})", BOOL, True)
            if operand.ty.kind not in _NUMERIC:
                raise self.fail(f"cannot negate {operand.ty.describe()}", node)
            return self.guard([operand], lambda a: f"CTX.minus({a[0]})", operand.ty)
        if isinstance(node, ast.Binary):
            if node.op in ("and", "or"):
                return self.logic(node)
            return self.arith(node)
        if isinstance(node, ast.Compare):
            if node.op in ("in", "not in"):
                return self.membership(node)
            return self.compare(node.op, node.left, node.right, node)
        if isinstance(node, ast.Between):
            low = self.compare(">=", node.value, node.low, node)
            high = self.compare("<=", node.value, node.high, node)
            return self.kleene("and", low, high)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail("unsupported expression", node)  # pragma: no cover

    def need(self, code: Code, kind: str, node: ast.Node, what: str) -> None:
        if code.ty.kind != kind and code.ty.kind != "any":
            raise self.fail(f"{what} needs a {kind}, but {unparse(node)} is "
                            f"{code.ty.describe()}", node)

    def kleene(self, op: str, a: Code, b: Code) -> Code:
        if not a.nullable and not b.nullable:
            return Code(f"({a.text} {op} {b.text})", BOOL)
        ta, tb = self.tmp(), self.tmp()
        decisive, other = ("False", "True") if op == "and" else ("True", "False")
        return Code(
            f"({decisive} if ({ta} := {a.text}) is {decisive} or ({tb} := {b.text}) is "
            f"{decisive} else (None if {ta} is None or {tb} is None else {other}))", BOOL, True)

    def logic(self, node: ast.Binary) -> Code:
        a, b = self.emit(node.left), self.emit(node.right)
        self.need(a, "bool", node.left, f"'{node.op}'")
        self.need(b, "bool", node.right, f"'{node.op}'")
        return self.kleene(node.op, a, b)

    def arith(self, node: ast.Binary) -> Code:
        a, b = self.emit(node.left), self.emit(node.right)
        ka, kb = a.ty.kind, b.ty.kind
        if ka not in _NUMERIC | {"any"} or kb not in _NUMERIC | {"any"}:
            bad = node.left if ka not in _NUMERIC else node.right
            hint = ""
            if ka in ("date", "datetime") or kb in ("date", "datetime"):
                hint = " (use add_days(date, n) or days_between(a, b) for dates)"
            raise self.fail(f"'{node.op}' needs numbers or money, but {unparse(bad)} is "
                            f"{(a if bad is node.left else b).ty.describe()}{hint}", node)
        op = node.op
        ty = NUMBER
        if op in ("+", "-"):
            if ka == "money" and kb == "money" and a.ty.currency != b.ty.currency:
                raise self.fail(f"cannot {'add' if op == '+' else 'subtract'} "
                                f"{a.ty.currency} and {b.ty.currency}", node)
            ty = a.ty if ka == "money" else b.ty
        elif op == "*":
            if ka == "money" and kb == "money":
                raise self.fail("cannot multiply money by money", node)
            ty = a.ty if ka == "money" else (b.ty if kb == "money" else NUMBER)
        else:
            if kb == "money" and ka != "money":
                raise self.fail("cannot divide a number by money", node)
            ty = NUMBER if (ka == "money") == (kb == "money") else a.ty
        method = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}[op]
        return self.guard([a, b], lambda x: f"CTX.{method}({x[0]}, {x[1]})", ty)

    def resolve_symbols(self, scale_code: Code, other: ast.Node) -> Code:
        """Compile ``other`` where an enum/ordinal value of ``scale_code``'s fact is expected."""
        scale = scale_code.ty.scale
        assert scale is not None
        kind = scale_code.ty.kind
        if isinstance(other, (ast.Name, ast.StrLit)):
            symbol = other.id if isinstance(other, ast.Name) else other.value
            declared = isinstance(other, ast.Name) and symbol in self.declared_names()
            if not declared:
                return Code(self.const(self.scale_value(scale, kind, symbol, other)),
                            scale_code.ty, const=True)
        code = self.emit(other)
        if code.ty.kind != kind or code.ty.scale is None or (
            code.ty.scale.values != scale.values
        ):
            raise self.fail(f"cannot compare {scale_code.ty.describe()} with "
                            f"{code.ty.describe()}", other)
        return code

    def scale_value(self, scale: FactType, kind: str, symbol: str, node: ast.Node) -> Any:
        if symbol not in scale.values:
            close = suggest(symbol, scale.values)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise self.fail(f"'{symbol}' is not a value of {kind} fact '{scale.name}' "
                            f"({', '.join(scale.values)}){hint}", node, "PR308", close)
        return scale.values.index(symbol) if kind == "ordinal" else symbol

    def declared_names(self) -> set[str]:
        m = self.model
        return {*m.facts, *m.params, *m.lists, *m.decisions, "as_of", "today"}

    def compare(self, op: str, left: ast.Node, right: ast.Node, node: ast.Node) -> Code:
        a = self._emit(left)
        if a.ty.kind == "symbol":
            b = self._emit(right)
            if b.ty.kind in ("enum", "ordinal"):
                a = self.resolve_symbols(b, left)
            else:
                assert isinstance(left, ast.Name)
                if b.ty.kind == "symbol" and isinstance(right, ast.Name):
                    # two bare names: the misspelt fact is the one close to a declared name
                    left_err, right_err = self.unknown_name(left), self.unknown_name(right)
                    if right_err.suggestion and not left_err.suggestion:
                        raise right_err
                    raise left_err
                raise self.unknown_name(left)
        elif a.ty.kind in ("enum", "ordinal"):
            b = self.resolve_symbols(a, right)
        else:
            b = self.emit(right)
        ka, kb = a.ty.kind, b.ty.kind
        ordered = op in ("<", "<=", ">", ">=")
        ok = (
            (ka in _NUMERIC and kb in _NUMERIC)
            or (ka == kb and ka in ("date", "datetime", "string", "ordinal"))
            or (ka == kb == "enum" and not ordered)
            or (ka == kb == "bool" and not ordered)
            or "any" in (ka, kb)
        )
        if ka == kb == "string" and ordered:
            ok = False
        if not ok:
            hint = ""
            if {ka, kb} == {"date", "datetime"}:
                hint = " (use date(x) to compare a date-time with a date)"
            elif ka == "enum" and ordered:
                hint = " (an enum has no order; declare the fact as an ordinal)"
            raise self.fail(f"cannot compare {a.ty.describe()} with {b.ty.describe()} "
                            f"using '{op}'{hint}", node)
        if ka == kb == "money" and a.ty.currency != b.ty.currency:
            raise self.fail(f"cannot compare {a.ty.currency} with {b.ty.currency}", node)
        return self.guard([a, b], lambda x: f"{x[0]} {op} {x[1]}", BOOL)

    def membership(self, node: ast.Compare) -> Code:
        a = self.emit(node.left)
        right = node.right
        if a.ty.kind in ("enum", "ordinal") and isinstance(right, ast.ListLit):
            values = frozenset(
                self.ns[self.resolve_symbols(a, item).text] for item in right.items)
            b = Code(self.const(values), Ty("list", item=a.ty), const=True)
        else:
            b = self.emit(right)
            if b.ty.kind == "list" and b.ty.item is not None and b.ty.item.kind == "symbol":
                assert isinstance(right, ast.ListLit)
                bare = next(i for i in right.items if isinstance(i, ast.Name)
                            and i.id not in self.declared_names())
                assert isinstance(bare, ast.Name)
                raise self.fail(f"unknown name '{bare.id}' (bare names in a list are enum "
                                f"values; {unparse(node.left)} is {a.ty.describe()}: quote "
                                "strings)", bare, "PR301")
            if b.ty.kind != "list":
                hint = " (use contains(text, word) for text)" if b.ty.kind == "string" else ""
                raise self.fail(f"'{node.op}' needs a list on the right, but {unparse(right)} "
                                f"is {b.ty.describe()}{hint}", right)
            item = b.ty.item
            if item is not None and item.kind not in ("any", "symbol") and not (
                item.kind == a.ty.kind or (item.kind in _NUMERIC and a.ty.kind in _NUMERIC)
                or (item.kind == "string" and a.ty.kind == "enum")
            ):
                raise self.fail(f"cannot look for {a.ty.describe()} in a "
                                f"{b.ty.describe()}", node)
            if b.const and b.text in self.ns:
                b = Code(self.const(frozenset(self.ns[b.text])), b.ty, const=True)
        op = node.op
        return self.guard([a, b], lambda x: f"{x[0]} {op} {x[1]}", BOOL)

    def call(self, node: ast.Call) -> Code:
        f = node.func
        if f == "present":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name) or (
                node.args[0].id not in self.model.facts
            ):
                raise self.fail("present() takes one fact name", node)
            var = self.emit(node.args[0])
            return Code(f"({var.text} is not None)", BOOL)
        spec = _FUNCTIONS.get(f)
        if spec is None:
            close = suggest(f, [*_FUNCTIONS, "present"])
            hint = f" (did you mean '{close}'?)" if close else ""
            raise self.fail(f"unknown function '{f}'{hint}", node, "PR302", close)
        arity, check = spec
        if arity >= 0 and len(node.args) != arity:
            raise self.fail(f"{f}() takes {arity} argument{'s' * (arity != 1)}, "
                            f"got {len(node.args)}", node)
        if arity < 0 and len(node.args) < -arity:
            raise self.fail(f"{f}() takes at least {-arity} arguments", node)
        args = [self.emit(a) for a in node.args]
        return check(self, node, args)

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
        if expr is None:
            raise _Skip
        self.node_facts = set()
        self.expr_ctx = expr
        try:
            code = self.emit(expr.node)
            if want and code.ty.kind != want and code.ty.kind != "any":
                raise _CompileError(f"this must be a condition (true/false), but "
                                    f"'{expr.text}' is {code.ty.describe()}", "PR401", 0)
        except _CompileError as e:
            # report it and go on, so that one run lists every broken expression
            self.rc.report(self.rc.located(e, expr))
            raise _Skip from None
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
            try:
                when, when_facts = self.emit_expr(rule.applies_when)
            except _Skip:
                self.broken = True
        if rule.kind == "check":
            try:
                code, facts = self.emit_expr(rule.check)
            except _Skip:
                self.broken = True
                code, facts = Code("None", BOOL, True), ()
            if self.leaf_codes is not None:
                self.leaf_codes.append(code.text)
            if self.replay is None and not self.broken and rule.check is not None:
                info.update(
                    facts=tuple(sorted({*facts, *when_facts})), expression=rule.check.text,
                    expected=_expected_text(rule.check.node, self.model),
                    **(self.gap_info(rule.check, code) or self.found_info(rule.check)))
            value_text = code.text
        elif rule.kind == "tier":
            tier_vars = getattr(self, "tier_vars", {})
            if rule.decision not in tier_vars:
                self.rc.report(self.rc.doc.error(
                    f"'{rule.decision}' is not a lower tier of this decision (a tier can "
                    f"require only the tiers listed before it: {', '.join(tier_vars) or 'none'})",
                    "PR303", (*rule.path, "tier")))
                self.broken = True
                self.lines.append(f"    {var} = None")
                return index, var
            info.update(decision=None, facts=when_facts)
            value_text = tier_vars[str(rule.decision)]
        elif rule.kind == "decision":
            assert rule.decision is not None
            if rule.decision not in self.model.decisions:
                close = suggest(rule.decision, self.model.decisions)
                self.rc.report(self.rc.doc.error(
                    f"unknown decision '{rule.decision}'"
                    + (f" (did you mean '{close}'?)" if close else ""),
                    "PR303", (*rule.path, "decision"), suggestion=close))
                self.broken = True
                self.lines.append(f"    {var} = None")
                return index, var
            sub = self.rc.compile_decision(rule.decision, via=self.decision.id,
                                           path=(*rule.path, "decision"))
            if sub.kind != "passfail":
                raise self.rc.doc.error(
                    f"'{rule.decision}' computes a value; a rule can only require a pass/fail "
                    "decision (use it in a check expression instead)", "PR401",
                    (*rule.path, "decision"))
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
                if ty.kind not in _NUMERIC:
                    raise self.rc.doc.error("'round' applies to numbers and money only", "PR401",
                                            (*d.path, "round"))
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
        self.tier_vars: dict[str, str] = {}
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
        self.lint_tiers(spec)
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
        self.analyse_table(spec)
        values = [_literal_ty(r.then) for r in spec.rows]
        if spec.hit_policy == "collect":
            return Ty("list", item=values[0] if values else ANY)
        kinds = {t.kind for t in values}
        return values[0] if len(kinds) == 1 else ANY

    def analyse_table(self, spec: ValueSpec) -> None:
        """Static checks when every input is an enum, ordinal or boolean: overlapping rows
        under `unique` (PR311, an error) and input combinations no row covers (PR702)."""
        domains: list[tuple[Any, ...]] = []
        for inp in spec.inputs:
            code = self._emit(inp.node)
            ty = code.ty
            if ty.kind in ("enum", "ordinal") and ty.scale is not None:
                domains.append(tuple(ty.scale.values))
            elif ty.kind == "bool":
                domains.append((True, False))
            else:
                return
        row_sets: list[list[set[Any]]] = []
        for row in spec.rows:
            sets = []
            for cell, domain in zip(row.cells, domains, strict=False):
                values = _cell_values(cell, domain)
                if values is None:
                    return
                sets.append(values)
            row_sets.append(sets)
        rows = spec.rows
        if spec.hit_policy == "unique":
            for a in range(len(rows)):
                for b in range(a + 1, len(rows)):
                    if all(x & y for x, y in zip(row_sets[a], row_sets[b], strict=True)):
                        example = [sorted(x & y, key=str)[0] for x, y in
                                   zip(row_sets[a], row_sets[b], strict=True)]
                        self.rc.report(self.rc.doc.error(
                            f"rows '{rows[a].id}' and '{rows[b].id}' both match "
                            f"{_combo(spec, example)}: a 'unique' table needs rows that do not "
                            "overlap (or use hit_policy: first)", "PR311",
                            (*rows[b].path, "when")))
        if spec.default is None and spec.hit_policy != "collect":
            import itertools

            total = 1
            for d in domains:
                total *= len(d)
            if total > 20_000:
                return
            gaps = [combo for combo in itertools.product(*domains)
                    if not any(all(v in s for v, s in zip(combo, sets, strict=True))
                               for sets in row_sets)]
            if gaps:
                shown = "; ".join(_combo(spec, list(g)) for g in gaps[:5])
                more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
                self.rc.lints.append(self.rc.doc.error(
                    f"no row covers {shown}{more}: such input fails with 'no row matches' "
                    "(add a row or a default)", "PR702", (*spec.path, "rows")))

    def split(self, spec: ValueSpec, index: int, var: str) -> Ty:
        """Parts of an amount by percentages; the last takes the remainder, so they always
        add up exactly to the amount."""
        amount, facts = self.emit_expr(spec.compute, want=None)
        if amount.ty.kind not in _NUMERIC:
            raise self.rc.doc.error("split needs an amount (a number or money)", "PR401",
                                    (*spec.path, "split", "amount"))
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

    def lint_tiers(self, spec: ValueSpec) -> None:
        """PR701: a higher tier asking less than a lower one on the same comparison."""
        asks: list[dict[tuple[str, str], Any]] = []
        for tier in spec.tiers:
            found: dict[tuple[str, str], Any] = {}
            for leaf in _leaves(tier):
                node = leaf.check.node if leaf.check is not None else None
                if isinstance(node, ast.Compare) and node.op in (">=", ">", "<=", "<"):
                    value = self.constant_value(node.right)
                    if value is not None:
                        found[(unparse(node.left), node.op)] = (value, leaf)
            asks.append(found)
        for hi in range(1, len(spec.tiers)):
            for lo in range(hi):
                for key, (value, leaf) in asks[hi].items():
                    if key not in asks[lo]:
                        continue
                    lower = asks[lo][key][0]
                    weaker = value < lower if key[1] in (">=", ">") else value > lower
                    if weaker:
                        self.rc.lints.append(self.rc.doc.error(
                            f"tier '{spec.tiers[hi].id}' asks {key[0]} {key[1]} {value}, less "
                            f"than the lower tier '{spec.tiers[lo].id}' ({key[1]} {lower}): a "
                            "higher tier should not be easier to reach", "PR701",
                            (*leaf.path, "check")))

    def constant_value(self, node: ast.Node) -> Any:
        """The value of a literal or parameter (in force), else None."""
        if isinstance(node, ast.NumLit):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.model.params:
            return self.model.params[node.id].value
        return None

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
                try:
                    table[self.scale_value(kt.scale, kt.kind, str(k), spec.key.node)] = _freeze(v)
                except _CompileError as e:
                    raise self.rc.doc.error(e.message, e.code, (*spec.path, "lookup", "table", k),
                                            at_key=True, suggestion=e.suggestion) from None
            elif kt.kind == "bool":
                if str(k) not in ("true", "false"):
                    raise self.rc.doc.error(f"'{k}' is not true or false", "PR308",
                                            (*spec.path, "lookup", "table", k), at_key=True)
                table[str(k) == "true"] = _freeze(v)
            else:
                table[str(k)] = _freeze(v)
        if spec.default is None and kt.kind in ("enum", "ordinal", "bool") and kt.scale is not None:
            scale = kt.scale.values
            if kt.kind == "enum":
                gaps = [k for k in scale if k not in table]
            else:
                gaps = [scale[n] for n in range(len(scale)) if n not in table]
            if gaps:
                raise self.rc.doc.error(
                    f"lookup table has no row for {', '.join(map(str, gaps))} and no default",
                    "PR308", (*spec.path, "lookup", "table"))
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
            if self.broken:
                raise _Skip
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
            self.check_output(out_ty)
            if d.rounding is not None and d.value is not None and d.value.kind != "compute":
                # `round:` applies to whatever the decision computes (cases, lookups...);
                # a plain compute rounds inside its own node, so its trace shows both values
                places, mode = self.const(d.rounding.places), self.const(d.rounding.mode)
                self.lines.append(
                    f"    if {var}.__class__ in (int, _Decimal): "
                    f"{var} = _round({var}, {places}, {mode})")
            if d.type == "money" or out_ty.kind == "money":
                self.check_money_rounding()
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
            has_warnings=has_warnings, failed_ids=failed_ids)

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

    def check_money_rounding(self) -> None:
        """Money is never rounded implicitly: a money value computed with * or / (which can
        produce fractions of a cent) must say how it is rounded."""
        d = self.decision
        spec = d.value
        if d.rounding is not None or spec is None:
            return
        computes = [spec.compute] if spec.compute is not None else []
        computes += [c.value.compute for c in spec.cases if c.value.compute is not None]
        if spec.default is not None and spec.default.compute is not None:
            computes.append(spec.default.compute)
        def may_split_cents(n: ast.Node) -> bool:
            if not isinstance(n, ast.Binary) or n.op not in ("*", "/"):
                return False
            whole = [s for s in (n.left, n.right)
                     if isinstance(s, ast.NumLit) and isinstance(s.value, int)]
            return n.op == "/" or not whole  # money × 2 stays in whole cents

        if any(may_split_cents(n) for expr in computes for n in _walk(expr.node)):
            raise self.rc.doc.error(
                f"decision '{d.id}' computes money with '*' or '/', which can give fractions "
                "of a cent: declare how to round it, e.g. round: {places: 2, mode: half_up}",
                "PR401", (*d.path, "compute"))

    def check_output(self, ty: Ty) -> None:
        d = self.decision
        if d.type is None or ty.kind == "any":
            return
        want = {"boolean": "bool", "integer": "number", "percent": "number"}.get(d.type, d.type)
        if want == "money" and ty.kind == "number":
            return  # a bare number can be declared money (its currency comes from `currency`)
        if ty.kind != want:
            raise self.rc.doc.error(f"decision '{d.id}' declares type {d.type} but computes "
                                    f"{ty.describe()}", "PR401", (*d.path, "type"))

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


def _cell_values(cell: ast.Node | None, domain: tuple[Any, ...]) -> set[Any] | None:
    """The domain values a table cell accepts, or None when that is not known statically."""
    if cell is None:
        return set(domain)
    if not isinstance(cell, ast.Compare):
        return None
    right = cell.right
    if cell.op == "in" and isinstance(right, ast.ListLit):
        vals = [_literal_of(i) for i in right.items]
        return None if any(v is _UNKNOWN for v in vals) else set(vals) & set(domain)
    value = _literal_of(right)
    if value is _UNKNOWN or value not in domain:
        return None if value is _UNKNOWN else set()
    if cell.op == "==":
        return {value}
    if cell.op == "!=":
        return set(domain) - {value}
    if isinstance(value, bool):
        return None
    pos = domain.index(value)  # ordinals: by position on the scale
    ops = {"<": lambda i: i < pos, "<=": lambda i: i <= pos, ">": lambda i: i > pos,
           ">=": lambda i: i >= pos}
    return {d for i, d in enumerate(domain) if ops[cell.op](i)}


_UNKNOWN = object()


def _literal_of(node: ast.Node) -> Any:
    if isinstance(node, (ast.StrLit, ast.BoolLit)):
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    return _UNKNOWN


def _combo(spec: ValueSpec, values: list[Any]) -> str:
    return ", ".join(f"{i.text} = {display_value(v)}" for i, v in zip(spec.inputs, values,
                                                                      strict=True))


def _can_be_na(rule: Rule) -> bool:
    """Whether a rule can contribute "not applicable" to its parent: conditional and
    warning rules, and a `not` over such a rule (all/any groups always decide)."""
    if rule.applies_when is not None or rule.severity != "error":
        return True
    return rule.kind == "not" and _can_be_na(rule.children[0])


def _leaves(rule: Rule) -> list[Rule]:
    if rule.kind == "check":
        return [rule]
    return [leaf for child in rule.children for leaf in _leaves(child)]


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


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def _literal_ty(value: Any) -> Ty:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, Decimal)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, (list, tuple)):
        return Ty("list", item=_literal_ty(value[0]) if value else ANY)
    if isinstance(value, (dict, MappingProxyType)):
        return Ty("mapping")
    return ANY


# -- function signatures ---------------------------------------------------------------


def _sig(*kinds: str, result: Ty | str = "same", template: str) -> Callable[..., Code]:
    def check(gen: _DecisionGen, node: ast.Call, args: list[Code]) -> Code:
        for i, (arg, want) in enumerate(zip(args, kinds, strict=False)):
            allowed = want.split("|")
            if arg.ty.kind not in allowed and arg.ty.kind != "any":
                raise gen.fail(f"{node.func}() argument {i + 1} must be "
                               f"{' or '.join(allowed)}, but {unparse(node.args[i])} is "
                               f"{arg.ty.describe()}", node.args[i])
        ty = args[0].ty if result == "same" else result
        assert isinstance(ty, Ty)
        if node.func in ("add_working_days", "is_working_day"):
            return gen.guard(args, lambda a: template.format(*a), ty)
        if node.func == "date" and args[0].ty.kind == "date":
            return args[0]
        return gen.guard(args, lambda a: template.format(*a), ty)
    return check


def _minmax(name: str) -> Callable[..., Code]:
    def check(gen: _DecisionGen, node: ast.Call, args: list[Code]) -> Code:
        kinds = {a.ty.kind for a in args}
        if not (kinds <= _NUMERIC | {"any"} or (len(kinds) == 1 and kinds <= {"date", "datetime"})):
            raise gen.fail(f"{name}() needs numbers, money or dates of one kind", node)
        return gen.guard(args, lambda a: f"{name}({', '.join(a)})", args[0].ty)
    return check


def _round_check(gen: _DecisionGen, node: ast.Call, args: list[Code]) -> Code:
    if args[0].ty.kind not in _NUMERIC:
        raise gen.fail(f"{node.func}() rounds numbers or money", node.args[0])
    places = node.args[1]
    if not isinstance(places, ast.NumLit) or not isinstance(places.value, int):
        raise gen.fail(f"{node.func}() needs a whole number of places, written as a number",
                       places)
    n = places.value
    mode = gen.const(node.func.removeprefix("round_"))
    return gen.guard([args[0]], lambda a: f"_round({a[0]}, {n}, {mode})", args[0].ty)



def _contains(gen: _DecisionGen, node: ast.Call, args: list[Code]) -> Code:
    if args[0].ty.kind == "list":
        return gen.guard(args, lambda a: f"{a[1]} in {a[0]}", BOOL)
    if args[0].ty.kind != "string" or args[1].ty.kind != "string":
        raise gen.fail("contains() takes a text and a word, or a list and an item", node)
    return gen.guard(args, lambda a: f"{a[1]} in {a[0]}", BOOL)


_FUNCTIONS: dict[str, tuple[int, Callable[..., Code]]] = {
    "contains_any": (2, _sig("string", "list", result=BOOL, template="_contains_any({0}, {1})")),
    "contains": (2, _contains),
    "missing_from": (2, _sig("list", "list", result="same", template="_missing_from({0}, {1})")),
    "len": (1, _sig("list|string", result=NUMBER, template="len({0})")),
    "date": (1, _sig("datetime|date", result=DATE, template="{0}.astimezone(TZ).date()")),
    "add_days": (2, _sig("date", "number", result=DATE, template="_add_days({0}, {1})")),
    "days_between": (2, _sig("date", "date", result=NUMBER, template="_days_between({0}, {1})")),
    "add_working_days": (2, _sig("date", "number", result=DATE,
                                 template="CAL.add_working_days({0}, _whole({1}, "
                                          "'add_working_days'))")),
    "is_working_day": (1, _sig("date", result=BOOL, template="CAL.is_working_day({0})")),
    "years_between": (2, _sig("date", "date", result=NUMBER,
                              template="_years_between({0}, {1})")),
    "quarter_start": (1, _sig("date", result=DATE, template="_quarter_start({0})")),
    "quarter_end": (1, _sig("date", result=DATE, template="_quarter_end({0})")),
    "add_months": (2, _sig("date", "number", result=DATE,
                           template="_add_months({0}, _whole({1}, 'add_months'))")),
    "round_half_up": (2, _round_check),
    "round_half_even": (2, _round_check),
    "round_down": (2, _round_check),
    "round_up": (2, _round_check),
    "includes_all": (2, _sig("list", "list", result=BOOL, template="_includes_all({0}, {1})")),
    "abs": (1, _sig("number|money", result="same", template="abs({0})")),
    "min": (-2, _minmax("min")),
    "max": (-2, _minmax("max")),
}


# -- the ruleset -----------------------------------------------------------------------


class _RulesetCompiler:
    def __init__(self, model: RulesetModel, doc: Document) -> None:
        self.model = model
        self.doc = doc
        self.compiled: dict[str, CompiledDecision] = {}
        self.in_progress: list[str] = []
        self.errors: list[RulesetError] = []
        self.lints: list[RulesetError] = []  # warnings: the ruleset loads, check reports them

    def report(self, error: RulesetError) -> None:
        if not any(x.format() == error.format() for x in self.errors):
            self.errors.append(error)

    def located(self, e: _CompileError, expr: Expr) -> RulesetError:
        offset = expression_offset(self.doc, expr.path, expr.text, e.pos)
        message = f"{e.message} in '{expr.text}'" if len(expr.text) <= 80 else e.message
        return self.doc.error(message, e.code, expr.path, offset=offset,
                              suggestion=e.suggestion)

    def exec_function(self, src: str, ns: dict[str, Any], name: str) -> Callable[..., Any]:
        # The source is generated from the checked AST: identifiers are our own variable
        # names and every value is a namespace constant, so no ruleset text is executed.
        code = compile(src, f"<promorules {self.model.id}>", "exec")
        local: dict[str, Any] = {}
        exec(code, ns, local)
        fn: Callable[..., Any] = local[name]
        return fn

    def compile_decision(self, did: str, via: str | None = None,
                         path: tuple[str | int, ...] | None = None) -> CompiledDecision:
        if did in self.compiled:
            return self.compiled[did]
        if did in self.in_progress:
            cycle = [*self.in_progress[self.in_progress.index(did):], did]
            raise self.doc.error("decisions refer to each other in a cycle: "
                                 + " -> ".join(cycle), "PR305",
                                 path or ("decisions", did))
        self.in_progress.append(did)
        try:
            compiled = _DecisionGen(self, self.model.decisions[did]).generate()
        finally:
            self.in_progress.pop()
        self.compiled[did] = compiled
        return compiled

    def compile_all(self) -> dict[str, CompiledDecision]:
        for did in self.model.decisions:
            try:
                self.compile_decision(did)
            except _Skip:
                continue
            except RulesetError as e:
                self.report(e)
        return {did: c for did, c in self.compiled.items()}


def compile_ruleset(model: RulesetModel, doc: Document
                    ) -> tuple[dict[str, CompiledDecision], list[RulesetError],
                               list[RulesetError]]:
    """Compile every decision; returns them, every problem found, and lint warnings."""
    rc = _RulesetCompiler(model, doc)
    compiled = rc.compile_all()
    return ({did: compiled[did] for did in model.decisions if did in compiled}, rc.errors,
            rc.lints)
