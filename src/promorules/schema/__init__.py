"""Pipeline stage 2: structural validation of the parsed YAML against the JSON Schema.

The schema (draft 2020-12) ships here as ``ruleset.schema.json`` and is published at the
repository's ``schema/ruleset.schema.json`` for editors. Every violation is reported, each
located at its YAML line and column, with a "did you mean" for misspelt keys.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import RulesetError
from ..facts import suggest
from ..loader import Document
from .messages import describe, flow_comma_hint

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["schema", "validate"]


@cache
def schema() -> dict[str, Any]:
    """The ruleset JSON Schema, as a dict."""
    from importlib import resources  # imported on first use: `import promorules` stays quick

    text = resources.files(__package__).joinpath("ruleset.schema.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def _is_number(checker: object, value: object) -> bool:
    # YAML numbers are read exactly, as int or Decimal; bool is not a number.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


@cache
def _validator() -> Any:
    # jsonschema is imported when the first ruleset is validated, not by `import promorules`
    import jsonschema
    from jsonschema import Draft202012Validator

    from .conditions import fast_if

    cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        validators={"if": fast_if({})},  # the kind-telling conditions, as plain predicates
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("number", _is_number),
    )
    return cls(schema())


_KINDS = frozenset({"check", "all", "any", "not", "decision", "compute", "cases", "lookup",
                    "collect", "fields", "value"})
_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected")


def _allowed_keys(error: ValidationError) -> list[str]:
    props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    return list(props)


@cache
def _vocabulary() -> tuple[str, ...]:
    """Every key the format knows, for "did you mean" on keys misspelt anywhere."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(props)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema())
    return tuple(sorted(names))


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """For oneOf/anyOf failures, the sub-error that explains the problem best."""
    if error.validator in ("oneOf", "anyOf") and error.context and all(
        c.validator == "required" for c in error.context
    ):
        # "needs one of: check, all, any, not, decision"
        keys = [str(next(iter(c.validator_value))) for c in error.context
                if isinstance(c.validator_value, list) and c.validator_value]
        error.message = f"needs one of: {', '.join(keys)}"
        error.validator = "oneOfRequired"
        return [error]
    if error.validator in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        if best is not None and best.validator not in ("oneOf", "anyOf", "not"):
            return [best]
        if best is not None:
            return _leaf_errors(best)
    return [error]


def validate(doc: Document) -> list[RulesetError]:
    """Every schema violation of ``doc``, located; empty when the structure is valid."""
    found: list[RulesetError] = []
    seen: set[tuple[Any, ...]] = set()
    for top in _validator().iter_errors(doc.data):
        for error in _leaf_errors(top):
            path = tuple(error.absolute_path)
            if error.validator in ("additionalProperties", "unevaluatedProperties"):
                names = _UNEXPECTED.findall(error.message) or ["?"]
                allowed = _allowed_keys(error)
                for name in names:
                    quoted = flow_comma_hint(doc, (*path, name), name)
                    if quoted is not None:
                        # `{en: must be vip, or a gold member}`: YAML ends the value at ", "
                        hint = None
                        message = (f"unknown key '{name}' (in a {{flow mapping}} a comma ends "
                                   f"the value: quote text that holds a comma, {quoted})")
                    elif name in _vocabulary():
                        # a known key in the wrong place, e.g. `check` and `all` together
                        hint = None
                        message = f"'{name}' is not allowed here"
                        if name in _KINDS:
                            message += (" (a rule has exactly one of check, all, any, not, "
                                        "decision)")
                    elif any(c in name for c in "()[]<>=+*/") or name.strip() != name:
                        # `{check: f(a, b)}` is split by YAML at the comma
                        hint = None
                        message = (f"unknown key '{name}' (in a {{flow mapping}} a comma ends "
                                   "the value, so an expression with commas must be quoted, "
                                   "check: \"f(a, b)\", or written in block style)")
                    else:
                        hint = (suggest(name, allowed) if allowed else None) or suggest(
                            name, _vocabulary())
                        message = f"unknown key '{name}'"
                        if hint:
                            message += f" (did you mean '{hint}'?)"
                    key = (path, name)
                    if key not in seen:
                        seen.add(key)
                        found.append(doc.error(message, "PR201", (*path, name), at_key=True,
                                               suggestion=hint))
                continue
            key = (path, error.message)
            if key in seen:
                continue
            seen.add(key)
            found.append(doc.error(describe(doc, error), "PR200", path))
    found.sort(key=lambda e: (e.line or 0, e.column or 0))
    return found
