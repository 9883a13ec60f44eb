"""The region tree, as far as it lies in the reader's area: lists, and the region picker's
search, children and path (central/core/region_search.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from sqlalchemy import select

from central.core import region_search
from central.core.audit import Action, AuditDep
from central.core.deps import SessionDep
from central.core.errors import ApiError
from central.core.models import Region
from central.core.regions import LEVEL_NAMES, Level
from central.core.schemas import ApiModel
from central.core.scope import ScopeDep
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/regions", tags=["regions"])
MAX_ROWS = 5000


class RegionOut(ApiModel):
    code: str
    level: int = Field(ge=1, le=6)
    level_name: str
    parent_code: str | None
    name_zh: str
    name_en: str | None


def region_out(region: Region) -> RegionOut:
    return RegionOut(
        code=region.code,
        level=region.level,
        level_name=LEVEL_NAMES[Level(region.level)][1],
        parent_code=region.parent_code,
        name_zh=region.name_zh,
        name_en=region.name_en,
    )


class RegionHitOut(ApiModel):
    """A region as the picker shows it: names, the names above it, whether it has children."""

    code: str
    level: int = Field(ge=1, le=6)
    level_name_zh: str
    level_name_en: str
    name_zh: str
    name_en: str | None
    path_zh: str
    path_en: str
    has_children: bool


def hits_out(hits: list[region_search.RegionHit]) -> list[RegionHitOut]:
    return [RegionHitOut.model_validate(hit, from_attributes=True) for hit in hits]


SearchQuery = Annotated[str, Query(max_length=region_search.MAX_QUERY_CHARS)]
LimitQuery = Annotated[int, Query(ge=1, le=region_search.MAX_LIMIT)]
ParentQuery = Annotated[str | None, Query(pattern=r"^\d{6,15}$")]


@router.get("/search")
def search_regions(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    q: SearchQuery = "",
    limit: LimitQuery = 20,
) -> list[RegionHitOut]:
    """Regions of the reader's area by Chinese name, pinyin, pinyin initials ("blq" finds
    碑林区) or the beginning of the code; exact matches first, then by level and code."""
    hits = []
    if scope.prefix is not None:
        hits = region_search.search(session, q, area=scope.area, limit=limit)
    audit.record(Action.LIST, "region", len(hits))
    return hits_out(hits)


@router.get("/children")
def region_children(
    session: SessionDep, scope: ScopeDep, audit: AuditDep, parent: ParentQuery = None
) -> list[RegionHitOut]:
    """The regions one level below `parent`; with none, the reader's own area."""
    hits = []
    if scope.prefix is not None:
        hits = region_search.children(session, parent, area=scope.area)
    audit.record(Action.LIST, "region", len(hits))
    return hits_out(hits)


@router.get("/{region_code}/path")
def region_path(
    region_code: str, session: SessionDep, scope: ScopeDep, audit: AuditDep
) -> list[RegionHitOut]:
    """The region and the regions above it down from the reader's area, top first."""
    found = None
    if scope.prefix is not None:
        found = region_search.path(session, region_code, area=scope.area)
    audit.record(Action.READ, "region", 1 if found else 0)
    if not found:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no region {region_code} in your area")
    return hits_out(found)


@router.get("")
def list_regions(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    parent: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
) -> list[RegionOut]:
    """The regions of the reader's area (its own included); `parent` narrows to its children."""
    query = select(Region).where(scope.region_filter())
    if parent is not None:
        query = query.where(Region.parent_code == parent)
    rows = [region_out(r) for r in session.scalars(query.order_by(Region.code).limit(MAX_ROWS))]
    audit.record(Action.LIST, "region", len(rows))
    return rows


@router.get("/{region_code}")
def read_region(
    region_code: str, session: SessionDep, scope: ScopeDep, audit: AuditDep
) -> RegionOut:
    region = session.scalars(
        select(Region).where(Region.code == region_code, scope.region_filter())
    ).first()
    audit.record(Action.READ, "region", 0 if region is None else 1)
    if region is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no region {region_code} in your area")
    return region_out(region)
