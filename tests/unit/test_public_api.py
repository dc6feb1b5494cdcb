"""The public namespace is deliberate: `promorules.__all__` lists exactly what
docs/api.md documents, and every listed name exists."""

from __future__ import annotations

import re
from pathlib import Path

import promorules

ROOT = Path(__file__).resolve().parents[2]


def test_all_lists_exactly_the_documented_names() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    table = text.split("## A worked example")[0]
    documented = set(re.findall(r"\[`(\w+)", table)) | set(re.findall(r"^\| `(\w+)`", table,
                                                                      re.M))
    assert set(promorules.__all__) == documented
    for name in promorules.__all__:
        assert hasattr(promorules, name), name


def test_errors_subclass_the_builtin_a_caller_would_catch() -> None:
    assert issubclass(promorules.RulesetError, (promorules.PromorulesError, ValueError))
    assert issubclass(promorules.FactError, (promorules.PromorulesError, ValueError))
    assert issubclass(promorules.UnknownDecisionError, LookupError)
    assert issubclass(promorules.UnknownRulesetError, LookupError)
