"""Issue 10, hardening 4, 5 and 6: the red-team reproductions, through ``load``,
``Registry.reload()`` and every command line (``promorules.cli.run``). Each answers with a
promorules error (exit 3 and a message on the command line), never a raw exception, a
traceback or exit 1 ("fail")."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import promorules
from promorules import Registry, RulesetError
from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets" / "1688_spring.yaml"
DECISION = "merchant_eligibility"
DEEP = "[" * 100_000 + "]" * 100_000

HEAD = """\
id: hostile
version: 1.0.0
title: {en: Hostile, zh: 敌意}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  x: {type: number, min: MIN}
decisions:
  d:
    description: {en: D, zh: D}
    all:
      - {id: r, description: {en: r, zh: r}, source: "D §1", check: "CHECK"}
"""


def ruleset(check: str = "x > 0", minimum: str = "0") -> str:
    return HEAD.replace("CHECK", check).replace("MIN", minimum)


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def assert_invalid(code: int, err: str, expect: str) -> None:
    assert code == 3, err
    assert expect in err, err
    assert "Traceback" not in err and "PR900" not in err
    assert len(err) < 5_000


# -- 4. raw Python exceptions from ruleset text ---------------------------------------------

OVERSIZED = [
    pytest.param(ruleset(" + ".join(["x"] * 150) + " > 0"), "PR403", id="sum-150"),
    pytest.param(ruleset(" + ".join(["x"] * 400) + " > 0"), "PR403", id="sum-400"),
    pytest.param(ruleset(" and ".join(["x > 0"] * 400)), "PR403", id="and-400"),
    pytest.param(ruleset("x > 1" + "0" * 4400), "PR403", id="expression-literal-4401"),
    pytest.param(ruleset(minimum="1" + "0" * 4400), "PR106", id="yaml-literal-4401"),
    pytest.param(ruleset(minimum="1e999999999"), "PR106", id="yaml-1e999999999"),
    pytest.param(ruleset("x > ٥٠"), "PR400", id="arabic-indic-digits"),
    pytest.param(ruleset(minimum="３０００"), "PR200", id="full-width-yaml-number"),
]


@pytest.mark.parametrize(("text", "code"), OVERSIZED)
def test_load_gives_a_located_ruleset_error(text: str, code: str) -> None:
    with pytest.raises(RulesetError) as info:
        promorules.loads(text, source="hostile.yaml")
    assert [e.code for e in info.value.errors] == [code]
    assert info.value.line is not None


@pytest.mark.parametrize(("text", "code"), OVERSIZED)
def test_every_command_exits_3(tmp_path: Path, text: str, code: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text('{"x": 1}', encoding="utf-8")
    for argv in (("check", path), ("eval", path, "d", facts), ("eval", path, "d", facts, "--json"),
                 ("test", path), ("docs", path), ("diff", path, path),
                 ("monitor", path, "d", "-")):
        status, _, err = cli(*argv)
        assert_invalid(status, err, code)


@pytest.mark.parametrize(("text", "code"), OVERSIZED[:3])
def test_registry_reload_returns_the_errors(tmp_path: Path, text: str, code: str) -> None:
    good = ruleset()
    (tmp_path / "r.yaml").write_text(good, encoding="utf-8")
    reg = Registry(tmp_path)
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    errors = reg.reload()
    assert [e.code for e in errors] == [code]
    assert reg.get("hostile").evaluate("d", {"x": 1}).passed  # the old set keeps serving


def test_an_unexpected_exception_while_loading_is_pr900(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    """A bug in a later stage is reported as a promorules error (PR900), its cause chained,
    never as a raw exception; the command line exits 3 with the message."""
    import promorules.ruleset as module

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("a bug")

    path = tmp_path / "r.yaml"
    path.write_text(ruleset(), encoding="utf-8")
    reg = Registry(tmp_path)
    monkeypatch.setattr(module, "compile_ruleset", broken)
    with pytest.raises(RulesetError) as info:
        promorules.loads(ruleset(), source="r.yaml")
    assert info.value.code == "PR900"
    assert isinstance(info.value.__cause__, KeyError)
    status, _, err = cli("check", path)
    assert status == 3 and "PR900" in err and "Traceback" not in err
    assert [e.code for e in module.check(path)] == ["PR900"]
    assert [e.code for e in reg.reload()] == ["PR900"]


def test_an_unexpected_exception_in_a_command_is_exit_3(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    import promorules.cli.check as check_command

    def broken(*args: object) -> int:
        raise RecursionError

    monkeypatch.setattr(check_command, "main", broken)
    status, _, err = cli("check", RULESET)
    assert (status, err) == (3, "error: PR105 the input is nested too deeply to process\n")


# -- 5. deeply nested JSON ------------------------------------------------------------------

def test_deep_facts_file() -> None:
    status, out, err = cli("eval", RULESET, DECISION, "-", stdin=DEEP)
    assert_invalid(status, err, "PR600")
    assert out == ""


def test_deep_monitor_update_line() -> None:
    status, _, err = cli("monitor", RULESET, DECISION, "-", stdin=DEEP + "\n")
    assert_invalid(status, err, "nested deeper than")


def test_deep_monitor_update_facts() -> None:
    line = '{"entity": "m1", "as_of": "2024-03-01", "facts": {"x": ' + DEEP + "}}\n"
    status, _, err = cli("monitor", RULESET, DECISION, "-", stdin=line)
    assert_invalid(status, err, "nested deeper than")


@pytest.mark.parametrize("state", [DEEP, '{"a": ' + DEEP + "}", '{"a": 1, "a": 2}',
                                   '{"entities": {"m1": {"facts": {"x": 1e999999999}}}}'])
def test_hostile_monitor_state_file(tmp_path: Path, state: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(state, encoding="utf-8")
    status, _, err = cli("monitor", RULESET, DECISION, "-", "--state", path, stdin="")
    assert_invalid(status, err, "cannot read the saved state")


def test_deep_diff_facts_record(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text('{"facts": {"x": ' + DEEP + "}}\n", encoding="utf-8")
    status, _, err = cli("diff", RULESET, RULESET, "--facts", records)
    assert_invalid(status, err, "nested deeper than")


def test_deep_examples_facts_file(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(ruleset(), encoding="utf-8")
    (tmp_path / "facts.json").write_text(DEEP, encoding="utf-8")
    (tmp_path / "r.test.yaml").write_text(
        "examples:\n  - name: deep\n    decision: d\n    facts_file: facts.json\n"
        "    expect: {outcome: pass}\n", encoding="utf-8")
    status, _, err = cli("test", tmp_path / "r.yaml")
    assert_invalid(status, err, "PR600")


# -- 6. duplicate keys in every JSON input --------------------------------------------------

def test_duplicate_keys_in_every_json_input(tmp_path: Path) -> None:
    dup = '{"buyer_protection_deposit": 1, "buyer_protection_deposit": 2}'
    status, _, err = cli("eval", RULESET, DECISION, "-", stdin=dup)
    assert_invalid(status, err, "duplicate key 'buyer_protection_deposit'")
    line = json.dumps({"entity": "m1", "as_of": "2024-03-01"})[:-1] + ', "facts": ' + dup + "}"
    status, _, err = cli("monitor", RULESET, DECISION, "-", stdin=line + "\n")
    assert_invalid(status, err, "duplicate key 'buyer_protection_deposit'")
    records = tmp_path / "records.jsonl"
    records.write_text('{"facts": ' + dup + "}\n", encoding="utf-8")
    status, _, err = cli("diff", RULESET, RULESET, "--facts", records)
    assert_invalid(status, err, "duplicate key 'buyer_protection_deposit'")
