"""Beside the pipeline, a ruleset's own tests: which rules, tiers and table rows the
examples exercised (read from the traces of their results)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ..ruleset import Ruleset
from ..trace import RuleResult
from .run import ExampleResult

__all__ = ["Coverage", "CoverageItem", "coverage", "format_coverage"]


# -- coverage --------------------------------------------------------------------------

_PASS_AND_FAIL = frozenset({"check", "tier ref"})


@attrs.frozen
class CoverageItem:
    """One rule of a decision and the outcomes the examples saw it take.

    ``kind`` is ``check`` (a leaf rule: covered when seen passing and failing), ``tier ref``
    (a requirement ``tier: other``: also pass and fail), ``tier`` or ``row`` (a tier or a
    decision-table row: covered when reached, i.e. seen passing).
    """

    decision: str
    rule_id: str
    kind: str
    outcomes: frozenset[str] = frozenset()

    @property
    def pass_seen(self) -> bool:
        return "pass" in self.outcomes

    @property
    def fail_seen(self) -> bool:
        return "fail" in self.outcomes

    @property
    def covered(self) -> bool:
        if self.kind in _PASS_AND_FAIL:
            return self.pass_seen and self.fail_seen
        return self.pass_seen


@attrs.frozen
class Coverage:
    """Which rules, tiers and table rows of a ruleset its examples exercised."""

    ruleset_id: str
    items: tuple[CoverageItem, ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def covered(self) -> int:
        return sum(1 for item in self.items if item.covered)

    @property
    def percent(self) -> float:
        """Covered items as a percentage of all items (100 when there are none)."""
        return 100.0 if not self.items else 100.0 * self.covered / self.total

    @property
    def uncovered(self) -> tuple[CoverageItem, ...]:
        return tuple(item for item in self.items if not item.covered)


def _items(ruleset: Ruleset) -> list[tuple[str, str, str]]:
    """(decision, rule id, kind) of every item to cover, in rule order."""
    out: list[tuple[str, str, str]] = []
    for did, decision in ruleset.decisions.items():
        nodes = decision.nodes
        roots = [i for i, n in enumerate(nodes) if n.parent is None]
        if decision.kind == "passfail":
            roots = roots[:1]  # the rule tree; an `output:` value has no rules of its own
        seen: set[str] = set()
        stack = list(reversed(roots))
        while stack:
            info = nodes[stack.pop()]
            stack.extend(reversed(info.children))
            if info.tier:
                kind = "tier"
            elif info.kind in ("check", "row"):
                kind = info.kind
            elif info.kind == "tier":
                kind = "tier ref"
            else:
                continue
            if info.id not in seen:
                seen.add(info.id)
                out.append((did, info.id, kind))
    return out


def _record(node: RuleResult, decision: str,
            seen: dict[tuple[str, str], set[str]]) -> None:
    """Credit ``node`` (a rule of ``decision``) and its descendants with their outcomes."""
    seen.setdefault((decision, node.rule_id), set()).add(str(node.outcome))
    # below a `decision: X` rule, or a tier written as `decision: X` (a tier node carries
    # the decision it stands for, but is itself a tier of `decision`), the rules are X's
    inner = node.decision if node.decision is not None and (
        node.kind == "decision" or node.group == "decision") else decision
    for child in node.children:
        # a referenced decision's trace read inside an expression is a `reference` child;
        # the root of a referenced decision's rule tree carries that decision
        if child.kind == "reference" or (
                child.decision is not None and child.kind != "decision"
                and child.group is None):
            _record(child, child.decision or inner, seen)
        else:
            _record(child, inner, seen)


def coverage(ruleset: Ruleset, results: Iterable[ExampleResult]) -> Coverage:
    """For every rule (check), tier and table row of every decision of ``ruleset``, the
    outcomes the examples' traces show; results of other rulesets are ignored."""
    seen: dict[tuple[str, str], set[str]] = {}
    for r in results:
        if r.result is None or r.result.ruleset_id != ruleset.id:
            continue
        trace = r.result.trace
        _record(trace, trace.decision or r.result.decision, seen)
    items = tuple(CoverageItem(d, rid, kind, frozenset(seen.get((d, rid), ())))
                  for d, rid, kind in _items(ruleset))
    return Coverage(ruleset.id, items)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def format_coverage(cov: Coverage) -> str:
    """The coverage table (decision, rule, kind, pass seen, fail seen) and the percentage."""
    lines = [f"coverage of {cov.ruleset_id}: {cov.covered}/{cov.total} ({cov.percent:.1f}%)"]
    if cov.items:
        rows = [("decision", "rule", "kind", "pass", "fail", "")]
        for item in cov.items:
            rows.append((item.decision, item.rule_id, item.kind,
                         "yes" if item.pass_seen else "no",
                         "yes" if item.fail_seen else "no",
                         "" if item.covered else "<- not covered"))
        lines += ["  " + ln for ln in _table(rows)]
    return "\n".join(lines)


