"""Choosing a region in a page's region picker as a person would: by tapping down the levels,
or by typing a few letters into its search and tapping the result (playwright, any page)."""

from __future__ import annotations

from typing import Any


def pick_region(page: Any, field: str, names: list[str]) -> None:
    """Tap the picker of the hidden input `field`, then each name in turn, top first; a region
    that has regions below is chosen with the panel's "choose" button."""
    from playwright.sync_api import expect

    root = page.locator(f"#{field}-picker")
    root.locator(".rp-open").click()
    expect(root.locator(".rp-panel")).to_be_visible()
    for name in names:
        root.locator(f".rp-item:has(.rp-name:text-is('{name}'))").click()
    if root.locator(".rp-panel").is_visible():
        here = root.locator(".rp-here")
        expect(here).to_contain_text(names[-1])
        here.click()
    expect(root.locator(".rp-panel")).to_be_hidden()
    expect(root.locator(".rp-chosen")).to_have_text(names[-1])


def search_region(page: Any, field: str, query: str, name: str) -> None:
    """Open the picker of `field`, type `query` into its search and tap the result `name`."""
    from playwright.sync_api import expect

    root = page.locator(f"#{field}-picker")
    root.locator(".rp-open").click()
    root.locator(".rp-search").fill(query)
    expect(root.locator('.rp-list[data-showing="search"]')).to_be_visible()
    root.locator(f".rp-item:has(.rp-name:text-is('{name}'))").click()
    expect(root.locator(".rp-panel")).to_be_hidden()
    expect(root.locator(".rp-chosen")).to_have_text(name)
