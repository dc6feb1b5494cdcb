"""Mutation test of the shipped rulesets' examples.

The shipped rulesets carry examples (``rulesets/NAME.test.yaml``) at every threshold's
boundary. This test checks that claim: it changes one threshold or one comparison operator
of a ruleset at a time (a *mutant*), runs the ORIGINAL examples against the mutant, and
asserts that at least one example fails. A mutant that survives means a boundary example is
missing; the failure message lists the survivors with their file, line and change.

Mutation sites, all found on the exact character span of the YAML text:

- every comparison operator inside an expression (``check``, ``applies_when``, ``when`` of
  cases and collect items, ``compute``, ``default_compute``, ``requires`` checks, lookup
  keys, table inputs) and in a table cell such as ``">= 10"``: ``>=`` -> ``>``, ``>`` ->
  ``>=``, ``<=`` -> ``<``, ``<`` -> ``<=``, ``==`` -> ``!=``, ``!=`` -> ``==``;
- every number literal in those expressions and cells: an integer n -> n+1 and n-1, a
  decimal -> plus and minus one unit of its last digit (0.95 -> 0.96, 0.94);
- every date literal: plus and minus one day; every date-time literal: plus and minus one
  second (the finest step a date-time threshold can be off by);
- every ordinal value compared with <, <=, >, >= (``chengxintong_level >= L2``): the values
  next to it on the fact's scale (L1, L3);
- every boolean cell of a decision table: true <-> false;
- every numeric parameter default: n+1 and n-1 (or its last-digit unit).

A mutant that no longer loads (a parameter default pushed outside its declared range, two
table rows that now overlap) is counted as *invalid*: ``promorules check`` catches it.
Equivalent mutants, which no example can tell apart from the original, are listed in
``EQUIVALENT`` with the reason.

Run ``python tests/test_mutation.py`` for a report (mutants per ruleset, survivors).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import promorules
from promorules.examples import ExampleResult, load_examples, run_examples
from promorules.loader import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
SHIPPED = ("1688_spring", "aliexpress_medals", "offline_coop", "tmall_global")

# Equivalent mutants: (ruleset, line, change) -> why no example can kill it. Keep it small;
# every entry must be a mutant that really survives (the test checks there are no stale
# entries).
_FLOOR_SUBSUMED = ("the floor check gmv_90d_usd / 3 >= gmv_floor_usd with / 2 is weaker, and "
                   "the tier's threshold check (silver_gmv_usd and gold_gmv_usd are never "
                   "below gmv_floor_usd, PR502) already requires the exact monthly average "
                   "to reach the floor")
# keyed by YAML path, not line, so that an edit elsewhere in the ruleset keeps them
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("aliexpress_medals", "decisions.medal_tier.tiers[0].any[0].all[0].check", "3 -> 2"):
        _FLOOR_SUBSUMED,  # silver_gmv_floor
    ("aliexpress_medals", "decisions.medal_tier.tiers[1].any[0].all[0].check", "3 -> 2"):
        _FLOOR_SUBSUMED,  # gold_gmv_floor
}


# --------------------------------------------------------------------------------------
# Finding the mutation sites


@dataclass(frozen=True)
class Mutant:
    ruleset: str
    line: int  # 1-based, in the ruleset file
    column: int  # 1-based
    where: str  # the YAML path, e.g. decisions.merchant_eligibility.all[5].check
    original: str
    replacement: str
    text: str = field(repr=False, compare=False)

    @property
    def change(self) -> str:
        return f"{self.original} -> {self.replacement}"

    def describe(self) -> str:
        return (f"rulesets/{self.ruleset}.yaml:{self.line}:{self.column}: {self.change} "
                f"(at {self.where})")


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?
                 (?:Z|[+-]\d{2}:\d{2})?)(?![\w.])
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w.:])
  | (?P<num>\d+(?:\.\d+)?)(?![\w.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
  | (?P<other>.)
    """,
    re.VERBOSE,
)

OPERATOR_FLIPS = {">=": ">", ">": ">=", "<=": "<", "<": "<=", "==": "!=", "!=": "=="}
ORDER_OPERATORS = frozenset({"<", "<=", ">", ">="})
# keys whose string value is an expression
EXPRESSION_KEYS = frozenset({"check", "applies_when", "when", "compute", "default_compute"})


def _tokens(expr: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) of the tokens of an expression, whitespace left out."""
    out = []
    for m in _TOKEN.finditer(expr):
        if m.lastgroup != "ws":
            out.append((m.lastgroup or "", m.group(), m.start()))
    return out


def _number_steps(raw: str) -> list[str]:
    if "." in raw:
        places = len(raw.split(".")[1])
        unit = Decimal(1).scaleb(-places)
        value = Decimal(raw)
        return [str(value + unit), str(value - unit)]
    n = int(raw)
    return [str(n + 1), str(n - 1)]


def _date_steps(raw: str) -> list[str]:
    d = dt.date.fromisoformat(raw)
    return [(d + dt.timedelta(days=1)).isoformat(), (d - dt.timedelta(days=1)).isoformat()]


def _datetime_steps(raw: str) -> list[str]:
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(.*)", raw)
    if m is None:  # fractional seconds: leave alone
        return []
    body, suffix = m.groups()
    has_seconds = body.count(":") == 2
    value = dt.datetime.fromisoformat(body)
    step = dt.timedelta(seconds=1) if has_seconds else dt.timedelta(minutes=1)
    fmt = "%Y-%m-%dT%H:%M:%S" if has_seconds else "%Y-%m-%dT%H:%M"
    return [(value + step).strftime(fmt) + suffix, (value - step).strftime(fmt) + suffix]


def _ordinal_scales(data: Mapping[str, Any]) -> dict[str, list[list[str]]]:
    """ordinal value -> the scales (value lists of ordinal facts) it belongs to."""
    scales: dict[str, list[list[str]]] = {}
    for spec in (data.get("facts") or {}).values():
        if isinstance(spec, Mapping) and spec.get("type") == "ordinal":
            values = [str(v) for v in spec.get("values", [])]
            for v in values:
                scales.setdefault(v, []).append(values)
    return scales


def _declared_names(data: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for section in ("facts", "params", "lists", "decisions"):
        names.update((data.get(section) or {}).keys())
    return names


def _expression_changes(expr: str, scales: Mapping[str, list[list[str]]],
                        declared: set[str]) -> Iterator[tuple[int, str, str]]:
    """(position in expr, original token, replacement) of every mutation of ``expr``."""
    toks = _tokens(expr)
    for i, (kind, text, pos) in enumerate(toks):
        if kind == "op" and text in OPERATOR_FLIPS:
            yield pos, text, OPERATOR_FLIPS[text]
        elif kind == "num":
            for step in _number_steps(text):
                yield pos, text, step
        elif kind == "date":
            for step in _date_steps(text):
                yield pos, text, step
        elif kind == "datetime":
            for step in _datetime_steps(text):
                yield pos, text, step
        elif kind == "name" and text in scales and text not in declared:
            neighbours = {toks[j][1] for j in (i - 1, i + 1) if 0 <= j < len(toks)}
            if not neighbours & ORDER_OPERATORS or len(scales[text]) != 1:
                continue
            scale = scales[text][0]
            k = scale.index(text)
            for j in (k + 1, k - 1):
                if 0 <= j < len(scale):
                    yield pos, text, scale[j]


def _format_path(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _scalar_span(text: str, line_starts: list[int], mark: tuple[int, int],
                 value: str, where: str) -> int:
    """Offset in ``text`` of the first character of the scalar ``value`` at ``mark``."""
    line, col = mark
    start = line_starts[line - 1] + col - 1
    if text[start] in "\"'":
        start += 1
    if text[start:start + len(value)] != value:
        raise AssertionError(
            f"cannot locate {value!r} at line {line} column {col} ({where}): the mutation "
            "test only handles single-line plain or quoted scalars without escapes")
    return start


def _walk(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for k, v in node.items():
            yield from _walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))


def _sites(doc: Any) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(path, kind, value) of every scalar that carries mutation sites: kind is
    ``expr`` (an expression or a table cell comparison), ``bool`` (a table boolean cell)
    or ``number`` (a parameter default)."""
    data = doc.data
    for path, node in _walk(data.get("decisions") or {}, ("decisions",)):
        if not path or len(path) < 2:
            continue
        parent_key = path[-1]
        is_expression = isinstance(node, str) and (
            parent_key in EXPRESSION_KEYS
            or (parent_key == "key" and path[-2] == "lookup")
            or (isinstance(parent_key, int) and path[-2] == "inputs" and path[-3] == "table"))
        if is_expression:
            yield path, "expr", node
        elif (isinstance(parent_key, int) and path[-2] == "when" and len(path) >= 5
              and path[-5] == "table" and path[-4] == "rows"):
            # a cell of a table row: a comparison written as text, or a boolean
            if isinstance(node, bool):
                yield path, "bool", "true" if node else "false"
            elif isinstance(node, str) and re.match(r"\s*(==|!=|<=|>=|<|>)", node):
                yield path, "expr", node
    for name, spec in (data.get("params") or {}).items():
        if isinstance(spec, Mapping):
            default = spec.get("default")
            if isinstance(default, (int, Decimal)) and not isinstance(default, bool):
                yield ("params", name, "default"), "number", None  # type: ignore[misc]


def mutants(name: str) -> list[Mutant]:
    """Every single-change mutant of ``rulesets/NAME.yaml``."""
    path = RULESETS / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(text, str(path))
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())
    scales = _ordinal_scales(doc.data)
    declared = _declared_names(doc.data)
    out: list[Mutant] = []

    def add(start: int, original: str, replacement: str, where: str) -> None:
        assert text[start:start + len(original)] == original
        line = text.count("\n", 0, start) + 1
        column = start - line_starts[line - 1] + 1
        mutated = text[:start] + replacement + text[start + len(original):]
        out.append(Mutant(name, line, column, where, original, replacement, mutated))

    for spath, kind, value in _sites(doc):
        where = _format_path(spath)
        mark = doc.marks[spath]
        if kind == "number":
            line, col = mark
            start = line_starts[line - 1] + col - 1
            raw = re.match(r"[-+]?\d+(?:\.\d+)?", text[start:])
            assert raw is not None, f"no number at {where}"
            for step in _number_steps(raw.group().lstrip("+")):
                add(start, raw.group(), step, where)
        elif kind == "bool":
            start = _scalar_span(text, line_starts, mark, value, where)
            add(start, value, "false" if value == "true" else "true", where)
        else:
            start = _scalar_span(text, line_starts, mark, value, where)
            for pos, original, replacement in _expression_changes(value, scales, declared):
                add(start + pos, original, replacement, where)
    return out


# --------------------------------------------------------------------------------------
# Running the examples


class Harness:
    """Runs one ruleset's original examples against a ruleset text."""

    def __init__(self, name: str, tmpdir: Path) -> None:
        self.name = name
        self.examples = load_examples(RULESETS / f"{name}.yaml")
        # The runner reloads a ruleset from its source file (checked against its digest) to
        # apply an example's ``params``: each mutant is written to a file of its own so that
        # those examples run on the mutant too.
        self.mutant_path = tmpdir / f"{name}.yaml"

    def load(self, text: str) -> promorules.Ruleset:
        """The ruleset of ``text``; raises RulesetError when it does not load."""
        self.mutant_path.write_text(text, encoding="utf-8")
        return promorules.loads(text, source=str(self.mutant_path))

    def run(self, rs: promorules.Ruleset) -> list[ExampleResult]:
        return run_examples(rs, self.examples)


@dataclass
class Report:
    name: str
    examples: int
    mutants: list[Mutant]
    invalid: list[Mutant]
    survivors: list[Mutant]
    equivalent: list[Mutant]


def mutation_report(name: str, tmpdir: Path) -> Report:
    harness = Harness(name, tmpdir)
    original = harness.run(harness.load((RULESETS / f"{name}.yaml").read_text(encoding="utf-8")))
    bad = [r for r in original if not r.ok]
    assert not bad, f"{name}: examples fail on the original ruleset:\n" + "\n".join(
        f"  {r.example.where}: {r.example.name}: {'; '.join(r.problems)}" for r in bad)
    all_mutants = mutants(name)
    invalid, survivors, equivalent = [], [], []
    for m in all_mutants:
        try:
            rs = harness.load(m.text)
        except promorules.RulesetError:
            invalid.append(m)
            continue
        if all(r.ok for r in harness.run(rs)):
            if (m.ruleset, m.where, m.change) in EQUIVALENT:
                equivalent.append(m)
            else:
                survivors.append(m)
    return Report(name, len(harness.examples), all_mutants, invalid, survivors, equivalent)


# --------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.slow  # CI's full profile runs it (.ci/run: pytest -m slow)
def test_every_mutant_is_killed(name: str, tmp_path: Path) -> None:
    report = mutation_report(name, tmp_path)
    assert report.mutants, f"{name}: no mutation site found"
    assert not report.survivors, (
        f"{len(report.survivors)} of {len(report.mutants)} mutants of rulesets/{name}.yaml "
        "survive (no example fails on them: add a boundary example to "
        f"rulesets/{name}.test.yaml, or list a truly equivalent mutant in EQUIVALENT):\n"
        + "\n".join("  " + m.describe() for m in report.survivors))
    stale = [key for key in EQUIVALENT if key[0] == name
             and not any((m.ruleset, m.where, m.change) == key for m in report.equivalent)]
    assert not stale, f"EQUIVALENT entries that are no longer surviving mutants: {stale}"


def test_mutants_change_exactly_one_token() -> None:
    text = (RULESETS / "1688_spring.yaml").read_text(encoding="utf-8")
    found = {(m.original, m.replacement) for m in mutants("1688_spring")}
    assert {(">=", ">"), ("<", "<="), ("<=", "<"), ("3000", "3001"), ("3000", "2999"),
            ("0.95", "0.96"), ("0.95", "0.94"), ("L2", "L1"), ("L2", "L3"), ("A", "none"),
            ("2023-02-23T00:00:00", "2023-02-22T23:59:59"),
            ("2024-03-05T23:59:59", "2024-03-06T00:00:00")} <= found
    for m in mutants("1688_spring"):
        assert len(m.text) - len(text) == len(m.replacement) - len(m.original)
        start = sum(len(line) for line in text.splitlines(keepends=True)[:m.line - 1])
        start += m.column - 1
        assert m.text[:start] == text[:start]
        assert m.text[start:].startswith(m.replacement)
        assert m.text[start + len(m.replacement):] == text[start + len(m.original):]


def main() -> int:
    total_survivors = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in SHIPPED:
            r = mutation_report(name, Path(tmp))
            print(f"{name}: {r.examples} examples, {len(r.mutants)} mutants, "
                  f"{len(r.invalid)} invalid, {len(r.equivalent)} equivalent, "
                  f"{len(r.survivors)} surviving")
            for m in r.invalid:
                print("  invalid:  " + m.describe())
            for m in r.equivalent:
                print("  equivalent: " + m.describe())
            for m in r.survivors:
                print("  SURVIVES: " + m.describe())
            total_survivors += len(r.survivors)
    return 1 if total_survivors else 0


if __name__ == "__main__":
    sys.exit(main())
