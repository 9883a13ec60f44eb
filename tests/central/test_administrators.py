"""The first administrator has no password until they set one with the one-time setup token."""

from __future__ import annotations

from tests.central.conftest import ADMIN_PASSWORD, Central


def test_the_first_administrator_sets_a_password_once_and_then_logs_in(central: Central) -> None:
    assert central.invitation is not None
    token = central.invitation.token
    before = central.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert before.status_code == 401  # no default password

    setup = central.client.post(
        "/api/v1/auth/setup", json={"token": token, "password": ADMIN_PASSWORD}
    )
    assert setup.status_code == 200, setup.text
    again = central.client.post("/api/v1/auth/setup", json={"token": token, "password": "x" * 20})
    assert again.status_code == 400

    login = central.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200, login.text
    me = central.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert me.json()["username"] == "admin"


def test_a_short_password_is_refused_and_the_token_stays_usable(central: Central) -> None:
    assert central.invitation is not None
    short = central.client.post(
        "/api/v1/auth/setup", json={"token": central.invitation.token, "password": "short"}
    )
    assert short.status_code == 400
    assert "12 characters" in short.json()["detail"]
    kept = central.client.post(
        "/api/v1/auth/setup", json={"token": central.invitation.token, "password": ADMIN_PASSWORD}
    )
    assert kept.status_code == 200


def test_a_guessable_password_is_refused_with_its_reason(central: Central) -> None:
    assert central.invitation is not None
    weak = central.client.post(
        "/api/v1/auth/setup", json={"token": central.invitation.token, "password": "a" * 12}
    )
    assert weak.status_code == 400
    assert "repeats" in weak.json()["detail"]


def test_the_setup_token_expires(central: Central) -> None:
    assert central.invitation is not None
    central.clock.advance(days=7, seconds=1)
    late = central.client.post(
        "/api/v1/auth/setup", json={"token": central.invitation.token, "password": ADMIN_PASSWORD}
    )
    assert late.status_code == 400


def test_an_administrator_session_expires(central: Central) -> None:
    central.clock.advance(days=1, seconds=1)
    assert central.get("/api/v1/checkpoints").status_code == 401


def test_the_setup_link_of_init_opens_a_password_form(central: Central) -> None:
    assert central.invitation is not None
    page = central.client.get("/setup", params={"token": central.invitation.token})
    assert page.status_code == 200
    assert '<form method="post" action="/setup" class="stack">' in page.text
    assert 'name="csrf"' in page.text  # tests/central/test_csrf.py
