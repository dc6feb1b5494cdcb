"""Policy sheets, the rule trees: a visitor over a decision's IR giving the tree a diagram
draws (:mod:`.diagram`), and what each tier adds over the one below.

A decision's tree has the decision at its root; under it its requirements (``requires``,
one group node), its pass/fail rule, or its tiers, each rule with the rules it holds.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .. import ir
from ..wording import sub_rules, written

__all__ = ["TierAdds", "TreeNode", "decision_tree", "tier_additions"]


@attrs.frozen
class TreeNode:
    """A box of a rule-tree diagram.

    ``kind``: ``decision``, ``requires``, ``tier`` (a tier's own rule), ``all``, ``any``,
    ``not``, ``check``, ``decision_ref`` or ``tier_ref``; ``ident``: the rule (or
    decision) id; ``text``: the short text under it (a check's condition as written, a
    group's logic, what a reference requires); ``added``: a rule a tier adds over the tier
    below.
    """

    kind: str
    ident: str
    text: str
    children: tuple[TreeNode, ...] = ()
    added: bool = False

    def walk(self) -> list[TreeNode]:
        """This node and every node below it, depth first."""
        out = [self]
        for child in self.children:
            out += child.walk()
        return out

    def edges(self) -> list[tuple[TreeNode, TreeNode]]:
        """Every (parent, child) pair of the tree, depth first."""
        out: list[tuple[TreeNode, TreeNode]] = []
        for child in self.children:
            out.append((self, child))
            out += child.edges()
        return out


_GROUP_TEXT = {ir.RuleKind.ALL: "all of these must pass",
               ir.RuleKind.ANY: "any one of these is enough",
               ir.RuleKind.NOT: "this must fail"}

_PASSES_WHEN = {"all": "passes when all of these pass",
                "any": "passes when any one of these passes",
                "not": "passes when this fails"}


class _Tree(ir.Visitor[TreeNode]):
    """A rule as a tree node; ``added``: the ids of the rules to mark as added."""

    def __init__(self, added: frozenset[str] = frozenset()) -> None:
        self.added = added

    def node(self, rule: ir.Rule, kind: str, text: str) -> TreeNode:
        if rule.applies_when is not None:
            text += f" (if {written(rule.applies_when)})"
        if rule.severity != ir.Severity.ERROR:
            text += f" [{rule.severity} only]"
        return TreeNode(kind, rule.id, text, tuple(self.visit(c) for c in sub_rules(rule)),
                        rule.id in self.added)

    def visit_check(self, node: ir.Check) -> TreeNode:
        return self.node(node, "check", written(node.expr))

    def visit_all(self, node: ir.All) -> TreeNode:
        return self.node(node, "all", _GROUP_TEXT[node.kind])

    def visit_any(self, node: ir.Any) -> TreeNode:
        return self.node(node, "any", _GROUP_TEXT[node.kind])

    def visit_not(self, node: ir.Not) -> TreeNode:
        return self.node(node, "not", _GROUP_TEXT[node.kind])

    def visit_decision_ref(self, node: ir.DecisionRef) -> TreeNode:
        return self.node(node, "decision_ref", f"decision {node.decision} passes")

    def visit_tier_ref(self, node: ir.TierRef) -> TreeNode:
        return self.node(node, "tier_ref", f"tier {node.tier} is reached")


class _Conditions(ir.Visitor[dict[str, str]]):
    """The leaf conditions a rule holds, ``{condition: rule id}``; a tier reference stands
    for the referenced tier's own conditions."""

    def __init__(self, tiers: Mapping[str, ir.Rule]) -> None:
        self.tiers = tiers
        self.seen: set[str] = set()

    def leaf(self, rule: ir.Rule, condition: str) -> dict[str, str]:
        if rule.applies_when is not None:
            condition += f" if {written(rule.applies_when)}"
        return {condition: rule.id}

    def group(self, rule: ir.All | ir.Any | ir.Not) -> dict[str, str]:
        out: dict[str, str] = {}
        prefix = "not " if isinstance(rule, ir.Not) else ""
        for child in sub_rules(rule):
            out.update({prefix + k: v for k, v in self.visit(child).items()})
        return out

    def visit_check(self, node: ir.Check) -> dict[str, str]:
        return self.leaf(node, written(node.expr))

    def visit_all(self, node: ir.All) -> dict[str, str]:
        return self.group(node)

    def visit_any(self, node: ir.Any) -> dict[str, str]:
        return self.group(node)

    def visit_not(self, node: ir.Not) -> dict[str, str]:
        return self.group(node)

    def visit_decision_ref(self, node: ir.DecisionRef) -> dict[str, str]:
        return self.leaf(node, f"decision {node.decision}")

    def visit_tier_ref(self, node: ir.TierRef) -> dict[str, str]:
        if node.tier in self.tiers and node.tier not in self.seen:
            self.seen.add(node.tier)
            inherited = self.visit(self.tiers[node.tier])
            self.seen.discard(node.tier)
            return dict.fromkeys(inherited, node.id)
        return self.leaf(node, f"tier {node.tier}")


@attrs.frozen
class TierAdds:
    """What tier ``tier`` adds over ``below`` (None for the lowest tier): the rules whose
    condition the tier below does not hold, as ``(rule id, condition)``."""

    tier: str
    below: str | None
    added: tuple[tuple[str, str], ...]


def tier_additions(tiers: ir.Tiers) -> list[TierAdds]:
    """For each tier from the lowest, the rules it adds over the tier below: its leaf
    rules (checks, decision references) whose condition, as written, the tier below does
    not hold; a reference to a lower tier holds that tier's conditions."""
    by_id = {t.id: t.rule for t in tiers.tiers}
    out: list[TierAdds] = []
    below: dict[str, str] = {}
    below_id: str | None = None
    for tier in tiers.tiers:
        own = _Conditions(by_id).visit(tier.rule)
        added = [(rule_id, condition) for condition, rule_id in own.items()
                 if condition not in below]
        out.append(TierAdds(tier.id, below_id, tuple(dict.fromkeys(added))))
        below, below_id = own, tier.id
    return out


def decision_tree(d: ir.Decision) -> TreeNode | None:
    """The rule tree of a decision, or None when it has no rules (a formula, cases, a
    table...). The rules a tier adds over the tier below are marked ``added``."""
    children: list[TreeNode] = []
    if d.requires is not None and d.requires.rules:
        tree = _Tree()
        children.append(TreeNode("requires", "requires", "all must pass, or no value",
                                 tuple(tree.visit(r) for r in d.requires.rules)))
    if d.rule is not None:
        children.append(_Tree().visit(d.rule))
    if isinstance(d.value, ir.Tiers):
        for tier, adds in zip(d.value.tiers, tier_additions(d.value), strict=True):
            marked = frozenset(r for r, _ in adds.added) if adds.below is not None \
                else frozenset()
            node = _Tree(marked).visit(tier.rule)
            children.append(attrs.evolve(node, kind="tier"))
    if not children:
        return None
    if d.kind == ir.DecisionKind.PASSFAIL and len(children) == 1 and d.rule is not None \
            and d.rule.id == d.id and children[0].children:
        # the decision's own group (its rule, which takes the decision's id): one box
        return TreeNode("decision", d.id, _PASSES_WHEN[children[0].kind],
                        children[0].children)
    if d.kind == ir.DecisionKind.PASSFAIL:
        text = "passes when its rules pass"
    elif isinstance(d.value, ir.Tiers):
        text = "the highest tier reached"
    else:
        text = "a value, once its requirements hold"
    return TreeNode("decision", d.id, text, tuple(children))
