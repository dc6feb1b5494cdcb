"""The DMN TCK's decision-table cases, read from ``../shared/dmn-tck/`` beside the project
(never copied into it), run through ``promorules import dmn``: each expected result is
``agree``, ``disagree`` or ``unsupported`` (the importer refused the decision, naming why).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

import promorules
from promorules.dmn import identifier, import_dmn

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [os.environ.get("PROMORULES_DMN_TCK"), ROOT.parent / "shared" / "dmn-tck",
              Path("/work/shared/dmn-tck")]
# the compliance levels' decision-table cases the issue names
LEVEL_2 = ["0004", "0005", "0006", "0007", "0010", "0108", "0109", "0110", "0111", "0112",
           "0113", "0114", "0115", "0116", "0117", "0118", "0119"]
LEVEL_3 = ["0017", "0020", "0036", "0039", "0041"]


def tck_dir() -> Path:
    """Where the TCK cases are: $PROMORULES_DMN_TCK, or ../shared/dmn-tck beside the project."""
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / "tests").is_dir():
            return Path(candidate)
    raise FileNotFoundError("the DMN TCK cases are not at ../shared/dmn-tck beside the "
                            "project; set PROMORULES_DMN_TCK to their directory")


@dataclass(frozen=True)
class Outcome:
    case: str
    test: str
    decision: str
    status: str  # agree, disagree, unsupported
    detail: str


def same(value: Any, expected: Any) -> bool:
    """A promorules value equals the TCK's expected value (numbers compared exactly, or to
    the float the TCK file writes)."""
    if expected is None:
        return value is None
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, (int, float)):
        if not isinstance(value, (int, Decimal)):
            return False
        return Decimal(value) == Decimal(repr(expected)) or float(value) == expected
    if isinstance(expected, str):
        return value == expected
    if isinstance(expected, Mapping):
        return isinstance(value, Mapping) and set(value) == {identifier(k) for k in expected} \
            and all(same(value[identifier(k)], v) for k, v in expected.items())
    if isinstance(expected, Sequence):
        return isinstance(value, Sequence) and not isinstance(value, str) and \
            len(value) == len(expected) and all(map(same, value, expected))
    raise TypeError(f"unexpected TCK value {expected!r}")


def cases() -> list[Path]:
    return sorted((tck_dir() / "tests").glob("*.tests.yaml"))


def run_case(tests_file: Path) -> Iterator[Outcome]:
    spec = yaml.safe_load(tests_file.read_text(encoding="utf-8"))
    case = spec["case"]
    model = tck_dir() / "tck" / f"{case}.dmn"
    try:
        imported = import_dmn(model, partial=True)
    except promorules.RulesetError as e:  # nothing imported: every result is unsupported
        for test in spec["tests"]:
            for result in test["results"]:
                yield Outcome(case, str(test["id"]), result["tck_decision"], "unsupported",
                              e.errors[0].message)
        return
    rs = promorules.loads(imported.yaml, source=str(model))
    skipped = {p.element.split("'")[1]: p.message for p in imported.problems
               if p.element.startswith("decision '")}
    for test in spec["tests"]:
        facts = {identifier(k): v for k, v in (test.get("facts") or
                                                test.get("tck_inputs") or {}).items()}
        for result in test["results"]:
            name = result["tck_decision"]
            if name in skipped or identifier(name) not in rs.decisions:
                yield Outcome(case, str(test["id"]), name, "unsupported",
                              skipped.get(name, "not imported"))
                continue
            r = rs.evaluate(identifier(name), facts)
            status = "agree" if same(r.value, result["expected"]) else "disagree"
            yield Outcome(case, str(test["id"]), name, status,
                          f"expected {result['expected']!r}, got {r.value!r} ({r.outcome})")
