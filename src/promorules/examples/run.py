"""Beside the pipeline, a ruleset's own tests: running examples and reporting failures."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, MutableMapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..errors import PromorulesError, RulesetError
from ..facts import json_value
from ..ruleset import Ruleset, loads
from ..trace import Result
from .files import NOT_GIVEN, Example

__all__ = ["ExampleResult", "format_failure", "run_example", "run_examples", "same_value"]


@attrs.frozen
class ExampleResult:
    """How one example came out.

    ``problems`` has one line per mismatch (``outcome: expected pass, got fail``); ``diff``
    is a unified diff of the expected fields against the actual ones. ``result`` is None
    when the evaluation raised (``error`` then holds the message, e.g. a ``FactError``).
    """

    example: Example
    ok: bool
    problems: tuple[str, ...] = ()
    diff: str = ""
    result: Result | None = attrs.field(default=None, eq=False, repr=False)
    error: str | None = None

    @property
    def explanation(self) -> str:
        """The result's English explanation ("" when the evaluation raised); rendered on
        first use, so that running many passing examples stays cheap."""
        return "" if self.result is None else self.result.explain()


# -- running examples ------------------------------------------------------------------


def _with_params(ruleset: Ruleset, params: Mapping[str, Any],
                 params_cache: MutableMapping[str, Ruleset]) -> Ruleset:
    key = ruleset.digest + json.dumps(params, sort_keys=True, default=str)
    found = params_cache.get(key)
    if found is None:
        # the ruleset keeps the text it was loaded from: the file is never re-read
        found = params_cache[key] = loads(ruleset.text, source=ruleset.source, params=params)
    return found


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def same_value(expected: Any, actual: Any) -> bool:
    """Whether an expected value (as read from YAML) equals a value's JSON form: numbers
    compare as decimals (``1.60 == "1.60" == 1.6``) when either side is a number; lists and
    mappings compare item by item; everything else exactly."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float, Decimal)) or isinstance(actual, (int, float, Decimal)):
        a, b = _number(expected), _number(actual)
        return a is not None and b is not None and a == b
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same_value(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            same_value(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


_YAML_WORDS = frozenset({"null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False",
                         "FALSE"})


def _show(value: Any) -> str:
    """A value on one line, as it would be written in YAML flow style."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, str):
        # plain like YAML (so that money "1.60" reads as 1.60), quoted where plain would
        # be ambiguous or unreadable
        plain = value and value == value.strip() and value not in _YAML_WORDS and not any(
            c in value for c in ':#,[]{}"\'\n')
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _yaml_lines(key: str, value: Any, indent: str = "") -> list[str]:
    """``key: value`` as block YAML lines: lists one item per line, mappings nested."""
    if isinstance(value, (list, tuple)) and value:
        lines = [f"{indent}{key}:"]
        for item in value:
            if isinstance(item, Mapping) and item:
                sub = [ln for k, v in item.items() for ln in _yaml_lines(k, v, indent + "    ")]
                sub[0] = f"{indent}  - " + sub[0][len(indent) + 4:]
                lines += sub
            else:
                lines.append(f"{indent}  - {_show(item)}")
        return lines
    if isinstance(value, Mapping) and value:
        lines = [f"{indent}{key}:"]
        for k, v in value.items():
            lines += _yaml_lines(str(k), v, indent + "  ")
        return lines
    return [f"{indent}{key}: {_show(value)}"]


def _diff(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    exp = [ln for k, v in expected.items() for ln in _yaml_lines(k, v)]
    act = [ln for k, v in actual.items() for ln in _yaml_lines(k, v)]
    lines = difflib.unified_diff(exp, act, "expected", "actual", lineterm="",
                                 n=max(len(exp), len(act)))
    return "\n".join(ln for ln in lines if not ln.startswith("@@"))


def _compare(example: Example, result: Result) -> tuple[list[str], str]:
    """The problems (one line each) and the diff of ``result`` against the expectation."""
    # The fields of ``result.to_dict()``, read one by one so that what is not checked is
    # not computed (the trace is built only for warnings).
    exp = example.expect
    outcome = str(result.outcome)
    problems: list[str] = []
    expected: dict[str, Any] = {"outcome": exp.outcome}
    actual: dict[str, Any] = {"outcome": outcome}
    if exp.outcome != outcome:
        problems.append(f"outcome: expected {exp.outcome}, got {outcome}")
    if exp.value is not NOT_GIVEN:
        value = json_value(result.value)
        expected["value"] = exp.value
        if same_value(exp.value, value):
            actual["value"] = exp.value  # equal once normalised: no noise in the diff
        else:
            actual["value"] = value
            problems.append(f"value: expected {_show(exp.value)}, got {_show(value)}")
    if exp.failed is not None:
        got = list(result.failed_rule_ids)
        expected["failed"], actual["failed"] = list(exp.failed), got
        if list(exp.failed) != got:
            problems.append(f"failed: expected {_show(list(exp.failed))}, got {_show(got)}")
    if exp.missing is not None:
        got = list(result.missing) if outcome == "unknown" else []
        expected["missing"] = list(exp.missing)
        if sorted(exp.missing) == sorted(got):
            actual["missing"] = list(exp.missing)
        else:
            actual["missing"] = got
            problems.append(f"missing: expected {_show(list(exp.missing))}, got {_show(got)}")
    if exp.warnings is not None:
        warnings = list(result.warnings)
        expected["warnings"], actual["warnings"] = exp.warnings, len(warnings)
        if exp.warnings != len(warnings):
            line = f"warnings: expected {exp.warnings}, got {len(warnings)}"
            if warnings:
                line += ": " + "; ".join(warnings)
            problems.append(line)
    return problems, (_diff(expected, actual) if problems else "")


def run_example(ruleset: Ruleset, example: Example, *,
                params_cache: MutableMapping[str, Ruleset] | None = None) -> ExampleResult:
    """Evaluate one example and compare. An error raised by the evaluation (a
    ``FactError``, invalid ``params``) makes the example fail with its message."""
    try:
        rs = ruleset if not example.params else _with_params(
            ruleset, example.params, {} if params_cache is None else params_cache)
        result = rs.evaluate(example.decision, example.facts, as_of=example.as_of)
        problems, diff = _compare(example, result)
    except PromorulesError as e:
        message = e.format() if isinstance(e, RulesetError) else str(e)
        return ExampleResult(example, False, (f"error: {message}",), error=message)
    return ExampleResult(example, not problems, tuple(problems), diff, result)


def run_examples(ruleset: Ruleset, examples: Iterable[Example], *,
                 params_cache: MutableMapping[str, Ruleset] | None = None
                 ) -> list[ExampleResult]:
    """Run every example on ``ruleset``. Examples with ``params`` run on the ruleset
    reloaded with those overrides (from its text), once per distinct set of params:
    ``params_cache`` keeps those reloads across calls."""
    cache_: MutableMapping[str, Ruleset] = {} if params_cache is None else params_cache
    return [run_example(ruleset, ex, params_cache=cache_) for ex in examples]


def format_failure(result: ExampleResult, lang: str = "en") -> str:
    """Where a failed example is, its problems, the diff and the explanation."""
    lines = [f"at {result.example.where}", *result.problems]
    if result.diff:
        lines += ["", result.diff]
    if result.result is not None:
        explanation = result.result.explain(lang)
        lines += ["", "explanation:", *("  " + ln if ln else "" for ln in
                                        explanation.rstrip("\n").splitlines())]
    return "\n".join(lines)


