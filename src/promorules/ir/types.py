"""The typed IR (pipeline stage 4a): static types and source locations."""

from __future__ import annotations

import attrs

from ..facts import FactType
from .kinds import RoundingMode, TyKind

__all__ = ["ANY", "BOOL", "DATE", "DATETIME", "NUMBER", "STRING", "Rounding", "Span", "Ty",
           "fact_ty"]



@attrs.frozen
class Ty:
    """Static type of an expression or value."""

    kind: str  # a TyKind
    currency: str | None = None
    scale: FactType | None = None  # enum / ordinal: the declaring fact
    item: Ty | None = None  # list items
    symbol: str | None = None  # a bare identifier awaiting an enum/ordinal context

    def describe(self) -> str:
        """The type as messages name it: ``money (CNY)``, ``ordinal 'level'``."""
        if self.kind == "money":
            return f"money ({self.currency})" if self.currency else "money"
        if self.kind in ("enum", "ordinal") and self.scale is not None:
            return f"{self.kind} '{self.scale.name}'"
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item.describe()}"
        if self.kind == "symbol":
            return f"the name '{self.symbol}'"
        return self.kind


BOOL, NUMBER, STRING = Ty(TyKind.BOOL), Ty(TyKind.NUMBER), Ty(TyKind.STRING)
DATE, DATETIME, ANY = Ty(TyKind.DATE), Ty(TyKind.DATETIME), Ty(TyKind.ANY)


def fact_ty(f: FactType) -> Ty:
    """The static type of a declared fact."""
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
class Span:
    """Where a node is written: file, 1-based line and column (None when unknown)."""

    file: str
    line: int | None
    column: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Rounding:
    places: int
    mode: RoundingMode
