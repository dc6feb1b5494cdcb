"""Pipeline stage 4 output: a compiled decision (its function, its static node table and
its typed IR), what evaluation and the trace builder read."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .runtime import Record

if TYPE_CHECKING:
    from ..ir import Decision as DecisionIR
    from ..ir import Ty
    from ..model import Decision

__all__ = ["VALUE_ROOT", "CompiledDecision", "FailedLeaf", "NodeInfo"]

VALUE_ROOT = -1  # the node index of a failed leaf that is a value decision as a whole


class FailedLeaf:
    """A rule that decided a failure, as a decision's failed-leaves function names it: its
    ``rule_id``, and where it sits: ``path``, the sub-record indexes leading from the
    decision to the rule's own decision, and ``index``, its node there (``VALUE_ROOT``: a
    value decision as a whole). Each is made once, at load, and compares by identity."""

    __slots__ = ("index", "path", "rule_id")

    def __init__(self, rule_id: str, path: tuple[int, ...], index: int) -> None:
        self.rule_id = rule_id
        self.path = path
        self.index = index

    def __repr__(self) -> str:
        return f"FailedLeaf({self.rule_id!r}, {self.path!r}, {self.index!r})"



@attrs.frozen
class NodeInfo:
    """Static description of one trace node: what the record's value at ``index`` means."""

    index: int
    kind: str  # all any not check decision | value cases case default lookup collect item
    #          # fields field requires
    id: str
    description: Any  # Text
    source: str | None
    parent: int | None
    children: tuple[int, ...] = ()
    facts: tuple[str, ...] = ()  # facts this node reads (its own expressions)
    expected: str | None = None
    severity: str = "error"
    decision: str | None = None  # kind "decision": the referenced decision
    compare_op: str | None = None  # for gaps: "<", "<=", ">", ">=", "between"
    detail: Callable[..., Any] | None = None  # (facts, subs, as_of) -> (lhs, rhs[, hi])
    step: Decimal | int | None = None  # smallest step of the compared quantity, if known
    unit: str | None = None  # how to display the compared quantity ("CNY", "%")
    subject: str | None = None  # the fact the gap applies to, when there is one
    value_literal: Any = None  # for case/item nodes: the value they give (when a literal)
    expression: str | None = None  # the expression text (check, when, compute)
    conditional: bool = False  # has `applies_when`: its value may be NA
    tier: bool = False  # the root of a tier's requirements
    lhs_text: str | None = None  # threshold checks: the compared expression, as written
    hit_policy: str | None = None  # decision tables
    table: Any = None  # decision tables: their hits.TableStatic
    formula: Any = None  # compute nodes: the expression's syntax tree, for traces
    rounding: tuple[int, str] | None = None  # compute nodes: (places, mode) when rounded
    when: str | None = None  # case, item and row nodes: the condition, as written


@attrs.frozen
class CompiledDecision:
    """A decision compiled to a function, plus what the trace builder needs."""

    id: str
    model: Decision
    run: Callable[[Mapping[str, Any], Any], Record] = attrs.field(repr=False)
    nodes: tuple[NodeInfo, ...] = attrs.field(repr=False)
    fact_names: tuple[str, ...]
    subs: tuple[str, ...]
    # positions in ``fact_names`` where a record's fact may be the float it came as (read
    # them through ``runtime.exact_facts``)
    float_facts: tuple[int, ...]
    uses_time: bool
    output: Ty | None = attrs.field(repr=False)
    module: ast.Module = attrs.field(repr=False)  # the generated code, as built
    # generated line (of ``source_code``) -> (rule id, YAML line) of what it computes
    line_table: Mapping[int, tuple[str, int | None]] = attrs.field(repr=False)
    # (node values, sub records) of a failed record -> the rules that decided the failure
    # (a value decision: its failed requirements, or itself), in rule order
    failed_leaves: Callable[..., tuple[FailedLeaf, ...]] = attrs.field(repr=False)
    leaves: tuple[FailedLeaf, ...] = attrs.field(repr=False)  # every leaf it can name
    has_warnings: bool = False  # it (or a decision it uses) has warning-severity rules
    ir: DecisionIR | None = attrs.field(default=None, repr=False)  # the checked decision

    @property
    def source_code(self) -> str:
        """The generated module as Python source (``ast.unparse``): ``run_<decision>``,
        a ``detail_<node>`` per node with a gap or formula, and ``failed_<decision>``."""
        return ast.unparse(self.module)

    @property
    def kind(self) -> str:
        """``"passfail"`` or ``"value"``."""
        return self.model.kind

    @property
    def description(self) -> Any:
        return self.model.description

    @property
    def source(self) -> str | None:
        return self.model.source

