"""What the central browser tests share: Debian's headless Chromium (never a downloaded browser)
driven through playwright, the app served by uvicorn on loopback, a page at a viewport size
and a language, and a screenshot taken after checking that nothing is wider than the window.

A test module imports the `browser` fixture by name (`from tests.central.browser_world import
browser`) and marks itself with `needs_chromium`; its own world fixture builds the app and
serves it with `serve(app)`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
UI_TIMEOUT_MS = 30_000
READY_TIMEOUT_S = 30.0
WEB_SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: install Debian's chromium package (bash build/setup.sh does)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, on a thread: its base URL. The
    app's database engine is disposed of when the server stops."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        threading.Event().wait(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=READY_TIMEOUT_S)
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(
    browser: object, size: tuple[int, int], locale: str = "zh-CN", *, downloads: bool = False
) -> Any:
    """A page in a context of its own (its own cookies: one account per context)."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, accept_downloads=downloads
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context.new_page()


def save_fitting(page: Any, path: Path, what: str) -> None:
    """Save the whole page as `path`, after checking that nothing is wider than the window.
    Chromium scrolls for a full-page capture and puts the scroll back only at the next input:
    it is put back at once, as the tester found it."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} is wider than the window by {overflow}px"
    path.parent.mkdir(parents=True, exist_ok=True)
    scrolled = page.evaluate("window.scrollY")
    page.screenshot(path=str(path), full_page=True)
    page.evaluate(f"window.scrollTo(0, {scrolled})")
