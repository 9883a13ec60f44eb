"""Logins are throttled per address; an account locks after repeated failures (in the database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from central.app import create_app
from central.core import admins
from central.core.settings import Settings
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import (
    ADMIN_PASSWORD,
    Central,
    FakeClock,
    TestClient,
    start_central,
)

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def xian(central: Central) -> str:
    load_sample_regions(central)
    account = region_admin(central, central.admin_headers, "xian", "610100")
    setup = central.client.post(
        "/api/v1/auth/setup", json={"token": account.activation_token, "password": ADMIN_PASSWORD}
    )
    assert setup.status_code == 200, setup.text
    return "xian"


def test_an_account_locks_after_five_failed_logins_for_every_process_until_it_expires(
    central: Central, xian: str
) -> None:
    wrong = {"username": xian, "password": "not the password at all"}
    right = {"username": xian, "password": ADMIN_PASSWORD}
    assert [central.client.post(LOGIN, json=wrong).status_code for _ in range(5)] == [401] * 5

    locked = central.client.post(LOGIN, json=right)
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    with TestClient(create_app(central.settings, clock=central.clock)) as other_process:
        assert other_process.post(LOGIN, json=right).status_code == 429

    central.clock.advance(minutes=15, seconds=1)
    assert central.client.post(LOGIN, json=right).status_code == 200


def test_a_successful_login_forgets_earlier_failures(central: Central, xian: str) -> None:
    wrong = {"username": xian, "password": "not the password at all"}
    right = {"username": xian, "password": ADMIN_PASSWORD}
    for _ in range(4):
        central.client.post(LOGIN, json=wrong)
    assert central.client.post(LOGIN, json=right).status_code == 200
    assert central.client.post(LOGIN, json=wrong).status_code == 401
    assert central.client.post(LOGIN, json=right).status_code == 200


@pytest.fixture
def two_logins_a_minute(settings: Settings, clock: FakeClock) -> Iterator[Central]:
    yield from start_central(settings.model_copy(update={"login_attempts_per_minute": 2}), clock)


def test_logins_from_one_address_are_throttled_per_minute(two_logins_a_minute: Central) -> None:
    central = two_logins_a_minute
    nobody = {"username": "nobody", "password": "whatever it is"}
    answers = [central.client.post(LOGIN, json=nobody).status_code for _ in range(3)]
    assert answers == [401, 401, 429]
    central.clock.advance(minutes=1)
    assert central.client.post(LOGIN, json=nobody).status_code == 401


def test_a_cookie_alone_authorises_nothing_so_no_form_can_be_forged_across_sites(
    central: Central,
) -> None:
    # The API authenticates by a bearer header only, which a foreign page cannot make a
    # browser send; the session token in a cookie is ignored.
    token = central.admin_headers["Authorization"].removeprefix("Bearer ")
    central.client.cookies.set("access_token", token)
    try:
        answer = central.client.post(
            "/api/v1/accounts",
            json={"username": "x1", "role": "region_admin", "area_code": "610100"},
        )
    finally:
        central.client.cookies.clear()
    assert answer.status_code == 401


def _from(central: Central, address: str) -> TestClient:
    """The running app as seen from another client address."""
    return TestClient(central.app, client=(address, 50000))


def test_misses_from_one_address_do_not_lock_the_administrator_out_of_another(
    central: Central, xian: str
) -> None:
    wrong = {"username": xian, "password": "not the password at all"}
    right = {"username": xian, "password": ADMIN_PASSWORD}
    with _from(central, "203.0.113.9") as attacker, _from(central, "198.51.100.7") as desk:
        assert [attacker.post(LOGIN, json=wrong).status_code for _ in range(6)] == [401] * 5 + [429]
        assert attacker.post(LOGIN, json=right).status_code == 429
        assert desk.post(LOGIN, json=right).status_code == 200


@pytest.mark.parametrize("name", ["xian", "nobody-here"], ids=["an account", "no account"])
def test_misses_spread_over_many_addresses_slow_guessing_alike_for_any_name(
    central: Central, xian: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After as many misses on one name as the account limit, from as many addresses (each
    under the per-address limit), an address that missed once is refused; one that never
    missed still tries; the answers are the same whether the name has an account or not."""
    monkeypatch.setattr(admins, "ACCOUNT_FAILURES", 4)  # each miss costs an argon2 hash
    wrong = {"username": name, "password": "not the password at all"}
    answers = []
    for index in range(4):
        with _from(central, f"203.0.113.{index}") as guesser:
            answers.append(guesser.post(LOGIN, json=wrong).status_code)
    with _from(central, "203.0.113.0") as guesser, _from(central, "198.51.100.7") as desk:
        again = guesser.post(LOGIN, json=wrong)
        fresh = desk.post(LOGIN, json=wrong)
    print(f"{len(answers)} guessing addresses")
    assert answers == [401] * 4
    assert (again.status_code, fresh.status_code) == (429, 401)
    assert "locked" in again.json()["detail"]
