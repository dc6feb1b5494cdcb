"""Beside the pipeline: a ruleset's own tests (``promorules test``).

Examples are facts with the result they must give, kept in the ruleset under a top-level
``examples:`` key or in the sibling ``NAME.test.yaml``. This module reads them strictly (the
loader's YAML, the examples JSON Schema, every problem located at file:line:column), runs
them through the public pipeline (``load`` / ``loads`` -> ``Ruleset.evaluate`` ->
``Result``), compares what came out with what was expected, and measures which rules the
examples exercised. It only reads the earlier stages' public results: the trace of a
``Result`` and the node tables of the compiled decisions.
"""

from __future__ import annotations

import copy
import difflib
import enum
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jsonschema
from jsonschema import Draft202012Validator

from .errors import FactError, PromorulesError, RulesetError
from .facts import json_value, read_json_facts, suggest
from .loader import Document, parse_yaml
from .ruleset import Ruleset, loads
from .trace import Result, RuleResult

__all__ = [
    "NOT_GIVEN",
    "Coverage",
    "CoverageItem",
    "Example",
    "ExampleResult",
    "Expectation",
    "coverage",
    "examples_file_of",
    "find_rulesets",
    "format_coverage",
    "format_failure",
    "load_examples",
    "run_example",
    "run_examples",
    "same_value",
]


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


def _where(path: Sequence[str | int]) -> str:
    return RulesetError("", path=path).yaml_path


def _schema_errors(doc: Document, instance: Mapping[str, Any]) -> list[RulesetError]:
    """Every violation of the examples schema in ``instance`` (whose paths are paths of
    ``doc``), located."""
    found: list[RulesetError] = []
    for error in _validator().iter_errors(instance):
        path = tuple(error.absolute_path)
        where = _where(path)
        if error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {})) if isinstance(
                error.schema, dict) else []
            extra = [k for k in error.instance if k not in allowed] if isinstance(
                error.instance, dict) else []
            for name in extra:
                hint = suggest(name, allowed)
                message = f"unknown key '{name}'" + (f" in {where}" if where else "")
                if hint:
                    message += f" (did you mean '{hint}'?)"
                found.append(doc.error(message, "PR201", (*path, name), at_key=True,
                                       suggestion=hint))
            continue
        if error.validator == "required":
            message = error.message.replace("is a required property", "is required") + (
                f" in {where}" if where else "")
        else:
            message = f"{where or 'value'}: {error.message}"
        found.append(doc.error(message, "PR200", path))
    return found


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise RulesetError(f"cannot read {what}: {e.strerror or e}", code="PR100",
                           source=str(path)) from None
    except UnicodeDecodeError as e:
        raise RulesetError(f"{what} is not UTF-8 text ({e.reason} at byte {e.start})",
                           code="PR100", source=str(path)) from None


def _read_facts_file(doc: Document, at: tuple[str | int, ...], name: str,
                     cache_: dict[Path, Any]) -> dict[str, Any]:
    """A JSON facts file, relative to the file of ``doc``; numbers stay exact."""
    path = Path(doc.source).parent / name
    if path not in cache_:
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
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


# -- running examples ------------------------------------------------------------------


def _source_text(ruleset: Ruleset) -> str | None:
    """The text the ruleset was loaded from, when its file still holds exactly that."""
    text = getattr(ruleset, "text", None)  # a future Ruleset.text, if the engine keeps it
    if isinstance(text, str):
        return text
    try:
        text = Path(ruleset.source).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text if digest == ruleset.digest else None


def _with_params(ruleset: Ruleset, params: Mapping[str, Any],
                 params_cache: MutableMapping[str, Ruleset]) -> Ruleset:
    key = ruleset.digest + json.dumps(params, sort_keys=True, default=str)
    found = params_cache.get(key)
    if found is None:
        text = _source_text(ruleset)
        if text is None:
            raise RulesetError(
                f"cannot apply params: the text of ruleset '{ruleset.id}' is not available "
                f"(its source {ruleset.source!r} is not a file holding it)", code="PR100",
                source=ruleset.source)
        found = params_cache[key] = loads(text, source=ruleset.source, params=params)
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


# -- coverage --------------------------------------------------------------------------

_PASS_AND_FAIL = frozenset({"check", "tier ref"})


@attrs.frozen
class CoverageItem:
    """One rule of a decision and the outcomes the examples saw it take.

    ``kind`` is ``check`` (a leaf rule: covered when seen passing and failing), ``tier ref``
    (a requirement ``tier: other``: also pass and fail), ``tier`` or ``row`` (a tier or a
    decision-table row: covered when reached, i.e. seen passing).
    """

    decision: str
    rule_id: str
    kind: str
    outcomes: frozenset[str] = frozenset()

    @property
    def pass_seen(self) -> bool:
        return "pass" in self.outcomes

    @property
    def fail_seen(self) -> bool:
        return "fail" in self.outcomes

    @property
    def covered(self) -> bool:
        if self.kind in _PASS_AND_FAIL:
            return self.pass_seen and self.fail_seen
        return self.pass_seen


@attrs.frozen
class Coverage:
    """Which rules, tiers and table rows of a ruleset its examples exercised."""

    ruleset_id: str
    items: tuple[CoverageItem, ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def covered(self) -> int:
        return sum(1 for item in self.items if item.covered)

    @property
    def percent(self) -> float:
        """Covered items as a percentage of all items (100 when there are none)."""
        return 100.0 if not self.items else 100.0 * self.covered / self.total

    @property
    def uncovered(self) -> tuple[CoverageItem, ...]:
        return tuple(item for item in self.items if not item.covered)


def _items(ruleset: Ruleset) -> list[tuple[str, str, str]]:
    """(decision, rule id, kind) of every item to cover, in rule order."""
    out: list[tuple[str, str, str]] = []
    for did, decision in ruleset.decisions.items():
        nodes = decision.nodes
        roots = [i for i, n in enumerate(nodes) if n.parent is None]
        if decision.kind == "passfail":
            roots = roots[:1]  # the rule tree; an `output:` value has no rules of its own
        seen: set[str] = set()
        stack = list(reversed(roots))
        while stack:
            info = nodes[stack.pop()]
            stack.extend(reversed(info.children))
            if info.tier:
                kind = "tier"
            elif info.kind in ("check", "row"):
                kind = info.kind
            elif info.kind == "tier":
                kind = "tier ref"
            else:
                continue
            if info.id not in seen:
                seen.add(info.id)
                out.append((did, info.id, kind))
    return out


def _record(node: RuleResult, decision: str,
            seen: dict[tuple[str, str], set[str]]) -> None:
    seen.setdefault((decision, node.rule_id), set()).add(str(node.outcome))
    for child in node.children:
        # a referenced decision's trace hangs below a `decision` rule, or (read inside an
        # expression) is a `reference` child of the root: its rules are that decision's
        if node.kind == "decision" or child.kind == "reference" or (
                child.decision is not None and child.kind != "decision"):
            _record(child, child.decision or decision, seen)
        else:
            _record(child, decision, seen)


def coverage(ruleset: Ruleset, results: Iterable[ExampleResult]) -> Coverage:
    """For every rule (check), tier and table row of every decision of ``ruleset``, the
    outcomes the examples' traces show; results of other rulesets are ignored."""
    seen: dict[tuple[str, str], set[str]] = {}
    for r in results:
        if r.result is None or r.result.ruleset_id != ruleset.id:
            continue
        trace = r.result.trace
        _record(trace, trace.decision or r.result.decision, seen)
    items = tuple(CoverageItem(d, rid, kind, frozenset(seen.get((d, rid), ())))
                  for d, rid, kind in _items(ruleset))
    return Coverage(ruleset.id, items)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def format_coverage(cov: Coverage) -> str:
    """The coverage table (decision, rule, kind, pass seen, fail seen) and the percentage."""
    lines = [f"coverage of {cov.ruleset_id}: {cov.covered}/{cov.total} ({cov.percent:.1f}%)"]
    if cov.items:
        rows = [("decision", "rule", "kind", "pass", "fail", "")]
        for item in cov.items:
            rows.append((item.decision, item.rule_id, item.kind,
                         "yes" if item.pass_seen else "no",
                         "yes" if item.fail_seen else "no",
                         "" if item.covered else "<- not covered"))
        lines += ["  " + ln for ln in _table(rows)]
    return "\n".join(lines)


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
