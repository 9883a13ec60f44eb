# ruff: noqa: F811  (the shared fixtures are parameters of the same name)
"""An administration form's refusal in Debian's headless Chromium on a phone (390x844), in
Chinese and English: the accounts page answers itself, what was typed is still there (the
region picker shows its chosen region by name), and the reason sits under the region. Saved to
artifacts/web/ and checked for sideways overflow (`test_web_pages._shot`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.central.browser_world import CHROMIUM
from tests.central.test_task_pages_browser import COMMUNITY, _in, _page, _pick, tasks  # noqa: F401
from tests.central.test_web_pages import World, _log_in, _shot, world  # noqa: F401

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no {CHROMIUM}")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_refused_account_is_told_beside_its_region_on_a_phone_with_the_form_kept(
    tasks: World, browser: Any, language: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, "phone", language)
    try:
        _log_in(page, tasks, "xincheng")
        page.goto(f"{tasks.url}/admin/accounts?lang={language}")
        page.fill("#new-username", f"too-deep-{language}")
        page.select_option("#new-role", "region_admin")
        _pick(page, "new-area", "东新街", COMMUNITY)
        page.click("#create-account")
        expect(page.locator("#new-area-error")).to_have_text(
            _in(
                language,
                "只能为下一级辖区创建管理员",
                "You create administrators for the level just below yours only",
            )
        )
        expect(page.locator("#new-username")).to_have_value(f"too-deep-{language}")
        expect(page.locator("#new-role")).to_have_value("region_admin")
        expect(page.locator("#new-area")).to_have_value(COMMUNITY)
        expect(page.locator("#new-area-chosen")).to_contain_text(
            _in(language, "东新街", "Dongxinjie")
        )
        page.locator("#new-area-error").scroll_into_view_if_needed()
        _shot(page, f"accounts-refused-{language}", "phone")
        page.fill("#new-username", "")
        page.click("#create-account")
        expect(page.locator("#new-username-error")).to_have_text(
            _in(language, "请填写此项", "Please fill this in")
        )
        expect(page.locator("#new-area")).to_have_value(COMMUNITY)
        _shot(page, f"accounts-error-{language}", "phone")
    finally:
        page.context.close()
