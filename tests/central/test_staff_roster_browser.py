"""单位机构申报 from a roster file (issue 25) in Debian's headless Chromium: the enterprise's
administrator picks a roster with wrong lines, sees each listed beside the form (Chinese, then
English), then uploads the corrected file and sees everyone declared. 390x844 and 1280x800,
saved as PNG (artifacts/web/); nothing wider than the screen."""

from __future__ import annotations

import pytest

from tests.central.browser_world import browser, needs_chromium  # noqa: F401 - the fixture
from tests.central.issuance_world import id_number
from tests.central.test_tip_off_pages_browser import (  # noqa: F401 - the world fixture
    VIEWPORTS,
    World,
    _log_in,
    _page,
    _shot,
    world,
)

pytestmark = needs_chromium

HEADING = "姓名,证件号码,手机号,居住地,部门"
HOME = "610102001001"
WRONG = f"孙八,{id_number(18)[:-1]},1391234,{HOME},三车间"


def _file(lines: list[str]) -> dict[str, object]:
    text = "\n".join([HEADING, *lines])
    return {"name": "花名册.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8-sig")}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_hr_clerk_fixes_the_wrong_lines_of_a_roster_and_declares_the_staff(
    world: World,  # noqa: F811 - the fixture imported above
    browser: object,  # noqa: F811
    viewport: str,
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    serial = 0 if viewport == "phone" else 10  # each run its own people
    good = [
        f"{name}{serial},{id_number(20 + serial + n)},1391234{serial:02d}{n:02d},{HOME},三车间"
        for n, name in enumerate(("赵六", "钱七"))
    ]
    try:
        _log_in(page, world.url, "qinchuan", "/admin/staff")
        page.goto(world.url + "/admin/staff?lang=zh")
        page.set_input_files("#roster-file", _file([good[0], WRONG]))
        expect(page.locator("#roster-file-chosen")).to_contain_text("花名册.csv")
        page.click("#upload-roster")
        expect(page.locator("#roster-file-error")).to_contain_text("文件中有 1 行有误")
        expect(page.locator("#line-3")).to_contain_text("孙*")
        _shot(page, "staff-roster-upload-wrong-zh", viewport)
        page.goto(world.url + "/admin/staff?lang=en")
        page.set_input_files("#roster-file", _file([WRONG]))
        page.click("#upload-roster")
        wrong = page.locator("#roster-file-error")
        expect(wrong).to_contain_text("Lines of the file to correct: 1")
        expect(page.locator("#line-2")).to_contain_text("check its digits; Enter an 11-digit")
        _shot(page, "staff-roster-upload-wrong-en", viewport)
        page.goto(world.url + "/admin/staff?lang=zh")
        page.set_input_files("#roster-file", _file(good))
        page.click("#upload-roster")
        expect(page.locator("#roster-lines .colour-green")).to_have_count(2)
        expect(page.locator("#roster")).to_contain_text(f"赵六{serial}")
        _shot(page, "staff-roster-upload-declared-zh", viewport)
    finally:
        page.context.close()
