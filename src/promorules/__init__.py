"""promorules: versioned YAML business rules for e-commerce merchant programmes, compiled
to fast evaluators that return explained pass/fail traces.

    >>> import promorules
    >>> rs = promorules.load("rulesets/1688_spring.yaml")
    >>> result = rs.evaluate("merchant_eligibility", facts)
    >>> result.outcome, result.failed, print(result.explain())
"""

from .errors import FactError, PromorulesError, RulesetError, UnknownDecisionError
from .monitor import Monitor, MonitorEvent
from .registry import Registry, UnknownRulesetError
from .ruleset import Ruleset, check, load, loads
from .text import Text
from .trace import Outcome, Result, RuleResult

__version__ = "0.1.0"

__all__ = [
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
    "check",
    "load",
    "loads",
]
