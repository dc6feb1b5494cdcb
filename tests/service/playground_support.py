"""What the playground's tests share: the app under test and a real server on localhost.

Until the service's app factory (``promorules.service.create_app``) lands, the app is the
playground's router plus a stand-in for ``GET /v1/rulesets``, the one service endpoint the
page reads.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

import promorules
from promorules.service.playground import router

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ROOT / "rulesets"
EXAMPLES = ROOT / "examples"


def make_app(rulesets_dir: Path = RULESETS) -> FastAPI:
    """The playground's router, served with a Registry of ``rulesets_dir``."""
    app = FastAPI()
    registry = promorules.Registry(rulesets_dir)
    app.state.registry = registry

    @app.get("/v1/rulesets")
    def rulesets() -> dict[str, Any]:  # stand-in for the service's endpoint
        return {"rulesets": [{"id": rs.id, "version": rs.version,
                              "decisions": list(rs.decisions)} for rs in registry]}

    app.include_router(router)
    return app


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
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(10)
