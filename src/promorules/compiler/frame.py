"""Pipeline stage 4b (code generation): what the emitters of one decision share.

The generated module of a decision has one namespace (:class:`~.names.Names`), one node
table, one variable per node (``rule_deposit``), per fact (its name) and per decision it
uses; and a record of which rule each generated statement comes from (the line table).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from .. import ir
from ..facts import FactType
from . import pyast as P
from .compiled import CompiledDecision
from .names import Names
from .nodes import NodeTable

__all__ = ["Frame"]

_VAR_PREFIX = {"case": "", "item": "", "default": "default_case", "row": "row_",
               "part": "part_", "requires": "requirements"}


class Frame:
    """Names, node table and line origins of one decision's generated module."""

    def __init__(self, decision: ir.Decision, names: Names, table: NodeTable,
                 compiled: Callable[[str], CompiledDecision]) -> None:
        self.decision = decision
        self.names = names
        self.table = table
        self.compiled = compiled  # a decision this one uses, compiled
        # what each statement stands for: (rule id, YAML line), by statement identity
        self.origins: dict[int, tuple[str, int | None]] = {}
        self.facts: dict[str, str] = {}  # fact name -> its variable, in first-read order
        self.fact_types: dict[str, FactType] = {}
        self.subs: dict[str, tuple[str, str]] = {}  # decision -> (record var, value var)
        self.today = ""
        self._defaults = ""  # the variable of the facts that took their default
        self.vars = [self._node_var(i) for i in range(len(table.drafts))]

    def _node_var(self, i: int) -> str:
        info = self.table.drafts[i].info
        kind, node_id = info["kind"], info["id"]
        if kind in ("check", "all", "any", "not", "decision", "tier"):
            return self.names.fresh(f"rule_{node_id}")
        if kind in _VAR_PREFIX:
            prefix = _VAR_PREFIX[kind]
            return self.names.fresh(prefix if kind in ("default", "requires")
                                    else prefix + node_id)
        return self.names.fresh(f"value_{node_id}")

    def var(self, node: Any) -> str:
        """The variable of an IR node's value."""
        return self.vars[self.table.of(node)]

    def fact(self, ref: ir.FactRef) -> str:
        """The variable of a fact (its name, made an identifier)."""
        name = ref.name
        if name not in self.facts:
            self.facts[name] = self.names.fresh(name)
            self.fact_types[name] = ref.fact
        return self.facts[name]

    def defaulted(self) -> list[tuple[str, str, FactType]]:
        """(name, variable, type) of each fact read that declares a default."""
        return [(n, v, self.fact_types[n]) for n, v in self.facts.items()
                if self.fact_types[n].default is not None]

    def defaults_var(self) -> str | None:
        """The variable listing the facts that took their default (None: no fact read
        declares one)."""
        if not self.defaulted():
            return None
        if not self._defaults:
            self._defaults = self.names.fresh("defaults")
        return self._defaults

    def record_args(self) -> list[ast.expr]:
        """The arguments of ``_Record`` after ``subs``: the defaults taken, if any can be."""
        var = self.defaults_var()
        return [] if var is None else [P.name(var)]

    def sub(self, decision: str) -> tuple[str, str]:
        """(record variable, outcome-or-value variable) of a decision this one uses."""
        if decision not in self.subs:
            self.subs[decision] = (self.names.fresh(f"record_{decision}"),
                                   self.names.fresh(f"decision_{decision}"))
        return self.subs[decision]

    def mark(self, stmt: ast.stmt, node: Any) -> ast.stmt:
        """Note which rule (or value) ``stmt`` computes, for the line table."""
        info = self.table.drafts[self.table.of(node)].info
        span = getattr(node, "span", None)
        if span is None and hasattr(node, "when"):
            span = node.when.span
        self.origins[id(stmt)] = (info["id"], span.line if span is not None else None)
        return stmt
