"""The tutorial (docs/writing-rulesets.md) runs: every `$ promorules ...` session prints
what the page shows, in a copy of docs/tutorial/, and every file it lists is the file in
docs/tutorial/ (tests/docs/doc_sessions.py). Refresh the outputs with
`python tools/refresh_cli_docs.py` after a deliberate change of the commands' output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from doc_sessions import ROOT, check_page

import promorules

PAGE = ROOT / "docs" / "writing-rulesets.md"
TUTORIAL = ROOT / "docs" / "tutorial"


def test_every_session_and_listing_of_the_tutorial_matches(tmp_path: Path) -> None:
    problems, ran = check_page(PAGE, tmp_path)
    report = "\n\n".join(f"{p.where}\n--- page\n{p.expected}\n+++ now\n{p.actual}"
                         for p in problems)
    assert not problems, ("the tutorial differs from what its commands print (refresh it "
                          "with python tools/refresh_cli_docs.py and read the diff):\n"
                          + report)
    assert ran >= 12


def test_the_tutorial_walks_the_whole_loop() -> None:
    text = PAGE.read_text(encoding="utf-8")
    commands = re.findall(r"^\$ (promorules \w+[^\n]*)", text, re.M)
    for step in ("promorules check ", "promorules eval ", "promorules test ", "--coverage",
                 "--min-coverage", "promorules docs ", "promorules docs --check",
                 "promorules diff ", "--against"):
        assert any(step in c for c in commands), step
    assert "# yaml-language-server: $schema=" in text and ".test.yaml" in text
    assert "## Where the source documents live" in text and "## Versions" in text
    # the testing part teaches promorules test, not the repository's pytest set-up
    assert "pytest" not in text.replace("CONTRIBUTING.md", "")


def test_the_tutorial_versions_are_repositories_that_pass_their_own_checks() -> None:
    for version in ("1.0.0", "2.0.0"):
        rs = promorules.load(TUTORIAL / version / "rulesets" / "spring_sale.yaml")
        assert rs.version == version
        assert rs.text.startswith("# yaml-language-server: $schema=")
        for source in rs.model.sources.values():  # the cited documents are in sources/
            assert (TUTORIAL / version / "sources" / source["file"]).is_file(), source


@pytest.mark.parametrize("mistake", ["orders_30d >= 100", "source: \"SS1 §1.2\""])
def test_a_listing_that_differs_from_its_file_is_reported(tmp_path: Path, mistake: str) -> None:
    page = tmp_path / "page.md"
    ruleset = (TUTORIAL / "1.0.0" / "rulesets" / "spring_sale.yaml").read_text(encoding="utf-8")
    assert mistake in ruleset
    changed = ruleset.replace(mistake, mistake.replace("1", "7"), 1)
    page.write_text("<!-- file: docs/tutorial/1.0.0/rulesets/spring_sale.yaml -->\n```yaml\n"
                    f"{changed}```\n", encoding="utf-8")
    problems, _ = check_page(page, tmp_path / "work")
    assert len(problems) == 1 and "spring_sale.yaml" in problems[0].where


def test_a_session_whose_output_changed_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- cwd: docs/tutorial/1.0.0 -->\n```text\n"
                    "$ promorules check rulesets/spring_sale.yaml\nrulesets/spring_sale.yaml: OK\n"
                    "$ echo $?\n3\n```\n", encoding="utf-8")
    problems, ran = check_page(page, tmp_path / "work")
    assert ran == 1
    assert [p.actual for p in problems] == ["rulesets/spring_sale.yaml: ok", "0"]


def test_only_promorules_commands_are_shown(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```text\n$ rm -rf rulesets\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="only promorules commands"):
        check_page(page, tmp_path / "work")
