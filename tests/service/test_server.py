"""``promorules serve`` as a real process: uvicorn on localhost, stopped with SIGTERM; the
decision log loses nothing. And the command's errors before it binds a port."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import promorules
from promorules.cli import run

from .conftest import EVALUATE, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_flushes_every_decision_log_line(small_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "promorules", "serve", str(small_dir), "--port", str(port),
         "--decision-log", str(log), "--flush-interval", "3600"], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60  # only stops a hang
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.05)
        url = base + EVALUATE.format("deposit_rules", "ok")
        with httpx.Client(timeout=10) as client:
            for i in range(25):
                r = client.post(url, json={"facts": {"deposit": 4990 + i, "phone": "139"}})
                assert r.status_code == 200
        # no background flush for an hour: only a graceful stop writes the lines
        assert not log.exists() or log.read_text("utf-8") == ""
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()[-2000:]  # a graceful stop
    assert "Finished server process" in err.decode()
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert [line["facts"]["deposit"] for line in lines] == [4990 + i for i in range(25)]
    assert {line["facts"]["phone"] for line in lines} == {"***"}
    assert [line["outcome"] for line in lines] == ["fail"] * 10 + ["pass"] * 15
    assert "Traceback" not in err.decode()


def test_serve_refuses_a_directory_that_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: [\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(["serve", str(tmp_path), "--port", "1"], out, err) == 3
    assert "bad.yaml" in err.getvalue() and "Traceback" not in err.getvalue()
    err = io.StringIO()
    assert run(["serve", str(tmp_path / "missing")], out, err) == 3
    assert "not a directory" in err.getvalue()
    err = io.StringIO()
    assert run(["serve", str(tmp_path), "--body-limit", "0"], out, err) == 3
    assert "--body-limit" in err.getvalue()


def test_the_app_can_be_built_from_the_environment(small_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from promorules.service import asgi

    log = tmp_path / "log.jsonl"
    settings = asgi.Settings(rulesets_dir=str(small_dir), decision_log=str(log),
                             body_limit=500)
    for name, value in settings.environ().items():
        monkeypatch.setenv(name, value)
    with TestClient(asgi.app_from_environ()) as c:
        url = EVALUATE.format("deposit_rules", "ok")
        assert c.post(url, json={"facts": {"deposit": 6000}}).json()["outcome"] == "pass"
        assert c.post(url, content=b"{" + b" " * 600 + b"}").status_code == 413
    assert log.read_text("utf-8").count("\n") == 1
    monkeypatch.setenv("PROMORULES_BODY_LIMIT", "lots")
    with pytest.raises(promorules.PromorulesError, match="PR838"):
        asgi.app_from_environ()
    monkeypatch.delenv("PROMORULES_RULESETS")
    with pytest.raises(promorules.PromorulesError, match="PROMORULES_RULESETS"):
        asgi.app_from_environ()
