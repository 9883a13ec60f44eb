"""An enterprise's roster with each employee's state today (issue 25, notices 002 and 004): the
code's colour, today's check-in and today's passage at its own gate, on the staff page and in the
花名册 file; scoped to the enterprise and audited. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import Administrator, AuditEntry, Checkpoint, Person
from tests.central.areas import bearer, create_enterprise, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import API, declaration, declare, holder, id_number
from tests.central.received import add_checkpoint_and_kiosk, add_passage
from tests.central.test_web_rules import _browser, _csrf, _enterprise_admin

GATE, KIOSK = "gate-qinchuan", "kiosk-qinchuan"
OTHER_GATE, OTHER_KIOSK = "gate-elsewhere", "kiosk-elsewhere"


def _world(central: Central) -> tuple[str, str]:
    """Qinchuan machine tools in Xincheng, its administrator, and three employees on its roster:
    one who declared and checked in, one who declared only, one with no code."""
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    enterprise = create_enterprise(
        central, xincheng.headers, "秦川机床厂", "610102", "manufacturing"
    )
    admin_id = _enterprise_admin(central, xincheng.headers, enterprise)
    roster = "name,id_number,phone,department\n" + "\n".join(
        f"{name},{id_number(serial)},,{department}"
        for name, serial, department in (
            ("张三丰", 1, "一车间"),
            ("李四", 2, "一车间"),
            ("王五", 3, "二车间"),
        )
    )
    imported = central.client.post(
        "/api/v1/employees/import", content=roster.encode(), headers=bearer(central, admin_id)
    )
    assert imported.status_code == 200, imported.text
    first = declare(central, declaration(1))
    declare(central, declaration(2))
    checked = central.client.post(
        f"{API}/check-ins",
        json={"temperature_celsius": 36.4},
        headers=holder(first["holder_token"]),
    )
    assert checked.status_code == 200, checked.text
    add_checkpoint_and_kiosk(central, GATE, KIOSK, region="610102", name="厂门")
    add_checkpoint_and_kiosk(central, OTHER_GATE, OTHER_KIOSK, region="610102", name="小区")
    with session_scope(central.app.state.sessions) as session:
        gate = session.get(Checkpoint, GATE)
        assert gate is not None
        gate.enterprise_id = enterprise
        first_code, second_code = session.scalars(
            select(Person.code_ix).order_by(Person.created_at)  # declared a minute apart
        ).all()
    add_passage(central, "p1", KIOSK, GATE, central.clock(), region="610102", code_ix=first_code)
    # the second passed another place's gate only: not the enterprise's
    add_passage(
        central,
        "p2",
        OTHER_KIOSK,
        OTHER_GATE,
        central.clock(),
        region="610102",
        code_ix=second_code,
    )
    return enterprise, admin_id


def test_the_enterprise_sees_each_employees_colour_check_in_and_passage_today(
    central: Central,
) -> None:
    _, admin_id = _world(central)
    page = _browser(central, admin_id).get("/admin/staff")
    assert page.status_code == 200
    rows = {
        name: row
        for name, row in (
            (r.split("</td>")[0].rsplit(">", 1)[-1], r)
            for r in page.text.split("<tr>")[1:]
            if "state-colour" in r
        )
    }
    assert set(rows) == {"张三丰", "李四", "王五"}
    assert "colour-green" in rows["张三丰"] and "colour-green" in rows["李四"]
    assert "未申领" in rows["王五"]
    assert '"state-check-in">是' in rows["张三丰"] and '"state-check-in">否' in rows["李四"]
    assert '"state-passed">是' in rows["张三丰"] and '"state-passed">否' in rows["李四"]
    english = _browser(central, admin_id).get("/admin/staff?lang=en").text
    assert "Checked in" in english and "No code" in english


def test_the_roster_file_carries_todays_state_and_its_export_is_audited(
    central: Central,
) -> None:
    _, admin_id = _world(central)
    answer = _browser(central, admin_id).get("/admin/staff/roster.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert header == ["姓名", "证件号（脱敏）", "电话", "部门", "健康码", "今日打卡", "今日通行"]
    state = {r[0]: r[4:] for r in rows}
    assert state == {
        "张三丰": ["绿码", "是", "是"],
        "李四": ["绿码", "否", "否"],
        "王五": ["未申领", "否", "否"],
    }
    assert all("*" in r[1] for r in rows)  # ID numbers masked
    with session_scope(central.app.state.sessions) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "employee_state")
        ).all()[-1]
        assert entry.action == "export" and entry.row_count == 3 and entry.actor_id == admin_id


def test_another_account_gets_no_roster_file(central: Central) -> None:
    _world(central)
    county = _browser(central, central_admin_id(central))
    assert county.get("/admin/staff/roster.csv").status_code == 403


def central_admin_id(central: Central) -> str:
    with session_scope(central.app.state.sessions) as session:
        return session.scalars(
            select(Administrator.id).where(Administrator.username == "xincheng")
        ).one()


def test_the_enterprise_declares_for_an_employee_who_then_shows_a_colour(
    central: Central,
) -> None:
    _, admin_id = _world(central)
    client = _browser(central, admin_id)
    page = client.get("/admin/staff")
    form = {
        "csrf": _csrf(page.text),
        "full_name": "王五",
        "id_number": "610102198001010",  # one digit short
        "phone": "13912340003",
        "residence": "610102001001",
        "department": "二车间",
    }
    refused = client.post("/admin/staff/declarations", data=form)
    assert refused.status_code == 400
    assert 'id="d-id-number-error"' in refused.text and 'value="13912340003"' in refused.text
    declared = client.post("/admin/staff/declarations", data=form | {"id_number": id_number(3)})
    assert declared.status_code == 201, declared.text
    assert 'id="declared"' in declared.text
    row = next(r for r in declared.text.split("<tr>") if "王五" in r and "state-colour" in r)
    assert "colour-green" in row  # on the roster already: now linked to its code
    with session_scope(central.app.state.sessions) as session:
        people = session.scalars(select(Person).where(Person.holder == "community")).all()
        assert len(people) == 1 and people[0].issued_by_id == admin_id
