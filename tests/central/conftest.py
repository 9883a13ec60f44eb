"""A central service on a fresh database (SQLite, and PostgreSQL when the test command runs one).

`CENTRAL_TEST_POSTGRES_URL` names a PostgreSQL server where the tests may create databases
(build/postgres.sh starts one for `make test`); without it the PostgreSQL variants skip.
"""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, make_url, select, text
from starlette.exceptions import StarletteDeprecationWarning

from central.app import create_app
from central.core.admins import SetupInvitation, open_session
from central.core.bootstrap import prepare
from central.core.db import session_scope
from central.core.models import Administrator
from central.core.settings import Settings
from tests.central.browser_world import browser  # noqa: F401 - the browser tests' Chromium

# Starlette's test client now prefers the `httpx2` package; ours is an httpx.Client on purpose,
# because the kiosk's client code (sync) is written against httpx.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning
    )
    from fastapi.testclient import TestClient

POSTGRES_URL_VARIABLE = "CENTRAL_TEST_POSTGRES_URL"
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ADMIN_PASSWORD = "a long enough test password"  # noqa: S105 - a test fixture
SERVER = "http://testserver"


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _postgres_database(tmp_name: str) -> Iterator[str]:
    base = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base:
        pytest.skip(f"no PostgreSQL: set {POSTGRES_URL_VARIABLE} (make test starts one)")
    name = f"central_{tmp_name}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
    else:
        yield from _postgres_database(secrets.token_hex(6))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "central",
        database_url=database_url,
        sms_provider="log",  # the tests keep the codes (issuance_world.KeptSms)
        feed_snapshot_coalesce_s=0,  # a snapshot file whenever the head moved (issue 28)
        _env_file=None,  # type: ignore[call-arg]
    )


@dataclass
class Central:
    """One running app with a logged-in administrator, and helpers in its vocabulary."""

    app: FastAPI
    client: TestClient
    admin_headers: dict[str, str]
    settings: Settings
    clock: FakeClock
    invitation: SetupInvitation | None = None

    def post(self, path: str, json: Any = None) -> httpx.Response:
        return self.client.post(path, json=json, headers=self.admin_headers)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers=self.admin_headers)

    def register_checkpoint(self, **changes: Any) -> str:
        body = {
            "name": "东关社区北门",
            "checkpoint_type": "residential_compound",
            "region_code": "610102",
            "address": "西安市新城区东关正街1号",
        } | changes
        response = self.post("/api/v1/checkpoints", body)
        assert response.status_code == 201, response.text
        return str(response.json()["checkpoint_id"])

    def enrollment_code(self, checkpoint_id: str) -> str:
        response = self.post(f"/api/v1/checkpoints/{checkpoint_id}/enrollment-codes")
        assert response.status_code == 201, response.text
        return str(response.json()["code"])


def start_central(settings: Settings, clock: FakeClock) -> Iterator[Central]:
    """An app on a prepared data folder, with an administrator's token.

    The token is opened directly (argon2 costs a third of a second per hash here); the
    password setup and login themselves are tested in test_administrators.py.
    """
    if settings.sms_provider is None:  # tests keep the codes (issuance_world.KeptSms)
        settings = settings.model_copy(update={"sms_provider": "log"})
    prepared = prepare(settings, clock(), first_admin="admin")
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        with session_scope(app.state.sessions) as session:
            admin = session.scalars(select(Administrator)).first()
            assert admin is not None
            token, _expires = open_session(session, admin.id, clock(), timedelta(days=1))
        headers = {"Authorization": f"Bearer {token}"}
        central = Central(app, client, headers, settings, clock)
        central.invitation = prepared.invitation
        yield central


@pytest.fixture
def central(settings: Settings, clock: FakeClock) -> Iterator[Central]:
    yield from start_central(settings, clock)
