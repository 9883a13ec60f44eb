"""Reports: the daily push file of one day, for the caller's scope, as a download."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from central.audit import Action, AuditDep
from central.deps import KeysDep, NowDep, SessionDep
from central.ingest import record_cipher
from central.models import ReceivedPassage
from central.reports import (
    PushRow,
    previous_day,
    push_file_name,
    push_rows,
    render_push_csv,
)
from central.scope import ScopeDep
from sync.schemas import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/reports", tags=["reports"])


@router.get("/daily", response_class=Response)
def daily_report(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    keys: KeysDep,
    now: NowDep,
    day: Annotated[date | None, Query(description="local day (default: yesterday)")] = None,
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
