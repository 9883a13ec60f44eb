"""One signed round trip for an idle kiosk (issue 28): every copy's freshness at once.

`GET SYNC_PATH` answers the trust list's sequence, the feed's head and the kiosk's checkpoint's
policy and roster versions, and the newest release for the platform the kiosk names
(`?platform=`, as `releases/latest` selects it), read in one statement, plus central's time
(it stands in for the heartbeat: the signed request records the kiosk's health). The kiosk then
fetches only what changed (`kiosk.client.download.Downloader`); a kiosk whose copies are
current makes this one request per round instead of five.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import Table, bindparam, func, select

from central.core.deps import NowDep, SessionDep, SignedKioskDep
from central.core.errors import ApiError
from central.core.models import Checkpoint, FeedHead, KioskRelease, TrustListRecord
from sync.distribution import SYNC_PATH
from sync.schemas import RefusalReason, SyncState

router = APIRouter(tags=["distribution"])

_TRUST: Table = TrustListRecord.__table__  # type: ignore[assignment]
_HEAD: Table = FeedHead.__table__  # type: ignore[assignment]
_CHECKPOINTS: Table = Checkpoint.__table__  # type: ignore[assignment]
_RELEASES: Table = KioskRelease.__table__  # type: ignore[assignment]

# Publishing refuses a version not newer than every release of its platform, so the newest
# published is the newest version (`central.kiosks.releases.latest_release`); the length and
# the text only break ties of a clock that did not move between two publishes.
_NEWEST_RELEASE = (
    select(_RELEASES.c.version)
    .where(_RELEASES.c.platform == bindparam("platform"))
    .order_by(
        _RELEASES.c.created_at.desc(),
        func.length(_RELEASES.c.version).desc(),
        _RELEASES.c.version.desc(),
    )
    .limit(1)
    .scalar_subquery()
)

_STATE = select(
    select(func.max(_TRUST.c.sequence)).scalar_subquery(),
    select(_HEAD.c.last_sequence).where(_HEAD.c.id == 1).scalar_subquery(),
    _CHECKPOINTS.c.policy_version,
    _CHECKPOINTS.c.roster_version,
    _NEWEST_RELEASE,
)

Platform = Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[a-z0-9_.-]+$")]


@router.get(SYNC_PATH, response_model=SyncState)
def sync_state(
    kiosk: SignedKioskDep, session: SessionDep, now: NowDep, platform: Platform = None
) -> Response:
    """The versions of everything the kiosk keeps a copy of, and central's time."""
    statement = _STATE.where(_CHECKPOINTS.c.id == kiosk.checkpoint_id)
    row = session.connection().execute(statement, {"platform": platform}).first()
    if row is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "the kiosk's checkpoint is gone")
    trust_sequence, head, policy_version, roster_version, release_version = row
    state = SyncState(
        kiosk_id=kiosk.id,
        server_time=now,
        trust_list_sequence=trust_sequence,
        feed_head=int(head or 0),
        policy_version=policy_version,
        roster_version=roster_version,
        release_version=release_version,
    )
    return Response(
        state.model_dump_json(),
        media_type="application/json",
        headers={"cache-control": "no-store"},
    )
