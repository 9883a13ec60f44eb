"""What kiosks download (issue 11): trust list, status feed, policy and staff roster.

Every request is a signed kiosk request; every answer body is signed (`application/cose`, see
`sync.distribution`). The trust list, policy and roster answer `304 Not Modified` to an
`If-None-Match` naming the version the kiosk holds. The feed answers deltas after a sequence
(`after`, at most `limit` entries) with the head in the `Feed-Head` header, or `409` with
`error: snapshot_required` when the kiosk is too far behind (or the entries it lacks were
compacted away): it then fetches `feed/snapshot`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from central.core.deps import KeysDep, NowDep, SessionDep, SignedKioskDep
from central.core.errors import ApiError
from central.core.keystore import latest_trust_list
from central.core.models import Checkpoint, StatusFeedEntry
from central.issuance.feed import last_sequence, signed_batch_since, signed_snapshot
from central.kiosks.bundle import Publisher, signed_policy, signed_roster
from sync.bounds import MAX_INT64
from sync.distribution import (
    COSE_MEDIA_TYPE,
    FEED_HEAD_HEADER,
    FEED_PATH,
    FEED_SNAPSHOT_PATH,
    MAX_FEED_PAGE,
    POLICY_PATH,
    ROSTER_PATH,
    SNAPSHOT_REQUIRED,
    SNAPSHOT_WHEN_BEHIND,
    TRUST_LIST_PATH,
    etag,
)
from sync.schemas import RefusalReason

router = APIRouter(tags=["distribution"])

IfNoneMatch = Annotated[str | None, Header(max_length=128)]


def _matches(if_none_match: str | None, tag: str) -> bool:
    if if_none_match is None:
        return False
    offered = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return tag in offered or "*" in offered


def _signed(body: bytes, tag: str | None = None, **headers: str) -> Response:
    if tag is not None:
        headers["etag"] = tag
    headers["cache-control"] = "no-cache"
    return Response(content=body, media_type=COSE_MEDIA_TYPE, headers=headers)


def _not_modified(tag: str) -> Response:
    return Response(status_code=304, headers={"etag": tag, "cache-control": "no-cache"})


@router.get(TRUST_LIST_PATH, response_class=Response)
def trust_list(
    _kiosk: SignedKioskDep, session: SessionDep, if_none_match: IfNoneMatch = None
) -> Response:
    """The newest trust list, as the root signed it."""
    record = latest_trust_list(session)
    if record is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "no trust list yet")
    tag = etag("trust-list", record.sequence)
    if _matches(if_none_match, tag):
        return _not_modified(tag)
    return _signed(record.signed, tag)


def _snapshot_when_behind(request: Request) -> int:
    return int(getattr(request.app.state, "snapshot_when_behind", SNAPSHOT_WHEN_BEHIND))


@router.get(FEED_PATH, response_class=Response)
def feed(
    request: Request,
    _kiosk: SignedKioskDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    after: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_FEED_PAGE)] = MAX_FEED_PAGE,
) -> Response:
    """A signed delta of the entries after `after`; or 409 `snapshot_required`."""
    head = last_sequence(session)
    oldest = session.scalar(select(func.min(StatusFeedEntry.sequence)))
    missing = (oldest is None and head > after) or (oldest is not None and oldest > after + 1)
    if after > head or missing or head - after > _snapshot_when_behind(request):
        return JSONResponse(
            {
                "error": SNAPSHOT_REQUIRED,
                "detail": f"the kiosk is at {after}, the feed at {head}: fetch a snapshot",
                "server_time": now.isoformat(),
            },
            status_code=409,
            headers={FEED_HEAD_HEADER: str(head)},
        )
    publisher = Publisher.of(keys.path)
    body = signed_batch_since(
        session, after, limit, key=publisher.key, publisher=publisher.issuer, now=now
    )
    return _signed(body, **{FEED_HEAD_HEADER: str(head)})


@router.get(FEED_SNAPSHOT_PATH, response_class=Response)
def feed_snapshot(
    _kiosk: SignedKioskDep, session: SessionDep, keys: KeysDep, now: NowDep
) -> Response:
    """The signed snapshot: the newest entry per code within the compaction horizon."""
    publisher = Publisher.of(keys.path)
    head = last_sequence(session)
    body = signed_snapshot(session, now, key=publisher.key, publisher=publisher.issuer)
    return _signed(body, **{FEED_HEAD_HEADER: str(head)})


def _checkpoint(session: SessionDep, kiosk: SignedKioskDep) -> Checkpoint:
    checkpoint = session.get(Checkpoint, kiosk.checkpoint_id)
    if checkpoint is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "the kiosk's checkpoint is gone")
    return checkpoint


@router.get(POLICY_PATH, response_class=Response)
def policy(
    kiosk: SignedKioskDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The checkpoint's policy as a signed document."""
    checkpoint = _checkpoint(session, kiosk)
    tag = etag("policy", checkpoint.policy_version)
    if _matches(if_none_match, tag):
        return _not_modified(tag)
    return _signed(signed_policy(checkpoint, Publisher.of(keys.path), now), tag)


@router.get(ROSTER_PATH, response_class=Response)
def roster(
    kiosk: SignedKioskDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The checkpoint's staff roster (operators with their PIN hashes) as a signed document."""
    checkpoint = _checkpoint(session, kiosk)
    tag = etag("roster", checkpoint.roster_version)
    if _matches(if_none_match, tag):
        return _not_modified(tag)
    return _signed(signed_roster(session, checkpoint, Publisher.of(keys.path), now), tag)
