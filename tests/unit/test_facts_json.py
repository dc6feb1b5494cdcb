"""promorules.facts.read_json_facts / read_json: the one strict JSON reader for facts, and
every command that reads facts going through it."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from promorules import FactError, RulesetError
from promorules.cli import run
from promorules.diff import read_records
from promorules.facts import JSON_MAX_DEPTH, read_json, read_json_facts

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets" / "1688_spring.yaml")


def test_numbers_are_exact() -> None:
    facts = read_json_facts('{"a": 2999.99, "b": 3, "c": [1.10, {"d": -0.5e2}], "e": "7"}')
    assert facts == {"a": Decimal("2999.99"), "b": 3, "c": [Decimal("1.10"),
                                                            {"d": Decimal("-50")}], "e": "7"}
    assert type(facts["b"]) is int
    assert str(facts["a"]) == "2999.99"


def test_a_byte_order_mark_and_bytes_are_read() -> None:
    assert read_json_facts('\ufeff{"a": 1}') == {"a": 1}
    assert read_json_facts('{"a": "保证金"}'.encode()) == {"a": "保证金"}


def code_of(text: str | bytes) -> FactError:
    with pytest.raises(FactError) as info:
        read_json_facts(text)
    return info.value


def test_syntax_errors_are_located() -> None:
    err = code_of('{\n  "a": 1,\n}')
    assert (err.code, err.line, err.column) == ("PR101", 3, 1)
    assert err.message.startswith("facts are not valid JSON: ")


@pytest.mark.parametrize(("text", "code", "fact"), [
    ('{"a": 1, "a": 2}', "PR102", None),
    ('{"a": {"b": 1, "b": 1}}', "PR102", None),
    ('{"a": NaN}', "PR602", None),
    ('{"a": -Infinity}', "PR602", None),
    ("[1, 2]", "PR600", None),
    ('"text"', "PR600", None),
    ('{"a": ' + "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH + "}", "PR600", "a"),
    ("[" * 100_000 + "]" * 100_000, "PR600", None),  # deeper than the interpreter recurses
    ('{"a": 1e-999999999}', "PR601", "a"),
    ('{"a": 1e999999999}', "PR601", "a"),
    ('{"a": 0e-99}', "PR601", "a"),
    ('{"a": [' + "9" * 5000 + "]}", "PR601", "a"),  # beyond int()'s own digit limit
    (b'{"a": "\xff"}', "PR100", None),
])
def test_refused(text: str | bytes, code: str, fact: str | None) -> None:
    err = code_of(text)
    assert err.code == code, err
    assert err.fact == fact
    if fact:
        assert f"fact '{fact}'" in err.message


def test_the_limits_themselves_are_accepted() -> None:
    nested = "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1)
    assert read_json_facts('{"a": ' + nested + "}")
    assert read_json_facts('{"a": 1e60, "b": 1e-60, "c": ' + "9" * 60 + "}")["c"] == int("9" * 60)


def test_records_name_the_fact_under_facts() -> None:
    with pytest.raises(FactError) as info:
        read_json('{"decision": "d", "facts": {"x": 1e999}}', "record", facts_key="facts")
    assert info.value.fact == "x"
    assert info.value.message.startswith("fact 'x':")


# -- every reader of facts uses it ---------------------------------------------------------


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_eval_refuses_a_repeated_key() -> None:
    code, out, err = cli("eval", RULESET, "merchant_eligibility", "-",
                         stdin='{"buyer_protection_deposit": 1, "buyer_protection_deposit": 2}')
    assert (code, out) == (3, "")
    assert err == "<stdin>: PR102 facts: duplicate key 'buyer_protection_deposit'\n"


def test_eval_names_the_fact_of_a_huge_number() -> None:
    code, _, err = cli("eval", RULESET, "merchant_eligibility", "-",
                       stdin='{"buyer_protection_deposit": 1e-999999999}')
    assert code == 3
    assert err.startswith("<stdin>: PR601 fact 'buyer_protection_deposit': ")


def test_diff_records_refuse_a_repeated_key(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text('{"facts": {}}\n{"facts": {"x": 1, "x": 2}}\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        read_records(str(path))
    assert (info.value.code, info.value.line) == ("PR101", 2)
    assert "duplicate key 'x'" in info.value.message


def test_monitor_refuses_a_repeated_key() -> None:
    code, out, err = cli("monitor", RULESET, "merchant_eligibility", "-",
                         stdin='{"entity": "m1", "entity": "m2", "as_of": "2024-03-01", '
                               '"facts": {}}\n')
    assert (code, out) == (3, "")
    assert err.startswith("<stdin>:1: not a JSON object: update: duplicate key 'entity'")


def test_examples_facts_file_refuses_a_repeated_key(tmp_path: Path) -> None:
    ruleset = (ROOT / "rulesets" / "tmall_global.yaml").read_text(encoding="utf-8")
    (tmp_path / "tg.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "facts.json").write_text('{"a": 1, "a": 1}', encoding="utf-8")
    (tmp_path / "tg.test.yaml").write_text(
        "examples:\n  - name: dup\n    decision: escrow_state\n    facts_file: facts.json\n"
        "    expect: {outcome: pass}\n", encoding="utf-8")
    code, _, err = cli("test", str(tmp_path / "tg.yaml"))
    assert code == 3
    assert "PR102" in err and "duplicate key 'a'" in err
