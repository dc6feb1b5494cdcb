"""Pipeline stage 4a (checking), whole-value analyses: decision tables (PR311 overlapping
rows under ``unique``, PR702 uncovered input combinations), tiers (PR701 a higher tier that
is easier to reach), and the declared output type and money rounding (PR401)."""

from __future__ import annotations

import itertools
from typing import Any

import attrs

from ..errors import RulesetError
from ..expressions import ast
from ..expressions.ast import unparse
from ..facts import display_value
from ..ir import Ty
from ..loader import Document
from ..model import Decision, Rule, RulesetModel, ValueSpec

__all__ = ["check_money_rounding", "check_output", "lint_tiers", "table_problems", "walk"]


def table_problems(doc: Document, spec: ValueSpec, input_tys: list[Ty]
                   ) -> tuple[list[RulesetError], list[RulesetError]]:
    """(errors, lints) of a decision table whose inputs are all enums, ordinals or booleans:
    overlapping rows under `unique` (PR311, an error) and combinations no row covers
    (PR702)."""
    errors: list[RulesetError] = []
    lints: list[RulesetError] = []
    domains: list[tuple[Any, ...]] = []
    for ty in input_tys:
        if ty.kind in ("enum", "ordinal") and ty.scale is not None:
            domains.append(tuple(ty.scale.values))
        elif ty.kind == "bool":
            domains.append((True, False))
        else:
            return errors, lints
    row_sets: list[list[set[Any]]] = []
    for row in spec.rows:
        sets = []
        for cell, domain in zip(row.cells, domains, strict=False):
            values = _cell_values(cell, domain)
            if values is None:
                return errors, lints
            sets.append(values)
        row_sets.append(sets)
    rows = spec.rows
    if spec.hit_policy == "unique":
        for a in range(len(rows)):
            for b in range(a + 1, len(rows)):
                if all(x & y for x, y in zip(row_sets[a], row_sets[b], strict=True)):
                    example = [sorted(x & y, key=str)[0] for x, y in
                               zip(row_sets[a], row_sets[b], strict=True)]
                    errors.append(doc.error(
                        f"rows '{rows[a].id}' and '{rows[b].id}' both match "
                        f"{_combo(spec, example)}: a 'unique' table needs rows that do not "
                        "overlap (or use hit_policy: first)", "PR311", (*rows[b].path, "when")))
    if spec.default is None and spec.hit_policy != "collect":
        total = 1
        for d in domains:
            total *= len(d)
        if total > 20_000:
            return errors, lints
        gaps = [combo for combo in itertools.product(*domains)
                if not any(all(v in s for v, s in zip(combo, sets, strict=True))
                           for sets in row_sets)]
        if gaps:
            shown = "; ".join(_combo(spec, list(g)) for g in gaps[:5])
            more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
            lints.append(doc.error(
                f"no row covers {shown}{more}: such input fails with 'no row matches' "
                "(add a row or a default)", "PR702", (*spec.path, "rows")))
    return errors, lints


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


def _leaves(rule: Rule) -> list[Rule]:
    if rule.kind == "check":
        return [rule]
    return [leaf for child in rule.children for leaf in _leaves(child)]


def _constant_value(model: RulesetModel, node: ast.Node) -> Any:
    """The value of a literal or parameter (in force), else None."""
    if isinstance(node, ast.NumLit):
        return node.value
    if isinstance(node, ast.Name) and node.id in model.params:
        return model.params[node.id].value
    return None


def lint_tiers(doc: Document, model: RulesetModel, spec: ValueSpec) -> list[RulesetError]:
    """PR701: a higher tier asking less than a lower one on the same comparison."""
    out: list[RulesetError] = []
    asks: list[dict[tuple[str, str], Any]] = []
    for tier in spec.tiers:
        found: dict[tuple[str, str], Any] = {}
        for leaf in _leaves(tier):
            node = leaf.check.node if leaf.check is not None else None
            if isinstance(node, ast.Compare) and node.op in (">=", ">", "<=", "<"):
                value = _constant_value(model, node.right)
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
                    out.append(doc.error(
                        f"tier '{spec.tiers[hi].id}' asks {key[0]} {key[1]} {value}, less "
                        f"than the lower tier '{spec.tiers[lo].id}' ({key[1]} {lower}): a "
                        "higher tier should not be easier to reach", "PR701",
                        (*leaf.path, "check")))
    return out


def walk(node: ast.Node) -> list[ast.Node]:
    """Every node of an expression syntax tree, ``node`` first."""
    out = [node]
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        for v in value if isinstance(value, tuple) else (value,):
            if attrs.has(type(v)):
                out += walk(v)
    return out


def check_money_rounding(doc: Document, d: Decision) -> None:
    """Money is never rounded implicitly: a money value computed with * or / (which can
    produce fractions of a cent) must say how it is rounded."""
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

    if any(may_split_cents(n) for expr in computes for n in walk(expr.node)):
        raise doc.error(
            f"decision '{d.id}' computes money with '*' or '/', which can give fractions "
            "of a cent: declare how to round it, e.g. round: {places: 2, mode: half_up}",
            "PR401", (*d.path, "compute"))


def check_output(doc: Document, d: Decision, ty: Ty) -> None:
    """The value's type agrees with the declared ``type:``."""
    if d.type is None or ty.kind == "any":
        return
    want = {"boolean": "bool", "integer": "number", "percent": "number"}.get(d.type, d.type)
    if want == "money" and ty.kind == "number":
        return  # a bare number can be declared money (its currency comes from `currency`)
    if ty.kind != want:
        raise doc.error(f"decision '{d.id}' declares type {d.type} but computes "
                        f"{ty.describe()}", "PR401", (*d.path, "type"))
