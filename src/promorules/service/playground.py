"""The service's playground: a consumer of the whole pipeline (load -> check -> evaluate ->
explain) for analysts, behind the page at ``GET /``.

The page (``static/playground.html``, ``.css``, ``.js``: no build step, no CDN) reads the
served rulesets from ``GET /v1/rulesets`` and this router's endpoints:

- ``GET /v1/playground/rulesets/{ruleset_id}``: what the page's form is generated from
  (every fact declaration, every decision and the facts it reads) and the YAML text;
- ``POST /v1/playground/check``: ``promorules check`` on YAML text from the page: every
  problem with its line and column, the lint warnings, and the form of the edited ruleset;
- ``POST /v1/playground/evaluate``: evaluate a served ruleset (the version in force at
  ``as_of``) or the page's edited YAML, with the same result JSON as the service's
  evaluate endpoint.

Nothing the page sends is ever written anywhere: edited YAML is loaded from the request's
text (:func:`promorules.loads`) and kept, compiled, in a small in-memory cache keyed by the
text. Playground evaluations are trials, not decisions: they are not decision-logged.

:func:`promorules.service.create_app` includes :data:`router`; the playground reads the
app's registry and runs its work in the app's evaluation pool, under the same time limit
(``app.state.promorules``). Every error is an ``application/problem+json`` body (RFC
9457, :mod:`.problems`); no request gets a 500.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Coroutine, Iterator, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any, Literal, Protocol, TypeVar, cast

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from ..errors import FactError, PromorulesError, RulesetError
from ..facts import FactType, json_value
from ..horizon import calendar_warnings
from ..registry import Registry, UnknownRulesetError
from ..ruleset import Ruleset, loads
from ..text import Text
from .models import EvaluateResponse
from .problems import PROBLEM_RESPONSES, ProblemError, problem_for, problem_response

__all__ = ["MAX_YAML_BYTES", "SOURCE_NAME", "STATIC_FILES", "check_text", "router",
           "ruleset_form"]

_T = TypeVar("_T")

MAX_YAML_BYTES = 256 * 1024
"""The largest ruleset text (UTF-8 bytes) the playground accepts: ``413`` above it. The
shipped rulesets are about a tenth of it."""

SOURCE_NAME = "<playground>"
"""The file name problems of YAML sent by the page are reported against."""

STATIC_FILES: Mapping[str, str] = {
    "playground.html": "text/html; charset=utf-8",
    "playground.css": "text/css; charset=utf-8",
    "playground.js": "text/javascript; charset=utf-8",
}
"""The page's files (``promorules/service/static/``) and their media types."""


# -- problems (RFC 9457) -------------------------------------------------------------------


def problem(status: int, detail: str, *, code: str | None = None, **extra: Any) -> Response:
    """An ``application/problem+json`` response, as every endpoint of the service gives."""
    return problem_response(ProblemError(status, detail, code=code, **extra))


class _ProblemRoute(APIRoute):
    """A route whose request validation errors are problem+json: 400 for a body that is not
    JSON, 422 for JSON of the wrong shape (each error's location and message, not only the
    first as the app's own handler gives)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as e:
                errors = list(e.errors())
                if request.method == "POST" and not _is_json(await request.body()):
                    return problem(400, "the request body is not JSON", code="PR835")
                detail = "; ".join(
                    f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'body') or 'body'}"
                    f": {err.get('msg', 'invalid')}" for err in errors[:10])
                return problem(422, detail, code="PR836")

        return route


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deeply
        return False
    return True


router = APIRouter(route_class=_ProblemRoute, tags=["playground"])
"""The playground: the page at ``GET /``, its files, and ``/v1/playground/*``."""


# -- the form: fact declarations and decisions --------------------------------------------


class BilingualText(BaseModel):
    """A text in English and Chinese."""

    en: str
    zh: str


class FactField(BaseModel):
    """One declared fact, as the page's form shows it."""

    name: str
    kind: Literal["number", "integer", "percent", "money", "boolean", "enum", "ordinal",
                  "string", "date", "datetime", "list"]
    description: BilingualText | None = None
    values: list[str] = Field(default_factory=list,
                              description="enum and ordinal symbols (ordinals lowest first), "
                                          "or a list's enum items")
    item_kind: str | None = Field(None, description="a list's items: string, number, "
                                                    "integer or enum")
    unit: str | None = None
    currency: str | None = None
    minimum: str | None = Field(None, description="as a decimal string")
    maximum: str | None = Field(None, description="as a decimal string")
    step: str | None = Field(None, description="as a decimal string")
    default: Any = Field(None, description="the declared default (taken when not sent)")
    has_default: bool = False
    expected: str = Field(description="what a valid value looks like, in English")


class DecisionInfo(BaseModel):
    """One decision: what it decides and the facts it reads (with the decisions it uses)."""

    id: str
    kind: Literal["passfail", "value"]
    type: str | None = Field(None, description="a value decision's declared type")
    description: BilingualText | None = None
    source: str | None = None
    facts: list[str]


class RulesetForm(BaseModel):
    """What the page's form is generated from."""

    id: str
    version: str
    digest: str
    title: BilingualText | None = None
    timezone: str
    effective_from: str | None = None
    effective_until: str | None = None
    in_force_now: bool
    facts: list[FactField]
    decisions: list[DecisionInfo]
    yaml: str | None = Field(None, description="the ruleset's YAML text (served rulesets)")


def _text(value: Any) -> BilingualText | None:
    return BilingualText(en=value.en, zh=value.zh) if isinstance(value, Text) else None


def _number(value: int | Decimal | None) -> str | None:
    return None if value is None else str(value)


def fact_field(fact: FactType) -> FactField:
    """The form field of one fact declaration."""
    return FactField(
        name=fact.name, kind=fact.kind, description=_text(fact.description),  # type: ignore[arg-type]
        values=list(fact.values), item_kind=fact.item_kind, unit=fact.unit,
        currency=fact.currency, minimum=_number(fact.minimum), maximum=_number(fact.maximum),
        step=_number(fact.step), default=json_value(fact.default),
        has_default=fact.default is not None, expected=fact.expected)


def _decision_facts(rs: Ruleset, decision: str) -> list[str]:
    """The facts ``decision`` reads, with those of the decisions it uses, first use first."""
    seen: dict[str, None] = {}
    done: set[str] = set()

    def visit(d: str) -> Iterator[str]:
        if d in done:
            return
        done.add(d)
        compiled = rs.decisions[d]
        yield from compiled.fact_names
        for sub in compiled.subs:
            yield from visit(sub)

    for name in visit(decision):
        seen.setdefault(name, None)
    return list(seen)


def ruleset_form(rs: Ruleset, *, with_yaml: bool = True,
                 now: dt.datetime | None = None) -> RulesetForm:
    """The form description of a loaded ruleset."""
    decisions = [
        DecisionInfo(id=d, kind=c.kind, type=getattr(c.model, "type", None),  # type: ignore[arg-type]
                     description=_text(c.description), source=c.source,
                     facts=_decision_facts(rs, d))
        for d, c in rs.decisions.items()]
    return RulesetForm(
        id=rs.id, version=rs.version, digest=rs.digest, title=_text(rs.title),
        timezone=rs.timezone,
        effective_from=rs.effective_from.isoformat() if rs.effective_from else None,
        effective_until=rs.effective_until.isoformat() if rs.effective_until else None,
        in_force_now=rs.in_force(now), facts=[fact_field(f) for f in rs.facts.values()],
        decisions=decisions, yaml=rs.text if with_yaml else None)


# -- loading the page's text: nothing touches the disk -------------------------------------


class CheckProblem(BaseModel):
    """One problem ``promorules check`` reports: an error, or a lint warning."""

    severity: Literal["error", "warning"]
    code: str
    message: str
    line: int | None = None
    column: int | None = None
    path: str | None = Field(None, description="the YAML path, e.g. decisions.d.all[2].check")
    hint: str | None = Field(None, description="a suggestion (did you mean ...)")


def _problem_of(e: RulesetError, severity: Literal["error", "warning"]) -> CheckProblem:
    return CheckProblem(severity=severity, code=e.code, message=e.message, line=e.line,
                        column=e.column, path=e.yaml_path or None, hint=e.suggestion)


@functools.lru_cache(maxsize=16)
def _load_text(text: str) -> Ruleset | RulesetError:
    """The page's text, loaded (or why not): typing re-sends the same text many times."""
    try:
        return loads(text, source=SOURCE_NAME)
    except RulesetError as e:
        return e


def _too_large(text: str) -> Response | None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_YAML_BYTES:
        return None
    return problem(413, f"the YAML text is {size} bytes; the playground accepts at most "
                        f"{MAX_YAML_BYTES}", code="PR833")


def check_text(text: str) -> tuple[Ruleset | None, list[CheckProblem]]:
    """What ``promorules check`` reports for ``text``: the loaded ruleset (None when it is
    invalid), and every error or every lint and calendar warning, located."""
    loaded = _load_text(text)
    if isinstance(loaded, RulesetError):
        return None, [_problem_of(e, "error") for e in loaded.errors]
    warnings = [*loaded.lint, *calendar_warnings(loaded)]
    return loaded, [_problem_of(w, "warning") for w in warnings]


# -- endpoints ----------------------------------------------------------------------------


def _static(name: str) -> bytes:
    return resources.files("promorules.service").joinpath("static").joinpath(name).read_bytes()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    """The playground page."""
    return HTMLResponse(_static("playground.html"))


@router.get("/playground/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """The page's stylesheet and script (a fixed list: nothing else is ever read)."""
    media_type = STATIC_FILES.get(name)
    if media_type is None or name == "playground.html":
        return problem(404, f"no file {name!r}")
    return Response(_static(name), media_type=media_type,
                    headers={"Cache-Control": "no-cache"})


class _Service(Protocol):
    """What the playground reads of the service's state (``app.state.promorules``, a
    :class:`promorules.service.app.ServiceState`): named here, not imported, as the app
    is what includes this router."""

    registry: Registry

    async def run(self, fn: Any, *args: Any) -> Any: ...


def _state(request: Request) -> _Service | None:
    state = getattr(request.app.state, "promorules", None)
    return cast(_Service, state) if isinstance(getattr(state, "registry", None),
                                               Registry) else None


def _served(request: Request, ruleset_id: str, as_of: str | None) -> Ruleset | Response:
    state = _state(request)
    if state is None:  # the router outside create_app's app
        return problem(503, "no rulesets are being served")
    try:
        if as_of:
            return state.registry.get(ruleset_id, as_of)
        return state.registry.versions(ruleset_id)[-1]  # the newest, in force or not
    except (UnknownRulesetError, FactError) as e:  # FactError: an as_of that is no date
        return problem_response(problem_for(e))


async def _off_loop(request: Request, fn: Callable[..., _T], *args: Any) -> _T | Response:
    """``fn(*args)`` in the service's evaluation pool, under its time limit (504)."""
    state = _state(request)
    if state is None:
        return problem(503, "no rulesets are being served")
    try:
        result: _T = await state.run(fn, *args)
    except ProblemError as e:
        return problem_response(e)
    return result


@router.get("/v1/playground/rulesets/{ruleset_id}", response_model=RulesetForm,
            responses=PROBLEM_RESPONSES)
def get_form(request: Request, ruleset_id: str,
             as_of: str | None = Query(None, description="the version in force at this "
                                       "instant (default: the newest version)")
             ) -> RulesetForm | Response:
    """A served ruleset's fact declarations and decisions, for the page's form, and its
    YAML text for the editor."""
    rs = _served(request, ruleset_id, as_of)
    return rs if isinstance(rs, Response) else ruleset_form(rs)


class CheckRequest(BaseModel):
    """YAML text to check (never written to disk)."""

    yaml: str = Field(description=f"the ruleset's text, at most {MAX_YAML_BYTES} bytes")


class CheckResponse(BaseModel):
    """``promorules check``'s verdict on the text."""

    valid: bool
    problems: list[CheckProblem]
    ruleset: RulesetForm | None = Field(None, description="the form of the checked ruleset, "
                                                          "when it is valid")


def _check(text: str) -> CheckResponse:
    rs, problems = check_text(text)
    return CheckResponse(valid=rs is not None, problems=problems,
                         ruleset=None if rs is None else ruleset_form(rs, with_yaml=False))


@router.post("/v1/playground/check", response_model=CheckResponse,
             responses=PROBLEM_RESPONSES)
async def check(request: Request, body: CheckRequest) -> CheckResponse | Response:
    """Check a ruleset's YAML text as ``promorules check`` does: every error with its line
    and column, code, message and hint, and the lint warnings."""
    too_large = _too_large(body.yaml)
    if too_large is not None:
        return too_large
    return await _off_loop(request, _check, body.yaml)


class EvaluateRequest(BaseModel):
    """A trial evaluation: of a served ruleset (``ruleset_id``) or of the page's edited
    text (``yaml``), exactly one of them."""

    decision: str
    facts: dict[str, Any] = Field(default_factory=dict)
    yaml: str | None = None
    ruleset_id: str | None = None
    as_of: str | None = None
    lang: Literal["en", "zh", "zh-Hans", "zh-Hant"] = "en"


def _evaluate(rs: Ruleset | str, decision: str, facts: dict[str, Any], as_of: str | None,
              lang: str) -> dict[str, Any] | Response:
    if isinstance(rs, str):
        loaded, problems = check_text(rs)
        if loaded is None:
            first = problems[0]
            return problem(422, f"{SOURCE_NAME}:{first.line or 1}:{first.column or 1}: "
                                f"{first.code} {first.message}", code=first.code,
                           problems=[p.model_dump() for p in problems])
        rs = loaded
    try:
        result = rs.evaluate(decision, facts, as_of)
        out = result.to_dict()
        out["explanation"] = result.explain(lang=lang)
    except PromorulesError as e:
        return problem_response(problem_for(e))
    return out


@router.post("/v1/playground/evaluate", response_model=EvaluateResponse,
             responses=PROBLEM_RESPONSES)
async def evaluate(request: Request, body: EvaluateRequest) -> Response:
    """Evaluate a decision on facts, for a served ruleset (the version in force at
    ``as_of``) or for edited YAML text: the result JSON of the service's evaluate endpoint.
    Not decision-logged: a trial is not a decision."""
    if (body.yaml is None) == (body.ruleset_id is None):
        return problem(422, "send exactly one of 'yaml' (edited text) and 'ruleset_id'",
                       code="PR836")
    source: Ruleset | str | Response
    if body.yaml is not None:
        source = _too_large(body.yaml) or body.yaml
    else:
        source = _served(request, body.ruleset_id or "", body.as_of)
    if isinstance(source, Response):
        return source
    out = await _off_loop(request, _evaluate, source, body.decision, body.facts, body.as_of,
                          body.lang)
    return out if isinstance(out, Response) else JSONResponse(out)
