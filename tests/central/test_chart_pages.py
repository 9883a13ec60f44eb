"""The dashboard's and the reports page's charts in Debian's headless Chromium, with every
address but central's own blocked: the chart library comes from central, not a CDN. Saved as
screenshots at phone and desktop size in both languages (artifacts/web/charts-*)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.central.test_web_pages import VIEWPORTS, World, _log_in, _page, _shot, world

__all__ = ["world"]  # the module's fixture, shared (the browser comes from conftest)


def _offline(page: Any, world: World) -> list[str]:
    """Abort every request that is not to central; the list of what was asked elsewhere."""
    elsewhere: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(world.url):
            request_route.continue_()
        else:
            elsewhere.append(url)
            request_route.abort()

    page.context.route("**/*", route)
    return elsewhere


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_dashboard_and_reports_draw_their_charts_with_no_internet(
    world: World, browser: object, viewport: str, language: str
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, viewport)
    elsewhere = _offline(page, world)
    try:
        _log_in(page, world, "xincheng")
        page.goto(f"{world.url}/admin?lang={language}")
        for chart in ("outcomes", "fleet"):
            drawn = page.locator(f'[data-chart="{chart}"][data-drawn="1"]')
            expect(drawn).to_have_count(1)
            expect(drawn.locator("canvas")).to_have_count(1)
        box = page.locator('[data-chart="outcomes"]').bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 200
        expect(page.locator("#alerts")).not_to_have_text("0")  # today's fever is an alert
        _shot(page, f"charts-dashboard-{language}", viewport)

        page.goto(f"{world.url}/admin/reports?lang={language}")
        expect(page.locator('[data-chart="outcomes"][data-drawn="1"] canvas')).to_have_count(1)
        heading = "Checks of the day" if language == "en" else "当日核验统计"
        expect(page.locator("h2").first).to_contain_text(heading)
        expect(page.locator("#day-passages")).not_to_have_text("0")  # opens on today
        _shot(page, f"charts-reports-{language}", viewport)
        page.select_option("#days", "30")
        page.locator("#report-day button").click()
        expect(page.locator("#week tbody tr")).to_have_count(30)
        expect(page.locator('[data-chart="outcomes"][data-drawn="1"] canvas')).to_have_count(1)
        _shot(page, f"charts-reports-30-{language}", viewport)
        assert elsewhere == []  # nothing was asked of any other address
    finally:
        page.context.close()
