"""The row engine as the batch engine's oracle: fuzzed rows and the row-by-row comparison."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings

import promorules
from promorules.batch.facts_sql import NUMBER_TYPES
from promorules.errors import FactError
from promorules.testing import boundaries
from promorules.testing import facts as facts_strategy

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.yaml"))
RULESETS = [p for p in RULESETS if not p.name.endswith(".test.yaml")]

_LOADED: dict[str, promorules.Ruleset] = {}
HIGH = decimal.Context(prec=200)


def ruleset(path: Path) -> promorules.Ruleset:
    if str(path) not in _LOADED:
        _LOADED[str(path)] = promorules.load(path)
    return _LOADED[str(path)]


def every_decision() -> list[tuple[str, str]]:
    return [(p.stem, did) for p in RULESETS for did in ruleset(p).decisions]


def fuzzed_rows(rs: promorules.Ruleset, decision: str, n: int, seed: int = 0
                ) -> list[dict[str, Any]]:
    """``n`` fact rows from the testing kit's strategy, the decision's boundary rows (exact
    thresholds, a step either side), and rows with one fact given a wrong value."""
    rows: list[dict[str, Any]] = []

    @settings(max_examples=n, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(facts_strategy(rs, decision))
    def collect(f: dict[str, Any]) -> None:
        rows.append(f)

    collect()
    rows += [dict(b.facts) for b in boundaries(rs, decision)]
    rng = random.Random(seed)
    for row in list(rows[: max(3, n // 6)]):
        if not row:
            continue
        bad = dict(row)
        name = rng.choice(sorted(bad))
        bad[name] = rng.choice(_wrong(rs.facts[name].kind))
        rows.append(bad)
    return rows


def _wrong(kind: str) -> list[Any]:
    """Values ``evaluate`` refuses (or, for some kinds, reads) for a fact of ``kind``."""
    common: list[Any] = [True, [1], {"a": 1}, "", "x"]
    if kind in ("money", "number", "percent", "integer"):
        return [*common, "1.234", 1.5, "3000.001", "1e3", float("nan"), -1, "abc", "٣",
                " 1", 10 ** 40, Decimal("2.50"), Decimal("1E+2"), 12345678901234567890]
    if kind == "date":
        return [*common, "2024-02-30", "2024-3-1", dt.datetime(2024, 1, 1), 20240101]
    if kind == "datetime":
        return [*common, "2024-02-30T10:00:00", "2024-03-01 10:00", "2024-03-01T10:00:00Z",
                dt.date(2024, 1, 1)]
    if kind == "list":
        return [*common, ["a", 1], "a,b"]
    return [*common, 1, "zzz", None]


def expected(rs: promorules.Ruleset, decision: str, row: dict[str, Any], as_of: Any
             ) -> dict[str, Any]:
    try:
        r = rs.evaluate(decision, row, as_of=as_of)
    except FactError as e:
        return {"outcome": "invalid", "failed": [], "missing": [], "value": None,
                "error": f"{e.code} {e.message}"}
    return {"outcome": str(r.outcome), "failed": [x.rule_id for x in r.failed],
            "missing": list(r.missing), "value": r.value, "error": None}


def normal(v: Any) -> Any:
    """A value as compared: a MAP (a list of pairs) as a dict, numbers by value."""
    if isinstance(v, list) and v and all(isinstance(i, tuple) and len(i) == 2 for i in v):
        return {k: normal(x) for k, x in v}
    if isinstance(v, list):
        return [normal(i) for i in v]
    if isinstance(v, dict):
        return {k: normal(x) for k, x in v.items()}
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return Decimal(v).normalize()
    return v


def beyond_exact(rs: promorules.Ruleset, row: dict[str, Any], error: str | None) -> bool:
    """The row's PR820: the fact it names holds a number the batch engine's exact DECIMAL
    type cannot (documented: flagged, never computed differently)."""
    if not error or not error.startswith("PR820 fact '"):
        return False
    name = error.split("'")[1]
    p, s = NUMBER_TYPES[rs.facts[name].kind]
    value = row.get(name)
    if isinstance(value, float):
        value = Decimal(repr(value))
    try:
        d = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return False
    return abs(d) >= Decimal(10) ** (p - s) or d != d.quantize(Decimal(1).scaleb(-s),
                                                               context=HIGH)


def mismatches(rs: promorules.Ruleset, decision: str, rows: list[dict[str, Any]],
               table: pa.Table, as_of: Any) -> list[str]:
    out = []
    assert table.num_rows == len(rows)
    for k, (row, got) in enumerate(zip(rows, table.to_pylist(), strict=True)):
        want = expected(rs, decision, row, as_of)
        have = {key: got[key] for key in want}
        if want["outcome"] != "invalid" and beyond_exact(rs, row, have["error"]):
            continue
        if normal(have) != normal(want):
            out.append(f"row {k} {row!r}:\n  batch {have!r}\n  evaluate {want!r}")
    return out
