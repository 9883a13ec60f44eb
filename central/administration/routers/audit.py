"""The audit log, readable within scope: the level above reviews the reads of its area."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from central.core.audit import Action, AuditDep
from central.core.deps import SessionDep
from central.core.models import AuditEntry
from central.core.schemas import ApiModel
from central.core.scope import ScopeDep
from sync.bounds import MAX_INT64, Instant
from sync.schemas import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/audit", tags=["audit"])
PAGE_ROWS = 500


class AuditEntryOut(ApiModel):
    entry_id: int
    at: datetime
    actor_id: str
    actor_role: str
    actor_area: str
    actor_enterprise_id: str | None
    action: str
    object_type: str
    route: str
    scope: str
    row_count: int


@router.get("")
def list_audit_entries(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_INT64, description="entries older than this id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_ROWS)] = 100,
    actor_id: Annotated[str | None, Query(max_length=36, description="who read")] = None,
    action: Annotated[str | None, Query(pattern="^(list|read|export)$")] = None,
    object_type: Annotated[str | None, Query(pattern="^[a-z_]{1,32}$")] = None,
    since: Annotated[Instant | None, Query(description="entries at or after")] = None,
    until: Annotated[Instant | None, Query(description="entries before")] = None,
) -> list[AuditEntryOut]:
    """Newest first; page with `before` = the last entry id of the previous page. The filters
    narrow within what the scope shows: who, what, and when."""
    query = select(AuditEntry).where(scope.audit_filter())
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    rows = [
        AuditEntryOut(
            entry_id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            actor_role=e.actor_role,
            actor_area=e.actor_area,
            actor_enterprise_id=e.actor_enterprise_id,
            action=e.action,
            object_type=e.object_type,
            route=e.route,
            scope=e.scope,
            row_count=e.row_count,
        )
        for e in session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))
    ]
    audit.record(Action.LIST, "audit_entry", len(rows))
    return rows
