"""The task pages of issue 24, in process (no browser): proxy and paper codes, fever cases,
clinic events, area risk levels, regions and the audit log. Each page reads; each form succeeds,
keeps what was typed with the error beside its field (in the page's language), says why the
API refused, and shows nothing of another area; each role lands on its own start page."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import AreaRisk, AuditEntry, FeverCase, Person, RecomputeJob
from tests.central.areas import Account, create_account, load_sample_regions, region_admin
from tests.central.conftest import ADMIN_PASSWORD, Central
from tests.central.issuance_world import id_number
from tests.central.test_colour_changes import _fever_case
from tests.central.test_colour_changes import _people as add_people
from tests.central.test_web_rules import _browser, _csrf

COMMUNITY = "610102001001"  # 东新街社区
NEIGHBOUR = "610102001002"  # 西一路社区
FIELD_ERROR = re.compile(r'<span class="field-error" id="([^"]+)-error"[^>]*>([^<]+)</span>')


def _errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def _world(central: Central) -> tuple[Account, Account, Account]:
    """Xincheng's administrator, a community worker of Dongxinjie, and Baoji's administrator."""
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    worker = create_account(
        central, xincheng.headers, username="dxj", role="community_worker", area_code=COMMUNITY
    )
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    return xincheng, worker, baoji


def _people_count(central: Central) -> int:
    with session_scope(central.app.state.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


# ------------------------------------------------------------------------------ start pages


def test_each_role_lands_on_its_own_start_page_after_logging_in(central: Central) -> None:
    xincheng, worker, _ = _world(central)
    technician = create_account(
        central, xincheng.headers, username="tech", role="technician", area_code="610102"
    )
    expected = [
        ("dxj", worker, "/admin/proxy-codes"),
        ("tech", technician, "/admin/fleet"),
        ("xincheng", xincheng, "/admin"),
    ]
    for username, account, page in expected:
        setup = {"token": account.activation_token, "password": ADMIN_PASSWORD}
        assert central.client.post("/api/v1/auth/setup", json=setup).status_code == 200
        central.client.cookies.clear()
        form = central.client.get("/admin/login")
        answer = central.client.post(
            "/admin/login",
            data={"csrf": _csrf(form.text), "username": username, "password": ADMIN_PASSWORD},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/admin/start"
        start = central.client.get("/admin/start", follow_redirects=False)
        assert start.status_code == 303 and start.headers["location"] == page, username
        landed = central.client.get(page)
        assert landed.status_code == 200, (username, landed.text)


def test_a_community_worker_sees_only_proxy_codes_and_check_ins_in_the_navigation(
    central: Central,
) -> None:
    _, worker, _ = _world(central)
    page = _browser(central, worker.account_id).get("/admin/proxy-codes")
    assert page.status_code == 200
    nav = page.text.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "/admin/proxy-codes" in nav
    assert "/admin/accounts" not in nav and "/admin/fever-cases" not in nav
    client = _browser(central, worker.account_id)
    for other in ("/admin", "/admin/accounts", "/admin/fever-cases"):
        sent = client.get(other, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/admin/proxy-codes"


# -------------------------------------------------------------------------- proxy one by one


def test_a_community_worker_issues_a_proxy_code_and_sees_its_qr_in_a_coloured_frame(
    central: Central,
) -> None:
    _, worker, _ = _world(central)
    client = _browser(central, worker.account_id)
    page = client.get("/admin/proxy-codes")
    assert page.status_code == 200 and "为一位居民代办" in page.text
    issued = client.post(
        "/admin/proxy-codes",
        data={
            "csrf": _csrf(page.text),
            "full_name": "王秀兰",
            "id_type": "resident_id",
            "id_number": id_number(41),
            "residence": COMMUNITY,
        },
    )
    assert issued.status_code == 201, issued.text
    assert "健康码已生成" in issued.text and "王*兰" in issued.text
    assert 'class="qr-frame colour-green"' in issued.text and "<svg" in issued.text
    assert "绿码" in issued.text and ">green<" not in issued.text
    assert _people_count(central) == 1
    with session_scope(central.app.state.sessions) as session:
        audited = session.scalars(
            select(AuditEntry.route).where(AuditEntry.object_type == "proxy_code")
        ).all()
    assert "POST /admin/proxy-codes" in audited


def test_a_wrong_id_number_is_shown_beside_its_field_with_what_was_typed_kept(
    central: Central,
) -> None:
    _, worker, _ = _world(central)
    client = _browser(central, worker.account_id)
    page = client.get("/admin/proxy-codes")
    answer = client.post(
        "/admin/proxy-codes",
        data={
            "csrf": _csrf(page.text),
            "full_name": "王秀兰",
            "id_number": "610102198001010000",
            "residence": COMMUNITY,
            "workplace": "秦川机床厂",
        },
    )
    assert answer.status_code == 400
    assert _errors(answer.text) == {"id-number": "证件号码有误，请核对位数与校验位"}
    assert 'value="王秀兰"' in answer.text and 'value="610102198001010000"' in answer.text
    assert 'value="秦川机床厂"' in answer.text and f'value="{COMMUNITY}"' in answer.text
    empty = client.post("/admin/proxy-codes?lang=en", data={"csrf": _csrf(page.text)})
    assert empty.status_code == 400
    errors = _errors(empty.text)
    assert errors["full-name"] == "Please fill this in"
    assert errors["residence"] == "Please choose a region"
    assert not re.search(r"[\u4e00-\u9fff]", empty.text.split("<main>", 1)[1].replace("中文", ""))
    assert _people_count(central) == 0


def test_a_residence_outside_the_workers_community_is_refused_with_the_reason(
    central: Central,
) -> None:
    _, worker, _ = _world(central)
    client = _browser(central, worker.account_id)
    page = client.get("/admin/proxy-codes")
    answer = client.post(
        "/admin/proxy-codes",
        data={
            "csrf": _csrf(page.text),
            "full_name": "王秀兰",
            "id_number": id_number(42),
            "residence": NEIGHBOUR,
        },
    )
    assert answer.status_code == 403
    assert _errors(answer.text) == {"residence": "只能为本辖区居民代办或打印健康码"}
    assert 'value="王秀兰"' in answer.text
    assert _people_count(central) == 0


# ------------------------------------------------------------------------ roster and paper


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_roster_file_issues_each_good_row_and_names_the_row_of_each_refusal(
    central: Central,
) -> None:
    _, worker, _ = _world(central)
    client = _browser(central, worker.account_id)
    token = _csrf(client.get("/admin/proxy-codes").text)
    roster = (
        "姓名,证件号码,居住地\n"
        f"李建国,{id_number(51)},\n"
        "赵小红,12345,\n"
        f"孙志强,{id_number(52)},{COMMUNITY}\n"
    ).encode()
    answer = client.post(
        "/admin/proxy-codes/batch",
        data={"csrf": token, "default_residence": COMMUNITY},
        files={"roster": ("名册.csv", roster, "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    assert "成功 2 人，未成功 1 人" in answer.text
    row3 = answer.text.split('id="row-3"', 1)[1].split("</tr>", 1)[0]
    assert "未成功" in row3 and "证件号码有误" in row3 and "赵**" in row3
    assert _people_count(central) == 2
    xlsx = _xlsx([["姓名", "证件号码"], ["周文", id_number(53)]])
    answer = client.post(
        "/admin/proxy-codes/batch",
        data={"csrf": token, "default_residence": COMMUNITY},
        files={"roster": ("roster.xlsx", xlsx, "application/octet-stream")},
    )
    assert "成功 1 人，未成功 0 人" in answer.text and _people_count(central) == 3
    outside = client.post(
        "/admin/proxy-codes/batch",
        data={"csrf": token, "default_residence": NEIGHBOUR},
        files={"roster": ("roster.xlsx", xlsx, "application/octet-stream")},
    )
    assert outside.status_code == 403
    assert _errors(outside.text) == {"roster": "行 2: 只能为本辖区居民代办或打印健康码"}
    assert f'value="{NEIGHBOUR}"' in outside.text  # the chosen residence is kept
    not_a_roster = client.post(
        "/admin/proxy-codes/batch",
        data={"csrf": token},
        files={"roster": ("notes.txt", b"hello", "text/plain")},
    )
    assert not_a_roster.status_code == 400
    assert _errors(not_a_roster.text) == {"roster": "请选择 CSV 或 XLSX 文件"}


def test_paper_codes_download_as_a_pdf_and_an_empty_community_is_asked_for(
    central: Central,
) -> None:
    _, worker, _ = _world(central)
    client = _browser(central, worker.account_id)
    page = client.get("/admin/proxy-codes")
    client.post(
        "/admin/proxy-codes",
        data={
            "csrf": _csrf(page.text),
            "full_name": "王秀兰",
            "id_number": id_number(43),
            "residence": COMMUNITY,
        },
    )
    pdf = client.post(
        "/admin/proxy-codes/paper", data={"csrf": _csrf(page.text), "area_code": COMMUNITY}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment;")
    missing = client.post("/admin/proxy-codes/paper", data={"csrf": _csrf(page.text)})
    assert missing.status_code == 400
    assert _errors(missing.text) == {"paper-area": "请选择地区"}
    outside = client.post(
        "/admin/proxy-codes/paper", data={"csrf": _csrf(page.text), "area_code": NEIGHBOUR}
    )
    assert outside.status_code == 403
    assert _errors(outside.text) == {"paper-area": "只能为本辖区居民代办或打印健康码"}


# ------------------------------------------------------------------------------ fever cases


def test_a_county_confirms_an_open_fever_case_and_another_area_gets_not_found(
    central: Central,
) -> None:
    xincheng, _, baoji = _world(central)
    case_id, _ = _fever_case(central, None, "610000")
    dismissed, _ = _fever_case(central, None, "610000")
    client = _browser(central, xincheng.account_id)
    page = client.get("/admin/fever-cases")
    assert page.status_code == 200 and "38.2 °C" in page.text and "待处理" in page.text
    assert "东关社区北门" in page.text and ">open<" not in page.text
    done = client.post(
        f"/admin/fever-cases/{dismissed}/decision",
        data={"csrf": _csrf(page.text), "decision": "dismiss", "reason": "device_fault"},
    )
    assert done.status_code == 200 and "已排除" in done.text
    again = client.post(
        f"/admin/fever-cases/{dismissed}/decision",
        data={"csrf": _csrf(page.text), "decision": "dismiss", "reason": "device_fault"},
    )
    assert again.status_code == 409 and "该病例已处理或不存在" in again.text
    assert "已排除" in client.get("/admin/fever-cases?status=dismissed").text
    other = _browser(central, baoji.account_id)
    assert case_id not in other.get("/admin/fever-cases").text
    refused = other.post(
        f"/admin/fever-cases/{case_id}/decision",
        data={
            "csrf": _csrf(other.get("/admin/fever-cases").text),
            "decision": "confirm",
            "reason": "symptoms",
        },
    )
    assert refused.status_code == 404
    with session_scope(central.app.state.sessions) as session:
        case = session.get(FeverCase, case_id)
        assert case is not None and case.status == "open"


def test_a_technician_sees_fever_cases_but_is_told_its_role_does_not_decide_them(
    central: Central,
) -> None:
    xincheng, _, _ = _world(central)
    technician = create_account(
        central, xincheng.headers, username="tech", role="technician", area_code="610102"
    )
    case_id, _ = _fever_case(central, None, "610000")
    client = _browser(central, technician.account_id)
    page = client.get("/admin/fever-cases")
    assert page.status_code == 200 and "确认发热" not in page.text
    refused = client.post(
        f"/admin/fever-cases/{case_id}/decision",
        data={"csrf": _csrf(page.text), "decision": "confirm", "reason": "symptoms"},
    )
    assert refused.status_code == 403 and "您的角色不能处理发热病例" in refused.text


# ---------------------------------------------------------------------------- clinic events


def test_a_county_records_a_clinic_event_and_errors_stay_beside_their_fields(
    central: Central,
) -> None:
    xincheng, worker, baoji = _world(central)
    client = _browser(central, worker.account_id)
    page = client.get("/admin/proxy-codes")
    number = id_number(44)
    client.post(
        "/admin/proxy-codes",
        data={
            "csrf": _csrf(page.text),
            "full_name": "王秀兰",
            "id_number": number,
            "residence": COMMUNITY,
        },
    )
    county = _browser(central, xincheng.account_id)
    form = county.get("/admin/clinic-events")
    assert (
        form.status_code == 200 and "密切接触者" in form.text and "close_contact<" not in form.text
    )
    token = _csrf(form.text)
    missing = county.post("/admin/clinic-events", data={"csrf": token, "id_number": number})
    assert missing.status_code == 400
    assert _errors(missing.text) == {"event": "请选择一项"} and f'value="{number}"' in missing.text
    recorded = county.post(
        "/admin/clinic-events", data={"csrf": token, "id_number": number, "event": "close_contact"}
    )
    assert recorded.status_code == 200 and "已登记" in recorded.text, recorded.text
    conflict = county.post(
        "/admin/clinic-events", data={"csrf": token, "id_number": number, "event": "discharged"}
    )
    assert conflict.status_code == 409
    assert _errors(conflict.text) == {"event": "只有确诊病例才能登记治愈出院"}
    assert 'value="discharged" selected' in conflict.text
    other = _browser(central, baoji.account_id)
    outside = other.post(
        "/admin/clinic-events",
        data={
            "csrf": _csrf(other.get("/admin/clinic-events").text),
            "id_number": number,
            "event": "confirmed",
        },
    )
    assert outside.status_code == 404
    assert _errors(outside.text) == {"id-number": "辖区内没有此证件号码的人员"}


# ------------------------------------------------------------------------- area risk levels


def test_a_risk_level_shows_who_would_change_colour_before_it_is_saved(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    add_people(central, 30, "610113001001")
    client = _browser(central, xian.account_id)
    page = client.get("/admin/area-risks")
    assert page.status_code == 200 and "高风险" in page.text
    token = _csrf(page.text)
    preview = client.post(
        "/admin/area-risks/preview", data={"csrf": token, "area_code": "610113", "level": "high"}
    )
    assert preview.status_code == 200
    assert "保存后将有 30 人的健康码变色（共核算 30 人）" in preview.text
    with session_scope(central.app.state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(AreaRisk)) == 0
    saved = client.post(
        "/admin/area-risks", data={"csrf": token, "area_code": "610113", "level": "high"}
    )
    assert saved.status_code == 202 and "正在重新核算" in saved.text
    with session_scope(central.app.state.sessions) as session:
        job = session.scalars(select(RecomputeJob)).one()
        assert (job.status, job.changed) == ("done", 30)  # the test client runs the task
    listed = client.get("/admin/area-risks")
    assert "雁塔区" in listed.text and "已完成" in listed.text and "解除" in listed.text
    missing = client.post("/admin/area-risks/preview", data={"csrf": token, "area_code": "610113"})
    assert missing.status_code == 400
    assert _errors(missing.text) == {"risk-level": "请选择一项"}
    assert 'value="610113"' in missing.text
    other = _browser(central, baoji.account_id)
    outside = other.post(
        "/admin/area-risks/preview",
        data={
            "csrf": _csrf(other.get("/admin/area-risks").text),
            "area_code": "610113",
            "level": "low",
        },
    )
    assert outside.status_code == 403
    assert _errors(outside.text) == {"risk-area": "只有本辖区的区域管理员可以执行此操作"}
    assert "雁塔区" not in other.get("/admin/area-risks").text


# --------------------------------------------------------------------- regions and audit log


def test_regions_are_browsed_down_from_ones_own_area_and_no_further_out(central: Central) -> None:
    xincheng, _, _ = _world(central)
    client = _browser(central, xincheng.account_id)
    page = client.get("/admin/regions")
    assert page.status_code == 200 and "西一路街道" in page.text and "乡级" in page.text
    down = client.get("/admin/regions?parent=610102001")
    assert "东新街社区" in down.text and "村级" in down.text
    assert client.get("/admin/regions?parent=610113").status_code == 404
    english = client.get("/admin/regions?lang=en")
    assert "Township" in english.text


def test_the_audit_log_filters_by_who_and_what_and_pages_back(central: Central) -> None:
    xincheng, _, _ = _world(central)
    client = _browser(central, xincheng.account_id)
    for _ in range(3):
        client.get("/admin/regions")
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "行政区划" in page.text and "列表查询" in page.text
    narrowed = client.get(f"/admin/audit?who={xincheng.account_id}&what=list&object=region")
    rows = narrowed.text.split('id="audit-entries"', 1)[1].split("</table>", 1)[0]
    assert rows.count("<tr>") - 1 == 3 and "xincheng" in rows
    assert "账户" not in rows and "GET /admin/regions" in rows
    assert 'value="list" selected' in narrowed.text
    with session_scope(central.app.state.sessions) as session:
        newest = session.scalar(select(func.max(AuditEntry.id)))
    older = client.get(f"/admin/audit?before={newest}")
    assert older.status_code == 200 and 'id="audit-newest"' in older.text
    future = client.get("/admin/audit?first_day=2099-01-01")
    assert 'id="audit-none"' in future.text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_task_page_and_form_error_is_in_one_language(central: Central, language: str) -> None:
    xincheng, _worker, _ = _world(central)
    _fever_case(central, None, "610000")
    client = _browser(central, xincheng.account_id)
    client.get(f"/admin?lang={language}")
    other = re.compile(r"[\u4e00-\u9fff]") if language == "en" else re.compile(r"\b(the|of|and)\b")
    token = _csrf(client.get("/admin/proxy-codes").text)
    answers = [(page, client.get(page)) for page in TASK_PAGES]
    for page, form in FORMS:
        answers.append((page, client.post(page, data={"csrf": token} | form)))
    for page, answer in answers:
        assert answer.status_code < 500, (page, answer.text)
        main = answer.text.split("<main>", 1)[1].split("</main>", 1)[0]
        shown = re.sub(r"<[^>]+>", " ", main).replace("东关社区北门", "")  # a name: data
        found = other.search(shown)
        assert not found, (page, shown[max(0, found.start() - 80) : found.end() + 80])
        assert not re.search(r">(open|green|high|resident_id|close_contact|list)<", main), page


TASK_PAGES = [
    "/admin/proxy-codes",
    "/admin/fever-cases",
    "/admin/fever-cases?status=dismissed",
    "/admin/clinic-events",
    "/admin/area-risks",
    "/admin/regions",
    "/admin/audit",
]
FORMS = [
    ("/admin/proxy-codes", {"full_name": "", "id_number": "123"}),
    ("/admin/proxy-codes", {"full_name": "王", "id_number": id_number(9), "residence": "610113"}),
    ("/admin/proxy-codes/paper", {}),
    ("/admin/clinic-events", {"id_number": id_number(9), "event": "confirmed"}),
    ("/admin/clinic-events", {"id_number": ""}),
    ("/admin/area-risks/preview", {"area_code": "610102"}),
    ("/admin/area-risks/preview", {"area_code": "610102", "level": "high"}),
]
