"""What the region picker (templates/_region_picker.html, static/region-picker.js) calls.

Two sets of the same three JSON answers (`search?q=`, `children?parent=`, `path?code=`;
central/core/region_search.py):
- `/admin/regions/...` for the administration pages: the API's router functions with the session
  cookie's scope and the page's auditor, so a form offers only regions of the account's area;
- `/api/v1/issuance/regions/...` for the public self-declaration page: the whole tree, no
  login, limited per client address (counted in the process: `ratelimit.MemoryWindows`).
Its script and style sheet are served here too (`/static/region-picker.*`), from the package.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from central.administration.routers import regions as regions_api
from central.administration.routers.regions import (
    LimitQuery,
    ParentQuery,
    RegionHitOut,
    SearchQuery,
    hits_out,
)
from central.core import ratelimit, region_search
from central.core.deps import NowDep, SessionDep, SettingsDep
from central.core.errors import ApiError
from central.core.scope import PUBLIC_ROUTES
from central.web.render import STATIC, IssuingViewerDep, static_file
from sync.schemas import API_PREFIX, RefusalReason

PUBLIC_PREFIX = f"{API_PREFIX}/issuance/regions"
CodeQuery = Annotated[str | None, Query(max_length=15)]
PAGE_PREFIX = "/admin/regions"
ASSETS_PATH = "/static"
# The only files served there, with their media types.
ASSETS = {
    "region-picker.js": "text/javascript; charset=utf-8",
    "region-picker.css": "text/css; charset=utf-8",
}

router = APIRouter(include_in_schema=False)
public_router = APIRouter(tags=["issuance"])

PUBLIC_ROUTES.update(
    {
        ("GET", f"{PUBLIC_PREFIX}/search"): "regions by name (public reference data, rate-limited)",
        ("GET", f"{PUBLIC_PREFIX}/children"): "the regions below one (public, rate-limited)",
        ("GET", f"{PUBLIC_PREFIX}/path"): "a region's names (public reference data, rate-limited)",
        ("GET", ASSETS_PATH + "/{name}"): "the region picker's script and style sheet",
    }
)


@router.get(ASSETS_PATH + "/{name}")
def picker_asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        return Response(status_code=404)
    return static_file(STATIC / name, media_type)


# ------------------------------------------------------------ administration pages (cookie)
# The API's router functions with the page's scope and auditor, as every page reads.


@router.get(f"{PAGE_PREFIX}/search")
def page_search(
    viewer: IssuingViewerDep, q: SearchQuery = "", limit: LimitQuery = 20
) -> list[RegionHitOut]:
    return regions_api.search_regions(viewer.session, viewer.scope, viewer.audit, q, limit)


@router.get(f"{PAGE_PREFIX}/children")
def page_children(viewer: IssuingViewerDep, parent: ParentQuery = None) -> list[RegionHitOut]:
    return regions_api.region_children(viewer.session, viewer.scope, viewer.audit, parent)


@router.get(f"{PAGE_PREFIX}/path")
def page_path(viewer: IssuingViewerDep, code: CodeQuery = None) -> list[RegionHitOut]:
    if code is None:
        return []
    return regions_api.region_path(code, viewer.session, viewer.scope, viewer.audit)


# ------------------------------------------------------------------ the public page (no login)


def _limit(request: Request, limit: int, now: datetime) -> None:
    client = request.client.host if request.client is not None else "unknown"
    windows: ratelimit.MemoryWindows = request.app.state.region_lookups
    if not windows.hit(f"regions:{client}", limit, now):
        raise ApiError(429, RefusalReason.RATE_LIMITED, "too many region look-ups; wait a minute")


@public_router.get(f"{PUBLIC_PREFIX}/search")
def public_search(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    q: SearchQuery = "",
    limit: LimitQuery = 20,
) -> list[RegionHitOut]:
    """Regions by Chinese name, pinyin, pinyin initials or code, for the declaration page."""
    _limit(request, settings.region_lookups_per_minute, now)
    return hits_out(region_search.search(session, q, area=None, limit=limit))


@public_router.get(f"{PUBLIC_PREFIX}/children")
def public_children(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    parent: ParentQuery = None,
) -> list[RegionHitOut]:
    """The regions one level below `parent`; with none, the provinces."""
    _limit(request, settings.region_lookups_per_minute, now)
    return hits_out(region_search.children(session, parent, area=None))


@public_router.get(f"{PUBLIC_PREFIX}/path")
def public_path(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    code: CodeQuery = None,
) -> list[RegionHitOut]:
    """The region `code` and every region above it, top first (none asked: an empty list)."""
    _limit(request, settings.region_lookups_per_minute, now)
    if code is None:
        return []
    found = region_search.path(session, code, area=None)
    if not found:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no region {code}")
    return hits_out(found)
