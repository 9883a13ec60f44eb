"""An enterprise's employee roster: kept encrypted, seen by that enterprise alone, every read
audited; a CSV import reports each wrong line and then adds nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry, Employee
from healthcode.identity import check_character
from tests.central.areas import (
    Account,
    audit_count,
    create_account,
    create_enterprise,
    load_sample_regions,
    region_admin,
)
from tests.central.conftest import Central


def resident_id(first_17: str) -> str:
    return first_17 + check_character(first_17)


ZHANG = resident_id("61010219900307123")
LI = resident_id("61010219851111456")
WANG = resident_id("61011319920202789")


@dataclass
class Roster:
    boss_a: Account
    staff_a: Account
    boss_b: Account
    county: dict[str, str]


@pytest.fixture
def roster(central: Central) -> Roster:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    ent_a = create_enterprise(central, xincheng.headers, "甲厂", "610102001", "manufacturing")
    ent_b = create_enterprise(central, xincheng.headers, "乙厂", "610102004", "manufacturing")
    boss_a = create_account(
        central, xincheng.headers, username="boss-a", role="enterprise_admin", enterprise_id=ent_a
    )
    boss_b = create_account(
        central, xincheng.headers, username="boss-b", role="enterprise_admin", enterprise_id=ent_b
    )
    staff_a = create_account(
        central,
        boss_a.headers,
        username="13900000001",
        role="epidemic_staff",
        enterprise_id=ent_a,
    )
    return Roster(boss_a, staff_a, boss_b, xincheng.headers)


def _add(central: Central, who: Account, name: str, id_number: str, **more: str) -> httpx.Response:
    body = {"name": name, "id_number": id_number} | more
    return central.client.post("/api/v1/employees", json=body, headers=who.headers)


def _list(central: Central, headers: dict[str, str]) -> list[dict[str, str]]:
    answer = central.client.get("/api/v1/employees", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_the_enterprise_adds_lists_and_removes_its_employees(
    central: Central, roster: Roster
) -> None:
    added = _add(central, roster.boss_a, "张三", ZHANG, phone="13800138000", department="车间")
    assert added.status_code == 201, added.text
    assert added.json()["id_number_masked"] == ZHANG[:6] + "********" + ZHANG[-4:]
    assert "张三" not in added.text and "13800138000" not in added.text
    by_staff = _add(central, roster.staff_a, "李四", LI, department="门卫")
    assert by_staff.status_code == 201, by_staff.text

    seen = _list(central, roster.staff_a.headers)

    assert sorted((e["name"], e["department"], e["phone"]) for e in seen) == sorted(
        [("李四", "门卫", None), ("张三", "车间", "13800138000")]
    )
    assert all(ZHANG not in e["id_number_masked"] for e in seen)
    employee_id = added.json()["employee_id"]
    one = central.client.get(f"/api/v1/employees/{employee_id}", headers=roster.boss_a.headers)
    assert one.json()["name"] == "张三"
    removed = central.client.delete(
        f"/api/v1/employees/{employee_id}", headers=roster.boss_a.headers
    )
    assert removed.status_code == 204
    assert [e["name"] for e in _list(central, roster.boss_a.headers)] == ["李四"]


def test_names_id_numbers_and_phones_are_not_kept_in_clear(
    central: Central, roster: Roster
) -> None:
    assert _add(central, roster.boss_a, "张三", ZHANG, phone="13800138000").status_code == 201
    with session_scope(central.app.state.sessions) as session:
        row = session.scalars(select(Employee)).one()
        stored = (
            b"".join(value for value in vars(row).values() if isinstance(value, bytes))
            + repr(vars(row)).encode()
        )
    for secret in ("张三", ZHANG, ZHANG[-8:], "13800138000"):
        assert secret.encode() not in stored
        assert secret not in stored.decode("utf-8", "replace")


def test_an_employee_is_found_by_name_or_id_number_through_a_post(
    central: Central, roster: Roster
) -> None:
    _add(central, roster.boss_a, "张三", ZHANG, department="车间")
    _add(central, roster.boss_a, "李四", LI, department="车间")

    def search(**body: str) -> list[str]:
        answer = central.client.post(
            "/api/v1/employees/search", json=body, headers=roster.staff_a.headers
        )
        assert answer.status_code == 200, answer.text
        return [e["name"] for e in answer.json()]

    assert search(name=" 张三 ") == ["张三"]
    assert search(id_number=LI.lower()) == ["李四"]
    assert search(department="车间", name="李四") == ["李四"]
    assert search(name="王五") == []


def test_a_person_is_on_a_roster_once_and_bad_values_are_refused_without_echoing_them(
    central: Central, roster: Roster
) -> None:
    assert _add(central, roster.boss_a, "张三", ZHANG).status_code == 201
    again = _add(central, roster.boss_a, "张三丰", ZHANG)
    assert again.status_code == 400
    assert "roster already" in again.json()["detail"]
    wrong_check = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
    bad = _add(central, roster.boss_a, "李四", wrong_check)
    assert bad.status_code == 400
    assert wrong_check not in bad.text and "李四" not in bad.text
    bad_phone = _add(central, roster.boss_a, "李四", LI, phone="12345")
    assert bad_phone.status_code == 400 and "12345" not in bad_phone.text
    # Another enterprise may keep the same person on its own roster.
    assert _add(central, roster.boss_b, "张三", ZHANG).status_code == 201


def test_no_other_enterprise_or_region_account_reads_or_edits_the_roster(
    central: Central, roster: Roster
) -> None:
    employee_id = _add(central, roster.boss_a, "张三", ZHANG).json()["employee_id"]
    for headers in (roster.boss_b.headers, roster.county, central.admin_headers):
        assert _list(central, headers) == []
        path = f"/api/v1/employees/{employee_id}"
        assert central.client.get(path, headers=headers).status_code == 404
        assert central.client.delete(path, headers=headers).status_code in (403, 404)
        found = central.client.post(
            "/api/v1/employees/search", json={"id_number": ZHANG}, headers=headers
        )
        assert found.json() == []
    as_county = central.client.post(
        "/api/v1/employees", json={"name": "王五", "id_number": WANG}, headers=roster.county
    )
    assert (as_county.status_code, as_county.json()["error"]) == (403, "forbidden")
    assert [e["name"] for e in _list(central, roster.boss_a.headers)] == ["张三"]


def test_every_read_of_the_roster_is_audited_with_its_row_count(
    central: Central, roster: Roster
) -> None:
    _add(central, roster.boss_a, "张三", ZHANG)
    _add(central, roster.boss_a, "李四", LI)
    before = audit_count(central)
    _list(central, roster.staff_a.headers)
    central.client.post(
        "/api/v1/employees/search", json={"name": "张三"}, headers=roster.boss_a.headers
    )
    assert audit_count(central) == before + 2
    with session_scope(central.app.state.sessions) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
        got = [(e.object_type, e.row_count, e.route) for e in reversed(entries)]
    assert got == [
        ("employee", 2, "GET /api/v1/employees"),
        ("employee", 1, "POST /api/v1/employees/search"),
    ]


CSV_OK = f"""name,id_number,phone,department
张三,{ZHANG},13800138000,车间
# a comment line
李四,{LI},,门卫

王五,{WANG},+86 139 0000 0002,
"""


def _import(central: Central, who: Account, text: str) -> httpx.Response:
    return central.client.post(
        "/api/v1/employees/import",
        content=text.encode(),
        headers=who.headers | {"content-type": "text/csv"},
    )


def test_a_csv_file_is_imported_whole(central: Central, roster: Roster) -> None:
    answer = _import(central, roster.boss_a, "\ufeff" + CSV_OK)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"imported": 3, "errors": []}
    seen = {e["name"]: e["phone"] for e in _list(central, roster.boss_a.headers)}
    assert seen == {"张三": "13800138000", "李四": None, "王五": "13900000002"}


def test_a_csv_file_with_wrong_lines_adds_nothing_and_names_each_line(
    central: Central, roster: Roster, caplog: pytest.LogCaptureFixture
) -> None:
    assert _add(central, roster.boss_a, "赵六", LI).status_code == 201
    text = (
        "name,id_number,phone,department\n"
        f"张三,{ZHANG},13800138000,车间\n"  # 2: fine
        f",{WANG},,\n"  # 3: no name
        f"王五,{ZHANG[:17]}0,,\n"  # 4: wrong check character (or a changed one)
        f"李四,{LI},,\n"  # 5: on the roster already
        f"张三,{ZHANG},,\n"  # 6: the same person as line 2
        f"王五,{WANG},123,\n"  # 7: a bad phone
        "王五,only two\n"  # 8: wrong field count
    )
    if ZHANG[17] == "0":
        text = text.replace(f"{ZHANG[:17]}0", f"{ZHANG[:17]}1")
    with caplog.at_level(logging.DEBUG):
        answer = _import(central, roster.boss_a, text)
    assert answer.status_code == 422
    report = answer.json()
    assert report["imported"] == 0
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (3, "name"),
        (4, "id_number"),
        (5, "id_number"),
        (6, "id_number"),
        (7, "phone"),
        (8, "line"),
    ]
    assert "line 2" in report["errors"][3]["error"]
    for secret in (ZHANG, LI, WANG, "张三", "王五", "13800138000"):
        assert secret not in answer.text
        assert secret not in caplog.text
    assert [e["name"] for e in _list(central, roster.boss_a.headers)] == ["赵六"]


def test_a_csv_file_without_its_header_line_is_refused(central: Central, roster: Roster) -> None:
    answer = _import(central, roster.boss_a, f"张三,{ZHANG},,\n")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["line"] == 1
    as_county = central.client.post(
        "/api/v1/employees/import",
        content=CSV_OK.encode(),
        headers=roster.county | {"content-type": "text/csv"},
    )
    assert as_county.status_code == 403
