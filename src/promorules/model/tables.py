"""Pipeline stage 3, building: a decision table's rows, cells and output columns, as the
model's builder reads them (its :class:`TableBuilder` part)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..expressions import ExpressionSyntaxError, ast
from ..loader import Path
from ..text import Text
from .cells import is_test, parse_test
from .classes import Expr, TableOutput, TableRow, ValueSpec

__all__ = ["BROKEN", "TableBuilder", "literal_node"]

BROKEN = ast.BoolLit(False, -1)  # a table cell that did not parse (reported)
_BROKEN = BROKEN
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def literal_node(value: Any) -> ast.Node | None:
    if isinstance(value, bool):
        return ast.BoolLit(value)
    if isinstance(value, (int, Decimal)):
        return ast.NumLit(value)
    if isinstance(value, str):
        return ast.StrLit(value)
    return None



_literal_node = literal_node


class TableBuilder:
    """The table part of the model builder; the builder supplies the methods below that
    raise NotImplementedError."""

    def err(self, message: str, code: str, path: Path, **kw: Any) -> None:
        raise NotImplementedError

    def expr(self, text: Any, path: Path) -> Expr | None:
        raise NotImplementedError

    def opt_text(self, value: Any) -> Text | None:
        raise NotImplementedError

    def citation(self, value: Any, path: Path) -> str | None:
        raise NotImplementedError

    def table(self, d: Mapping[str, Any], path: Path) -> ValueSpec:
        inputs = [self.expr(e, (*path, "inputs", i)) for i, e in enumerate(d["inputs"])]
        outputs = self.table_outputs(d, path)
        named = tuple(o.name for o in outputs if o.name is not None)
        rows: list[TableRow] = []
        ids: dict[str, Path] = {}
        for r, row in enumerate(d["rows"]):
            rpath = (*path, "rows", r)
            rid = str(row.get("id", f"row_{r + 1}"))
            if rid in ids:
                self.err(f"row id '{rid}' is used twice in this table", "PR306", (*rpath, "id"))
            ids[rid] = rpath
            then = self.row_outputs(row["then"], named, rid, (*rpath, "then"))
            cells_in = row["when"]
            if len(cells_in) != len(inputs):
                self.err(f"row '{rid}' has {len(cells_in)} cells for {len(inputs)} inputs",
                         "PR309", (*rpath, "when"))
                rows.append(TableRow(rid, None, row["then"], None, None, rpath))
                continue
            cells = [self.cell(c, inp, (*rpath, "when", i))
                     for i, (c, inp) in enumerate(zip(cells_in, inputs, strict=True))]
            parts = [c for c in cells if c is not None]
            node: ast.Node = ast.BoolLit(True)
            broken = any(c is _BROKEN for c in cells) or then is None
            for part in parts:
                if part is _BROKEN:
                    continue
                node = part if isinstance(node, ast.BoolLit) else ast.Binary("and", node, part)
            when = None if broken else Expr(ast.unparse(node), node, (*rpath, "when"))
            rows.append(TableRow(
                rid, when, row["then"], self.opt_text(row.get("description")),
                self.citation(row.get("source"), (*rpath, "source")), rpath,
                tuple(None if c is _BROKEN else c for c in cells), then or ()))
        default = (ValueSpec("literal", (*path, "default"), literal=d["default"])
                   if "default" in d else None)
        if default is not None and named:
            self.table_default(d["default"], named, (*path, "default"))
        policy = str(d["hit_policy"])
        aggregate = d.get("aggregate")
        if aggregate is not None and policy != "collect":
            self.err(f"'aggregate' goes with hit_policy collect, not {policy}", "PR322",
                     (*path, "aggregate"))
        if aggregate is not None and named:
            self.err("a table with 'aggregate' has one output: declare it with 'output', "
                     "not 'outputs'", "PR322", (*path, "aggregate"))
        if policy in ("priority", "output_order") and not any(
                o.values is not None for o in outputs):
            self.err(f"hit_policy {policy} ranks rows by the output's value list: declare "
                     "'values' in 'output' (or in one of 'outputs')", "PR322",
                     (*path, "hit_policy"))
        return ValueSpec("table", path, hit_policy=policy,
                         inputs=tuple(i for i in inputs if i is not None), rows=tuple(rows),
                         default=default, aggregate=None if aggregate is None else str(aggregate),
                         outputs=outputs)

    def table_outputs(self, d: Mapping[str, Any], path: Path) -> tuple[TableOutput, ...]:
        """The declared output columns: ``output:`` (one, unnamed) or ``outputs:``."""
        if "output" in d and "outputs" in d:
            self.err("a table declares 'output' (one output) or 'outputs' (several), not "
                     "both", "PR320", (*path, "outputs"))
        if "outputs" in d:
            return tuple(self.table_output(str(k), v, (*path, "outputs", k))
                         for k, v in d["outputs"].items())
        if "output" in d:
            return (self.table_output(None, d["output"], (*path, "output")),)
        return ()

    def table_output(self, name: str | None, d: Mapping[str, Any], path: Path) -> TableOutput:
        if name is not None and not _IDENT.fullmatch(name):
            self.err(f"output name '{name}' is not an identifier", "PR320", path, at_key=True)
        values = d.get("values")
        if values is not None and len(set(map(repr, values))) != len(values):
            self.err("an output's 'values' lists each value once", "PR320", (*path, "values"))
        return TableOutput(name, path, d.get("type"), d.get("currency"),
                           None if values is None else tuple(values))

    def row_outputs(self, then: Any, named: tuple[str, ...], rid: str, path: Path
                    ) -> tuple[ValueSpec, ...] | None:
        """A row's output cells, one per output column (None: reported)."""
        if not named:
            return (self.output_cell(then, path),)
        if not isinstance(then, dict):
            self.err(f"row '{rid}': 'then' is a mapping with a value for each output "
                     f"({', '.join(named)})", "PR320", path)
            return None
        missing = [n for n in named if n not in then]
        extra = [str(k) for k in then if k not in named]
        if missing or extra:
            self.err(f"row '{rid}': 'then' must give exactly the outputs "
                     f"{', '.join(named)}" + (f"; missing {', '.join(missing)}" if missing
                                             else "")
                     + (f"; unknown {', '.join(extra)}" if extra else ""), "PR320", path)
            return None
        return tuple(self.output_cell(then[n], (*path, n)) for n in named)

    def output_cell(self, value: Any, path: Path) -> ValueSpec:
        """One output cell: ``{compute: EXPR}`` is a formula, anything else a literal."""
        if isinstance(value, dict) and set(value) == {"compute"}:
            return ValueSpec("compute", path,
                             compute=self.expr(value["compute"], (*path, "compute")))
        return ValueSpec("literal", path, literal=value)

    def table_default(self, value: Any, named: tuple[str, ...], path: Path) -> None:
        if not isinstance(value, dict) or any(k not in named for k in value):
            extra = ([str(k) for k in value if k not in named] if isinstance(value, dict)
                     else [])
            self.err("the default of a table with several outputs is a mapping of some of "
                     f"its outputs ({', '.join(named)}) to values"
                     + (f"; unknown {', '.join(extra)}" if extra else ""), "PR320", path)

    def cell(self, cell: Any, inp: Expr | None, path: Path) -> Any:
        """A table cell as a condition on its input column (None: any value)."""
        if inp is None:
            return _BROKEN
        if cell is None or cell == "-":
            return None
        if isinstance(cell, list):
            items = [_literal_node(v) for v in cell]
            if any(i is None for i in items):
                self.err("list cells hold strings, numbers or booleans", "PR309", path)
                return _BROKEN
            return ast.Compare("in", inp.node, ast.ListLit(tuple(items)))  # type: ignore[arg-type]
        if isinstance(cell, str) and is_test(cell):
            try:
                return parse_test(cell, inp.node)
            except ExpressionSyntaxError as e:
                self.err(f"{e.message} in cell '{cell}'", e.code, path)
                return _BROKEN
        node = _literal_node(cell)
        if node is None:
            self.err(f"a cell is '-', a literal, a list, a test or a range, not {cell!r}",
                     "PR309", path)
            return _BROKEN
        return ast.Compare("==", inp.node, node)

