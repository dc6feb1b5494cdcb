"""promorules.monitor: the 備注4 state machine, save/restore, the CLI and its docs."""

from __future__ import annotations

import datetime as dt
import doctest
import io
import json
import os
import re
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import promorules
from promorules.cli import run
from promorules.monitor import Monitor, MonitorEvent
from promorules.monitor_digest import seal

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets" / "1688_spring.yaml")
UPDATES = str(ROOT / "examples" / "1688_spring" / "updates.jsonl")
DECISION = "merchant_eligibility"
END = "2024-03-05T23:59:59+08:00"  # end of the activity (§二.2)


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.load(RULESET)


@pytest.fixture
def ok() -> dict[str, Any]:
    with open(ROOT / "examples" / "1688_spring" / "merchant_ok.json", encoding="utf-8") as fh:
        facts: dict[str, Any] = json.load(fh)
    return facts


def kinds(events: list[MonitorEvent]) -> list[str]:
    return [e.kind for e in events]


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["monitor", *argv], out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


# -- the state machine ---------------------------------------------------------------------


def test_lapse_disqualifies_with_the_failing_rule(rs: promorules.Ruleset,
                                                   ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION, window=(None, END))
    first = m.observe("m1", ok, as_of="2024-03-01T10:00:00+08:00")
    assert kinds(first) == ["qualified"]
    assert first[0].previous is None and first[0].result.passed
    lapse = m.observe("m1", {"buyer_protection_deposit": 2999.99},
                      as_of="2024-03-04T09:15:00+08:00")
    assert kinds(lapse) == ["disqualified"]
    event = lapse[0]
    assert event.entity_id == "m1" and event.previous == "qualified"
    assert event.as_of == dt.datetime(2024, 3, 4, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert event.result.failed_rule_ids == ("deposit",)
    assert event.result.failed[0].gap == Decimal("0.01")
    assert "deposit" in event.result.explain() and "2999.99" in event.result.explain()
    state = m.state("m1")
    assert state is not None and state.locked and state.state == "disqualified"
    assert state.failed == ("deposit",) and state.disqualified_at == event.as_of
    assert state.qualified_at == first[0].as_of


def test_no_event_without_a_state_change(rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    assert kinds(m.observe("m1", ok, as_of="2024-03-01")) == ["qualified"]
    assert m.observe("m1", {"violation_points_year": 20}, as_of="2024-03-02") == []
    assert m.observe("m1", {}, as_of="2024-03-03") == []


def test_stays_disqualified_after_recovery_within_the_window(rs: promorules.Ruleset,
                                                             ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION, window=(None, END))
    m.observe("m1", ok, as_of="2024-03-01T10:00:00+08:00")
    m.observe("m1", {"buyer_protection_deposit": "2800"}, as_of="2024-03-04T09:00:00+08:00")
    assert m.observe("m1", {"buyer_protection_deposit": "3200"},
                     as_of="2024-03-04T16:00:00+08:00") == []
    assert m.observe("m1", {"trade_medal_level": None}, as_of="2024-03-05T10:00:00+08:00") == []
    state = m.state("m1")
    assert state is not None and state.state == "disqualified" and state.locked
    assert state.failed == ("deposit",)  # the lapse that disqualified it
    assert state.facts["buyer_protection_deposit"] == "3200"


def test_fresh_start_after_the_window(rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION, window=(None, END))
    m.observe("m1", ok, as_of="2024-03-01T10:00:00+08:00")
    m.observe("m1", {"buyer_protection_deposit": "2800"}, as_of="2024-03-04T09:00:00+08:00")
    m.observe("m1", {"buyer_protection_deposit": "3200"}, as_of=END)  # last instant: locked
    after = m.observe("m1", {}, as_of="2024-03-06T00:00:00+08:00")
    assert kinds(after) == ["qualified"] and after[0].previous == "disqualified"
    state = m.state("m1")
    assert state is not None and not state.locked and state.qualified_at is None
    # outside the window nothing locks: a failure and a recovery are both reported
    assert kinds(m.observe("m1", {"buyer_protection_deposit": "1"}, as_of="2024-03-07")) == [
        "disqualified"]
    assert kinds(m.observe("m1", {"buyer_protection_deposit": "3000"}, as_of="2024-03-08")) == [
        "qualified"]


def test_fresh_start_reports_the_same_state_again(rs: promorules.Ruleset,
                                                  ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION, window=(None, END))
    m.observe("m1", ok, as_of="2024-03-04")
    m.observe("m1", {"buyer_protection_deposit": "10"}, as_of="2024-03-05")
    assert kinds(m.observe("m1", {}, as_of="2024-03-06")) == ["disqualified"]


def test_window_from_the_ruleset_effective_dates(ok: dict[str, Any]) -> None:
    text = Path(RULESET).read_text(encoding="utf-8").replace(
        "effective_from: 2023-02-23", "effective_from: 2024-02-23", 1)
    rs = promorules.loads(text, source="dated.yaml")
    m = Monitor(rs, DECISION)
    start, end = m.window
    assert start is not None and start.isoformat() == "2024-02-23T00:00:00+08:00"
    assert end is not None and end.isoformat() == "2024-03-05T23:59:59+08:00"
    # before the window: qualifying does not start the monitoring, so nothing locks
    m.observe("m1", ok, as_of="2024-02-20")
    assert kinds(m.observe("m1", {"buyer_protection_deposit": "1"}, as_of="2024-02-21")) == [
        "disqualified"]
    assert kinds(m.observe("m1", {"buyer_protection_deposit": "3000"}, as_of="2024-02-24")) == [
        "qualified"]
    assert kinds(m.observe("m1", {"buyer_protection_deposit": "1"}, as_of="2024-03-04")) == [
        "disqualified"]
    assert m.observe("m1", {"buyer_protection_deposit": "3000"}, as_of="2024-03-05") == []


def test_without_a_window_disqualification_is_permanent(ok: dict[str, Any]) -> None:
    text = Path(RULESET).read_text(encoding="utf-8")
    undated = "\n".join(line for line in text.splitlines()
                         if not line.startswith(("effective_from:", "effective_until:")))
    rs = promorules.loads(undated, source="undated.yaml")
    m = Monitor(rs, DECISION)
    assert m.window == (None, None)
    m.observe("m1", ok, as_of="2024-03-01")
    m.observe("m1", {"buyer_protection_deposit": "1"}, as_of="2024-03-02")
    assert m.observe("m1", {"buyer_protection_deposit": "3000"}, as_of="2030-01-01") == []


def test_failure_before_qualifying_does_not_lock(rs: promorules.Ruleset,
                                                 ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION, window=(None, END))
    low = dict(ok, buyer_protection_deposit="100")
    assert kinds(m.observe("m1", low, as_of="2024-03-01")) == ["disqualified"]
    assert kinds(m.observe("m1", {"buyer_protection_deposit": "3000"}, as_of="2024-03-02")) == [
        "qualified"]


def test_unknown_when_needed_facts_are_missing(rs: promorules.Ruleset,
                                               ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    partial = {k: v for k, v in ok.items() if k != "trade_medal_level"}
    events = m.observe("m1", partial, as_of="2024-03-01")
    assert kinds(events) == ["unknown"]
    assert events[0].result.missing == ("trade_medal_level",)
    assert events[0].to_dict()["missing"] == ["trade_medal_level"]
    # an unknown after qualifying does not lock: the engine does not guess
    assert kinds(m.observe("m1", {"trade_medal_level": "A"}, as_of="2024-03-02")) == [
        "qualified"]
    assert kinds(m.observe("m1", {"trade_medal_level": None}, as_of="2024-03-03")) == ["unknown"]
    assert kinds(m.observe("m1", {"trade_medal_level": "A"}, as_of="2024-03-04")) == [
        "qualified"]


def test_partial_updates_are_merged(rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    half = dict(list(ok.items())[:8])
    rest = dict(list(ok.items())[8:])
    assert kinds(m.observe("m1", half, as_of="2024-03-01")) == ["unknown"]
    assert kinds(m.observe("m1", rest, as_of="2024-03-01")) == ["qualified"]
    state = m.state("m1")
    assert state is not None and set(state.facts) == set(ok)
    # entities are independent
    assert kinds(m.observe("m2", rest, as_of="2024-03-01")) == ["unknown"]


def test_none_removes_a_fact(rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    m.observe("m1", ok, as_of="2024-03-01")
    events = m.observe("m1", {"buyer_protection_deposit": None}, as_of="2024-03-02")
    assert kinds(events) == ["unknown"]
    assert events[0].result.missing == ("buyer_protection_deposit",)
    state = m.state("m1")
    assert state is not None and "buyer_protection_deposit" not in state.facts


def test_invalid_update_leaves_the_monitor_unchanged(rs: promorules.Ruleset,
                                                     ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    m.observe("m1", ok, as_of="2024-03-02")
    before = m.save()
    with pytest.raises(promorules.FactError) as err:
        m.observe("m1", {"trade_medal_level": "Z"}, as_of="2024-03-03")
    assert err.value.fact == "trade_medal_level"
    with pytest.raises(promorules.FactError, match="earlier than its previous update"):
        m.observe("m1", {}, as_of="2024-03-01")
    with pytest.raises(promorules.FactError):
        m.observe("m2", ok, as_of="not a date")
    assert m.save() == before and "m2" not in m


def test_unknown_decision_and_bad_window(rs: promorules.Ruleset) -> None:
    with pytest.raises(promorules.UnknownDecisionError):
        Monitor(rs, "merchant")
    with pytest.raises(promorules.FactError, match="after it ends"):
        Monitor(rs, DECISION, window=("2024-03-06", "2024-03-05"))
    with pytest.raises(promorules.PromorulesError, match="unknown backend"):
        Monitor(rs, DECISION, backend="fast")  # type: ignore[arg-type]


# -- backends ------------------------------------------------------------------------------


def test_durable_backend_missing_is_a_clear_error(rs: promorules.Ruleset,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "promorules.backends.durable", None)  # import fails
    with pytest.raises(promorules.PromorulesError, match="'durable' backend is not available"):
        Monitor(rs, DECISION, backend="durable")


def test_durable_backend_gives_the_outcome(rs: promorules.Ruleset, ok: dict[str, Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, Any]] = []

    class Compiled:
        def __init__(self, ruleset: promorules.Ruleset, decision: str) -> None:
            self.ruleset, self.decision = ruleset, decision

        def evaluate(self, facts: Any, as_of: Any = None) -> str:  # the backend's interface
            calls.append(("run", as_of))
            return str(self.ruleset.evaluate(self.decision, facts, as_of).outcome)

    def compile(ruleset: promorules.Ruleset, decision: str) -> Any:
        calls.append(("compile", decision))
        return Compiled(ruleset, decision)

    fake = types.ModuleType("promorules.backends.durable")
    fake.compile = compile  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "promorules.backends.durable", fake)
    m = Monitor(rs, DECISION, backend="durable")
    assert calls == []  # compiled lazily
    assert kinds(m.observe("m1", ok, as_of="2024-03-01")) == ["qualified"]
    assert m.observe("m1", {}, as_of="2024-03-02") == []
    lapse = m.observe("m1", {"buyer_protection_deposit": "1"}, as_of="2024-03-03")
    assert kinds(lapse) == ["disqualified"]
    assert lapse[0].result.failed_rule_ids == ("deposit",)  # native result, explained
    assert calls[0] == ("compile", DECISION)
    assert [c[0] for c in calls].count("compile") == 1
    assert [c[0] for c in calls].count("run") == 3


def test_real_durable_backend_drives_the_monitor(rs: promorules.Ruleset,
                                                 ok: dict[str, Any]) -> None:
    pytest.importorskip("durable")
    m = Monitor(rs, DECISION, backend="durable", window=(None, END))
    assert kinds(m.observe("m1", ok, as_of="2024-03-01T10:00:00+08:00")) == ["qualified"]
    lapse = m.observe("m1", {"buyer_protection_deposit": "2800.00"},
                      as_of="2024-03-02T10:00:00+08:00")
    assert kinds(lapse) == ["disqualified"]
    assert lapse[0].result.failed_rule_ids == ("deposit",)
    # recovering within the window changes nothing: the qualification stays cancelled
    assert m.observe("m1", {"buyer_protection_deposit": "3200.00"},
                     as_of="2024-03-03T10:00:00+08:00") == []


# -- save and restore ----------------------------------------------------------------------


def test_save_restore_round_trip(rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION, window=(None, END))
    m.observe("m1", ok, as_of="2024-03-01T10:00:00+08:00")
    m.observe("m1", {"buyer_protection_deposit": 2999.99}, as_of="2024-03-04T09:00:00+08:00")
    m.observe("m2", dict(ok, trade_medal_level=None), as_of="2024-03-02")
    data = json.loads(json.dumps(m.save()))
    assert data["ruleset"] == {"id": rs.id, "version": rs.version, "digest": rs.digest}
    assert data["decision"] == DECISION
    m1 = data["entities"]["m1"]
    assert m1["facts"]["buyer_protection_deposit"] == "2999.99"  # money as a string
    assert m1["state"] == "disqualified" and m1["failed"] == ["deposit"]
    assert m1["disqualified_at"] == "2024-03-04T09:00:00+08:00"
    assert m1["qualified_at"] == "2024-03-01T10:00:00+08:00"
    assert data["entities"]["m2"]["state"] == "unknown"

    again = Monitor.restore(rs, data)
    assert again.notes == [] and again.window == m.window
    assert again.save() == m.save()
    # it continues with the same state: m1 stays locked, m2 reports its change
    assert again.observe("m1", {"buyer_protection_deposit": "5000"},
                         as_of="2024-03-04T10:00:00+08:00") == []
    assert kinds(again.observe("m2", {"trade_medal_level": "A"}, as_of="2024-03-04")) == [
        "qualified"]
    assert kinds(again.observe("m1", {}, as_of="2024-03-06")) == ["qualified"]


def test_restore_refuses_another_ruleset_or_decision(rs: promorules.Ruleset,
                                                     ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    m.observe("m1", ok, as_of="2024-03-01")
    data = m.save()
    other = promorules.load(ROOT / "rulesets" / "tmall_global.yaml")
    with pytest.raises(promorules.PromorulesError, match="saved for ruleset '1688_spring'"):
        Monitor.restore(other, data)
    with pytest.raises(promorules.PromorulesError, match="saved for decision"):
        Monitor.restore(rs, data, decision="product_eligibility")
    with pytest.raises(promorules.PromorulesError, match="not a saved monitor state"):
        Monitor.restore(rs, {"entities": {}})
    broken = json.loads(json.dumps(data))
    broken["entities"]["m1"]["since"] = "yesterday"
    with pytest.raises(promorules.PromorulesError, match="integrity digest") as caught:
        Monitor.restore(rs, broken)  # edited without recomputing the digest
    assert caught.value.code == "PR803"
    broken["integrity"] = seal(broken)  # a damaged state that was sealed: its field named
    with pytest.raises(promorules.PromorulesError, match=r"entities\.m1\.since"):
        Monitor.restore(rs, broken)


def test_restore_on_another_digest_notes_it(rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    m = Monitor(rs, DECISION)
    m.observe("m1", ok, as_of="2024-03-01")
    text = rs.text.replace("buyer_protection_deposit >= 3000", "buyer_protection_deposit >= 5000")
    newer = promorules.loads(text.replace("version: 2.1.0", "version: 2.2.0", 1),
                             source="newer.yaml")
    again = Monitor.restore(newer, m.save())
    assert len(again.notes) == 1 and rs.digest in again.notes[0]
    assert newer.digest in again.notes[0]
    lapse = again.observe("m1", {}, as_of="2024-03-02")  # re-evaluated under the new rules
    assert kinds(lapse) == ["disqualified"] and lapse[0].result.ruleset_version == "2.2.0"


# -- the command line ----------------------------------------------------------------------


def test_cli_streams_the_expected_events() -> None:
    code, out, err = cli(RULESET, DECISION, UPDATES)
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["kind"], e["entity_id"]) for e in events] == [
        ("qualified", "m-1001"), ("qualified", "m-2002"), ("disqualified", "m-2002"),
        ("unknown", "m-1001"), ("qualified", "m-1001")]
    lapse = events[2]
    assert set(lapse) == {"kind", "entity_id", "as_of", "outcome", "failed", "missing",
                          "explanation"}
    assert lapse["outcome"] == "fail" and lapse["failed"] == ["deposit"]
    assert lapse["as_of"] == "2024-03-04T09:15:00+08:00"
    assert "2800.00" in lapse["explanation"] and "§四.6" in lapse["explanation"]


def test_cli_reads_stdin_and_chinese() -> None:
    text = Path(UPDATES).read_text(encoding="utf-8")
    code, out, _ = cli(RULESET, DECISION, "-", "--lang", "zh", stdin=text)
    assert code == 0
    assert "保证金" in json.loads(out.splitlines()[2])["explanation"]


def test_cli_state_file_continues(tmp_path: Path) -> None:
    lines = Path(UPDATES).read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:4]), encoding="utf-8")
    second.write_text("".join(lines[4:]), encoding="utf-8")
    state = tmp_path / "state.json"
    code, out1, _ = cli(RULESET, DECISION, str(first), "--state", str(state))
    assert code == 0 and state.is_file()
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["entities"]["m-2002"]["disqualified_at"] == "2024-03-04T09:15:00+08:00"
    code, out2, _ = cli(RULESET, DECISION, str(second), "--state", str(state))
    assert code == 0
    _, whole, _ = cli(RULESET, DECISION, UPDATES)
    assert out1 + out2 == whole
    # the state of another decision is refused, file:message, exit 3
    code, _, err = cli(RULESET, "registration", str(second), "--state", str(state))
    assert code == 3 and err.startswith(f"{state}: PR801")


def test_cli_window_until_gives_a_fresh_start(tmp_path: Path) -> None:
    after = tmp_path / "after.jsonl"
    after.write_text(Path(UPDATES).read_text(encoding="utf-8") + json.dumps(
        {"entity": "m-2002", "as_of": "2024-03-06T00:00:00+08:00", "facts": {}}) + "\n",
                     encoding="utf-8")
    # the ruleset's own window (§二.2: the activity ends 2024-03-05 23:59:59): after it,
    # m-2002 starts afresh
    code, out, _ = cli(RULESET, DECISION, str(after))
    assert code == 0
    last = json.loads(out.splitlines()[-1])
    assert (last["kind"], last["entity_id"]) == ("qualified", "m-2002")
    # a later end given on the command line keeps it locked
    code, out, _ = cli(RULESET, DECISION, str(after), "--window-until", "2024-03-31T23:59:59")
    assert code == 0 and len(out.splitlines()) == 5


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not a JSON object"),
    ('["m1"]', "expected a JSON object"),
    ('{"entity": "m1", "as_of": "2024-03-01", "fact": {}}', "unknown key(s) fact"),
    ('{"as_of": "2024-03-01", "facts": {}}', '"entity" must be'),
    ('{"entity": "m1", "facts": {}}', '"as_of" must be'),
    ('{"entity": "m1", "as_of": "2024-03-01", "facts": []}', '"facts" must be'),
    ('{"entity": "m1", "as_of": "2024-13-01", "facts": {}}', "PR608"),
    ('{"entity": "m-2002", "as_of": "2024-03-06", "facts": {"trade_medal_level": "Z"}}',
     "PR604 fact 'trade_medal_level'"),
    ('{"entity": "m-2002", "as_of": "2024-03-01", "facts": {}}', "earlier than"),
])
def test_cli_invalid_line_exits_3_with_file_and_line(tmp_path: Path, line: str,
                                                     message: str) -> None:
    path = tmp_path / "updates.jsonl"
    good = Path(UPDATES).read_text(encoding="utf-8")
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")  # a blank line, then line 10
    state = tmp_path / "state.json"
    code, out, err = cli(RULESET, DECISION, str(path), "--state", str(state))
    assert code == 3
    assert err.startswith(f"{path}:10: ")
    assert message in err
    assert len(out.splitlines()) == 5  # the events before the bad line were streamed
    # the state holds the updates before the bad line; once it is fixed, --resume goes on
    # from there (re-reading the whole file would feed updates out of time order)
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["position"] == {"input": str(path), "line": 8}
    assert saved["entities"]["m-2002"]["state"] == "disqualified"
    fixed = '{"entity": "m-2002", "as_of": "2024-03-06", "facts": {}}'
    path.write_text(good + "\n" + fixed + "\n", encoding="utf-8")
    code, out, err = cli(RULESET, DECISION, str(path), "--state", str(state), "--resume")
    assert (code, err) == (0, "")
    code, _, err = cli(RULESET, DECISION, "-", "--state", str(state), "--resume")
    assert code == 3 and "--resume needs --state and an updates file" in err
    assert [json.loads(ln)["kind"] for ln in out.splitlines()] == ["qualified"]  # window over


def test_cli_invalid_ruleset_and_usage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    code, _, err = cli(str(bad), DECISION, UPDATES)
    assert code == 3 and re.match(rf"{re.escape(str(bad))}(:\d+:\d+)?: PR\d{{3}}", err)
    code, _, err = cli(RULESET, "merchant", UPDATES)
    assert code == 3 and "PR310" in err
    code, _, err = cli(RULESET, DECISION)
    assert code == 3 and "promorules monitor" in err
    code, _, err = cli(RULESET, DECISION, str(tmp_path / "missing.jsonl"))
    assert code == 3 and "cannot read updates" in err
    corrupt = tmp_path / "state.json"
    corrupt.write_text("{", encoding="utf-8")
    code, _, err = cli(RULESET, DECISION, UPDATES, "--state", str(corrupt))
    assert code == 3 and err.startswith(f"{corrupt}: ")


# -- the documentation ---------------------------------------------------------------------


def test_monitoring_md_examples_run() -> None:
    text = (ROOT / "docs" / "monitoring.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, re.S)
    assert blocks, "docs/monitoring.md has no pycon examples"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "monitoring.md",
                                               "monitoring.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        out = io.StringIO()
        runner.run(test, out=out.write)
    finally:
        os.chdir(old)
    assert runner.failures == 0, out.getvalue()


def test_monitoring_md_cli_session_matches() -> None:
    """The `$ promorules monitor ...` session of docs/monitoring.md is real output."""
    text = (ROOT / "docs" / "monitoring.md").read_text(encoding="utf-8")
    match = re.search(r"```text\n\$ promorules monitor (.*?)\n(.*?)```", text, re.S)
    assert match, "docs/monitoring.md has no promorules monitor session"
    argv = match.group(1).split()
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        code, out, _ = cli(*argv)
    finally:
        os.chdir(old)
    assert code == 0
    assert out == match.group(2)
