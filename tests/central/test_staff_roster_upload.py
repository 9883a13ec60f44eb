"""单位机构申报 from a roster file (issue 25, notice 004): the enterprise's administrator uploads
its staff (CSV or XLSX); a file with a wrong line lists each one in the page's language and
declares nobody; a right file declares everyone, puts them on the roster linked to their codes,
and is audited. SQLite and PostgreSQL."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import AuditEntry, Employee, Person
from tests.central.conftest import Central
from tests.central.issuance_world import id_number
from tests.central.test_staff_state import _world
from tests.central.test_web_rules import _browser, _csrf

HEADING = ["姓名", "证件号码", "手机号", "居住地", "部门", "体温"]
GOOD = [
    ["赵六", id_number(6), "13912340006", "610102001001", "三车间", "36.5"],
    ["钱七", id_number(7), "13912340007", "610102001002", "三车间", ""],
]
WRONG = [
    ["孙八", id_number(8)[:-1], "13912340008", "610102001001", "三车间", ""],  # ID too short
    ["周九", id_number(9), "1391234", "610102001001", "", ""],  # not a mobile number
]


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in [HEADING, *rows]).encode("utf-8-sig")


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADING, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(central: Central, admin_id: str, name: str, content: bytes, lang: str = "zh"):  # type: ignore[no-untyped-def]
    client = _browser(central, admin_id)
    page = client.get(f"/admin/staff?lang={lang}")
    return client.post(
        "/admin/staff/declarations/roster",
        data={"csrf": _csrf(page.text)},
        files={"roster": (name, content, "application/octet-stream")},
    )


def _counts(central: Central) -> tuple[int, int, int]:
    with session_scope(central.app.state.sessions) as session:
        people = session.scalar(select(func.count()).select_from(Person)) or 0
        staff = session.scalar(select(func.count()).select_from(Employee)) or 0
        audits = session.scalar(
            select(func.count()).where(AuditEntry.object_type == "staff_declaration")
        )
        return int(people), int(staff), int(audits or 0)


def test_a_roster_with_wrong_lines_lists_each_and_declares_nobody(central: Central) -> None:
    _, admin_id = _world(central)
    before = _counts(central)
    refused = _upload(central, admin_id, "staff.csv", _csv([GOOD[0], *WRONG, GOOD[1]]))
    assert refused.status_code == 400
    assert "文件中有 2 行有误，未申报任何人" in refused.text
    assert 'id="line-3"' in refused.text and 'id="line-4"' in refused.text  # rows 3 and 4
    assert 'id="line-2"' not in refused.text  # the right lines are not listed as wrong
    assert "孙*" in refused.text and "孙八" not in refused.text  # names masked
    line_4 = refused.text.split('id="line-4"')[1].split("</tr>")[0]
    assert "手机" in line_4  # what is wrong, in the page's words
    assert _counts(central) == before  # nothing stored
    english = _upload(central, admin_id, "staff.xlsx", _xlsx(WRONG), lang="en")
    assert english.status_code == 400
    assert "Nobody was declared. Lines of the file to correct: 2" in english.text
    unreadable = _upload(central, admin_id, "staff.txt", b"x")
    assert unreadable.status_code == 400 and "请选择 CSV 或 XLSX 文件" in unreadable.text


def test_a_right_roster_declares_everyone_onto_the_roster_and_is_audited(central: Central) -> None:
    _, admin_id = _world(central)
    people, staff, audits = _counts(central)
    declared = _upload(central, admin_id, "staff.xlsx", _xlsx(GOOD))
    assert declared.status_code == 201, declared.text
    assert declared.text.count("colour-green") >= 2
    assert 'id="line-2"' in declared.text and 'id="line-3"' in declared.text
    assert _counts(central) == (people + 2, staff + 2, audits + 1)
    with session_scope(central.app.state.sessions) as session:
        linked = session.scalars(
            select(Employee.person_ix).where(Employee.department == "三车间")
        ).all()
        assert len(linked) == 2 and all(linked)
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "staff_declaration")
        ).one()
        assert entry.actor_id == admin_id and entry.row_count == 2
