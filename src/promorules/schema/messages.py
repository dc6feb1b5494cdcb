"""Pipeline stage 2 (schema): jsonschema's findings in the words of a ruleset's author.

One message per finding, naming the key it is about (the full YAML path is added once, by
:meth:`RulesetError.format`, as ``(at a.b[1])``), with a hint in parentheses where YAML
itself is the usual cause: a number or boolean where text is expected (``version: 1.0`` is
a number to YAML), and a comma inside an unquoted value of a ``{flow mapping}``, which
YAML reads as the end of the value. Used for rulesets and examples files alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..loader import Document, Path

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["describe", "flow_comma_hint", "shown", "written"]


def shown(value: Any) -> str:
    """A YAML value as the analyst wrote it (no Decimal('0.95') reprs)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value).lower() if isinstance(value, bool) else str(value)


def written(doc: Document, path: Path, value: Any) -> str:
    """The plain scalar at ``path`` exactly as the file writes it (``1.10``, ``1e3``), else
    the value shown."""
    line, column = doc.marks.get(tuple(path), (None, None))
    lines = doc.text.splitlines()
    if line is not None and column is not None and 0 < line <= len(lines):
        rest = lines[line - 1][column - 1:]
        token = rest.split(" #")[0]
        for stop in ",}]":
            token = token.split(stop)[0]
        token = token.strip()
        if token:
            return token
    return shown(value)


def _name(path: Sequence[str | int]) -> str:
    """The key a finding is about: the last key of its path (an item: its list's key)."""
    keys = [p for p in path if isinstance(p, str)]
    return f"'{keys[-1]}'" if keys else "the value"


def _expected(validator_value: Any) -> list[str]:
    return list(validator_value) if isinstance(validator_value, list) else [str(validator_value)]


def _type_message(doc: Document, error: ValidationError, path: Path) -> str:
    value = error.instance
    expected = _expected(error.validator_value)
    name = _name(path)
    if "string" in expected and (isinstance(value, (int, Decimal, bool))):
        text = written(doc, path, value)
        what = "a boolean" if isinstance(value, bool) else "a number"
        hint = f'quote it: "{text}"'
        if path == ("version",):
            hint += '; a version has three parts, MAJOR.MINOR.PATCH, e.g. "1.0.0"'
        return f"{name} must be text, but YAML reads {text} as {what} ({hint})"
    wanted = " or ".join({"object": "a mapping (key: value)", "array": "a list",
                          "string": "text", "number": "a number", "integer": "a whole number",
                          "boolean": "true or false"}.get(t, t) for t in expected)
    return f"{name} must be {wanted}, not {shown(value)}"


def describe(doc: Document, error: ValidationError) -> str:
    """The message of a schema finding that is not an unknown key (PR200)."""
    path = tuple(error.absolute_path)
    name = _name(path)
    if error.validator == "oneOfRequired":
        return error.message
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "type":
        return _type_message(doc, error, path)
    if error.validator == "pattern":
        what = error.schema.get("description") if isinstance(error.schema, dict) else None
        return (f"{name}: {shown(error.instance)} is not "
                + (f"valid ({what})" if what else "in the expected form"))
    return f"{name}: {error.message}"


def flow_comma_hint(doc: Document, path: Path, name: str) -> str | None:
    """For an unknown key that YAML split off a value at a comma in a ``{flow mapping}``
    (``{en: must be vip, or a gold member}``), the value quoted as it was meant; else None."""
    line, column = doc.key_marks.get(tuple(path), (None, None))
    lines = doc.text.splitlines()
    if line is None or column is None or not 0 < line <= len(lines):
        return None
    before = lines[line - 1][:column - 1].rstrip()
    if not before.endswith(","):
        return None  # the key does not follow a comma: not a flow mapping's next item
    parent: Any = doc.data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(parent, Mapping) or parent.get(name) is not None:
        return None  # a real `key: value` pair, merely unknown
    keys = list(parent)
    at = keys.index(name) if name in keys else 0
    if at == 0:
        return None
    previous = keys[at - 1]
    value = parent[previous]
    if isinstance(value, str):
        return f'{previous}: "{value}, {name}"'
    return None
