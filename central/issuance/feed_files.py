"""The feed as files that cost nothing to serve (issue 28): snapshot files and cached deltas.

A snapshot file (`healthcode.feed_file`) is built once per feed head, streamed from the
database (rows fetched a block at a time, never all in memory) into `feed_files_dir`, written
under a temporary name and renamed into place; its name carries the head and a digest of its
signed header (`snapshot-<head>-<digest>.snap`), which is also its ETag. It is written in
column blocks (`healthcode.feed_file.BlockEncoding.COLUMNS`: what a kiosk applies fastest); a
kiosk that does not ask for columns (one from before them, in a fleet being updated) gets a
copy in row blocks made from it when first asked (`rows_copy`: `<name>.rows`, its ETag the
file's with `-rows`), under its own lock, once per file. While the head
moves fast a new file is built at most once per `coalesce` (the newest file answers meanwhile;
kiosks follow it with deltas). With several central processes exactly one builds: an
exclusive `flock` on `.build.lock` in the folder; the others serve the newest complete file,
or wait for the lock when there is none yet. Files older than the newest are removed after a
grace period, so a kiosk resuming a download with Range finds its file.

Deltas: a page (`after`, `limit`) that holds `limit` entries can never change (entries are
immutable), so its signed bytes are kept in `deltas/` and served again to every kiosk asking
the same page: one signing for a thousand kiosks. A page that reaches the head is signed fresh
(its as-of time is what proves a kiosk's copy is current).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from central.core.models import StatusFeedEntry
from central.issuance.feed import last_sequence, signed_batch_since
from healthcode.claims import Colour
from healthcode.feed import compaction_horizon
from healthcode.feed_file import (
    BlockEncoding,
    SnapshotFileWriter,
    iter_columns,
    read_own_header,
)
from healthcode.keys import SigningKey

log = logging.getLogger(__name__)

SNAPSHOT_PREFIX = "snapshot-"
SNAPSHOT_SUFFIX = ".snap"
LOCK_FILE = ".build.lock"
ROWS_LOCK_FILE = ".rows.lock"  # the row copies': not to wait behind a snapshot's build
ROWS_SUFFIX = ".rows"
DELTAS_FOLDER = "deltas"
ROWS_PER_FETCH = 10_000
DEFAULT_COALESCE = timedelta(seconds=60)
DEFAULT_GRACE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=1)  # rebuilt at least this often: the horizon moves on
_FEED_TABLE = cast(Table, StatusFeedEntry.__table__)


@dataclass(frozen=True)
class SnapshotFile:
    """A complete snapshot file in the folder, as its name describes it."""

    path: Path
    last_sequence: int
    digest: str

    @property
    def etag(self) -> str:
        return f'"snapshot-{self.last_sequence}-{self.digest}"'

    @property
    def rows_path(self) -> Path:
        """Where its copy in row blocks is kept (`rows_copy`)."""
        return self.path.with_name(self.path.name + ROWS_SUFFIX)

    @property
    def rows_etag(self) -> str:
        return f'"snapshot-{self.last_sequence}-{self.digest}-rows"'

    @classmethod
    def of(cls, path: Path) -> SnapshotFile | None:
        if not (path.name.startswith(SNAPSHOT_PREFIX) and path.name.endswith(SNAPSHOT_SUFFIX)):
            return None
        head, _, digest = path.name[len(SNAPSHOT_PREFIX) : -len(SNAPSHOT_SUFFIX)].partition("-")
        if not head.isdigit() or not digest:
            return None
        return cls(path, int(head), digest)


_COLOUR_TO_WIRE = " ".join(f"WHEN '{colour.value}' THEN {colour.wire}" for colour in Colour)
_SNAPSHOT_COLUMNS = (
    f"sequence, issuer, code_id, CASE colour {_COLOUR_TO_WIRE} END, colour_seq, reason, "
)
_NEWEST_PER_CODE = (
    "sequence IN (SELECT max(sequence) FROM status_feed WHERE at >= {p} AND sequence <= {p} "
    "GROUP BY issuer, code_id) ORDER BY sequence"
)
_SNAPSHOT_SQL = {
    "sqlite": f"SELECT {_SNAPSHOT_COLUMNS} CAST(strftime('%s', at) AS INTEGER) "  # noqa: S608
    f"FROM status_feed WHERE {_NEWEST_PER_CODE.format(p='?')}",
    "postgresql": f"SELECT {_SNAPSHOT_COLUMNS} CAST(FLOOR(EXTRACT(EPOCH FROM at)) AS BIGINT) "  # noqa: S608
    f"FROM status_feed WHERE {_NEWEST_PER_CODE.format(p='%s')}",
}


def snapshot_rows(
    connection: Connection, head: int, horizon: datetime
) -> Iterator[list[tuple[Any, ...]]]:
    """The newest entry per code within the horizon, up to `head`, in feed order, already in
    wire form (`FeedEntry.encode`: colour and time converted by the database), in blocks of
    `ROWS_PER_FETCH` rows: a server-side cursor on PostgreSQL, SQLite's stepping cursor, so
    memory holds one block. The driver's cursor directly: per-row Python costs the most here."""
    dialect = connection.dialect
    processor = _FEED_TABLE.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    since = processor(horizon) if processor is not None else horizon
    driver: Any = connection.connection.driver_connection
    if dialect.name == "postgresql":
        cursor = driver.cursor(name="feed_snapshot")  # server-side, in this transaction
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(_SNAPSHOT_SQL[dialect.name], (since, head))
        while rows := cursor.fetchmany(ROWS_PER_FETCH):
            yield rows
    finally:
        cursor.close()


def build_snapshot(
    session: Session, folder: Path, now: datetime, *, key: SigningKey, publisher: str
) -> SnapshotFile:
    """Build the snapshot file of the current head into `folder` (the caller holds the lock)."""
    head = last_sequence(session)
    now = now.replace(microsecond=0)
    horizon = compaction_horizon(now)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    temporary = folder / f".building-{head}{SNAPSHOT_SUFFIX}"
    with SnapshotFileWriter(
        temporary,
        publisher=publisher,
        last_sequence=head,
        as_of_utc=now,
        horizon_utc=horizon,
        blocks=BlockEncoding.COLUMNS,
    ) as writer:
        for rows in snapshot_rows(session.connection(), head, horizon):
            writer.add_rows(rows)
        header = writer.finish(key)
    # A rebuild of the same head gets a new name (the as-of time differs): a file is never
    # replaced under a kiosk resuming its download.
    final = folder / f"{SNAPSHOT_PREFIX}{head}-{header.digest}{SNAPSHOT_SUFFIX}"
    os.replace(temporary, final)
    log.info(
        "built the feed snapshot at %d: %d entries in %.1f s",
        head,
        header.entry_count,
        time.monotonic() - started,
    )
    return SnapshotFile(final, head, header.digest)


def newest_snapshot(folder: Path) -> SnapshotFile | None:
    if not folder.is_dir():
        return None
    files = [found for path in folder.iterdir() if (found := SnapshotFile.of(path)) is not None]
    return max(files, key=lambda f: (f.last_sequence, _mtime(f.path)), default=None)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed by another process since the folder was listed
        return 0.0


def rows_copy(found: SnapshotFile, *, key: Callable[[], SigningKey]) -> Path:
    """The snapshot file's copy in row blocks (for kiosks that do not read columns), made from
    it when first asked, a block at a time: the same entries, head, as-of time and horizon,
    signed anew. One process makes it (the others wait for it); it is removed with its file."""
    path = found.rows_path
    if path.exists():
        return path
    with _build_lock(found.path.parent, wait=True, name=ROWS_LOCK_FILE):
        if path.exists():  # made by another process while this one waited
            return path
        started = time.monotonic()
        with found.path.open("rb") as source:
            header = read_own_header(source)
            with SnapshotFileWriter(
                path,
                publisher=header.publisher,
                last_sequence=header.last_sequence,
                as_of_utc=header.as_of_utc,
                horizon_utc=header.horizon_utc,
                blocks=BlockEncoding.ROWS,
            ) as writer:
                for columns in iter_columns(source, header):
                    writer.add_rows(columns.rows())
                writer.finish(key())
        log.info(
            "made the feed snapshot's row copy at %d: %d entries in %.1f s",
            header.last_sequence,
            header.entry_count,
            time.monotonic() - started,
        )
    return path


@contextmanager
def _build_lock(folder: Path, *, wait: bool, name: str = LOCK_FILE) -> Iterator[bool]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _still_good(
    newest: SnapshotFile | None, head: int, now_s: float, coalesce: timedelta
) -> SnapshotFile | None:
    """The newest file when it may still be served as it is; None when one is due."""
    if newest is None:
        return None
    age = now_s - _mtime(newest.path)
    limit = MAX_AGE if newest.last_sequence == head else coalesce
    return newest if age < limit.total_seconds() else None


def current_snapshot(
    session: Session,
    folder: Path,
    now: datetime,
    *,
    key: Callable[[], SigningKey],
    publisher: str,
    coalesce: timedelta = DEFAULT_COALESCE,
    grace: timedelta = DEFAULT_GRACE,
) -> SnapshotFile:
    """The snapshot file to serve: the newest one, built first when the head moved on (at most
    once per `coalesce`) and no other process is building it."""
    head = last_sequence(session)
    newest = newest_snapshot(folder)
    good = _still_good(newest, head, time.time(), coalesce)
    if good is not None:
        return good
    with _build_lock(folder, wait=newest is None) as locked:
        if not locked and newest is not None:
            return newest  # another process is building: the newest complete file meanwhile
        # Built by another process while this one waited?
        good = _still_good(newest_snapshot(folder), head, time.time(), coalesce)
        if good is not None:
            return good
        built = build_snapshot(session, folder, now, key=key(), publisher=publisher)
        remove_old_files(folder, keep=built, grace=grace)
        return built


def snapshot_would_help(folder: Path, head: int, after: int, coalesce: timedelta) -> bool:
    """Whether the snapshot a kiosk at `after` would get now is newer than what it has: not
    when the newest file is no newer and, the feed moving fast, no new one is due yet."""
    served = _still_good(newest_snapshot(folder), head, time.time(), coalesce)
    return served is None or served.last_sequence > after


def remove_old_files(folder: Path, *, keep: SnapshotFile, grace: timedelta) -> int:
    """Remove snapshot files other than `keep`, and cached deltas, older than `grace`."""
    cutoff = time.time() - grace.total_seconds()
    removed = 0
    candidates = [
        *folder.glob(f"{SNAPSHOT_PREFIX}*{SNAPSHOT_SUFFIX}*"),  # with the one-batch copies
        *folder.glob(".building-*"),  # left by a process that died building
        *folder.glob(".*.partial"),
    ]
    deltas = folder / DELTAS_FOLDER
    if deltas.is_dir():
        candidates.extend(deltas.iterdir())
    for path in candidates:
        try:
            if not path.name.startswith(keep.path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another process removed it first
    return removed


def cached_delta(
    session: Session,
    folder: Path,
    after: int,
    limit: int,
    *,
    head: int,
    key: Callable[[], SigningKey],
    publisher: str,
    now: datetime,
) -> bytes:
    """The signed delta after `after`: from the cache when the page is complete (it holds
    `limit` entries and more follow, so it can never change), else signed now."""
    # Strictly more than a page: a page ending at the head is signed fresh, its as-of time being
    # what tells the kiosk its copy is current.
    complete = head - after > limit
    path = folder / DELTAS_FOLDER / f"{after}-{limit}.cose"
    if complete:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
    signed = signed_batch_since(session, after, limit, key=key(), publisher=publisher, now=now)
    if complete:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(signed)
        os.replace(temporary, path)
    return signed
