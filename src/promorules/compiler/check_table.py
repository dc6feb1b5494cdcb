"""Pipeline stage 4a (checking): a decision table's output columns, the types of its
outputs and value, and its value lists, as the checking stage builds the table's IR.

Literal outputs (rows' and the default's) outside a column's ``values`` are PR321; a
literal of the wrong type for a declared column, PR320; ``aggregate`` over outputs it
cannot combine, PR322. Computed outputs are checked against ``values`` when evaluated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import ir
from ..errors import RulesetError
from ..ir import ANY, BOOL, NUMBER, STRING, Ty
from ..loader import Document
from ..model import TableOutput, ValueSpec

__all__ = ["check_aggregation", "check_literal", "column_ty", "in_values", "output_columns",
           "table_ty"]

_DECLARED = {"boolean": BOOL, "number": NUMBER, "integer": NUMBER, "percent": NUMBER,
             "string": STRING, "date": ir.DATE, "datetime": ir.DATETIME,
             "list": Ty("list"), "mapping": Ty("mapping")}
_NUMBERS = ("number", "integer", "percent", "money")


def _declared_ty(out: TableOutput) -> Ty | None:
    if out.type is None:
        return None
    if out.type == "money":
        return Ty("money", currency=out.currency)
    return _DECLARED.get(out.type, ANY)


def column_ty(out: TableOutput | None, cells: list[ir.Literal | ir.Compute]) -> Ty:
    """A column's type: as declared, else the one type of its cells (else any)."""
    declared = None if out is None else _declared_ty(out)
    if declared is not None:
        return declared
    kinds = {c.ty.kind for c in cells if not (isinstance(c, ir.Literal) and c.value is None)}
    kinds.discard("any")
    tys = [c.ty for c in cells if c.ty.kind in kinds]
    if len(kinds) == 1:
        money = {t.currency for t in tys if t.kind == "money"}
        return tys[0] if len(money) <= 1 else Ty("money")
    return ANY


def output_columns(doc: Document, spec: ValueSpec,
                   cells: list[list[ir.Literal | ir.Compute]]) -> tuple[ir.TableOutput, ...]:
    """The IR of the table's output columns (``cells[k]``: column k's cells, rows in
    order); an undeclared table has one unnamed column."""
    declared: list[TableOutput | None] = list(spec.outputs) or [None]
    columns = []
    for k, out in enumerate(declared):
        ty = column_ty(out, cells[k] if k < len(cells) else [])
        if out is not None and out.type == "money" and not out.currency:
            raise doc.error("an output of type money needs a currency", "PR320", out.path)
        columns.append(ir.TableOutput(
            name=None if out is None else out.name, ty=ty,
            values=None if out is None or out.values is None else tuple(out.values),
            type=None if out is None or out.type is None else ir.OutputType(out.type),
            currency=None if out is None else out.currency))
    return tuple(columns)


def check_literal(doc: Document, column: ir.TableOutput, value: Any, path: Any
                  ) -> RulesetError | None:
    """A literal output of ``column`` that its type or values refuse (PR320, PR321)."""
    if value is None:
        return None
    t = column.type
    wrong = None
    if t in _NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, Decimal))):
        wrong = "a number"
    elif t == "boolean" and not isinstance(value, bool):
        wrong = "true or false"
    elif t == "string" and not isinstance(value, str):
        wrong = "a string"
    elif t == "integer" and isinstance(value, Decimal) and value != value.to_integral_value():
        wrong = "a whole number"
    what = f"output '{column.name}'" if column.name else "the output"
    if wrong is not None:
        return doc.error(f"{value!r} is not {wrong}, as {what} (type {t}) needs", "PR320",
                         path)
    if column.values is not None and not in_values(value, column.values):
        shown = ", ".join(map(str, column.values))
        return doc.error(f"{value!r} is not one of the values of {what} ({shown})",
                         "PR321", path)
    return None


def in_values(value: Any, values: tuple[Any, ...]) -> bool:
    """Whether ``value`` is one of ``values`` (numbers by value, never a bool for 1)."""
    return any(v == value and isinstance(v, bool) == isinstance(value, bool) for v in values)


def table_ty(policy: ir.HitPolicy, aggregation: ir.Aggregation | None,
             columns: tuple[ir.TableOutput, ...]) -> Ty:
    """The type of the table's value."""
    one = columns[0].ty if len(columns) == 1 and columns[0].name is None else Ty("mapping")
    if aggregation == ir.Aggregation.COUNT:
        return NUMBER
    if aggregation is not None:
        return one
    if policy in ir.LIST_POLICIES:
        return Ty("list", item=one)
    return one


def check_aggregation(doc: Document, aggregation: ir.Aggregation | None,
                      column: ir.TableOutput, path: Any) -> None:
    """``sum`` adds numbers or money; ``min`` and ``max`` also dates (PR322)."""
    if aggregation is None or aggregation == ir.Aggregation.COUNT:
        return
    kinds = ("number", "money") if aggregation == ir.Aggregation.SUM else (
        "number", "money", "date", "datetime", "string")
    if column.ty.kind not in (*kinds, "any"):
        raise doc.error(f"aggregate {aggregation} needs outputs that are "
                        f"{' or '.join(kinds)}, not {column.ty.describe()}", "PR322", path)
