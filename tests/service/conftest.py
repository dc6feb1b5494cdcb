"""Shared pieces of the service tests: a rulesets directory of one's own (edited by the
reload tests), small rulesets with versions and a masking list, and a started app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from promorules.service import create_app

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2024-03-01T12:00:00+08:00"  # inside 1688_spring 2.1.0's validity
EVALUATE = "/v1/rulesets/{}/decisions/{}/evaluate"
MERCHANT = "/v1/rulesets/1688_spring/decisions/merchant_eligibility/evaluate"


def deposit_ruleset(version: str, threshold: int, effective: str = "",
                     mask: str = "") -> str:
    """A small ruleset: ``ok`` passes when ``deposit >= threshold``."""
    return f"""\
id: deposit_rules
version: {version}
title: {{en: Deposit, zh: 保证金}}
timezone: Asia/Shanghai
{effective}{mask}sources: {{"D": {{file: d.txt}}}}
facts:
  deposit: {{type: money, currency: CNY}}
  merchant_name: {{type: string}}
  phone: {{type: string}}
decisions:
  ok:
    description: {{en: Deposit high enough, zh: 保证金足够}}
    all:
      - {{id: deposit, description: {{en: d, zh: d}}, source: "D 1", check: deposit >= {threshold}}}
"""


def write_deposit_rulesets(folder: Path) -> None:
    """A two-version ``deposit_rules``: 1.0.0 until 2024-02-29 (threshold 3000), 1.1.0
    from 2024-03-01 (threshold 5000, masking ``phone``)."""
    (folder / "history").mkdir(parents=True, exist_ok=True)
    (folder / "history" / "deposit_1.yaml").write_text(deposit_ruleset(
        "1.0.0", 3000, "effective_until: 2024-02-29\n"), encoding="utf-8")
    (folder / "deposit.yaml").write_text(deposit_ruleset(
        "1.1.0", 5000, "effective_from: 2024-03-01\n", "mask: [phone]\n"), encoding="utf-8")


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped rulesets and ``deposit_rules``; never changed."""
    folder = tmp_path_factory.mktemp("shared") / "rulesets"
    folder.mkdir()
    for path in (ROOT / "rulesets").glob("*.yaml"):
        if not path.name.endswith(".test.yaml"):
            shutil.copy(path, folder / path.name)
    write_deposit_rulesets(folder)
    return folder


@pytest.fixture(scope="module")
def client(shared_dir: Path) -> Iterator[TestClient]:
    """A started app (lifespan run) on ``shared_dir``, shared by a module's tests that
    only read (their metrics counts add up: count in an app of your own)."""
    app = create_app(shared_dir)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def small_dir(tmp_path: Path) -> Path:
    """A directory of one's own holding ``deposit_rules`` only (fast to load and reload)."""
    folder = tmp_path / "rulesets"
    write_deposit_rulesets(folder)
    return folder
