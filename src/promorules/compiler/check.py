"""Pipeline stage 4a: model -> typed IR (the checking stage).

Every decision is type-checked and its names resolved; every diagnostic (PR3xx, PR4xx)
and every lint (PR7xx) of the compiler comes from here, located at its YAML line and
column. Decisions are checked in declaration order, and a decision another one uses is
checked first (so cycles are found). A decision with a problem is left out of the IR;
one run still reports the problems of every decision.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .. import ir
from ..errors import RulesetError
from ..expressions import ast
from ..facts import suggest
from ..ir import ANY, BOOL, NUMBER, STRING, Span, Ty
from ..loader import Document, Path
from ..model import Decision, Expr, Rule, RulesetModel, ValueSpec, expression_offset
from . import check_table, lints
from .check_expr import NUMERIC, CheckError, ExprChecker, scale_value

__all__ = ["check_ruleset", "freeze", "literal_ty"]


class _Skip(Exception):
    """A part that did not check (already reported): skip what depends on it."""


class _RulesetChecker:
    def __init__(self, model: RulesetModel, doc: Document) -> None:
        self.model = model
        self.doc = doc
        self.checked: dict[str, ir.Decision] = {}
        self.in_progress: list[str] = []
        self.errors: list[RulesetError] = []
        self._reported: set[str] = set()
        self.lints: list[RulesetError] = []  # warnings: the ruleset loads, check reports them

    def report(self, error: RulesetError) -> None:
        text = error.format()
        if text not in self._reported:  # the same problem found twice is reported once
            self._reported.add(text)
            self.errors.append(error)

    def located(self, e: CheckError, expr: Expr) -> RulesetError:
        offset = expression_offset(self.doc, expr.path, expr.text, e.pos)
        message = f"{e.message} in '{expr.text}'" if len(expr.text) <= 80 else e.message
        return self.doc.error(message, e.code, expr.path, offset=offset,
                              suggestion=e.suggestion)

    def span(self, path: Path) -> Span:
        line, column = self.doc.position(path)
        return Span(self.doc.source, line, column)

    def decision(self, did: str, path: Path | None = None) -> ir.Decision:
        if did in self.checked:
            return self.checked[did]
        if did in self.in_progress:
            cycle = [*self.in_progress[self.in_progress.index(did):], did]
            raise self.doc.error("decisions refer to each other in a cycle: "
                                 + " -> ".join(cycle), "PR305", path or ("decisions", did))
        self.in_progress.append(did)
        try:
            checked = _DecisionChecker(self, self.model.decisions[did]).decision()
        finally:
            self.in_progress.pop()
        self.lint(checked)
        self.checked[did] = checked
        return checked

    def lint(self, decision: ir.Decision) -> None:
        """The whole-value analyses, on the decision's IR: tables' and tiers' problems are
        reported (the decision stays); a declared type or money rounding that does not hold
        leaves the decision out (raised)."""
        errors, warnings = lints.value_findings(self.doc, decision)
        for e in errors:
            self.report(e)
        self.lints += warnings
        self.lints += lints.rounded_comparisons(self.doc, decision, self.checked)
        lints.check_output(self.doc, decision)
        lints.check_money_rounding(self.doc, decision)

    def check_all(self) -> dict[str, ir.Decision]:
        for did in self.model.decisions:
            try:
                self.decision(did)
            except _Skip:
                continue
            except RulesetError as e:
                self.report(e)
        return {did: self.checked[did] for did in self.model.decisions if did in self.checked}


class _DecisionChecker:
    """Checks one decision and builds its IR."""

    def __init__(self, rc: _RulesetChecker, decision: Decision) -> None:
        self.rc = rc
        self.doc = rc.doc
        self.model = rc.model
        self.d = decision
        self.exprs = ExprChecker(rc.model, decision.id, self.sub_ty)
        self.broken = False  # a rule did not check (reported): the decision is skipped
        self.tier_ids: dict[str, None] = {}  # lower tiers a tier may require
        self.table_problems = False

    def sub_ty(self, did: str) -> tuple[bool, Ty | None]:
        sub = self.rc.decision(did)
        return sub.kind == ir.DecisionKind.PASSFAIL, sub.ty

    def typed(self, expr: Expr | None, want: str | None = "bool") -> ir.TypedExpr:
        """Check one YAML expression (reported when it fails, and _Skip raised)."""
        if expr is None:
            raise _Skip
        self.exprs.facts = set()
        try:
            tree = self.exprs.check(expr.node)
            if want and tree.ty.kind != want and tree.ty.kind != "any":
                raise CheckError(f"this must be a condition (true/false), but "
                                 f"'{expr.text}' is {tree.ty.describe()}", "PR401", 0)
        except CheckError as e:
            # report it and go on, so that one run lists every broken expression
            self.rc.report(self.rc.located(e, expr))
            raise _Skip from None
        return ir.TypedExpr(expr.text, tree, tuple(sorted(self.exprs.facts)),
                            self.rc.span(expr.path), expr.path, expr.node)

    # -- rules ----------------------------------------------------------------------------

    def rule(self, rule: Rule) -> ir.Rule | None:
        """The IR of a rule, or None when it (or a part of it) did not check."""
        when: ir.TypedExpr | None = None
        ok = True
        if rule.applies_when is not None:
            try:
                when = self.typed(rule.applies_when)
            except _Skip:
                self.broken, ok = True, False
        common: dict[str, Any] = dict(
            id=rule.id, description=rule.description, source=rule.source,
            span=self.rc.span(rule.path), path=rule.path, severity=ir.Severity(rule.severity),
            applies_when=when)
        if rule.kind == "check":
            try:
                expr = self.typed(rule.check)
            except _Skip:
                self.broken = True
                return None
            return ir.Check(expr=expr, **common) if ok else None
        if rule.kind == "tier":
            if rule.decision not in self.tier_ids:
                self.rc.report(self.doc.error(
                    f"'{rule.decision}' is not a lower tier of this decision (a tier can "
                    f"require only the tiers listed before it: "
                    f"{', '.join(self.tier_ids) or 'none'})", "PR303", (*rule.path, "tier")))
                self.broken = True
                return None
            return ir.TierRef(tier=str(rule.decision), **common) if ok else None
        if rule.kind == "decision":
            assert rule.decision is not None
            if rule.decision not in self.model.decisions:
                close = suggest(rule.decision, self.model.decisions)
                self.rc.report(self.doc.error(
                    f"unknown decision '{rule.decision}'"
                    + (f" (did you mean '{close}'?)" if close else ""),
                    "PR303", (*rule.path, "decision"), suggestion=close))
                self.broken = True
                return None
            sub = self.rc.decision(rule.decision, path=(*rule.path, "decision"))
            if sub.kind != ir.DecisionKind.PASSFAIL:
                raise self.doc.error(
                    f"'{rule.decision}' computes a value; a rule can only require a pass/fail "
                    "decision (use it in a check expression instead)", "PR401",
                    (*rule.path, "decision"))
            self.exprs.uses.setdefault(rule.decision)
            return ir.DecisionRef(decision=rule.decision, **common) if ok else None
        children = [self.rule(c) for c in rule.children]
        if not ok or any(c is None for c in children):
            return None
        kids = tuple(c for c in children if c is not None)
        if rule.kind == "not":
            return ir.Not(child=kids[0], **common)
        if rule.kind == "all":
            return ir.All(children=kids, **common)
        return ir.Any(children=kids, **common)

    # -- values ---------------------------------------------------------------------------

    def value(self, spec: ValueSpec, rounding: Any = None) -> ir.Value:
        """The IR of a value spec; ``rounding`` is the decision's, for a plain compute."""
        d = self.d
        where: dict[str, Any] = dict(span=self.rc.span(spec.path), path=spec.path)
        if spec.kind == "literal":
            return ir.Literal(value=freeze(spec.literal), ty=literal_ty(spec.literal), **where)
        if spec.kind == "compute":
            expr = self.typed(spec.compute, want=None)
            if rounding is not None and expr.ty.kind not in NUMERIC:
                raise self.doc.error("'round' applies to numbers and money only", "PR401",
                                     (*d.path, "round"))
            return ir.Compute(expr=expr, ty=expr.ty, rounding=_rounding(rounding), **where)
        if spec.kind == "cases":
            cases = []
            for i, case in enumerate(spec.cases):
                when = self.typed(case.when)
                cases.append(ir.Case(id=f"case_{i + 1}", when=when,
                                     value=self.inline(case.value)))
            tys = [c.value.ty for c in cases]
            default = None
            if spec.default is not None:
                default = ir.Default(value=self.inline(spec.default))
                tys.append(default.value.ty)
            kinds = {t.kind for t in tys if t.kind != "any"}
            return ir.Cases(cases=tuple(cases), default=default,
                            ty=tys[0] if len(kinds) == 1 else ANY, **where)
        if spec.kind == "collect":
            items = []
            for i, case in enumerate(spec.cases):
                when = self.typed(case.when)
                items.append(ir.Item(id=f"item_{i + 1}", when=when,
                                     value=self.inline(case.value)))
            tys = [c.value.ty for c in items]
            item = tys[0] if tys and all(t == tys[0] for t in tys) else ANY
            return ir.Collect(items=tuple(items), ty=Ty("list", item=item), **where)
        if spec.kind == "lookup":
            return self.lookup(spec, where)
        if spec.kind == "tiers":
            self.tier_ids = {}
            tiers = []
            for tier in spec.tiers:
                checked = self.rule(tier)
                self.tier_ids[tier.id] = None
                if checked is not None:
                    tiers.append(ir.Tier(id=tier.id, rule=checked))
            return ir.Tiers(tiers=tuple(tiers), default=self.literal(spec.default), ty=STRING,
                            **where)
        if spec.kind == "table":
            return self.table(spec, where)
        if spec.kind == "split":
            amount = self.typed(spec.compute, want=None)
            if amount.ty.kind not in NUMERIC:
                raise self.doc.error("split needs an amount (a number or money)", "PR401",
                                     (*spec.path, "split", "amount"))
            rounding = _rounding(spec.rounding)
            assert rounding is not None
            return ir.Split(amount=amount, parts=tuple(ir.Part(name=n, percent=p)
                                                       for n, p in spec.parts),
                            rounding=rounding, ty=Ty("mapping"), **where)
        fields = tuple(ir.Field(name=name, value=self.value(sub))
                       for name, sub in spec.fields.items())
        return ir.Fields(fields=fields, ty=Ty("mapping"), **where)

    def inline(self, spec: ValueSpec) -> ir.Literal | ir.Compute:
        """A case's (or default's) value: a literal or a formula."""
        where: dict[str, Any] = dict(span=self.rc.span(spec.path), path=spec.path)
        if spec.kind == "literal":
            return ir.Literal(value=freeze(spec.literal), ty=literal_ty(spec.literal), **where)
        expr = self.typed(spec.compute, want=None)
        return ir.Compute(expr=expr, ty=expr.ty, **where)

    def literal(self, spec: ValueSpec | None) -> ir.Literal | None:
        if spec is None:
            return None
        return ir.Literal(value=freeze(spec.literal), ty=literal_ty(spec.literal),
                          span=self.rc.span(spec.path), path=spec.path)

    def lookup(self, spec: ValueSpec, where: dict[str, Any]) -> ir.Lookup:
        key = self.typed(spec.key, want=None)
        table: dict[Any, Any] = {}
        written: dict[Any, str] = {}
        kt = key.ty
        for k, v in spec.table.items():
            if kt.kind in ("enum", "ordinal") and kt.scale is not None:
                try:
                    resolved = scale_value(kt.scale, kt.kind, str(k), key.syntax)
                except CheckError as e:
                    raise self.doc.error(e.message, e.code, (*spec.path, "lookup", "table", k),
                                         at_key=True, suggestion=e.suggestion) from None
            elif kt.kind == "bool":
                if str(k) not in ("true", "false"):
                    raise self.doc.error(f"'{k}' is not true or false", "PR308",
                                         (*spec.path, "lookup", "table", k), at_key=True)
                resolved = str(k) == "true"
            else:
                resolved = str(k)
            table[resolved] = freeze(v)
            written[resolved] = str(k)
        if spec.default is None and kt.kind in ("enum", "ordinal", "bool") and kt.scale is not None:
            scale = kt.scale.values
            if kt.kind == "enum":
                gaps = [k for k in scale if k not in table]
            else:
                gaps = [scale[n] for n in range(len(scale)) if n not in table]
            if gaps:
                raise self.doc.error(
                    f"lookup table has no row for {', '.join(map(str, gaps))} and no default",
                    "PR308", (*spec.path, "lookup", "table"))
        values = list(table.values())
        return ir.Lookup(key=key, table=MappingProxyType(table),
                         written=MappingProxyType(written), default=self.literal(spec.default),
                         ty=literal_ty(values[0]) if values else ANY, **where)

    def table(self, spec: ValueSpec, where: dict[str, Any]) -> ir.Table:
        width = max(len(spec.outputs), 1)
        rows = []
        cells: list[list[ir.Literal | ir.Compute]] = [[] for _ in range(width)]
        for row in spec.rows:
            when = self.typed(row.when)
            outputs = tuple(self.inline(o) for o in row.outputs)
            if len(outputs) != width:
                raise _Skip  # reported when the model was built
            for k, o in enumerate(outputs):
                cells[k].append(o)
            then = (None if any(isinstance(o, ir.Compute) for o in outputs)
                    else freeze(row.then))
            rows.append(ir.Row(
                id=row.id, when=when, cells=_cells(row.cells, when.tree), then=then,
                description=row.description, source=row.source, span=self.rc.span(row.path),
                path=row.path, outputs=outputs))
        inputs = tuple(self.typed(i, want=None) for i in spec.inputs)
        columns = check_table.output_columns(self.doc, spec, cells)
        for built in rows:
            for column, out in zip(columns, built.outputs, strict=True):
                if isinstance(out, ir.Literal):
                    self.table_literal(column, out.value, out.path)
        default = self.literal(spec.default)
        if default is not None:
            if columns[0].name is None:
                self.table_literal(columns[0], default.value, default.path)
            else:
                for column in columns:
                    name = str(column.name)
                    if name in default.value:
                        self.table_literal(column, default.value[name], (*default.path, name))
        policy = ir.HitPolicy(spec.hit_policy)
        aggregation = None if spec.aggregate is None else ir.Aggregation(spec.aggregate)
        check_table.check_aggregation(self.doc, aggregation, columns[0],
                                      (*spec.path, "table", "aggregate"))
        if self.table_problems:
            self.table_problems = False
            raise _Skip
        return ir.Table(hit_policy=policy, inputs=inputs, rows=tuple(rows), default=default,
                        ty=check_table.table_ty(policy, aggregation, columns),
                        outputs=columns, aggregation=aggregation, **where)

    def table_literal(self, column: ir.TableOutput, value: Any, path: Path) -> None:
        problem = check_table.check_literal(self.doc, column, value, path)
        if problem is not None:
            self.rc.report(problem)
            self.table_problems = True  # every literal is checked; the table is then skipped

    # -- the decision ---------------------------------------------------------------------

    def decision(self) -> ir.Decision:
        d = self.d
        common: dict[str, Any] = dict(
            id=d.id, description=d.description, source=d.source, span=self.rc.span(d.path),
            path=d.path, rounding=_rounding(d.rounding),
            type=ir.OutputType(d.type) if d.type is not None else None, currency=d.currency)
        if d.kind == "passfail":
            assert d.rule is not None
            root = self.rule(d.rule)
            if self.broken or root is None:
                raise _Skip
            output = self.value(d.output) if d.output is not None else None
            return ir.Decision(kind=ir.DecisionKind.PASSFAIL, rule=root, output=output,
                               ty=output.ty if output is not None else None,
                               uses=tuple(self.exprs.uses), uses_time=self.exprs.uses_time,
                               **common)
        requires = None
        if d.requires:
            reqs = [self.rule(r) for r in d.requires]
            requires = ir.Requires(rules=tuple(r for r in reqs if r is not None),
                                   span=self.rc.span((*d.path, "requires")),
                                   path=(*d.path, "requires"))
        assert d.value is not None
        value = self.value(d.value, d.rounding)
        return ir.Decision(kind=ir.DecisionKind.VALUE, value=value, requires=requires,
                           ty=value.ty, uses=tuple(self.exprs.uses),
                           uses_time=self.exprs.uses_time, **common)


def _rounding(r: Any) -> ir.Rounding | None:
    return None if r is None else ir.Rounding(r.places, ir.RoundingMode(r.mode))


def _cells(cells: tuple[ast.Node | None, ...], when: ir.Expr) -> tuple[ir.Expr | None, ...]:
    """The typed condition of each cell: the row's condition is their left-nested ``and``."""
    present = sum(c is not None for c in cells)
    parts: list[ir.Expr] = []
    node = when
    for _ in range(present - 1):
        assert isinstance(node, ir.Logic) and node.op == "and"
        parts.append(node.right)
        node = node.left
    if present:
        parts.append(node)
    parts.reverse()
    it = iter(parts)
    return tuple(None if c is None else next(it) for c in cells)


def freeze(value: Any) -> Any:
    """A YAML value made immutable: lists become tuples, mappings read-only."""
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    return value


def literal_ty(value: Any) -> Ty:
    """The static type of a literal value."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, Decimal)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, (list, tuple)):
        return Ty("list", item=literal_ty(value[0]) if value else ANY)
    if isinstance(value, (dict, MappingProxyType)):
        return Ty("mapping")
    return ANY


def check_ruleset(model: RulesetModel, doc: Document
                  ) -> tuple[dict[str, ir.Decision], list[RulesetError], list[RulesetError]]:
    """Check every decision: their IR (those without problems), every problem, and the
    lint warnings."""
    rc = _RulesetChecker(model, doc)
    checked = rc.check_all()
    return checked, rc.errors, rc.lints
