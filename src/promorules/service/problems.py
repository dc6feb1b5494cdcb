"""Errors as RFC 9457 problem details (``application/problem+json``), and the guard that
bounds request bodies and turns any unexpected exception into a problem without internals.

A route raises :class:`ProblemError` (or a promorules error, mapped by
:func:`problem_for`); :func:`problem_response` renders one. The playground's endpoints use
the same functions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import FactError, PromorulesError, UnknownDecisionError

__all__ = [
    "PROBLEM_RESPONSES",
    "BodyTooLarge",
    "Guard",
    "ProblemError",
    "problem_for",
    "problem_response",
    "read_limited_body",
]

log = logging.getLogger("promorules.service")

PROBLEM_TYPE = "https://promorules.dev/problems/"
_TITLES = {
    400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Body too large",
    415: "Unsupported media type", 422: "Invalid facts", 500: "Internal error",
    503: "Service unavailable", 504: "Evaluation timed out",
}
_SLUGS = {
    400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "body-too-large",
    415: "unsupported-media-type", 422: "invalid-facts", 500: "internal-error",
    503: "unavailable", 504: "timeout",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ProblemError(Exception):
    """Raised by a route: answered with this problem."""

    def __init__(self, status: int, detail: str, *, code: str | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.extra = {k: v for k, v in extra.items() if v is not None}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": PROBLEM_TYPE + _SLUGS.get(self.status, str(self.status)),
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.code:
            out["code"] = self.code
        out.update(self.extra)
        return out


class BodyTooLarge(ProblemError):
    """A request body over the limit (raised while it is read)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes",
                         code="PR833")


def problem_response(problem: ProblemError, headers: dict[str, str] | None = None
                     ) -> Response:
    """The ``application/problem+json`` response of ``problem``."""
    return Response(json.dumps(problem.body(), ensure_ascii=False).encode("utf-8"),
                    status_code=problem.status, media_type="application/problem+json",
                    headers=headers)


def problem_for(error: PromorulesError) -> ProblemError:
    """The problem a promorules error is answered with: bad facts 422 (naming the fact and
    what was expected), an unknown ruleset, version or decision 404, a bug 500."""
    if isinstance(error, FactError):
        line = error.line
        return ProblemError(422, error.message, code=error.code, fact=error.fact,
                            expected=error.expected, line=line, column=error.column)
    if isinstance(error, UnknownDecisionError) or error.code == "PR314":
        return ProblemError(404, error.message, code=error.code)
    log.error("internal error: %s", error, exc_info=error)
    return ProblemError(500, "internal error; it has been logged", code="PR900")


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The request body, refused (BodyTooLarge) as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


class Guard:
    """ASGI middleware: a body declared (``Content-Length``) or streamed over ``body_limit``
    bytes is answered 413; any exception a route lets escape is logged and answered with a
    500 problem that shows nothing of it."""

    def __init__(self, app: ASGIApp, body_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.body_limit
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    await self._answer(ProblemError(400, "invalid Content-Length header",
                                                    code="PR834"), scope, receive, send)
                    return
                if declared > limit:
                    await self._answer(BodyTooLarge(limit), scope, receive, send)
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except ProblemError as e:
            if started:
                raise
            await self._answer(e, scope, receive, send)
        except Exception:  # a bug: logged with its traceback, never shown
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await self._answer(ProblemError(500, "internal error; it has been logged",
                                            code="PR900"), scope, receive, send)

    @staticmethod
    async def _answer(problem: ProblemError, scope: Scope, receive: Receive,
                      send: Send) -> None:
        await problem_response(problem, {"connection": "close"} if problem.status == 413
                               else None)(scope, receive, send)


def _problem_schema() -> dict[str, Any]:
    return {"$ref": "#/components/schemas/Problem"}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": _TITLES[status],
             "content": {"application/problem+json": {"schema": _problem_schema()}}}
    for status in (400, 404, 413, 422, 504)
}
