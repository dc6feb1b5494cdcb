"""The command line: promorules.cli.run with in-memory streams, and one real subprocess."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import promorules
from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets" / "1688_spring.yaml")
EXAMPLES = ROOT / "examples" / "1688_spring"
MERCHANT_OK = str(EXAMPLES / "merchant_ok.json")
MERCHANT_LOW = str(EXAMPLES / "merchant_low_deposit.json")
REGISTRATION_OK = str(EXAMPLES / "registration_ok.json")

LOCATED = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>PR\d{3}) (?P<msg>.+)$")


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


# -- eval exit codes ---------------------------------------------------------------------


def test_eval_pass_exits_0() -> None:
    code, out, err = cli("eval", RULESET, "merchant_eligibility", MERCHANT_OK)
    assert code == 0
    assert "PASS" in out
    assert "merchant_eligibility" in out
    assert err == ""


def test_eval_fail_exits_1_and_explains() -> None:
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", MERCHANT_LOW)
    assert code == 1
    assert "FAIL" in out
    assert "deposit" in out
    assert "2999.99" in out
    assert "0.01" in out


def test_eval_unknown_exits_2() -> None:
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", "-",
                       stdin='{"main_industry": "玩具"}')
    assert code == 2
    assert "UNKNOWN" in out
    assert "trade_medal_level" in out  # a missing fact is named


def test_eval_reads_facts_from_stdin() -> None:
    facts = (EXAMPLES / "merchant_ok.json").read_text("utf-8")
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", "-", stdin=facts)
    assert code == 0
    assert "PASS" in out


def test_eval_stdin_keeps_json_numbers_exact() -> None:
    facts = (EXAMPLES / "merchant_low_deposit.json").read_text("utf-8")
    assert '"buyer_protection_deposit": 2999.99' in facts
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", "-", "--json", stdin=facts)
    assert code == 1
    data = json.loads(out)
    node = next(c for c in data["trace"]["children"] if c["rule_id"] == "deposit")
    assert node["actual"] == {"buyer_protection_deposit": "2999.99"}
    assert node["gap"] == "0.01"


def test_eval_json_output_parses() -> None:
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", MERCHANT_LOW, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["outcome"] == "fail"
    assert data["decision"] == "merchant_eligibility"
    assert data["failed"] == ["deposit"]
    assert data["ruleset_id"] == "1688_spring"


def test_eval_json_output_of_a_value_decision() -> None:
    code, out, _ = cli("eval", RULESET, "review_due", REGISTRATION_OK, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["outcome"] == "pass"
    assert data["value"] == "2024-03-06"


def test_eval_lang_zh() -> None:
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", MERCHANT_LOW, "--lang", "zh")
    assert code == 1
    assert "不通过" in out
    assert "买家保障服务保证金余额不低于3000元" in out  # the description, in Simplified too


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_eval_lang_names_the_script(lang: str) -> None:
    code, out, _ = cli("eval", RULESET, "merchant_eligibility", MERCHANT_LOW, "--lang", lang)
    assert code == 1
    if lang == "zh-Hans":
        assert "不通过" in out and "买家保障服务保证金余额不低于3000元" in out
    else:
        assert "不通過" in out and "買家保障服務保證金餘額不低於3000元" in out


def test_eval_lang_must_be_en_or_zh() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibility", MERCHANT_OK, "--lang", "fr")
    assert code == 3
    assert "fr" in err and "zh-Hant" in err


def test_eval_as_of_is_accepted() -> None:
    code, out, _ = cli("eval", RULESET, "registration", REGISTRATION_OK,
                       "--as-of", "2024-03-01T12:00:00+08:00")
    assert code == 0
    assert "PASS" in out
    code, _, _ = cli("eval", RULESET, "registration", REGISTRATION_OK, "--as-of", "2024-03-01")
    assert code == 0


def test_eval_as_of_must_be_a_date() -> None:
    code, _, err = cli("eval", RULESET, "registration", REGISTRATION_OK, "--as-of", "soon")
    assert code == 3
    assert "PR608" in err or "as_of" in err


# -- invalid input: exit 3 with located errors on stderr ---------------------------------


def test_invalid_facts_json_exits_3_with_a_located_error() -> None:
    code, out, err = cli("eval", RULESET, "merchant_eligibility", "-",
                         stdin='{"main_industry": \n')
    assert code == 3
    assert out == ""
    match = LOCATED.match(err.splitlines()[0])
    assert match, err
    assert match["file"] == "<stdin>"
    assert match["code"] == "PR101"
    assert (match["line"], match["column"]) == ("2", "1")


def test_invalid_facts_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "main_industry": "玩具",\n  oops\n}\n', encoding="utf-8")
    code, _, err = cli("eval", RULESET, "merchant_eligibility", str(path))
    assert code == 3
    match = LOCATED.match(err.splitlines()[0])
    assert match, err
    assert match["file"] == str(path)
    assert (match["line"], match["column"]) == ("3", "3")


def test_facts_that_are_not_an_object_exit_3() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibility", "-", stdin="[1, 2]")
    assert code == 3
    assert "PR600" in err


def test_nan_in_facts_json_exits_3() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibility", "-",
                       stdin='{"buyer_protection_deposit": NaN}')
    assert code == 3
    assert "PR602" in err


def test_bad_fact_value_exits_3_naming_the_fact() -> None:
    code, out, err = cli("eval", RULESET, "merchant_eligibility", "-",
                         stdin='{"chengxintong_active": 1}')
    assert code == 3
    assert out == ""
    assert "PR601" in err
    assert "chengxintong_active" in err


def test_bad_fact_value_error_starts_with_the_facts_file(tmp_path: Path) -> None:
    # contract: exit 3 "for an invalid ruleset or facts file (with file:line:column: message
    # on stderr)": a bad value in a facts file is reported against that file
    path = tmp_path / "facts.json"
    path.write_text('{"chengxintong_active": 1}', encoding="utf-8")
    code, _, err = cli("eval", RULESET, "merchant_eligibility", str(path))
    assert code == 3
    assert err.startswith(f"{path}:"), err


def test_missing_facts_file_exits_3() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibility", "/nonexistent/facts.json")
    assert code == 3
    assert "PR100" in err


def test_unknown_decision_exits_3_with_suggestion() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibilty", MERCHANT_OK)
    assert code == 3
    assert "did you mean 'merchant_eligibility'?" in err


def test_invalid_ruleset_exits_3_with_located_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(RULESET).read_text("utf-8").replace(
        "check: buyer_protection_deposit >= 3000", "check: buyer_protection_deposti >= 3000"),
        encoding="utf-8")
    code, out, err = cli("eval", str(bad), "merchant_eligibility", MERCHANT_OK)
    assert code == 3
    assert out == ""
    match = LOCATED.match(err.splitlines()[0])
    assert match, err
    assert match["file"] == str(bad)
    assert match["code"] == "PR301"
    assert "did you mean 'buyer_protection_deposit'?" in match["msg"]
    line_no = next(n for n, line in enumerate(bad.read_text("utf-8").splitlines(), 1)
                   if "buyer_protection_deposti" in line)
    line = bad.read_text("utf-8").splitlines()[line_no - 1]
    assert int(match["line"]) == line_no
    assert int(match["column"]) == line.index("buyer_protection_deposti") + 1


def test_param_on_a_ruleset_without_params_exits_3_pr500() -> None:
    code, out, err = cli("eval", RULESET, "merchant_eligibility", MERCHANT_OK,
                         "--param", "deposit_min=5000")
    assert code == 3
    assert out == ""
    assert "PR500" in err
    assert "deposit_min" in err


def test_malformed_param_exits_3() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibility", MERCHANT_OK, "--param", "oops")
    assert code == 3
    assert "NAME=VALUE" in err


def test_usage_errors_exit_3() -> None:
    assert cli()[0] == 3
    assert cli("eval", RULESET)[0] == 3
    assert cli("frobnicate")[0] == 3


# -- check -------------------------------------------------------------------------------

BROKEN = """\
id: broken
version: 1.0.0
title: {en: Broken, zh: 坏}
timezone: Asia/Shanghai
sources:
  "D": {file: d.txt, title: Doc}
facts:
  deposit: {type: money, currency: CNY, description: {en: D, zh: D}}
decisions:
  a:
    description: {en: A, zh: A}
    all:
      - {id: r, description: {en: r, zh: r}, source: "D §1", check: deposti > 1}
      - {id: r, description: {en: r, zh: r}, source: "D §1", check: deposit > 2}
    description: {en: A again, zh: A}
"""


def test_check_valid_ruleset_exits_0() -> None:
    code, out, err = cli("check", RULESET)
    assert code == 0
    assert f"{RULESET}: ok" in out
    assert err == ""


def test_check_prints_every_error_and_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    code, out, err = cli("check", RULESET, str(bad))
    assert code == 3
    assert f"{RULESET}: ok" in out
    located = [m for m in map(LOCATED.match, err.splitlines()) if m]
    assert sorted(m["code"] for m in located) == ["PR102", "PR301", "PR306"]
    assert all(m["file"] == str(bad) for m in located)
    by_code = {m["code"]: m for m in located}
    lines = BROKEN.splitlines()
    assert int(by_code["PR301"]["line"]) == next(
        n for n, text in enumerate(lines, 1) if "deposti" in text)
    assert int(by_code["PR102"]["line"]) == next(
        n for n, text in enumerate(lines, 1) if "A again" in text)
    assert promorules.check(bad) and len(promorules.check(bad)) == 3


def test_check_of_a_missing_file_exits_3(tmp_path: Path) -> None:
    code, _, err = cli("check", str(tmp_path / "nope.yaml"))
    assert code == 3
    assert "PR100" in err


# -- version -----------------------------------------------------------------------------


def test_version_is_written_to_the_given_stdout() -> None:
    code, out, _ = cli("--version")
    assert code == 0
    assert out.strip() == f"promorules {promorules.__version__}"


def test_python_dash_m_promorules_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "promorules", "--version"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"promorules {promorules.__version__}"


@pytest.mark.parametrize("command", ["eval", "check"])
def test_subcommand_help_exits_0(command: str) -> None:
    code, _, _ = cli(command, "--help")
    assert code == 0
