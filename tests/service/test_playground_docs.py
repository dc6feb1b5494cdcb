"""The playground's section of docs/service.md: it shows each of the playground's endpoints
in a console session (run against a live server, with the page's other sessions, by
tests/docs/test_service_doc.py) and its picture is a PNG in the repository."""

from __future__ import annotations

import re

from .playground_support import ROOT

PAGE = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")


def test_the_section_shows_the_endpoints_and_the_picture() -> None:
    section = PAGE.split("\n## The playground\n", 1)[1].split("\n## ", 1)[0]
    commands = [line for block in re.findall(r"```console\n(.*?)```", section, re.S)
                for line in block.splitlines() if line.startswith("$ ")]
    for path in ("/v1/playground/rulesets/", "/v1/playground/check",
                 "/v1/playground/evaluate"):
        assert any(path in c for c in commands), path
    (image,) = re.findall(r"!\[[^]]*\]\((images/[^)]+)\)", section)
    assert (ROOT / "docs" / image).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
