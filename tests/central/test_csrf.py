"""The first-login form is protected against cross-site request forgery: a post is accepted only
with the cookie its page set and the form token bound to it and to the setup token."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from central.core.admins import invite_administrator
from central.core.db import session_scope
from central.web.csrf import cookie_name
from tests.central.conftest import ADMIN_PASSWORD, Central

COOKIE = cookie_name("setup")


def _open(central: Central, token: str) -> str:
    page = central.client.get("/setup", params={"token": token})
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/setup" in cookie
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _post(central: Central, **form: str) -> httpx.Response:
    return central.client.post("/setup", data=form)


def _token(central: Central) -> str:
    assert central.invitation is not None
    return central.invitation.token


def test_the_form_sets_the_password_with_its_cookie_and_token(central: Central) -> None:
    token = _token(central)
    csrf = _open(central, token)
    done = _post(central, token=token, password=ADMIN_PASSWORD, csrf=csrf)
    assert done.status_code == 200, done.text
    assert "admin" in done.text
    login = central.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200


def test_a_post_without_the_cookie_is_refused(central: Central) -> None:
    token = _token(central)
    csrf = _open(central, token)
    central.client.cookies.clear()  # as a page on another site posting the form
    refused = _post(central, token=token, password=ADMIN_PASSWORD, csrf=csrf)
    assert refused.status_code == 403
    assert _password_unset(central)


def test_a_post_without_the_form_token_or_with_a_forged_one_is_refused(central: Central) -> None:
    token = _token(central)
    csrf = _open(central, token)
    assert _post(central, token=token, password=ADMIN_PASSWORD).status_code == 403
    forged = csrf[:-2] + ("AA" if not csrf.endswith("AA") else "BB")
    assert _post(central, token=token, password=ADMIN_PASSWORD, csrf=forged).status_code == 403
    assert _password_unset(central)


def test_a_form_token_works_only_for_the_setup_token_it_was_issued_for(central: Central) -> None:
    with session_scope(central.app.state.sessions) as session:  # the attacker's own account
        other = invite_administrator(session, "mallory", central.clock(), timedelta(days=1))
    other_csrf = _open(central, other.token)
    refused = _post(central, token=_token(central), password=ADMIN_PASSWORD, csrf=other_csrf)
    assert refused.status_code == 403
    assert _password_unset(central)


def test_a_wrong_password_shows_a_fresh_form_that_still_works(central: Central) -> None:
    token = _token(central)
    short = _post(central, token=token, password="short", csrf=_open(central, token))  # noqa: S106
    assert short.status_code == 400
    found = re.search(r'name="csrf" value="([^"]+)"', short.text)
    assert found is not None
    done = _post(central, token=token, password=ADMIN_PASSWORD, csrf=found.group(1))
    assert done.status_code == 200, done.text


def test_the_json_api_takes_no_cookie_so_it_needs_no_csrf_token(central: Central) -> None:
    # POST /api/v1/auth/setup carries its one-time token in the body and nothing else
    # authenticates it; scoped routes take a bearer header and ignore cookies.
    central.client.cookies.set("session", "anything")
    assert central.client.get("/api/v1/accounts/me").status_code == 401
    answer = central.client.post(
        "/api/v1/auth/setup", json={"token": _token(central), "password": ADMIN_PASSWORD}
    )
    assert answer.status_code == 200


def _password_unset(central: Central) -> bool:
    answer = central.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    return answer.status_code == 401
