"""Kiosks: the signed heartbeat, and health and revocation for administrators."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from central.deps import CurrentAdminDep, NowDep, SessionDep, SignedKioskDep
from central.errors import ApiError
from central.models import Kiosk
from central.schemas import KioskOut
from sync.schemas import API_PREFIX, HEARTBEAT_PATH, HeartbeatAck, RefusalReason

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


@router.post(HEARTBEAT_PATH)
def heartbeat(kiosk: SignedKioskDep, now: NowDep) -> HeartbeatAck:
    """A signed no-op: proves the kiosk's identity and records its health."""
    return HeartbeatAck(kiosk_id=kiosk.id, server_time=now)


@router.get(f"{API_PREFIX}/kiosks")
def list_kiosks(session: SessionDep, _admin: CurrentAdminDep) -> list[KioskOut]:
    return [kiosk_out(k) for k in session.scalars(select(Kiosk).order_by(Kiosk.enrolled_at))]


@router.get(f"{API_PREFIX}/kiosks/{{kiosk_id}}")
def read_kiosk(kiosk_id: str, session: SessionDep, _admin: CurrentAdminDep) -> KioskOut:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no kiosk {kiosk_id}")
    return kiosk_out(kiosk)


@router.post(f"{API_PREFIX}/kiosks/{{kiosk_id}}/revoke")
def revoke_kiosk(
    kiosk_id: str, session: SessionDep, now: NowDep, _admin: CurrentAdminDep
) -> KioskOut:
    """Effective on the kiosk's next request: every request looks the kiosk up afresh."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no kiosk {kiosk_id}")
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now
        session.commit()
    return kiosk_out(kiosk)
