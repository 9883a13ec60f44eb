"""Refusals: the one mapping from a refused request to its answer.

A rule that refuses a request raises a `RefusedError`: the domain's own errors (an account the
creator may not make, a malformed employee, a used enrollment code, ...) subclass it and say
which HTTP status and `RefusalReason` they are; `ApiError` names both where a route refuses by
itself. One handler, installed by `create_app`, answers every one of them as a
`sync.schemas.Refusal` carrying the server time; the request's database session is rolled back
by its dependency (`central.core.deps.SessionDep`) on the way out, never by the route.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sync.schemas import Refusal, RefusalReason


class RefusedError(Exception):
    """A request a rule refuses; the message is safe to show to the caller."""

    status_code: int = 400
    reason: RefusalReason = RefusalReason.BAD_REQUEST

    @property
    def refusal_detail(self) -> str:
        """The `detail` of the answer: the message, unless a subclass names its field too."""
        return str(self)


class ApiError(RefusedError):
    """A refusal a route (or a dependency) makes itself, with its status and reason."""

    def __init__(self, status_code: int, reason: RefusalReason, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.reason = reason
        self.detail = detail


def install_error_handlers(app: FastAPI) -> None:
    async def on_refused(request: Request, error: Exception) -> JSONResponse:
        if not isinstance(error, RefusedError):  # registered for RefusedError only
            raise error
        refusal = Refusal(
            error=error.reason, detail=error.refusal_detail, server_time=request.app.state.clock()
        )
        return JSONResponse(refusal.model_dump(mode="json"), status_code=error.status_code)

    app.add_exception_handler(RefusedError, on_refused)
