"""Pipeline stage 4: model -> typed IR (checking) -> compiled decisions (generation).

:func:`compile_ruleset` runs the checking stage (:mod:`.check`), which reports every
diagnostic and lint, and, when it found no problem, generates a Python function per decision
(:mod:`.generate`) against the runtime in :mod:`.runtime`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .compiled import VALUE_ROOT, CompiledDecision, FailedLeaf, NodeInfo
from .hits import NULL, Hit, TableStatic, resolve_table
from .runtime import DECIMAL_CONTEXT, FAILED, NA, Record, exact_facts

if TYPE_CHECKING:
    from ..errors import RulesetError
    from ..loader import Document
    from ..model import RulesetModel

__all__ = ["DECIMAL_CONTEXT", "FAILED", "NA", "NULL", "VALUE_ROOT", "CompiledDecision",
           "FailedLeaf", "Hit", "NodeInfo", "Record", "TableStatic", "compile_ruleset",
           "exact_facts", "resolve_table"]


def compile_ruleset(model: RulesetModel, doc: Document, *, clean: bool = True,
                    from_file: bool = False
                    ) -> tuple[dict[str, CompiledDecision], list[RulesetError],
                               list[RulesetError]]:
    """Check and compile every decision; returns them, every problem found, and lint
    warnings. Nothing is compiled when the checker (or, ``clean`` False, an earlier stage)
    found a problem: the ruleset does not load then. ``from_file``: the ruleset was read
    from a file (whose first line should name the schema, PR723)."""
    # imported on first use, so that `import promorules` stays light
    from .check import check_ruleset
    from .generate import generate
    from .ruleset_lints import ruleset_lints

    checked, errors, lints = check_ruleset(model, doc)
    if errors or not clean:
        return {}, errors, lints
    lints = [*lints, *ruleset_lints(model, doc, checked, from_file=from_file)]
    return generate(checked, models=model.decisions, ruleset_id=model.id,
                    timezone=model.timezone, calendar=model.calendar), errors, lints
