"""The kiosk fleet: checkpoints with their kiosks and each kiosk's reported health."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter
from sqlalchemy import select

from central.core.audit import Action, AuditDep
from central.core.deps import SessionDep
from central.core.models import Checkpoint, Kiosk
from central.core.schemas import ApiModel
from central.core.scope import ScopeDep
from central.kiosks.routers.kiosks import kiosk_out
from central.kiosks.schemas import KioskOut
from sync.schemas import API_PREFIX

router = APIRouter(tags=["kiosks"])


class FleetCheckpointOut(ApiModel):
    checkpoint_id: str
    name: str
    region_code: str
    area_code: str
    kiosks: list[KioskOut]


@router.get(f"{API_PREFIX}/fleet")
def list_fleet(session: SessionDep, scope: ScopeDep, audit: AuditDep) -> list[FleetCheckpointOut]:
    """Every checkpoint of the caller's scope, with or without kiosks; revoked kiosks included
    (with `revoked_at`). Health is as the kiosk last reported it in a signed request."""
    kiosks: dict[str, list[KioskOut]] = defaultdict(list)
    for kiosk in session.scalars(
        select(Kiosk).where(scope.kiosk_filter()).order_by(Kiosk.enrolled_at, Kiosk.id)
    ):
        kiosks[kiosk.checkpoint_id].append(kiosk_out(kiosk))
    rows = [
        FleetCheckpointOut(
            checkpoint_id=checkpoint.id,
            name=checkpoint.name,
            region_code=checkpoint.region_code,
            area_code=checkpoint.area_code,
            kiosks=kiosks.get(checkpoint.id, []),
        )
        for checkpoint in session.scalars(
            select(Checkpoint)
            .where(scope.checkpoint_filter())
            .order_by(Checkpoint.area_code, Checkpoint.name, Checkpoint.id)
        )
    ]
    audit.record(Action.LIST, "kiosk", sum(len(r.kiosks) for r in rows))
    return rows
