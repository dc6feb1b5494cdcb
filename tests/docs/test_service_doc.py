"""docs/service.md is run: its `promorules serve` command starts a real server on
localhost, every `$ curl ...` / `$ tail ...` session of the page is run against it and its
output compared (``...`` matches anything, as in doctest), and its Python example runs."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from promorules.cli import serve
from promorules.service import asgi

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")


def sessions() -> list[tuple[str, str]]:
    """(command, expected output) of each `$ ` line of the page's console blocks."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", PAGE, re.S):
        command: str | None = None
        expected: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    out.append((command, "\n".join(expected)))
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command is not None:
            out.append((command, "\n".join(expected)))
    return out


SESSIONS = sessions()
SERVE = [c for c, _ in SESSIONS if c.startswith("promorules serve ")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The page's own `promorules serve` command (parsed by the command's own parser), served
    by uvicorn on a free port in a thread of this process, its decision log in a temporary
    directory. (tests/service/test_server.py runs the command as a process of its own.)"""
    (command,) = SERVE
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log = tmp_path_factory.mktemp("service-doc") / "decisions.jsonl"
    argv = shlex.split(command.replace("8080", str(port)).replace("decisions.jsonl",
                                                                  str(log)))
    args = serve.parser().parse_args(argv[2:])
    assert args.host == "127.0.0.1" and args.port == port
    settings = asgi.Settings(rulesets_dir=str(ROOT / args.rulesets_dir),
                             decision_log=args.decision_log, body_limit=args.body_limit,
                             eval_timeout=args.eval_timeout,
                             reload_interval=args.reload_interval,
                             flush_interval=args.flush_interval)
    config = uvicorn.Config(asgi.build(settings), host=args.host, port=args.port,
                            log_level="warning", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60  # only stops a hang
        while not uv.started:
            assert thread.is_alive() and time.monotonic() < deadline, "never started"
            time.sleep(0.02)
        yield port, log
    finally:
        uv.should_exit = True
        thread.join(timeout=60)


def test_the_page_starts_a_server_and_shows_requests() -> None:
    assert len(SERVE) == 1
    assert sum(c.startswith("curl ") for c, _ in SESSIONS) >= 5


@pytest.mark.parametrize(("command", "expected"),
                         [s for s in SESSIONS if not s[0].startswith("promorules serve ")])
def test_console_sessions_match(server: tuple[int, Path], command: str,
                                expected: str) -> None:
    port, log = server
    if "decisions.jsonl" in command:  # wait for the background flush (every second)
        deadline = time.monotonic() + 30
        while not (log.exists() and log.read_text("utf-8").strip()):
            assert time.monotonic() < deadline, "no decision-log line was written"
            time.sleep(0.05)
        command = command.replace("decisions.jsonl", shlex.quote(str(log)))
    command = command.replace("localhost:8080", f"127.0.0.1:{port}")
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    got = done.stdout.rstrip("\n") + "\n"
    checker = doctest.OutputChecker()
    assert checker.check_output(expected.rstrip("\n") + "\n", got, doctest.ELLIPSIS), (
        f"{command}\n--- expected\n{expected}\n--- got\n{got}\n{done.stderr}")


def test_python_example_runs(tmp_path: Path) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", PAGE, re.S)
    for name in ("rulesets", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "docs/service.md", "exec"), {})
    finally:
        os.chdir(old)
    (line,) = (tmp_path / "decisions.jsonl").read_text("utf-8").splitlines()
    assert '"failed":["deposit"]' in line
