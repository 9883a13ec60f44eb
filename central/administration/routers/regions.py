"""The region tree, as far as it lies in the reader's area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from sqlalchemy import select

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
