"""Helpers for tests of regions, accounts, scope and audit: accounts made top-down via the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from central.core.admins import open_session
from central.core.db import session_scope
from central.core.models import Administrator, AuditEntry
from central.core.regions import SAMPLE_FILE, load_region_file
from tests.central.conftest import Central


@dataclass(frozen=True)
class Account:
    account_id: str
    headers: dict[str, str]
    activation_token: str


def load_sample_regions(central: Central) -> None:
    with session_scope(central.app.state.sessions) as session:
        load_region_file(session, SAMPLE_FILE)


def bearer(central: Central, account_id: str) -> dict[str, str]:
    """A session for the account without its password (argon2 is slow; login is tested apart)."""
    with session_scope(central.app.state.sessions) as session:
        token, _ = open_session(session, account_id, central.clock(), timedelta(days=1))
    return {"Authorization": f"Bearer {token}"}


def province_account_id(central: Central) -> str:
    with session_scope(central.app.state.sessions) as session:
        admin = session.scalars(select(Administrator).where(Administrator.username == "admin"))
        return admin.one().id


def create_account(central: Central, creator: dict[str, str], **body: Any) -> Account:
    response = central.client.post("/api/v1/accounts", json=body, headers=creator)
    assert response.status_code == 201, response.text
    created = response.json()
    account_id = created["account"]["account_id"]
    return Account(account_id, bearer(central, account_id), created["activation_token"])


def region_admin(central: Central, creator: dict[str, str], username: str, area: str) -> Account:
    return create_account(central, creator, username=username, role="region_admin", area_code=area)


def create_enterprise(
    central: Central, creator: dict[str, str], name: str, area: str, industry: str
) -> str:
    response = central.client.post(
        "/api/v1/enterprises",
        json={"name": name, "area_code": area, "industry": industry},
        headers=creator,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["enterprise_id"])


def register_checkpoint(central: Central, creator: dict[str, str], **body: Any) -> str:
    defaults = {"checkpoint_type": "residential_compound", "address": "地址"}
    response = central.client.post("/api/v1/checkpoints", json=defaults | body, headers=creator)
    assert response.status_code == 201, response.text
    return str(response.json()["checkpoint_id"])


def audit_count(central: Central) -> int:
    with session_scope(central.app.state.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
