"""`import promorules` loads the pipeline only: the optional parts, argparse, jsonschema and
PyYAML are imported when first used (PEP 562 module __getattr__ for the public names)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import promorules

ROOT = Path(__file__).resolve().parents[2]

OPTIONAL = [
    "promorules.monitor", "promorules.registry", "promorules.diff", "promorules.policy_docs",
    "promorules.examples", "promorules.testing", "promorules.backends",
    "promorules.backends.durable", "promorules.cli", "argparse", "hypothesis",
    "promorules.decision_log", "promorules.service", "fastapi", "uvicorn", "prometheus_client",
]
# until the first load(): the YAML and schema libraries, the checking stage's IR (and the
# wording that writes it, until the first explanation)
DEFERRED = [*OPTIONAL, "jsonschema", "yaml", "promorules.ir", "promorules.wording"]


def _modules_after(code: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys, json\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, env=env, timeout=60)
    return set(json.loads(out.stdout))


def test_import_promorules_loads_no_optional_part() -> None:
    loaded = _modules_after("import promorules")
    assert "promorules.ruleset" in loaded  # the subprocess did import the package
    assert sorted(m for m in DEFERRED if m in loaded) == []
    assert "opencc" not in loaded


def test_opencc_loads_with_the_first_chinese_explanation() -> None:
    # offline_coop declares no `match: chinese`: nothing is folded at load
    evaluate = (f"import promorules, json\n"
                f"rs = promorules.load({str(ROOT / 'rulesets' / 'offline_coop.yaml')!r})\n"
                f"r = rs.evaluate('commission', "
                f"{{'order_amount_cny': '100.00', 'commission_rate_percent': 3}})\n")
    assert "opencc" not in _modules_after(evaluate + "r.explain('en')")
    assert "opencc" in _modules_after(evaluate + "r.explain('zh')")


def test_opencc_loads_with_a_ruleset_that_matches_chinese_text() -> None:
    # 1688_spring's lists are `match: chinese`: folded once, at load
    load = f"import promorules\npromorules.load({str(ROOT / 'rulesets' / '1688_spring.yaml')!r})"
    assert "opencc" in _modules_after(load)


def test_load_imports_what_it_needs_and_no_more() -> None:
    loaded = _modules_after(
        f"import promorules\npromorules.load({str(ROOT / 'rulesets' / '1688_spring.yaml')!r})")
    assert {"yaml", "jsonschema", "promorules.schema"} <= loaded
    assert sorted(m for m in OPTIONAL if m in loaded) == []


def test_lazy_names_resolve_and_are_listed() -> None:
    from promorules.monitor import Monitor, MonitorEvent
    from promorules.registry import Registry, UnknownRulesetError

    assert promorules.Monitor is Monitor and promorules.MonitorEvent is MonitorEvent
    assert promorules.Registry is Registry
    assert promorules.UnknownRulesetError is UnknownRulesetError
    from promorules.decision_log import DecisionLog
    assert promorules.DecisionLog is DecisionLog
    assert set(promorules.__all__) <= set(dir(promorules))
    try:
        promorules.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:  # pragma: no cover
        raise AssertionError("an unknown attribute must raise AttributeError")
