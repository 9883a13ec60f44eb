"""The self-declaration page when the SMS provider fails, in Debian's headless Chromium: a real
`central serve` sends through the Alibaba Cloud sender to the local fake of its API
(tests/central/aliyun_fake.py), which answers garbage; the resident reads that the SMS could not
be sent, keeps what they typed, and a second try once the provider is back sends the code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.aliyun_fake import KEY_ID, SECRET, FakeDysmsapi, running_fake
from tests.central.browser_world import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS
from tests.central.test_issuance_page import SCREENS
from tests.central.test_server_process import (
    COMMAND_TIMEOUT_S,
    _environment,
    _free_port,
    _run,
    _wait_until_ready,
)

PHONE = "13911112222"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: install Debian's chromium package (bash build/setup.sh does)",
)


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeDysmsapi]:
    with running_fake() as fake:
        yield fake


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, provider: FakeDysmsapi) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("central")
    (folder / "sms-secret").write_text(SECRET, encoding="utf-8")
    env = _environment("sqlite") | {
        "CENTRAL_SMS_PROVIDER": "aliyun",
        "CENTRAL_SMS_ACCESS_KEY_ID": KEY_ID,
        "CENTRAL_SMS_ACCESS_KEY_SECRET_FILE": str(folder / "sms-secret"),
        "CENTRAL_SMS_SIGN_NAME": "陕西健康码",
        "CENTRAL_SMS_TEMPLATE_CODE": "SMS_123456789",
        "CENTRAL_SMS_ENDPOINT": provider.url,
        "CENTRAL_SMS_TIMEOUT_S": "2",
    }
    _run(["central", "init"], folder, env)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_failed_sms_says_so_in_chinese_and_a_second_try_sends_the_code(
    server_url: str, provider: FakeDysmsapi
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
            context.set_default_timeout(UI_TIMEOUT_MS)
            page = context.new_page()
            page.goto(server_url + "/issuance")
            page.fill("#full_name", "张三丰")
            page.fill("#phone", PHONE)
            provider.behaviour = "malformed"
            page.click("#send")
            expect(page.locator("#phone-error")).to_have_text("短信发送失败，请稍后再试")
            expect(page.locator("#send")).to_be_enabled()  # nothing sent: ask again at once
            expect(page.locator("#phone")).to_have_value(PHONE)
            expect(page.locator("#full_name")).to_have_value("张三丰")
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENS / "issuance-sms-failed-phone.png"), full_page=True)
            provider.behaviour = "ok"
            page.click("#send")
            expect(page.locator("#send-note")).to_have_text("验证码已发送，请查看短信")
            expect(page.locator("#phone-error")).to_be_empty()
            assert provider.received[-1]["PhoneNumbers"] == PHONE
        finally:
            browser.close()
