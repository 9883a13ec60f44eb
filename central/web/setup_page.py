"""The first-login page the setup link opens (`central init`, or an account's creation): the
account's password, set with its one-time setup token.

A plain HTML form (no script) in the administration pages' style that posts back to `/setup`,
protected against cross-site request forgery by a signed double-submit token bound to the setup
token (`central.web.csrf`). A refused password (central/core/passwords.py) gets the form again
with the reason in the page's language; a saved one ends with the way to the login. Scripts and
tools use `POST /api/v1/auth/setup` (JSON, no cookie, so no CSRF to guard against).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from central.core.admins import (
    InvalidSetupLinkError,
    WeakPasswordError,
    invited_administrator,
    set_first_password,
)
from central.core.deps import NowDep, SessionDep
from central.web import csrf
from central.web.render import CipherDep, FormDep, language_of, render

router = APIRouter(include_in_schema=False)

PATH = "/setup"
PURPOSE = "setup"


def _language_link(request: Request, token: str) -> str:
    """The language switch keeps the setup token (the pages answer with no referrer, so the
    address never leaves the site)."""
    other = "en" if language_of(request) == "zh" else "zh"
    return (
        f"{PATH}?{urlencode({'token': token, 'lang': other})}" if token else f"{PATH}?lang={other}"
    )


def _page(
    request: Request, token: str, *, status_code: int = 200, **values: object
) -> HTMLResponse:
    defaults: dict[str, object] = {
        "done_username": "",
        "form_token": "",
        "message_key": "",
        "username": "",
        "token": token,
    }
    return render(
        request,
        "setup.html",
        status_code=status_code,
        nav="",
        viewer=None,
        csrf_token="",
        lang_href=_language_link(request, token),
        **(defaults | values),
    )


def _form_page(
    request: Request,
    cipher: CipherDep,
    token: str,
    username: str,
    *,
    message_key: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    nonce, form_token = csrf.issue(cipher, purpose=PURPOSE, binding=token)
    response = _page(
        request,
        token,
        status_code=status_code,
        form_token=form_token,
        username=username,
        message_key=message_key,
    )
    csrf.set_cookie(
        response, nonce, purpose=PURPOSE, path=PATH, secure=request.url.scheme == "https"
    )
    return response


@router.get(PATH)
def setup_page(
    request: Request, cipher: CipherDep, session: SessionDep, now: NowDep, token: str = ""
) -> HTMLResponse:
    if not token:
        return _page(request, token, message_key="setup_no_token")
    admin = invited_administrator(session, token, now)
    if admin is None:
        return _page(request, token, message_key="setup_link_invalid", status_code=404)
    return _form_page(request, cipher, token, admin.username)


@router.post(PATH)
def set_password(
    request: Request, form: FormDep, cipher: CipherDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    token = form.get("token", "")
    if not csrf.is_valid(cipher, request.cookies, form.get("csrf"), purpose=PURPOSE, binding=token):
        return _page(request, token, message_key="form_expired", status_code=403)
    admin = invited_administrator(session, token, now)
    if admin is None:
        return _page(request, token, message_key="setup_link_invalid", status_code=404)
    password = form.get("password", "")
    if password != form.get("repeat", password):
        return _form_page(
            request, cipher, token, admin.username, message_key="passwords_differ", status_code=400
        )
    try:
        set_first_password(session, token, password, now)
    except WeakPasswordError as error:  # a fresh form to try again
        key = f"password_{error.weakness.value}"
        return _form_page(request, cipher, token, admin.username, message_key=key, status_code=400)
    except InvalidSetupLinkError:
        return _page(request, token, message_key="setup_link_invalid", status_code=404)
    session.commit()
    response = _page(request, "", done_username=admin.username)
    csrf.forget(response, purpose=PURPOSE, path=PATH)
    return response
