"""The typed IR (pipeline stage 4a): visitors, which every consumer of the IR subclasses."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import ClassVar, Generic, TypeVar

from .expressions import (
    Arith,
    AsOf,
    Between,
    Call,
    Compare,
    Const,
    DecisionValue,
    FactRef,
    ListRef,
    Logic,
    Membership,
    ParamRef,
    Today,
    Unary,
)
from .nodes import (
    All,
    Any,
    Case,
    Cases,
    Check,
    Collect,
    Compute,
    Decision,
    DecisionRef,
    Default,
    Field,
    Fields,
    Item,
    Literal,
    Lookup,
    Not,
    Part,
    Requires,
    Row,
    Split,
    Table,
    Tier,
    TierRef,
    Tiers,
)

__all__ = ["ExprVisitor", "Visitor"]

T = TypeVar("T")


_VISIT = {
    Check: "visit_check", All: "visit_all", Any: "visit_any", Not: "visit_not",
    DecisionRef: "visit_decision_ref", TierRef: "visit_tier_ref", Requires: "visit_requires",
    Literal: "visit_literal", Compute: "visit_compute", Cases: "visit_cases",
    Case: "visit_case", Default: "visit_default", Collect: "visit_collect", Item: "visit_item",
    Lookup: "visit_lookup", Table: "visit_table", Row: "visit_row", Tiers: "visit_tiers",
    Tier: "visit_tier", Fields: "visit_fields", Field: "visit_field", Split: "visit_split",
    Part: "visit_part", Decision: "visit_decision",
}
_VISIT_EXPR = {
    Const: "visit_const", FactRef: "visit_fact", ParamRef: "visit_param",
    ListRef: "visit_list", DecisionValue: "visit_decision_value", AsOf: "visit_as_of",
    Today: "visit_today", Unary: "visit_unary", Arith: "visit_arith", Logic: "visit_logic",
    Compare: "visit_compare", Membership: "visit_membership", Between: "visit_between",
    Call: "visit_call",
}


class _Dispatch(Generic[T]):
    _table: ClassVar[dict[type, str]]

    def visit(self, node: typing.Any) -> T:
        """Call the ``visit_<kind>`` method for ``node``'s class."""
        method: typing.Callable[[typing.Any], T] = getattr(self, self._table[type(node)])
        return method(node)

    def generic_visit(self, node: typing.Any) -> T:
        """Called by every ``visit_<kind>`` a subclass does not define."""
        raise NotImplementedError(f"{type(self).__name__} does not handle "
                                  f"{type(node).__name__}")


def _methods(table: Mapping[type, str]) -> dict[str, typing.Any]:
    def make(name: str) -> typing.Any:
        def method(self: typing.Any, node: typing.Any) -> typing.Any:
            return self.generic_visit(node)
        method.__name__ = name
        return method
    return {name: make(name) for name in table.values()}


class Visitor(_Dispatch[T]):
    """Base of a consumer of rule and value nodes: ``visit(node)`` calls ``visit_check``,
    ``visit_all``, ``visit_any``, ``visit_not``, ``visit_decision_ref``, ``visit_tier_ref``,
    ``visit_requires``, ``visit_literal``, ``visit_compute``, ``visit_cases``,
    ``visit_case``, ``visit_default``, ``visit_collect``, ``visit_item``, ``visit_lookup``,
    ``visit_table``, ``visit_row``, ``visit_tiers``, ``visit_tier``, ``visit_fields``,
    ``visit_field``, ``visit_split``, ``visit_part`` or ``visit_decision``; those not
    overridden call ``generic_visit``, which raises NotImplementedError."""

    _table = _VISIT


class ExprVisitor(_Dispatch[T]):
    """Base of a consumer of typed expressions: ``visit(expr)`` calls ``visit_const``,
    ``visit_fact``, ``visit_param``, ``visit_list``, ``visit_decision_value``,
    ``visit_as_of``, ``visit_today``, ``visit_unary``, ``visit_arith``, ``visit_logic``,
    ``visit_compare``, ``visit_membership``, ``visit_between`` or ``visit_call``."""

    _table = _VISIT_EXPR


for _name, _fn in _methods(_VISIT).items():
    setattr(Visitor, _name, _fn)
for _name, _fn in _methods(_VISIT_EXPR).items():
    setattr(ExprVisitor, _name, _fn)
