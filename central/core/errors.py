"""Refusals: one exception type, answered as a `sync.schemas.Refusal` carrying the server time."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sync.schemas import Refusal, RefusalReason


class ApiError(Exception):
    def __init__(self, status_code: int, reason: RefusalReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.status_code = status_code
        self.reason = reason
        self.detail = detail


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, error: Exception) -> JSONResponse:
        if not isinstance(error, ApiError):  # registered for ApiError only
            raise error
        refusal = Refusal(
            error=error.reason, detail=error.detail, server_time=request.app.state.clock()
        )
        return JSONResponse(refusal.model_dump(mode="json"), status_code=error.status_code)

    app.add_exception_handler(ApiError, on_api_error)
