"""Pipeline stage 1: strict YAML text -> plain data, plus where every node stands.

PyYAML's parser produces events: libyaml's C parser where PyYAML has it (about ten times
faster), else the pure-Python one, which also gives the diagnostics of a text the C parser
rejects, so that messages and positions are the same either way. We build the data
ourselves instead of using PyYAML's constructors, so that nothing is resolved implicitly:
only ``true``/``false`` are booleans (``NO`` stays a string), dates stay strings for
promorules to read, numbers are exact (``int`` or ``Decimal``, never ``float``), duplicate
keys are errors, and anchors, aliases and tags are refused (so an alias bomb costs
nothing). A number that cannot be shown in a few dozen digits (``facts.number_problem``:
thousands of digits, ``1e999999999``) is refused (PR106) before it is converted. Every
error is collected with its 1-based line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .errors import RulesetError
from .facts import number_problem

if TYPE_CHECKING:
    import yaml

__all__ = ["LIBYAML", "Document", "Path", "parse_yaml", "schema_comment", "syntax_message"]

Path = tuple[str | int, ...]

MAX_BYTES = 2_000_000
MAX_DEPTH = 64

# whether parse_yaml uses libyaml's C parser by default: None means "when PyYAML has it"
LIBYAML: bool | None = None


def _import_yaml() -> None:
    """Bind ``yaml`` in this module: PyYAML is imported by the first parse, not by
    ``import promorules`` (its reader alone compiles a large pattern at import)."""
    global yaml
    import yaml

_INT = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})


@attrs.frozen
class Document:
    """Parsed YAML: the data, and the (line, column) of each node and each mapping key."""

    source: str
    data: Any
    marks: dict[Path, tuple[int, int]]
    key_marks: dict[Path, tuple[int, int]]
    text: str = ""
    errors: tuple[RulesetError, ...] = ()  # recoverable problems (duplicate keys)
    # the schema named by a leading `# yaml-language-server: $schema=...` comment line
    # (None: the text has no such line before its first content line)
    schema_comment: str | None = None

    def position(self, path: Path) -> tuple[int | None, int | None]:
        """Best position for ``path``: the node, else its key, else the nearest parent."""
        p = tuple(path)
        while True:
            if p in self.marks:
                return self.marks[p]
            if p in self.key_marks:
                return self.key_marks[p]
            if not p:
                return None, None
            p = p[:-1]

    def error(self, message: str, code: str, path: Path, *, at_key: bool = False,
              suggestion: str | None = None, offset: tuple[int, int] | None = None) -> RulesetError:
        """A RulesetError located at ``path`` (at the key itself when ``at_key``)."""
        line, col = (self.key_marks.get(tuple(path)) if at_key else None) or self.position(path)
        if offset is not None and line is not None and col is not None:
            # ``offset`` is (line, column) inside a scalar that starts at (line, col).
            dl, c = offset
            line, col = (line + dl, (col + c) if dl == 0 else c)
        return RulesetError(message, code=code, source=self.source, line=line, column=col,
                            path=path, suggestion=suggestion)


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    if event.style or not event.implicit[0]:  # plain style: None (Python), "" (libyaml)
        return value  # quoted or block scalar: always a string
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value in _NULL:
        return None
    if _INT.fullmatch(value) or _DECIMAL.fullmatch(value):
        if number_problem(value):
            return _TooLong()  # int() of thousands of digits itself fails
        return int(value) if _INT.fullmatch(value) else Decimal(value)
    return value


class _TooLong:
    """A plain number scalar too long to convert (refused as PR106 by the builder)."""


def _mark(event: yaml.Event) -> tuple[int, int]:
    """1-based (line, column) where an event starts."""
    m = event.start_mark
    return (m.line + 1, m.column + 1) if m is not None else (1, 1)


class _Builder:
    def __init__(self, source: str, events: Iterator[yaml.Event]) -> None:
        self.source = source
        self.events = events
        self.marks: dict[Path, tuple[int, int]] = {}
        self.key_marks: dict[Path, tuple[int, int]] = {}
        self.errors: list[RulesetError] = []

    def _err(self, message: str, code: str, event: yaml.Event, path: Path) -> RulesetError:
        line, col = _mark(event)
        return RulesetError(message, code=code, source=self.source, line=line, column=col,
                            path=path)

    def _check_node_event(self, event: yaml.Event, path: Path) -> None:
        if isinstance(event, yaml.AliasEvent):
            raise self._err("aliases (*name) are not supported in rulesets; write the value out",
                            "PR103", event, path)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise self._err(f"anchors (&{anchor}) are not supported in rulesets", "PR103",
                            event, path)
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise self._err(f"tags ({tag}) are not supported in rulesets; quote the value "
                            "instead", "PR104", event, path)

    def node(self, event: yaml.Event, path: Path, depth: int) -> Any:
        self._check_node_event(event, path)
        if depth > MAX_DEPTH:
            raise self._err(f"nesting deeper than {MAX_DEPTH} levels", "PR105", event, path)
        self.marks[path] = _mark(event)
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event)
            if isinstance(value, _TooLong):
                problem = number_problem(event.value)
            elif isinstance(value, int | Decimal) and not isinstance(value, bool):
                problem = number_problem(value)
            else:
                return value
            if problem:
                raise self._err(f"{problem}; quote it if it is text", "PR106", event, path)
            return value
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(ev := next(self.events), yaml.SequenceEndEvent):
                items.append(self.node(ev, (*path, len(items)), depth + 1))
            return items
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            while not isinstance(key_ev := next(self.events), yaml.MappingEndEvent):
                self._check_node_event(key_ev, path)
                if not isinstance(key_ev, yaml.ScalarEvent):
                    raise self._err("mapping keys must be plain strings", "PR105", key_ev, path)
                key = key_ev.value
                value_ev = next(self.events)
                if key in mapping:
                    km = self.key_marks[(*path, key)]
                    self.errors.append(self._err(
                        f"duplicate key '{key}' (first defined at line {km[0]})", "PR102",
                        key_ev, (*path, key)))
                    self._skip(value_ev)
                    continue
                self.key_marks[(*path, key)] = _mark(key_ev)
                mapping[key] = self.node(value_ev, (*path, key), depth + 1)
            return mapping
        raise self._err(f"unexpected YAML event {type(event).__name__}", "PR101", event, path)

    def _skip(self, event: yaml.Event) -> None:
        """Consume a (duplicate) node without building it, still refusing aliases."""
        self._check_node_event(event, ())
        depth = 1 if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else 0
        while depth:
            ev = next(self.events)
            self._check_node_event(ev, ())
            if isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1

    def document(self) -> Any:
        data: Any = None
        seen_document = False
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                if seen_document:
                    raise self._err("a ruleset file holds one YAML document", "PR105", event, ())
                seen_document = True
                data = self.node(next(self.events), (), 0)
        return data


def parse_yaml(text: str, source: str = "<string>", *, libyaml: bool | None = None
               ) -> Document:
    """Parse ruleset YAML strictly. Fatal problems raise RulesetError; duplicate keys are
    collected in ``Document.errors``. ``libyaml`` chooses the parser (default: ``LIBYAML``;
    None: the C parser when PyYAML has it); the result and every error are the same either
    way."""
    if len(text) > MAX_BYTES:
        raise RulesetError(f"file is larger than {MAX_BYTES} characters", code="PR100",
                           source=source)
    _import_yaml()
    use_c = LIBYAML if libyaml is None else libyaml
    if use_c is None:
        use_c = hasattr(yaml, "CSafeLoader")
    if use_c:
        try:
            return _parse(text, source, yaml.CSafeLoader)
        except _SyntaxError:
            pass  # the pure-Python parser says what is wrong, as it always has
    try:
        return _parse(text, source, yaml.SafeLoader)
    except _SyntaxError as e:
        raise e.error from None


class _SyntaxError(Exception):
    """The YAML parser rejected the text (``error``: the RulesetError to raise)."""

    def __init__(self, error: RulesetError) -> None:
        super().__init__(error.message)
        self.error = error


def _parse(text: str, source: str, loader: Any) -> Document:
    builder = _Builder(source, iter(yaml.parse(text, Loader=loader)))
    try:
        data = builder.document()
    except RulesetError as e:
        raise RulesetError.collect([*builder.errors, e]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = syntax_message(e)
        err = RulesetError(f"YAML syntax error: {problem}", code="PR101", source=source,
                           line=mark.line + 1 if mark else None,
                           column=mark.column + 1 if mark else None)
        raise _SyntaxError(RulesetError.collect([*builder.errors, err])) from None
    except yaml.reader.ReaderError as e:  # control characters, bad encodings
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        raise _SyntaxError(RulesetError(
            f"YAML error: {e.reason} (character {e.character!r} is not allowed)",
            code="PR101", source=source, line=line, column=column)) from None
    except yaml.YAMLError as e:
        raise _SyntaxError(RulesetError(f"YAML error: {e}", code="PR101",
                                        source=source)) from None
    except UnicodeEncodeError as e:  # libyaml reads UTF-8: a lone surrogate cannot be encoded
        raise _SyntaxError(RulesetError(f"YAML error: {e.reason} at character {e.start}",
                                        code="PR101", source=source)) from None
    except RecursionError:
        raise RulesetError("YAML nesting is too deep", code="PR105", source=source) from None
    if not isinstance(data, dict):
        raise RulesetError("a ruleset must be a YAML mapping (id:, version:, facts:, ...)",
                           code="PR105", source=source, line=1, column=1)
    # Duplicate keys are reported, but the first value is kept so that later stages can
    # still report their own problems in the same run.
    return Document(source, data, builder.marks, builder.key_marks, text,
                    tuple(builder.errors), schema_comment(text))


def _at(mark: Any) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


# (words in PyYAML's problem, words in its context or None, the hint in plain words)
_HINTS: tuple[tuple[str, str | None, str], ...] = (
    ("mapping values are not allowed", None,
     "a value with ': ' in it must be quoted, e.g. en: \"Note: ...\"; or this line is "
     "indented deeper than the key above it, whose value is already given"),
    ("cannot start any token", "next token",
     "indent with spaces: YAML does not allow tabs for indentation"),
    ("expected ',' or '}'", "flow mapping",
     "close the {...} with '}' on the line where it starts, and quote text that holds "
     "': ', '{' or '}'"),
    ("expected ',' or ']'", "flow sequence",
     "close the [...] with ']', and quote text that holds ': ', '[' or ']'"),
    ("could not find expected ':'", None,
     "every line of a mapping is 'key: value'; a text that runs over several lines must "
     "be quoted, or written as a block: key: >-"),
    ("end of stream", "quoted scalar", "a quote is not closed"),
)


def syntax_message(e: Any) -> str:
    """PyYAML's complaint about a text it cannot parse, in plain words with a hint:
    ``expected <block end>, but found '<block mapping start>'`` is a line indented to a
    column no mapping around it uses."""
    problem = e.problem or "invalid YAML"
    at, opened = _at(e.problem_mark), _at(e.context_mark)
    if problem.startswith("expected <block end>") and at and opened:
        what = "the key on line" if "mapping start" in problem else "line"
        return (f"bad indentation: {what} {at[0]} starts in column {at[1]}, but the "
                f"mapping it continues (from line {opened[0]}) has its keys in column "
                f"{opened[1]} (indent with spaces: every key of one mapping starts in the "
                "same column, and a nested mapping goes deeper, under a key with no value "
                "on its own line)")
    if e.context:
        problem = f"{problem} ({e.context})"
    for words, context, hint in _HINTS:
        if words in (e.problem or "") and (context is None or context in (e.context or "")):
            return f"{problem} ({hint})"
    return problem


_SCHEMA_COMMENT = re.compile(r"#\s*yaml-language-server:\s*\$schema=(\S+)")


def schema_comment(text: str) -> str | None:
    """The schema a ``# yaml-language-server: $schema=URL`` comment names, when the comment
    stands among the comment and blank lines before the text's first content line."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return None
        found = _SCHEMA_COMMENT.match(stripped)
        if found:
            return found.group(1)
    return None
