"""What kiosks download (issue 11): trust list, status feed, policy and staff roster.

Every request is a signed kiosk request; every answer body is signed (`application/cose`, see
`sync.distribution`). The trust list, policy and roster answer `304 Not Modified` to an
`If-None-Match` naming the version the kiosk holds, and so does the feed for a kiosk at the
head (`etag("feed", after)`). The feed answers deltas after a sequence
(`after`, at most `limit` entries) with the head in the `Feed-Head` header, or `409` with
`error: snapshot_required` when the kiosk is too far behind (or the entries it lacks were
compacted away): it then fetches `feed/snapshot-file` (issue 28; `central.issuance.
feed_files`): the snapshot as a file built once per feed head, answered with an ETag, 304 and
Range, or through nginx (X-Accel-Redirect) in the deployment. Complete delta pages come from a
cache. The older `feed/snapshot` (one signed batch, for kiosks before issue 28) is made from the
same file, once per file, and refused with 503 above `LEGACY_SNAPSHOT_MAX_ENTRIES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from central.core.deps import KeysDep, NowDep, SessionDep, SettingsDep, SignedKioskDep
from central.core.errors import ApiError
from central.core.keystore import latest_trust_list
from central.core.models import Checkpoint
from central.core.settings import Settings
from central.issuance.feed_files import (
    SnapshotFile,
    current_snapshot,
    rows_copy,
)
from central.kiosks.bundle import Publisher, signed_policy, signed_roster
from healthcode.feed import BatchKind, FeedBatch
from healthcode.feed_file import MEDIA_TYPE as SNAPSHOT_FILE_MEDIA_TYPE
from healthcode.feed_file import iter_entries, read_own_header
from sync.distribution import (
    BLOCKS_PARAMETER,
    COLUMN_BLOCKS,
    COSE_MEDIA_TYPE,
    FEED_HEAD_HEADER,
    FEED_SNAPSHOT_FILE_PATH,
    FEED_SNAPSHOT_PATH,
    POLICY_PATH,
    ROSTER_PATH,
    TRUST_LIST_PATH,
    etag,
)
from sync.schemas import RefusalReason

router = APIRouter(tags=["distribution"])

IfNoneMatch = Annotated[str | None, Header(max_length=128)]
RangeHeader = Annotated[str | None, Header(max_length=64)]
LEGACY_SNAPSHOT_MAX_ENTRIES = 250_000  # one signed batch of these is ~150 MB while it is made
_CHUNK = 64 * 1024  # per download in flight: a hundred kiosks at once cost central ~6 MB


def etag_matches(if_none_match: str | None, tag: str) -> bool:
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
    if etag_matches(if_none_match, tag):
        return _not_modified(tag)
    return _signed(record.signed, tag)


def _feed_folder(settings: Settings) -> Path:
    return settings.resolved_feed_files_dir


def _snapshot_file(
    session: SessionDep, settings: Settings, keys: KeysDep, now: NowDep
) -> SnapshotFile:
    publisher = Publisher.of(keys.path)
    return current_snapshot(
        session,
        _feed_folder(settings),
        now,
        key=lambda: publisher.key,
        publisher=publisher.issuer,
        coalesce=timedelta(seconds=settings.feed_snapshot_coalesce_s),
        grace=timedelta(seconds=settings.feed_files_grace_s),
    )


@router.get(FEED_SNAPSHOT_FILE_PATH, response_class=Response)
def feed_snapshot_file(
    _kiosk: SignedKioskDep,
    session: SessionDep,
    settings: SettingsDep,
    keys: KeysDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
    range_: Annotated[str | None, Header(alias="range", max_length=64)] = None,
    if_range: Annotated[str | None, Header(max_length=128)] = None,
    blocks: Annotated[str | None, Query(alias=BLOCKS_PARAMETER, max_length=16)] = None,
) -> Response:
    """The snapshot file (`healthcode.feed_file`): 304 when the kiosk holds it, 206 for a
    Range (a resumed download), through nginx when `feed_files_accel_prefix` is set. In column
    blocks to a kiosk that asks for them (`blocks=columns`); to any other (one from before
    them) the file's copy in row blocks, another file with its own ETag."""
    found = _snapshot_file(session, settings, keys, now)
    session.rollback()  # the bytes are on disk: end the read transaction before sending them
    columns = blocks == COLUMN_BLOCKS
    tag = found.etag if columns else found.rows_etag
    headers = {
        "etag": tag,
        "cache-control": "no-cache",
        "accept-ranges": "bytes",
        FEED_HEAD_HEADER: str(found.last_sequence),
    }
    if etag_matches(if_none_match, tag):  # before any row copy is made: the kiosk holds it
        return Response(status_code=304, headers=headers)
    if columns:
        path = found.path
    else:
        publisher = Publisher.of(keys.path)
        path = rows_copy(found, key=lambda: publisher.key)
    if etag_matches(if_none_match, _nginx_etag(path)):
        return Response(status_code=304, headers=headers)
    if settings.feed_files_accel_prefix is not None:
        headers["x-accel-redirect"] = settings.feed_files_accel_prefix + path.name
        return Response(media_type=SNAPSHOT_FILE_MEDIA_TYPE, headers=headers)
    size = path.stat().st_size
    span = _byte_range(range_, size) if if_range in (None, tag) else None
    if span == "unsatisfiable":
        headers["content-range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    start, end = span if isinstance(span, tuple) else (0, size - 1)
    if isinstance(span, tuple):
        headers["content-range"] = f"bytes {start}-{end}/{size}"
    headers["content-length"] = str(end - start + 1)
    return StreamingResponse(
        _read_span(path, start, end),
        status_code=206 if isinstance(span, tuple) else 200,
        media_type=SNAPSHOT_FILE_MEDIA_TYPE,
        headers=headers,
    )


def _nginx_etag(path: Path) -> str:
    """The ETag nginx gives the file when it sends it (hex modification time and size)."""
    stat = path.stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` span; None (the whole file) for anything else."""
    if header is None or not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header.removeprefix("bytes=").strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        return None
    if not first:
        start, end = max(size - int(last), 0), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last.isdigit() else size - 1
    if start >= size or start > end:
        return "unsatisfiable"
    return start, end


def _read_span(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = file.read(min(_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


@router.get(FEED_SNAPSHOT_PATH, response_class=Response)
def feed_snapshot(
    request: Request,
    _kiosk: SignedKioskDep,
    session: SessionDep,
    settings: SettingsDep,
    keys: KeysDep,
    now: NowDep,
) -> Response:
    """The snapshot as one signed batch, for kiosks before issue 28: made from the snapshot
    file once per file (kept beside it), refused above LEGACY_SNAPSHOT_MAX_ENTRIES."""
    found = _snapshot_file(session, settings, keys, now)
    legacy = found.path.with_name(found.path.name + ".batch.cose")
    try:
        return _signed(legacy.read_bytes(), **{FEED_HEAD_HEADER: str(found.last_sequence)})
    except FileNotFoundError:
        pass
    with found.path.open("rb") as file:
        header = read_own_header(file)
        limit = getattr(
            request.app.state, "legacy_snapshot_max_entries", LEGACY_SNAPSHOT_MAX_ENTRIES
        )
        if header.entry_count > int(limit):
            raise ApiError(
                503,
                RefusalReason.UNAVAILABLE,
                f"the snapshot has {header.entry_count} entries: update the kiosk to fetch "
                "feed/snapshot-file",
            )
        batch = FeedBatch(
            kind=BatchKind.SNAPSHOT,
            publisher=header.publisher,
            first_sequence=0,
            last_sequence=header.last_sequence,
            as_of_utc=header.as_of_utc,
            entries=tuple(iter_entries(file, header)),
            horizon_utc=header.horizon_utc,
        )
    body = batch.sign(Publisher.of(keys.path).key)
    temporary = legacy.with_name(f".{legacy.name}.partial")
    temporary.write_bytes(body)
    temporary.replace(legacy)
    return _signed(body, **{FEED_HEAD_HEADER: str(found.last_sequence)})


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
    if etag_matches(if_none_match, tag):
        return _not_modified(tag)
    return _signed(signed_policy(session, checkpoint, Publisher.of(keys.path), now), tag)


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
    if etag_matches(if_none_match, tag):
        return _not_modified(tag)
    return _signed(signed_roster(session, checkpoint, Publisher.of(keys.path), now), tag)
