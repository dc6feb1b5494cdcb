"""The playground's section of the docs is run: each `$ curl ...` session of it is run
against a real server on localhost and its output compared (``...`` matches anything)."""

from __future__ import annotations

import doctest
import re
import subprocess
from collections.abc import Iterator

import pytest

from .playground_support import ROOT, make_app, serve


def section() -> str:
    """The playground's section: its own page, or the part of docs/service.md under
    "## The playground"."""
    page = ROOT / "docs" / "service-playground.md"
    if page.exists():
        return page.read_text(encoding="utf-8")
    text = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")
    return text.split("\n## The playground\n", 1)[1].split("\n## ", 1)[0]


def sessions() -> list[tuple[str, str]]:
    out = []
    for block in re.findall(r"```console\n(.*?)```", section(), re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = part.partition("\n")
            out.append((command, expected))
    return out


@pytest.fixture(scope="module")
def port() -> Iterator[str]:
    with serve(make_app()) as url:
        yield url.rsplit(":", 1)[1].rstrip("/")


def test_the_section_shows_the_endpoints_and_the_picture() -> None:
    text = section()
    commands = [c for c, _ in sessions()]
    for path in ("/v1/playground/rulesets/", "/v1/playground/check",
                 "/v1/playground/evaluate"):
        assert any(path in c for c in commands), path
    (image,) = re.findall(r"!\[[^]]*\]\((images/[^)]+)\)", text)
    data = (ROOT / "docs" / image).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(("command", "expected"), sessions())
def test_console_sessions_match(port: str, command: str, expected: str) -> None:
    done = subprocess.run(["bash", "-c", command.replace("localhost:8080", f"127.0.0.1:{port}")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    got = done.stdout.rstrip("\n") + "\n"
    assert doctest.OutputChecker().check_output(expected.rstrip("\n") + "\n", got,
                                                doctest.ELLIPSIS), (
        f"{command}\n--- expected\n{expected}\n--- got\n{got}\n{done.stderr}")
