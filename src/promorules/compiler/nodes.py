"""Pipeline stage 4b (code generation): the static node table of a decision.

A visitor over the IR numbers every node a trace shows (rules, value nodes and their
parts) in trace order and describes it once, at load: its id, description, citation, the
facts it reads, what it expects, and for threshold checks how to measure a gap. The
emitters write each node's value into the record at that node's index.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .. import ir
from ..expressions import ast
from ..expressions.ast import unparse
from ..text import Text
from .compiled import NodeInfo
from .hits import TableStatic
from .runtime import FAILED

__all__ = ["Detail", "Draft", "NodeTable", "build_table"]

_REQUIRES = Text("Requirements for a value", "得出结果的前提条件")
_ORDER = ("<", "<=", ">", ">=")
_FLIP = ir.FLIPPED
_NUMERIC = ir.NUMERIC_TY


def _facts_in(e: ir.Expr) -> set[str]:
    return {x.name for x in ir.walk_expr(e) if isinstance(x, ir.FactRef)}


@attrs.define
class Detail:
    """What a node's detail function returns, for traces: these expressions' values, then
    for each ``add_working_days`` call in them its (start, days), or None."""

    exprs: tuple[ir.Expr, ...]
    working_days: tuple[ir.Call, ...] = ()


@attrs.define
class Draft:
    """A NodeInfo being built, and the IR node it stands for."""

    node: Any  # the IR node (a rule, a value, or a part)
    info: dict[str, Any]
    detail: Detail | None = None


@attrs.define
class NodeTable:
    """The drafts in index order, and each IR node's index (by identity)."""

    drafts: list[Draft] = attrs.field(factory=list)
    index: dict[int, int] = attrs.field(factory=dict)
    tier_roots: dict[str, int] = attrs.field(factory=dict)  # tier id -> its rule's index

    def of(self, node: Any) -> int:
        return self.index[id(node)]

    def infos(self, details: dict[int, Any]) -> tuple[NodeInfo, ...]:
        """The NodeInfo tuple, with the detail function of each node that has one."""
        return tuple(NodeInfo(index=i, detail=details.get(i), **d.info)
                     for i, d in enumerate(self.drafts))


class _TableBuilder(ir.Visitor[None]):
    """Visits a decision; ``visit_<value>`` describes a value node already added."""

    def __init__(self, decision: ir.Decision) -> None:
        self.d = decision
        self.t = NodeTable()

    def add(self, node: Any, **info: Any) -> int:
        index = len(self.t.drafts)
        self.t.drafts.append(Draft(node, info))
        self.t.index[id(node)] = index
        return index

    def info(self, node: Any) -> dict[str, Any]:
        return self.t.drafts[self.t.of(node)].info

    # -- rules --------------------------------------------------------------------------

    def rule(self, rule: ir.Rule, parent: int | None) -> int:
        index = self.add(rule, kind=rule.kind.value, id=rule.id, description=rule.description,
                         source=rule.source, parent=parent, severity=rule.severity.value,
                         conditional=rule.applies_when is not None)
        self.visit(rule)
        return index

    def when_facts(self, rule: ir.Rule) -> tuple[str, ...]:
        return rule.applies_when.facts if rule.applies_when is not None else ()

    def visit_check(self, rule: ir.Check) -> None:
        info = self.info(rule)
        info.update(facts=tuple(sorted({*rule.expr.facts, *self.when_facts(rule)})),
                    expression=rule.expr.text, expected=_expected(rule.expr))
        draft = self.t.drafts[self.t.of(rule)]
        gap = _gap(rule.expr)
        if gap is not None:
            info.update(gap[0])
            draft.detail = gap[1]
            return
        tree = rule.expr.tree
        if isinstance(tree, ir.Unary) and tree.op == "not":
            tree = tree.operand
        if isinstance(tree, ir.Call) and tree.func in ("contains_any", "includes_all"):
            info.update(compare_op=tree.func)
            draft.detail = Detail(tree.args)

    def visit_tier_ref(self, rule: ir.TierRef) -> None:
        self.info(rule).update(decision=None, facts=self.when_facts(rule))

    def visit_decision_ref(self, rule: ir.DecisionRef) -> None:
        self.info(rule).update(decision=rule.decision, facts=self.when_facts(rule))

    def group(self, rule: ir.All | ir.Any | ir.Not) -> None:
        index = self.t.of(rule)
        children = tuple(self.rule(c, index) for c in rule.children)
        self.info(rule).update(children=children, facts=self.when_facts(rule))

    visit_all = visit_any = visit_not = group

    def visit_requires(self, req: ir.Requires) -> None:
        index = self.add(req, kind="requires", id="requires", description=_REQUIRES,
                         source=self.d.source, parent=None)
        self.info(req)["children"] = tuple(self.rule(r, index) for r in req.rules)

    # -- values -------------------------------------------------------------------------

    def value(self, value: ir.Value, parent: int | None, label: str) -> int:
        index = self.add(value, kind=value.kind.value, id=label,
                         description=self.d.description, source=self.d.source, parent=parent)
        self.visit(value)
        return index

    def part(self, node: Any, kind: str, label: str, parent: int, **info: Any) -> int:
        return self.add(node, kind=kind, id=label, description=self.d.description,
                        source=self.d.source, parent=parent, **info)

    def visit_literal(self, value: ir.Literal) -> None:
        self.info(value)["value_literal"] = value.value

    def visit_compute(self, value: ir.Compute) -> None:
        self.formula(value, value)
        r = value.rounding
        self.info(value)["rounding"] = (r.places, r.mode.value) if r is not None else None

    def formula(self, node: Any, compute: ir.Compute) -> None:
        """A node showing a computation: its formula and a detail function giving the
        value before rounding (and the working days an add_working_days skipped)."""
        expr = compute.expr
        info = self.info(node)
        info.update(facts=tuple(sorted({*info.get("facts", ()), *expr.facts})),
                    expression=expr.text, formula=expr.syntax, compare_op="formula")
        calls = tuple(c for c in ir.walk_expr(expr.tree)
                      if isinstance(c, ir.Call) and c.func == "add_working_days")
        self.t.drafts[self.t.of(node)].detail = Detail((expr.tree,), calls)

    def choice(self, part: ir.Case | ir.Item, parent: int) -> int:
        index = self.part(part, part.kind.value, part.id, parent, facts=part.when.facts,
                          expression=part.when.text, when=part.when.text,
                          value_literal=_literal(part.value))
        if isinstance(part, ir.Case) and isinstance(part.value, ir.Compute):
            self.formula(part, part.value)
        return index

    def visit_cases(self, value: ir.Cases) -> None:
        index = self.t.of(value)
        children = [self.choice(c, index) for c in value.cases]
        if value.default is not None:
            d = value.default
            children.append(self.part(d, "default", "default", index,
                                      value_literal=_literal(d.value)))
            if isinstance(d.value, ir.Compute):
                self.formula(d, d.value)
        self.info(value)["children"] = tuple(children)

    def visit_collect(self, value: ir.Collect) -> None:
        index = self.t.of(value)
        self.info(value)["children"] = tuple(self.choice(i, index) for i in value.items)

    def visit_tiers(self, value: ir.Tiers) -> None:
        index = self.t.of(value)
        children = []
        for tier in value.tiers:
            root = self.rule(tier.rule, index)
            self.t.drafts[root].info["tier"] = True
            self.t.tier_roots[tier.id] = root
            children.append(root)
        self.info(value)["children"] = tuple(children)

    def visit_table(self, value: ir.Table) -> None:
        index = self.t.of(value)
        d = self.d
        rows = []
        for row in value.rows:
            r = self.add(row, kind="row", id=row.id, description=row.description or d.description,
                         source=row.source or d.source, parent=index, value_literal=row.then,
                         facts=row.when.facts, expression=row.when.text,
                         when=row.when.text)
            rows.append(r)
            cells = tuple(self.value(cell, r, column.name or "then")
                          for cell, column in zip(row.outputs, value.outputs, strict=True)
                          if isinstance(cell, ir.Compute))
            if cells:
                self.info(row)["children"] = cells
        self.info(value).update(children=tuple(rows), hit_policy=value.hit_policy.value,
                                table=table_static(value))

    def visit_split(self, value: ir.Split) -> None:
        index = self.t.of(value)
        facts = value.amount.facts
        parts = tuple(self.part(p, "part", p.name, index, facts=facts, value_literal=p.percent)
                      for p in value.parts)
        self.info(value).update(children=parts, facts=facts, expression=value.amount.text,
                                compare_op="split")
        self.t.drafts[index].detail = Detail((value.amount.tree,))

    def visit_fields(self, value: ir.Fields) -> None:
        index = self.t.of(value)
        self.info(value)["children"] = tuple(self.value(f.value, index, f.name)
                                             for f in value.fields)

    def visit_lookup(self, value: ir.Lookup) -> None:
        self.info(value).update(facts=value.key.facts, expression=value.key.text)

    def visit_decision(self, d: ir.Decision) -> None:
        if d.kind == ir.DecisionKind.PASSFAIL:
            assert d.rule is not None
            self.rule(d.rule, None)
            if d.output is not None:
                self.value(d.output, None, d.id)
            return
        if d.requires is not None:
            self.visit(d.requires)
        assert d.value is not None
        self.value(d.value, None, d.id)


def table_static(table: ir.Table) -> TableStatic:
    """What the hit policy needs of a table before evaluation (see :mod:`.hits`)."""
    named = table.named
    default: Any = FAILED
    if table.default is not None:
        d = table.default.value
        default = ({o.name: d.get(o.name) for o in table.outputs} if named else d)
    return TableStatic(
        policy=table.hit_policy.value,
        aggregation=None if table.aggregation is None else table.aggregation.value,
        names=tuple(str(o.name) for o in table.outputs) if named else None,
        orders=tuple(o.values for o in table.outputs),
        default=default,
        computed=tuple(tuple(isinstance(c, ir.Compute) for c in r.outputs)
                       for r in table.rows),
        literals=tuple(tuple(c.value if isinstance(c, ir.Literal) else None for c in r.outputs)
                       for r in table.rows))


def build_table(decision: ir.Decision) -> NodeTable:
    """The node table of a checked decision."""
    builder = _TableBuilder(decision)
    builder.visit(decision)
    return builder.t


def _literal(value: ir.Literal | ir.Compute) -> Any:
    return value.value if isinstance(value, ir.Literal) else None


def _gap(expr: ir.TypedExpr) -> tuple[dict[str, Any], Detail] | None:
    """For a numeric threshold check: which comparison, on which fact, in what steps."""
    tree, syntax = expr.tree, expr.syntax
    if isinstance(tree, ir.Compare) and tree.op in _ORDER and isinstance(syntax, ast.Compare):
        op, parts, texts = tree.op, [tree.left, tree.right], [syntax.left, syntax.right]
    elif isinstance(tree, ir.Between) and isinstance(syntax, ast.Between):
        op = "between"
        parts, texts = [tree.value, tree.low, tree.high], [syntax.value, syntax.low, syntax.high]
    else:
        return None
    if not all(p.ty.kind in _NUMERIC for p in parts):
        return None
    left = _facts_in(parts[0])
    right = set().union(*(_facts_in(p) for p in parts[1:]))
    if not left and len(right) == 1 and op != "between":
        # "3000 <= deposit": read it as "deposit >= 3000"
        op = _FLIP[op]
        parts.reverse()
        texts.reverse()
        left = right
    subject = next(iter(left)) if len(left) == 1 else None
    lhs = parts[0]
    fact = lhs.fact if isinstance(lhs, ir.FactRef) and lhs.name == subject else None
    step: int | Decimal | None = None
    unit = None
    if fact is not None:
        if fact.kind == "integer":
            step = 1
        elif fact.kind == "money":
            step = fact.step or Decimal("0.01")
        else:
            step = fact.step
    if lhs.ty.kind == "money":
        unit = lhs.ty.currency
    elif fact is not None:
        unit = "%" if fact.kind == "percent" else fact.unit
    info = {"compare_op": op, "step": step, "unit": unit, "subject": subject,
            "lhs_text": unparse(texts[0])}
    return info, Detail(tuple(parts))


def _expected(expr: ir.TypedExpr) -> str:
    """What a rule expects, as a reader wants it: ``>= 3000``, ``true``, ``in industries``."""
    syntax, tree = expr.syntax, expr.tree

    def with_params(text: ast.Node, typed: ir.Expr) -> str:
        out = unparse(text)
        params = {p.name: p.value for p in ir.walk_expr(typed) if isinstance(p, ir.ParamRef)}
        if params:
            out += " (" + ", ".join(f"{n} = {params[n]}" for n in sorted(params)) + ")"
        return out

    if isinstance(syntax, ast.Compare) and isinstance(tree, (ir.Compare, ir.Membership)):
        return f"{syntax.op} {with_params(syntax.right, tree.right)}"
    if isinstance(syntax, ast.Between) and isinstance(tree, ir.Between):
        return (f"between {with_params(syntax.low, tree.low)} and "
                f"{with_params(syntax.high, tree.high)}")
    if isinstance(tree, ir.FactRef):
        return "true"
    if isinstance(tree, ir.Unary) and tree.op == "not" and isinstance(tree.operand, ir.FactRef):
        return "false"
    return unparse(syntax)
