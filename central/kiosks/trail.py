"""A person's checkpoint records for the duty staff (Hainan 3.1: 值守人员可以查看该进出人员的所有
关口记录): the passages of one code at the checkpoints of the asking kiosk's area (the county
of its checkpoint), over the last `TRAIL_DAYS` days, newest first.

Scoped by the kiosk's own checkpoint, never wider; every answer is written to the audit log
(actor: the kiosk) with its row count, never the code id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.cipher import RecordCipher
from central.core.kiosk_auth import SignedKiosk
from central.core.models import AuditEntry, Checkpoint, ReceivedPassage
from sync.schemas import MAX_TRAIL_ENTRIES, TRAIL_DAYS, TRAIL_PATH, TrailAnswer, TrailEntry

AUDIT_ROUTE = f"POST {TRAIL_PATH}"


def trail_of(
    session: Session,
    cipher: RecordCipher,
    kiosk: SignedKiosk,
    issuer: str,
    code_id: bytes,
    now: datetime,
) -> TrailAnswer:
    region = session.scalar(
        select(Checkpoint.region_code).where(Checkpoint.id == kiosk.checkpoint_id)
    )
    area = region or ""
    since = now - timedelta(days=TRAIL_DAYS)
    p = ReceivedPassage
    query = (
        select(
            p.at,
            Checkpoint.name,
            p.outcome,
            p.colour_applied,
            p.temperature_celsius,
            p.fever,
            p.direction,
        )
        .join(Checkpoint, Checkpoint.id == p.checkpoint_id)
        .where(
            p.code_ix == cipher.code_index(issuer, code_id),
            p.region_code == area,
            p.at >= since,
        )
        .order_by(p.at.desc(), p.id)
        .limit(MAX_TRAIL_ENTRIES)
    )
    entries = [
        TrailEntry(
            at=row.at,
            checkpoint_name=row.name,
            outcome=row.outcome,
            colour_applied=row.colour_applied,
            temperature_celsius=row.temperature_celsius,
            fever=row.fever,
            direction=row.direction,
        )
        for row in session.execute(query)
    ]
    session.add(
        AuditEntry(
            at=now,
            actor_id=kiosk.id,
            actor_role="kiosk",
            actor_area=area,
            actor_enterprise_id=None,
            action="read",
            object_type="passage_trail",
            route=AUDIT_ROUTE,
            scope=f"region:{area}",
            row_count=len(entries),
        )
    )
    session.commit()  # logged before the data leaves the server
    return TrailAnswer(region_code=area, since=since, entries=entries)
