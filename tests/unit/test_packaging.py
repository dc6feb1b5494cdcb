"""The package metadata and the library's changelog (issue 13, packaging)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _floor(name: str) -> tuple[int, ...] | None:
    for dep in PROJECT["dependencies"]:
        m = re.fullmatch(rf"{re.escape(name)}\s*>=\s*([\d.]+)", dep, re.I)
        if m:
            return tuple(int(x) for x in m.group(1).split("."))
    return None


def test_core_dependencies_have_floors_the_installed_versions_meet() -> None:
    for dep in PROJECT["dependencies"]:
        name = re.split(r"[<>=!~ ]", dep, maxsplit=1)[0]
        floor = _floor(name)
        assert floor is not None, f"{dep!r} has no version floor"
        installed = tuple(int(x) for x in re.findall(r"\d+", metadata.version(name))[:len(floor)])
        assert installed >= floor, f"{name} {metadata.version(name)} is below {dep!r}"
    # the working-day calendar needs the 2026 holidays
    assert (_floor("chinesecalendar") or ()) >= (1, 11)


def test_urls_classifiers_and_keywords() -> None:
    assert {"Homepage", "Documentation", "Changelog"} <= set(PROJECT["urls"])
    classifiers = PROJECT["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers  # py.typed ships
    assert any(c.startswith("License :: ") for c in classifiers)
    assert PROJECT["keywords"]


def test_changelog_has_unreleased_section_and_one_per_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (\S+)", text, re.M)
    assert sections[0] == "Unreleased"
    assert PROJECT["version"] in sections
    unreleased = text.split("\n## ")[1]
    for feature in ("batch", "Spark", "SQL", "serve", "playground", "DMN", "import dmn",
                    "tutorial"):
        assert feature in unreleased, feature


def test_durable_extra_says_it_needs_a_c_compiler() -> None:
    for page in ("README.md", "docs/durable-backend.md"):
        text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
        assert "C compiler" in text, page
