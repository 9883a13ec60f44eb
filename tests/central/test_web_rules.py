"""The administration pages' rules, in process (no browser): login and its cookie, CSRF on every
form, scope and audit as in the API, strict headers, and every page in both languages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from central.core.admins import open_session
from central.core.db import session_scope
from central.core.deps import SESSION_COOKIE
from central.core.models import Administrator, AdminSession, AuditEntry, Checkpoint, Kiosk
from central.core.security import token_digest
from central.web.i18n import TEXT
from tests.central.areas import (
    audit_count,
    create_enterprise,
    load_sample_regions,
    region_admin,
    register_checkpoint,
)
from tests.central.conftest import ADMIN_PASSWORD, Central
from tests.central.received import add_checkpoint_and_kiosk

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PAGES = [
    "/admin",
    "/admin/accounts",
    "/admin/enterprises",
    "/admin/staff",
    "/admin/fleet",
    "/admin/alerts",
    "/admin/reports",
    "/admin/reports/scenes",
    "/admin/proxy-codes",
    "/admin/fever-cases",
    "/admin/clinic-events",
    "/admin/area-risks",
    "/admin/regions",
    "/admin/audit",
]


def _web_token(central: Central, account_id: str) -> str:
    with session_scope(central.app.state.sessions) as session:
        token, _ = open_session(session, account_id, central.clock(), timedelta(days=1))
    return token


def _browser(central: Central, account_id: str) -> httpx.Client:
    """The app's test client with a page session cookie (login itself is tested apart)."""
    central.client.cookies.clear()
    central.client.cookies.set(SESSION_COOKIE, _web_token(central, account_id))
    return central.client


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form token"
    return found[1]


def _id_of(central: Central, username: str) -> str:
    with session_scope(central.app.state.sessions) as session:
        return session.scalars(
            select(Administrator.id).where(Administrator.username == username)
        ).one()


def checkpoint_with_kiosk(
    central: Central, checkpoint_id: str, kiosk_id: str, *, area: str, name: str, **kiosk: Any
) -> None:
    """A checkpoint in `area` (any level) with one kiosk, rows put straight in."""
    add_checkpoint_and_kiosk(central, checkpoint_id, kiosk_id, region=area[:6], name=name, **kiosk)
    with session_scope(central.app.state.sessions) as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        assert checkpoint is not None
        checkpoint.area_code = area


def _county(central: Central) -> str:
    """The Xincheng district administrator (made top-down: province, Xi'an, Xincheng)."""
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    return region_admin(central, xian.headers, "xincheng", "610102").account_id


def test_logging_in_sets_a_strict_http_only_session_cookie_and_opens_the_dashboard(
    central: Central,
) -> None:
    assert central.invitation is not None
    setup = {"token": central.invitation.token, "password": ADMIN_PASSWORD}
    assert central.client.post("/api/v1/auth/setup", json=setup).status_code == 200
    form = central.client.get("/admin/login")
    assert form.status_code == 200
    answer = central.client.post(
        "/admin/login",
        data={"csrf": _csrf(form.text), "username": "admin", "password": ADMIN_PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/start"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    dashboard = central.client.get("/admin")
    assert dashboard.status_code == 200
    assert "辖区概览" in dashboard.text and ">admin<" in dashboard.text


def test_a_wrong_password_or_a_login_form_without_its_token_opens_no_session(
    central: Central,
) -> None:
    assert central.invitation is not None
    setup = {"token": central.invitation.token, "password": ADMIN_PASSWORD}
    central.client.post("/api/v1/auth/setup", json=setup)
    form = central.client.get("/admin/login")
    wrong = central.client.post(
        "/admin/login",
        data={"csrf": _csrf(form.text), "username": "admin", "password": "not the password"},
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    forged = central.client.post(
        "/admin/login",
        data={"csrf": "forged", "username": "admin", "password": ADMIN_PASSWORD},
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in forged.headers.get("set-cookie", "")
    central.client.cookies.clear()
    assert central.client.get("/admin", follow_redirects=False).headers["location"] == (
        "/admin/login"
    )


def test_a_logged_out_browser_is_sent_to_the_login_page_and_its_posts_are_refused(
    central: Central,
) -> None:
    central.client.cookies.clear()
    for page in PAGES:
        answer = central.client.get(page, follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"] == "/admin/login"
    refused = central.client.post("/admin/accounts", data={"username": "x"})
    assert refused.status_code == 401


def test_a_form_without_its_session_token_or_with_another_sessions_token_changes_nothing(
    central: Central,
) -> None:
    county = _county(central)
    other_session_page = _browser(central, county).get("/admin/accounts").text
    client = _browser(central, county)  # a new session: the old page's token is not its own
    body = {"username": "xiyilu", "role": "region_admin", "area_code": "610102001"}
    for token in (None, "forged", _csrf(other_session_page)):
        data = body if token is None else body | {"csrf": token}
        answer = client.post("/admin/accounts", data=data)
        assert answer.status_code == 403, token
        assert "表单已失效" in answer.text
    with session_scope(central.app.state.sessions) as session:
        assert (
            session.scalars(select(Administrator).where(Administrator.username == "xiyilu")).first()
            is None
        )


def test_a_county_administrator_creates_a_town_account_and_sees_its_activation_link_once(
    central: Central,
) -> None:
    client = _browser(central, _county(central))
    page = client.get("/admin/accounts")
    before = audit_count(central)
    created = client.post(
        "/admin/accounts",
        data={
            "csrf": _csrf(page.text),
            "username": "xiyilu",
            "role": "region_admin",
            "area_code": "610102001",
        },
    )
    assert created.status_code == 201, created.text
    assert "http://testserver/setup?token=" in created.text
    assert audit_count(central) > before  # the list under the form is a read, and audited
    again = client.get("/admin/accounts")
    assert "xiyilu" in again.text and "setup?token=" not in again.text
    skipping = client.post(
        "/admin/accounts",
        data={
            "csrf": _csrf(page.text),
            "username": "dongxinjie",
            "role": "region_admin",
            "area_code": "610102001001",
        },
    )
    assert skipping.status_code == 403 and "只能为下一级辖区创建管理员" in skipping.text


def test_a_town_administrator_cannot_open_another_towns_dashboard_or_kiosks(
    central: Central,
) -> None:
    county = _county(central)
    county_headers = {"Authorization": f"Bearer {_web_token(central, county)}"}
    xiyilu = region_admin(central, county_headers, "xiyilu", "610102001")
    checkpoint_with_kiosk(central, "cp-other-town", "k-other-town", area="610102004", name="韩森寨")
    client = _browser(central, xiyilu.account_id)
    assert client.get("/admin?area=610102004").status_code == 404
    assert client.get("/admin?area=610102").status_code == 404
    assert client.get("/admin?area=610102001001").status_code == 200
    before = audit_count(central)
    refused = client.get("/admin/fleet/kiosks/k-other-town/revoke")
    assert refused.status_code == 404 and "韩森寨" not in refused.text
    assert audit_count(central) == before + 1  # the refused read is logged too
    token = _csrf(client.get("/admin/fleet").text)
    assert "韩森寨" not in client.get("/admin/fleet").text
    code = client.post(
        "/admin/fleet/checkpoints/cp-other-town/enrollment-code", data={"csrf": token}
    )
    assert code.status_code == 404
    revoke = client.post("/admin/fleet/kiosks/k-other-town/revoke", data={"csrf": token})
    assert revoke.status_code == 404
    with session_scope(central.app.state.sessions) as session:
        kiosk = session.get(Kiosk, "k-other-town")
        assert kiosk is not None and kiosk.revoked_at is None


def test_a_technician_revokes_a_kiosk_after_confirming(central: Central) -> None:
    county = _county(central)
    county_headers = {"Authorization": f"Bearer {_web_token(central, county)}"}
    checkpoint_with_kiosk(central, "cp-1", "k-1", area="610102001", name="东关")
    technician = _id_of_new(central, county_headers, "tech", "technician", "610102")
    client = _browser(central, technician)
    confirm = client.get("/admin/fleet/kiosks/k-1/revoke")
    assert confirm.status_code == 200 and "无法恢复" in confirm.text
    done = client.post("/admin/fleet/kiosks/k-1/revoke", data={"csrf": _csrf(confirm.text)})
    assert done.status_code == 200 and "设备已停用" in done.text
    with session_scope(central.app.state.sessions) as session:
        kiosk = session.get(Kiosk, "k-1")
        assert kiosk is not None and kiosk.revoked_at is not None


def _id_of_new(
    central: Central, creator: dict[str, str], username: str, role: str, area: str
) -> str:
    body = {"username": username, "role": role, "area_code": area}
    answer = central.client.post("/api/v1/accounts", json=body, headers=creator)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["account"]["account_id"])


def _county_and_factory(central: Central) -> tuple[str, dict[str, str], str]:
    """The Xincheng administrator's id and API headers, and the factory it registered."""
    county = _county(central)
    county_headers = {"Authorization": f"Bearer {_web_token(central, county)}"}
    enterprise = create_enterprise(
        central, county_headers, "秦川机床厂", "610102001", "manufacturing"
    )
    return county, county_headers, enterprise


def _enterprise_admin(central: Central, creator: dict[str, str], enterprise: str) -> str:
    answer = central.client.post(
        "/api/v1/accounts",
        json={"username": "qinchuan", "role": "enterprise_admin", "enterprise_id": enterprise},
        headers=creator,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["account"]["account_id"])


def test_an_enterprise_administrator_adds_epidemic_staff_by_mobile_number(
    central: Central,
) -> None:
    _county, county_headers, enterprise = _county_and_factory(central)
    client = _browser(central, _enterprise_admin(central, county_headers, enterprise))
    page = client.get("/admin/staff")
    assert page.status_code == 200 and "秦川机床厂" in page.text
    bad = client.post("/admin/staff", data={"csrf": _csrf(page.text), "mobile": "12345"})
    assert bad.status_code == 400
    added = client.post("/admin/staff", data={"csrf": _csrf(page.text), "mobile": "13912345678"})
    assert added.status_code == 201 and "setup?token=" in added.text
    with session_scope(central.app.state.sessions) as session:
        staff = session.scalars(
            select(Administrator).where(Administrator.username == "13912345678")
        ).one()
        assert staff.role == "epidemic_staff" and staff.enterprise_id == enterprise


def test_a_county_registers_an_enterprises_gate_on_the_fleet_page_and_the_enterprise_sees_it(
    central: Central,
) -> None:
    county, county_headers, enterprise = _county_and_factory(central)
    client = _browser(central, county)
    page = client.get("/admin/fleet")
    assert f'<option value="{enterprise}">秦川机床厂</option>' in page.text
    form = {
        "csrf": _csrf(page.text),
        "name": "秦川机床厂东门",
        "checkpoint_type": "enterprise_gate",
        "area_code": "610102001",
        "address": "西一路1号",
        "enterprise_id": enterprise,
    }
    created = client.post("/admin/fleet/checkpoints", data=form)
    assert created.status_code == 201, created.text
    with session_scope(central.app.state.sessions) as session:
        gate = session.scalars(select(Checkpoint).where(Checkpoint.name == "秦川机床厂东门")).one()
        assert (gate.enterprise_id, gate.enterprise) == (enterprise, "秦川机床厂")
    other = {**form, "name": "别家门", "enterprise_id": "00000000-0000-4000-8000-000000000000"}
    refused = client.post("/admin/fleet/checkpoints", data=other)
    assert refused.status_code == 400  # not an enterprise of this area: nothing registered
    with session_scope(central.app.state.sessions) as session:
        found = session.scalars(select(Checkpoint).where(Checkpoint.name == "别家门")).first()
        assert found is None
    own = _browser(central, _enterprise_admin(central, county_headers, enterprise))
    own_page = own.get("/admin/fleet")
    assert "秦川机床厂东门" in own_page.text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_renders_in_both_languages_with_strict_headers(
    central: Central, language: str
) -> None:
    county = _county(central)
    county_headers = {"Authorization": f"Bearer {_web_token(central, county)}"}
    register_checkpoint(
        central, county_headers, name="东关北门", region_code="610102", area_code="610102001"
    )
    client = _browser(central, county)
    first = client.get(f"/admin?lang={language}")
    assert "HttpOnly" in first.headers["set-cookie"]
    for page in PAGES:
        answer = client.get(page)  # the language cookie carries over
        assert answer.status_code == 200, (page, answer.text)
        expected = "zh-CN" if language == "zh" else "en"
        assert f'<html lang="{expected}">' in answer.text, page
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "script-src 'self';" in answer.headers["content-security-policy"]
        inline = re.compile(r'<script(?![^>]*\b(src=|type="application/json"))')
        assert not inline.search(answer.text), page  # scripts from files only; data is JSON
        title = answer.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in title and "csrf" not in title, page  # a plain title, no form in it
        if language == "en":
            assert "Log out" in answer.text and "退出" not in answer.text, page


def test_every_label_has_chinese_and_english() -> None:
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        assert re.search(r"[\u4e00-\u9fff]", zh) or zh == "English", key


def test_logging_out_ends_the_session_on_the_server(central: Central) -> None:
    county = _county(central)
    client = _browser(central, county)
    token = client.cookies[SESSION_COOKIE]
    page = client.get("/admin")
    answer = client.post("/admin/logout", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
    with session_scope(central.app.state.sessions) as session:
        assert session.get(AdminSession, token_digest(token)) is None
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_a_dashboard_read_is_audited_with_the_page_route_and_the_narrowed_area(
    central: Central,
) -> None:
    county = _county(central)
    client = _browser(central, county)
    before = audit_count(central)
    assert client.get("/admin?area=610102001").status_code == 200
    with session_scope(central.app.state.sessions) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)
        ).all()
    assert entries, "the dashboard's reads leave no audit entry"
    assert {e.route for e in entries} == {"GET /admin"}
    assert {e.actor_id for e in entries} == {county}
    assert {e.scope for e in entries} == {"area:610102001"}
    assert {"kiosk", "alert", "person", "region"} <= {e.object_type for e in entries}


def test_the_login_page_locks_an_account_after_five_wrong_passwords_like_the_api(
    central: Central,
) -> None:
    assert central.invitation is not None
    setup = {"token": central.invitation.token, "password": ADMIN_PASSWORD}
    central.client.post("/api/v1/auth/setup", json=setup)
    form = central.client.get("/admin/login")
    for _attempt in range(5):  # each answer is a fresh form, with a fresh token
        form = central.client.post(
            "/admin/login",
            data={"csrf": _csrf(form.text), "username": "admin", "password": "wrong one"},
        )
        assert form.status_code == 401
    right = central.client.post(
        "/admin/login",
        data={"csrf": _csrf(form.text), "username": "admin", "password": ADMIN_PASSWORD},
    )
    assert right.status_code == 429 and "尝试次数过多" in right.text
    assert SESSION_COOKIE not in right.headers.get("set-cookie", "")


def test_over_https_the_session_cookie_is_secure(central: Central) -> None:
    assert central.invitation is not None
    setup = {"token": central.invitation.token, "password": ADMIN_PASSWORD}
    central.client.post("/api/v1/auth/setup", json=setup)
    form = central.client.get("https://testserver/admin/login")
    assert "Secure" in form.headers["set-cookie"]
    answer = central.client.post(
        "https://testserver/admin/login",
        data={"csrf": _csrf(form.text), "username": "admin", "password": ADMIN_PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Secure" in cookie and "HttpOnly" in cookie
