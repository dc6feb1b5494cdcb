"""Semantic diff, decisions: a visitor over the IR of two versions of each decision.

Rules are matched by id at any depth (a rule that moved between groups is one change),
table rows and tiers by id, cases and items by position with insertions found; values
are compared part by part, each kind of value by its own visitor method.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher
from typing import Any

import attrs

from .. import ir
from ..wording import (
    cell_text,
    expr_text,
    literal_text,
    rounding_text,
    row_output_text,
    rule_summary,
    spec_text,
    sub_rules,
)
from .canon import ARROW, canon, focus, freeze, literal_detail, value_key
from .changes import Recorder

__all__ = ["DecisionDiffer", "decision_summary"]


@attrs.frozen
class _RuleAt:
    rule: ir.Rule
    parent: str  # the group's id, or "requires" / "tiers"
    role: str  # "rule", "requires", "tier"


def _tier_rules(decision: ir.Decision) -> Iterator[ir.Rule]:
    for value in ir.values(decision):
        if isinstance(value, ir.Tiers):
            yield from (t.rule for t in value.tiers)


def _rules_of(decision: ir.Decision) -> dict[str, _RuleAt]:
    """Every rule of a decision by id (the root group, whose id is the decision's, left
    out: it is compared as the decision's logic)."""
    out: dict[str, _RuleAt] = {}

    def add(rule: ir.Rule, parent: str, role: str) -> None:
        key = rule.id if rule.id not in out else f"{role}:{rule.id}"
        out[key] = _RuleAt(rule, parent, role)
        for child in sub_rules(rule):
            add(child, rule.id, role)

    if decision.rule is not None:
        for child in sub_rules(decision.rule):
            add(child, decision.id, "rule")
    if decision.requires is not None:
        for rule in decision.requires.rules:
            add(rule, "requires", "requires")
    for tier in _tier_rules(decision):
        add(tier, "tiers", "tier")
    return out


def _groups_of(decision: ir.Decision) -> dict[str, ir.Rule]:
    out: dict[str, ir.Rule] = {}

    def walk(rule: ir.Rule) -> None:
        if sub_rules(rule):
            out.setdefault(rule.id, rule)
        for c in sub_rules(rule):
            walk(c)

    if decision.rule is not None:
        walk(decision.rule)
    for tier in _tier_rules(decision):
        walk(tier)
    return out


def _kind_text(decision: ir.Decision) -> str:
    return "pass/fail" if decision.kind == ir.DecisionKind.PASSFAIL else "value"


def decision_summary(d: ir.Decision) -> str:
    """A decision in one line, for its addition or removal."""
    if d.rule is not None:
        return "pass/fail, " + rule_summary(d.rule)
    return "value: " + spec_text(d.value)


def _ids(items: Any) -> str:
    return ", ".join(items)


class DecisionDiffer:
    """Records the changes between two versions of one decision."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec

    def decision(self, a: ir.Decision, b: ir.Decision) -> None:
        did, ch = a.id, self.rec.changed
        ch(did, did, "kind", _kind_text(a), _kind_text(b))
        self.rec.text_pair(did, did, "description", a.description, b.description)
        ch(did, did, "source", a.source, b.source, quoted=True)
        ch(did, did, "type", a.type, b.type)
        ch(did, did, "currency", a.currency, b.currency)
        ch(did, did, "round", a.rounding, b.rounding, show=rounding_text)
        if a.rule is not None and b.rule is not None:
            ch(did, did, "logic", a.rule.kind, b.rule.kind)
        self.rules(a, b)
        self.value(did, did, "", a.value, b.value)
        self.value(did, did, "output", a.output, b.output)

    # -- rules ---------------------------------------------------------------------------

    def rules(self, a: ir.Decision, b: ir.Decision) -> None:
        did = a.id
        old, new = _rules_of(a), _rules_of(b)
        for rid in [*old, *(r for r in new if r not in old)]:
            path = f"{did}.{rid.partition(':')[2] or rid}"
            what = "tier" if (old.get(rid) or new[rid]).role == "tier" else "rule"
            if rid not in new:
                self.rec.removed(did, path, what, rule_summary(old[rid].rule))
            elif rid not in old:
                self.rec.added(did, path, what, rule_summary(new[rid].rule))
            else:
                self.rule(did, path, old[rid], new[rid])
        # the order of the rules that both versions have, inside each group
        new_groups = _groups_of(b)
        for gid, group in _groups_of(a).items():
            other = new_groups.get(gid)
            if other is None:
                continue
            mine = [c.id for c in sub_rules(group)]
            theirs = [c.id for c in sub_rules(other)]
            common_a = [c for c in mine if c in theirs]
            common_b = [c for c in theirs if c in mine]
            if common_a != common_b:
                path = did if gid == did else f"{did}.{gid}"
                self.rec.changed(did, path, "order", common_a, common_b, show=_ids)

    def rule(self, did: str, path: str, a: _RuleAt, b: _RuleAt) -> None:
        ra, rb, ch = a.rule, b.rule, self.rec.changed
        if isinstance(ra, ir.Check) and isinstance(rb, ir.Check):
            ch(did, path, "check", ra.expr, rb.expr, key=canon, show=expr_text,
               detail=focus(ra.expr, rb.expr), head=f"{path}:")
        elif sub_rules(ra) and sub_rules(rb):
            ch(did, path, "kind", ra.kind, rb.kind)  # the group's logic
        elif type(ra) is not type(rb):
            ch(did, path, "rule", rule_summary(ra), rule_summary(rb))
        if isinstance(ra, ir.DecisionRef) and isinstance(rb, ir.DecisionRef):
            ch(did, path, "decision", ra.decision, rb.decision)
        if isinstance(ra, ir.TierRef) and isinstance(rb, ir.TierRef):
            ch(did, path, "tier", ra.tier, rb.tier)
        ch(did, path, "applies_when", ra.applies_when, rb.applies_when, key=canon,
           show=expr_text, detail=focus(ra.applies_when, rb.applies_when))
        ch(did, path, "severity", ra.severity, rb.severity)
        if a.parent != b.parent:
            ch(did, path, "moved", a.parent, b.parent, show=lambda p: f"in {p}",
               subject=f"{path}")
        self.rec.text_pair(did, path, "description", ra.description, rb.description)
        ch(did, path, "source", ra.source, rb.source, quoted=True)

    # -- values --------------------------------------------------------------------------

    def value(self, did: str, path: str, label: str, a: ir.Value | None,
              b: ir.Value | None) -> None:
        """Changes of a value; ``label`` prefixes the aspects ("" for the decision's value,
        "output", "field start"...)."""
        if value_key(a) == value_key(b):
            return
        if a is None or b is None or type(a) is not type(b):
            self.rec.changed(did, path, label or "value", a, b, key=value_key,
                             show=spec_text)
            return
        _ValuePair(self, did, path, label, b).visit(a)


def _parts(parts: Any) -> str:
    return ", ".join(f"{p.name} {p.percent}%" for p in parts)


def _outputs_text(outputs: Any) -> str:
    return ", ".join((o.name or "output") + (f" in {literal_text(o.values)}" if o.values
                                              else "") for o in outputs) or "undeclared"


def _tier_ids(tiers: Any) -> str:
    return " < ".join(t.id for t in tiers)


def _line(c: ir.Case | ir.Item) -> str:
    return f"when {expr_text(c.when)}: {spec_text(c.value)}"


def _case_key(c: ir.Case | ir.Item) -> Any:
    return (canon(c.when), value_key(c.value))


class _ValuePair(ir.Visitor[None]):
    """The changes between value ``a`` (visited) and ``other``, a value of the same kind."""

    def __init__(self, differ: DecisionDiffer, did: str, path: str, label: str,
                 other: ir.Value) -> None:
        self.differ, self.did, self.path, self.label, self.other = (differ, did, path, label,
                                                                    other)

    def sub(self, part: str) -> str:
        return f"{self.label} {part}".strip()

    def changed(self, aspect: str, old: Any, new: Any, **kw: Any) -> None:
        self.differ.rec.changed(self.did, self.path, aspect, old, new, **kw)

    def value(self, aspect: str, a: ir.Value | None, b: ir.Value | None) -> None:
        self.differ.value(self.did, self.path, self.sub(aspect), a, b)

    def visit_literal(self, a: ir.Literal) -> None:
        b = self.other
        assert isinstance(b, ir.Literal)
        self.changed(self.label or "value", a.value, b.value, key=freeze, show=literal_text,
                     detail=literal_detail(a.value, b.value))

    def visit_compute(self, a: ir.Compute) -> None:
        b = self.other
        assert isinstance(b, ir.Compute)
        self.changed(self.sub("formula"), a.expr, b.expr, key=canon, show=expr_text,
                     detail=focus(a.expr, b.expr))

    def visit_split(self, a: ir.Split) -> None:
        b = self.other
        assert isinstance(b, ir.Split)
        self.changed(self.sub("amount"), a.amount, b.amount, key=canon, show=expr_text)
        self.changed(self.sub("parts"), a.parts, b.parts, show=_parts)
        self.changed(self.sub("round"), a.rounding, b.rounding, show=rounding_text)

    def visit_cases(self, a: ir.Cases) -> None:
        b = self.other
        assert isinstance(b, ir.Cases)
        self.cases("case", a.cases, b.cases)
        self.value("default", a.default.value if a.default else None,
                   b.default.value if b.default else None)

    def visit_collect(self, a: ir.Collect) -> None:
        b = self.other
        assert isinstance(b, ir.Collect)
        self.cases("item", a.items, b.items)

    def cases(self, word: str, a: tuple[ir.Case | ir.Item, ...],
              b: tuple[ir.Case | ir.Item, ...]) -> None:
        label = self.label

        def aspect(n: int, rest: str = "") -> str:
            return f"{label} {word} {n} {rest}".strip()

        ka, kb = [_case_key(c) for c in a], [_case_key(c) for c in b]
        if ka != kb and Counter(ka) == Counter(kb):  # the same cases in another order
            lines: Callable[[Any], str] = lambda cs: "; ".join(  # noqa: E731
                _line(c) for c in cs)
            self.changed(f"{label} {word} order".strip(), a, b,
                         key=lambda cs: [_case_key(c) for c in cs], show=lines)
            return
        for op, i1, i2, j1, j2 in SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            if op == "replace" and i2 - i1 == j2 - j1:
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    ca, cb = a[i], b[j]
                    same_when = canon(ca.when) == canon(cb.when)
                    if not same_when and value_key(ca.value) == value_key(cb.value):
                        self.changed(aspect(j + 1, "when"), ca.when, cb.when, key=canon,
                                     show=expr_text, detail=focus(ca.when, cb.when))
                    elif same_when:
                        self.differ.value(self.did, self.path,
                                          aspect(j + 1, f"(when {expr_text(cb.when)})"),
                                          ca.value, cb.value)
                    else:
                        self.changed(aspect(j + 1), ca, cb, key=_case_key, show=_line)
                continue
            for i in range(i1, i2):
                self.changed(aspect(i + 1, "removed"), a[i], None, show=_line,
                             detail=_line(a[i]))
            for j in range(j1, j2):
                self.changed(aspect(j + 1, "added"), None, b[j], show=_line,
                             detail=_line(b[j]))

    def visit_lookup(self, a: ir.Lookup) -> None:
        b = self.other
        assert isinstance(b, ir.Lookup)
        self.changed(self.sub("lookup key"), a.key, b.key, key=canon, show=expr_text)
        ta = {a.written[k]: v for k, v in a.table.items()}
        tb = {b.written[k]: v for k, v in b.table.items()}
        for entry in [*ta, *(e for e in tb if e not in ta)]:
            x, y = ta.get(entry), tb.get(entry)
            self.changed(self.sub(f"lookup[{entry}]"), x, y, key=freeze, show=literal_text,
                         detail=literal_detail(x, y) if entry in ta and entry in tb else None)
        self.value("default", a.default, b.default)

    def visit_fields(self, a: ir.Fields) -> None:
        b = self.other
        assert isinstance(b, ir.Fields)
        fa = {f.name: f.value for f in a.fields}
        fb = {f.name: f.value for f in b.fields}
        for name in [*fa, *(f for f in fb if f not in fa)]:
            self.value(f"field {name}", fa.get(name), fb.get(name))

    def visit_tiers(self, a: ir.Tiers) -> None:
        b = self.other
        assert isinstance(b, ir.Tiers)
        self.changed(self.sub("tier order"), a.tiers, b.tiers,
                     key=lambda ts: [t.id for t in ts], show=_tier_ids)
        self.value("default", a.default, b.default)

    def visit_table(self, a: ir.Table) -> None:
        b = self.other
        assert isinstance(b, ir.Table)
        did, rec = self.did, self.differ.rec
        self.changed(self.sub("hit policy"), a.hit_policy, b.hit_policy)
        self.changed(self.sub("aggregate"), a.aggregation, b.aggregation,
                     show=lambda x: str(x or "none"))
        self.changed(self.sub("outputs"), a.outputs, b.outputs,
                     key=lambda os: [(o.name, o.type, o.currency, freeze(o.values)) for o in os],
                     show=_outputs_text)
        self.changed(self.sub("inputs"), a.inputs, b.inputs,
                     key=lambda xs: [canon(x) for x in xs],
                     show=lambda xs: ", ".join(expr_text(x) for x in xs))
        same_inputs = [canon(x) for x in a.inputs] == [canon(x) for x in b.inputs]
        inputs = [expr_text(x) for x in b.inputs]
        ra = {r.id: r for r in a.rows}
        rb = {r.id: r for r in b.rows}

        def row_text(r: ir.Row) -> str:
            return f"when {expr_text(r.when) or 'always'}: {row_output_text(r, b)}"

        for rid in [*ra, *(r for r in rb if r not in ra)]:
            rpath = f"{did}.{rid}"
            if rid not in rb:
                rec.removed(did, rpath, "table row", row_text(ra[rid]))
            elif rid not in ra:
                rec.added(did, rpath, "table row", row_text(rb[rid]))
            else:
                x, y = ra[rid], rb[rid]
                detail = focus(x.when, y.when)
                if same_inputs and len(x.cells) == len(y.cells) == len(inputs):
                    cells = [f"{name}: {cell_text(c)} {ARROW} {cell_text(d)}"
                             for name, c, d in zip(inputs, x.cells, y.cells, strict=True)
                             if canon(c) != canon(d)]
                    detail = "; ".join(cells) or detail
                rec.changed(did, rpath, "when", x.when, y.when, key=canon, show=expr_text,
                            detail=detail)
                if x.computed or y.computed:
                    rec.changed(did, rpath, "then", row_output_text(x, a),
                                row_output_text(y, b), quoted=True)
                else:
                    rec.changed(did, rpath, "then", x.then, y.then, key=freeze,
                                show=literal_text, detail=literal_detail(x.then, y.then))
                rec.text_pair(did, rpath, "description", x.description, y.description)
                rec.changed(did, rpath, "source", x.source, y.source, quoted=True)
        if a.hit_policy != ir.HitPolicy.UNIQUE or b.hit_policy != ir.HitPolicy.UNIQUE:
            common_a = [r.id for r in a.rows if r.id in rb]
            common_b = [r.id for r in b.rows if r.id in ra]
            self.changed(self.sub("row order"), common_a, common_b, show=_ids)
        self.value("default", a.default, b.default)
