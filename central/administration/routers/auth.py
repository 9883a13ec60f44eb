"""Administrator first login (password setup with the one-time token) and login."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session, sessionmaker

from central.administration.schemas import AccessToken, AdministratorOut, Login, PasswordSetup
from central.core import ratelimit
from central.core.admins import AccountLockedError, AdminError, log_in, set_first_password
from central.core.deps import CurrentAdminDep, NowDep, SessionDep, SessionsDep, SettingsDep
from central.core.errors import ApiError
from central.core.settings import Settings
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post("/setup")
def set_up_password(body: PasswordSetup, session: SessionDep, now: NowDep) -> AdministratorOut:
    admin = set_first_password(session, body.token, body.password, now)
    session.commit()
    return AdministratorOut(administrator_id=admin.id, username=admin.username)


def authenticate(
    body: Login,
    request: Request,
    session: Session,
    sessions: sessionmaker[Session],
    now: datetime,
    settings: Settings,
) -> AccessToken:
    """The login of the API and of the login page. Raises `ApiError` (429) when the address
    tried too often, `AccountLockedError` when the name is locked, `AdminError` for a wrong name
    or password (its failure counted and committed)."""
    client = request.client.host if request.client is not None else "unknown"
    # Per client address, on top of the per-account lockout.
    limit = settings.login_attempts_per_minute
    if not ratelimit.hit(sessions, f"login:{client}", limit, now):
        raise ApiError(429, RefusalReason.RATE_LIMITED, "too many login attempts; wait")
    try:
        token, expires_at = log_in(
            session,
            body.username,
            body.password,
            now,
            timedelta(seconds=settings.admin_session_ttl_s),
            client=client,
        )
    except AccountLockedError:
        raise
    except AdminError:
        session.commit()  # the failure count
        raise
    session.commit()
    return AccessToken(access_token=token, expires_at=expires_at)


@router.post("/login")
def login(
    body: Login,
    request: Request,
    session: SessionDep,
    sessions: SessionsDep,
    now: NowDep,
    settings: SettingsDep,
) -> AccessToken:
    try:
        return authenticate(body, request, session, sessions, now, settings)
    except AccountLockedError as error:
        raise ApiError(429, RefusalReason.RATE_LIMITED, str(error)) from None
    except AdminError as error:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, str(error)) from None


@router.get("/me")
def who_am_i(admin: CurrentAdminDep) -> AdministratorOut:
    return AdministratorOut(administrator_id=admin.id, username=admin.username)
