"""The kiosk's copy of the status feed, kept in its store (issue 28): bounded memory whatever
the feed's size, one primary-key lookup per code, nothing loaded at start.

The `feed_copy` table holds the newest entry per code, keyed by the store's keyed index of
(issuer, code id) (`rows.code_index`): a lookup needs nothing else, so neither the code id nor
the issuer is kept. It is WITHOUT ROWID (the key is the table) and holds the colour (its wire
number), the colour sequence, the feed sequence, the reason and the time. The copy's last
sequence and as-of time (`meta`: `feed_last_sequence`, `feed_as_of_ms`) are written in the
same transaction as its entries.

Writes go through the store's writer thread and are called from the sync thread (never the
GUI's): a verified delta is one transaction (an entry replaces the kept one when its colour
sequence is not older, as `healthcode.feed.FeedCopy` does); a snapshot is streamed in chunks
into a loading table (each chunk its own short transaction, so passages are written between
them), sorted into a new table by SQLite's bounded external sort, and swapped in by a rename
within one transaction. Readers (WAL, one connection per thread) see the old copy or the new
one, never half of either; a snapshot whose stream fails leaves the copy as it was. Leftover
tables of a load a crash interrupted are dropped before the next one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, wait
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import TypeVar

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

# feed_copy_load: a snapshot's entries as they stream in, in arrival order; feed_copy_next:
# the snapshot's copy built from them, renamed to feed_copy by the swap; feed_copy_old: the
# replaced copy, dropped after the swap
LEFTOVERS = ("feed_copy_load", "feed_copy_next", "feed_copy_old")
LAST_SEQUENCE_KEY = "feed_last_sequence"
AS_OF_KEY = "feed_as_of_ms"
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
    "CREATE TABLE feed_copy_load (code_ix BLOB, colour INTEGER, colour_seq INTEGER,"
    " sequence INTEGER, reason TEXT, at_ms INTEGER)"
)
_LOAD = (
    "INSERT INTO feed_copy_load (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_CREATE_NEXT = (
    "CREATE TABLE feed_copy_next (code_ix BLOB NOT NULL PRIMARY KEY, colour INTEGER NOT NULL,"
    " colour_seq INTEGER NOT NULL, sequence INTEGER NOT NULL, reason TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL) WITHOUT ROWID"
)
# Newest per code as the stream had it: sorted by key (SQLite's external sort, bounded
# memory) and appended in key order; rowid is the arrival order.
_BUILD_NEXT = (
    "INSERT INTO feed_copy_next (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " SELECT code_ix, colour, colour_seq, sequence, reason, at_ms FROM feed_copy_load"
    " WHERE true ORDER BY code_ix, colour_seq, rowid ON CONFLICT(code_ix) DO UPDATE SET"
    " colour = excluded.colour, colour_seq = excluded.colour_seq, sequence = excluded.sequence,"
    " reason = excluded.reason, at_ms = excluded.at_ms"
    " WHERE excluded.colour_seq >= feed_copy_next.colour_seq"
)
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
        self._index = code_indexer(cipher)
        self._chunk = max(1, chunk)
        self._applying = threading.Lock()  # one update at a time
        self._compacted_to: datetime | None = None
        connection = readers.get()
        last = read_meta(connection, LAST_SEQUENCE_KEY)
        as_of = read_meta(connection, AS_OF_KEY)
        self._last_sequence = int(last) if last else 0
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
        row = self._readers.get().execute(_LOOKUP, (self._index(issuer, code_id),)).fetchone()
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
            try:
                taken = self._load(entries, horizon_utc)
                self._run(_build_next)
            except BaseException:
                self._run(_discard_leftovers)
                raise

            def swap(connection: sqlite3.Connection) -> None:
                for statement in _SWAP:
                    connection.execute(statement)
                _write_head(connection, last_sequence, as_of)

            self._run(swap)
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

    def _rows(self, entries: Iterable[FeedEntry], horizon: datetime | None = None) -> Iterator[Row]:
        index = self._index
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

    def _load(self, entries: Iterable[FeedEntry], horizon: datetime | None) -> int:
        """Stream the entries into the loading table; the number loaded. The next chunk is
        made while the writer inserts the previous one (two chunks in memory at most)."""
        self._run(_discard_leftovers)
        self._run(lambda connection: connection.execute(_CREATE_LOADING))
        rows = self._rows(entries, horizon)
        pending: Future[None] | None = None
        loaded = 0
        try:
            while chunk := list(islice(rows, self._chunk)):
                if pending is not None:
                    pending.result(WRITE_TIMEOUT_S)
                pending = self._writer.submit(partial(_load_chunk, rows=chunk))
                loaded += len(chunk)
        except BaseException:
            if pending is not None:
                wait([pending], WRITE_TIMEOUT_S)  # before the leftovers are dropped
            raise
        if pending is not None:
            pending.result(WRITE_TIMEOUT_S)
        return loaded


def _newer(known: datetime | None, heard: datetime) -> datetime:
    return heard if known is None or heard > known else known


def _write_head(connection: sqlite3.Connection, last_sequence: int, as_of: datetime | None) -> None:
    write_meta(connection, LAST_SEQUENCE_KEY, str(last_sequence))
    write_meta(connection, AS_OF_KEY, "" if as_of is None else str(to_ms(as_of)))


def _load_chunk(connection: sqlite3.Connection, rows: list[Row]) -> None:
    connection.executemany(_LOAD, rows)


def _build_next(connection: sqlite3.Connection) -> None:
    connection.execute(_CREATE_NEXT)
    connection.execute(_BUILD_NEXT)
    connection.execute("DROP TABLE feed_copy_load")


def _discard_leftovers(connection: sqlite3.Connection) -> None:
    for name in LEFTOVERS:
        connection.execute(f"DROP TABLE IF EXISTS {name}")
