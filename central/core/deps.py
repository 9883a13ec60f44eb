"""FastAPI dependencies as `Annotated` aliases; everything comes from `app.state`.

The ones that only read `app.state` are `async def`: FastAPI runs a plain `def` dependency in
its thread pool, a hop that cost more CPU than the work (issue 28)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from central.core.admins import administrator_of_token
from central.core.clock import TokenSource
from central.core.errors import ApiError
from central.core.keystore import KeyStore
from central.core.kiosk_auth import Fields, RequestView, SignedKiosk, verify_kiosk_request
from central.core.models import Administrator
from central.core.settings import Settings
from sync.schemas import RefusalReason


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


async def _tokens(request: Request) -> TokenSource:
    tokens: TokenSource = request.app.state.tokens
    return tokens


async def _sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


async def _keys(request: Request) -> KeyStore:
    keys: KeyStore = request.app.state.keys
    return keys


SettingsDep = Annotated[Settings, Depends(_settings)]
NowDep = Annotated[datetime, Depends(_now)]
TokensDep = Annotated[TokenSource, Depends(_tokens)]
SessionsDep = Annotated[sessionmaker[Session], Depends(_sessions)]
KeysDep = Annotated[KeyStore, Depends(_keys)]


def _session(sessions: SessionsDep) -> Iterator[Session]:
    """The request's session; whatever a refused (or failed) request wrote is rolled back here,
    the one place, before the refusal is answered (central.core.errors)."""
    with sessions() as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(_session)]

_bearer = HTTPBearer(auto_error=False)


def _current_admin(
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Administrator:
    admin = (
        administrator_of_token(session, credentials.credentials, now)
        if credentials is not None
        else None
    )
    if admin is None:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "log in as an administrator")
    return admin


CurrentAdminDep = Annotated[Administrator, Depends(_current_admin)]

# The administration pages (central/web) carry the same session token in a cookie instead of a
# header; their forms are guarded by central.web.csrf, so the cookie is never enough on its own.
SESSION_COOKIE = "central_session"
LOGIN_PAGE = "/admin/login"


def _page_admin(request: Request, session: SessionDep, now: NowDep) -> Administrator:
    token = request.cookies.get(SESSION_COOKIE)
    admin = administrator_of_token(session, token, now) if token else None
    if admin is None:
        if request.method == "GET":  # a page: off to the login form
            raise HTTPException(303, "log in", headers={"Location": LOGIN_PAGE})
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "log in as an administrator")
    return admin


PageAdminDep = Annotated[Administrator, Depends(_page_admin)]


async def _body(request: Request) -> bytes:
    return await request.body()


def _signed_kiosk(
    request: Request,
    body: Annotated[bytes, Depends(_body)],
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Iterator[SignedKiosk]:
    """The signing kiosk, checked in the request's session; the nonce and last-seen it writes
    commit with the route's work, once the route has answered (before the answer is sent), in
    one transaction. A refused or failed route rolls everything back (`_session`)."""
    view = RequestView(
        method=request.method,
        url=str(request.url),
        headers=Fields(request.headers.items()),
    )
    kiosk = verify_kiosk_request(  # a KioskAuthError is the refusal (401, or 403 when revoked)
        session.connection(),
        view,
        body,
        now=now,
        tolerance=timedelta(seconds=settings.signature_tolerance_s),
        accept_legacy=settings.accept_legacy_kiosk_signatures,
    )
    yield kiosk
    session.commit()  # a no-op when the route committed its own work already


SignedKioskDep = Annotated[SignedKiosk, Depends(_signed_kiosk, scope="function")]
