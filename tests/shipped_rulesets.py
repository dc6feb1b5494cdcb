"""The shipped rulesets (rulesets/*.yaml), each loaded once per test process.

A ``Ruleset`` is immutable, so every test module shares one instance instead of loading its
own at import. Test bodies take them as the session fixtures of tests/conftest.py
(``ruleset_1688_spring``, ..., or ``shipped_ruleset(name)``); :func:`load` is for what is
needed while tests are collected (``parametrize`` over a ruleset's decisions, hypothesis
strategies built from it).
"""

from __future__ import annotations

import functools
from pathlib import Path

import promorules

ROOT = Path(__file__).resolve().parents[1]
NAMES = tuple(sorted(p.stem for p in (ROOT / "rulesets").glob("*.yaml")
                     if not p.name.endswith(".test.yaml")))


def path(name: str) -> Path:
    """The file of the shipped ruleset ``name``."""
    return ROOT / "rulesets" / f"{name}.yaml"


@functools.cache
def load(name: str) -> promorules.Ruleset:
    """The shipped ruleset ``name``, loaded on first use and shared."""
    return promorules.load(path(name))


def load_all() -> dict[str, promorules.Ruleset]:
    """Every shipped ruleset, by file stem."""
    return {name: load(name) for name in NAMES}
