"""The decision service (``promorules serve``): rulesets over HTTP, a consumer of compiled
rulesets and their results. Needs the ``server`` extra (``pip install
'promorules[server]'``: FastAPI, uvicorn, prometheus-client); ``import promorules`` never
imports it.

    from promorules.service import create_app
    app = create_app("rulesets/", decision_log="decisions.jsonl")   # an ASGI app

See docs/service.md.
"""

from __future__ import annotations

from .app import ServiceState, create_app

__all__ = ["ServiceState", "create_app"]
