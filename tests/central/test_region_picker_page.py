"""The region picker in Debian's headless Chromium (playwright), at 1280x800 and 390x844: a
resident declares with residence and travel chosen by tapping and by searching (no code typed),
and a county administrator registers enterprises the same way in Chinese and English; the
lists then show region names with the code beside them. Screenshots go to artifacts/web/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central.app import create_app
from central.core.bootstrap import prepare
from central.core.db import session_scope
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from tests.central.browser_world import (
    needs_chromium,
    new_page,
    save_fitting,
    serve,
)
from tests.central.conftest import ADMIN_PASSWORD
from tests.central.issuance_world import KeptSms, id_number
from tests.central.region_picking import pick_region, search_region
from tests.central.test_web_pages import SHOTS, _account

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}

pytestmark = needs_chromium


@dataclass
class Server:
    url: str
    sms: KeptSms


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("central-picker")
    settings = Settings(data_dir=folder, _env_file=None)  # type: ignore[call-arg]
    prepare(settings, datetime.now(UTC), first_admin="admin")
    sms = KeptSms()
    app = create_app(settings, sms_sender=sms)
    with session_scope(app.state.sessions) as session:
        load_region_file(session, SAMPLE_FILE)
        _account(session, "xincheng", Role.REGION_ADMIN, area_code="610102")
    with serve(app) as url:
        yield Server(url, sms)


def _page(browser: object, viewport: str, locale: str = "zh-CN") -> Any:
    return new_page(browser, VIEWPORTS[viewport], locale)


def _shot(page: Any, name: str) -> None:
    save_fitting(page, SHOTS / f"{name}.png", name)


def _tap_targets_are_large(page: Any, selector: str) -> None:
    heights = page.eval_on_selector_all(
        selector, "items => items.map(item => item.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


@pytest.mark.parametrize(("viewport", "serial"), [("phone", 811), ("desktop", 812)])
def test_a_resident_declares_choosing_residence_by_tapping_and_travel_by_searching(
    server: Server, browser: object, viewport: str, serial: int
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    phone = f"137{serial:08d}"
    try:
        page.goto(server.url + "/issuance")
        expect(page.locator("#residence-picker .rp-chosen")).to_have_text("请选择地区")
        page.fill("#full_name", "李秀英")
        page.fill("#id_number", id_number(serial))
        page.fill("#phone", phone)
        page.click("#send")
        expect(page.locator("#send-note")).to_contain_text("验证码已发送")
        page.fill("#sms_code", server.sms.last_code(phone))
        # Submitting with no residence marks its picker and says why, instead of sending.
        page.click("#submit")
        expect(page.locator("#residence-error")).to_contain_text("请选择现居住地")
        expect(page.locator("#residence-picker")).to_have_class(re.compile("rp-missing"))
        # Residence: tapped down from the province to the community.
        root = page.locator("#residence-picker")
        root.locator(".rp-open").click()
        for name in ("陕西省", "西安市", "新城区", "西一路街道"):
            root.locator(f".rp-item:has(.rp-name:text-is('{name}'))").click()
        expect(root.locator(".rp-crumbs")).to_contain_text("西一路街道")
        _tap_targets_are_large(page, "#residence-picker .rp-item, #residence-picker .rp-crumb")
        _shot(page, f"picker-declaration-drilling-{viewport}")
        root.locator(".rp-item:has(.rp-name:text-is('东新街社区'))").click()
        root.locator(".rp-here").click()
        expect(page.locator("#residence")).to_have_value("610102001001")
        expect(root.locator(".rp-chosen-path")).to_contain_text("陕西省 / 西安市 / 新城区")
        # Travel: found by pinyin initials.
        travel = page.locator("#travel_area-picker")
        travel.locator(".rp-open").click()
        travel.locator(".rp-search").fill("ybz")
        expect(travel.locator(".rp-item").first).to_contain_text("哑柏镇")
        expect(travel.locator(".rp-item").first).to_contain_text("周至县")
        _shot(page, f"picker-declaration-search-{viewport}")
        travel.locator(".rp-item:has(.rp-name:text-is('哑柏镇'))").click()
        expect(page.locator("#travel_area")).to_have_value("610124101")
        page.fill("#travel_day", (datetime.now(UTC).date() - timedelta(days=3)).isoformat())
        _shot(page, f"picker-declaration-chosen-{viewport}")
        page.click("#submit")
        expect(page.locator("#code")).to_be_visible()
        expect(page.locator("#qr svg")).to_be_visible()
        _shot(page, f"picker-declaration-issued-{viewport}")
    finally:
        page.context.close()


def _log_in(page: Any, server: Server, language: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/admin/login?lang={language}")
    page.fill("#username", "xincheng")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_url(server.url + "/admin")
    expect(page.locator("html")).to_have_attribute("lang", "en" if language == "en" else "zh-CN")


NAMES = {
    "zh": {"county": "新城区", "street": "解放门街道", "found": "韩森寨街道", "all": "全部"},
    "en": {
        "county": "Xincheng District",
        "street": "Jiefangmen Street",
        "found": "Hansenzhai Street",
        "all": "All",
    },
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_administrator_registers_enterprises_choosing_the_region_by_tapping_and_searching(
    server: Server, browser: object, viewport: str, language: str
) -> None:
    from playwright.sync_api import expect

    names = NAMES[language]
    page = _page(browser, viewport, "en-US" if language == "en" else "zh-CN")
    try:
        _log_in(page, server, language)
        page.goto(server.url + "/admin/enterprises")
        tapped = f"Tapped {language} {viewport}"
        page.fill("#enterprise-name", tapped)
        page.select_option("#enterprise-industry", "manufacturing")
        root = page.locator("#enterprise-area-picker")
        root.locator(".rp-open").click()
        expect(root.locator(".rp-crumbs")).to_contain_text(names["all"])
        # An account's picker starts at its own area: nothing above the county.
        expect(root.locator(".rp-item")).to_have_count(1)
        root.locator(f".rp-item:has(.rp-name:text-is('{names['county']}'))").click()
        expect(root.locator(".rp-item:has(.rp-name:text-is('{}'))".format(names["street"])))
        _shot(page, f"picker-enterprise-drilling-{language}-{viewport}")
        root.locator(".rp-item:has(.rp-name:text-is('{}'))".format(names["street"])).click()
        expect(page.locator("#enterprise-area")).to_have_value("610102005")
        page.click("#create-enterprise")
        row = page.locator("#enterprises tr", has_text=tapped)
        expect(row).to_contain_text(names["street"])
        expect(row.locator(".mono")).to_have_text("610102005")
        searched = f"Searched {language} {viewport}"
        page.fill("#enterprise-name", searched)
        page.select_option("#enterprise-industry", "manufacturing")
        search_region(page, "enterprise-area", "hsz", names["found"])
        expect(page.locator("#enterprise-area")).to_have_value("610102004")
        # Another county's street is not offered to this account.
        root.locator(".rp-open").click()
        root.locator(".rp-search").fill("bsl")
        expect(root.locator(".rp-status")).to_be_visible()
        expect(root.locator(".rp-item")).to_have_count(0)
        root.locator(".rp-close").click()
        page.click("#create-enterprise")
        row = page.locator("#enterprises tr", has_text=searched)
        expect(row).to_contain_text(names["found"])
        expect(row.locator(".mono")).to_have_text("610102004")
        _shot(page, f"picker-enterprise-list-{language}-{viewport}")
    finally:
        page.context.close()


def test_a_chosen_region_shows_its_name_when_the_form_opens(
    server: Server, browser: object
) -> None:
    """The checkpoint form starts on the account's own area: its name, not its code."""
    from playwright.sync_api import expect

    page = _page(browser, "phone")
    try:
        _log_in(page, server, "zh")
        page.goto(server.url + "/admin/fleet")
        expect(page.locator("#checkpoint-area")).to_have_value("610102")
        expect(page.locator("#checkpoint-area-picker .rp-chosen")).to_have_text("新城区")
        # It opens inside the chosen region: its streets are one tap away.
        pick_region(page, "checkpoint-area", ["西一路街道"])
        expect(page.locator("#checkpoint-area")).to_have_value("610102001")
        _shot(page, "picker-fleet-phone")
    finally:
        page.context.close()
