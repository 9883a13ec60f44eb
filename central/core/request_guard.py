"""The request guard: bounded request bodies, and no request's input in a log or a 500.

An ASGI middleware around the whole app (inside Starlette's server-error layer, outside the
routes, their dependencies and the exception handlers):

- Body limits per route (`BODY_LIMITS`, by path prefix; `DEFAULT_BODY_LIMIT` elsewhere). A body
  whose `Content-Length` is over the route's limit is refused with 413 before a byte of it is
  read and before any authentication; a body sent without one (chunked) is counted as it is
  read and refused the moment it passes the limit. Nothing over the limit is ever buffered.
- An unexpected exception is answered as a 500 `Refusal` and logged by its type and the frames
  of its traceback only: the exception's message (which may quote the input: a pydantic error,
  a database error with its parameters) never reaches a log line, and neither does the body.

`install_validation_handler` replaces FastAPI's 422 answer, which echoes the input back (and
failed to serialise a JSON `NaN` or a lone surrogate, answering 500), by one that names the
field and the problem only.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.schemas import (
    ENROLLMENTS_PATH,
    HEARTBEAT_PATH,
    PASSAGES_PATH,
    Refusal,
    RefusalReason,
)

log = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB
DEFAULT_BODY_LIMIT = 64 * KIB
# The documented sizes (docs/central.md, "Request sizes and bounds"): a kiosk's upload batch of
# at most 5000 records, a roster CSV of at most 4 MiB, a roster workbook of at most 2 MB in its
# form.
UPLOAD_BODY_LIMIT = 16 * MIB
ROSTER_IMPORT_BODY_LIMIT = 4 * MIB
ROSTER_FORM_BODY_LIMIT = 2 * MIB + 64 * KIB
BATCH_BODY_LIMIT = 1 * MIB
REGION_FILE_BODY_LIMIT = 8 * MIB + 64 * KIB  # a province's region file (docs/admin.md)
BODY_LIMITS: Mapping[str, int] = {
    PASSAGES_PATH: UPLOAD_BODY_LIMIT,
    "/api/v1/employees/import": ROSTER_IMPORT_BODY_LIMIT,
    "/issuance/proxy/batch": ROSTER_FORM_BODY_LIMIT,
    "/admin/proxy-codes/batch": ROSTER_FORM_BODY_LIMIT,  # the proxy codes page's roster file
    "/api/v1/regions/load": REGION_FILE_BODY_LIMIT,
    "/admin/regions/load": REGION_FILE_BODY_LIMIT,
    "/api/v1/issuance/proxy-declarations/batch": BATCH_BODY_LIMIT,
    "/api/v1/issuance/paper-batch": BATCH_BODY_LIMIT,
    HEARTBEAT_PATH: DEFAULT_BODY_LIMIT,
    ENROLLMENTS_PATH: DEFAULT_BODY_LIMIT,
}


def body_limit(path: str, limits: Mapping[str, int] = BODY_LIMITS) -> int:
    """The largest body the route at `path` takes: its own limit (longest prefix), or the
    default."""
    best, best_length = DEFAULT_BODY_LIMIT, -1
    for prefix, limit in limits.items():
        if path.startswith(prefix) and len(prefix) > best_length:
            best, best_length = limit, len(prefix)
    return best


class BodyTooLargeError(HTTPException):
    """Raised by the guarded `receive` when a body passes its route's limit. An HTTPException,
    so FastAPI's body parsing lets it through instead of calling it a parse error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes")
        self.limit = limit


def _refusal(now: datetime, status: int, reason: RefusalReason, detail: str) -> JSONResponse:
    refusal = Refusal(error=reason, detail=detail, server_time=now)
    headers = {"Connection": "close"} if status == 413 else None
    return JSONResponse(refusal.model_dump(mode="json"), status_code=status, headers=headers)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestGuard:
    """See the module's documentation."""

    def __init__(
        self,
        app: ASGIApp,
        clock: Callable[[], datetime],
        limits: Mapping[str, int] = BODY_LIMITS,
    ) -> None:
        self.app = app
        self.clock = clock
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.limits)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = _refusal(
                self.clock(),
                413,
                RefusalReason.TOO_LARGE,
                f"the request body is over {limit} bytes",
            )
            await response(scope, receive, send)
            return
        received = 0
        started = False

        async def guarded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, watched_send)
        except BodyTooLargeError as error:
            if started:
                raise
            response = _refusal(self.clock(), 413, RefusalReason.TOO_LARGE, str(error.detail))
            await response(scope, receive, send)
        except Exception as error:
            frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
            # The type and where it was raised; never the message (it may quote the input).
            log.error(
                "%s answering %s %s\n%s",
                type(error).__name__,
                scope.get("method"),
                scope["path"],
                frames.rstrip(),
            )
            if started:
                return
            response = _refusal(
                self.clock(), 500, RefusalReason.SERVER_ERROR, "the server failed; it is logged"
            )
            await response(scope, receive, send)


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def install_request_guard(app: FastAPI, clock: Callable[[], datetime]) -> None:
    """The guard around the app, and answers for the errors it and FastAPI raise."""

    async def on_too_large(_request: Request, error: Exception) -> JSONResponse:
        limit = error.limit if isinstance(error, BodyTooLargeError) else DEFAULT_BODY_LIMIT
        return _refusal(
            clock(), 413, RefusalReason.TOO_LARGE, f"the request body is over {limit} bytes"
        )

    async def on_invalid(_request: Request, error: Exception) -> JSONResponse:
        problems = error.errors() if isinstance(error, RequestValidationError) else []
        # Field and message only: the input (which may be NaN, a lone surrogate or a full ID
        # number) is neither echoed nor logged.
        detail = "; ".join(
            f"{_field(tuple(problem.get('loc', ())))}: {problem.get('msg', 'invalid')}"
            for problem in problems[:5]
        )
        refusal = Refusal(
            error=RefusalReason.BAD_REQUEST,
            detail=(detail or "the request is not valid").encode("utf-8", "replace").decode(),
            server_time=clock(),
        )
        return JSONResponse(refusal.model_dump(mode="json"), status_code=422)

    app.add_exception_handler(BodyTooLargeError, on_too_large)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_middleware(RequestGuard, clock=clock)
