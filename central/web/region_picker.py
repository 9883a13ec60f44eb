"""What the region picker (templates/_region_picker.html, static/region-picker.js) calls.

Two sets of the same three JSON answers (search, children, path; central/core/region_search.py):
- `/admin/regions/...` for the administration pages: the session cookie's scope, so a form
  offers only regions of the account's area;
- `/api/v1/issuance/regions/...` for the public self-declaration page: the whole tree, no
  login, limited per client address (counted in the process: `ratelimit.MemoryWindows`).
Its script and style sheet are served here too (`/static/region-picker.*`), from the package.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

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
from central.core.scope import PUBLIC_ROUTES, PageScopeDep
from central.web.render import HEADERS, STATIC
from sync.schemas import API_PREFIX, RefusalReason

PUBLIC_PREFIX = f"{API_PREFIX}/issuance/regions"
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
        ("GET", f"{PUBLIC_PREFIX}/{{region_code}}/path"): "a region's names (public, limited)",
        ("GET", ASSETS_PATH + "/{name}"): "the region picker's script and style sheet",
    }
)


@router.get(ASSETS_PATH + "/{name}")
def picker_asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        return Response(status_code=404)
    return Response(
        (STATIC / name).read_bytes(),
        media_type=media_type,
        headers={
            "Cache-Control": "max-age=3600",
            "X-Content-Type-Options": HEADERS["X-Content-Type-Options"],
        },
    )


# ------------------------------------------------------------ administration pages (cookie)


@router.get(f"{PAGE_PREFIX}/search")
def page_search(
    session: SessionDep, scope: PageScopeDep, q: SearchQuery, limit: LimitQuery = 20
) -> list[RegionHitOut]:
    if scope.prefix is None:
        return []
    return hits_out(region_search.search(session, q, area=scope.area, limit=limit))


@router.get(f"{PAGE_PREFIX}/children")
def page_children(
    session: SessionDep, scope: PageScopeDep, parent: ParentQuery = None
) -> list[RegionHitOut]:
    if scope.prefix is None:
        return []
    return hits_out(region_search.children(session, parent, area=scope.area))


@router.get(f"{PAGE_PREFIX}/{{region_code}}/path")
def page_path(region_code: str, session: SessionDep, scope: PageScopeDep) -> list[RegionHitOut]:
    found = None
    if scope.prefix is not None:
        found = region_search.path(session, region_code, area=scope.area)
    if not found:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no region {region_code} in your area")
    return hits_out(found)


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
    q: SearchQuery,
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


@public_router.get(f"{PUBLIC_PREFIX}/{{region_code}}/path")
def public_path(
    region_code: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> list[RegionHitOut]:
    """The region and every region above it, top first."""
    _limit(request, settings.region_lookups_per_minute, now)
    found = region_search.path(session, region_code, area=None)
    if not found:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no region {region_code}")
    return hits_out(found)
