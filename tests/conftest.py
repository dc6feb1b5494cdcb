"""Shared pytest configuration.

Hypothesis profiles, chosen with the HYPOTHESIS_PROFILE environment variable:

- ``dev`` (default): 100 examples per property, quick local runs.
- ``ci``: derandomized (the same examples every run), 60 examples, no deadline, and a
  reproduction blob printed on failure. ``HYPOTHESIS_PROFILE=ci python -m pytest``.
- ``nightly``: 2000 examples, no deadline, for a long search.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import settings

import promorules
import shipped_rulesets

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          print_blob=True)
settings.register_profile("nightly", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# -- the shipped rulesets, loaded once per session (tests/shipped_rulesets.py) -------------


@pytest.fixture(scope="session")
def shipped_ruleset() -> Callable[[str], promorules.Ruleset]:
    """``shipped_ruleset("tmall_global")``: a shipped ruleset, shared by every test."""
    return shipped_rulesets.load


@pytest.fixture(scope="session")
def ruleset_1688_spring() -> promorules.Ruleset:
    return shipped_rulesets.load("1688_spring")


@pytest.fixture(scope="session")
def ruleset_aliexpress_medals() -> promorules.Ruleset:
    return shipped_rulesets.load("aliexpress_medals")


@pytest.fixture(scope="session")
def ruleset_offline_coop() -> promorules.Ruleset:
    return shipped_rulesets.load("offline_coop")


@pytest.fixture(scope="session")
def ruleset_tmall_global() -> promorules.Ruleset:
    return shipped_rulesets.load("tmall_global")
