"""promorules.DecisionLog: the library's decision log (the lines `promorules serve
--decision-log` writes), without any HTTP layer."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

import promorules
from promorules.decision_log import decision_entry

RULESET = """\
id: deposit_rules
version: 1.1.0
title: {en: Deposit, zh: 保证金}
timezone: Asia/Shanghai
mask: [phone]
sources: {"D": {file: d.txt}}
facts:
  deposit: {type: money, currency: CNY}
  phone: {type: string}
decisions:
  ok:
    description: {en: Deposit high enough, zh: 保证金足够}
    all:
      - {id: deposit, description: {en: d, zh: d}, source: "D 1", check: deposit >= 5000}
"""


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_record_writes_the_contract_line(tmp_path: Path) -> None:
    rs = promorules.loads(RULESET, "deposit.yaml")
    facts = {"deposit": "4999.99", "phone": "13800000000"}
    path = tmp_path / "log.jsonl"
    with promorules.DecisionLog(path) as log:
        result = rs.evaluate("ok", facts, as_of="2024-03-01T09:30:00")
        written = log.record(rs, result, facts, elapsed=0.00025)
    (line,) = lines(path)
    assert line == written
    assert line == {
        "time": line["time"], "ruleset_id": "deposit_rules", "ruleset_version": "1.1.0",
        "ruleset_digest": rs.digest, "decision": "ok",
        "as_of": "2024-03-01T09:30:00+08:00",
        "facts": {"deposit": "4999.99", "phone": "***"},
        "outcome": "fail", "failed": ["deposit"], "value": None, "elapsed_ms": 0.25,
    }
    assert facts["phone"] == "13800000000"  # the caller's facts are left alone


def test_an_absent_masked_fact_stays_absent_and_the_mask_is_configurable(
        tmp_path: Path) -> None:
    rs = promorules.loads(RULESET)
    entry = decision_entry(rs, rs.evaluate("ok", {"deposit": 6000}), {"deposit": 6000},
                           mask="<hidden>")
    assert entry["facts"] == {"deposit": 6000} and entry["outcome"] == "pass"
    entry = decision_entry(rs, rs.evaluate("ok", {"phone": None}), {"phone": None},
                           mask="<hidden>")
    assert entry["facts"] == {"phone": "<hidden>"} and entry["outcome"] == "unknown"


def test_lines_are_flushed_in_the_background(tmp_path: Path) -> None:
    rs = promorules.loads(RULESET)
    path = tmp_path / "log.jsonl"
    log = promorules.DecisionLog(path, flush_interval=0.05)
    try:
        log.record(rs, rs.evaluate("ok", {"deposit": 1}), {"deposit": 1})
        deadline = time.monotonic() + 20  # only stops a hang: nothing asserted on time
        while path.read_text("utf-8").count("\n") != 1:
            assert time.monotonic() < deadline, "never flushed"
            time.sleep(0.01)
    finally:
        log.close()


def test_threads_share_one_log_without_losing_or_tearing_lines(tmp_path: Path) -> None:
    rs = promorules.loads(RULESET)
    path = tmp_path / "log.jsonl"

    def work(k: int, log: promorules.DecisionLog) -> None:
        for i in range(200):
            facts = {"deposit": k * 1000 + i}
            log.record(rs, rs.evaluate("ok", facts), facts)

    with promorules.DecisionLog(path, flush_interval=0.001) as log:
        threads = [threading.Thread(target=work, args=(k, log)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    seen = sorted(int(str(line["facts"]["deposit"]))  # type: ignore[index]
                  for line in lines(path))
    assert seen == sorted(k * 1000 + i for k in range(8) for i in range(200))


def test_appends_to_an_existing_log_and_refuses_after_close(tmp_path: Path) -> None:
    rs = promorules.loads(RULESET)
    path = tmp_path / "log.jsonl"
    path.write_text('{"earlier": true}\n', encoding="utf-8")
    log = promorules.DecisionLog(path)
    log.record(rs, rs.evaluate("ok", {"deposit": 1}), {"deposit": 1})
    log.close()
    log.close()  # idempotent
    assert log.closed and len(lines(path)) == 2
    with pytest.raises(promorules.PromorulesError) as info:
        log.record(rs, rs.evaluate("ok", {"deposit": 1}), {"deposit": 1})
    assert info.value.code == "PR831"


def test_a_log_that_cannot_be_opened_is_a_promorules_error(tmp_path: Path) -> None:
    with pytest.raises(promorules.PromorulesError) as info:
        promorules.DecisionLog(tmp_path / "no" / "such" / "dir" / "log.jsonl")
    assert info.value.code == "PR830" and "cannot open the decision log" in str(info.value)
