"""The decision service's ASGI app (a consumer of compiled rulesets and their results).

:func:`create_app` serves every ruleset under a directory through a
:class:`promorules.Registry`: the version in force at each request's ``as_of``. A
background task polls the directory and reloads it when a file changes; an invalid new file
never replaces the set being served (the problems are logged). A small request is evaluated
on the event loop (it takes microseconds); a large one in a thread pool, off the event loop,
under a per-request time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import json
import logging
import os
import pathlib
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from typing import Any

from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .. import __version__
from ..decision_log import DecisionLog
from ..errors import FactError, PromorulesError
from ..facts import read_json, suggest
from ..registry import Registry
from ..ruleset import Ruleset
from ..trace import Result
from ..zh_script import EXPLAIN_LANGS
from .metrics import CONTENT_TYPE, ServiceMetrics
from .models import (
    EVALUATE_REQUEST_BODY,
    EvaluateResponse,
    Health,
    Problem,
    RulesetInfo,
    RulesetList,
    RulesetVersion,
)
from .problems import PROBLEM_RESPONSES, Guard, ProblemError, problem_for, problem_response

__all__ = ["ServiceState", "create_app", "parse_evaluate_body"]

log = logging.getLogger("promorules.service")

DEFAULT_BODY_LIMIT = 1_048_576
DEFAULT_EVAL_TIMEOUT = 2.0
DEFAULT_RELOAD_INTERVAL = 1.0
# bodies up to this size are evaluated on the event loop: their evaluation is bounded by
# their size and takes well under a millisecond (benchmarks/bench_service.py), less than a
# hand-off to a thread costs; larger ones go to the thread pool, under the time limit
DEFAULT_INLINE_LIMIT = 16_384
_BODY_KEYS = ("facts", "as_of", "lang", "explain")


class ServiceState:
    """What the routes share (``request.app.state.promorules``): the registry, the decision
    log, the metrics, the limits and the evaluation thread pool."""

    def __init__(self, directory: pathlib.Path, registry: Registry,
                 decision_log: DecisionLog | None, owns_log: bool, body_limit: int,
                 eval_timeout: float | None,
                 reload_interval: float, inline_limit: int = DEFAULT_INLINE_LIMIT) -> None:
        self.directory = directory
        self.registry = registry
        self.decision_log = decision_log
        self.owns_log = owns_log
        self.body_limit = body_limit
        self.eval_timeout = eval_timeout
        self.reload_interval = reload_interval
        self.inline_limit = inline_limit
        self.metrics = ServiceMetrics()
        self.executor = _pool()
        self._signature = _signature(directory)

    async def run(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in the evaluation thread pool, within the time limit: a
        ProblemError 504 when it takes longer (the thread finishes on its own)."""
        future = asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        if self.eval_timeout is None:
            return await future
        try:
            return await asyncio.wait_for(future, self.eval_timeout)
        except TimeoutError:
            raise ProblemError(504, f"the evaluation took longer than the limit of "
                                    f"{self.eval_timeout:g} s", code="PR837") from None

    def reload_if_changed(self) -> bool:
        """Reload the registry when a ruleset file was added, removed or changed since the
        last look; True when a new set was swapped in. Problems are logged and the old set
        keeps serving."""
        signature = _signature(self.directory)
        if signature == self._signature:
            return False
        self._signature = signature
        errors = self.registry.reload()
        if errors:
            self.metrics.reloads.labels("rejected").inc()
            log.error("reload of %s rejected; still serving the previous rulesets:\n%s",
                      self.directory, "\n".join(e.format() for e in errors))
            return False
        self.metrics.reloads.labels("applied").inc()
        log.info("reloaded %s: %s", self.directory, ", ".join(
            f"{rs.id} {rs.version}" for rs in self.registry))
        return True

    async def poll(self) -> None:
        """Look for changes every ``reload_interval`` seconds, until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.reload_interval)
            try:
                await loop.run_in_executor(self.executor, self.reload_if_changed)
            except Exception:  # never let the poller die: log and keep serving
                log.exception("reloading %s failed", self.directory)


def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="promorules-eval")


def _signature(directory: pathlib.Path) -> tuple[tuple[str, int, int], ...]:
    entries = []
    try:
        paths = sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml"))
        for p in paths:
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((str(p), st.st_mtime_ns, st.st_size))
    except OSError:
        pass
    return tuple(entries)


def parse_evaluate_body(body: bytes) -> tuple[dict[str, Any], str | None, str, bool]:
    """``(facts, as_of, lang, explain)`` of an evaluate request body, read by promorules'
    strict JSON reader. A body that is not a JSON object is a 400 problem, a field of the
    wrong type or a number that cannot be read exactly a 422 naming it."""
    if not body.strip():
        raise ProblemError(400, 'the request body is empty; send a JSON object '
                                '{"facts": {...}}', code="PR101")
    try:
        data = read_json(body, "request body", facts_key="facts")
    except FactError as e:
        if e.fact is not None and e.code == "PR601":
            raise problem_for(e) from None
        raise ProblemError(400, e.message, code=e.code, line=e.line, column=e.column) from None
    if not isinstance(data, dict):
        raise ProblemError(400, 'the request body must be a JSON object {"facts": {...}}, '
                                f"not {_json_kind(data)}", code="PR835")
    for key in data:
        if key not in _BODY_KEYS:
            close = suggest(key, _BODY_KEYS)
            raise ProblemError(422, f"unknown field '{key}' in the request body"
                               + (f" (did you mean '{close}'?)" if close else "")
                               + "; fields: " + ", ".join(_BODY_KEYS), code="PR836")
    if "facts" not in data:
        raise ProblemError(422, "the request body has no 'facts' object", code="PR836",
                           expected="an object of fact names to values")
    facts = data["facts"]
    if not isinstance(facts, dict):
        raise ProblemError(422, f"'facts' must be an object of fact names to values, not "
                                f"{_json_kind(facts)}", code="PR836",
                           expected="an object of fact names to values")
    as_of = data.get("as_of")
    if as_of is not None and not isinstance(as_of, str):
        raise ProblemError(422, f"as_of must be an ISO date or date-time string, not "
                                f"{_json_kind(as_of)}", code="PR608", fact="as_of",
                           expected="an ISO date or date-time")
    lang = data.get("lang", "en")
    if lang not in EXPLAIN_LANGS:
        raise ProblemError(422, f"lang must be one of {', '.join(EXPLAIN_LANGS)}, not "
                                f"{json.dumps(lang)[:40]}", code="PR836",
                           expected=" | ".join(EXPLAIN_LANGS))
    explain = data.get("explain", True)
    if not isinstance(explain, bool):
        raise ProblemError(422, f"explain must be true or false, not {_json_kind(explain)}",
                           code="PR836", expected="true or false")
    return facts, as_of, str(lang), explain


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a number"


def _evaluate(rs: Ruleset, decision: str, facts: Mapping[str, Any], as_of: str | None,
              lang: str, explain: bool) -> tuple[Result, bytes, float]:
    """Evaluate and serialise (in a pool thread): the result, its JSON and the time taken."""
    started = perf_counter()
    result = rs.evaluate(decision, facts, as_of)
    data = result.to_dict()
    data["explanation"] = result.explain(lang) if explain else None
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return result, payload, perf_counter() - started


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _relative(path: str, directory: pathlib.Path) -> str:
    try:
        return pathlib.Path(path).resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        return pathlib.Path(path).name


class _DirectRoute(APIRoute):
    """A route whose endpoint is called with the request and its path parameters, without
    FastAPI's parameter solving (a measurable share of the evaluate endpoint's time); its
    declared signature still describes it in OpenAPI."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response: Response = await endpoint(request, **request.path_params)
            return response

        return handler


def _include_playground(app: FastAPI) -> None:
    """Mount the playground (``promorules.service.playground``'s ``router``) when that
    module is present."""
    name = f"{__package__}.playground"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return
    app.include_router(module.router)


def create_app(rulesets_dir: str | os.PathLike[str], *,
               decision_log: str | os.PathLike[str] | DecisionLog | None = None,
               body_limit: int = DEFAULT_BODY_LIMIT,
               eval_timeout: float | None = DEFAULT_EVAL_TIMEOUT,
               reload_interval: float = DEFAULT_RELOAD_INTERVAL,
               inline_limit: int = DEFAULT_INLINE_LIMIT,
               flush_interval: float = 1.0) -> FastAPI:
    """The decision service for the rulesets under ``rulesets_dir``.

    ``decision_log``: a file name (opened here, closed at shutdown) or a
    :class:`promorules.DecisionLog` to record every evaluation in. ``body_limit``: the
    largest request body accepted, in bytes. ``eval_timeout``: the per-request evaluation
    time limit in seconds (None: none). ``reload_interval``: how often the directory is
    polled for changes, in seconds. ``inline_limit``: request bodies up to this many bytes
    are evaluated on the event loop thread (fast: bounded by their size); larger ones in a
    thread pool, under ``eval_timeout`` (0: every request in the pool). Raises RulesetError
    when the directory does not load. ``flush_interval``: how often a decision log opened
    here is written out, in seconds (what a crash can lose; shutdown loses nothing).
    """
    directory = pathlib.Path(rulesets_dir)
    registry = Registry(directory)
    owns_log = decision_log is not None and not isinstance(decision_log, DecisionLog)
    dlog = (decision_log if isinstance(decision_log, DecisionLog) or decision_log is None
            else DecisionLog(decision_log, flush_interval=flush_interval))
    state = ServiceState(directory, registry, dlog, owns_log, int(body_limit), eval_timeout,
                         float(reload_interval), int(inline_limit))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # an app can be started again after a shutdown (test clients do it)
        log = state.decision_log
        if log is not None and state.owns_log and log.closed:
            state.decision_log = DecisionLog(log.path, flush_interval=flush_interval)
        poller = asyncio.create_task(state.poll())
        try:
            yield
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            state.executor.shutdown(wait=True)
            state.executor = _pool()  # for a next start (its threads start on first use)
            if state.decision_log is not None and state.owns_log:
                state.decision_log.close()
            elif state.decision_log is not None:
                state.decision_log.flush()

    app = FastAPI(title="promorules decision service", version=__version__,
                  description="Evaluate promorules decisions over HTTP.", lifespan=lifespan)
    app.state.promorules = state
    app.add_middleware(Guard, body_limit=state.body_limit)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(exc)

    @app.exception_handler(PromorulesError)
    async def _promorules_error(request: Request, exc: PromorulesError) -> Response:
        return problem_response(problem_for(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(ProblemError(exc.status_code, str(exc.detail)),
                                dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem_response(ProblemError(422, f"{where}: {first.get('msg', 'invalid')}",
                                             code="PR836"))

    @app.get("/healthz", response_model=Health, tags=["service"])
    async def healthz() -> dict[str, str]:
        """``{"status": "ok"}``: the rulesets are loaded and being served."""
        return {"status": "ok"}

    @app.get("/v1/rulesets", response_model=RulesetList, tags=["rulesets"])
    async def rulesets() -> RulesetList:
        """The rulesets and versions being served, with their decisions."""
        out = []
        for rid in state.registry.ids():
            versions = [RulesetVersion(
                version=rs.version, digest=rs.digest, title={"en": rs.title.en,
                                                             "zh": rs.title.zh},
                effective_from=_iso(rs.effective_from),
                effective_until=_iso(rs.effective_until), in_force=rs.in_force(),
                decisions=list(rs.decisions), source=_relative(rs.source, directory))
                for rs in state.registry.versions(rid)]
            out.append(RulesetInfo(id=rid, versions=versions))
        return RulesetList(rulesets=out)

    async def evaluate(request: Request,
                       ruleset_id: str = Path(description="A ruleset id, as GET /v1/rulesets "
                                                          "lists them.",
                                              examples=["1688_spring"]),
                       decision_id: str = Path(description="A decision of that ruleset.",
                                               examples=["merchant_eligibility"])
                       ) -> Response:
        """Evaluate a decision on the facts in the body, with the ruleset version in force
        at ``as_of``: the result's ``to_dict()`` and its explanation."""
        started = perf_counter()
        labels = ("", "")
        status = 500
        try:
            # an unknown ruleset or decision is a 404 whatever the body
            served = state.registry.versions(ruleset_id)  # UnknownRulesetError
            if not any(decision_id in v.decisions for v in served):
                served[-1].evaluate(decision_id, {})  # UnknownDecisionError, did-you-mean
            labels = (ruleset_id, decision_id)  # served: bounded label values
            body = await request.body()
            facts, as_of, lang, explain = parse_evaluate_body(body)
            rs = state.registry.get(ruleset_id, as_of)
            if decision_id not in rs.decisions:  # only in other versions than this one
                raise ProblemError(404, f"ruleset '{rs.id}' {rs.version}, the version in "
                                        f"force at {as_of or 'now'}, has no decision "
                                        f"'{decision_id}'", code="PR310")
            if len(body) <= state.inline_limit:
                result, payload, elapsed = _evaluate(rs, decision_id, facts, as_of, lang,
                                                     explain)
            else:
                result, payload, elapsed = await state.run(_evaluate, rs, decision_id, facts,
                                                           as_of, lang, explain)
            if state.decision_log is not None:
                state.decision_log.record(rs, result, facts, elapsed=elapsed)
            state.metrics.request(*labels, 200, perf_counter() - started, elapsed,
                                  str(result.outcome))
            status = 0  # counted
            return Response(payload, media_type="application/json")
        except ProblemError as e:
            status = e.status
            raise
        except PromorulesError as e:
            problem = problem_for(e)
            status = problem.status
            raise problem from None
        finally:
            if status:
                state.metrics.request(*labels, status, perf_counter() - started
                                      if labels[0] else None)

    app.router.add_api_route(
        "/v1/rulesets/{ruleset_id}/decisions/{decision_id}/evaluate", evaluate,
        methods=["POST"], response_model=EvaluateResponse, responses=PROBLEM_RESPONSES,
        openapi_extra=EVALUATE_REQUEST_BODY, tags=["rulesets"],
        route_class_override=_DirectRoute)

    @app.get("/metrics", response_class=Response, tags=["service"],
             responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
                              "description": "Prometheus text exposition format."}})
    async def metrics() -> Response:
        """Request counts, latency and outcome counts, by ruleset and decision."""
        return Response(state.metrics.render(), media_type=CONTENT_TYPE)

    _include_playground(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
