"""The service's settings, and an app factory that reads them from the environment, for
ASGI servers that import the app by name (several uvicorn workers, gunicorn)::

    PROMORULES_RULESETS=rulesets/ uvicorn --factory promorules.service.asgi:app_from_environ

Variables: ``PROMORULES_RULESETS`` (required), ``PROMORULES_DECISION_LOG``,
``PROMORULES_BODY_LIMIT`` (bytes), ``PROMORULES_EVAL_TIMEOUT``,
``PROMORULES_RELOAD_INTERVAL`` and ``PROMORULES_FLUSH_INTERVAL`` (seconds),
``PROMORULES_INLINE_LIMIT`` (bytes).
"""

from __future__ import annotations

import os

import attrs
from fastapi import FastAPI

from ..errors import PromorulesError
from .app import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_EVAL_TIMEOUT,
    DEFAULT_INLINE_LIMIT,
    DEFAULT_RELOAD_INTERVAL,
    create_app,
)

__all__ = ["Settings", "app_from_environ", "build"]


@attrs.frozen
class Settings:
    """The options of :func:`promorules.service.create_app`."""

    rulesets_dir: str
    decision_log: str | None = None
    body_limit: int = DEFAULT_BODY_LIMIT
    eval_timeout: float = DEFAULT_EVAL_TIMEOUT
    reload_interval: float = DEFAULT_RELOAD_INTERVAL
    flush_interval: float = 1.0
    inline_limit: int = DEFAULT_INLINE_LIMIT

    def environ(self) -> dict[str, str]:
        """These settings as the environment :func:`app_from_environ` reads."""
        out = {"PROMORULES_RULESETS": self.rulesets_dir,
               "PROMORULES_BODY_LIMIT": str(self.body_limit),
               "PROMORULES_EVAL_TIMEOUT": repr(self.eval_timeout),
               "PROMORULES_RELOAD_INTERVAL": repr(self.reload_interval),
               "PROMORULES_FLUSH_INTERVAL": repr(self.flush_interval),
               "PROMORULES_INLINE_LIMIT": str(self.inline_limit)}
        if self.decision_log:
            out["PROMORULES_DECISION_LOG"] = self.decision_log
        return out


def build(settings: Settings) -> FastAPI:
    """The app of ``settings``."""
    return create_app(settings.rulesets_dir, decision_log=settings.decision_log,
                      body_limit=settings.body_limit, eval_timeout=settings.eval_timeout,
                      reload_interval=settings.reload_interval,
                      flush_interval=settings.flush_interval,
                      inline_limit=settings.inline_limit)


def app_from_environ() -> FastAPI:
    """The app of the ``PROMORULES_*`` environment variables (see the module docstring)."""
    env = os.environ
    if not env.get("PROMORULES_RULESETS"):
        raise PromorulesError("set PROMORULES_RULESETS to the rulesets directory",
                              code="PR838")
    try:
        settings = Settings(
            rulesets_dir=env["PROMORULES_RULESETS"],
            decision_log=env.get("PROMORULES_DECISION_LOG") or None,
            body_limit=int(env.get("PROMORULES_BODY_LIMIT", DEFAULT_BODY_LIMIT)),
            eval_timeout=float(env.get("PROMORULES_EVAL_TIMEOUT", DEFAULT_EVAL_TIMEOUT)),
            reload_interval=float(env.get("PROMORULES_RELOAD_INTERVAL",
                                          DEFAULT_RELOAD_INTERVAL)),
            flush_interval=float(env.get("PROMORULES_FLUSH_INTERVAL", 1.0)),
            inline_limit=int(env.get("PROMORULES_INLINE_LIMIT", DEFAULT_INLINE_LIMIT)))
    except ValueError as e:
        raise PromorulesError(f"invalid PROMORULES_* setting: {e}", code="PR838") from None
    return build(settings)
