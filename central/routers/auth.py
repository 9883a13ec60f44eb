"""Administrator first login (password setup with the one-time token) and login."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from central.admins import AdminError, log_in, set_first_password
from central.deps import CurrentAdminDep, NowDep, SessionDep, SettingsDep
from central.errors import ApiError
from central.schemas import AccessToken, AdministratorOut, Login, PasswordSetup
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post("/setup")
def set_up_password(body: PasswordSetup, session: SessionDep, now: NowDep) -> AdministratorOut:
    try:
        admin = set_first_password(session, body.token, body.password, now)
    except AdminError as error:
        raise ApiError(400, RefusalReason.BAD_REQUEST, str(error)) from None
    session.commit()
    return AdministratorOut(administrator_id=admin.id, username=admin.username)


@router.post("/login")
def login(body: Login, session: SessionDep, now: NowDep, settings: SettingsDep) -> AccessToken:
    try:
        token, expires_at = log_in(
            session,
            body.username,
            body.password,
            now,
            timedelta(seconds=settings.admin_session_ttl_s),
        )
    except AdminError as error:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, str(error)) from None
    session.commit()
    return AccessToken(access_token=token, expires_at=expires_at)


@router.get("/me")
def who_am_i(admin: CurrentAdminDep) -> AdministratorOut:
    return AdministratorOut(administrator_id=admin.id, username=admin.username)
