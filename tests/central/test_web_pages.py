"""The administration pages in Debian's headless Chromium, driven by playwright, against the app
served by uvicorn on loopback (SQLite in a temporary folder, the system clock).

Each account logs in through the login form (argon2, the API's throttle), then works the pages as
a user would: a county administrator creates a town account and downloads a day's report, an
enterprise administrator adds a staff member, a technician creates an enrollment code and
revokes a kiosk, the city sees a shared screenshot, a town administrator is refused another
town's data, and a tampered form is refused. Every page is saved as a screenshot at phone and
desktop size into artifacts/web/ and checked for sideways overflow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from central.administration.accounts import NewAccount, provision_account, register_enterprise
from central.administration.employees import NewEmployee, add_employee
from central.app import create_app
from central.core.admins import set_first_password
from central.core.bootstrap import prepare
from central.core.cipher import record_cipher
from central.core.db import session_scope
from central.core.models import Administrator
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from central.reports.exports import run_due_exports
from tests.central.browser_world import (
    UI_TIMEOUT_MS,
    WEB_SHOTS,
    needs_chromium,
    new_page,
    save_fitting,
    serve,
)
from tests.central.conftest import ADMIN_PASSWORD, Central, FakeClock
from tests.central.issuance_world import id_number
from tests.central.received import add_passage
from tests.central.region_picking import pick_region, search_region
from tests.central.test_web_rules import checkpoint_with_kiosk

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 768)}
SHOTS = WEB_SHOTS
SHARED_CODE = b"s" * 16

pytestmark = needs_chromium


@dataclass
class World:
    url: str
    central: Central  # the app's sessions, settings and a clock for the row helpers
    enterprise_id: str


def _now() -> datetime:
    return datetime.now(UTC)


def _account(session: Any, username: str, role: Role, **fields: Any) -> None:
    """An account with its password set (as its user would, with the activation token)."""
    now = datetime.now(UTC)
    _admin, invitation = provision_account(
        session, NewAccount(username, role, **fields), now, timedelta(days=1)
    )
    set_first_password(session, invitation.token, ADMIN_PASSWORD, now)


def _seed(central: Central) -> str:
    now = datetime.now(UTC)
    with session_scope(central.app.state.sessions) as session:
        load_region_file(session, SAMPLE_FILE)
        enterprise = register_enterprise(
            session,
            None,
            name="秦川机床厂",
            area_code="610102001",
            industry="manufacturing",
            now=now,
        )
        _account(session, "xian", Role.REGION_ADMIN, area_code="610100")
        _account(session, "xincheng", Role.REGION_ADMIN, area_code="610102")
        _account(session, "xiyilu", Role.REGION_ADMIN, area_code="610102001")
        _account(session, "tech", Role.TECHNICIAN, area_code="610102")
        _account(session, "qinchuan", Role.ENTERPRISE_ADMIN, enterprise_id=enterprise.id)
        enterprise_id = enterprise.id
        cipher = record_cipher(central.settings.resolved_keys_dir)
        for serial, (name, department) in enumerate(
            [("王建国", "机加工车间"), ("李秀英", "质检部")]
        ):
            employee = NewEmployee(name, id_number(serial + 1), f"1380000000{serial}", department)
            add_employee(session, cipher, enterprise_id, employee, now, None)
    checkpoint_with_kiosk(
        central,
        "cp-dongguan",
        "k-dongguan-1",
        area="610102001",
        name="东关社区北门",
        last_seen_at=now - timedelta(minutes=2),
        software_version="1.4.2",
        backlog_records=17,
        feed_age_s=1800,
        clock_offset_s=-3,
    )
    checkpoint_with_kiosk(
        central,
        "cp-hansenzhai",
        "k-hansenzhai-1",
        area="610102004",
        name="韩森寨社区南门",
        last_seen_at=now - timedelta(hours=3),
        software_version="1.4.1",
        backlog_records=230,
        feed_age_s=30 * 3600,
        clock_offset_s=95,
    )
    checkpoint_with_kiosk(
        central, "cp-yanta", "k-yanta-1", area="610113001", name="长延堡社区", feed_age_s=600
    )
    # One screenshot shown at two checkpoints in two counties six minutes apart.
    add_passage(
        central,
        "p-shared-1",
        "k-dongguan-1",
        "cp-dongguan",
        now - timedelta(minutes=40),
        region="610102",
        code_ix=SHARED_CODE,
    )
    add_passage(
        central,
        "p-shared-2",
        "k-yanta-1",
        "cp-yanta",
        now - timedelta(minutes=34),
        region="610113",
        code_ix=SHARED_CODE,
    )
    add_passage(
        central,
        "p-fever",
        "k-dongguan-1",
        "cp-dongguan",
        now - timedelta(seconds=5),
        region="610102",
        fever=True,
        temperature_celsius=38.2,
        code_ix=b"f" * 16,
    )
    return enterprise_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("central-web")
    settings = Settings(
        data_dir=folder,
        export_inline_max_rows=1,  # so an export of two rows goes through the background
        sms_provider="log",
        login_attempts_per_minute=200,  # every test here logs in from 127.0.0.1, some minutes
        _env_file=None,  # type: ignore[call-arg]
    )
    prepare(settings, datetime.now(UTC), first_admin="admin")
    app = create_app(settings)
    clock = FakeClock(datetime.now(UTC))
    central = Central(app, None, {}, settings, clock)  # type: ignore[arg-type]
    enterprise_id = _seed(central)
    with serve(app) as url:
        yield World(url, central, enterprise_id)


def _page(browser: object, viewport: str) -> Any:
    return new_page(browser, VIEWPORTS[viewport], downloads=True)


def _log_in(page: Any, world: World, username: str, start: str = "/admin") -> None:
    """Log in through the form; the account lands on its role's start page."""
    from playwright.sync_api import expect

    page.goto(world.url + "/admin/login")
    expect(page.locator("h1")).to_have_text("管理员登录")
    page.fill("#username", username)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_url(world.url + start)
    if start == "/admin":
        expect(page.locator("h1")).to_contain_text("辖区概览")


def _shot(page: Any, name: str, viewport: str) -> None:
    """Save the page, after checking that nothing is wider than the window."""
    save_fitting(page, SHOTS / f"{name}-{viewport}.png", f"{name} ({viewport})")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_county_administrator_creates_a_town_account_and_downloads_a_days_report(
    world: World, browser: object, viewport: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    try:
        page.goto(world.url + "/admin/login")
        _shot(page, "login", viewport)
        _log_in(page, world, "xincheng")
        expect(page.locator("#kiosks")).to_have_text("1 / 2")  # Hansenzhai is silent
        expect(page.locator("#backlog")).to_have_text("247")
        expect(page.locator("#fevers")).to_have_text("1")
        _shot(page, "dashboard", viewport)
        page.select_option("#area-select", "610102001")
        page.locator("#area-picker button").click()
        expect(page.locator("#area")).to_contain_text("西一路街道")
        expect(page.locator("#backlog")).to_have_text("17")
        page.click("nav >> text=账户")
        town = f"town-{viewport}"
        page.fill("#new-username", town)
        page.select_option("#new-role", "region_admin")
        pick_region(page, "new-area", ["新城区", "长乐中路街道"])
        expect(page.locator("#new-area")).to_have_value("610102002")
        page.click("#create-account")
        expect(page.locator("#created")).to_contain_text(town)
        expect(page.locator("#activation-link")).to_contain_text("/setup?token=")
        expect(page.locator("#accounts")).to_contain_text(town)
        _shot(page, "accounts-created", viewport)
        page.click("nav >> text=企业")
        expect(page.locator("#enterprises")).to_contain_text("秦川机床厂")
        _shot(page, "enterprises", viewport)
        page.click("nav >> text=报表")
        local_today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
        page.fill("#day", local_today)
        page.locator("#report-day button").click()
        expect(page.locator("#day-fevers")).to_have_text("1")
        _shot(page, "reports", viewport)
        with page.expect_download() as download_info:
            page.click("#download-daily")
        download = download_info.value
        assert download.suggested_filename.startswith("passages-")
        content = Path(download.path()).read_bytes()
        assert content.startswith(b"\xef\xbb\xbf") and "东关社区北门".encode() in content
        assert "长延堡".encode() not in content  # Yanta is another county's
        # A filtered export: larger than this server makes at once, so it is queued.
        pick_region(page, "export-region", ["新城区"])
        expect(page.locator("#export-region")).to_have_value("610102")
        page.select_option("#export-colour", "green")
        # From yesterday: the seeded passages (40 minutes ago and later) may lie before local
        # midnight when the test runs just after it.
        local_yesterday = (datetime.now(UTC) + timedelta(hours=8) - timedelta(days=1)).date()
        page.fill("#export-first-day", local_yesterday.isoformat())
        page.fill("#export-last-day", local_today)
        page.click("#start-export")
        expect(page.locator("#export-state")).to_contain_text("排队中")
        _shot(page, "export-progress", viewport)
        # The jobs runner's work; the page reloads itself until the file is there.
        central = world.central
        assert run_due_exports(central.app.state.sessions, central.settings, _now, "test") >= 1
        expect(page.locator("#download-export")).to_be_visible()
        expect(page.locator("#export-state")).to_contain_text("2 / 2")
        _shot(page, "export-ready", viewport)
        with page.expect_download() as download_info:
            page.click("#download-export")
        exported = Path(download_info.value.path()).read_bytes()
        assert exported.startswith(b"\xef\xbb\xbf") and "东关社区北门".encode() in exported
        assert "长延堡".encode() not in exported
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_enterprise_administrator_adds_an_epidemic_staff_member(
    world: World, browser: object, viewport: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    mobile = "13900000001" if viewport == "phone" else "13900000002"
    try:
        _log_in(page, world, "qinchuan", "/admin/staff")
        page.click("nav >> text=防疫人员")
        expect(page.locator("h1")).to_contain_text("秦川机床厂")
        page.fill("#staff-mobile", mobile)
        page.click("#add-staff-button")
        expect(page.locator("#created")).to_contain_text(mobile)
        expect(page.locator("#staff")).to_contain_text(mobile)
        roster = page.locator("#roster")
        expect(roster).to_contain_text("王建国")
        expect(roster).to_contain_text("610102********0015")  # masked; never in full
        expect(roster).not_to_contain_text(id_number(1))
        _shot(page, "staff", viewport)
    finally:
        page.context.close()
    with session_scope(world.central.app.state.sessions) as session:
        staff = session.scalars(select(Administrator).where(Administrator.username == mobile))
        assert staff.one().enterprise_id == world.enterprise_id


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_technician_creates_an_enrollment_code_and_sees_it_once(
    world: World, browser: object, viewport: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    try:
        _log_in(page, world, "tech", "/admin/fleet")
        page.click("nav >> text=卡口设备")
        expect(page.locator("#checkpoint-cp-dongguan")).to_contain_text("1.4.2")
        page.locator("#checkpoint-cp-dongguan .new-code").click()
        code = page.locator("#code").inner_text()
        assert len(code) == 19 and code.count("-") == 3
        expect(page.locator("#code-expires")).not_to_be_empty()
        _shot(page, "fleet-enrollment-code", viewport)
        page.goto(world.url + "/admin/fleet")
        expect(page.locator("#enrollment-code")).to_have_count(0)  # shown once only
        expect(page.locator("body")).not_to_contain_text(code)
        page.locator("#kiosk-k-hansenzhai-1 .revoke").click()
        expect(page.locator("#confirm-revoke")).to_be_visible()
        _shot(page, "revoke-confirm", viewport)
        page.click("text=取消")
        expect(page.locator("#kiosk-k-hansenzhai-1")).not_to_contain_text("已停用")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_city_sees_an_alert_for_a_shared_screenshot(
    world: World, browser: object, viewport: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    try:
        _log_in(page, world, "xian")
        expect(page.locator("#alerts")).not_to_have_text("0")
        page.click("nav >> text=告警")
        row = page.locator("#screenshots .screenshot")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("短时间内异地通行")
        expect(row).to_contain_text("东关社区北门")
        expect(row).to_contain_text("长延堡社区")
        expect(page.locator("#kiosk-alerts")).to_contain_text("韩森寨社区南门")
        expect(page.locator("#fevers")).to_contain_text("新城区")  # the area by name
        _shot(page, "alerts", viewport)
        page.goto(world.url + "/admin/alerts?lang=en")
        expect(page.locator("#screenshots")).to_contain_text("Impossible travel")
        expect(page.locator("#fevers")).to_contain_text("Xincheng District")
        _shot(page, "alerts-en", viewport)
        page.goto(world.url + "/admin?lang=en")
        expect(page.locator("h1")).to_contain_text("Area dashboard")
        _shot(page, "dashboard-en", viewport)
    finally:
        page.context.close()


def test_a_town_administrator_is_refused_another_towns_data(world: World, browser: object) -> None:
    from playwright.sync_api import expect

    for viewport in VIEWPORTS:
        page = _page(browser, viewport)
        try:
            _log_in(page, world, "xiyilu")
            page.click("nav >> text=卡口设备")
            expect(page.locator("body")).not_to_contain_text("韩森寨")
            answer = page.goto(world.url + "/admin/fleet/kiosks/k-hansenzhai-1/revoke")
            assert answer is not None and answer.status == 404
            expect(page.locator("#message")).to_have_text("不存在或不在您的辖区内")
            _shot(page, "refused", viewport)
            answer = page.goto(world.url + "/admin?area=610102004")
            assert answer is not None and answer.status == 404
        finally:
            page.context.close()


def test_a_form_whose_token_was_tampered_with_is_refused(world: World, browser: object) -> None:
    from playwright.sync_api import expect

    page = _page(browser, "desktop")
    try:
        _log_in(page, world, "xincheng")
        page.click("nav >> text=账户")
        page.fill("#new-username", "tampered")
        search_region(page, "new-area", "zsm", "中山门街道")
        # What a page elsewhere would have to guess: the form token of this session.
        page.evaluate("document.querySelector('#new-account [name=csrf]').value = 'guessed'")
        page.click("#create-account")
        expect(page.locator("#message")).to_contain_text("表单已失效")
        _shot(page, "form-expired", "desktop")
        page.click("nav >> text=账户")
        expect(page.locator("#accounts")).not_to_contain_text("tampered")
    finally:
        page.context.close()


# ------------------------------------------------------------------- every page, both languages

WALK_VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
# Who opens which pages: the region administrator most, the enterprise's its staff page, the
# technician its fleet (the task pages' forms are walked in test_task_pages_browser.py).
WALK = {
    "xincheng": (
        "/admin",
        "/admin/alerts",
        "/admin/fleet",
        "/admin/accounts",
        "/admin/enterprises",
        "/admin/reports",
        "/admin/fever-cases",
        "/admin/fever-cases?status=dismissed",
        "/admin/clinic-events",
        "/admin/area-risks",
        "/admin/check-ins",
        "/admin/check-ins?missing=true",
        "/admin/regions",
        "/admin/audit",
        "/admin/proxy-codes",
        "/admin/reports/weekly.csv?week=2026-47",  # the refusal page
    ),
    "qinchuan": ("/admin", "/admin/staff", "/admin/fleet", "/admin/accounts"),
    "tech": ("/admin/fleet", "/admin/alerts"),
}
# What the pages show that is data, not words: names of people, checkpoints, enterprises and
# departments, user names, and what is the same in both languages (units, formats).
DATA_WORDS = (
    *("王建国", "李秀英", "王*国", "李*英", "赵*静", "机加工车间", "质检部", "秦川机床厂"),
    *("东关社区北门", "韩森寨社区南门", "长延堡社区"),
    *("town-phone", "town-desktop"),  # the accounts the first test creates
    *("xian", "xincheng", "xiyilu", "tech", "qinchuan", "admin", "CSV", "XLSX", "PDF"),
)
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
HAN = re.compile(r"[\u4e00-\u9fff]+")


def _words_of_other_language(page: Any, language: str) -> list[str]:
    """The main part's visible words in the other language (codes, `.mono`, and data left out)."""
    text = page.evaluate(
        """() => {
            const main = document.querySelector('main').cloneNode(true);
            main.querySelectorAll('.mono, script').forEach(e => e.remove());
            return main.innerText + ' ' + Array.from(main.querySelectorAll('[placeholder]'))
                .map(e => e.getAttribute('placeholder')).join(' ');
        }"""
    )
    for word in DATA_WORDS:
        text = text.replace(word, " ")
    return (HAN if language == "en" else LATIN_WORD).findall(text)


@pytest.fixture(scope="module")
def residents(world: World) -> World:
    """Three residents of Dongxinjie who declared their own codes: one checked in today, one
    with a cough, one not at all (the check-ins pages have rows to show)."""
    from central.issuance import changes, codes
    from central.issuance.declarations import Declaration, IdType
    from central.issuance.people import issuer_keys

    sessions = world.central.app.state.sessions
    keys = issuer_keys(world.central.settings.resolved_keys_dir)
    now = datetime.now(UTC)
    for serial, entry in (
        (901, changes.CheckIn(36.5)),
        (902, changes.CheckIn(37.9, cough=True)),
        (903, None),
    ):
        declared = Declaration(
            full_name="赵文静",
            id_type=IdType.RESIDENT_ID,
            id_number=id_number(serial),
            residence="610102001001",
            phone=f"1370000{serial:04d}",
        )
        issued = codes.declare(sessions, keys, declared, now, actor="test")
        if entry is not None and issued.holder_token is not None:
            changes.check_in(sessions, issued.holder_token, entry, now)
    return world


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_is_in_one_language_on_a_phone_and_a_desktop(
    residents: World, browser: object, language: str
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    world = residents
    walked = 0
    for viewport, (width, height) in WALK_VIEWPORTS.items():
        for username, pages in WALK.items():
            # A context of its own for each account: nothing (cookies, a page left mid-way)
            # carries from one walk to the next, and no logout click is needed between them.
            context = browser.new_context(
                viewport={"width": width, "height": height},
                locale="zh-CN" if language == "zh" else "en-US",
            )
            context.set_default_timeout(UI_TIMEOUT_MS)
            try:
                page = context.new_page()
                page.goto(f"{world.url}/admin/login?lang={language}")
                assert _words_of_other_language(page, language) == [], "login"
                page.fill("#username", username)
                page.fill("#password", ADMIN_PASSWORD)
                page.click("#login")
                page.wait_for_url(re.compile(r".*/admin(/(?!login)[a-z-]+)?$"))  # in, not refused
                for path in pages:
                    page.goto(world.url + path)
                    found = _words_of_other_language(page, language)
                    assert found == [], (username, path, language, viewport, found)
                    slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
                    _shot(page, f"walk-{slug or 'admin'}-{username}-{language}", viewport)
                    walked += 1
            finally:
                context.close()
    print(f"walked {walked} pages in {language}")
