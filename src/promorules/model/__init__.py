"""Pipeline stage 3: schema-valid plain data -> a frozen model of the ruleset.

Expressions are parsed here (located syntax errors), names are checked to be unique,
citations resolved, fact and parameter declarations checked for consistency, and parameter
overrides applied. Everything found is collected, not just the first problem.
"""

from __future__ import annotations

from .build import build_model, expression_offset
from .classes import (
    Case,
    Decision,
    Expr,
    ListDecl,
    Param,
    Rounding,
    Rule,
    RulesetModel,
    TableOutput,
    TableRow,
    ValueSpec,
)

__all__ = [
    "Case",
    "Decision",
    "Expr",
    "ListDecl",
    "Param",
    "Rounding",
    "Rule",
    "RulesetModel",
    "TableOutput",
    "TableRow",
    "ValueSpec",
    "build_model",
    "expression_offset",
]
