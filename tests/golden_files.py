"""Golden files: compare a text with its pinned copy, or rewrite the copy when
PROMORULES_UPDATE_GOLDEN=1 (then review the diff before committing)."""

from __future__ import annotations

import os
import pathlib

UPDATE = os.environ.get("PROMORULES_UPDATE_GOLDEN") == "1"


def check_golden(path: pathlib.Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path.name} is missing: run with PROMORULES_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{path.name} differs from the golden file; if the change is intended, regenerate "
        "with PROMORULES_UPDATE_GOLDEN=1 and review the diff")
