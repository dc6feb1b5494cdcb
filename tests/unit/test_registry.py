"""Versions in force: promorules.Registry (load, get by instant, overlaps, atomic reload)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest

import promorules
from promorules import Registry, RulesetError, UnknownRulesetError

TZ = dt.timezone(dt.timedelta(hours=8))


def ruleset(version: str, threshold: int, effective: str = "") -> str:
    return f"""\
id: deposit_rules
version: {version}
title: {{en: Deposit, zh: 保证金}}
timezone: Asia/Shanghai
{effective}sources: {{"D": {{file: d.txt}}}}
facts:
  deposit: {{type: money, currency: CNY}}
decisions:
  ok:
    description: {{en: Deposit high enough, zh: 保证金足够}}
    all:
      - {{id: deposit, description: {{en: d, zh: d}}, source: "D 1", check: deposit >= {threshold}}}
"""


@pytest.fixture()
def two_versions(tmp_path: Path) -> Path:
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "deposit_1.yaml").write_text(ruleset(
        "1.0.0", 3000, "effective_until: 2024-02-29\n"), encoding="utf-8")
    (tmp_path / "deposit.yaml").write_text(ruleset(
        "1.1.0", 5000, "effective_from: 2024-03-01\n"), encoding="utf-8")
    # an examples file beside a ruleset is not a ruleset
    (tmp_path / "deposit.test.yaml").write_text("examples: []\n", encoding="utf-8")
    return tmp_path


def test_get_returns_the_version_in_force(two_versions: Path) -> None:
    reg = Registry(two_versions)
    assert reg.ids() == ["deposit_rules"]
    assert [r.version for r in reg.versions("deposit_rules")] == ["1.0.0", "1.1.0"]
    assert reg.get("deposit_rules", as_of="2024-02-29T23:59:59").version == "1.0.0"
    assert reg.get("deposit_rules", as_of="2024-03-01").version == "1.1.0"
    assert reg.get("deposit_rules", as_of=dt.datetime(2030, 1, 1, tzinfo=TZ)).version == "1.1.0"
    old = reg.get("deposit_rules", as_of="2024-01-15")
    new = reg.get("deposit_rules", as_of="2024-06-15")
    facts = {"deposit": "4000"}
    assert old.evaluate("ok", facts).outcome == "pass"
    assert new.evaluate("ok", facts).outcome == "fail"


def test_unknown_id_and_no_version_in_force(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(ruleset("1.0.0", 1, "effective_from: 2024-03-01\n"),
                                     encoding="utf-8")
    reg = Registry(tmp_path)
    with pytest.raises(UnknownRulesetError) as info:
        reg.get("deposit_rule")
    assert "did you mean 'deposit_rules'" in str(info.value)
    assert isinstance(info.value, LookupError)
    with pytest.raises(UnknownRulesetError) as info:
        reg.get("deposit_rules", as_of="2024-02-01")
    assert "no version of 'deposit_rules' is in force" in str(info.value)


def test_overlapping_versions_name_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ruleset("1.0.0", 1, "effective_until: 2024-03-10\n"),
                                     encoding="utf-8")
    (tmp_path / "b.yaml").write_text(ruleset("1.1.0", 2, "effective_from: 2024-03-01\n"),
                                     encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        Registry(tmp_path)
    err = info.value
    assert err.code == "PR313"
    assert "a.yaml" in err.message and "b.yaml" in err.message
    assert "in force at the same time" in err.message


def test_duplicate_id_and_version_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ruleset("1.0.0", 1), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(ruleset("1.0.0", 2), encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        Registry(tmp_path)
    assert info.value.code == "PR312"
    assert "a.yaml" in info.value.message and "b.yaml" in info.value.message


def test_reload_swaps_only_a_fully_valid_set(two_versions: Path) -> None:
    reg = Registry(two_versions)
    current = two_versions / "deposit.yaml"
    current.write_text(ruleset("1.1.0", 6000, "effective_from: 2024-03-01\n"), encoding="utf-8")
    assert reg.reload() == []
    assert reg.get("deposit_rules", as_of="2024-06-01").evaluate(
        "ok", {"deposit": 5500}).outcome == "fail"
    # a broken edit: the old set keeps serving and the errors come back
    current.write_text(ruleset("1.1.0", 6000, "effective_from: 2024-03-01\n").replace(
        "deposit >= 6000", "deposti >= 6000"), encoding="utf-8")
    errors = reg.reload()
    assert [e.code for e in errors] == ["PR301"]
    assert "deposti" in errors[0].message
    assert reg.get("deposit_rules", as_of="2024-06-01").evaluate(
        "ok", {"deposit": 6000}).outcome == "pass"


def test_readers_never_see_a_half_loaded_registry(two_versions: Path) -> None:
    reg = Registry(two_versions)
    current = two_versions / "deposit.yaml"
    stop = threading.Event()
    seen: list[tuple[str, ...]] = []
    problems: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                # every read must see both versions of a complete set, never a mixture
                versions = tuple(r.version for r in reg.versions("deposit_rules"))
                seen.append(versions)
                reg.get("deposit_rules", as_of="2024-06-01").evaluate("ok", {"deposit": 1})
        except BaseException as e:  # reported below
            problems.append(e)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for threshold in range(5001, 5007):  # each reload races four spinning readers
        current.write_text(ruleset("1.1.0", threshold, "effective_from: 2024-03-01\n"),
                           encoding="utf-8")
        assert reg.reload() == []
    stop.set()
    for t in threads:
        t.join()
    assert not problems
    assert seen and set(seen) == {("1.0.0", "1.1.0")}
    assert reg.get("deposit_rules", as_of="2024-06-01").evaluate(
        "ok", {"deposit": 5005}).outcome == "fail"


def test_results_record_version_and_digest(two_versions: Path) -> None:
    reg = Registry(two_versions)
    rs = reg.get("deposit_rules", as_of="2024-06-01")
    out = rs.evaluate("ok", {"deposit": 5000}).to_dict()
    assert out["ruleset_id"] == "deposit_rules"
    assert out["ruleset_version"] == "1.1.0"
    assert out["ruleset_digest"].startswith("sha256:") and len(out["ruleset_digest"]) == 71
    json.dumps(out)
    # the digest is of the exact text: any edit changes it
    again = promorules.loads(ruleset("1.1.0", 5000, "effective_from: 2024-03-01\n"))
    changed = promorules.loads(ruleset("1.1.0", 5001, "effective_from: 2024-03-01\n"))
    assert again.digest == rs.digest
    assert changed.digest != rs.digest


def test_effective_until_before_from_is_an_error() -> None:
    with pytest.raises(RulesetError) as info:
        promorules.loads(ruleset("1.0.0", 1, "effective_from: 2024-03-01\n"
                                             "effective_until: 2024-02-01\n"))
    assert info.value.code == "PR309"


def test_the_shipped_rulesets_form_a_registry() -> None:
    reg = Registry(Path(__file__).resolve().parents[2] / "rulesets")
    assert reg.ids() == ["1688_spring", "aliexpress_medals", "offline_coop", "tmall_global"]
    # 1688_spring is in force from registration to the end of the activity (§二.1-§二.2)
    assert reg.get("1688_spring", as_of="2024-03-04T12:00:00+08:00").id == "1688_spring"
    with pytest.raises(UnknownRulesetError):
        reg.get("1688_spring", as_of="2024-03-06T00:00:00+08:00")
    assert reg.get("offline_coop").id == "offline_coop"  # no dates: always in force
