"""``promorules serve RULESETS_DIR``: the decision service over HTTP (docs/service.md).

Needs the ``server`` extra (FastAPI, uvicorn, prometheus-client). Binds to 127.0.0.1:8080
by default; SIGTERM and Ctrl-C stop it gracefully (the decision log is flushed and closed)
and it exits 0.
Exit 3 when the rulesets do not load or the extra is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import IO, Any

from ..errors import PromorulesError
from .common import EXIT_INVALID, CommandParser, parse_command

__all__ = ["main", "parser"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(text)
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise ValueError(text)
    return value


def parser() -> argparse.ArgumentParser:
    """The arguments of ``promorules serve``."""
    p = CommandParser(prog="promorules serve",
                      description="Serve the rulesets under RULESETS_DIR over HTTP (the "
                                  "version in force at each request's as_of), reloading "
                                  "when the directory changes.")
    p.add_argument("rulesets_dir", metavar="RULESETS_DIR")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--decision-log", dest="decision_log", metavar="FILE.jsonl",
                   help="append one JSON line per evaluation to FILE.jsonl")
    p.add_argument("--body-limit", dest="body_limit", type=_positive_int,
                   default=1_048_576, metavar="BYTES",
                   help="largest request body accepted (default 1048576: 1 MiB)")
    p.add_argument("--eval-timeout", dest="eval_timeout", type=_seconds, default=2.0,
                   metavar="SECONDS", help="per-request evaluation time limit (default 2)")
    p.add_argument("--inline-limit", dest="inline_limit", type=int, default=16_384,
                   metavar="BYTES",
                   help="request bodies up to this size are evaluated on the event loop "
                        "(fast); larger ones in a thread pool under --eval-timeout (default "
                        "16384; 0: every request in the pool)")
    p.add_argument("--reload-interval", dest="reload_interval", type=_seconds, default=1.0,
                   metavar="SECONDS",
                   help="how often RULESETS_DIR is checked for changes (default 1)")
    p.add_argument("--flush-interval", dest="flush_interval", type=_seconds, default=1.0,
                   metavar="SECONDS",
                   help="how often the decision log is written out: what a crash can lose "
                        "(default 1; a graceful stop loses nothing)")
    p.add_argument("--workers", type=_positive_int, default=1,
                   help="worker processes (default 1)")
    p.add_argument("--log-level", dest="log_level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))
    return p


def main(argv: Sequence[str], stdout: IO[str], stderr: IO[str], stdin: IO[str]) -> int:
    """Run the service until it is stopped; returns the exit code."""
    args = parse_command(parser(), argv, stderr, stdout)
    if isinstance(args, int):
        return args
    try:
        import uvicorn

        from ..service import asgi
    except ImportError as e:
        stderr.write(f"error: PR838 promorules serve needs the server extra "
                     f"(pip install 'promorules[server]'): {e}\n")
        return EXIT_INVALID
    settings = asgi.Settings(rulesets_dir=args.rulesets_dir, decision_log=args.decision_log,
                             body_limit=args.body_limit, eval_timeout=args.eval_timeout,
                             reload_interval=args.reload_interval,
                             flush_interval=args.flush_interval,
                             inline_limit=max(0, args.inline_limit))
    logging.basicConfig(level=args.log_level.upper(), stream=stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.workers > 1:  # each worker process builds its app from the environment
        os.environ.update(settings.environ())
        uvicorn.run(f"{asgi.__name__}:app_from_environ", factory=True, host=args.host,
                    port=args.port, workers=args.workers, log_level=args.log_level,
                    access_log=False)
        return 0
    try:
        app = asgi.build(settings)  # loads the rulesets: errors before binding the port
    except PromorulesError as e:
        stderr.write(f"{e}\n")
        return EXIT_INVALID
    server = _server_class(uvicorn.Server)(uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=False))
    server.run()
    return 0


def _server_class(base: type[Any]) -> type[Any]:
    """uvicorn's Server, stopping gracefully on SIGTERM and SIGINT and then returning (exit
    0), where uvicorn's own re-raises the signal once stopped."""

    class Server(base):  # type: ignore[misc]
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self.handle_exit)
                        for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server
