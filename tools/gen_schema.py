"""Generate the ruleset JSON Schema (draft 2020-12): the source of truth for both copies,
src/promorules/schema/ruleset.schema.json (shipped in the package) and
schema/ruleset.schema.json (published for editors). Run from anywhere:

    python tools/gen_schema.py

tests/unit/test_schema.py fails when the committed files differ from what this produces.
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from promorules.ir import (  # the kinds are shared with the IR
    Aggregation,
    FactKind,
    HitPolicy,
    OutputType,
    RoundingMode,
    RuleKind,
    Severity,
    ValueKind,
)


def ref(name, **extra):
    return {"$ref": f"#/$defs/{name}", **extra}

def desc(text, schema):
    return {"description": text, **schema}

NUMERIC_FACT_TYPES = [k.value for k in (FactKind.NUMBER, FactKind.INTEGER, FactKind.PERCENT,
                                         FactKind.MONEY)]
FACT_TYPES = [k.value for k in FactKind]
PARAM_TYPES = list(NUMERIC_FACT_TYPES)
DECISION_TYPES = [k.value for k in OutputType]
RULE_KINDS = [k.value for k in RuleKind]
PASS_FAIL_KINDS = [k.value for k in (RuleKind.ALL, RuleKind.ANY, RuleKind.NOT)]
VALUE_KINDS = [k.value for k in ValueKind]
HIT_POLICIES = [k.value for k in HitPolicy]
AGGREGATIONS = [k.value for k in Aggregation]
ROUNDING_MODES = [k.value for k in RoundingMode]
SEVERITIES = [k.value for k in Severity]


def exactly_one(keys):
    # oneOf of single-key `required` schemas: "exactly one of these keys".
    return [{"required": [k]} for k in keys]


def const_if(key, value):
    return {"properties": {key: {"const": value}}, "required": [key]}


# ---------------------------------------------------------------- facts
def fact_schema(type_name, doc, extra_props, required=()):
    s = {
        "title": f"{type_name} fact",
        "description": doc,
        "type": "object",
        "properties": {**fact_common(type_name), **extra_props},
        "additionalProperties": False,
    }
    if required:
        s["required"] = list(required)
    return s


def fact_common(type_name):
    t = "list" if type_name.startswith("list") else type_name
    return {
        "type": desc(f"The fact's type ({t} here).", {"const": t}),
        "description": ref("bilingualText", description="What the fact is, in English and Chinese (recommended)."),
        "unit": desc("Unit shown after values in explanations (e.g. points, days).",
                     {"type": "string", "minLength": 1}),
        "unused": desc("Why the fact is declared although no decision reads it (e.g. callers "
                       "send it by contract, and the document says it changes nothing); "
                       "silences the unused-fact warning PR720.",
                       {"type": "string", "minLength": 1}),
        "default": desc("The value taken when the caller does not send the fact (absent or "
                        "null): the fact is then never missing, and results list it under "
                        "`defaults`. Validated against the fact's type at load.",
                        {"type": ["string", "number", "boolean", "array"]}),
    }


MATCH = desc("How text is compared: `exact` (the default) or `chinese` (Traditional and "
             "Simplified characters, full-width and half-width forms are the same: both "
             "sides are converted to one script and to half-width with OpenCC before `==`, "
             "`in` and `contains_any`).", {"enum": ["exact", "chinese"]})


MONOTONE = desc("How decisions are expected to move with this fact: `increasing` (more of it "
                "never lowers a tier) or `decreasing`; checked by promorules.testing.",
                {"enum": ["increasing", "decreasing"]})


def bounds(kind, lo=None, hi=None, what="value"):
    base = {"type": kind}
    if lo is not None:
        base["minimum"] = lo
    if hi is not None:
        base["maximum"] = hi
    return {
        "min": desc(f"Smallest allowed {what} (inclusive); a smaller input is a FactError.", dict(base)),
        "max": desc(f"Largest allowed {what} (inclusive); a larger input is a FactError.", dict(base)),
    }


STEP = desc("The smallest meaningful change of the value (e.g. 0.01); used in explanations.",
            {"type": "number", "exclusiveMinimum": 0})

facts_defs = {
    "fact": {
        "title": "Fact declaration",
        "description": "An input of the ruleset. The keys allowed besides `type`, `description` and `unit` depend on `type`.",
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": desc("The fact's type: number, integer, percent, money, boolean, enum, "
                         "ordinal, string, date, datetime or list.", {"enum": FACT_TYPES}),
        },
        "allOf": [
            {"if": const_if("type", t), "then": ref(f"{t}Fact")} for t in FACT_TYPES
        ],
    },
    "numberFact": fact_schema(
        "number", "A number: integer, finite float or decimal string; exact Decimal inside the engine.",
        {**bounds("number"), "step": STEP, "monotone": MONOTONE}),
    "integerFact": fact_schema(
        "integer", "A whole number.",
        {**bounds("integer"), "monotone": MONOTONE}),
    "percentFact": fact_schema(
        "percent", "A percentage from 0 to 100 (the bounds are implied).",
        {**bounds("number", 0, 100, "percentage"), "step": STEP, "monotone": MONOTONE}),
    "moneyFact": fact_schema(
        "money", "An amount of money in `currency`; Decimal inside the engine.",
        {"currency": ref("currency", description="ISO 4217 currency code of the amount (required for money)."),
         **bounds("number", what="amount"), "monotone": MONOTONE},
        required=["currency"]),
    "booleanFact": fact_schema(
        "boolean", "true or false only (not 0/1, not \"yes\").",
        {}),
    "enumFact": fact_schema(
        "enum", "One of `values` (a string).",
        {"values": ref("enumValues", description="The allowed values.")},
        required=["values"]),
    "ordinalFact": fact_schema(
        "ordinal", "One of `values`, compared by position on the scale.",
        {"values": ref("enumValues", description="The scale, lowest first.")},
        required=["values"]),
    "stringFact": fact_schema(
        "string", "A string.",
        {"match": MATCH}),
    "dateFact": fact_schema(
        "date", "An ISO date (\"2024-03-08\").",
        {}),
    "datetimeFact": fact_schema(
        "datetime", "An ISO date-time; naive ones are read in the ruleset's timezone.",
        {}),
    "listFact": {
        "title": "list fact",
        "description": "A list of `items`; a tuple inside the engine.",
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": desc("The item type: string, number, integer, or enum (with `values`).",
                          {"enum": ["string", "number", "integer", "enum"]}),
        },
        "if": const_if("items", "enum"),
        "then": ref("listOfEnumFact"),
        "else": ref("listOfScalarFact"),
    },
    "listOfEnumFact": fact_schema(
        "list of enum", "A list whose items are among `values`.",
        {"items": desc("The item type.", {"const": "enum"}),
         "values": ref("enumValues", description="The allowed item values.")},
        required=["values"]),
    "listOfScalarFact": fact_schema(
        "list of string/number/integer", "A list of strings, numbers or integers.",
        {"items": desc("The item type: string, number or integer.",
                       {"enum": ["string", "number", "integer"]}),
         "match": MATCH}),
    "enumValues": {
        "description": "A non-empty list of distinct string values.",
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "minLength": 1},
    },
}

# ---------------------------------------------------------------- params
def param_schema(type_name, doc, num, extra=None, required=("default",)):
    props = {
        "type": desc(f"The param's type ({type_name} here).", {"const": type_name}),
        "description": ref("bilingualText", description="What the threshold is, in English and Chinese."),
        "source": ref("sourceCitation", description="Where the document sets or implies this threshold: \"DOC SECTION\"."),
    }
    props["default"] = (desc("The value used unless the service overrides it at load time.", dict(num)))
    props.update(extra or {})
    bound = {"anyOf": [dict(num), ref("identifier")]}
    props["min"] = desc("Smallest allowed value (inclusive), also for overrides; or the name "
                        "of another parameter this one must not be below.", dict(bound))
    props["max"] = desc("Largest allowed value (inclusive), also for overrides; or the name "
                        "of another parameter this one must not exceed.", dict(bound))
    return {
        "title": f"{type_name} param",
        "description": doc,
        "type": "object",
        "properties": props,
        "required": list(required),
        "additionalProperties": False,
    }

params_defs = {
    "param": {
        "title": "Param declaration",
        "description": "A declared threshold with a default, which a service may override at load time.",
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": desc("The param's type: number, integer, percent or money.", {"enum": PARAM_TYPES}),
        },
        "allOf": [
            {"if": const_if("type", t), "then": ref(f"{t}Param")} for t in PARAM_TYPES
        ],
    },
    "numberParam": param_schema("number", "A numeric threshold.", {"type": "number"}),
    "integerParam": param_schema("integer", "A whole-number threshold.", {"type": "integer"}),
    "percentParam": param_schema("percent", "A percentage threshold (0 to 100).",
                                 {"type": "number", "minimum": 0, "maximum": 100}),
    "moneyParam": param_schema(
        "money", "An amount of money in `currency`.", {"type": "number"},
        {"currency": ref("currency", description="ISO 4217 currency code (required for money).")},
        required=("currency", "default")),
}

# ---------------------------------------------------------------- rules and decisions
def exclusive(kinds, other_keys, *, kind_extras=None, none_kinds=None):
    """allOf branches making exactly one of `kinds` present, with readable errors.

    The object falls in exactly one branch (the first kind it holds, in order, or the
    "none" branch); each branch lists the keys allowed there with `additionalProperties:
    false`, so a second kind reads "Additional properties are not allowed ('all' was
    unexpected)". The branches only restrict key names (`true` subschemas); the values
    are validated once, by the `properties` of the schema using this.
    """
    kind_extras = kind_extras or {}
    branches = []
    for i, k in enumerate(kinds):
        cond = {"required": [k]}
        if i:
            cond["not"] = {"anyOf": [{"required": [e]} for e in kinds[:i]]}
        allowed = [*other_keys, k, *kind_extras.get(k, ())]
        branches.append({"if": cond, "then": {
            "properties": {n: True for n in allowed}, "additionalProperties": False}})
    branches.append({
        "if": {"not": {"anyOf": [{"required": [k]} for k in kinds]}},
        "then": {
            "properties": {n: True for n in other_keys},
            "additionalProperties": False,
            "anyOf": [{"required": [k]} for k in (none_kinds or kinds)],
        },
    })
    return branches


EXCLUSIVE_COMMENT = ("Exactly one of the kind keys: each allOf branch applies to the objects whose first kind key "
                     "(in the listed order) is the given one, or that have none, and lists the keys allowed "
                     "there, so that a second kind key is reported as an unexpected property.")

RULE_COMMON = {
    "id": ref("identifier", description="Rule id, unique within its decision (including nested rules)."),
    "description": ref("bilingualText", description="What the rule requires, in English and Chinese; shown in traces."),
    "source": ref("sourceCitation", description="Citation \"DOC SECTION\", e.g. \"002 §四.6\"."),
    "applies_when": ref("expression", description="When this expression is false the rule is not applicable (skipped by all/any)."),
    "severity": desc("error (default) fails the decision; a failing warning rule only appears in result.warnings.",
                     {"enum": SEVERITIES, "default": "error"}),
}
RULE_KIND_PROPS = {
    "check": ref("expression", description="Leaf rule: passes when this expression is true."),
    "all": ref("ruleList", description="Group: passes when every child rule passes (or is not applicable)."),
    "any": ref("ruleList", description="Group: passes when at least one child rule passes."),
    "not": ref("rule", description="Group: passes when this one child rule fails."),
    "decision": ref("identifier", description="Passes when that other pass/fail decision passes; its trace becomes this rule's children."),
    "tier": ref("identifier", description="Inside `tiers`: passes when that lower tier's requirements hold."),
}
VALUE_PROPS = {
    "compute": ref("expression", description="An arithmetic, date or boolean expression giving the value."),
    "cases": desc("The first case whose `when` holds gives the value; `default` / `default_compute` otherwise.",
                  {"type": "array", "minItems": 1, "items": ref("conditionalValue")}),
    "default": desc("With `cases`: the literal value when no case holds.", {}),
    "default_compute": ref("expression", description="With `cases`: an expression giving the value when no case holds."),
    "lookup": ref("lookup", description="A table keyed by an expression."),
    "collect": desc("A list built from conditions, in order: the value of each item whose `when` holds.",
                    {"type": "array", "minItems": 1, "items": ref("conditionalValue")}),
    "fields": desc("A mapping whose fields are themselves value specifications.",
                   {"type": "object", "minProperties": 1, "additionalProperties": ref("valueSpec")}),
    "value": desc("A literal value (string, number, boolean, list or mapping).", {}),
    "tiers": desc("Tiers, lowest first: the value is the id of the highest tier whose requirements "
                  "hold (each tier is a rule), `default` when none holds.", ref("ruleList")),
    "table": ref("table", description="A decision table: rows of cells over the input columns, with a hit policy."),
    "split": ref("split", description="An amount split by percentages into parts that add up exactly to it."),
}
CASES_EXTRAS = {"cases": ["default", "default_compute"], "tiers": ["default"]}
NOT_BOTH_DEFAULTS = {"required": ["default", "default_compute"]}
PASS_FAIL_PROPS = {
    "all": ref("ruleList", description="Passes when every rule passes (or is not applicable)."),
    "any": ref("ruleList", description="Passes when at least one rule passes."),
    "not": ref("rule", description="Passes when this rule fails."),
}
DECISION_COMMON = {
    "description": ref("bilingualText", description="What the decision decides or computes, in English and Chinese."),
    "source": ref("sourceCitation", description="Citation \"DOC SECTION\", e.g. \"002 §四\"."),
}
VALUE_DECISION_EXTRA = {
    "type": desc("The output type, checked at load time where it can be.", {"enum": DECISION_TYPES}),
    "currency": ref("currency", description="ISO 4217 currency code, with `type: money`."),
    "round": ref("round", description="How the computed number is rounded, e.g. {places: 2, mode: half_up}."),
    "requires": ref("ruleList", description="Rules that must all pass for the value to be produced; otherwise the outcome is fail and the value None."),
}
PASS_FAIL_EXTRA = {
    "output": ref("valueSpec", description="A value the decision also gives, computed whatever the outcome (e.g. the list of missing documents)."),
}

rules_defs = {
    "rule": {
        "title": "Rule",
        "description": "A node of a rule tree: id, description, source and exactly one of check, all, any, not, decision, tier.",
        "type": "object",
        "required": ["id", "description", "source"],
        "$comment": EXCLUSIVE_COMMENT,
        "properties": {**RULE_COMMON, **RULE_KIND_PROPS},
        "allOf": exclusive(RULE_KINDS, list(RULE_COMMON)),
    },
    "ruleList": {
        "description": "A non-empty list of rules.",
        "type": "array",
        "minItems": 1,
        "items": ref("rule"),
    },
    "conditionalValue": {
        "title": "Conditional value",
        "description": "`when` a condition holds: the literal `value`, or the result of `compute`.",
        "type": "object",
        "required": ["when"],
        "properties": {
            "when": ref("expression", description="Condition; a decision id reads as its outcome."),
            "value": desc("A literal value (string, number, boolean, list or mapping).", {}),
            "compute": ref("expression", description="An expression whose result is the value."),
        },
        "$comment": EXCLUSIVE_COMMENT,
        "allOf": exclusive(["value", "compute"], ["when"]),
    },
    "valueSpec": {
        "title": "Value specification",
        "description": "Exactly one of compute, cases (with optional default or default_compute), lookup, collect, fields, value.",
        "type": "object",
        "properties": VALUE_PROPS,
        "not": NOT_BOTH_DEFAULTS,
        "$comment": EXCLUSIVE_COMMENT,
        "allOf": exclusive(VALUE_KINDS, [], kind_extras=CASES_EXTRAS),
    },
    "table": {
        "title": "Decision table",
        "type": "object",
        "required": ["hit_policy", "inputs", "rows"],
        "properties": {
            "hit_policy": desc("unique: the one matching row; any: the matching rows, which must "
                               "agree; priority: the matching row whose output ranks highest in "
                               "the output's values; first: the first matching row; "
                               "output_order: the matching rows' outputs by priority; "
                               "rule_order and collect: the matching rows' outputs in order.",
                               {"enum": HIT_POLICIES}),
            "aggregate": desc("With collect: one value from the matching rows' outputs (sum, "
                              "min, max, count).", {"enum": AGGREGATIONS}),
            "inputs": desc("The input columns: one expression each.",
                           {"type": "array", "minItems": 1, "items": ref("expression")}),
            "output": ref("tableOutput", description="The single output's type and allowed "
                          "values (its priority order)."),
            "outputs": desc("Several named output columns; each row's then gives one value "
                            "per column.", {"type": "object", "minProperties": 1,
                                            "additionalProperties": ref("tableOutput")}),
            "rows": desc("The rows, in order.", {"type": "array", "minItems": 1,
                                                 "items": ref("tableRow")}),
            "default": desc("The output when no row matches (with several outputs, a mapping "
                            "of some of them).", {}),
        },
        "not": {"required": ["output", "outputs"]},
        "additionalProperties": False,
    },
    "tableOutput": {
        "title": "Table output",
        "type": "object",
        "properties": {
            "type": desc("The output's type.", {"enum": DECISION_TYPES}),
            "currency": ref("currency", description="With type money."),
            "values": desc("The allowed values, highest priority first.",
                           {"type": "array", "minItems": 1}),
        },
        "additionalProperties": False,
    },
    "tableRow": {
        "title": "Table row",
        "type": "object",
        "required": ["when", "then"],
        "properties": {
            "id": ref("identifier", description="Row id (row_1, row_2... when omitted)."),
            "description": ref("bilingualText", description="What the row means."),
            "source": ref("sourceCitation", description="Citation \"DOC SECTION\"."),
            "when": desc("One cell per input: '-' (any), a literal (equal), a list (one of), a "
                         "comparison as text ('>= 10'), a range ('[1..10)'), tests separated by "
                         "commas ('< 18, >= 60') or 'not(...)'.",
                         {"type": "array", "minItems": 1}),
            "then": desc("The row's output: a literal, or {compute: EXPRESSION}; with several "
                         "outputs, a mapping with one such cell per output.", {}),
        },
        "additionalProperties": False,
    },
    "split": {
        "title": "Exact split",
        "type": "object",
        "required": ["amount", "parts", "round"],
        "properties": {
            "amount": ref("expression", description="The amount to split."),
            "parts": desc("Part name → percentage, in order; they add up to 100. The last part "
                          "takes the remainder.", {"type": "object", "minProperties": 2,
                                                   "additionalProperties": {
                                                       "type": "number", "minimum": 0,
                                                       "maximum": 100}}),
            "round": ref("round", description="How each part but the last is rounded."),
        },
        "additionalProperties": False,
    },
    "lookup": {
        "title": "Lookup table",
        "type": "object",
        "required": ["key", "table"],
        "properties": {
            "key": ref("expression", description="Expression giving the key (an enum fact, usually)."),
            "table": desc("Key → value; values are literals.", {"type": "object", "minProperties": 1}),
            "default": desc("Value for a key not in the table; without it an unlisted key fails.", {}),
        },
        "additionalProperties": False,
    },
    "round": {
        "title": "Rounding",
        "description": "How the computed number is rounded (money is never rounded implicitly).",
        "type": "object",
        "required": ["places", "mode"],
        "properties": {
            "places": desc("Number of decimal places (0 to 10).", {"type": "integer", "minimum": 0, "maximum": 10}),
            "mode": desc("Rounding mode.", {"enum": ROUNDING_MODES}),
        },
        "additionalProperties": False,
    },
    "decision": {
        "title": "Decision",
        "description": "Pass/fail (exactly one of all, any, not) or value (exactly one of compute, cases, lookup, collect, fields, value; optionally type, currency, round, requires).",
        "type": "object",
        "required": ["description"],
        "properties": {**DECISION_COMMON, **PASS_FAIL_PROPS, **PASS_FAIL_EXTRA,
                       **VALUE_DECISION_EXTRA, **VALUE_PROPS},
        "$comment": EXCLUSIVE_COMMENT,
        "if": {"anyOf": [{"required": [k]} for k in PASS_FAIL_KINDS]},
        "then": {
            "$comment": "Pass/fail decision: exactly one of all, any, not.",
            "allOf": exclusive(PASS_FAIL_KINDS, list(DECISION_COMMON) + list(PASS_FAIL_EXTRA)),
        },
        "else": {
            "$comment": "Value decision: exactly one of compute, cases, lookup, collect, fields, value.",
            "not": NOT_BOTH_DEFAULTS,
            "dependentSchemas": {
                "currency": {"required": ["type"], "properties": {"type": {"const": "money"}}},
            },
            "allOf": exclusive(VALUE_KINDS, list(DECISION_COMMON) + list(VALUE_DECISION_EXTRA),
                               kind_extras=CASES_EXTRAS, none_kinds=PASS_FAIL_KINDS + VALUE_KINDS),
        },
    },
}

# ---------------------------------------------------------------- scalars
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$"
DATE_OR_DATETIME_RE = r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
scalar_defs = {
    "bilingualText": {
        "title": "Bilingual text",
        "description": "Text in English and Chinese: {en: ..., zh: ...}; both are required.",
        "type": "object",
        "required": ["en", "zh"],
        "properties": {
            "en": desc("English text.", {"type": "string", "minLength": 1}),
            "zh": desc("Chinese text.", {"type": "string", "minLength": 1}),
        },
        "additionalProperties": False,
    },
    "identifier": {
        "description": "An identifier: a letter or underscore, then letters, digits or underscores.",
        "type": "string",
        "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$",
    },
    "sourceCitation": {
        "description": "A citation \"DOC SECTION\" (a key of `sources`, a space, then the document's own section numbering), or a list of them when a rule comes from several places.",
        "anyOf": [
            {"$ref": "#/$defs/oneCitation"},
            {"type": "array", "items": {"$ref": "#/$defs/oneCitation"}, "minItems": 1},
        ],
        "examples": ["002 §四.6", ["001 §2", "004 §4"]],
    },
    "oneCitation": {
        "description": "A citation \"DOC SECTION\": a key of `sources`, a space, then the document's own section numbering.",
        "type": "string",
        "pattern": r"^\S+ .+$",
        "examples": ["002 §四.6"],
    },
    "semver": {
        "description": "A semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0).",
        "type": "string",
        "pattern": r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$",
    },
    "expression": {
        "description": "An expression of the promorules expression language (parsed and type-checked by the engine at load time).",
        "type": "string",
        "pattern": r"\S",
    },
    "currency": {
        "description": "An ISO 4217 currency code (e.g. CNY).",
        "type": "string",
        "pattern": r"^[A-Z]{3}$",
        "examples": ["CNY"],
    },
    "date": {
        "description": "A date YYYY-MM-DD.",
        "type": "string",
        "pattern": DATE_RE,
    },
    "dateTime": {
        "description": "An ISO date-time YYYY-MM-DDTHH:MM[:SS[.fff]] with an optional Z or ±HH:MM offset.",
        "type": "string",
        "pattern": DATETIME_RE,
    },
    "dateOrDateTime": {
        "description": "A date YYYY-MM-DD or an ISO date-time YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM].",
        "type": "string",
        "pattern": DATE_OR_DATETIME_RE,
    },
}

# ---------------------------------------------------------------- misc sections
misc_defs = {
    "sourceDocument": {
        "title": "Source document",
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": desc("File name of the document; traces render citations with it.", {"type": "string", "minLength": 1}),
            "title": desc("The document's title.", {"type": "string", "minLength": 1}),
        },
        "additionalProperties": False,
    },
    "list": {
        "title": "List declaration",
        "description": "A named constant list, used by name in expressions.",
        "type": "object",
        "required": ["items"],
        "properties": {
            "description": ref("bilingualText", description="What the list holds, in English and Chinese."),
            "source": ref("sourceCitation", description="Citation \"DOC SECTION\"."),
            "items": desc("The items: strings or numbers.",
                          {"type": "array", "items": {"type": ["string", "number"]}}),
            "match": MATCH,
        },
        "additionalProperties": False,
    },
    "calendar": {
        "title": "Calendar overrides",
        "description": "Additions and corrections to the mainland China working-day calendar.",
        "type": "object",
        "properties": {
            "holidays": desc("Extra public holidays (non-working days).",
                             {"type": "array", "items": ref("holiday")}),
            "workdays": desc("Extra working days (e.g. adjusted weekend working days), YYYY-MM-DD.",
                             {"type": "array", "items": ref("date")}),
            "years": desc("Years the calendar library does not know, whose holidays and working "
                          "days are listed here in full: only these years become usable.",
                          {"type": "array", "items": {"type": "integer", "minimum": 1900,
                                                      "maximum": 2200}}),
        },
        "additionalProperties": False,
    },
    "holiday": {
        "type": "object",
        "required": ["date"],
        "properties": {
            "date": ref("date", description="The holiday, YYYY-MM-DD."),
            "name": desc("The holiday's name.", {"type": "string", "minLength": 1}),
        },
        "additionalProperties": False,
    },
    "example": {
        "title": "Example",
        "description": "Facts and the result they must give; run by `promorules test`.",
        "type": "object",
        "required": ["name", "decision", "expect"],
        "properties": {
            "name": desc("What the example shows.", {"type": "string", "minLength": 1}),
            "decision": ref("identifier", description="The decision to evaluate."),
            "facts_file": desc("A JSON facts file, relative to the file holding the example.",
                               {"type": "string", "minLength": 1}),
            "facts": desc("Facts (merged over facts_file).", {"type": "object"}),
            "as_of": ref("dateOrDateTime", description="The evaluation instant."),
            "params": desc("Parameter overrides.", {"type": "object"}),
            "expect": {
                "type": "object",
                "required": ["outcome"],
                "properties": {
                    "outcome": desc("pass, fail or unknown.", {"enum": ["pass", "fail", "unknown"]}),
                    "value": desc("The value (money and dates as strings).", {}),
                    "failed": desc("Exactly these failed rule ids, in order.",
                                   {"type": "array", "items": {"type": "string"}}),
                    "missing": desc("Exactly these missing facts.",
                                    {"type": "array", "items": {"type": "string"}}),
                    "warnings": desc("How many warnings.", {"type": "integer", "minimum": 0}),
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "changelogEntry": {
        "title": "Changelog entry",
        "type": "object",
        "required": ["version"],
        "properties": {
            "version": ref("semver", description="The ruleset version this entry describes."),
            "date": ref("date", description="Release date, YYYY-MM-DD."),
            "changes": desc("The changes, one per item.",
                            {"type": "array", "items": {"anyOf": [{"type": "string"}, ref("bilingualText")]}}),
            "description": desc("Summary of the changes.", {"anyOf": [{"type": "string"}, ref("bilingualText")]}),
        },
        "additionalProperties": False,
    },
}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://promorules.dev/schema/ruleset.schema.json",
    "title": "promorules ruleset",
    "description": "A promorules ruleset: business rules of one or a few documents, as facts, params, lists and decisions. Structural schema: expressions are checked by the engine at load time.",
    "type": "object",
    "required": ["id", "version", "title", "timezone", "sources", "facts", "decisions"],
    "properties": {
        "id": desc("The ruleset id: lowercase letters, digits and underscores (e.g. 1688_spring).",
                   {"type": "string", "pattern": r"^[a-z0-9_]+$"}),
        "version": ref("semver", description="The ruleset's semantic version, MAJOR.MINOR.PATCH (e.g. 1.0.0)."),
        "title": ref("bilingualText", description="The ruleset's title, in English and Chinese."),
        "description": ref("bilingualText", description="What the ruleset covers, in English and Chinese."),
        "timezone": desc("IANA time zone (e.g. Asia/Shanghai); naive date-times and as_of dates are read in it.",
                         {"type": "string", "pattern": r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*$",
                          "examples": ["Asia/Shanghai"]}),
        "sources": desc("The documents this ruleset encodes, by document id (the DOC of citations).",
                        {"type": "object", "minProperties": 1,
                         "propertyNames": {"pattern": r"^\S+$"},
                         "additionalProperties": ref("sourceDocument")}),
        "calendar": ref("calendar", description="Overrides for the working-day calendar."),
        "facts": desc("The inputs, by name.",
                      {"type": "object", "propertyNames": ref("identifier"),
                       "additionalProperties": ref("fact")}),
        "params": desc("Declared, overridable thresholds, by name.",
                       {"type": "object", "propertyNames": ref("identifier"),
                        "additionalProperties": ref("param")}),
        "lists": desc("Named constant lists, by name.",
                      {"type": "object", "propertyNames": ref("identifier"),
                       "additionalProperties": ref("list")}),
        "decisions": desc("The decisions services ask, by id: pass/fail rule trees or computed values.",
                          {"type": "object", "propertyNames": ref("identifier"),
                           "additionalProperties": ref("decision")}),
        "effective_from": ref("dateOrDateTime", description="When this version comes into force: a date (its midnight in `timezone`) or a date-time."),
        "effective_until": ref("dateOrDateTime", description="The last date (the whole day) or instant this version is in force; optional."),
        "mask": desc("Facts whose values decision logs replace by a mask (personal or "
                     "confidential data); each must be a declared fact.",
                     {"type": "array", "uniqueItems": True, "items": ref("identifier")}),
        "changelog": desc("The history of the ruleset's versions, newest first.",
                          {"type": "array", "items": ref("changelogEntry")}),
        "examples": desc("Worked examples that `promorules test` checks (or a sibling NAME.test.yaml).",
                         {"type": "array", "items": ref("example")}),
    },
    "additionalProperties": False,
    "$defs": {**scalar_defs, **misc_defs, **facts_defs, **params_defs, **rules_defs},
}

text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
# The schema of a sibling NAME.test.yaml file: the ruleset id and its examples.
examples_schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://promorules.dev/schema/examples.schema.json",
    "title": "promorules examples",
    "description": "Examples of a ruleset (NAME.test.yaml beside NAME.yaml), run by `promorules test`.",
    "type": "object",
    "required": ["examples"],
    "properties": {
        "ruleset": desc("The id of the ruleset these examples test.", {"type": "string"}),
        "examples": {"type": "array", "minItems": 1, "items": ref("example")},
    },
    "additionalProperties": False,
    "$defs": {**scalar_defs, "example": misc_defs["example"]},
}
examples_text = json.dumps(examples_schema, indent=2, ensure_ascii=False) + "\n"

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGETS = {
    "src/promorules/schema/ruleset.schema.json": text,
    "schema/ruleset.schema.json": text,
    "src/promorules/schema/examples.schema.json": examples_text,
    "schema/examples.schema.json": examples_text,
}

if __name__ == "__main__":
    for p, content in TARGETS.items():
        (ROOT / p).write_text(content, encoding="utf-8")
    print(len(text.splitlines()), "lines")
