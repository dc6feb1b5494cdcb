"""Reloading when the directory changes (an invalid file never replaces what is served),
and the decision log the service writes: its lines, masking, flushing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import promorules
from promorules.service import create_app

from .conftest import EVALUATE, deposit_ruleset

URL = EVALUATE.format("deposit_rules", "ok")


def wait_for(condition: Callable[[], bool], what: str, limit: float = 20.0) -> None:
    """Poll ``condition`` until it holds (the poller runs every 0.05 s in these tests);
    the limit only stops a broken build from hanging, nothing is asserted on time."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def versions(c: TestClient) -> list[str]:
    body = c.get("/v1/rulesets").json()
    return [v["version"] for r in body["rulesets"] for v in r["versions"]]


def test_a_changed_directory_is_reloaded(small_dir: Path) -> None:
    with TestClient(create_app(small_dir, reload_interval=0.05)) as c:
        assert versions(c) == ["1.0.0", "1.1.0"]
        assert c.post(URL, json={"facts": {"deposit": 4000}}).json()["outcome"] == "fail"
        (small_dir / "deposit.yaml").write_text(deposit_ruleset(
            "1.2.0", 4000, "effective_from: 2024-03-01\n"), encoding="utf-8")
        wait_for(lambda: versions(c) == ["1.0.0", "1.2.0"], "the new version served")
        r = c.post(URL, json={"facts": {"deposit": 4000}}).json()
        assert (r["ruleset_version"], r["outcome"]) == ("1.2.0", "pass")
        # a new ruleset file appears; a removed one disappears
        (small_dir / "other.yaml").write_text(deposit_ruleset("1.0.0", 1).replace(
            "id: deposit_rules", "id: other_rules"), encoding="utf-8")
        wait_for(lambda: "other_rules" in c.get("/v1/rulesets").text, "a new file served")
        (small_dir / "other.yaml").unlink()
        wait_for(lambda: "other_rules" not in c.get("/v1/rulesets").text,
                 "a removed file dropped")
        metrics = c.get("/metrics").text
    assert 'promorules_reloads_total{result="applied"} 3.0' in metrics


def test_an_invalid_file_keeps_the_old_set_serving(small_dir: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, "promorules.service"), TestClient(
            create_app(small_dir, reload_interval=0.05)) as c:
        (small_dir / "deposit.yaml").write_text(deposit_ruleset(
            "1.3.0", 4000, "effective_from: 2024-03-01\n").replace(
            "deposit >= 4000", "depost >= 4000"), encoding="utf-8")
        wait_for(lambda: 'promorules_reloads_total{result="rejected"} 1.0'
                 in c.get("/metrics").text, "the reload rejected")
        assert versions(c) == ["1.0.0", "1.1.0"]
        r = c.post(URL, json={"facts": {"deposit": 4000}}).json()
        assert (r["ruleset_version"], r["outcome"]) == ("1.1.0", "fail")
        # the problem is logged, with file, line and a suggestion
        assert "reload of" in caplog.text and "PR301" in caplog.text
        assert "deposit.yaml:" in caplog.text and "did you mean 'deposit'" in caplog.text
        # fixing the file is picked up
        (small_dir / "deposit.yaml").write_text(deposit_ruleset(
            "1.3.0", 4000, "effective_from: 2024-03-01\n"), encoding="utf-8")
        wait_for(lambda: versions(c) == ["1.0.0", "1.3.0"], "the fixed file served")


def test_an_app_started_again_still_reloads_and_evaluates_in_its_pool(
        small_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An app may be started more than once (schemathesis starts a test client per
    request). Each start must find a thread pool that takes work: one left shut down by the
    previous stop made every pooled request a 500 and the poller log a traceback each
    interval, and on CPython before 3.11.8 formatting that traceback (``ast.parse``) on the
    event-loop thread could race another thread's ``ast.parse`` into "SystemError: AST
    constructor recursion depth mismatch" (CPython gh-106905)."""
    app = create_app(small_dir, reload_interval=0.05, inline_limit=0)  # all in the pool
    with caplog.at_level(logging.INFO, "promorules.service"):
        for version in ("1.2.0", "1.3.0"):
            with TestClient(app) as c:
                r = c.post(URL, json={"facts": {"deposit": 4000}})
                assert r.status_code == 200, r.text
                (small_dir / "deposit.yaml").write_text(deposit_ruleset(
                    version, 4000, "effective_from: 2024-03-01\n"), encoding="utf-8")
                wait_for(lambda c=c, v=version: versions(c) == ["1.0.0", v],
                         f"{version} served after a restart")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def read_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_each_evaluation_is_one_decision_log_line_with_masked_facts(
        small_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    facts = {"deposit": 4000.5, "merchant_name": "Ada", "phone": "13800000000"}
    with TestClient(create_app(small_dir, decision_log=log)) as c:
        new = c.post(URL, json={"facts": facts, "as_of": "2024-03-02T10:00:00"}).json()
        old = c.post(URL, json={"facts": facts, "as_of": "2024-02-01"}).json()
        assert c.post(URL, json={"facts": {"deposit": "x"}}).status_code == 422  # not logged
        missing = EVALUATE.format("deposit_rules", "nope")
        assert c.post(missing, json={"facts": facts}).status_code == 404  # nor this
    # closed at shutdown: every line is there
    first, second = read_lines(log)
    assert set(first) == {"time", "ruleset_id", "ruleset_version", "ruleset_digest",
                          "decision", "as_of", "facts", "outcome", "failed", "value",
                          "elapsed_ms"}
    assert first["ruleset_id"] == "deposit_rules" and first["decision"] == "ok"
    assert (first["ruleset_version"], first["ruleset_digest"]) == (
        new["ruleset_version"], new["ruleset_digest"])
    assert first["ruleset_digest"] == promorules.load(small_dir / "deposit.yaml").digest
    assert first["as_of"] == "2024-03-02T10:00:00+08:00"
    assert (first["outcome"], first["failed"], first["value"]) == ("fail", ["deposit"], None)
    # 1.1.0 masks phone; numbers are written exactly, as decimal text
    assert first["facts"] == {"deposit": "4000.5", "merchant_name": "Ada", "phone": "***"}
    assert isinstance(first["elapsed_ms"], float) and first["elapsed_ms"] >= 0
    assert str(first["time"]).endswith("+00:00")
    # 1.0.0 declares no mask
    assert second["ruleset_version"] == "1.0.0" == old["ruleset_version"]
    assert second["facts"]["phone"] == "13800000000"  # type: ignore[index]
    assert (second["outcome"], second["failed"]) == ("pass", [])


def test_the_decision_log_is_flushed_while_the_service_runs(small_dir: Path,
                                                            tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    with TestClient(create_app(small_dir, decision_log=log, flush_interval=0.05)) as c:
        c.post(URL, json={"facts": {"deposit": 1}})
        # no shutdown yet: the background flush writes the line
        wait_for(lambda: log.exists() and log.read_text("utf-8").count("\n") == 1,
                 "the line flushed")
        c.post(URL, json={"facts": {"deposit": 2}})
    assert [line["facts"] for line in read_lines(log)] == [{"deposit": 1}, {"deposit": 2}]


def test_an_unknown_masked_fact_is_a_load_error_with_a_suggestion() -> None:
    text = deposit_ruleset("1.0.0", 1, mask="mask: [phone, merchant_nme]\n")
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(text, "masked.yaml")
    error = info.value
    assert error.code == "PR832" and error.path == ("mask", 1)
    assert "did you mean 'merchant_name'" in error.message
    assert error.line == 5  # the mask: line
    assert promorules.loads(deposit_ruleset("1.0.0", 1, mask="mask: [phone]\n")
                            ).model.mask == ("phone",)


def test_an_app_started_again_after_a_shutdown_serves_and_logs(small_dir: Path,
                                                               tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    app = create_app(small_dir, decision_log=log, inline_limit=0)  # the pool, too
    for deposit in (1, 2):
        with TestClient(app) as c:
            assert c.post(URL, json={"facts": {"deposit": deposit}}).status_code == 200
    assert [line["facts"] for line in read_lines(log)] == [{"deposit": 1}, {"deposit": 2}]
