"""Helpers for the issuance tests: valid ID numbers, an SMS sender that keeps the codes,
and a declaration through the real API."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import Person, new_id
from central.issuance.area_colours import counts_within
from central.issuance.people import IssuerKeys, issuer_keys
from central.issuance.rules import Facts
from healthcode.identity import check_character
from tests.central.conftest import Central

API = "/api/v1/issuance"


def id_number(serial: int, birth: str = "19800101", area: str = "610102") -> str:
    first = f"{area}{birth}{serial % 1000:03d}"
    return first + check_character(first)


@dataclass
class KeptSms:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send_code(self, phone: str, code: str) -> None:
        self.sent.append((phone, code))

    def last_code(self, phone: str) -> str:
        return next(c for p, c in reversed(self.sent) if p == phone)


def sms_of(central: Central) -> KeptSms:
    sender = getattr(central.app.state, "sms_sender", None)
    if not isinstance(sender, KeptSms):
        sender = central.app.state.sms_sender = KeptSms()
    return sender


def keys_of(central: Central) -> IssuerKeys:
    return issuer_keys(central.settings.resolved_keys_dir)


def declaration(serial: int = 1, **changes: Any) -> dict[str, Any]:
    phone = f"139{serial:08d}"
    return {
        "full_name": "张三丰",
        "id_type": "resident_id",
        "id_number": id_number(serial),
        "residence": "610102001001",
        "workplace": "秦川机床厂",
        "phone": phone,
        "travel": [],
        "contacts": [],
        "symptoms": [],
        "temperature_celsius": 36.5,
    } | changes


def declare(central: Central, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
    sms = sms_of(central)
    phone = body["phone"]
    central.clock.advance(seconds=61)  # one SMS code a minute per phone
    asked = central.client.post(f"{API}/sms-codes", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    answer = central.client.post(
        f"{API}/declarations", json=body | {"sms_code": sms.last_code(phone)}
    )
    assert answer.status_code == expect, answer.text
    result: dict[str, Any] = answer.json()
    return result


def holder(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def long_session(central: Central, account_id: str) -> dict[str, str]:
    """A session that outlives the simulated days of a test."""
    from datetime import timedelta

    from central.core.admins import open_session
    from central.core.db import session_scope

    with session_scope(central.app.state.sessions) as session:
        token, _ = open_session(session, account_id, central.clock(), timedelta(days=120))
    return {"Authorization": f"Bearer {token}"}


def holder_row(central: Central, area: str, facts: Facts | None = None) -> dict[str, Any]:
    """A green code holder living in `area`, as a row for `insert_people` (many people at once,
    straight into the tables; the API path has its own tests)."""
    now = central.clock()
    return {
        "id": new_id(),
        "issuer": keys_of(central).issuer,
        "id_ix": secrets.token_bytes(16),
        "name_enc": b"x",
        "id_number_enc": b"x",
        "id_type": "resident_id",
        "holder": "self",
        "residence_area": area,
        "ruleset": "shaanxi",
        "facts": (facts or Facts(residence=area)).to_json(),
        "code_id": secrets.token_bytes(16),
        "code_ix": secrets.token_bytes(16),
        "code_kind": "app",
        "colour": "green",
        "colour_seq": 1,
        "colour_reason": "declaration",
        "lock_version": 0,
        "created_at": now,
        "updated_at": now,
    }


def assert_colour_counters_agree(central: Central) -> None:
    """The dashboard's counters (`area_colour_counts`) say what counting the people says."""
    with session_scope(central.app.state.sessions) as session:
        rows = session.execute(
            select(Person.residence_area, Person.colour, func.count()).group_by(
                Person.residence_area, Person.colour
            )
        )
        people = Counter({(area, colour): int(n) for area, colour, n in rows})
        counted = Counter({key: n for key, n in counts_within(session, "", 12).items() if n})
    assert counted == people
