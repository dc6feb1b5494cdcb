"""Policy sheets, the decisions: a visitor over each decision's IR writing its blocks.

A decision's header (description, source, type, rounding), its requirements and rules as
tables (nested groups indented under their logic), and its value by kind: formulas,
cases, lists, lookups, fields, tiers, decision tables and splits; each with the parameters
and lists it uses and their values in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .. import ir
from ..model import RulesetModel
from ..wording import (
    cell_text,
    expr_text,
    literal_text,
    rounding_words,
    row_output_text,
    spec_text,
    sub_rules,
    value_text,
    written,
)
from .document import BR, Block, Cell, Diagram, Heading, Para, Span, Table, bold, code, em, txt
from .tree import decision_tree, tier_additions

__all__ = ["DecisionBlocks", "join", "kind_text"]

_LOGIC = {ir.RuleKind.ALL: "all of the rules below must pass",
          ir.RuleKind.ANY: "at least one rule below must pass",
          ir.RuleKind.NOT: "the rule below must fail"}
_GROUP_WORDS = {ir.RuleKind.ALL: "all of:", ir.RuleKind.ANY: "any of:",
                ir.RuleKind.NOT: "must fail:"}
_HIT = {ir.HitPolicy.UNIQUE: "unique: exactly one row may match",
        ir.HitPolicy.ANY: "any: the matching rows must all give the same value",
        ir.HitPolicy.PRIORITY: "priority: the matching row whose value ranks highest",
        ir.HitPolicy.FIRST: "first: the first matching row",
        ir.HitPolicy.OUTPUT_ORDER: "output order: the list of every matching row's value, "
                                   "highest priority first",
        ir.HitPolicy.RULE_ORDER: "rule order: the list of every matching row's value, in "
                                 "row order",
        ir.HitPolicy.COLLECT: "collect: the list of every matching row's value"}
_AGGREGATE = {ir.Aggregation.SUM: "the sum of the matching rows' values",
              ir.Aggregation.MIN: "the smallest of the matching rows' values",
              ir.Aggregation.MAX: "the largest of the matching rows' values",
              ir.Aggregation.COUNT: "how many rows match"}
_VALUE_NAMES = {ir.ValueKind.COMPUTE: "formula", ir.ValueKind.CASES: "cases",
                ir.ValueKind.LOOKUP: "lookup", ir.ValueKind.COLLECT: "list",
                ir.ValueKind.FIELDS: "fields", ir.ValueKind.LITERAL: "constant",
                ir.ValueKind.TIERS: "tiers", ir.ValueKind.TABLE: "decision table",
                ir.ValueKind.SPLIT: "split"}


def join(spans: list[Span], sep: str) -> list[Span]:
    """The spans with a text separator between each two."""
    out: list[Span] = []
    for n, s in enumerate(spans):
        if n:
            out.append(txt(sep))
        out.append(s)
    return out


def kind_text(d: ir.Decision) -> str:
    """``pass/fail``, ``pass/fail with a value``, ``value (formula)``..."""
    if d.kind == ir.DecisionKind.PASSFAIL:
        return "pass/fail" + (" with a value" if d.output is not None else "")
    return f"value ({_VALUE_NAMES[d.value.kind] if d.value is not None else 'value'})"


def _value_exprs(value: ir.Value | ir.Default | None) -> Iterator[ir.TypedExpr]:
    """The expressions of a value whose parameters a sheet lists under it."""
    if isinstance(value, ir.Default):
        yield from _value_exprs(value.value)
    elif isinstance(value, ir.Compute):
        yield value.expr
    elif isinstance(value, ir.Split):
        yield value.amount
    elif isinstance(value, ir.Lookup):
        yield value.key
    elif isinstance(value, ir.Table):
        yield from value.inputs
        for row in value.rows:
            for cell in row.outputs:
                yield from _value_exprs(cell)
    elif isinstance(value, (ir.Cases, ir.Collect)):
        for c in value.cases if isinstance(value, ir.Cases) else value.items:
            yield c.when
            yield from _value_exprs(c.value)
        if isinstance(value, ir.Cases):
            yield from _value_exprs(value.default)
    elif isinstance(value, ir.Fields):
        for f in value.fields:
            yield from _value_exprs(f.value)


def _rule_exprs(rule: ir.Rule) -> list[ir.TypedExpr | None]:
    return [rule.expr if isinstance(rule, ir.Check) else None, rule.applies_when]


class _Condition(ir.Visitor[Cell]):
    """What a rule requires, as a table cell."""

    def group(self, node: ir.All | ir.Any | ir.Not) -> Cell:
        return [bold(_GROUP_WORDS[node.kind]), txt(" " + ", ".join(c.id for c in node.children))]

    def visit_check(self, node: ir.Check) -> Cell:
        return [code(written(node.expr))]

    def visit_all(self, node: ir.All) -> Cell:
        return self.group(node)

    def visit_any(self, node: ir.Any) -> Cell:
        return self.group(node)

    def visit_not(self, node: ir.Not) -> Cell:
        return self.group(node)

    def visit_decision_ref(self, node: ir.DecisionRef) -> Cell:
        return [txt("decision "), code(node.decision), txt(" passes")]

    def visit_tier_ref(self, node: ir.TierRef) -> Cell:
        return [txt("tier "), code(node.tier), txt(" is reached")]


_CONDITION = _Condition()


class DecisionBlocks(ir.Visitor[None]):
    """Adds a decision's blocks to ``blocks``; ``visit(value)`` adds a value's."""

    def __init__(self, model: RulesetModel, blocks: list[Block]) -> None:
        self.m = model
        self.blocks = blocks
        self.nothing: Span = em("no value")

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def para(self, *spans: Span) -> None:
        self.add(Para(list(spans)))

    def visit_decision(self, d: ir.Decision) -> None:
        self.add(Heading(3, d.id, d.id))
        self.para(bold(d.description.en), BR, txt(d.description.zh))
        facts: list[Span] = []
        if d.source:
            facts += [txt("Source: "), txt(d.source)]
        if d.type:
            type_text = d.type + (f" ({d.currency})" if d.currency else "")
            facts += ([txt(" · ")] if facts else []) + [txt("Type: "), txt(type_text)]
        if d.rounding is not None:
            facts += ([txt(" · ")] if facts else []) + [
                txt(f"Rounded to {rounding_words(d.rounding)}")]
        if facts:
            self.para(*facts)
        tree = decision_tree(d)
        if tree is not None:
            self.para(bold("Rule tree"), txt(" (the rules a tier adds over the tier below are "
                                             "highlighted):" if isinstance(d.value, ir.Tiers)
                                             else ":"))
            self.add(Diagram(tree, f"Rule tree of {d.id}"))
        if d.requires is not None and d.requires.rules:
            self.para(txt("Requires (all must pass, or the decision fails with no value):"))
            self.rule_table(d.requires.rules)
        if d.rule is not None:
            self.para(bold("Passes when"), txt(f" {_LOGIC.get(d.rule.kind, d.rule.kind)}:"))
            self.rule_table(sub_rules(d.rule))
            if d.output is not None:
                self.para(bold("Value"), txt(" (given whatever the outcome):"))
                self.value(d.output, em("no value"))
        elif d.value is not None:
            self.value(d.value, em("no value (the decision fails)"))

    # -- values ----------------------------------------------------------------------

    def value(self, value: ir.Value, nothing: Span) -> None:
        """A value's blocks, then the parameters it uses; ``nothing``: what no default
        gives."""
        self.nothing = nothing
        self.visit(value)
        used = self.used_params(_value_exprs(value), txt("; "))
        if used:
            self.para(txt("Uses: "), *used)

    def cell(self, value: ir.Value | None) -> Cell:
        if value is None:
            return [self.nothing]
        if isinstance(value, ir.Literal):
            return [code(literal_text(value.value))]
        if isinstance(value, ir.Compute):
            return [code(written(value.expr))]
        return [code(spec_text(value))]

    def visit_compute(self, v: ir.Compute) -> None:
        self.para(txt("Formula: "), code(written(v.expr)))

    def visit_literal(self, v: ir.Literal) -> None:
        self.para(txt("Value: "), code(literal_text(v.value)))

    def visit_cases(self, v: ir.Cases) -> None:
        rows: list[tuple[Cell, ...]] = [
            ([txt(str(n))], [code(written(c.when))], self.cell(c.value))
            for n, c in enumerate(v.cases, 1)]
        rows.append(([txt("otherwise")], [txt("no case applies")],
                     self.cell(v.default.value if v.default is not None else None)))
        self.para(txt("The first case whose condition holds gives the value:"))
        self.add(Table(("#", "When", "Value"), tuple(rows)))

    def visit_collect(self, v: ir.Collect) -> None:
        rows = [([txt(str(n))], [code(written(c.when))], self.cell(c.value))
                for n, c in enumerate(v.items, 1)]
        self.para(txt("A list of the items whose condition holds, in this order:"))
        self.add(Table(("#", "When", "Adds"), tuple(rows)))

    def visit_lookup(self, v: ir.Lookup) -> None:
        self.para(txt("Looked up by "), code(written(v.key)), txt(":"))
        rows = [([code(v.written[k])], [code(literal_text(x))]) for k, x in v.table.items()]
        rows.append(([txt("any other")], self.cell(v.default)))
        self.add(Table(("Key", "Value"), tuple(rows)))

    def visit_fields(self, v: ir.Fields) -> None:
        rows = [([code(f.name)], self.cell(f.value)) for f in v.fields]
        self.para(txt("A mapping of:"))
        self.add(Table(("Field", "Value"), tuple(rows)))

    def visit_tiers(self, v: ir.Tiers) -> None:
        default = literal_text(v.default.value) if v.default is not None else "none"
        self.para(txt("The highest tier whose requirements hold, from the lowest: "),
                  *join([code(t.id) for t in v.tiers], " < "),
                  txt("; when none holds: "), code(default), txt("."))
        self.rule_table(tuple(t.rule for t in v.tiers), tiers=True)
        rows: list[tuple[Cell, ...]] = []
        for adds in tier_additions(v):
            cell: Cell = []
            for rule_id, condition in adds.added:
                cell += ([BR] if cell else []) + [code(rule_id), txt(": "), code(condition)]
            rows.append(([code(adds.tier)], [code(adds.below)] if adds.below else
                         [em("the lowest tier")], cell or [em("nothing: the same rules")]))
        self.para(txt("What each tier adds over the tier below (its rules whose condition "
                      "the tier below does not hold; a rule requiring a lower tier holds "
                      "that tier's conditions):"))
        self.add(Table(("Tier", "Over", "Adds"), tuple(rows)))

    def visit_table(self, v: ir.Table) -> None:
        inputs = [expr_text(i) for i in v.inputs]
        policy = _AGGREGATE[v.aggregation] if v.aggregation else _HIT[v.hit_policy]
        self.para(txt("Decision table, hit policy "), txt(policy), txt("."))
        for o in v.outputs:
            if o.values is not None:
                name = f"Output {o.name}" if o.name else "Output"
                self.para(txt(f"{name}: one of "),
                          *join([code(literal_text(x)) for x in o.values], ", "),
                          txt(" (highest priority first)."))
        rows: list[tuple[Cell, ...]] = []
        for r in v.rows:
            cells = [[code(cell_text(c))] for c in r.cells] or [[txt("?")] for _ in inputs]
            rows.append(([code(r.id)], *cells, [code(row_output_text(r, v))],
                         [txt(r.description.en if r.description else "")],
                         [txt(r.description.zh if r.description else "")],
                         [txt(r.source or "")]))
        if v.default is not None:
            rows.append(([txt("otherwise")], *[[txt("-")] for _ in inputs],
                         self.cell(v.default), [txt("")], [txt("")], [txt("")]))
        self.add(Table(("Row", *inputs, "Then", "Description", "中文", "Source"),
                       tuple(rows)))

    def visit_split(self, v: ir.Split) -> None:
        self.para(txt("Splits "), code(written(v.amount)),
                  txt(f" into parts; every part but the last is rounded to "
                      f"{rounding_words(v.rounding)}, and the last takes the remainder:"))
        rows = [([code(p.name)], [txt(f"{p.percent}%")]) for p in v.parts]
        self.add(Table(("Part", "Share"), tuple(rows)))

    # -- rules -----------------------------------------------------------------------

    def rule_table(self, rules: Iterable[ir.Rule], tiers: bool = False) -> None:
        rows: list[tuple[Cell, ...]] = []

        def walk(rule: ir.Rule, depth: int, is_tier: bool) -> None:
            ident: Cell = ([("indent", str(depth))] if depth else []) + [code(rule.id)]
            rows.append((ident, [txt(rule.description.en)], [txt(rule.description.zh)],
                         self.condition(rule, is_tier), self.used_params(_rule_exprs(rule)),
                         [txt(rule.source or "")]))
            for child in sub_rules(rule):
                walk(child, depth + 1, False)

        for rule in rules:
            walk(rule, 0, tiers)
        self.add(Table(("Rule", "Description", "中文", "Condition", "Parameters / lists",
                        "Source"), tuple(rows), "rules"))

    @staticmethod
    def condition(rule: ir.Rule, is_tier: bool) -> Cell:
        cell: Cell = [txt("gives "), code(rule.id), txt(" when:"), BR] if is_tier else []
        cell += _CONDITION.visit(rule)
        if rule.applies_when is not None:
            cell += [BR, em("applies when "), code(written(rule.applies_when))]
        if rule.severity != ir.Severity.ERROR:
            cell += [BR, em(f"{rule.severity} only: does not fail the decision")]
        return cell

    def used_params(self, exprs: Iterable[ir.TypedExpr | None], sep: Span = BR) -> Cell:
        """The parameters (with their values in force) and lists the expressions read."""
        # the parameters and lists read, in order of first appearance
        names = dict.fromkeys(n.name for e in exprs if e is not None
                              for n in ir.walk_expr(e.tree)
                              if isinstance(n, (ir.ParamRef, ir.ListRef)))
        cell: Cell = []
        for n in names:
            if n in self.m.params:
                p = self.m.params[n]
                text = f" = {value_text(p.value, p.type)}"
            elif n in self.m.lists:
                count = len(self.m.lists[n].items)
                text = f" (list of {count} item{'s' * (count != 1)})"
            else:
                continue
            if cell:
                cell.append(sep)
            cell += [code(n), txt(text)]
        return cell
