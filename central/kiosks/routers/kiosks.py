"""Kiosks: health and revocation for administrators (the signed heartbeat is in
`central.kiosks.fast_lane`)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionDep
from central.core.errors import ApiError
from central.core.models import Checkpoint, Kiosk
from central.core.scope import Scope, ScopeDep
from central.kiosks.schemas import KioskOut
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(tags=["kiosks"])


def kiosk_out(kiosk: Kiosk) -> KioskOut:
    return KioskOut(
        kiosk_id=kiosk.id,
        checkpoint_id=kiosk.checkpoint_id,
        enrolled_at=kiosk.enrolled_at,
        revoked_at=kiosk.revoked_at,
        last_seen_at=kiosk.last_seen_at,
        software_version=kiosk.software_version,
        backlog_records=kiosk.backlog_records,
        feed_age_s=kiosk.feed_age_s,
        clock_offset_s=kiosk.clock_offset_s,
        free_disk_bytes=kiosk.free_disk_bytes,
        error_counts=kiosk.error_counts,
    )


def _found(session: SessionDep, scope: Scope, kiosk_id: str) -> Kiosk | None:
    return session.scalars(select(Kiosk).where(Kiosk.id == kiosk_id, scope.kiosk_filter())).first()


@router.get(f"{API_PREFIX}/kiosks")
def list_kiosks(session: SessionDep, scope: ScopeDep, audit: AuditDep) -> list[KioskOut]:
    query = select(Kiosk).where(scope.kiosk_filter()).order_by(Kiosk.enrolled_at, Kiosk.id)
    rows = [kiosk_out(k) for k in session.scalars(query)]
    audit.record(Action.LIST, "kiosk", len(rows))
    return rows


@router.get(f"{API_PREFIX}/kiosks/{{kiosk_id}}")
def read_kiosk(kiosk_id: str, session: SessionDep, scope: ScopeDep, audit: AuditDep) -> KioskOut:
    kiosk = _found(session, scope, kiosk_id)
    audit.record(Action.READ, "kiosk", 0 if kiosk is None else 1)
    if kiosk is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no kiosk {kiosk_id} in your area")
    return kiosk_out(kiosk)


@router.post(f"{API_PREFIX}/kiosks/{{kiosk_id}}/revoke")
def revoke_kiosk(kiosk_id: str, session: SessionDep, now: NowDep, scope: ScopeDep) -> KioskOut:
    """Effective on the kiosk's next request: every request looks the kiosk up afresh."""
    kiosk = _found(session, scope, kiosk_id)
    if kiosk is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no kiosk {kiosk_id} in your area")
    checkpoint = session.get(Checkpoint, kiosk.checkpoint_id)
    if checkpoint is None or not scope.may_manage_checkpoint_at(
        checkpoint.area_code, checkpoint.enterprise_id
    ):
        raise ApiError(403, RefusalReason.FORBIDDEN, "your role does not manage kiosks")
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now
        session.commit()
    return kiosk_out(kiosk)
