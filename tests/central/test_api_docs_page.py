"""The API's documentation page (`/docs`) in Debian's headless Chromium with no internet: every
request to a host other than central's own is refused, and the page still shows the
operations, its Swagger UI files coming from central itself. With `api_docs = false` the page
and the OpenAPI document are gone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from central.web.api_docs import ASSETS_PATH
from tests.central.browser_world import CHROMIUM, UI_TIMEOUT_MS
from tests.central.conftest import Central, start_central
from tests.central.test_region_picker_page import VIEWPORTS, _shot
from tests.central.test_region_picker_page import server as server

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: install Debian's chromium package (bash build/setup.sh does)",
)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_api_docs_show_the_operations_with_no_internet(
    server: Any,
    browser: Any,
    viewport: str,
) -> None:
    from playwright.sync_api import Route, expect

    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(UI_TIMEOUT_MS)
    refused: list[str] = []

    def only_central(route: Route) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_central)
    page = context.new_page()
    try:
        page.goto(server.url + "/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Health-code central")
        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible()
        assert operations.count() > 20
        expect(
            page.locator(".opblock-summary-path", has_text="/api/v1/regions/search")
        ).to_have_count(1)
        _shot(page, f"api-docs-{viewport}")
        assert not [url for url in refused if ASSETS_PATH not in url]
    finally:
        context.close()


@pytest.fixture
def central_without_docs(settings: Any, clock: Any) -> Iterator[Central]:
    yield from start_central(settings.model_copy(update={"api_docs": False}), clock)


def test_switched_off_the_docs_and_the_openapi_document_are_not_served(
    central_without_docs: Central,
) -> None:
    client = central_without_docs.client
    for path in ("/docs", "/openapi.json", f"{ASSETS_PATH}/swagger-ui-bundle.js"):
        assert client.get(path).status_code == 404, path


def test_only_the_named_swagger_files_are_served(server: Any) -> None:
    import httpx

    assert httpx.get(f"{server.url}{ASSETS_PATH}/swagger-ui.css").status_code == 200
    for name in ("core.py", "..%2f__init__.py", "redoc.standalone.js"):
        assert httpx.get(f"{server.url}{ASSETS_PATH}/{name}").status_code == 404, name
