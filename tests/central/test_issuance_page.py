"""The self-declaration page (`GET /issuance`) in Debian's headless Chromium, against a real
`python -m central serve` process on loopback (SQLite in a temporary folder).

The browser is Debian's `chromium` package (build/setup.sh installs it), driven through
playwright; playwright's own browser downloads are never used. The SMS code comes from the
development sender, which writes it to the server's log (the phone masked): the test reads
the server's stderr line by line, as an operator would read the log. The QR code on the
screenshot is read back through the kiosk's own QR pipeline.

The page calls the JSON API (no cookies, no form post): the declaration carries its SMS code
and later calls a bearer holder token, so a cross-site page has nothing to ride on and CSRF
tokens (central/web/csrf.py) do not apply.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import cv2
import numpy as np
import pytest

from central.core.regions import SAMPLE_FILE
from drivers.qr.pipeline import default_pipeline
from tests.central.issuance_world import id_number
from tests.central.region_picking import pick_region
from tests.central.test_server_process import (
    COMMAND_TIMEOUT_S,
    _environment,
    _free_port,
    _run,
    _wait_until_ready,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens" / "central"
SMS_LINE = re.compile(r"SMS to (\d{3})\*\*\*\*(\d{4}): .*Your code: (\d{6})")
LOG_TIMEOUT_S = 30.0
UI_TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: install Debian's chromium package (bash build/setup.sh does)",
)


@dataclass
class ServerLog:
    """The server's stderr, read line by line on a thread (which also keeps the pipe drained)."""

    stream: IO[bytes]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for raw in iter(self.stream.readline, b""):
            self.lines.put(raw.decode(errors="replace"))

    def sms_code(self, phone: str) -> str:
        """The next code the development sender logged for this phone (waits on the log)."""
        while True:
            try:
                line = self.lines.get(timeout=LOG_TIMEOUT_S)
            except queue.Empty:
                pytest.fail(f"no SMS code for {phone[:3]}****{phone[-4:]} in the server log")
            found = SMS_LINE.search(line)
            if found and (found[1], found[2]) == (phone[:3], phone[-4:]):
                return found[3]


@dataclass
class PageServer:
    url: str
    log: ServerLog


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    folder = tmp_path_factory.mktemp("central")
    env = _environment("sqlite")
    _run(["central", "init"], folder, env)
    _run(["central", "regions", "load", str(SAMPLE_FILE)], folder, env)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, url)
        assert process.stderr is not None
        yield PageServer(url, ServerLog(process.stderr))
    finally:
        process.terminate()
        try:
            process.wait(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: object, viewport: str) -> object:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context.new_page()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_page_loads_in_chinese_and_fits_the_screen(
    server: PageServer, browser: object, viewport: str
) -> None:
    from playwright.sync_api import Page, expect

    page = _page(browser, viewport)
    assert isinstance(page, Page)
    try:
        answer = page.goto(server.url + "/issuance")
        assert answer is not None and answer.ok
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        expect(page.locator("h1")).to_have_text("健康码申领")
        expect(page.locator("#submit")).to_contain_text("提交申领")
        expect(page.locator("label[for=full_name]")).to_contain_text("姓名")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        box = page.locator("#submit").bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= VIEWPORTS[viewport][0]
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"issuance-{viewport}.png"), full_page=True)
    finally:
        page.context.close()


@pytest.mark.parametrize(("viewport", "serial"), [("phone", 701), ("desktop", 702)])
def test_a_person_declares_with_the_sms_code_from_the_log_and_sees_the_qr_code(
    server: PageServer, browser: object, viewport: str, serial: int
) -> None:
    from playwright.sync_api import Page, expect

    page = _page(browser, viewport)
    assert isinstance(page, Page)
    phone = f"139{serial:08d}"
    try:
        page.goto(server.url + "/issuance")
        page.fill("#full_name", "张三丰")
        page.fill("#id_number", id_number(serial))
        page.fill("#phone", phone)
        page.click("#send")
        expect(page.locator("#error")).to_have_text("验证码已发送 Code sent")
        page.fill("#sms_code", server.log.sms_code(phone))
        pick_region(page, "residence", ["陕西省", "西安市", "新城区", "西一路街道", "东新街社区"])
        expect(page.locator("#residence")).to_have_value("610102001001")
        page.fill("#workplace", "秦川机床厂")
        page.fill("#temperature", "36.5")
        page.click("#submit")
        expect(page.locator("#result")).to_be_visible()
        expect(page.locator("#form")).to_be_hidden()
        expect(page.locator("#qr svg")).to_be_visible()
        expect(page.locator("#banner")).to_have_class("green")
        expect(page.locator("#banner")).to_contain_text("绿码")
        expect(page.locator("#who")).to_contain_text("张*丰")
        qr = page.locator("#qr svg").bounding_box()
        assert qr is not None and qr["width"] >= 200
        assert qr["x"] >= 0 and qr["x"] + qr["width"] <= VIEWPORTS[viewport][0]
        SCREENS.mkdir(parents=True, exist_ok=True)
        shot = page.screenshot(path=str(SCREENS / f"issuance-{viewport}-code.png"), full_page=True)
        # What the phone shows is what a kiosk reads: the screenshot through its QR pipeline.
        frame = cv2.imdecode(np.frombuffer(shot, dtype=np.uint8), cv2.IMREAD_COLOR)
        texts = default_pipeline().decode(frame).texts
        assert len(texts) == 1 and texts[0].startswith("JKM1:")
        # The holder token is kept for the tab: a reload shows the code again (refreshed).
        page.reload()
        expect(page.locator("#qr svg")).to_be_visible()
    finally:
        page.context.close()
