"""The first login in Debian's headless Chromium, against a real `python -m central serve` on
loopback: the setup link of `central init` refuses a guessable password with its reason, in
Chinese and then in English, saves a good one and leads to the login, where a name tried too
often is said to be locked until a given time (the same for a name with no account).
Screenshots go to artifacts/screens/central/."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.central.browser_world import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS
from tests.central.test_issuance_page import SCREENS, VIEWPORTS
from tests.central.test_server_process import (
    COMMAND_TIMEOUT_S,
    _environment,
    _free_port,
    _run,
    _wait_until_ready,
)

GOOD_PASSWORD = "雁塔 bell tower 2031 walnut"  # noqa: S105 - a test fixture
LOCKED = {
    "zh": re.compile(r"尝试次数过多，该账户已锁定至 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）"),
    "en": re.compile(r"this account is locked until \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\)"),
}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: install Debian's chromium package (bash build/setup.sh does)",
)


@dataclass
class FirstRun:
    url: str
    setup_link: str


@pytest.fixture
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    folder = tmp_path_factory.mktemp("central")
    env = _environment("sqlite")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    printed = _run(["central", "init", "--url", url], folder, env)
    link = re.search(r"(http://\S+/setup\?token=\S+)", printed)
    assert link is not None, printed
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_ready(process, url)
        yield FirstRun(url, link[1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_first_administrator_sets_a_strong_password_and_a_locked_name_says_until_when(
    first_run: FirstRun, viewport: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    width, height = VIEWPORTS[viewport]
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.set_default_timeout(UI_TIMEOUT_MS)
            page = context.new_page()
            page.goto(first_run.setup_link)
            expect(page.locator("h1")).to_have_text("设置管理员密码")
            page.fill("#password", "aaaaaaaaaaaa")
            page.fill("#repeat", "aaaaaaaaaaaa")
            page.click("#save")
            expect(page.locator("#message")).to_contain_text("密码含有重复的字符或片段")
            page.screenshot(path=str(SCREENS / f"setup-refused-zh-{viewport}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0  # nothing wider than the screen

            page.click("a.lang")  # the token stays in the address
            expect(page.locator("h1")).to_have_text("Set your password")
            page.fill("#password", "password1234")
            page.fill("#repeat", "password1234")
            page.click("#save")
            expect(page.locator("#message")).to_contain_text("This is a common password")
            page.screenshot(path=str(SCREENS / f"setup-refused-en-{viewport}.png"), full_page=True)
            page.fill("#password", GOOD_PASSWORD)
            page.fill("#repeat", GOOD_PASSWORD)
            page.click("#save")
            expect(page.locator("#message")).to_have_text("The password is set. Log in as admin.")
            page.screenshot(path=str(SCREENS / f"setup-done-en-{viewport}.png"), full_page=True)
            page.click("#go-to-login")
            expect(page.locator("h1")).to_have_text("Administrator login")

            for language, username in (("en", "admin"), ("zh", "no-such-account")):
                page.goto(f"{first_run.url}/admin/login?lang={language}")
                for _ in range(6):  # five failures, then the lockout's answer
                    page.fill("#username", username)
                    page.fill("#password", "not the password at all")
                    page.click("#login")
                expect(page.locator("#message")).to_have_text(LOCKED[language])
                page.screenshot(
                    path=str(SCREENS / f"login-locked-{language}-{viewport}.png"), full_page=True
                )
        finally:
            browser.close()
