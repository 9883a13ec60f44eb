"""Kiosk enrollment: the one unsigned kiosk request, authorised by its one-time code."""

from __future__ import annotations

from fastapi import APIRouter, Request

from central.core import ratelimit
from central.core.deps import KeysDep, NowDep, SessionDep, SessionsDep, SettingsDep, TokensDep
from central.core.errors import ApiError
from central.kiosks.enrollment import enroll_kiosk
from sync.schemas import ENROLLMENTS_PATH, EnrollmentRequest, EnrollmentResponse, RefusalReason

router = APIRouter(tags=["enrollments"])


@router.post(ENROLLMENTS_PATH, status_code=201)
def enroll(
    body: EnrollmentRequest,
    request: Request,
    session: SessionDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    tokens: TokensDep,
    settings: SettingsDep,
) -> EnrollmentResponse:
    client = request.client.host if request.client is not None else "unknown"
    if not ratelimit.hit(
        sessions, f"enroll:{client}", settings.enrollment_attempts_per_minute, now
    ):
        raise ApiError(429, RefusalReason.RATE_LIMITED, "too many enrollment attempts; wait")
    response = enroll_kiosk(session, body, keys=keys, now=now, tokens=tokens)
    session.commit()
    return response
