"""Version discipline (promorules.diff.bump): the bump each change requires, the verdict of
`promorules diff`, and `promorules check NEW --against OLD` failing on a version too small.
Pairs are the shipped rulesets and real edits of them."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import promorules
from promorules.cli import run
from promorules.diff import check_bump, format_bump, required_bump, semantic_diff
from promorules.diff.bump import BUMPS, RULES, bump_of, rules_table

ROOT = Path(__file__).resolve().parents[2]
SPRING = ROOT / "rulesets" / "1688_spring.yaml"
MEDALS = ROOT / "rulesets" / "aliexpress_medals.yaml"


@pytest.fixture(scope="module")
def spring() -> promorules.Ruleset:
    return promorules.load(SPRING)


def edited(path: Path, version: str, *edits: tuple[str, str]) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    head = re.compile(r"^version: .*$", re.M)
    return head.sub(f"version: {version}", text, count=1)


TIGHTER = ("check: buyer_protection_deposit >= 3000", "check: buyer_protection_deposit >= 5000")
LOOSER = ("check: buyer_protection_deposit >= 3000", "check: buyer_protection_deposit >= 2000")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


# -- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "edits", "required", "minimum", "satisfied"), [
    ("2.2.0", (TIGHTER,), "major", "3.0.0", False),  # the issue: tightened, released as minor
    ("3.0.0", (TIGHTER,), "major", "3.0.0", True),
    ("2.1.1", (LOOSER,), "major", "3.0.0", False),  # loosening changes outcomes too
    ("2.1.0", (), "none", "2.1.0", True),
    ("2.0.9", (), "none", "2.1.0", False),  # going back is never enough
    ("3.0.0-rc.1", (TIGHTER,), "major", "3.0.0", True),  # a pre-release of the right core
])
def test_threshold_changes_need_a_major_bump(
        spring: promorules.Ruleset, version: str, edits: tuple[tuple[str, str], ...],
        required: str, minimum: str, satisfied: bool) -> None:
    new = promorules.loads(edited(SPRING, version, *edits))
    report = required_bump(spring, new)
    assert (report.required, report.minimum, report.satisfied) == (required, minimum, satisfied)
    if required == "major":
        [(change, rule)] = report.reasons
        assert change.path == "merchant_eligibility.deposit" and change.aspect == "check"
        assert rule.bump == "major"


def test_wording_only_is_a_patch(spring: promorules.Ruleset) -> None:
    reword = ("en: Buyer-protection deposit balance of at least 3,000 yuan",
              "en: A buyer-protection deposit of at least 3,000 yuan")
    source = ('source: "002 §四.6"\n        check: buyer_protection_deposit',
              'source: "002 §四.6 (deposit)"\n        check: buyer_protection_deposit')
    report = required_bump(spring, promorules.loads(edited(SPRING, "2.1.1", reword, source)))
    assert report.required == "patch" and report.satisfied
    assert [c.aspect for c, _ in report.reasons] == ["description.en", "source"]
    assert not required_bump(spring, promorules.loads(edited(SPRING, "2.1.0", reword))
                             ).satisfied


def test_a_new_decision_is_minor_a_new_rule_in_a_decision_is_major(
        spring: promorules.Ruleset) -> None:
    text = SPRING.read_text(encoding="utf-8")
    decision = """\
  deposit_only:
    description: {en: Deposit only, zh: 仅保证金}
    source: "002 §四.6"
    all:
      - id: deposit_only_ok
        description: {en: Deposit, zh: 保证金}
        source: "002 §四.6"
        check: buyer_protection_deposit >= 3000
"""
    with_decision = text.replace("\ndecisions:\n", "\ndecisions:\n" + decision, 1)
    assert with_decision != text
    new = promorules.loads(re.sub(r"^version: .*$", "version: 2.2.0", with_decision,
                                  count=1, flags=re.M))
    report = required_bump(spring, new)
    assert (report.required, report.satisfied) == ("minor", True)
    assert [c.path for c, _ in report.reasons] == ["deposit_only"]
    # the same rule added to an existing decision can change its outcome: major
    rule = decision.split("all:\n")[1].replace("deposit_only_ok", "deposit_again")
    with_rule = text.replace("      - id: deposit\n", rule + "      - id: deposit\n", 1)
    report = required_bump(spring, promorules.loads(
        re.sub(r"^version: .*$", "version: 2.2.0", with_rule, count=1, flags=re.M)))
    assert (report.required, report.satisfied) == ("major", False)
    assert [(c.kind, c.path) for c, _ in report.reasons] == [
        ("added", "merchant_eligibility.deposit_again")]
    # a param added is minor too; a param's default changed is major
    medals = promorules.load(MEDALS)
    text = MEDALS.read_text(encoding="utf-8")
    default = re.search(r"(gold_gmv_usd:\n(?:.*\n)*?\s+default: )(\d+)", text)
    assert default is not None
    raised = text[:default.start(2)] + str(int(default.group(2)) + 1000) + text[default.end(2):]
    report = required_bump(medals, promorules.loads(
        re.sub(r"^version: .*$", "version: 2.1.0", raised, count=1, flags=re.M)))
    assert (report.required, report.minimum, report.satisfied) == ("major", "3.0.0", False)
    assert [(c.section, c.aspect) for c, _ in report.reasons] == [("params", "default")]


def test_a_warning_rule_changes_no_outcome_so_it_is_minor(
        spring: promorules.Ruleset) -> None:
    text = SPRING.read_text(encoding="utf-8")
    warning = """\
      - id: deposit_comfortable
        description: {en: A comfortable deposit, zh: 保证金充足}
        source: "002 §四.6"
        severity: warning
        check: buyer_protection_deposit >= 5000
"""
    with_warning = text.replace("      - id: deposit\n", warning + "      - id: deposit\n", 1)
    added = promorules.loads(re.sub(r"^version: .*$", "version: 2.2.0", with_warning,
                                    count=1, flags=re.M))
    report = required_bump(spring, added)
    assert (report.required, report.satisfied) == ("minor", True)
    assert report.reasons[0][1].what == "warning"
    # its threshold moved: still only the warnings change
    moved = promorules.loads(re.sub(r"^version: .*$", "version: 2.3.0", with_warning.replace(
        "buyer_protection_deposit >= 5000", "buyer_protection_deposit >= 6000"), count=1,
        flags=re.M))
    assert required_bump(added, moved).required == "minor"
    # made an error: it now decides the outcome
    strict = promorules.loads(with_warning.replace("severity: warning", "severity: error")
                              .replace("version: 2.1.0", "version: 2.2.1", 1))
    assert required_bump(added, strict).required == "major"


def test_removing_a_rule_is_major(spring: promorules.Ruleset) -> None:
    text = SPRING.read_text(encoding="utf-8")
    # drop the deposit rule (its block of the merchant decision)
    start = text.index("      - id: deposit\n")
    end = text.index("      - id:", start + 1)
    new = promorules.loads(re.sub(r"^version: .*$", "version: 2.2.0",
                                  text[:start] + text[end:], count=1, flags=re.M))
    report = required_bump(spring, new)
    assert report.required == "major" and not report.satisfied
    assert any(c.kind == "removed" and c.path == "merchant_eligibility.deposit"
               for c, _ in report.reasons)


def test_no_change_needs_no_bump(spring: promorules.Ruleset) -> None:
    report = required_bump(spring, spring)
    assert (report.required, report.reasons, report.satisfied) == ("none", (), True)
    assert format_bump(report) == ("version 2.1.0 → 2.1.0: no semantic changes, no bump "
                                   "required\n")


def test_every_change_has_a_row(spring: promorules.Ruleset) -> None:
    # two unrelated rulesets differ in every section and every kind of change
    changes = semantic_diff(spring, promorules.load(MEDALS))
    assert {c.section for c in changes} >= {"ruleset", "facts", "params", "lists"}
    assert {c.kind for c in changes} == {"added", "removed", "changed"}
    rows = [bump_of(c) for c in changes]
    assert all(r in RULES and r.bump in BUMPS for r in rows)
    assert required_bump(spring, promorules.load(MEDALS)).required == "major"


def test_the_docs_show_the_table_of_the_module() -> None:
    text = (ROOT / "docs" / "writing-rulesets.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- bump-rules:[^\n]*-->\n(.*?)\n<!-- /bump-rules -->", text, re.S)
    assert block is not None and block.group(1) == rules_table()


# -- the commands ------------------------------------------------------------------------


def test_diff_prints_the_verdict_and_json_carries_it(tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(edited(SPRING, "2.2.0", TIGHTER), encoding="utf-8")
    code, out, _ = cli("diff", str(SPRING), str(new))
    assert code == 1
    assert out.endswith("version 2.1.0 → 2.2.0: too small, these changes require a major "
                        "bump (at least 3.0.0):\n  merchant_eligibility.deposit: "
                        "buyer_protection_deposit >= 3000 → >= 5000\n")
    code, out, _ = cli("diff", str(SPRING), str(new), "--json")
    bump = json.loads(out)["bump"]
    assert (bump["required"], bump["minimum"], bump["satisfied"]) == ("major", "3.0.0", False)
    assert bump["reasons"][0]["path"] == "merchant_eligibility.deposit"
    new.write_text(edited(SPRING, "3.0.0", TIGHTER), encoding="utf-8")
    _, out, _ = cli("diff", str(SPRING), str(new))
    assert "version 2.1.0 → 3.0.0: satisfies the major bump these changes require:" in out


def test_check_against_fails_when_the_version_is_too_small(tmp_path: Path) -> None:
    new = tmp_path / "1688_spring.yaml"
    new.write_text(edited(SPRING, "2.2.0", TIGHTER), encoding="utf-8")
    code, out, err = cli("check", str(new), "--against", str(SPRING))
    assert code == 3 and out == ""
    line = next(i for i, ln in enumerate(new.read_text().splitlines(), 1)
                if ln.startswith("version:"))
    assert err.startswith(f"{new}:{line}:10: PR315 version 2.2.0 is too small: the changes "
                          "since 2.1.0 require a major bump, so at least 3.0.0 ")
    assert err.endswith("(at version)\n1 of 1 ruleset(s) invalid\n")
    with pytest.raises(promorules.RulesetError) as caught:
        check_bump(promorules.load(SPRING), promorules.load(new))
    assert caught.value.code == "PR315"
    new.write_text(edited(SPRING, "3.0.0", TIGHTER), encoding="utf-8")
    code, out, err = cli("check", str(new), "--against", str(SPRING))
    assert (code, err) == (0, "")
    assert out == f"{new}: ok; version 2.1.0 → 3.0.0: major bump required, satisfied\n"


def test_check_against_another_ruleset_or_several_files(tmp_path: Path) -> None:
    code, _, err = cli("check", str(SPRING), "--against", str(MEDALS))
    assert code == 3 and "PR316 cannot check the version against ruleset " in err
    code, _, err = cli("check", str(SPRING), str(MEDALS), "--against", str(SPRING))
    assert code == 3 and "--against checks one ruleset file" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n", encoding="utf-8")
    code, _, err = cli("check", str(SPRING), "--against", str(bad))
    assert code == 3 and "the older version is invalid" in err
