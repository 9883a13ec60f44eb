"""The kiosk's copy of the status feed, kept in its store (issue 28): bounded memory whatever
the feed's size, one primary-key lookup per code, nothing loaded at start.

The `feed_copy` table holds the newest entry per code, keyed by a 16-byte keyed index of
(issuer, code id) under the store's index key (keyed BLAKE2s since a snapshot brought it,
`meta` `feed_index`; a copy from before keeps `rows.code_index`'s HMAC-SHA256 until its next
snapshot): a lookup needs nothing else, so neither the code id nor
the issuer is kept. It is WITHOUT ROWID (the key is the table) and holds the colour (its wire
number), the colour sequence, the feed sequence, the reason and the time. The copy's last
sequence and as-of time (`meta`: `feed_last_sequence`, `feed_as_of_ms`) are written in the
same transaction as its entries.

Writes go through the store's writer thread and are called from the sync thread (never the
GUI's): a verified delta is one transaction (an entry replaces the kept one when its colour
sequence is not older, as `healthcode.feed.FeedCopy` does). A snapshot is streamed by the sync
thread into a scratch database of its own beside the store (`<store>-feed-load`: no journal, no
sync, nothing for the writer or the WAL to carry) and sorted there by SQLite's bounded external
sort into the new copy's order, newest per code. The writer then attaches the scratch file and
copies the sorted copy into a new table in key order (appends), each chunk its own short
transaction, so passages are written between them and the copy crosses the WAL once; the new
table is swapped in by a rename within one transaction. Readers (WAL, one connection per
thread) see the old copy or the new one, never half of either; a snapshot whose stream fails
leaves the copy as it was. Leftovers of a load a crash interrupted (the scratch file, the half
built table) are dropped before the next one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from healthcode.claims import Colour, HealthCodeClaims
from healthcode.feed import (
    DEFAULT_CLOCK_TOLERANCE,
    BatchKind,
    FeedBatch,
    FeedEntry,
    FeedError,
    FeedProblem,
    colour_over_code,
    compaction_horizon,
    older_snapshot,
)
from kiosk.store.connection import Readers, Writer
from kiosk.store.crypto import FieldCipher
from kiosk.store.meta import read_meta, write_meta
from kiosk.store.rows import code_indexer, from_ms, to_ms

T = TypeVar("T")
Row = tuple[bytes, int, int, int, str, int]

# feed_copy_load: where an older version streamed a snapshot (kept here to drop its leftover);
# feed_copy_next: the snapshot's copy, renamed to feed_copy by the swap; feed_copy_old: the
# replaced copy, dropped after the swap
LEFTOVERS = ("feed_copy_load", "feed_copy_next", "feed_copy_old")
SCRATCH_SUFFIX = "-feed-load"
SCRATCH_SCHEMA = "feed_load"  # the scratch file's name on the writer's connection
# The scratch connection keeps SQLite's default page cache (2 MB), which also bounds the
# sorter's memory before it spills sorted runs to temporary files: larger caches sorted slower
# (5,000,000 entries: 6.5 s with 2 MB, 7.9 s with 16 MB, 9.5 s with 64 MB).
LAST_SEQUENCE_KEY = "feed_last_sequence"
AS_OF_KEY = "feed_as_of_ms"
# The copy's keyed index: absent, HMAC-SHA256 (`rows.code_index`, copies before it); BLAKE2S,
# keyed BLAKE2s (about half the cost per code), written by the snapshot swap that brings it.
INDEX_FORMAT_KEY = "feed_index"
BLAKE2S = "blake2s-16"
CHUNK = 50_000
WRITE_TIMEOUT_S = 600.0
COMPACT_EVERY = timedelta(hours=1)  # the horizon moves slowly; a DELETE scans the table

_LOOKUP = "SELECT colour, colour_seq, sequence, reason, at_ms FROM feed_copy WHERE code_ix = ?"
_COUNT = "SELECT count(*) FROM feed_copy"
_COMPACT = "DELETE FROM feed_copy WHERE at_ms < ?"
# An entry replaces the kept one when its colour sequence is not older (as FeedCopy does).
_UPSERT = (
    "INSERT INTO feed_copy (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code_ix) DO UPDATE SET colour = excluded.colour,"
    " colour_seq = excluded.colour_seq, sequence = excluded.sequence, reason = excluded.reason,"
    " at_ms = excluded.at_ms WHERE excluded.colour_seq >= feed_copy.colour_seq"
)
_CREATE_LOADING = (
    "CREATE TABLE arrived (code_ix BLOB, colour INTEGER, colour_seq INTEGER,"
    " sequence INTEGER, reason TEXT, at_ms INTEGER)"
)
_LOAD = (
    "INSERT INTO arrived (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_COPY_TABLE = (
    " (code_ix BLOB NOT NULL PRIMARY KEY, colour INTEGER NOT NULL,"
    " colour_seq INTEGER NOT NULL, sequence INTEGER NOT NULL, reason TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL) WITHOUT ROWID"
)
# Newest per code as the stream had it: sorted by key (SQLite's external sort, bounded
# memory) and appended in key order; rowid is the arrival order.
_SORT = (
    "INSERT INTO sorted (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " SELECT code_ix, colour, colour_seq, sequence, reason, at_ms FROM arrived"
    " WHERE true ORDER BY code_ix, colour_seq, rowid ON CONFLICT(code_ix) DO UPDATE SET"
    " colour = excluded.colour, colour_seq = excluded.colour_seq, sequence = excluded.sequence,"
    " reason = excluded.reason, at_ms = excluded.at_ms"
    " WHERE excluded.colour_seq >= sorted.colour_seq"
)
_CREATE_NEXT = "CREATE TABLE main.feed_copy_next" + _COPY_TABLE
# One chunk of the sorted copy, after the last key copied: appended at the table's end.
_COPY_CHUNK = (
    "INSERT INTO main.feed_copy_next (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " SELECT code_ix, colour, colour_seq, sequence, reason, at_ms"
    " FROM feed_load.sorted WHERE code_ix > ? ORDER BY code_ix LIMIT ?"
)
_LAST_COPIED = "SELECT max(code_ix) FROM main.feed_copy_next"
_SWAP = (
    "ALTER TABLE feed_copy RENAME TO feed_copy_old",
    "ALTER TABLE feed_copy_next RENAME TO feed_copy",
)


class StoredFeed:
    """The status-feed copy the kiosk decides with (`healthcode.feed.UpdatableFeed`): reads on
    the calling thread's reader connection, writes through the store's writer (blocking until
    committed: call them from the sync thread)."""

    def __init__(
        self, writer: Writer, readers: Readers, cipher: FieldCipher, *, chunk: int = CHUNK
    ) -> None:
        self._writer = writer
        self._readers = readers
        self._blake2_index = code_indexer(cipher, blake2=True)
        self._switching = threading.Lock()  # a lookup and the format it reads, as one
        self._chunk = max(1, chunk)
        self._scratch = Path(f"{writer.path}{SCRATCH_SUFFIX}")
        self._applying = threading.Lock()  # one update at a time
        self._compacted_to: datetime | None = None
        connection = readers.get()
        last = read_meta(connection, LAST_SEQUENCE_KEY)
        as_of = read_meta(connection, AS_OF_KEY)
        self._last_sequence = int(last) if last else 0
        blake2 = read_meta(connection, INDEX_FORMAT_KEY) == BLAKE2S
        self._index = self._blake2_index if blake2 else code_indexer(cipher)
        self._as_of: datetime | None = from_ms(int(as_of)) if as_of else None

    # ------------------------------------------------------------ reads

    @property
    def last_sequence(self) -> int:
        return self._last_sequence

    @property
    def as_of_utc(self) -> datetime | None:
        return self._as_of

    def age(self, now: datetime) -> timedelta | None:
        """How old the newest verified data is; None when nothing was ever verified."""
        if self._as_of is None:
            return None
        return max(now - self._as_of, timedelta(0))

    def latest(self, issuer: str, code_id: bytes) -> FeedEntry | None:
        connection = self._readers.get()
        with self._switching:
            row = connection.execute(_LOOKUP, (self._index(issuer, code_id),)).fetchone()
        if row is None:
            return None
        colour, colour_seq, sequence, reason, at_ms = row
        return FeedEntry(
            sequence, issuer, code_id, Colour.from_wire(colour), colour_seq, reason, from_ms(at_ms)
        )

    def effective_colour(self, claims: HealthCodeClaims) -> tuple[Colour, FeedEntry | None]:
        """The newest colour known for a code, and the feed entry that set it."""
        return colour_over_code(self.latest(claims.issuer, claims.code_id), claims)

    def count(self) -> int:
        """The number of codes in the copy (counts the table: not for a hot path)."""
        row = self._readers.get().execute(_COUNT).fetchone()
        return int(row[0])

    # ------------------------------------------------------------ writes

    def apply(self, batch: FeedBatch) -> int:
        """Apply a verified batch or snapshot; the number of entries taken. Raises FeedError
        (GAP, OLDER_SNAPSHOT) before anything is written when it cannot be applied."""
        if batch.kind is BatchKind.SNAPSHOT:
            return self.replace_from_snapshot(
                batch.entries,
                last_sequence=batch.last_sequence,
                as_of_utc=batch.as_of_utc,
                horizon_utc=batch.horizon_utc,
            )
        with self._applying:
            after = self._last_sequence
            if batch.first_sequence > after + 1:
                raise FeedError(
                    FeedProblem.GAP, f"copy ends at {after}, batch starts at {batch.first_sequence}"
                )
            rows = list(self._rows(e for e in batch.entries if e.sequence > after))
            last = max(after, batch.last_sequence)
            as_of = _newer(self._as_of, batch.as_of_utc)

            def write(connection: sqlite3.Connection) -> None:
                connection.executemany(_UPSERT, rows)
                _write_head(connection, last, as_of)

            self._run(write)
            self._last_sequence, self._as_of = last, as_of
            return len(rows)

    def replace_from_snapshot(
        self,
        entries: Iterable[FeedEntry],
        *,
        last_sequence: int,
        as_of_utc: datetime,
        horizon_utc: datetime | None,
    ) -> int:
        """Replace the copy with a verified snapshot's entries, streamed in chunks; the number
        taken. All or nothing: OLDER_SNAPSHOT is raised before anything is read or written, and
        when `entries` raises (or a write fails) the copy is unchanged. Entries before
        `horizon_utc` are left out; the as-of time never goes back behind verified data."""
        with self._applying:
            if (refusal := older_snapshot(last_sequence, self._last_sequence)) is not None:
                raise refusal
            as_of = _newer(self._as_of, as_of_utc)
            self._run(_discard_leftovers)
            _remove_scratch(self._scratch)
            try:
                taken = _sort_into_scratch(
                    self._scratch,
                    self._rows(entries, horizon_utc, self._blake2_index),
                    self._chunk,
                )
                self._copy_from_scratch()
            except BaseException:
                self._run(_discard_leftovers)
                raise
            finally:
                _remove_scratch(self._scratch)

            def swap(connection: sqlite3.Connection) -> None:
                for statement in _SWAP:
                    connection.execute(statement)
                _write_head(connection, last_sequence, as_of)
                write_meta(connection, INDEX_FORMAT_KEY, BLAKE2S)

            with self._switching:  # no lookup reads the new copy with the old index
                self._run(swap)
                self._index = self._blake2_index
            self._last_sequence, self._as_of = last_sequence, as_of
            self._run(lambda connection: connection.execute("DROP TABLE feed_copy_old"))
            return taken

    def compact(self, now: datetime, tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE) -> int:
        """Delete the entries that can no longer matter (made before the horizon); the number
        deleted. The horizon moves with the clock, so this runs at most once an hour."""
        horizon = compaction_horizon(now, tolerance)
        if self._compacted_to is not None and horizon - self._compacted_to < COMPACT_EVERY:
            return 0
        cut = to_ms(horizon)
        with self._applying:
            deleted = self._run(lambda connection: connection.execute(_COMPACT, (cut,)).rowcount)
        self._compacted_to = horizon
        return int(deleted)

    # ------------------------------------------------------------ helpers

    def _run(self, write: Callable[[sqlite3.Connection], T]) -> T:
        return self._writer.submit(write).result(WRITE_TIMEOUT_S)

    def _rows(
        self,
        entries: Iterable[FeedEntry],
        horizon: datetime | None = None,
        index: Callable[[str, bytes], bytes] | None = None,
    ) -> Iterator[Row]:
        index = index or self._index
        wire = {colour: colour.wire for colour in Colour}
        at: datetime | None = None
        at_ms = 0  # a snapshot's entries share times: convert each time once
        for e in entries:
            if horizon is not None and e.at_utc < horizon:
                continue
            if e.at_utc is not at:
                at, at_ms = e.at_utc, to_ms(e.at_utc)
            yield (
                index(e.issuer, e.code_id),
                wire[e.colour],
                e.colour_seq,
                e.sequence,
                e.reason,
                at_ms,
            )

    def _copy_from_scratch(self) -> None:
        """Copy the scratch file's sorted copy into feed_copy_next in key order, a chunk per
        transaction (passages are written between them)."""
        attach = partial(_attach_scratch, path=str(self._scratch))
        self._writer.submit(attach, transaction=False).result(WRITE_TIMEOUT_S)
        try:
            self._run(lambda connection: connection.execute(_CREATE_NEXT))
            copied, last = self._chunk, b""  # every key sorts after the empty blob
            while copied == self._chunk:
                copied, last = self._run(partial(_copy_chunk, after=last, limit=self._chunk))
        finally:
            self._writer.submit(_detach_scratch, transaction=False).result(WRITE_TIMEOUT_S)


def _newer(known: datetime | None, heard: datetime) -> datetime:
    return heard if known is None or heard > known else known


def _write_head(connection: sqlite3.Connection, last_sequence: int, as_of: datetime | None) -> None:
    write_meta(connection, LAST_SEQUENCE_KEY, str(last_sequence))
    write_meta(connection, AS_OF_KEY, "" if as_of is None else str(to_ms(as_of)))


def _sort_into_scratch(path: Path, rows: Iterator[Row], chunk: int) -> int:
    """Stream the rows into a new scratch database at `path` and sort them there into the
    copy's order, newest per code (the writer is not held); the number streamed. Nothing in it
    needs to survive a crash, so it has no journal and no sync. A thread of its own inserts
    one chunk while the caller makes the next (two chunks in memory at most)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # its owner's only
    os.close(descriptor)
    with ThreadPoolExecutor(1, thread_name_prefix="feed-load") as loader:
        connection = loader.submit(_open_scratch, path).result()
        pending: Future[Any] | None = None
        loaded = 0
        try:
            while block := list(islice(rows, chunk)):
                if pending is not None:
                    pending.result()
                pending = loader.submit(_load_block, connection, block)
                loaded += len(block)
            if pending is not None:
                pending.result()
            loader.submit(_sort_scratch, connection).result()
        finally:
            if pending is not None:
                wait([pending])  # before the connection closes
            loader.submit(connection.close).result()
    return loaded


def _open_scratch(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute(_CREATE_LOADING)
    connection.execute(f"CREATE TABLE sorted{_COPY_TABLE}")
    connection.execute("BEGIN")  # one transaction: nothing to make durable
    return connection


def _load_block(connection: sqlite3.Connection, rows: list[Row]) -> None:
    # Returns nothing: the cursor must end on this thread, not reset its statement on another.
    connection.executemany(_LOAD, rows)


def _sort_scratch(connection: sqlite3.Connection) -> None:
    connection.execute(_SORT)
    connection.execute("COMMIT")


def _remove_scratch(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def _attach_scratch(connection: sqlite3.Connection, path: str) -> None:
    connection.execute(f"ATTACH DATABASE ? AS {SCRATCH_SCHEMA}", (path,))


def _detach_scratch(connection: sqlite3.Connection) -> None:
    attached = {row[1] for row in connection.execute("PRAGMA database_list")}
    if SCRATCH_SCHEMA in attached:
        connection.execute(f"DETACH DATABASE {SCRATCH_SCHEMA}")


def _copy_chunk(connection: sqlite3.Connection, after: bytes, limit: int) -> tuple[int, bytes]:
    """Append the next `limit` codes after `after`; how many, and the last one copied."""
    copied = connection.execute(_COPY_CHUNK, (after, limit)).rowcount
    last = connection.execute(_LAST_COPIED).fetchone()[0]
    return copied, after if last is None else bytes(last)


def _discard_leftovers(connection: sqlite3.Connection) -> None:
    for name in LEFTOVERS:
        connection.execute(f"DROP TABLE IF EXISTS {name}")
