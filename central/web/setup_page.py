"""The first-login page the `central init` link opens: set a password with the setup token.

A plain HTML form (no script) that posts back to `/setup`, protected against cross-site request
forgery by a signed double-submit token bound to the setup token (`central.web.csrf`). Scripts and
tools use `POST /api/v1/auth/setup` (JSON, no cookie, so no CSRF to guard against).
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from central.core.admins import AdminError, set_first_password
from central.core.cipher import RecordCipher, record_cipher
from central.core.deps import KeysDep, NowDep, SessionDep
from central.web import csrf

router = APIRouter(include_in_schema=False)

PATH = "/setup"
PURPOSE = "setup"
MAX_FORM_BYTES = 8192
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the link carries the setup token
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

HEAD = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>设置管理员密码 · Set the password</title>
<style>body{font:18px sans-serif;max-width:32em;margin:3em auto}input,button{font:inherit}</style>
</head><body>
<h1>设置管理员密码<br><small>Set the administrator password</small></h1>
"""
FORM = """<form method="post" action="/setup">
<input type="hidden" name="token" value="{token}">
<input type="hidden" name="csrf" value="{csrf}">
<p><label>密码 Password (12+)<br><input type="password" name="password" minlength="12"
required autocomplete="new-password"></label></p><p><button>保存 Save</button></p></form>
"""
TAIL = "</body></html>\n"


def _cipher(keys: KeysDep) -> RecordCipher:
    return record_cipher(keys.path)


async def _form(request: Request) -> dict[str, list[str]]:
    raw = await request.body()
    return parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"), max_num_fields=10)


CipherDep = Annotated[RecordCipher, Depends(_cipher)]
FormDep = Annotated[dict[str, list[str]], Depends(_form)]


def _page(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(HEAD + body + TAIL, status_code=status_code, headers=HEADERS)


def _message(text: str) -> str:
    return f'<p role="status">{escape(text)}</p>\n'


def _form_page(request: Request, cipher: RecordCipher, token: str, note: str = "") -> HTMLResponse:
    nonce, form_token = csrf.issue(cipher, purpose=PURPOSE, binding=token)
    form = FORM.format(token=escape(token), csrf=escape(form_token))
    response = _page((_message(note) if note else "") + form, 400 if note else 200)
    csrf.set_cookie(
        response, nonce, purpose=PURPOSE, path=PATH, secure=request.url.scheme == "https"
    )
    return response


@router.get(PATH)
def setup_page(request: Request, cipher: CipherDep, token: str = "") -> HTMLResponse:
    if not token:
        return _page(_message("打开 central init 给出的链接 / Open the link central init printed"))
    return _form_page(request, cipher, token)


@router.post(PATH)
def set_password(
    request: Request, form: FormDep, cipher: CipherDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    token = (form.get("token") or [""])[0]
    password = (form.get("password") or [""])[0]
    submitted = (form.get("csrf") or [""])[0]
    if not csrf.is_valid(cipher, request.cookies, submitted, purpose=PURPOSE, binding=token):
        return _page(
            _message("表单已失效，请重新打开链接 / The form expired: open the link again"), 403
        )
    try:
        admin = set_first_password(session, token, password, now)
    except AdminError as error:
        return _form_page(request, cipher, token, str(error))  # a fresh form to try again
    session.commit()
    response = _page(_message(f"已设置，请登录 / Done: log in as {admin.username}"))
    csrf.forget(response, purpose=PURPOSE, path=PATH)
    return response
