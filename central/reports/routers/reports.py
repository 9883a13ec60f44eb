"""Reports: the daily push file of one day and the weekly usage statistics, for the caller's
scope, as downloads."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from central.core.audit import Action, AuditDep
from central.core.cipher import record_cipher
from central.core.deps import KeysDep, NowDep, SessionDep
from central.core.models import ReceivedPassage, SceneRecord
from central.core.scope import ScopeDep
from central.reports.daily import (
    PushRow,
    previous_day,
    push_file_name,
    push_rows,
    render_push_csv,
)
from central.reports.scenes import SceneCounts, scene_counts
from central.reports.usage import (
    previous_week,
    render_usage_csv,
    usage_file_name,
    weekly_usage,
)
from sync.bounds import Day
from sync.schemas import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/reports", tags=["reports"])


@router.get("/daily", response_class=Response)
def daily_report(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    keys: KeysDep,
    now: NowDep,
    day: Annotated[Day | None, Query(description="local day (default: yesterday)")] = None,
) -> Response:
    """The push format (docs/reports.md) of the day's passages at the caller's checkpoints."""
    chosen = day or previous_day(now)
    rows: list[PushRow] = list(
        push_rows(
            session,
            record_cipher(keys.path),
            chosen,
            where=ReceivedPassage.checkpoint_id.in_(scope.visible_checkpoint_ids()),
        )
    )
    audit.record(Action.EXPORT, "passage", len(rows))
    return Response(
        render_push_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{push_file_name(chosen)}"'},
    )


@router.get("/weekly", response_class=Response)
def weekly_report(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    now: NowDep,
    week: Annotated[
        str | None,
        Query(max_length=16, description="ISO week, e.g. 2026-W47 (default: last week)"),
    ] = None,
) -> Response:
    """Weekly usage statistics (docs/reports.md) of the caller's checkpoints, as CSV."""
    chosen = week or previous_week(now)
    rows = weekly_usage(
        session,
        chosen,
        where=ReceivedPassage.checkpoint_id.in_(scope.visible_checkpoint_ids()),
    )
    audit.record(Action.EXPORT, "usage", len(rows))
    return Response(
        render_usage_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{usage_file_name(chosen)}"'},
    )


@router.get("/scenes")
def scenes_report(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    now: NowDep,
    day: Annotated[Day | None, Query(description="local day (default: today)")] = None,
) -> list[SceneCounts]:
    """Issue 25: pharmacy purchases and clinic visits per region code of the caller's
    checkpoints, for one local day (counts only)."""
    chosen = day or (previous_day(now) + timedelta(days=1))
    rows = scene_counts(
        session,
        chosen,
        where=SceneRecord.checkpoint_id.in_(scope.visible_checkpoint_ids()),
    )
    audit.record(Action.EXPORT, "scene_counts", len(rows))
    return rows
