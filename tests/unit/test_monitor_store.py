"""promorules.monitor_store: the monitor's state saved durably as it goes (SQLite in WAL
mode, or JSON), its integrity digests, and `promorules monitor` stopped by a broken pipe or
a signal. The command-line cases run the real command in a subprocess."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import promorules
from promorules.cli import run
from promorules.monitor import Monitor
from promorules.monitor_store import JsonStateStore, SqliteStateStore, open_store

ROOT = Path(__file__).resolve().parents[2]
RULESET = str(ROOT / "rulesets" / "1688_spring.yaml")
DECISION = "merchant_eligibility"
END = "2024-03-05T23:59:59+08:00"


@pytest.fixture(scope="module")
def rs() -> promorules.Ruleset:
    return promorules.load(RULESET)


@pytest.fixture(scope="module")
def ok() -> dict[str, Any]:
    with open(ROOT / "examples" / "1688_spring" / "merchant_ok.json", encoding="utf-8") as fh:
        facts: dict[str, Any] = json.load(fh)
    return facts


def updates(ok: dict[str, Any], entities: int, per_entity: int) -> Iterator[dict[str, Any]]:
    """Each entity qualifies, then its deposit swings under and over 3000: it is locked
    disqualified at its first lapse (備注4)."""
    for step in range(per_entity):
        for n in range(entities):
            facts = dict(ok) if step == 0 else {
                "buyer_protection_deposit": "2800.00" if step % 2 else "3200.00"}
            yield {"entity": f"m-{n:04d}", "as_of": f"2024-03-0{1 + step // 4}T"
                   f"{10 + step % 4:02d}:{n % 60:02d}:00+08:00", "facts": facts}


def feed(m: Monitor, items: Iterator[dict[str, Any]]) -> None:
    for u in items:
        m.observe(u["entity"], u["facts"], as_of=u["as_of"])


# -- the store -----------------------------------------------------------------------------


def test_sqlite_store_writes_only_what_changed_and_restores(
        tmp_path: Path, rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    path = str(tmp_path / "state.db")
    store = open_store(path, every=10**9, interval=10**9)
    assert isinstance(store, SqliteStateStore)
    assert store.restore(rs, DECISION) is None  # empty
    m = Monitor(rs, DECISION, window=(None, END))
    store.attach(m)
    feed(m, updates(ok, 3, 2))
    assert m.take_changes().keys() == {"m-0000", "m-0001", "m-0002"}
    assert m.take_changes() == {}  # taken
    m.observe("m-0001", {"buyer_protection_deposit": "5000"}, as_of="2024-03-02")
    store.checkpoint()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert [r[0] for r in db.execute("SELECT entity_id FROM entities")] == ["m-0001"]
    db.close()
    store.close()
    # the two entities taken above were never written: only what the store was given
    again = open_store(path).restore(rs, DECISION)
    assert again is not None and list(again) == ["m-0001"]
    state = again.state("m-0001")
    assert state is not None and state.locked  # the lapse at step 1 locked it


def test_checkpoint_every_n_updates(tmp_path: Path, rs: promorules.Ruleset,
                                    ok: dict[str, Any]) -> None:
    store = SqliteStateStore(str(tmp_path / "s.db"), every=5, interval=10**9)
    m = Monitor(rs, DECISION, window=(None, END))
    store.attach(m)
    done = []
    for u in updates(ok, 4, 3):
        m.observe(u["entity"], u["facts"], as_of=u["as_of"])
        done.append(store.update_seen({"input": "x", "line": len(done) + 1}))
    assert done == [i % 5 == 4 for i in range(12)]
    assert store.saved_position() == {"input": "x", "line": 10}
    store.close()
    assert SqliteStateStore(str(tmp_path / "s.db")).saved_position() == {"input": "x",
                                                                          "line": 12}


def edit_row(path: Path, entity: str, **changes: Any) -> None:
    db = sqlite3.connect(path)
    (text,) = db.execute("SELECT data FROM entities WHERE entity_id = ?", (entity,)).fetchone()
    data = json.loads(text)
    data.update(changes)
    with db:
        db.execute("UPDATE entities SET data = ? WHERE entity_id = ?", (json.dumps(data), entity))
    db.close()


def saved_state(tmp_path: Path, rs: promorules.Ruleset, ok: dict[str, Any], *,
                key: bytes | None = None) -> Path:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "state.db"
    store = SqliteStateStore(str(path), key=key)
    m = Monitor(rs, DECISION, window=(None, END))
    store.attach(m)
    feed(m, updates(ok, 3, 2))
    store.close()
    return path


def test_an_edit_that_clears_a_disqualification_is_refused(
        tmp_path: Path, rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    path = saved_state(tmp_path, rs, ok)
    assert SqliteStateStore(str(path)).restore(rs, DECISION) is not None
    edit_row(path, "m-0001", state="qualified", disqualified_at=None, failed=[])
    with pytest.raises(promorules.PromorulesError, match="entity 'm-0001'") as caught:
        SqliteStateStore(str(path)).restore(rs, DECISION)
    assert caught.value.code == "PR803"


def test_a_deleted_row_is_refused(tmp_path: Path, rs: promorules.Ruleset,
                                  ok: dict[str, Any]) -> None:
    path = saved_state(tmp_path, rs, ok)
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM entities WHERE entity_id = 'm-0002'")
    db.close()
    with pytest.raises(promorules.PromorulesError, match="integrity digest") as caught:
        SqliteStateStore(str(path)).restore(rs, DECISION)
    assert caught.value.code == "PR803"


def test_a_keyed_state_needs_its_key(tmp_path: Path, rs: promorules.Ruleset,
                                     ok: dict[str, Any]) -> None:
    key = b"0123456789abcdef-secret"
    path = saved_state(tmp_path, rs, ok, key=key)
    restored = SqliteStateStore(str(path), key=key).restore(rs, DECISION)
    assert restored is not None and len(restored) == 3
    for other in (None, b"another key of 16+ bytes"):
        with pytest.raises(promorules.PromorulesError) as caught:
            SqliteStateStore(str(path), key=other).restore(rs, DECISION)
        assert caught.value.code == ("PR805" if other is None else "PR803")


def test_json_store_and_the_older_format(tmp_path: Path, rs: promorules.Ruleset,
                                         ok: dict[str, Any]) -> None:
    path = tmp_path / "state.json"
    store = open_store(str(path))
    assert isinstance(store, JsonStateStore)
    m = Monitor(rs, DECISION, window=(None, END))
    store.attach(m)
    feed(m, updates(ok, 2, 2))
    store.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "promorules.monitor/2" and data["integrity"]["keyed"] is False
    assert open_store(str(path)).restore(rs, DECISION) is not None
    # a state saved before digests: restored, with a note
    del data["integrity"]
    data["format"] = "promorules.monitor/1"
    again = Monitor.restore(rs, data)
    assert any("without an integrity digest" in n for n in again.notes)
    assert again.save()["integrity"]["digest"]  # sealed from now on
    with pytest.raises(promorules.PromorulesError) as caught:
        Monitor.restore(rs, data, key=b"0123456789abcdef")
    assert caught.value.code == "PR805"
    # not a state store at all
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(promorules.PromorulesError) as caught:
        open_store(str(junk)).restore(rs, DECISION)
    assert caught.value.code == "PR804"


# -- the command, for real -----------------------------------------------------------------


def command(*argv: str, **kw: Any) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen([sys.executable, "-m", "promorules", "monitor", *argv], env=env,
                            cwd=ROOT, **kw)


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory, ok: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("stream") / "updates.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for u in updates(ok, 400, 8):  # 3,200 updates
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    return path


def test_head_1_stops_quietly_and_leaves_a_state_that_restores(
        tmp_path: Path, rs: promorules.Ruleset, stream: Path) -> None:
    state = tmp_path / "state.db"
    shell = subprocess.run(
        ["bash", "-o", "pipefail", "-c",
         f'"$PY" -m promorules monitor {RULESET} {DECISION} {stream} --state {state} '
         '--window-until 2024-03-05T23:59:59 | head -1'],
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src"), PY=sys.executable),
        capture_output=True, text=True, check=False)
    assert shell.stderr == ""  # quietly: no broken-pipe message, no traceback
    assert shell.returncode == 0
    assert json.loads(shell.stdout)["kind"] == "qualified"
    store = SqliteStateStore(str(state))
    position = store.saved_position()
    assert position is not None and position["input"] == str(stream)
    done = int(position["line"])
    assert 1 <= done < 3200  # stopped early, saved as of the last update it read
    m = store.restore(rs, DECISION)
    assert m is not None and len(m) == min(done, 400)
    store.close()


@pytest.mark.slow
def test_resume_after_head_1_ends_as_one_uninterrupted_run(
        tmp_path: Path, rs: promorules.Ruleset, stream: Path) -> None:
    state = tmp_path / "state.db"
    shell = subprocess.run(
        ["bash", "-c", f'"$PY" -m promorules monitor {RULESET} {DECISION} {stream} '
                       f'--state {state} --window-until 2024-03-05T23:59:59 | head -1'],
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src"), PY=sys.executable),
        capture_output=True, check=False)
    assert shell.returncode == 0
    # --resume reads the rest: the whole stream ends as one uninterrupted run ends
    rest = command(RULESET, DECISION, str(stream), "--state", str(state), "--resume",
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = rest.communicate()
    assert (rest.returncode, err) == (0, b"")
    whole = tmp_path / "whole.db"
    one = command(RULESET, DECISION, str(stream), "--state", str(whole),
                  "--window-until", "2024-03-05T23:59:59", stdout=subprocess.DEVNULL)
    assert one.wait() == 0
    resumed = SqliteStateStore(str(state)).restore(rs, DECISION)
    uninterrupted = SqliteStateStore(str(whole)).restore(rs, DECISION)
    assert resumed is not None and uninterrupted is not None
    assert resumed.save()["entities"] == uninterrupted.save()["entities"]


@pytest.mark.parametrize("signum", [
    signal.SIGTERM,
    pytest.param(signal.SIGHUP, marks=pytest.mark.slow),
    pytest.param(signal.SIGINT, marks=pytest.mark.slow),
])
def test_a_signal_mid_stream_saves_the_state(tmp_path: Path, rs: promorules.Ruleset,
                                             ok: dict[str, Any], signum: int) -> None:
    state = tmp_path / "state.db"
    proc = command(RULESET, DECISION, "-", "--state", str(state), "--window-until",
                   "2024-03-05T23:59:59", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    first = list(updates(ok, 50, 2))
    for u in first:
        proc.stdin.write((json.dumps(u) + "\n").encode())
    proc.stdin.flush()
    # the last update of the batch locks m-0049: once its event is out, all 100 were read
    for line in proc.stdout:
        event = json.loads(line)
        if event["entity_id"] == "m-0049" and event["kind"] == "disqualified":
            break
    proc.send_signal(signum)
    _, err = proc.communicate()  # the stream is still open: only the signal ends it
    assert proc.returncode == 128 + signum
    assert f"stopped by signal {signum}; the state is saved in {state}".encode() in err
    m = SqliteStateStore(str(state)).restore(rs, DECISION)
    assert m is not None and len(m) == 50
    locked = m.state("m-0049")
    assert locked is not None and locked.locked


def test_an_edited_state_is_refused_by_the_command(tmp_path: Path, rs: promorules.Ruleset,
                                                   ok: dict[str, Any]) -> None:
    path = saved_state(tmp_path, rs, ok)
    edit_row(path, "m-0001", state="qualified", disqualified_at=None, failed=[])
    out, err = io.StringIO(), io.StringIO()
    code = run(["monitor", RULESET, DECISION, "-", "--state", str(path)], out, err,
               io.StringIO('{"entity": "m-0001", "as_of": "2024-03-03", "facts": {}}\n'))
    assert code == 3 and out.getvalue() == ""
    assert err.getvalue().startswith(f"{path}: PR803 entity 'm-0001'")
    # refused before anything was written: the edit is still there, still refused
    with pytest.raises(promorules.PromorulesError, match="entity 'm-0001'"):
        SqliteStateStore(str(path)).restore(rs, DECISION)


def monitor_cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["monitor", RULESET, DECISION, *argv], out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_import_a_json_state_into_sqlite_and_a_keyed_state(
        tmp_path: Path, rs: promorules.Ruleset, ok: dict[str, Any]) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.db"
    before = Monitor(rs, DECISION, window=(None, END))
    feed(before, updates(ok, 3, 2))
    old.write_text(json.dumps(before.save()), encoding="utf-8")
    code, out, err = monitor_cli(os.devnull, "--state", str(new), "--import-state", str(old))
    assert (code, out, err) == (0, "", "")
    moved = SqliteStateStore(str(new)).restore(rs, DECISION)
    assert moved is not None and moved.save()["entities"] == before.save()["entities"]
    code, _, err = monitor_cli(os.devnull, "--state", str(new), "--import-state", str(old))
    assert code == 3 and "already holds a state" in err
    # a state saved with a secret key is refused without it (PR805)
    keyed = saved_state(tmp_path / "k", rs, ok, key=b"a secret of more than sixteen bytes")
    code, _, err = monitor_cli(os.devnull, "--state", str(keyed))
    assert code == 3 and err.startswith(f"{keyed}: PR805 ")
