"""Area risk levels, set by a region administrator inside its area, and the recompute jobs they
start."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from sqlalchemy import select

from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionDep, SessionsDep
from central.core.errors import RefusedError
from central.core.models import AreaRisk, RecomputeJob
from central.core.scope import ScopeDep
from central.issuance import changes
from central.issuance.risk_preview import preview_area_risk
from central.issuance.routers.common import PREFIX, checked_area, region_admin
from central.issuance.rules import RiskLevel
from central.issuance.schemas import (
    AreaRiskIn,
    AreaRiskOut,
    AreaRiskPreviewOut,
    ColourMoveOut,
    JobOut,
)

router = APIRouter()


@router.post(f"{PREFIX}/area-risks", status_code=202)
def set_area_risk(
    body: AreaRiskIn,
    scope: ScopeDep,
    sessions: SessionsDep,
    now: NowDep,
    request: Request,
    background: BackgroundTasks,
) -> dict[str, str]:
    """Set a level; everyone it may affect is recomputed in the background (see the job)."""
    region_admin(scope, checked_area(body.area_code))
    job_id = changes.set_area_risk(
        sessions, body.area_code, body.level, now, actor=scope.account_id
    )
    background.add_task(changes.run_job, sessions, job_id, request.app.state.clock)
    return {"job_id": job_id}


@router.get(f"{PREFIX}/area-risks/preview")
def preview_risk(
    scope: ScopeDep,
    session: SessionDep,
    now: NowDep,
    audit: AuditDep,
    area_code: Annotated[str, Query(pattern=r"^\d{6,15}$")],
    level: RiskLevel,
) -> AreaRiskPreviewOut:
    """Before setting a level: how many people it would change colour (a dry run of the
    recomputation: the same people, the same rules; nothing is written)."""
    try:
        region_admin(scope, checked_area(area_code))
    except RefusedError:
        audit.record(Action.LIST, "person", 0)  # a refused read is logged too
        raise
    found = preview_area_risk(session, area_code, level, now)
    audit.record(Action.LIST, "person", found.total)
    return AreaRiskPreviewOut(
        area_code=area_code,
        level=level.value,
        total=found.total,
        changed=found.changed,
        changes=[
            ColourMoveOut(from_colour=old, to_colour=new, people=count)
            for (old, new), count in sorted(found.changes.items())
        ],
    )


@router.get(f"{PREFIX}/area-risks")
def area_risks(scope: ScopeDep, session: SessionDep, audit: AuditDep) -> list[AreaRiskOut]:
    prefix = scope.prefix
    rows = (
        session.scalars(
            select(AreaRisk)
            .where(AreaRisk.area_code.startswith(prefix))
            .order_by(AreaRisk.area_code)
        ).all()
        if prefix
        else []
    )
    audit.record(Action.LIST, "area_risk", len(rows))
    return [
        AreaRiskOut(area_code=r.area_code, level=r.level, changed_at=r.changed_at.isoformat())
        for r in rows
    ]


@router.get(f"{PREFIX}/recompute-jobs")
def recompute_jobs(
    scope: ScopeDep,
    session: SessionDep,
    audit: AuditDep,
    job_id: Annotated[str | None, Query(max_length=36)] = None,
) -> list[JobOut]:
    """Progress of the recomputations in the reader's area, newest first."""
    prefix = scope.prefix
    query = select(RecomputeJob).order_by(RecomputeJob.created_at.desc()).limit(100)
    if job_id is not None:
        query = query.where(RecomputeJob.id == job_id)
    rows = (
        session.scalars(query.where(RecomputeJob.area_code.startswith(prefix))).all()
        if prefix
        else []
    )
    audit.record(Action.LIST, "recompute_job", len(rows))
    return [
        JobOut(
            job_id=r.id,
            area_code=r.area_code,
            reason=r.reason,
            status=r.status,
            processed=r.processed,
            changed=r.changed,
            total=r.total,
            created_at=r.created_at.isoformat(),
            finished_at=r.finished_at.isoformat() if r.finished_at else None,
        )
        for r in rows
    ]
