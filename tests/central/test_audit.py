"""Reads leave audit entries (who, what, scope, how many; never the data), readable in scope."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry
from tests.central.areas import create_account, create_enterprise, load_sample_regions, region_admin
from tests.central.conftest import Central


def test_reading_checkpoints_is_logged_with_actor_scope_and_count_but_no_personal_data(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    central.register_checkpoint(name="东关社区北门", address="西安市新城区东关正街1号")
    central.register_checkpoint(name="宝鸡门", region_code="610302")
    staff_phone = "13912345678"
    enterprise = create_enterprise(central, central.admin_headers, "甲厂", "610102001", "other")
    boss = create_account(
        central,
        central.admin_headers,
        username="boss",
        role="enterprise_admin",
        enterprise_id=enterprise,
    )
    create_account(
        central, boss.headers, username=staff_phone, role="epidemic_staff", enterprise_id=enterprise
    )
    central.clock.advance(minutes=5)

    assert len(central.client.get("/api/v1/checkpoints", headers=xian.headers).json()) == 1
    assert len(central.client.get("/api/v1/accounts", headers=boss.headers).json()) == 2

    with session_scope(central.app.state.sessions) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        first, second = entries[-2:]
        assert (first.actor_id, first.actor_role, first.actor_area) == (
            xian.account_id,
            "region_admin",
            "610100",
        )
        assert (first.action, first.object_type, first.row_count) == ("list", "checkpoint", 1)
        assert first.route == "GET /api/v1/checkpoints" and first.scope == "area:610100"
        assert first.at == datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
        assert second.scope == f"enterprise:{enterprise}" and second.row_count == 2
        everything = " ".join(str(vars(e)) for e in entries)
    for personal in ("东关", "东关正街", staff_phone, "boss"):
        assert personal not in everything


def test_the_level_above_reviews_the_reads_of_its_area_and_nobody_reads_beside_or_above(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    for account in (xian, baoji, xincheng):
        central.client.get("/api/v1/checkpoints", headers=account.headers)

    def actors(headers: dict[str, str]) -> set[str]:
        answer = central.client.get("/api/v1/audit", headers=headers)
        assert answer.status_code == 200, answer.text
        return {entry["actor_id"] for entry in answer.json()}

    assert {xian.account_id, xincheng.account_id} <= actors(xian.headers)
    assert baoji.account_id not in actors(xian.headers)
    assert actors(xincheng.headers) == {xincheng.account_id}  # not the city's reads
    assert actors(baoji.headers) == {baoji.account_id}
    province = actors(central.admin_headers)
    assert {xian.account_id, baoji.account_id, xincheng.account_id} <= province


def test_the_audit_log_pages_newest_first(central: Central) -> None:
    for _ in range(5):
        central.get("/api/v1/checkpoints")
    first = central.client.get(
        "/api/v1/audit", params={"limit": 3}, headers=central.admin_headers
    ).json()
    assert [e["entry_id"] for e in first] == sorted((e["entry_id"] for e in first), reverse=True)
    rest = central.client.get(
        "/api/v1/audit", params={"before": first[-1]["entry_id"]}, headers=central.admin_headers
    ).json()
    assert all(e["entry_id"] < first[-1]["entry_id"] for e in rest) and rest
