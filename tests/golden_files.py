"""Golden files: the one mechanism, and the one place they live.

Every golden file is under ``tests/golden/<ruleset id>/``. A test compares a text (or JSON
data) with its pinned copy through :class:`Golden`; with ``PROMORULES_UPDATE_GOLDEN=1`` the
copies are rewritten instead, and stale ones deleted (then review ``git diff tests/golden``
before committing)::

    PROMORULES_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden tests/rulesets

Each module owning a directory asserts, once, that it holds exactly the files its cases
expect (:meth:`Golden.assert_no_stale`), so a renamed or removed case cannot leave a file
behind.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Iterable
from typing import Any

UPDATE = os.environ.get("PROMORULES_UPDATE_GOLDEN") == "1"
ROOT = pathlib.Path(__file__).resolve().parent / "golden"
REGENERATE = "regenerate with PROMORULES_UPDATE_GOLDEN=1 and review the diff"


class Golden:
    """The golden files of one ruleset: ``tests/golden/<ruleset_id>/``."""

    def __init__(self, ruleset_id: str) -> None:
        self.directory = ROOT / ruleset_id

    def path(self, name: str) -> pathlib.Path:
        return self.directory / name

    def _write(self, name: str, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path(name).write_text(text, encoding="utf-8")

    def _read(self, name: str) -> str:
        path = self.path(name)
        assert path.exists(), f"{path.name} is missing: {REGENERATE}"
        return path.read_text(encoding="utf-8")

    def check_text(self, name: str, actual: str) -> None:
        """``actual`` equals the golden file ``name`` (or rewrites it, when updating)."""
        if UPDATE:
            self._write(name, actual)
            return
        assert actual == self._read(name), (
            f"{name} differs from the golden file; if the change is intended, {REGENERATE}")

    def check_json(self, name: str, data: Any) -> None:
        """``data`` equals the golden JSON file ``name``, compared as data (key order and
        layout do not matter)."""
        if UPDATE:
            self._write(name, json.dumps(data, ensure_ascii=False, indent=2,
                                         allow_nan=False) + "\n")
            return
        assert data == json.loads(self._read(name)), (
            f"{name} differs from the golden file; if the change is intended, {REGENERATE}")

    def assert_no_stale(self, expected: Iterable[str]) -> None:
        """The directory holds exactly the ``expected`` files (when updating, the others are
        deleted)."""
        wanted = set(expected)
        present = {p.name for p in self.directory.iterdir()} if self.directory.is_dir() \
            else set()
        if UPDATE:
            for name in present - wanted:
                self.path(name).unlink()
            return
        assert present == wanted, (
            f"{self.directory.relative_to(ROOT.parent)}: stale {sorted(present - wanted)}, "
            f"missing {sorted(wanted - present)}; {REGENERATE}")
