"""The first-login page (/setup): the administration pages' style, the password rules with their
reason in the page's language, and the way to the login at the end."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.central.conftest import ADMIN_PASSWORD, Central

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _token(central: Central) -> str:
    assert central.invitation is not None
    return central.invitation.token


def _open(central: Central, language: str) -> httpx.Response:
    page = central.client.get("/setup", params={"token": _token(central), "lang": language})
    assert page.status_code == 200
    return page


def _submit(
    central: Central, page: httpx.Response, password: str, repeat: str = ""
) -> httpx.Response:
    found = CSRF.search(page.text)
    assert found is not None
    form = {"token": _token(central), "csrf": found[1], "password": password}
    return central.client.post("/setup", data=form | {"repeat": repeat or password})


@pytest.mark.parametrize(
    ("language", "title", "reason"),
    [
        ("zh", "设置管理员密码", "密码含有重复的字符或片段"),
        ("en", "Set your password", "The password repeats characters or a pattern"),
    ],
)
def test_a_guessable_password_is_refused_with_the_reason_in_the_page_language(
    central: Central, language: str, title: str, reason: str
) -> None:
    page = _open(central, language)
    assert title in page.text and 'href="/admin/admin.css"' in page.text
    refused = _submit(central, page, "aaaaaaaaaaaa")
    assert refused.status_code == 400
    assert reason in refused.text
    assert 'name="password"' in refused.text  # a fresh form to try again
    done = _submit(central, refused, ADMIN_PASSWORD)
    assert done.status_code == 200
    assert 'href="/admin/login"' in done.text and "admin" in done.text


@pytest.mark.parametrize(
    ("language", "done"),
    [("zh", "密码已设置。请以 admin 登录。"), ("en", "The password is set. Log in as admin.")],
)
def test_a_saved_password_ends_at_the_login(central: Central, language: str, done: str) -> None:
    answer = _submit(central, _open(central, language), ADMIN_PASSWORD)
    assert answer.status_code == 200
    assert done in answer.text
    assert 'id="go-to-login" href="/admin/login"' in answer.text
    login = central.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200


def test_two_different_passwords_are_refused(central: Central) -> None:
    refused = _submit(central, _open(central, "zh"), ADMIN_PASSWORD, ADMIN_PASSWORD + "x")
    assert refused.status_code == 400 and "两次输入的密码不一致" in refused.text


def test_the_language_link_keeps_the_setup_token(central: Central) -> None:
    page = _open(central, "zh")
    assert f'href="/setup?token={_token(central)}&amp;lang=en"' in page.text


@pytest.mark.parametrize(
    ("language", "text"),
    [("zh", "此链接无效、已使用或已过期"), ("en", "This link is unknown, used or expired")],
)
def test_an_unknown_or_used_link_says_so_and_shows_no_form(
    central: Central, language: str, text: str
) -> None:
    page = central.client.get("/setup", params={"token": "not-a-token", "lang": language})
    assert page.status_code == 404
    assert text in page.text and 'name="password"' not in page.text
