"""The administration forms of before the task pages (accounts, enterprises, an enterprise's
staff, the fleet's checkpoint, enrollment code and revoking, the reports' export), in process:
an invalid input answers the same page with what was typed kept and the error beside its field
in the page's language; a refusal of the API's rules says why; no raw enum value is shown."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import Administrator, Checkpoint, Enterprise, ExportJob, Kiosk
from tests.central.areas import create_account, create_enterprise, register_checkpoint
from tests.central.conftest import Central
from tests.central.test_web_rules import (
    _browser,
    _county,
    _csrf,
    _enterprise_admin,
    _web_token,
    checkpoint_with_kiosk,
)

FIELD_ERROR = re.compile(r'<span class="field-error" id="([^"]+)-error"[^>]*>([^<]+)</span>')
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def _in_one_language(errors: dict[str, str], language: str) -> None:
    other = HAN if language == "en" else LATIN
    for field, words in errors.items():
        assert not other.search(words), (field, words)


def _count(central: Central, model: type, *where: object) -> int:
    with session_scope(central.app.state.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _county_client(central: Central) -> tuple[str, httpx.Client, str]:
    county = _county(central)
    client = _browser(central, county)
    return county, client, _csrf(client.get("/admin/accounts").text)


def _headers(central: Central, account_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_web_token(central, account_id)}"}


# ------------------------------------------------------------------------------- accounts

ACCOUNT_ERRORS = {
    "zh": {"new-username": "用户名应为 3 至 64 个字符"},
    "en": {"new-username": "A user name of 3 to 64 characters"},
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_short_user_name_is_shown_beside_its_field_with_the_account_form_kept(
    central: Central, language: str
) -> None:
    _, client, token = _county_client(central)
    form = {
        "csrf": token,
        "username": "ab",
        "role": "industry_department",
        "area_code": "610102001",
        "industry": "manufacturing",
    }
    answer = client.post(f"/admin/accounts?lang={language}", data=form)
    assert answer.status_code == 400
    errors = _errors(answer.text)
    assert errors == ACCOUNT_ERRORS[language]
    _in_one_language(errors, language)
    assert 'id="new-username" value="ab"' in answer.text
    assert '<option value="industry_department" selected>' in answer.text
    assert 'id="new-area" value="610102001"' in answer.text
    assert '<option value="manufacturing" selected>' in answer.text
    assert _count(central, Administrator, Administrator.username == "ab") == 0


def test_an_account_one_level_too_deep_is_refused_with_the_reason_beside_its_area(
    central: Central,
) -> None:
    _, client, token = _county_client(central)
    form = {"csrf": token, "username": "dongxinjie", "role": "region_admin"}
    answer = client.post("/admin/accounts", data=form | {"area_code": "610102001001"})
    assert answer.status_code == 403
    assert _errors(answer.text) == {"new-area": "只能为下一级辖区创建管理员"}
    assert 'value="dongxinjie"' in answer.text and 'value="610102001001"' in answer.text
    english = client.post("/admin/accounts?lang=en", data=form | {"area_code": "610102001001"})
    assert _errors(english.text) == {
        "new-area": "You create administrators for the level just below yours only"
    }
    missing = client.post("/admin/accounts?lang=zh", data=form | {"role": "technician"})
    assert missing.status_code == 400
    assert _errors(missing.text) == {"new-area": "请选择地区"}


def test_a_taken_user_name_is_a_conflict_told_beside_the_name(central: Central) -> None:
    _, client, token = _county_client(central)
    form = {"csrf": token, "username": "tech", "role": "technician", "area_code": "610102"}
    assert client.post("/admin/accounts", data=form).status_code == 201
    again = client.post("/admin/accounts", data=form)
    assert again.status_code == 409
    assert _errors(again.text) == {"new-username": "该用户名已被使用"}


# ---------------------------------------------------------------------------- enterprises


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_enterprise_without_name_or_industry_keeps_its_area_and_says_what_is_missing(
    central: Central, language: str
) -> None:
    _, client, token = _county_client(central)
    form = {"csrf": token, "name": "", "area_code": "610102001", "industry": ""}
    answer = client.post(f"/admin/enterprises?lang={language}", data=form)
    assert answer.status_code == 400
    errors = _errors(answer.text)
    expected = {
        "zh": {"enterprise-name": "请填写此项", "enterprise-industry": "请选择一项"},
        "en": {
            "enterprise-name": "Please fill this in",
            "enterprise-industry": "Please choose one",
        },
    }
    assert errors == expected[language]
    _in_one_language(errors, language)
    assert 'id="enterprise-area" value="610102001"' in answer.text
    assert _count(central, Enterprise) == 0


def test_an_enterprise_outside_the_area_is_refused_with_the_reason_and_industries_by_name(
    central: Central,
) -> None:
    _, client, token = _county_client(central)
    form = {"csrf": token, "name": "宝鸡厂", "area_code": "610302001", "industry": "mining"}
    answer = client.post("/admin/enterprises", data=form)
    assert answer.status_code == 403
    assert _errors(answer.text) == {"enterprise-area": "此地区不在您的辖区内"}
    assert 'value="宝鸡厂"' in answer.text and '<option value="mining" selected>' in answer.text
    made = client.post("/admin/enterprises", data=form | {"area_code": "610102001"})
    assert made.status_code == 201
    listed = made.text.split('id="enterprises"', 1)[1]
    assert "采矿业" in listed and ">mining<" not in listed
    english = client.get("/admin/enterprises?lang=en").text.split('id="enterprises"', 1)[1]
    assert "Mining" in english


# ------------------------------------------------------------------- an enterprise's staff


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_wrong_mobile_number_is_shown_beside_its_field_with_what_was_typed(
    central: Central, language: str
) -> None:
    county = _county(central)
    enterprise = create_enterprise(
        central, _headers(central, county), "秦川机床厂", "610102001", "manufacturing"
    )
    client = _browser(central, _enterprise_admin(central, _headers(central, county), enterprise))
    token = _csrf(client.get("/admin/staff").text)
    answer = client.post(f"/admin/staff?lang={language}", data={"csrf": token, "mobile": "12345"})
    assert answer.status_code == 400
    errors = _errors(answer.text)
    words = {"zh": "请填写 11 位手机号码", "en": "Enter an 11-digit mobile number"}
    assert errors == {"staff-mobile": words[language]}
    _in_one_language(errors, language)
    assert 'id="staff-mobile" value="12345"' in answer.text
    assert client.post("/admin/staff", data={"csrf": token, "mobile": "13912345678"}).is_success
    taken = client.post("/admin/staff?lang=zh", data={"csrf": token, "mobile": "13912345678"})
    assert taken.status_code == 409
    assert _errors(taken.text) == {"staff-mobile": "该手机号码已添加"}


# --------------------------------------------------------------------------------- fleet


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_checkpoint_without_name_keeps_the_rest_and_a_gate_asks_for_its_enterprise(
    central: Central, language: str
) -> None:
    county = _county(central)
    create_enterprise(central, _headers(central, county), "秦川机床厂", "610102001", "retail")
    client = _browser(central, county)
    token = _csrf(client.get("/admin/fleet").text)
    form = {
        "csrf": token,
        "name": "",
        "checkpoint_type": "enterprise_gate",
        "area_code": "610102001",
        "address": "西一路1号",
    }
    answer = client.post(f"/admin/fleet/checkpoints?lang={language}", data=form)
    assert answer.status_code == 400
    errors = _errors(answer.text)
    expected = {"zh": "请填写此项", "en": "Please fill this in"}
    assert errors == {"checkpoint-name": expected[language]}
    assert 'value="西一路1号"' in answer.text and 'id="checkpoint-area" value="610102001"' in (
        answer.text
    )
    assert '<option value="enterprise_gate" selected>' in answer.text
    gate = client.post(f"/admin/fleet/checkpoints?lang={language}", data=form | {"name": "东门"})
    assert gate.status_code == 400
    errors = _errors(gate.text)
    words = {"zh": "企业门岗须选择所属企业", "en": "An enterprise gate needs its enterprise"}
    assert errors == {"checkpoint-enterprise": words[language]}
    _in_one_language(errors, language)
    assert 'value="东门"' in gate.text
    assert _count(central, Checkpoint) == 0


def test_a_checkpoint_outside_the_area_is_refused_with_the_reason(central: Central) -> None:
    client = _browser(central, _county(central))
    token = _csrf(client.get("/admin/fleet").text)
    form = {
        "csrf": token,
        "name": "宝鸡北门",
        "checkpoint_type": "village",
        "area_code": "610302001",
        "address": "北街",
    }
    answer = client.post("/admin/fleet/checkpoints", data=form)
    assert answer.status_code == 403
    assert _errors(answer.text) == {"checkpoint-area": "只能在本辖区内登记卡口"}
    assert 'value="宝鸡北门"' in answer.text and 'id="checkpoint-area" value="610302001"' in (
        answer.text
    )


def test_a_supervisor_is_told_why_it_may_not_make_an_enrollment_code_or_revoke_a_kiosk(
    central: Central,
) -> None:
    county = _county(central)
    checkpoint_with_kiosk(central, "cp-1", "k-1", area="610102001", name="东关")
    supervisor = create_account(
        central, _headers(central, county), username="sup", role="supervisor", area_code="610102"
    )
    client = _browser(central, supervisor.account_id)
    fleet = client.get("/admin/fleet")
    token = _csrf(fleet.text)
    code = client.post("/admin/fleet/checkpoints/cp-1/enrollment-code", data={"csrf": token})
    assert code.status_code == 403
    assert _errors(code.text) == {"code-cp-1": "您的角色不能管理此卡口"}
    english = client.post(
        "/admin/fleet/checkpoints/cp-1/enrollment-code?lang=en", data={"csrf": token}
    )
    assert _errors(english.text) == {"code-cp-1": "Your role does not manage this checkpoint"}
    revoke = client.post("/admin/fleet/kiosks/k-1/revoke?lang=zh", data={"csrf": token})
    assert revoke.status_code == 403 and 'id="refusal"' in revoke.text
    assert "您的角色不能管理设备" in revoke.text
    assert _count(central, Kiosk, Kiosk.revoked_at.is_not(None)) == 0
    missing = client.post("/admin/fleet/kiosks/k-none/revoke", data={"csrf": token})
    assert missing.status_code == 404  # another area's kiosk: as unknown as a missing one


# ------------------------------------------------------------------------------- exports


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_export_with_its_days_reversed_or_a_wrong_id_keeps_its_filters(
    central: Central, language: str
) -> None:
    county = _county(central)
    register_checkpoint(
        central,
        _headers(central, county),
        name="东关北门",
        region_code="610102",
        area_code="610102001",
    )
    client = _browser(central, county)
    token = _csrf(client.get(f"/admin/reports?lang={language}").text)
    form = {
        "csrf": token,
        "kind": "passages",
        "format": "xlsx",
        "region_code": "610102001",
        "colour": "yellow",
        "first_day": "2026-12-05",
        "last_day": "2026-12-01",
        "fever_only": "1",
    }
    answer = client.post("/admin/reports/exports", data=form)
    assert answer.status_code == 400
    errors = _errors(answer.text)
    words = {
        "zh": "结束日期不能早于开始日期",
        "en": "The last day cannot come before the first",
    }
    assert errors == {"export-last-day": words[language]}
    _in_one_language(errors, language)
    assert 'value="2026-12-05"' in answer.text and 'value="2026-12-01"' in answer.text
    assert '<option value="xlsx" selected>' in answer.text
    assert '<option value="yellow" selected>' in answer.text
    assert 'id="export-region" value="610102001"' in answer.text
    assert 'id="export-fever" checked' in answer.text
    wrong_id = client.post(
        "/admin/reports/exports", data=form | {"last_day": "", "id_number": "61010219800101"}
    )
    assert wrong_id.status_code == 400
    id_words = {
        "zh": "证件号码有误，请核对位数与校验位",
        "en": "The ID number is not valid: check its digits",
    }
    assert _errors(wrong_id.text) == {"export-id-number": id_words[language]}
    assert _count(central, ExportJob) == 0


# ---------------------------------------------------------------- one language, no raw enum

FORMS = [
    ("/admin/accounts", {"username": "ab", "role": "technician"}),
    ("/admin/accounts", {"username": "abc", "role": "region_admin", "area_code": "610102001001"}),
    ("/admin/enterprises", {"name": "", "industry": "manufacturing"}),
    ("/admin/fleet/checkpoints", {"name": "门", "checkpoint_type": "enterprise_gate"}),
    ("/admin/reports/exports", {"first_day": "2026-12-05", "last_day": "2026-12-01"}),
]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_form_error_page_is_in_one_language_without_raw_enum_values(
    central: Central, language: str
) -> None:
    county = _county(central)
    create_enterprise(central, _headers(central, county), "秦川机床厂", "610102001", "logistics")
    client = _browser(central, county)
    client.get(f"/admin?lang={language}")
    token = _csrf(client.get("/admin/accounts").text)
    client.post(
        "/admin/accounts",
        data={
            "csrf": token,
            "username": "dept",
            "role": "industry_department",
            "area_code": "610102",
            "industry": "energy",
        },
    )
    other = HAN if language == "en" else re.compile(r"\b(the|of|and|an|is|names)\b")
    for page, form in FORMS:
        answer = client.post(page, data={"csrf": token} | form)
        assert 400 <= answer.status_code < 500, (page, answer.text)
        main = answer.text.split("<main>", 1)[1].split("</main>", 1)[0]
        shown = re.sub(r"<[^>]+>", " ", main).replace("秦川机床厂", "")  # a name: data
        found = other.search(shown)
        assert not found, (page, shown[max(0, found.start() - 80) : found.end() + 80])
        raw = r">\s*(manufacturing|logistics|energy|enterprise_gate|passages|technician)\s*<"
        assert not re.search(raw, main), page
        assert _errors(answer.text), page
