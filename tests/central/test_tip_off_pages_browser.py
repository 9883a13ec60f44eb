"""The tip-off pages (issue 25) in Debian's headless Chromium, against the app served by uvicorn
on loopback (SQLite): a resident reports a possible case from a phone, its liaison gets the SMS,
logs in and records the visit; the enterprise's staff page with each employee's state. Each page
in both languages at 390x844 and 1280x800, saved as PNG (artifacts/web/) for a person to look
at; nothing wider than the screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central.administration.accounts import (
    NewAccount,
    provision_account,
    register_enterprise,
    seal_liaison_phone,
)
from central.administration.employees import NewEmployee, add_employee
from central.app import create_app
from central.core.admins import set_first_password
from central.core.bootstrap import prepare
from central.core.cipher import record_cipher
from central.core.db import session_scope
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from tests.central.browser_world import (
    WEB_SHOTS,
    needs_chromium,
    new_page,
    save_fitting,
    serve,
)
from tests.central.conftest import ADMIN_PASSWORD
from tests.central.issuance_world import id_number
from tests.central.region_picking import pick_region
from tests.central.test_tip_offs import KeptNotices

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
SHOTS = WEB_SHOTS
LIAISON_PHONE = "13900001111"
COMMUNITY = ["陕西省", "西安市", "新城区", "西一路街道", "东新街社区"]

pytestmark = needs_chromium


@dataclass
class World:
    url: str
    sender: KeptNotices


def _account(session: Any, username: str, role: Role, phone: str | None = None, **fields: Any):
    now = datetime.now(UTC)
    admin, invitation = provision_account(
        session, NewAccount(username, role, phone=phone, **fields), now, timedelta(days=1)
    )
    set_first_password(session, invitation.token, ADMIN_PASSWORD, now)
    return admin


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("central-tip-offs")
    settings = Settings(data_dir=folder, sms_provider="log", _env_file=None)  # type: ignore[call-arg]
    now = datetime.now(UTC)
    prepare(settings, now, first_admin="admin")
    sender = KeptNotices()
    app = create_app(settings, sms_sender=sender)
    cipher = record_cipher(settings.resolved_keys_dir)
    with session_scope(app.state.sessions) as session:
        load_region_file(session, SAMPLE_FILE)
        _account(session, "xincheng", Role.REGION_ADMIN, area_code="610102")
        grid = _account(
            session, "dxj-grid", Role.GRID_WORKER, phone=LIAISON_PHONE, area_code="610102001001"
        )
        seal_liaison_phone(grid, LIAISON_PHONE, cipher)
        enterprise = register_enterprise(
            session,
            None,
            name="秦川机床厂",
            area_code="610102001",
            industry="manufacturing",
            now=now,
        )
        _account(session, "qinchuan", Role.ENTERPRISE_ADMIN, enterprise_id=enterprise.id)
        for serial, (name, department) in enumerate(
            [("王建国", "机加工车间"), ("李秀英", "质检部")]
        ):
            employee = NewEmployee(name, id_number(serial + 1), f"1380000000{serial}", department)
            add_employee(session, cipher, enterprise.id, employee, now, None)
    with serve(app) as url:
        yield World(url, sender)


def _page(browser: object, viewport: str) -> Any:
    return new_page(browser, VIEWPORTS[viewport])


def _shot(page: Any, name: str, viewport: str) -> None:
    save_fitting(page, SHOTS / f"{name}-{viewport}.png", f"{name} ({viewport})")


def _log_in(page: Any, url: str, username: str, start: str) -> None:
    page.goto(url + "/admin/login")
    page.fill("#username", username)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_url(url + start)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_resident_reports_a_case_and_its_liaison_records_the_visit(
    world: World, browser: object, viewport: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    try:
        page.goto(world.url + "/tip-off")
        expect(page.locator("h1")).to_have_text("疫情线索举报")
        _shot(page, "tip-off-clue-zh", viewport)
        page.click("#submit")  # nothing filled in: each error beside its field
        expect(page.locator("#clue_name-error")).to_have_text("请填写姓名（最多50字）")
        _shot(page, "tip-off-errors-zh", viewport)
        page.fill("#clue_name", "李四")
        pick_region(page, "area_code", COMMUNITY)
        page.fill("#place", "东新街12号院3单元")
        page.locator("input[name=situation][value=symptoms]").check()
        page.click("#submit")
        expect(page.locator("#sent")).to_be_visible()
        number = page.locator("#number").inner_text()
        _shot(page, "tip-off-sent-zh", viewport)
        assert world.sender.wait_for_notice(LIAISON_PHONE, number)
        page.goto(world.url + "/tip-off?kind=supervision&lang=en")
        expect(page.locator("h1")).to_have_text("Report to the epidemic team")
        expect(page.locator("#report_type")).to_be_visible()
        _shot(page, "tip-off-supervision-en", viewport)

        _log_in(page, world.url, "dxj-grid", "/admin/tip-offs")
        page.goto(world.url + "/admin/tip-offs?lang=zh")  # the resident's English stays behind
        row = page.locator(f"#tip-off-{number}")
        expect(row).to_contain_text("李四")
        _shot(page, "tip-offs-liaison-zh", viewport)
        row.locator("button.visited").click()
        expect(page.locator("#saved")).to_be_visible()
        expect(page.locator(f"#tip-off-{number}")).to_contain_text("已上门")
        page.goto(world.url + "/admin/tip-offs?lang=en")
        expect(page.locator(f"#tip-off-{number}")).to_contain_text("Visited")
        _shot(page, "tip-offs-liaison-en", viewport)
        page.goto(world.url + "/admin/tip-offs?lang=zh")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_county_overview_and_the_enterprise_roster_state_fit_the_screen(
    world: World, browser: object, viewport: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    try:
        _log_in(page, world.url, "xincheng", "/admin")
        page.goto(world.url + "/admin/tip-offs?lang=zh")
        expect(page.locator("#overview")).to_contain_text("西一路街道")
        _shot(page, "tip-offs-county-zh", viewport)
        page.goto(world.url + "/admin/tip-offs?lang=en")
        expect(page.locator("#overview")).to_contain_text("Tip-offs in the area")
        _shot(page, "tip-offs-county-en", viewport)
        page.goto(world.url + "/admin?lang=zh")
        page.context.clear_cookies()
        _log_in(page, world.url, "qinchuan", "/admin/staff")
        page.goto(world.url + "/admin/staff?lang=zh")
        expect(page.locator("#roster")).to_contain_text("未申领")
        _shot(page, "staff-roster-state-zh", viewport)
        page.goto(world.url + "/admin/staff?lang=en")
        expect(page.locator("#roster")).to_contain_text("No code")
        _shot(page, "staff-roster-state-en", viewport)
        page.goto(world.url + "/admin/staff?lang=zh")
    finally:
        page.context.close()


def test_the_screens_were_written() -> None:
    names = sorted(p.name for p in SHOTS.glob("tip-off*.png"))
    print(f"{len(names)} tip-off screens")
    assert re.compile(r"tip-off-clue-zh-(phone|desktop)\.png").match(names[0]) or names
