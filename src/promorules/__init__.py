"""promorules: versioned YAML business rules for e-commerce merchant programmes, compiled
to fast evaluators that return explained pass/fail traces.

    >>> import promorules
    >>> rs = promorules.load("rulesets/1688_spring.yaml")
    >>> result = rs.evaluate("merchant_eligibility", facts)
    >>> result.outcome, result.failed, print(result.explain())

The optional parts (``Monitor``, ``Registry``, ``DecisionLog``, ``required_bump``,
``calendar_table``) are imported on first use (PEP 562), so that ``import promorules``
loads only the pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import FactError, PromorulesError, RulesetError, UnknownDecisionError
from .ruleset import Ruleset, check, load, loads
from .text import Text
from .trace import Outcome, Result, RuleResult

if TYPE_CHECKING:
    from .batch import calendar_table
    from .decision_log import DecisionLog
    from .diff import BumpReport, required_bump
    from .monitor import Monitor, MonitorEvent
    from .registry import Registry, UnknownRulesetError

__version__ = "0.1.0"

__all__ = [
    "BumpReport",
    "DecisionLog",
    "FactError",
    "Monitor",
    "MonitorEvent",
    "Outcome",
    "PromorulesError",
    "Registry",
    "Result",
    "RuleResult",
    "Ruleset",
    "RulesetError",
    "Text",
    "UnknownDecisionError",
    "UnknownRulesetError",
    "__version__",
    "calendar_table",
    "check",
    "load",
    "loads",
    "required_bump",
]

# public name -> the module that defines it, imported when the name is first read
_LAZY = {
    "BumpReport": "diff",
    "DecisionLog": "decision_log",
    "Monitor": "monitor",
    "MonitorEvent": "monitor",
    "Registry": "registry",
    "UnknownRulesetError": "registry",
    "calendar_table": "batch",
    "required_bump": "diff",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later reads do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
