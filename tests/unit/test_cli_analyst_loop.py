"""The command line as the analyst's loop uses it (issue 13.7): every subcommand listed in
the help, the module docstring and docs/cli.md's generated synopsis and exit-status table;
--color documented; `promorules test` on a broken examples file prints the error, not a
"0 passed, 0 failed" line."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import promorules.cli
from promorules.cli import COMMANDS, EXIT_STATUS, run
from promorules.cli.reference import GENERATED, replace_generated

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial" / "1.0.0"


def cli(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if cwd is None:
        code = run(list(argv), out, err)
    else:
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(cwd)
            code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_every_subcommand_is_in_the_help_the_docstring_and_the_exit_table() -> None:
    code, out, _ = cli("--help")
    assert code == 0
    doc = promorules.cli.__doc__ or ""
    for name in COMMANDS:
        assert f"    {name} " in out, name
        assert f"promorules {name} " in doc, name
        assert EXIT_STATUS[name].get(3), f"{name}: no exit status 3 (invalid input)"
        code, sub_help, _ = cli(name, "--help")
        assert code == 0 and f"promorules {name}" in sub_help


def test_cli_md_generated_parts_are_up_to_date() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in GENERATED:
        assert f"<!-- generated: {name} -->" in text and f"<!-- end: {name} -->" in text
    assert replace_generated(text) == text, \
        "docs/cli.md is stale: run python tools/refresh_cli_docs.py"
    for name in COMMANDS:
        assert f"\npromorules {name} " in text and f"| `{name}` |" in text
        assert f"## `promorules {name}`" in text, f"docs/cli.md has no section for {name}"


def test_a_new_subcommand_appears_in_the_generated_tables(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COMMANDS, "batch", ("evaluate a decision over a whole table",
                                            "promorules batch RULESET DECISION INPUT -o OUT"))
    text = replace_generated((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"))
    assert "\npromorules batch RULESET DECISION INPUT -o OUT\n" in text
    assert "| `batch` | the batch ran, whatever the outcomes | - | - |" in text
    assert "| [`batch`](#promorules-batch) | evaluate a decision over a whole table |" in text


@pytest.mark.parametrize("command", ["eval", "diff"])
def test_color_has_help_text(command: str) -> None:
    _, out, _ = cli(command, "--help")
    text = " ".join(out.split())
    assert "--color {auto,always,never} colour the output" in text
    assert "NO_COLOR" in text


def test_a_typo_in_an_examples_file_prints_the_error_and_no_summary(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(TUTORIAL, work)
    examples = work / "rulesets" / "spring_sale.test.yaml"
    text = examples.read_text(encoding="utf-8")
    examples.write_text(text.replace("    decision: store_eligibility",
                                     "    decison: store_eligibility", 1), encoding="utf-8")
    code, out, err = cli("test", "rulesets", cwd=work)
    assert code == 3
    assert "passed" not in out and "failed" not in out  # was "0 passed, 0 failed"
    assert "unknown key 'decison'" in err and "did you mean 'decision'?" in err
    assert err.rstrip().endswith("1 ruleset(s) or examples file(s) invalid")


def test_one_broken_ruleset_among_good_ones_still_counts_the_good_ones(
        tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(TUTORIAL, work)
    broken = work / "rulesets" / "broken.yaml"
    broken.write_text("id: broken\n", encoding="utf-8")
    code, out, err = cli("test", "rulesets", cwd=work)
    assert code == 3
    assert out.rstrip().endswith("8 passed, 0 failed")
    assert "broken.yaml" in err and "1 ruleset(s) or examples file(s) invalid" in err


def test_docs_check_alone_checks_every_sheet(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(TUTORIAL, work)
    assert cli("docs", "--check", cwd=work) == (0, "", "")
    sheet = work / "docs" / "rulesets" / "spring_sale.md"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("4.6", "4.5"), encoding="utf-8")
    code, out, err = cli("docs", "--check", cwd=work)
    assert (code, out) == (1, "")
    assert "docs/rulesets/spring_sale.md: stale; regenerate with `promorules docs --all`" in err
    sheet.unlink()
    assert cli("docs", "--check", cwd=work)[0] == 1
    # run from the wrong directory: an error, never a silent pass
    code, _, err = cli("docs", "--check", cwd=tmp_path)
    assert code == 3 and "no rulesets in rulesets" in err


def test_docs_check_of_one_sheet(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(TUTORIAL, work)
    ruleset, sheet = "rulesets/spring_sale.yaml", "docs/rulesets/spring_sale.md"
    assert cli("docs", ruleset, "-o", sheet, "--check", cwd=work)[0] == 0
    code, _, err = cli("docs", ruleset, "-o", "elsewhere.md", "--check", cwd=work)
    assert code == 1 and "elsewhere.md: missing" in err
    assert not (work / "elsewhere.md").exists()  # --check writes nothing
    html = work / "sheet.html"
    html.write_text("<!DOCTYPE html>\n", encoding="utf-8")
    code, _, err = cli("docs", ruleset, "-o", "sheet.html", "--check", cwd=work)
    assert code == 1 and "sheet.html: stale" in err
    assert html.read_text(encoding="utf-8") == "<!DOCTYPE html>\n"
    code, _, err = cli("docs", ruleset, "--check", cwd=work)
    assert code == 3 and "needs -o FILE" in err
