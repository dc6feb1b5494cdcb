"""The testing kit's view of a loaded ruleset's IR: a decision's IR, the decisions it uses,
and the facts it reads (the walks themselves are :mod:`promorules.ir.walk`'s)."""

from __future__ import annotations

from .. import ir
from ..ruleset import Ruleset

__all__ = ["closure", "decision_ir", "fact_names"]


def decision_ir(rs: Ruleset, decision: str) -> ir.Decision:
    """The checked IR of one decision of a loaded ruleset."""
    checked = rs.decisions[decision].ir
    assert checked is not None, f"decision '{decision}' has no IR"  # a loaded ruleset has
    return checked


def closure(rs: Ruleset, decision: str) -> list[str]:
    """``decision`` and every decision it uses (``decision:`` rules, names), in order."""
    seen: dict[str, None] = {}

    def visit(did: str) -> None:
        if did not in seen:
            seen[did] = None
            for sub in decision_ir(rs, did).uses:
                visit(sub)

    visit(decision)
    return list(seen)


def fact_names(rs: Ruleset, decision: str) -> tuple[str, ...]:
    """The facts ``decision`` reads, itself or through the decisions it uses."""
    names: dict[str, None] = {}
    for did in closure(rs, decision):
        for _owner, expr in ir.expressions(decision_ir(rs, did)):
            names.update(dict.fromkeys(expr.facts))
    return tuple(names)
