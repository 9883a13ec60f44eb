"""The region tree, as far as it lies in the reader's area: lists, and the region picker's
search, children and path (central/core/region_search.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import select

from central.core import region_search
from central.core.audit import Action, AuditDep
from central.core.deps import SessionDep
from central.core.errors import ApiError
from central.core.models import Region
from central.core.regions import LEVEL_NAMES, Level, check_region_file, level_of, load_regions
from central.core.schemas import ApiModel
from central.core.scope import Role, Scope, ScopeDep
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/regions", tags=["regions"])
MAX_ROWS = 5000
MAX_REGION_FILE_BYTES = 8 * 1024 * 1024  # a province's towns and villages: ~100,000 lines


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


# ---------------------------------------------------------------- loading a region file


class RegionLineOut(ApiModel):
    line: int
    problem: str  # central.core.regions.FileProblem
    code: str


class RegionLoadOut(ApiModel):
    loaded: int
    errors: list[RegionLineOut]


def may_load_regions(scope: Scope) -> bool:
    """The province's administrator (a region administrator whose area is a province): the
    page's and the API's rule; `central regions load` on the server is for whoever runs it."""
    if scope.role is not Role.REGION_ADMIN or scope.area is None:
        return False
    try:
        return level_of(scope.area) is Level.PROVINCE
    except ValueError:
        return False


def load_region_text(
    text: str, session: SessionDep, scope: ScopeDep, audit: AuditDep
) -> RegionLoadOut:
    """Check the whole file first; load it (an upsert) only when every line is right."""
    if not may_load_regions(scope) or scope.area is None:
        raise ApiError(
            403, RefusalReason.FORBIDDEN, "only the province's administrator loads region files"
        )
    rows, problems = check_region_file(session, text, scope.area)
    if problems:
        session.rollback()
        audit.record(Action.IMPORT, "region", 0)
        return RegionLoadOut(
            loaded=0,
            errors=[RegionLineOut(line=p.line, problem=p.problem, code=p.code) for p in problems],
        )
    loaded = load_regions(session, rows)
    audit.record(Action.IMPORT, "region", loaded)  # commits the regions with the entry
    return RegionLoadOut(loaded=loaded, errors=[])


async def _file_body(request: Request) -> bytes:
    return await request.body()


@router.post("/load")
def load_region_file(
    raw: Annotated[bytes, Depends(_file_body)],
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
) -> JSONResponse:
    """A region file as the body (`text/csv`, UTF-8, the format of `central regions load`):
    loaded whole when every line is right (200, `loaded`), else nothing and 422 with one
    error per wrong line (`line`, `problem`, `code`)."""
    if len(raw) > MAX_REGION_FILE_BYTES:
        raise ApiError(413, RefusalReason.BAD_REQUEST, "the file is too large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, RefusalReason.BAD_REQUEST, "the file is not UTF-8") from None
    out = load_region_text(text, session, scope, audit)
    return JSONResponse(out.model_dump(mode="json"), status_code=422 if out.errors else 200)
