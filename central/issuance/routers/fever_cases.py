"""Fever cases reported by the kiosks of the reader's checkpoints, and their decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionDep, SessionsDep
from central.core.errors import ApiError
from central.core.models import FeverCase
from central.core.scope import Role, ScopeDep
from central.issuance import changes
from central.issuance.routers.common import PREFIX, KeysDep
from central.issuance.schemas import ColourOut, FeverCaseOut, FeverDecisionIn
from sync.schemas import RefusalReason

router = APIRouter()


@router.get(f"{PREFIX}/fever-cases")
def fever_cases(
    scope: ScopeDep,
    session: SessionDep,
    audit: AuditDep,
    status: Annotated[str, Query(pattern="^(open|confirmed|dismissed|closed)$")] = "open",
) -> list[FeverCaseOut]:
    """Fever reports from the reader's checkpoints: no names, no code ids."""
    rows = session.scalars(
        select(FeverCase)
        .where(
            FeverCase.checkpoint_id.in_(scope.visible_checkpoint_ids()), FeverCase.status == status
        )
        .order_by(
            FeverCase.decided_at.desc() if status != "open" else FeverCase.at.desc(),
            FeverCase.at.desc(),
        )
        .limit(500)
    ).all()
    audit.record(Action.LIST, "fever_case", len(rows))
    return [
        FeverCaseOut(
            case_id=r.id,
            checkpoint_id=r.checkpoint_id,
            at=r.at.isoformat(),
            temperature_celsius=r.temperature_celsius,
            status=r.status,
            decision_reason=changes.FeverReason(r.decision_reason) if r.decision_reason else None,
            decided_at=r.decided_at.isoformat() if r.decided_at else None,
            decided_by=r.decided_by,
        )
        for r in rows
    ]


_DECIDERS = {Role.REGION_ADMIN, Role.SUPERVISOR, Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_STAFF}


@router.post(f"{PREFIX}/fever-cases/{{case_id}}/decision")
def decide_fever_case(
    case_id: str,
    body: FeverDecisionIn,
    scope: ScopeDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    audit: AuditDep,
) -> ColourOut:
    """Confirm (the holder's colour turns yellow) or dismiss a kiosk's fever report, with a
    reason that fits the decision (kept with the case); the decision is audited."""
    with sessions() as session:
        visible = session.scalar(
            select(FeverCase.id).where(
                FeverCase.id == case_id, FeverCase.checkpoint_id.in_(scope.visible_checkpoint_ids())
            )
        )
    audit.record(Action.READ, "fever_case", 1 if visible else 0)
    if visible is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "no such fever case in your area")
    if scope.role not in _DECIDERS:
        raise ApiError(403, RefusalReason.FORBIDDEN, "your role does not decide fever cases")
    colour = changes.decide_fever_case(
        sessions,
        case_id,
        body.decision,
        keys.issuer,
        now,
        actor=scope.account_id,
        reason=body.reason,
    )
    audit.record(Action.DECIDE, "fever_case", 1)
    return ColourOut(colour=colour.value if colour else None)
