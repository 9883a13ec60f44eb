"""A user name locks after five failed logins, whether an account has it or not, and the answer
says until when: nobody learns from the answers which accounts exist."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from central.core import admins
from tests.central.conftest import ADMIN_PASSWORD, Central

LOGIN = "/api/v1/auth/login"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
# The fixture's clock starts at 08:00 UTC; the lockout ends 15 minutes after the fifth failure.
LOCKED_UNTIL_UTC = "2026-11-23T08:15:00Z"
LOCKED_UNTIL_LOCAL = "2026-11-23 16:15"


@pytest.fixture
def admin_ready(central: Central) -> Central:
    assert central.invitation is not None
    setup = {"token": central.invitation.token, "password": ADMIN_PASSWORD}
    assert central.client.post("/api/v1/auth/setup", json=setup).status_code == 200
    return central


def _fail_five_times(central: Central, username: str) -> list[httpx.Response]:
    wrong = {"username": username, "password": "not the password at all"}
    return [central.client.post(LOGIN, json=wrong) for _ in range(5)]


def test_a_name_with_no_account_locks_exactly_like_an_account(admin_ready: Central) -> None:
    central = admin_ready
    for username in ("admin", "nobody-here"):
        answers = _fail_five_times(central, username)
        assert [a.status_code for a in answers] == [401] * 5
        assert {a.json()["detail"] for a in answers} == {"wrong user name or password"}
        locked = central.client.post(LOGIN, json={"username": username, "password": "anything"})
        assert locked.status_code == 429
        assert locked.json()["detail"] == (
            f"too many failed logins: this account is locked until {LOCKED_UNTIL_UTC}"
        )
    # The account's right password is refused too until the lockout ends.
    right = {"username": "admin", "password": ADMIN_PASSWORD}
    assert central.client.post(LOGIN, json=right).status_code == 429
    central.clock.advance(minutes=15, seconds=1)
    assert central.client.post(LOGIN, json=right).status_code == 200


def test_every_answer_verifies_one_password_hash_whatever_the_name(
    admin_ready: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same work for an account, a name without one and a locked name: an attacker cannot
    # tell them apart by the time the answer takes.
    verified: list[str] = []
    real: Callable[[str, str], bool] = admins.verify_secret

    def counting(encoded_hash: str, secret: str) -> bool:
        verified.append(encoded_hash)
        return real(encoded_hash, secret)

    monkeypatch.setattr(admins, "verify_secret", counting)
    central = admin_ready
    for username in ("admin", "nobody-here"):
        for _ in range(6):  # five failures, then an answer while locked
            central.client.post(LOGIN, json={"username": username, "password": "not it at all"})
    assert len(verified) == 12


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", f"尝试次数过多，该账户已锁定至 {LOCKED_UNTIL_LOCAL}（北京时间），请届时再试"),
        ("en", f"Too many failed attempts: this account is locked until {LOCKED_UNTIL_LOCAL}"),
    ],
)
@pytest.mark.parametrize("username", ["admin", "nobody-here"])
def test_the_login_page_says_the_account_is_locked_and_until_when_in_its_language(
    admin_ready: Central, language: str, expected: str, username: str
) -> None:
    central = admin_ready
    _fail_five_times(central, username)
    form = central.client.get("/admin/login", params={"lang": language})
    token = CSRF.search(form.text)
    assert token is not None
    page = central.client.post(
        "/admin/login",
        data={"csrf": token[1], "username": username, "password": ADMIN_PASSWORD},
    )
    assert page.status_code == 429
    assert expected in page.text
    assert f'value="{username}"' in page.text  # what was typed stays


def test_failed_logins_are_forgotten_a_day_after_the_last_one(
    admin_ready: Central,
) -> None:
    central = admin_ready
    wrong = {"password": "not the password at all"}
    for _ in range(4):
        central.client.post(LOGIN, json=wrong | {"username": "someone"})
    _fail_five_times(central, "locked-one")
    sessions = central.app.state.sessions
    central.clock.advance(hours=23)
    assert admins.forget_stale_login_failures(sessions, central.clock()) == 0
    central.clock.advance(hours=1, seconds=1)
    # each name: its count across addresses and this address's count for it
    assert admins.forget_stale_login_failures(sessions, central.clock()) == 4
    # Four failures a day ago count no more: four more do not lock the name.
    for _ in range(4):
        answer = central.client.post(LOGIN, json=wrong | {"username": "someone"})
    assert answer.status_code == 401
    answer = central.client.post(LOGIN, json=wrong | {"username": "someone"})
    assert answer.status_code == 401  # the fifth failure locks it: the next answer says so
    locked = central.client.post(LOGIN, json=wrong | {"username": "someone"})
    assert locked.status_code == 429
