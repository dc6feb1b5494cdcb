r"""The typed IR (pipeline stage 4a): the kinds, as ``StrEnum``\s shared with the schema
generator (tools/gen_schema.py)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FLIPPED", "LIST_POLICIES", "NUMERIC_TY", "RANKED_POLICIES", "Aggregation",
           "DecisionKind", "ExprKind", "FactKind", "HitPolicy", "OutputType", "PartKind",
           "RoundingMode", "RuleKind", "Severity", "TyKind", "ValueKind"]



class FactKind(StrEnum):
    """Declared fact types (``facts: {x: {type: ...}}``)."""

    NUMBER = "number"
    INTEGER = "integer"
    PERCENT = "percent"
    MONEY = "money"
    BOOLEAN = "boolean"
    ENUM = "enum"
    ORDINAL = "ordinal"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"


class OutputType(StrEnum):
    """Declared output types of a decision (``type:``)."""

    BOOLEAN = "boolean"
    NUMBER = "number"
    INTEGER = "integer"
    MONEY = "money"
    PERCENT = "percent"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"
    MAPPING = "mapping"


class RuleKind(StrEnum):
    """Pass/fail rule kinds: the YAML key that makes a rule of that kind."""

    CHECK = "check"
    ALL = "all"
    ANY = "any"
    NOT = "not"
    DECISION = "decision"
    TIER = "tier"


class ValueKind(StrEnum):
    """Value kinds: the YAML key that makes a value of that kind (``value`` is a literal)."""

    COMPUTE = "compute"
    CASES = "cases"
    LOOKUP = "lookup"
    COLLECT = "collect"
    FIELDS = "fields"
    LITERAL = "value"
    TIERS = "tiers"
    TABLE = "table"
    SPLIT = "split"


class PartKind(StrEnum):
    """The parts inside a value (and a value decision's requirements)."""

    CASE = "case"
    DEFAULT = "default"
    ITEM = "item"
    ROW = "row"
    TIER = "tier"
    FIELD = "field"
    PART = "part"
    REQUIRES = "requires"


class DecisionKind(StrEnum):
    PASSFAIL = "passfail"
    VALUE = "value"


class HitPolicy(StrEnum):
    """How a decision table combines the rows that match."""

    UNIQUE = "unique"
    ANY = "any"
    PRIORITY = "priority"
    FIRST = "first"
    OUTPUT_ORDER = "output_order"
    RULE_ORDER = "rule_order"
    COLLECT = "collect"


# the hit policies whose value is a list of the matching rows' outputs
LIST_POLICIES = frozenset({HitPolicy.OUTPUT_ORDER, HitPolicy.RULE_ORDER, HitPolicy.COLLECT})
# the hit policies that rank rows by the outputs' value lists
RANKED_POLICIES = frozenset({HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER})


class Aggregation(StrEnum):
    """How a ``collect`` table combines its matching rows' outputs (``aggregate:``)."""

    SUM = "sum"
    MIN = "min"
    MAX = "max"
    COUNT = "count"


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class TyKind(StrEnum):
    """Static type kinds of expressions (``symbol``: a bare name awaiting an enum context)."""

    BOOL = "bool"
    NUMBER = "number"
    MONEY = "money"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    ORDINAL = "ordinal"
    LIST = "list"
    MAPPING = "mapping"
    ANY = "any"
    SYMBOL = "symbol"


NUMERIC_TY = frozenset({TyKind.NUMBER, TyKind.MONEY})  # the kinds arithmetic works on

# a comparison read the other way round: `3000 <= x` is `x >= 3000`
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


class ExprKind(StrEnum):
    CONST = "const"
    FACT = "fact"
    PARAM = "param"
    LIST = "list"
    DECISION = "decision"
    AS_OF = "as_of"
    TODAY = "today"
    UNARY = "unary"
    ARITH = "arith"
    LOGIC = "logic"
    COMPARE = "compare"
    MEMBERSHIP = "membership"
    BETWEEN = "between"
    CALL = "call"
