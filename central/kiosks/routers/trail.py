"""The duty staff's view of the person in front of them: a code's passages in the kiosk's area
over 14 days (signed kiosk request, scoped to its checkpoint's county, audited)."""

from __future__ import annotations

from fastapi import APIRouter

from central.core.cipher import record_cipher
from central.core.deps import KeysDep, NowDep, SessionDep, SignedKioskDep
from central.kiosks.trail import trail_of
from sync.schemas import TRAIL_PATH, TrailAnswer, TrailRequest

router = APIRouter(tags=["kiosks"])


@router.post(TRAIL_PATH)
def trail(
    body: TrailRequest, kiosk: SignedKioskDep, session: SessionDep, keys: KeysDep, now: NowDep
) -> TrailAnswer:
    """Newest first; an empty list when the code passed nowhere in the area."""
    return trail_of(session, record_cipher(keys.path), kiosk, body.issuer, body.code_id, now)
