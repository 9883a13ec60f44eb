"""One signed round trip for an idle kiosk (issue 28): every copy's freshness at once.

`GET SYNC_PATH` answers the trust list's sequence, the feed's head and the kiosk's checkpoint's
policy and roster versions, read in one statement, plus central's time (it stands in for the
heartbeat: the signed request records the kiosk's health). The kiosk then fetches only what
changed (`kiosk.client.download.Downloader`); a kiosk whose copies are current makes this one
request per round instead of five.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import Table, func, select

from central.core.deps import NowDep, SessionDep, SignedKioskDep
from central.core.errors import ApiError
from central.core.models import Checkpoint, FeedHead, TrustListRecord
from sync.distribution import SYNC_PATH
from sync.schemas import RefusalReason, SyncState

router = APIRouter(tags=["distribution"])

_TRUST: Table = TrustListRecord.__table__  # type: ignore[assignment]
_HEAD: Table = FeedHead.__table__  # type: ignore[assignment]
_CHECKPOINTS: Table = Checkpoint.__table__  # type: ignore[assignment]

_STATE = select(
    select(func.max(_TRUST.c.sequence)).scalar_subquery(),
    select(_HEAD.c.last_sequence).where(_HEAD.c.id == 1).scalar_subquery(),
    _CHECKPOINTS.c.policy_version,
    _CHECKPOINTS.c.roster_version,
)


@router.get(SYNC_PATH, response_model=SyncState)
def sync_state(kiosk: SignedKioskDep, session: SessionDep, now: NowDep) -> Response:
    """The versions of everything the kiosk keeps a copy of, and central's time."""
    row = (
        session.connection().execute(_STATE.where(_CHECKPOINTS.c.id == kiosk.checkpoint_id)).first()
    )
    if row is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "the kiosk's checkpoint is gone")
    trust_sequence, head, policy_version, roster_version = row
    state = SyncState(
        kiosk_id=kiosk.id,
        server_time=now,
        trust_list_sequence=trust_sequence,
        feed_head=int(head or 0),
        policy_version=policy_version,
        roster_version=roster_version,
    )
    return Response(
        state.model_dump_json(),
        media_type="application/json",
        headers={"cache-control": "no-store"},
    )
