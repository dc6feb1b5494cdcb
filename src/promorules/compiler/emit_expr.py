"""Pipeline stage 4b (code generation), expressions: Python expression text for the
condition language, in three-valued logic (``None`` is unknown).

The checking stage has already accepted every expression (see :mod:`.check_expr`); a
problem found here is a promorules bug, reported as an internal error (PR900).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..errors import PromorulesError
from ..expressions import ast
from ..expressions.ast import unparse
from ..facts import FactType, suggest
from ..ir import ANY, BOOL, DATE, DATETIME, NUMBER, STRING, Ty, fact_ty
from ..model import Decision, RulesetModel
from .check_expr import NUMERIC as _NUMERIC

__all__ = ["FUNCTIONS", "Code", "ExprEmitter"]


@attrs.frozen
class Code:
    """Generated Python expression text, its type, and whether it may be unknown (None)."""

    text: str
    ty: Ty
    nullable: bool = False
    const: bool = False  # a constant: no fact, param-free literal



_SIMPLE = re.compile(r"[fdv]\d+|as_of|_today")


def _internal(message: str) -> PromorulesError:
    return PromorulesError(f"internal error: the checker accepted what the generator cannot "
                           f"compile: {message}", code="PR900")


class ExprEmitter:
    """Emits the expressions of one decision (the base of the decision generator)."""

    model: RulesetModel
    decision: Decision
    ns: dict[str, Any]
    fact_index: dict[str, int]
    sub_index: dict[str, int]
    temp: int
    uses_time: bool
    uses_today: bool
    node_facts: set[str]
    present: bool
    canon_vars: dict[str, str]

    def sub_kind(self, did: str) -> tuple[str, Ty | None]:
        """(kind, output type) of a decision this one uses, compiling it first."""
        raise NotImplementedError

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
             suggestion: str | None = None) -> PromorulesError:
        return _internal(message)

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
            kind, output = self.sub_kind(n)
            j = self.sub_var(n)
            if kind == "passfail":
                return Code(f"d{j}", BOOL, nullable=True)
            return Code(f"v{j}", output or ANY, nullable=True)
        if n == "as_of":
            self.uses_time = True
            return Code("as_of", DATETIME)
        if n == "today":
            self.uses_time = self.uses_today = True
            return Code("_today", DATE)
        return Code("", Ty("symbol", symbol=n))

    def unknown_name(self, node: ast.Name) -> PromorulesError:
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
        spec = FUNCTIONS.get(f)
        if spec is None:
            close = suggest(f, [*FUNCTIONS, "present"])
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



# -- function signatures ---------------------------------------------------------------


def _sig(*kinds: str, result: Ty | str = "same", template: str) -> Callable[..., Code]:
    def check(gen: ExprEmitter, node: ast.Call, args: list[Code]) -> Code:
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
    def check(gen: ExprEmitter, node: ast.Call, args: list[Code]) -> Code:
        kinds = {a.ty.kind for a in args}
        if not (kinds <= _NUMERIC | {"any"} or (len(kinds) == 1 and kinds <= {"date", "datetime"})):
            raise gen.fail(f"{name}() needs numbers, money or dates of one kind", node)
        return gen.guard(args, lambda a: f"{name}({', '.join(a)})", args[0].ty)
    return check


def _round_check(gen: ExprEmitter, node: ast.Call, args: list[Code]) -> Code:
    if args[0].ty.kind not in _NUMERIC:
        raise gen.fail(f"{node.func}() rounds numbers or money", node.args[0])
    places = node.args[1]
    if not isinstance(places, ast.NumLit) or not isinstance(places.value, int):
        raise gen.fail(f"{node.func}() needs a whole number of places, written as a number",
                       places)
    n = places.value
    mode = gen.const(node.func.removeprefix("round_"))
    return gen.guard([args[0]], lambda a: f"_round({a[0]}, {n}, {mode})", args[0].ty)



def _contains(gen: ExprEmitter, node: ast.Call, args: list[Code]) -> Code:
    if args[0].ty.kind == "list":
        return gen.guard(args, lambda a: f"{a[1]} in {a[0]}", BOOL)
    if args[0].ty.kind != "string" or args[1].ty.kind != "string":
        raise gen.fail("contains() takes a text and a word, or a list and an item", node)
    return gen.guard(args, lambda a: f"{a[1]} in {a[0]}", BOOL)


FUNCTIONS: dict[str, tuple[int, Callable[..., Code]]] = {
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


