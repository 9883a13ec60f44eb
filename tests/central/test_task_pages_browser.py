# ruff: noqa: F811  (the shared fixtures are parameters of the same name)
"""The task pages of issue 24 in Debian's headless Chromium, at 1280x800 and 390x844, in Chinese
and English: a community worker issues proxy codes (a form, a roster file) and prints paper codes;
a county decides a fever case and records a clinic event; a city previews and sets an area risk
level and lifts it again; regions and the audit log are browsed. Every page is saved to
artifacts/web/ and checked for sideways overflow (`test_web_pages._shot`).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.core.db import session_scope
from central.core.scope import Role
from central.issuance import codes
from central.issuance.declarations import Declaration, Holder, IdType
from central.issuance.people import issuer_keys
from tests.central.browser_world import CHROMIUM, UI_TIMEOUT_MS
from tests.central.issuance_world import id_number
from tests.central.received import add_passage
from tests.central.test_colour_changes import _people as add_people
from tests.central.test_web_pages import SHOTS, World, _account, _log_in, _shot, world  # noqa: F401 (fixtures shared)

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
LANGUAGES = ("zh", "en")
CASES = [(v, lang) for v in VIEWPORTS for lang in LANGUAGES]
COMMUNITY = "610102001001"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no {CHROMIUM}")


@pytest.fixture(scope="module")
def tasks(world: World) -> World:
    """The web world plus a community worker, a resident of Xincheng and people in Yanta."""
    central = world.central
    with session_scope(central.app.state.sessions) as session:
        _account(session, "dxj", Role.COMMUNITY_WORKER, area_code=COMMUNITY)
    keys = issuer_keys(central.settings.resolved_keys_dir)
    resident = Declaration(
        full_name="刘海洋",
        id_type=IdType.RESIDENT_ID,
        id_number=id_number(700),
        residence=COMMUNITY,
        holder=Holder.COMMUNITY,
    )
    codes.declare(central.app.state.sessions, keys, resident, datetime.now(UTC), actor="test")
    add_people(central, 25, "610113001001")
    return world


def _page(browser: Any, viewport: str, language: str) -> Any:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN" if language == "zh" else "en-US",
        accept_downloads=True,
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context.new_page()


def _in(language: str, zh: str, en: str) -> str:
    return zh if language == "zh" else en


def _pick(page: Any, picker: str, query: str, code: str) -> None:
    """Choose a region with the picker: search by name, tap the hit (found by its code)."""
    from playwright.sync_api import expect

    root = f"#{picker}-picker"
    page.click(f"{root} .rp-open")
    page.fill(f"{root} .rp-search", query)
    # The search's answers, not the level the picker opened on (which may list the same code)
    expect(page.locator(f'{root} .rp-list[data-showing="search"]')).to_be_visible()
    page.locator(f'{root} .rp-item[data-code="{code}"]').click()
    expect(page.locator(f"{root} .rp-panel")).to_be_hidden()


def _roster(first: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "证件号码", "居住地"])
    writer.writerow(["李建国", id_number(first), ""])
    writer.writerow(["赵小红", "12345", ""])
    writer.writerow(["孙志强", id_number(first + 1), COMMUNITY])
    return out.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize(("viewport", "language"), CASES)
def test_a_community_worker_issues_proxy_codes_and_prints_them_on_paper(
    tasks: World, browser: Any, viewport: str, language: str
) -> None:
    from playwright.sync_api import expect

    serial = 800 + 10 * CASES.index((viewport, language))
    page = _page(browser, viewport, language)
    try:
        _log_in(page, tasks, "dxj", "/admin/proxy-codes")
        page.goto(f"{tasks.url}/admin/proxy-codes?lang={language}")
        expect(page.locator("nav a")).to_have_count(2)  # proxy codes and check-ins only
        expect(page.locator("#roster-chosen")).to_have_text(
            _in(language, "未选择文件", "No file chosen")
        )
        _shot(page, f"proxy-{language}", viewport)
        page.fill("#full-name", "王秀兰")
        page.fill("#id-number", "610102198001010000")
        _pick(page, "residence", "东新街", COMMUNITY)
        page.click("#issue-one")
        expect(page.locator("#id-number-error")).to_have_text(
            _in(
                language,
                "证件号码有误，请核对位数与校验位",
                "The ID number is not valid: check its digits",
            )
        )
        expect(page.locator("#full-name")).to_have_value("王秀兰")  # what was typed is kept
        expect(page.locator("#residence")).to_have_value(COMMUNITY)
        _shot(page, f"proxy-error-{language}", viewport)
        page.fill("#id-number", id_number(serial))
        page.click("#issue-one")
        expect(page.locator("#issued")).to_contain_text("王*兰")
        expect(page.locator("#issued .qr-frame svg")).to_be_visible()
        expect(page.locator("#issued")).to_contain_text(_in(language, "绿码", "Green"))
        _shot(page, f"proxy-issued-{language}", viewport)
        page.set_input_files(
            "#roster",
            files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": _roster(serial + 1)}],
        )
        expect(page.locator("#roster-chosen")).to_have_text("roster.csv")
        _pick(page, "default-residence", "东新街", COMMUNITY)
        page.click("#upload-roster")
        expect(page.locator("#batch-summary")).to_have_text(
            _in(language, "成功 2 人，未成功 1 人", "2 issued, 1 refused")
        )
        expect(page.locator("#row-3")).to_contain_text(_in(language, "证件号码有误", "not valid"))
        _shot(page, f"proxy-roster-{language}", viewport)
        _pick(page, "paper-area", "东新街", COMMUNITY)
        with page.expect_download() as download_info:
            page.click("#print-paper")
        assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")
    finally:
        page.context.close()


@pytest.mark.parametrize(("viewport", "language"), CASES)
def test_a_county_decides_a_fever_case_and_records_a_clinic_event(
    tasks: World, browser: Any, viewport: str, language: str
) -> None:
    from playwright.sync_api import expect

    run = CASES.index((viewport, language))
    case_id = f"p-fever-task-{run}"
    add_passage(
        tasks.central,
        case_id,
        "k-dongguan-1",
        "cp-dongguan",
        datetime.now(UTC) - timedelta(minutes=run + 1),
        region="610102",
        fever=True,
        temperature_celsius=38.4,
        code_ix=None,
    )
    page = _page(browser, viewport, language)
    try:
        _log_in(page, tasks, "xincheng")
        page.goto(f"{tasks.url}/admin/fever-cases?lang={language}")
        row = page.locator(f"#case-{case_id}")
        expect(row).to_contain_text("38.4 °C")
        expect(row).to_contain_text(_in(language, "待处理", "Open"))
        _shot(page, f"fever-cases-{language}", viewport)
        row.locator("select.reason").select_option("symptoms")  # a reason to confirm
        row.locator("button.dismiss").click()
        expect(page.locator(f"#reason-{case_id}-error")).to_have_text(
            _in(language, "所选原因与处理方式不符", "That reason does not fit this decision")
        )
        expect(page.locator(f"#reason-{case_id}")).to_have_value("symptoms")
        _shot(page, f"fever-reason-error-{language}", viewport)
        page.select_option(f"#reason-{case_id}", "remeasured_normal")
        page.locator(f"#case-{case_id} button.dismiss").click()
        expect(page.locator("#decided")).to_contain_text(_in(language, "已排除", "Dismissed"))
        expect(page.locator(f"#case-{case_id}")).to_have_count(0)
        page.click("#status-dismissed")
        expect(page.locator(f"#case-{case_id} .reason")).to_have_text(
            _in(language, "复测体温正常", "Normal when measured again")
        )
        _shot(page, f"fever-dismissed-{language}", viewport)
        page.goto(f"{tasks.url}/admin/clinic-events")
        page.fill("#id-number", id_number(999))
        page.select_option("#event", "close_contact")
        page.click("#record-event")
        expect(page.locator("#id-number-error")).to_have_text(
            _in(language, "辖区内没有此证件号码的人员", "Nobody in your area has this ID number")
        )
        expect(page.locator("#event")).to_have_value("close_contact")
        _shot(page, f"clinic-error-{language}", viewport)
        page.fill("#id-number", id_number(700))
        page.select_option("#event", "fever_clinic")
        page.click("#record-event")
        expect(page.locator("#recorded")).to_contain_text(
            _in(language, "发热门诊就诊", "Fever clinic visit")
        )
        _shot(page, f"clinic-recorded-{language}", viewport)
    finally:
        page.context.close()


@pytest.mark.parametrize(("viewport", "language"), CASES)
def test_a_city_sees_who_would_change_colour_then_sets_and_lifts_a_risk_level(
    tasks: World, browser: Any, viewport: str, language: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport, language)
    try:
        _log_in(page, tasks, "xian")
        page.goto(f"{tasks.url}/admin/area-risks?lang={language}")
        _pick(page, "risk-area", "雁塔", "610113")
        page.select_option("#risk-level", "high")
        page.click("#preview-risk")
        expect(page.locator("#preview-count")).to_contain_text(
            _in(language, "保存后将有 25 人的健康码变色", "25 people will change colour")
        )
        _shot(page, f"risk-preview-{language}", viewport)
        page.click("#save-risk")
        expect(page.locator("#saved")).to_be_visible()
        expect(page.locator("#risk-610113")).to_contain_text(_in(language, "高风险", "High risk"))
        page.goto(f"{tasks.url}/admin/area-risks")
        expect(page.locator("#jobs")).to_contain_text(_in(language, "已完成", "Done"))
        _shot(page, f"risk-set-{language}", viewport)
        page.locator("#risk-610113 button.lift").click()
        expect(page.locator("#preview-count")).to_contain_text("25")
        page.click("#save-risk")
        expect(page.locator("#risk-610113")).to_contain_text(_in(language, "低风险", "Low risk"))
    finally:
        page.context.close()


@pytest.mark.parametrize(("viewport", "language"), CASES)
def test_regions_and_the_audit_log_are_browsed_and_filtered(
    tasks: World, browser: Any, viewport: str, language: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport, language)
    try:
        _log_in(page, tasks, "xincheng")
        page.goto(f"{tasks.url}/admin/regions?lang={language}")
        page.locator("#regions a").first.click()
        expect(page.locator("#region-path")).to_contain_text(
            _in(language, "新城区", "Xincheng District")
        )
        _shot(page, f"regions-{language}", viewport)
        page.goto(f"{tasks.url}/admin/audit")
        page.select_option("#audit-object", "region")
        page.click("#audit-apply")
        expect(page.locator("#audit-entries")).to_contain_text("GET /admin/regions")
        expect(page.locator("#audit-entries")).not_to_contain_text("GET /admin/audit")
        _shot(page, f"audit-{language}", viewport)
    finally:
        page.context.close()


def test_screenshots_are_saved() -> None:
    assert SHOTS.name == "web"
