"""What the playground's tests share: the service's app (``create_app``) on the shipped
rulesets, and a real server for it on localhost."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from promorules.service import create_app

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ROOT / "rulesets"
EXAMPLES = ROOT / "examples"


def make_app(rulesets_dir: Path = RULESETS, eval_timeout: float | None = None) -> FastAPI:
    """The decision service on ``rulesets_dir``: the playground is part of it. No time
    limit by default: compiling a ruleset takes a busy test machine longer than the
    service's default (the limit itself is tested with one that nothing can meet)."""
    return create_app(rulesets_dir, eval_timeout=eval_timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free localhost port, in a thread; yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20  # only stops a hang
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(10)
