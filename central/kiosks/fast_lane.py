"""The lean path of the four hot kiosk routes (issue 28): sync, feed poll, heartbeat, upload.

A kiosk makes these every minute, so their fixed cost per request is what a fleet pays. They are
answered here, by a plain ASGI layer in front of FastAPI's routing (inside the request guard, so
its body limits and its 500 answer hold), matched by exact path: the body is read once, then ALL
the blocking work runs in ONE thread hop: the signature verified
(`central.core.kiosk_auth.verify_kiosk_request`: kiosk read, nonce spent, last-seen when due),
the route's own statements, the commit, and the answer's bytes. Statements are built once at
import. The answers and refusals are those the FastAPI routes gave: the same status codes,
`Refusal` bodies, ETags, 304s and cache headers (tests/central/test_fast_lane.py).

These routes are not in the OpenAPI document; docs/central.md describes them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import URL
from starlette.types import ASGIApp, Receive, Scope, Send

from central.core.cipher import record_cipher
from central.core.errors import ApiError, RefusedError
from central.core.kiosk_auth import Fields, RequestView, SignedKiosk, verify_kiosk_request
from central.core.models import (
    Checkpoint,
    FeedHead,
    KioskRelease,
    StatusFeedEntry,
    TrustListRecord,
)
from central.core.prepared import Prepared
from central.core.settings import Settings
from central.issuance.feed_files import cached_delta, snapshot_would_help
from central.issuance.scene_events import apply_scene_records
from central.kiosks.bundle import Publisher
from central.kiosks.ingest import RecordWindow, Rejected, ingest, parse_records, sender_of
from central.kiosks.routers.distribution import etag_matches
from sync.bounds import MAX_INT64
from sync.distribution import (
    COSE_MEDIA_TYPE,
    FEED_HEAD_HEADER,
    FEED_PATH,
    MAX_FEED_PAGE,
    SNAPSHOT_REQUIRED,
    SNAPSHOT_WHEN_BEHIND,
    SYNC_PATH,
    etag,
)
from sync.gc_pause import paused_gc
from sync.schemas import (
    HEARTBEAT_PATH,
    MAX_UPLOAD_RECORDS,
    PASSAGES_PATH,
    HeartbeatAck,
    RecordKind,
    RecordResult,
    RecordStatus,
    Refusal,
    RefusalReason,
    SyncState,
    UploadAck,
    UploadBatch,
)

JSON = b"application/json"


@dataclass(frozen=True)
class Answer:
    """A response's status, extra headers and body (content-length and -type are added)."""

    status: int
    body: bytes = b""
    media_type: bytes | None = JSON
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Call:
    """What a route reads: the app's state, the request, the signing kiosk and the database."""

    state: Any
    scope: Scope
    body: bytes
    kiosk: SignedKiosk
    now: datetime
    connection: Connection
    session: Session | None


@dataclass(frozen=True)
class Route:
    method: str
    handle: Callable[[Call], Answer]
    orm: bool = False  # the route's work needs an ORM session (the upload's ingest)


class _InvalidParameterError(RefusedError):
    """A query or header value FastAPI would have refused with its 422 (same body)."""

    status_code = 422
    reason = RefusalReason.BAD_REQUEST


def _json_body(content: Any) -> bytes:
    """As Starlette's JSONResponse renders it."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _refusal(error: RefusedError, now: datetime) -> Answer:
    detail = error.refusal_detail
    if isinstance(error, _InvalidParameterError):
        detail = detail.encode("utf-8", "replace").decode()
    refusal = Refusal(error=error.reason, detail=detail, server_time=now)
    return Answer(error.status_code, _json_body(refusal.model_dump(mode="json")))


# ---------------------------------------------------------------- sync


_TRUST: Table = TrustListRecord.__table__  # type: ignore[assignment]
_HEAD: Table = FeedHead.__table__  # type: ignore[assignment]
_CHECKPOINTS: Table = Checkpoint.__table__  # type: ignore[assignment]
_FEED: Table = StatusFeedEntry.__table__  # type: ignore[assignment]

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
_SYNC_STATE = Prepared(
    select(
        select(func.max(_TRUST.c.sequence)).scalar_subquery(),
        select(_HEAD.c.last_sequence).where(_HEAD.c.id == 1).scalar_subquery(),
        _CHECKPOINTS.c.policy_version,
        _CHECKPOINTS.c.roster_version,
        _NEWEST_RELEASE,
    ).where(_CHECKPOINTS.c.id == bindparam("checkpoint_id"))
)
_FEED_HEAD = Prepared(select(_HEAD.c.last_sequence).where(_HEAD.c.id == 1))
_FEED_OLDEST = select(func.min(_FEED.c.sequence))


def sync_state(call: Call) -> Answer:
    """`GET SYNC_PATH`: the versions of everything the kiosk keeps a copy of, the newest release
    for the platform the kiosk names (`?platform=`, as `releases/latest` selects it), and
    central's time, read in one statement (a kiosk whose copies are current makes this one
    request a round; it stands in for the heartbeat: the signed request records its health)."""
    (platform,) = _parameters(call.scope, (("query", "platform", _PLATFORM, None),))
    row = _SYNC_STATE.first(
        call.connection, {"checkpoint_id": call.kiosk.checkpoint_id, "platform": platform}
    )
    if row is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "the kiosk's checkpoint is gone")
    trust_sequence, head, policy_version, roster_version, release_version = row
    state = SyncState(
        kiosk_id=call.kiosk.id,
        server_time=call.now,
        trust_list_sequence=trust_sequence,
        feed_head=int(head or 0),
        policy_version=policy_version,
        roster_version=roster_version,
        release_version=release_version,
    )
    return Answer(200, state.model_dump_json().encode(), headers=(("cache-control", "no-store"),))


# ---------------------------------------------------------------- feed


# The parameters as the FastAPI routes declared them (FastAPI's 422 names them so too).
_PLATFORM = TypeAdapter(
    Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_.-]+$")]
)
_AFTER = TypeAdapter(Annotated[int, Field(ge=0, le=MAX_INT64)])
_LIMIT = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_FEED_PAGE)])
_IF_NONE_MATCH = TypeAdapter(Annotated[str, Field(max_length=128)])

Parameter = tuple[str, str, TypeAdapter[Any], Any]  # where, name, type, default


def _parameters(scope: Scope, parameters: Iterable[Parameter]) -> list[Any]:
    """Query and header values, checked; a 422 naming each field that does not fit."""
    query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    problems: list[str] = []
    values: list[Any] = []
    for where, name, adapter, default in parameters:
        raw = query.get(name) if where == "query" else _header(scope, name.encode())
        if raw is None:
            values.append(default)
            continue
        try:
            values.append(adapter.validate_python(raw))
        except ValidationError as error:
            problems.extend(f"{where}.{name}: {problem['msg']}" for problem in error.errors())
    if problems:
        raise _InvalidParameterError("; ".join(problems[:5]))
    return values


_FEED_PARAMETERS: tuple[Parameter, ...] = (
    ("query", "after", _AFTER, 0),
    ("query", "limit", _LIMIT, MAX_FEED_PAGE),
    ("header", "if-none-match", _IF_NONE_MATCH, None),
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def feed(call: Call) -> Answer:
    """`GET FEED_PATH`: a signed delta of the entries after `after`; or 409
    `snapshot_required`; or 304 to a kiosk already at the head that says so
    (`If-None-Match: etag("feed", after)`). See `central.kiosks.routers.distribution`."""
    after, limit, if_none_match = _parameters(call.scope, _FEED_PARAMETERS)
    connection = call.connection
    row = _FEED_HEAD.first(connection, {})
    head = int((row[0] if row is not None else None) or 0)
    if head == after and etag_matches(if_none_match, etag("feed", head)):
        tag = etag("feed", head)
        headers = (("etag", tag), ("cache-control", "no-cache"), (FEED_HEAD_HEADER, str(head)))
        return Answer(304, media_type=None, headers=headers)
    settings: Settings = call.state.settings
    oldest = connection.scalar(_FEED_OLDEST)
    missing = (oldest is None and head > after) or (oldest is not None and oldest > after + 1)
    behind = head - after > int(getattr(call.state, "snapshot_when_behind", SNAPSHOT_WHEN_BEHIND))
    folder: Path = settings.resolved_feed_files_dir
    if behind and not missing:
        # The newest snapshot file (coalesced while the feed moves fast) may be no newer than
        # the kiosk: then deltas are the only way forward.
        coalesce = timedelta(seconds=settings.feed_snapshot_coalesce_s)
        behind = snapshot_would_help(folder, head, after, coalesce)
    if after > head or missing or behind:
        content = {
            "error": SNAPSHOT_REQUIRED,
            "detail": f"the kiosk is at {after}, the feed at {head}: fetch a snapshot",
            "server_time": call.now.isoformat(),
        }
        return Answer(409, _json_body(content), headers=((FEED_HEAD_HEADER, str(head)),))
    publisher = Publisher.of(call.state.keys.path)
    with Session(bind=connection) as session:
        body = cached_delta(
            session,
            folder,
            after,
            min(limit, MAX_FEED_PAGE),
            head=head,
            key=lambda: publisher.key,
            publisher=publisher.issuer,
            now=call.now,
        )
    page = [("cache-control", "no-cache"), (FEED_HEAD_HEADER, str(head))]
    if head - after <= limit:  # the page's tag only when it reaches the head
        page.insert(0, ("etag", etag("feed", head)))
    return Answer(200, body, COSE_MEDIA_TYPE.encode(), tuple(page))


# ---------------------------------------------------------------- heartbeat


def heartbeat(call: Call) -> Answer:
    """`POST HEARTBEAT_PATH`: a signed no-op; the signed request records the kiosk's health."""
    return Answer(
        200, HeartbeatAck(kiosk_id=call.kiosk.id, server_time=call.now).model_dump_json().encode()
    )


# ---------------------------------------------------------------- upload


class _LooseBatch(BaseModel):
    """A batch whose records are checked one by one (when the whole batch does not validate)."""

    model_config = ConfigDict(extra="forbid")
    batch_id: uuid.UUID
    records: list[Any] = Field(max_length=MAX_UPLOAD_RECORDS)


def _loose_batch(body: bytes) -> _LooseBatch:
    """The batch's envelope, its records left for one by one. Python's JSON reader takes what
    pydantic's refuses as a whole (a lone surrogate in one record's text), so that record alone
    is refused (`parse_records`); a body that is no batch at all is a 400."""
    try:
        return _LooseBatch.model_validate_json(body)
    except ValidationError as error:
        problem = f"not an upload batch: {error.errors()[0]['msg']}"
    try:
        return _LooseBatch.model_validate(json.loads(body))
    except (ValueError, RecursionError, ValidationError):
        raise ApiError(400, RefusalReason.BAD_REQUEST, problem) from None


def _result(item: RecordResult | Rejected) -> RecordResult:
    if isinstance(item, RecordResult):
        return item
    try:
        record_id = uuid.UUID(str(item.record_id))
    except ValueError:
        record_id = None
    kind = item.kind if item.kind in set(RecordKind) else None
    return RecordResult(
        record_id=record_id,
        kind=None if kind is None else RecordKind(kind),
        status=RecordStatus.REJECTED,
        reason=item.reason,
    )


def _is_scene(record: object) -> bool:
    return getattr(record, "kind", None) in {RecordKind.PURCHASE, RecordKind.CLINIC_VISIT}


def upload(call: Call) -> Answer:
    """`POST PASSAGES_PATH` (body: `sync.schemas.UploadBatch`): each record stored once by its
    UUID, answered stored, duplicate or rejected per record; a batch that comes again is
    answered again (duplicates)."""
    session = call.session
    if session is None:  # declared `orm` in ROUTES: never so
        raise TypeError("the upload needs an ORM session")
    settings: Settings = call.state.settings
    with paused_gc():  # a batch makes ~10^5 short-lived objects and no cycles
        try:
            batch = UploadBatch.model_validate_json(call.body)
            batch_id, records = batch.batch_id, list[Any](batch.records)
        except ValidationError:
            loose = _loose_batch(call.body)
            batch_id, records = loose.batch_id, list[Any](parse_records(loose.records))
        window = RecordWindow.around(
            call.now,
            tolerance=timedelta(seconds=settings.signature_tolerance_s),
            max_age=timedelta(days=settings.record_max_age_days),
        )
        answers = ingest(
            session,
            sender_of(session, call.kiosk),
            records,
            cipher=record_cipher(call.state.keys.path),
            now=call.now,
            window=window,
        )
        session.commit()
        if any(_is_scene(record) for record in records):
            # Issue 25: a pharmacy's or clinic's record acts on the colour at once; what a
            # failure here leaves is applied by the next upload or the jobs' sweep.
            apply_scene_records(call.state.sessions, call.now)
        results = [_result(answer) for answer in answers]
        ack = UploadAck(batch_id=batch_id, results=results, server_time=call.now)
        return Answer(200, ack.model_dump_json().encode())


ROUTES: dict[str, Route] = {
    SYNC_PATH: Route("GET", sync_state),
    FEED_PATH: Route("GET", feed),
    HEARTBEAT_PATH: Route("POST", heartbeat),
    PASSAGES_PATH: Route("POST", upload, orm=True),
}


# ---------------------------------------------------------------- the lane


def answer(state: Any, scope: Scope, body: bytes, route: Route) -> Answer:
    """The whole request, in one thread: verified, the route's work, committed, answered."""
    settings: Settings = state.settings
    now: datetime = state.clock()
    view = RequestView(
        method=scope["method"],
        url=str(URL(scope=scope)),
        headers=Fields((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
    )
    tolerance = timedelta(seconds=settings.signature_tolerance_s)
    session: Session | None = state.sessions() if route.orm else None
    connection = session.connection() if session is not None else state.engine.connect()
    try:
        try:
            kiosk = verify_kiosk_request(  # a KioskAuthError: 401, or 403 when revoked
                connection,
                view,
                body,
                now=now,
                tolerance=tolerance,
                accept_legacy=settings.accept_legacy_kiosk_signatures,
            )
            done = route.handle(Call(state, scope, body, kiosk, now, connection, session))
        except RefusedError as error:
            (session or connection).rollback()
            return _refusal(error, state.clock())
        (session or connection).commit()  # a no-op when the route committed its own work
        return done
    finally:
        (session or connection).close()


class FastLane:
    """ASGI: the routes of `ROUTES` answered here, everything else passed on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = ROUTES.get(scope["path"]) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] != route.method:
            body = _json_body({"detail": "Method Not Allowed"})
            await _send(send, Answer(405, body, headers=(("allow", route.method),)))
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the kiosk went away: nothing was done
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        state = scope["app"].state
        done = await anyio.to_thread.run_sync(answer, state, scope, b"".join(chunks), route)
        await _send(send, done)


async def _send(send: Send, done: Answer) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in done.headers]
    if done.status != 304:
        headers.append((b"content-length", str(len(done.body)).encode()))
    if done.media_type is not None:
        headers.append((b"content-type", done.media_type))
    await send({"type": "http.response.start", "status": done.status, "headers": headers})
    await send({"type": "http.response.body", "body": done.body})
