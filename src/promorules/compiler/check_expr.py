"""Pipeline stage 4a (checking), expressions: syntax tree -> typed IR expression.

Type checking and name resolution of the condition language: every name is resolved (fact,
parameter, list, decision, ``as_of``/``today``, or an enum/ordinal symbol in its context),
every operator and function call is checked, and every problem becomes a located
diagnostic (PR301, PR302, PR305, PR308, PR401) with a "did you mean" suggestion.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .. import ir
from ..expressions import ast
from ..expressions.ast import unparse
from ..facts import FactType, suggest
from ..ir import ANY, BOOL, DATE, DATETIME, NUMBER, STRING, Ty, fact_ty
from ..model import RulesetModel
from .runtime import DECIMAL_CONTEXT

__all__ = ["FUNCTIONS", "NUMERIC", "CheckError", "ExprChecker"]

NUMERIC = ir.NUMERIC_TY
_TEXT = frozenset({"string", "enum"})  # what `+` and concat() join
_LITERALS = (ast.NumLit, ast.StrLit, ast.BoolLit, ast.DateLit, ast.DateTimeLit)


class CheckError(Exception):
    """A problem in one expression, at character ``pos`` of its text."""

    def __init__(self, message: str, code: str, pos: int, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.pos, self.suggestion = message, code, pos, suggestion


def fail(message: str, node: Any, code: str = "PR401",
         suggestion: str | None = None) -> CheckError:
    return CheckError(message, code, node.pos, suggestion)


class ExprChecker:
    """Types the expressions of one decision. ``decision_ty(name)`` checks another decision
    (recursively, for cycles) and returns (is pass/fail, its value type)."""

    def __init__(self, model: RulesetModel, decision: str,
                 decision_ty: Callable[[str], tuple[bool, Ty | None]]) -> None:
        self.model = model
        self.decision = decision
        self.decision_ty = decision_ty
        self.declared = {*model.facts, *model.params, *model.lists, *model.decisions,
                         "as_of", "today"}
        self.facts: set[str] = set()  # facts read by the expression being checked
        self.uses: dict[str, None] = {}  # decisions used, in order
        self.uses_time = False

    def name(self, node: ast.Name) -> ir.Expr | Ty:
        """The reference a name makes, or a symbol type awaiting an enum context."""
        n = node.id
        m = self.model
        if n in m.facts:
            self.facts.add(n)
            f = m.facts[n]
            return ir.FactRef(n, f, fact_ty(f), node.pos)
        if n in m.params:
            p = m.params[n]
            ty = Ty("money", currency=p.type.currency) if p.type.kind == "money" else NUMBER
            return ir.ParamRef(n, p.value, ty, node.pos)
        if n in m.lists:
            items = m.lists[n].items
            item_ty = NUMBER if items and all(
                isinstance(i, (int, Decimal)) and not isinstance(i, bool) for i in items
            ) else STRING
            return ir.ListRef(n, tuple(items), Ty("list", item=item_ty), node.pos,
                              m.lists[n].match)
        if n in m.decisions:
            if n == self.decision:
                raise fail(f"decision '{n}' refers to itself", node, "PR305")
            passfail, out = self.decision_ty(n)
            self.uses.setdefault(n)
            return ir.DecisionValue(n, passfail, BOOL if passfail else (out or ANY), node.pos)
        if n == "as_of":
            self.uses_time = True
            return ir.AsOf(DATETIME, node.pos)
        if n == "today":
            self.uses_time = True
            return ir.Today(DATE, node.pos)
        return Ty("symbol", symbol=n)

    def unknown_name(self, node: ast.Name) -> CheckError:
        close = suggest(node.id, [*self.model.facts, *self.model.params, *self.model.lists,
                                  *self.model.decisions, "as_of", "today"])
        hint = f" (did you mean '{close}'?)" if close else ""
        return fail(f"unknown name '{node.id}'{hint}", node, "PR301", close)

    def check(self, node: ast.Node) -> ir.Expr:
        """Type-check an expression node."""
        out = self._check(node)
        if isinstance(out, Ty):
            assert isinstance(node, ast.Name)
            raise self.unknown_name(node)
        return out

    def _check(self, node: ast.Node) -> ir.Expr | Ty:
        if isinstance(node, ast.NumLit):
            return ir.Const(node.value, NUMBER, node.pos)
        if isinstance(node, ast.StrLit):
            return ir.Const(node.value, STRING, node.pos)
        if isinstance(node, ast.BoolLit):
            return ir.Const(node.value, BOOL, node.pos)
        if isinstance(node, ast.DateLit):
            return ir.Const(node.value, DATE, node.pos)
        if isinstance(node, ast.DateTimeLit):
            value = node.value if node.value.tzinfo else node.value.replace(
                tzinfo=self.model.timezone)
            return ir.Const(value, DATETIME, node.pos)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.ListLit):
            if any(isinstance(i, ast.Name) and i.id not in self.declared for i in node.items):
                # enum values: resolved by `in`, an error anywhere else
                return ir.Const((), Ty("list", item=Ty("symbol")), node.pos)
            for i in node.items:
                if not isinstance(i, _LITERALS):
                    raise fail("list literals hold only literal values (numbers, strings, "
                               "dates, or enum values)", i)
            items = [self.check(i) for i in node.items]
            values = tuple(i.value for i in items if isinstance(i, ir.Const))
            item_ty = items[0].ty if items else ANY
            return ir.Const(values, Ty("list", item=item_ty), node.pos)
        if isinstance(node, ast.Unary):
            operand = self.check(node.operand)
            if node.op == "not":
                self.need(operand.ty, "bool", node.operand, "'not'")
                return ir.Unary("not", operand, BOOL, node.pos)
            if operand.ty.kind not in NUMERIC:
                raise fail(f"cannot negate {operand.ty.describe()}", node)
            return ir.Unary(node.op, operand, operand.ty, node.pos)
        if isinstance(node, ast.Binary):
            if node.op in ("and", "or"):
                a, b = self.check(node.left), self.check(node.right)
                self.need(a.ty, "bool", node.left, f"'{node.op}'")
                self.need(b.ty, "bool", node.right, f"'{node.op}'")
                return ir.Logic(node.op, a, b, BOOL, node.pos)
            return self.arith(node)
        if isinstance(node, ast.Compare):
            if node.op in ("in", "not in"):
                return self.membership(node)
            return self.compare(node.op, node.left, node.right, node)
        if isinstance(node, ast.Between):
            low = self.compare(">=", node.value, node.low, node)
            high = self.compare("<=", node.value, node.high, node)
            return ir.Between(low.left, low.right, high.right, BOOL, node.pos)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise fail("unsupported expression", node)  # pragma: no cover

    def need(self, ty: Ty, kind: str, node: ast.Node, what: str) -> None:
        if ty.kind != kind and ty.kind != "any":
            raise fail(f"{what} needs a {kind}, but {unparse(node)} is {ty.describe()}", node)

    def arith(self, node: ast.Binary) -> ir.Arith | ir.Call:
        a, b = self.check(node.left), self.check(node.right)
        ka, kb = a.ty.kind, b.ty.kind
        if node.op == "+" and (ka in _TEXT or kb in _TEXT) and {ka, kb} <= {*_TEXT, "any"}:
            return ir.Call("concat", (a, b), STRING, node.pos)  # text concatenation
        if ka not in NUMERIC | {"any"} or kb not in NUMERIC | {"any"}:
            bad = node.left if ka not in NUMERIC else node.right
            hint = ""
            if ka in ("date", "datetime") or kb in ("date", "datetime"):
                hint = " (use add_days(date, n) or days_between(a, b) for dates)"
            raise fail(f"'{node.op}' needs numbers or money, but {unparse(bad)} is "
                       f"{(a if bad is node.left else b).ty.describe()}{hint}", node)
        op = node.op
        if op in ("+", "-"):
            if ka == "money" and kb == "money" and a.ty.currency != b.ty.currency:
                raise fail(f"cannot {'add' if op == '+' else 'subtract'} "
                           f"{a.ty.currency} and {b.ty.currency}", node)
            ty = a.ty if ka == "money" else b.ty
        elif op == "*":
            if ka == "money" and kb == "money":
                raise fail("cannot multiply money by money", node)
            ty = a.ty if ka == "money" else (b.ty if kb == "money" else NUMBER)
        else:
            if kb == "money" and ka != "money":
                raise fail("cannot divide a number by money", node)
            ty = NUMBER if (ka == "money") == (kb == "money") else a.ty
            if constant_value(b) == 0:  # reported at load, not as PR606 at every evaluation
                raise fail(f"division by zero: {unparse(node.right)} is always 0", node.right)
        return ir.Arith(op, a, b, ty, node.pos)

    def resolve_symbols(self, scale_ty: Ty, other: ast.Node) -> ir.Expr:
        """Check ``other`` where an enum/ordinal value of ``scale_ty``'s fact is expected."""
        scale = scale_ty.scale
        assert scale is not None
        if isinstance(other, (ast.Name, ast.StrLit)):
            symbol = other.id if isinstance(other, ast.Name) else other.value
            if not (isinstance(other, ast.Name) and symbol in self.declared):
                value = scale_value(scale, scale_ty.kind, symbol, other)
                return ir.Const(value, scale_ty, other.pos, text=symbol)
        out = self.check(other)
        if out.ty.kind != scale_ty.kind or out.ty.scale is None or (
            out.ty.scale.values != scale.values
        ):
            raise fail(f"cannot compare {scale_ty.describe()} with {out.ty.describe()}", other)
        return out

    def compare(self, op: str, left: ast.Node, right: ast.Node, node: ast.Node) -> ir.Compare:
        first = self._check(left)
        if isinstance(first, Ty):
            b_or = self._check(right)
            if not isinstance(b_or, Ty) and b_or.ty.kind in ("enum", "ordinal"):
                a, b = self.resolve_symbols(b_or.ty, left), b_or
            else:
                assert isinstance(left, ast.Name)
                if isinstance(b_or, Ty) and isinstance(right, ast.Name):
                    # two bare names: the misspelt fact is the one close to a declared name
                    left_err, right_err = self.unknown_name(left), self.unknown_name(right)
                    if right_err.suggestion and not left_err.suggestion:
                        raise right_err
                    raise left_err
                raise self.unknown_name(left)
        elif first.ty.kind in ("enum", "ordinal"):
            a, b = first, self.resolve_symbols(first.ty, right)
        else:
            a, b = first, self.check(right)
        ka, kb = a.ty.kind, b.ty.kind
        ordered = op in ("<", "<=", ">", ">=")
        ok = (
            (ka in NUMERIC and kb in NUMERIC)
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
            raise fail(f"cannot compare {a.ty.describe()} with {b.ty.describe()} "
                       f"using '{op}'{hint}", node)
        if ka == kb == "money" and a.ty.currency != b.ty.currency:
            raise fail(f"cannot compare {a.ty.currency} with {b.ty.currency}", node)
        return ir.Compare(op, a, b, BOOL, node.pos)

    def membership(self, node: ast.Compare) -> ir.Membership:
        a = self.check(node.left)
        right = node.right
        b: ir.Expr
        if a.ty.kind in ("enum", "ordinal") and isinstance(right, ast.ListLit):
            values: dict[Any, None] = {}
            for item in right.items:
                resolved = self.resolve_symbols(a.ty, item)
                if not isinstance(resolved, ir.Const):
                    raise fail("list literals hold only literal values (numbers, strings, "
                               "dates, or enum values)", item)
                values[resolved.value] = None
            b = ir.Const(tuple(values), Ty("list", item=a.ty), right.pos)
        else:
            checked = self._check(right)
            if isinstance(checked, Ty) or (
                checked.ty.kind == "list" and checked.ty.item is not None
                and checked.ty.item.kind == "symbol"
            ):
                if isinstance(right, ast.ListLit):
                    bare = next(i for i in right.items if isinstance(i, ast.Name)
                                and i.id not in self.declared)
                    assert isinstance(bare, ast.Name)
                    raise fail(f"unknown name '{bare.id}' (bare names in a list are enum "
                               f"values; {unparse(node.left)} is {a.ty.describe()}: quote "
                               "strings)", bare, "PR301")
                assert isinstance(right, ast.Name)
                raise self.unknown_name(right)
            b = checked
            if b.ty.kind != "list":
                hint = " (use contains(text, word) for text)" if b.ty.kind == "string" else ""
                raise fail(f"'{node.op}' needs a list on the right, but {unparse(right)} "
                           f"is {b.ty.describe()}{hint}", right)
            item_ty = b.ty.item
            if item_ty is not None and item_ty.kind not in ("any", "symbol") and not (
                item_ty.kind == a.ty.kind or (item_ty.kind in NUMERIC and a.ty.kind in NUMERIC)
                or (item_ty.kind == "string" and a.ty.kind == "enum")
            ):
                raise fail(f"cannot look for {a.ty.describe()} in a {b.ty.describe()}", node)
        return ir.Membership(node.op, a, b, BOOL, node.pos)

    def call(self, node: ast.Call) -> ir.Expr:
        f = node.func
        if f == "present":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name) or (
                node.args[0].id not in self.model.facts
            ):
                raise fail("present() takes one fact name", node)
            return ir.Call("present", (self.check(node.args[0]),), BOOL, node.pos)
        spec = FUNCTIONS.get(f)
        if spec is None:
            close = suggest(f, [*FUNCTIONS, "present"])
            hint = f" (did you mean '{close}'?)" if close else ""
            raise fail(f"unknown function '{f}'{hint}", node, "PR302", close)
        arity, check = spec
        if arity >= 0 and len(node.args) != arity:
            raise fail(f"{f}() takes {arity} argument{'s' * (arity != 1)}, "
                       f"got {len(node.args)}", node)
        if arity < 0 and len(node.args) < -arity:
            raise fail(f"{f}() takes at least {-arity} arguments", node)
        args = tuple(self.check(a) for a in node.args)
        return ir.Call(f, args, check(node, args), node.pos)


def scale_value(scale: FactType, kind: str, symbol: str, node: Any) -> Any:
    """The value of an enum symbol (itself) or ordinal symbol (its position)."""
    if symbol not in scale.values:
        close = suggest(symbol, scale.values)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise fail(f"'{symbol}' is not a value of {kind} fact '{scale.name}' "
                   f"({', '.join(scale.values)}){hint}", node, "PR308", close)
    return scale.values.index(symbol) if kind == "ordinal" else symbol


# -- function signatures: (node, typed args) -> result type -----------------------------

_Sig = Callable[[ast.Call, tuple[ir.Expr, ...]], Ty]


def _sig(*kinds: str, result: Ty | None = None) -> _Sig:
    def check(node: ast.Call, args: tuple[ir.Expr, ...]) -> Ty:
        for i, (arg, want) in enumerate(zip(args, kinds, strict=False)):
            allowed = want.split("|")
            if arg.ty.kind not in allowed and arg.ty.kind != "any":
                raise fail(f"{node.func}() argument {i + 1} must be "
                           f"{' or '.join(allowed)}, but {unparse(node.args[i])} is "
                           f"{arg.ty.describe()}", node.args[i])
        return args[0].ty if result is None else result
    return check


def _minmax(name: str) -> _Sig:
    def check(node: ast.Call, args: tuple[ir.Expr, ...]) -> Ty:
        kinds = {a.ty.kind for a in args}
        if not (kinds <= NUMERIC | {"any"} or (len(kinds) == 1 and kinds <= {"date", "datetime"})):
            raise fail(f"{name}() needs numbers, money or dates of one kind", node)
        return args[0].ty
    return check


def _round_check(node: ast.Call, args: tuple[ir.Expr, ...]) -> Ty:
    if args[0].ty.kind not in NUMERIC:
        raise fail(f"{node.func}() rounds numbers or money", node.args[0])
    places = node.args[1]
    if not isinstance(places, ast.NumLit) or not isinstance(places.value, int):
        raise fail(f"{node.func}() needs a whole number of places, written as a number", places)
    if not 0 <= places.value <= MAX_PLACES:
        raise fail(f"{node.func}() rounds to 0 to {MAX_PLACES} decimal places, not "
                   f"{places.value}", places)
    return args[0].ty


MAX_PLACES = 12  # decimal places of round_*(): beyond, no amount could be shown exactly


def constant_value(e: ir.Expr) -> int | Decimal | None:
    """The value of an expression made only of number constants and parameters (their
    values in force), computed in promorules' decimal context; None when it reads anything
    else or cannot be computed."""
    if isinstance(e, (ir.Const, ir.ParamRef)):
        v = e.value
        return v if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else None
    if isinstance(e, ir.Unary) and e.op == "-":
        inner = constant_value(e.operand)
        return None if inner is None else -inner
    if isinstance(e, ir.Arith):
        left, right = constant_value(e.left), constant_value(e.right)
        if left is None or right is None:
            return None
        method = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}[e.op]
        try:
            result: Decimal = getattr(DECIMAL_CONTEXT, method)(Decimal(left), Decimal(right))
        except ArithmeticError:
            return None
        return result
    return None


def _contains(node: ast.Call, args: tuple[ir.Expr, ...]) -> Ty:
    if args[0].ty.kind != "list" and (args[0].ty.kind != "string"
                                      or args[1].ty.kind != "string"):
        raise fail("contains() takes a text and a word, or a list and an item", node)
    return BOOL


def _concat(node: ast.Call, args: tuple[ir.Expr, ...]) -> Ty:
    """concat(a, b, ...): text (strings, enum values) joined."""
    for i, arg in enumerate(args):
        if arg.ty.kind not in (*_TEXT, "any"):
            raise fail(f"concat() joins text, but {unparse(node.args[i])} is "
                       f"{arg.ty.describe()}", node.args[i])
    return STRING


# name -> (arity, negative: at least that many; signature check)
FUNCTIONS: dict[str, tuple[int, _Sig]] = {
    "contains_any": (2, _sig("string", "list", result=BOOL)),
    "contains": (2, _contains),
    "missing_from": (2, _sig("list", "list")),
    "len": (1, _sig("list|string", result=NUMBER)),
    "date": (1, _sig("datetime|date", result=DATE)),
    "add_days": (2, _sig("date", "number", result=DATE)),
    "days_between": (2, _sig("date", "date", result=NUMBER)),
    "add_working_days": (2, _sig("date", "number", result=DATE)),
    "is_working_day": (1, _sig("date", result=BOOL)),
    "years_between": (2, _sig("date", "date", result=NUMBER)),
    "quarter_start": (1, _sig("date", result=DATE)),
    "quarter_end": (1, _sig("date", result=DATE)),
    "add_months": (2, _sig("date", "number", result=DATE)),
    "round_half_up": (2, _round_check),
    "round_half_even": (2, _round_check),
    "round_down": (2, _round_check),
    "round_up": (2, _round_check),
    "includes_all": (2, _sig("list", "list", result=BOOL)),
    "abs": (1, _sig("number|money")),
    "concat": (-1, _concat),
    "min": (-2, _minmax("min")),
    "max": (-2, _minmax("max")),
}
