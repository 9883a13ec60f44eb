"""Logging in and out of the administration pages, and their style sheet.

The login form posts to the API's own login (`central.administration.routers.auth.login`:
the same per-address throttle, per-account lockout and session token); the token goes into an
HttpOnly, SameSite=Strict cookie (Secure over HTTPS). The login form itself carries a
double-submit CSRF token (a page elsewhere must not log a browser into an account of its choosing).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.administration.routers.auth import authenticate
from central.administration.schemas import Login
from central.core.admins import AccountLockedError, AdminError, administrator_of_token
from central.core.deps import (
    SESSION_COOKIE,
    NowDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
)
from central.core.errors import ApiError
from central.core.models import AdminSession
from central.core.security import token_digest
from central.web import csrf
from central.web.render import (
    STATIC,
    CipherDep,
    FormDep,
    ViewerDep,
    local_time,
    render,
    static_file,
)

router = APIRouter(include_in_schema=False)

LOGIN_PATH = "/admin/login"
LOGIN_PURPOSE = "login"
LOGIN_BINDING = "administration login"  # the form is bound to its nonce cookie only
HOME = "/admin/start"  # each role's own start page (central/web/proxy_pages.py)


def _login_form(
    request: Request,
    cipher: CipherDep,
    *,
    message_key: str = "",
    status_code: int = 200,
    username: str = "",
    locked_until: str = "",
) -> HTMLResponse:
    nonce, token = csrf.issue(cipher, purpose=LOGIN_PURPOSE, binding=LOGIN_BINDING)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        nav="",
        viewer=None,
        csrf_token=token,
        message_key=message_key,
        username=username,
        locked_until=locked_until,
    )
    csrf.set_cookie(
        response,
        nonce,
        purpose=LOGIN_PURPOSE,
        path=LOGIN_PATH,
        secure=request.url.scheme == "https",
    )
    return response


@router.get(LOGIN_PATH)
def login_page(request: Request, cipher: CipherDep) -> HTMLResponse:
    return _login_form(request, cipher)


@router.post(LOGIN_PATH)
def log_in(
    request: Request,
    form: FormDep,
    cipher: CipherDep,
    session: SessionDep,
    sessions: SessionsDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    if not csrf.is_valid(
        cipher,
        request.cookies,
        form.get("csrf"),
        purpose=LOGIN_PURPOSE,
        binding=LOGIN_BINDING,
    ):
        return _login_form(request, cipher, message_key="form_expired", status_code=403)
    body = Login(username=form.get("username", ""), password=form.get("password", ""))
    try:
        token = authenticate(body, request, session, sessions, now, settings)
    except AccountLockedError as error:
        # Said the same way for a name with no account (central.core.admins.log_in).
        return _login_form(
            request,
            cipher,
            message_key="login_locked_until",
            status_code=error.status_code,
            username=body.username,
            locked_until=local_time(error.locked_until),
        )
    except AdminError:
        return _login_form(
            request, cipher, message_key="login_failed", status_code=401, username=body.username
        )
    except ApiError as error:  # this address tried too often
        return _login_form(
            request, cipher, message_key="login_throttled", status_code=error.status_code
        )
    response = RedirectResponse(HOME, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token.access_token,
        max_age=settings.admin_session_ttl_s,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    csrf.forget(response, purpose=LOGIN_PURPOSE, path=LOGIN_PATH)
    return response


@router.post("/admin/logout")
def log_out(viewer: ViewerDep, form: FormDep) -> Response:
    """Ends the session on the server too: the token stops working everywhere."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="")
    token = viewer.request.cookies.get(SESSION_COOKIE, "")
    if administrator_of_token(viewer.session, token, viewer.now) is not None:
        found = viewer.session.get(AdminSession, token_digest(token))
        if found is not None:
            viewer.session.delete(found)
            viewer.session.commit()
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/admin/admin.css")
def style_sheet() -> Response:
    return static_file(STATIC / "admin.css", "text/css; charset=utf-8")
