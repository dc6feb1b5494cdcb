"""Beside the pipeline, a ruleset's own tests: reading the examples files.

Examples are facts with the result they must give, kept in the ruleset under a top-level
``examples:`` key or in the sibling ``NAME.test.yaml``. This module finds and reads them
strictly (the loader's YAML, the examples JSON Schema, every problem located at
file:line:column); :mod:`.run` runs and compares them, :mod:`.coverage` measures them.
"""

from __future__ import annotations

import copy
import enum
import json
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jsonschema
from jsonschema import Draft202012Validator

from ..errors import FactError, RulesetError
from ..facts import read_json_facts, suggest
from ..loader import Document, parse_yaml
from ..schema.messages import describe, flow_comma_hint

__all__ = ["NOT_GIVEN", "Example", "Expectation", "examples_file_of", "find_rulesets",
           "load_examples"]


class _NotGiven(enum.Enum):
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = _NotGiven.NOT_GIVEN
"""``Expectation.value`` when the example does not state a value (``value: null`` is None)."""


# -- the examples ----------------------------------------------------------------------


@attrs.frozen
class Expectation:
    """What an example must give. ``None`` (``NOT_GIVEN`` for ``value``) means "not checked"."""

    outcome: str
    value: Any = NOT_GIVEN
    failed: tuple[str, ...] | None = None  # exactly these failed rule ids, in order
    missing: tuple[str, ...] | None = None  # exactly these missing facts (any order)
    warnings: int | None = None  # how many warnings


@attrs.frozen
class Example:
    """One example: evaluate ``decision`` on ``facts`` at ``as_of`` (with ``params``
    overrides, if any) and expect ``expect``. ``source``/``line``/``column`` say where it is
    written; ``ruleset_path`` is the ruleset it tests."""

    name: str
    decision: str
    facts: dict[str, Any]
    expect: Expectation
    as_of: str | None = None
    params: dict[str, Any] | None = None
    source: str = "<string>"
    line: int | None = None
    column: int | None = None
    ruleset_path: str = ""

    @property
    def where(self) -> str:
        """``file:line`` of the example, for messages."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


# -- reading examples ------------------------------------------------------------------


def examples_file_of(ruleset_path: str | os.PathLike[str]) -> Path:
    """The sibling examples file of a ruleset: ``NAME.yaml`` -> ``NAME.test.yaml``."""
    path = Path(ruleset_path)
    suffix = path.suffix if path.suffix in (".yaml", ".yml") else ".yaml"
    stem = path.name[: -len(path.suffix)] if path.suffix in (".yaml", ".yml") else path.name
    return path.with_name(f"{stem}.test{suffix}")


def _is_number(checker: object, value: object) -> bool:
    # YAML numbers are read exactly, as int or Decimal; bool is not a number.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


@cache
def _validator() -> Any:
    text = resources.files("promorules.schema").joinpath("examples.schema.json").read_text(
        "utf-8")
    cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("number", _is_number),
    )
    return cls(json.loads(text))


def _schema_errors(doc: Document, instance: Mapping[str, Any]) -> list[RulesetError]:
    """Every violation of the examples schema in ``instance`` (whose paths are paths of
    ``doc``), located."""
    found: list[RulesetError] = []
    for error in _validator().iter_errors(instance):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {})) if isinstance(
                error.schema, dict) else []
            extra = [k for k in error.instance if k not in allowed] if isinstance(
                error.instance, dict) else []
            for name in extra:
                quoted = flow_comma_hint(doc, (*path, name), name)
                hint = None if quoted else suggest(name, allowed)
                message = f"unknown key '{name}'"
                if quoted:
                    message += (" (in a {flow mapping} a comma ends the value: quote text "
                                f"that holds a comma, {quoted})")
                elif hint:
                    message += f" (did you mean '{hint}'?)"
                found.append(doc.error(message, "PR201", (*path, name), at_key=True,
                                       suggestion=hint))
            continue
        found.append(doc.error(describe(doc, error), "PR200", path))
    return found


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:  # before ValueError, of which it is a kind
        raise RulesetError(f"{what} is not UTF-8 text ({e.reason} at byte {e.start})",
                           code="PR100", source=str(path)) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise RulesetError(f"cannot read {what}: {reason}", code="PR100",
                           source=str(path)) from None


def _read_facts_file(doc: Document, at: tuple[str | int, ...], name: str,
                     cache_: dict[Path, Any]) -> dict[str, Any]:
    """A JSON facts file, relative to the file of ``doc``; numbers stay exact."""
    path = Path(doc.source).parent / name
    if path not in cache_:
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, ValueError) as e:  # UnicodeDecodeError, a NUL in the path
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise doc.error(f"cannot read facts file {str(path)!r}: {reason}", "PR100",
                            at) from None
        try:
            data = read_json_facts(text)
        except FactError as e:
            if e.line is not None:  # JSON syntax: located in the facts file
                raise RulesetError(e.message, code=e.code, source=str(path), line=e.line,
                                   column=e.column) from None
            raise doc.error(f"facts file {str(path)!r}: {e.message}", e.code, at) from None
        cache_[path] = data
    facts: dict[str, Any] = copy.deepcopy(cache_[path])
    return facts


def _build_examples(doc: Document, items: list[Any], decisions: Sequence[str],
                    ruleset_path: str, problems: list[RulesetError],
                    facts_cache: dict[Path, Any]) -> list[Example]:
    out: list[Example] = []
    for i, item in enumerate(items):
        at: tuple[str | int, ...] = ("examples", i)
        if item["decision"] not in decisions:
            hint = suggest(item["decision"], decisions)
            problems.append(doc.error(
                f"unknown decision '{item['decision']}'"
                + (f" (did you mean '{hint}'?)" if hint else "")
                + "; decisions: " + ", ".join(decisions), "PR303", (*at, "decision"),
                suggestion=hint))
            continue
        facts: dict[str, Any] = {}
        if "facts_file" in item:
            try:
                facts = _read_facts_file(doc, (*at, "facts_file"), item["facts_file"],
                                         facts_cache)
            except RulesetError as e:
                problems.append(e)
                continue
        facts.update(copy.deepcopy(item.get("facts") or {}))
        expect = item["expect"]
        line, column = doc.position(at)
        out.append(Example(
            name=item["name"],
            decision=item["decision"],
            facts=facts,
            expect=Expectation(
                outcome=expect["outcome"],
                value=expect.get("value", NOT_GIVEN),
                failed=tuple(expect["failed"]) if "failed" in expect else None,
                missing=tuple(expect["missing"]) if "missing" in expect else None,
                warnings=expect.get("warnings"),
            ),
            as_of=item.get("as_of"),
            params=dict(item["params"]) if item.get("params") else None,
            source=doc.source, line=line, column=column, ruleset_path=ruleset_path,
        ))
    return out


def load_examples(ruleset_path: str | os.PathLike[str]) -> list[Example]:
    """Every example of the ruleset at ``ruleset_path``: those under its own ``examples:``
    key, then those of its sibling ``NAME.test.yaml`` (if there is one).

    Raises RulesetError listing every problem (file:line:column): YAML errors, schema
    violations (``PR200``/``PR201``), a ``ruleset:`` id that is not the ruleset's
    (``PR200``), an unknown decision (``PR303``), an unreadable ``facts_file``
    (``PR100``/``PR101``). The ruleset itself is only read, not compiled.
    """
    path = Path(ruleset_path)
    source = os.fspath(ruleset_path)
    doc = parse_yaml(_read_text(path, "ruleset"), source)
    data = doc.data
    ruleset_id = data.get("id")
    decisions = list(data["decisions"]) if isinstance(data.get("decisions"), dict) else []
    problems: list[RulesetError] = []
    facts_cache: dict[Path, Any] = {}
    examples: list[Example] = []

    own = data.get("examples")
    if own is not None and own != []:
        problems += [e for e in doc.errors if e.path[:1] == ("examples",)]
        schema_problems = _schema_errors(doc, {"examples": own})
        problems += schema_problems
        if not schema_problems:
            examples += _build_examples(doc, own, decisions, source, problems, facts_cache)

    test_path = examples_file_of(path)
    if test_path.is_file():
        tdoc = parse_yaml(_read_text(test_path, "examples file"), str(test_path))
        problems += list(tdoc.errors)
        schema_problems = _schema_errors(tdoc, tdoc.data)
        problems += schema_problems
        named = tdoc.data.get("ruleset")
        if isinstance(named, str) and isinstance(ruleset_id, str) and named != ruleset_id:
            problems.append(tdoc.error(
                f"ruleset: '{named}' is not the id of {source} ('{ruleset_id}')", "PR200",
                ("ruleset",)))
        if not schema_problems:
            examples += _build_examples(tdoc, tdoc.data["examples"], decisions, source,
                                        problems, facts_cache)

    if problems:
        files: dict[str, int] = {}  # the ruleset's problems first, then its examples file's
        for e in problems:
            files.setdefault(e.source, len(files))
        problems.sort(key=lambda e: (files[e.source], e.line or 0, e.column or 0))
        raise RulesetError.collect(problems)
    return examples


# -- promorules test -------------------------------------------------------------------


def find_rulesets(path: str | os.PathLike[str]) -> list[Path]:
    """The rulesets ``path`` names: a ruleset file (an examples file ``NAME.test.yaml``
    stands for ``NAME.yaml``), or every ``*.yaml`` below a directory except examples
    files."""
    p = Path(path)
    if p.is_dir():
        files = [f for pattern in ("*.yaml", "*.yml") for f in p.rglob(pattern)
                 if f.is_file() and not f.name.endswith((".test.yaml", ".test.yml"))]
        return sorted(files)
    for suffix in (".test.yaml", ".test.yml"):
        if p.name.endswith(suffix):
            return [p.with_name(p.name[: -len(suffix)] + suffix[len(".test"):])]
    return [p]
