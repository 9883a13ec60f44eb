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
sequence is not older, as `healthcode.feed.FeedCopy` does). A snapshot arrives a block of
columns at a time (`healthcode.feed_file.iter_columns`, read from the snapshot file; entries
from elsewhere are grouped into columns) and is applied in two passes with bounded memory and
little Python per entry. First, without the writer: each block's codes are indexed in one
loop, packed into fixed-size numpy records (index, colour, sequences, time, reason number) and
gathered into runs of RUN_RECORDS, each ordered by the index's top BUCKET_BITS bits (its
bucket) and appended to a scratch file beside the store (`<store>-feed-load`, never synced).
Then, bucket by bucket in key order (consecutive buckets together, about GROUP_RECORDS per
group): every run's slice of those buckets is read, sorted by key in numpy, the newest per
code kept, and the rows appended to a new table in key order by the writer (SQLite cutting a
chunk's rows out of two bound blobs, `_APPEND`), each chunk its own
short transaction, so passages are written between them and the copy crosses the WAL once.
The keyed index is uniform, so buckets are alike in size whatever the feed's. The new table is
swapped in by a rename within one transaction. Readers (WAL, one connection per thread) see the
old copy or the new one, never half of either; a snapshot whose stream fails (a cut or forged
file fails its count or digest at the end of the first pass) leaves the copy as it was.
Leftovers of a load a crash interrupted (the scratch file, the half built table) are dropped
before the next one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TypeVar

import numpy as np

from healthcode.claims import CODE_ID_LENGTH, Colour, HealthCodeClaims
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
from healthcode.feed_file import EntryColumns, PackedColumns
from kiosk.store.connection import Readers, Writer
from kiosk.store.crypto import BLIND_INDEX_BYTES, FieldCipher
from kiosk.store.meta import read_meta, write_meta
from kiosk.store.rows import CODE_INDEX_KIND, code_indexer, from_ms, to_ms

T = TypeVar("T")
Row = tuple[bytes, int, int, int, str, int]

# feed_copy_load: where an older version streamed a snapshot (kept here to drop its leftover);
# feed_copy_next: the snapshot's copy, renamed to feed_copy by the swap; feed_copy_old: the
# replaced copy, dropped after the swap
LEFTOVERS = ("feed_copy_load", "feed_copy_next", "feed_copy_old")
SCRATCH_SUFFIX = "-feed-load"
LAST_SEQUENCE_KEY = "feed_last_sequence"
AS_OF_KEY = "feed_as_of_ms"
# The copy's keyed index: absent, HMAC-SHA256 (`rows.code_index`, copies before it); BLAKE2S,
# keyed BLAKE2s (about half the cost per code), written by the snapshot swap that brings it.
INDEX_FORMAT_KEY = "feed_index"
BLAKE2S = "blake2s-16"
CHUNK = 50_000  # rows per transaction of the snapshot's copy (tens of milliseconds)
# A snapshot's records (45 bytes each): the index as two numbers, its first and last 8 bytes
# read big-endian, so that numbers sort as the bytes do (native order: numpy's concatenate
# gives native order whatever it is given)
RECORD = np.dtype(
    [
        ("hi", "=u8"),
        ("lo", "=u8"),
        ("colour_seq", "=i8"),
        ("sequence", "=i8"),
        ("at_ms", "=i8"),
        ("reason", "=u4"),
        ("colour", "u1"),
    ]
)
BUCKET_BITS = 12  # 4,096 buckets: 1,200 codes each at 5,000,000; grouped when copied
RUN_RECORDS = 1 << 18  # 12 MB of records gathered before a run is written
GROUP_RECORDS = 1 << 16  # about this many records sorted and copied at a time
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
_COPY_TABLE = (
    " (code_ix BLOB NOT NULL PRIMARY KEY, colour INTEGER NOT NULL,"
    " colour_seq INTEGER NOT NULL, sequence INTEGER NOT NULL, reason TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL) WITHOUT ROWID"
)
_CREATE_NEXT = "CREATE TABLE main.feed_copy_next" + _COPY_TABLE
# A chunk of the snapshot's rows, in key order, from two blobs: the keys (16 bytes each) and
# the numbers as fixed-width decimal text (`_numbers_blob`: colour, colour sequence, sequence,
# reason number, time). Python's executemany costs 2-3 us per row binding six values; SQLite
# cutting the rows out of the blobs costs about a microsecond.
_KEY_BYTES = 16
_WIDTHS = (1, 20, 20, 10, 20)  # colour, colour_seq, sequence, reason number, at_ms
_ROW_TEXT = sum(_WIDTHS)
_AT = [1 + sum(_WIDTHS[:n]) for n in range(len(_WIDTHS))]  # substr's 1-based starts
# Row numbers 0.. (as many as a chunk's rows), read in order by _APPEND.
_CREATE_ROWS = "CREATE TEMP TABLE IF NOT EXISTS feed_rows (i INTEGER PRIMARY KEY)"
_FILL_ROWS = (
    "INSERT OR IGNORE INTO temp.feed_rows (i) SELECT value FROM ("
    "WITH RECURSIVE n(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM n WHERE value + 1 < ?)"
    " SELECT value FROM n)"
)
_CREATE_REASONS = (
    "CREATE TEMP TABLE IF NOT EXISTS feed_reasons (number INTEGER PRIMARY KEY, name TEXT NOT NULL)"
)
# Row i's text starts at i * 71 + 1: colour at +0 (1), colour_seq +1 (20), sequence +21 (20),
# reason number +41 (10), at_ms +51 (20); its key at i * 16 + 1. ?4 is the chunk's one reason
# when all its rows have the same (a snapshot's usual case: no lookup per row), else NULL.
_APPEND = (
    "INSERT INTO main.feed_copy_next (code_ix, colour, colour_seq, sequence, reason, at_ms)"
    " SELECT substr(?1, i * 16 + 1, 16),"
    " CAST(substr(?2, i * 71 + 1, 1) AS INTEGER),"
    " CAST(substr(?2, i * 71 + 2, 20) AS INTEGER),"
    " CAST(substr(?2, i * 71 + 22, 20) AS INTEGER),"
    " coalesce(?4, (SELECT name FROM temp.feed_reasons"
    "  WHERE number = CAST(substr(?2, i * 71 + 42, 10) AS INTEGER))),"
    " CAST(substr(?2, i * 71 + 52, 20) AS INTEGER)"
    " FROM temp.feed_rows WHERE i < ?3"
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
        self,
        writer: Writer,
        readers: Readers,
        cipher: FieldCipher,
        *,
        chunk: int = CHUNK,
        run_records: int = RUN_RECORDS,
        group_records: int = GROUP_RECORDS,
    ) -> None:
        self._writer = writer
        self._readers = readers
        self._cipher = cipher
        self._blake2_index = code_indexer(cipher, blake2=True)
        self._switching = threading.Lock()  # a lookup and the format it reads, as one
        self._chunk = max(1, chunk)
        self._run_records, self._group_records = max(1, run_records), max(1, group_records)
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
        return self._replace(
            _parts_of_entries(entries, self._chunk),
            last_sequence=last_sequence,
            as_of_utc=as_of_utc,
            horizon_utc=horizon_utc,
        )

    def replace_from_snapshot_columns(
        self,
        blocks: Iterable[PackedColumns],
        *,
        last_sequence: int,
        as_of_utc: datetime,
        horizon_utc: datetime | None,
    ) -> int:
        """`replace_from_snapshot` from a snapshot file's blocks (`SnapshotFileReader.columns`),
        without an object per entry: the kiosk's path for a snapshot of millions."""
        return self._replace(
            (_part_of_columns(block) for block in blocks),
            last_sequence=last_sequence,
            as_of_utc=as_of_utc,
            horizon_utc=horizon_utc,
        )

    def _replace(
        self,
        parts: Iterable[_Part],
        *,
        last_sequence: int,
        as_of_utc: datetime,
        horizon_utc: datetime | None,
    ) -> int:
        with self._applying:
            if (refusal := older_snapshot(last_sequence, self._last_sequence)) is not None:
                raise refusal
            as_of = _newer(self._as_of, as_of_utc)
            self._run(_discard_leftovers)
            _remove_scratch(self._scratch)
            cut_ms = None if horizon_utc is None else to_ms(horizon_utc)
            reasons = _Reasons()
            try:
                with _ScratchRuns(self._scratch, self._run_records) as runs:
                    taken = 0
                    for part in parts:
                        records = self._records(part, cut_ms, reasons)
                        runs.add(records)
                        taken += len(records)
                    self._copy_sorted(runs.groups(self._group_records), reasons.names)
            except BaseException:
                self._run(_discard_leftovers)
                raise
            finally:
                _remove_scratch(self._scratch)

            def swap(connection: sqlite3.Connection) -> None:
                for statement in _SWAP:
                    connection.execute(statement)
                for helper in ("feed_reasons", "feed_rows"):  # the append's, no longer needed
                    connection.execute(f"DROP TABLE IF EXISTS temp.{helper}")
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

    def _records(self, part: _Part, cut_ms: int | None, reasons: _Reasons) -> np.ndarray:
        """A part's entries as records under the keyed BLAKE2s index (those before the horizon
        left out): the columns straight into the records, no object per entry."""
        if cut_ms is not None and len(part.at_ms) and int(part.at_ms.min()) < cut_ms:
            part = part.taking(part.at_ms >= cut_ms)
        columns = part.columns
        count = len(columns)
        records = np.empty(count, RECORD)
        if not count:
            return records
        keys = np.frombuffer(self._keys(columns), dtype=">u8")
        records["hi"] = keys[0::2]
        records["lo"] = keys[1::2]
        records["colour"] = columns.colours
        records["colour_seq"] = columns.colour_seqs
        records["sequence"] = columns.sequences
        records["at_ms"] = part.at_ms
        numbers = np.array(reasons.numbers(columns.reasons), dtype=np.uint32)
        records["reason"] = numbers[columns.reason_of]
        return records

    def _keys(self, columns: PackedColumns) -> bytes:
        """The codes' keyed indexes, joined (what `code_indexer(blake2=True)` gives each): one
        loop per issuer of the block (a province's snapshot has one)."""
        if len(columns.issuers) == 1:
            return self._cipher.keyed_hashes_packed(
                CODE_INDEX_KIND, columns.issuers[0].encode() + b"\x00", columns.code_ids
            )
        codes = np.frombuffer(columns.code_ids, dtype=np.uint8).reshape(-1, CODE_ID_LENGTH)
        keys = np.empty((len(columns), BLIND_INDEX_BYTES), dtype=np.uint8)
        for number in np.unique(columns.issuer_of).tolist():
            at = np.flatnonzero(columns.issuer_of == number)
            prefix = columns.issuers[number].encode() + b"\x00"
            hashed = self._cipher.keyed_hashes_packed(CODE_INDEX_KIND, prefix, codes[at].tobytes())
            keys[at] = np.frombuffer(hashed, dtype=np.uint8).reshape(-1, BLIND_INDEX_BYTES)
        return keys.tobytes()

    def _copy_sorted(self, groups: Iterator[np.ndarray], reasons: Sequence[str]) -> None:
        """Append the runs' records, a group of buckets at a time in key order, newest per code,
        to feed_copy_next, a chunk per transaction (passages are written between them); the
        next chunk is made while the writer appends this one (SQLite runs without the GIL)."""
        names = list(enumerate(reasons))

        def create(connection: sqlite3.Connection) -> None:
            connection.execute(_CREATE_NEXT)
            connection.execute(_CREATE_REASONS)
            connection.execute(_CREATE_ROWS)
            connection.execute(_FILL_ROWS, (self._chunk,))
            connection.execute("DELETE FROM temp.feed_reasons")
            connection.executemany("INSERT INTO temp.feed_reasons VALUES (?, ?)", names)

        self._run(create)
        pending: Future[None] | None = None
        try:
            for group in groups:
                newest = _newest(group)
                for start in range(0, len(newest), self._chunk):
                    chunk = newest[start : start + self._chunk]
                    blobs = _blobs(chunk, reasons)
                    if pending is not None:
                        pending.result(WRITE_TIMEOUT_S)
                    pending = self._writer.submit(partial(_append_rows, blobs=blobs))
            if pending is not None:
                pending.result(WRITE_TIMEOUT_S)
        finally:
            if pending is not None:
                wait([pending])  # before the caller drops the table


@dataclass(frozen=True)
class _Part:
    """A block of entries as columns, with their times in milliseconds: what the first pass
    takes."""

    columns: PackedColumns
    at_ms: np.ndarray

    def taking(self, keep: np.ndarray) -> _Part:
        return _Part(self.columns.taking(keep), self.at_ms[keep])


def _part_of_columns(block: PackedColumns) -> _Part:
    return _Part(block, block.at_s * 1000)


def _parts_of_entries(entries: Iterable[FeedEntry], size: int) -> Iterator[_Part]:
    """Entries grouped `size` at a time into columns."""
    wire = {colour: colour.wire for colour in Colour}
    stream = iter(entries)
    while group := list(islice(stream, size)):
        times: dict[datetime, int] = {}  # a snapshot's entries share times: convert each once
        at_ms = [times.get(e.at_utc) or times.setdefault(e.at_utc, to_ms(e.at_utc)) for e in group]
        columns = EntryColumns(
            tuple(e.sequence for e in group),
            tuple(e.issuer for e in group),
            tuple(e.code_id for e in group),
            tuple(wire[e.colour] for e in group),
            tuple(e.colour_seq for e in group),
            tuple(e.reason for e in group),
            tuple(at // 1000 for at in at_ms),
        )
        yield _Part(columns.packed(), np.array(at_ms, dtype=np.int64))


class _Reasons:
    """Reasons as small numbers in the records (a snapshot has a handful of distinct ones)."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self.names: list[str] = []

    def numbers(self, reasons: Sequence[str]) -> list[int]:
        for reason in set(reasons) - self._numbers.keys():
            self._numbers[reason] = len(self.names)
            self.names.append(reason)
        return list(map(self._numbers.__getitem__, reasons))


class _ScratchRuns:
    """Records in runs in a scratch file, each run ordered by bucket (the index's top bits),
    with where each bucket starts in it; `groups` reads them back bucket by bucket. Nothing in
    it needs to survive a crash: it is never synced, and removed by its owner."""

    def __init__(self, path: Path, run_records: int) -> None:
        self._run_records = run_records
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
        self._file = os.fdopen(descriptor, "w+b")  # its owner's only
        self._gathered: list[np.ndarray] = []
        self._gathered_count = 0
        self._runs: list[tuple[int, np.ndarray]] = []  # offset, bucket starts (BUCKETS + 1)
        self._end = 0

    def __enter__(self) -> _ScratchRuns:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()

    def add(self, records: np.ndarray) -> None:
        if not len(records):
            return
        self._gathered.append(records)
        self._gathered_count += len(records)
        if self._gathered_count >= self._run_records:
            self._write_run()

    def _write_run(self) -> None:
        if not self._gathered:
            return
        run = np.concatenate(self._gathered)
        self._gathered, self._gathered_count = [], 0
        buckets = (run["hi"] >> np.uint64(64 - BUCKET_BITS)).astype(np.uint16)
        order = np.argsort(buckets, kind="stable")  # a radix sort for 16-bit numbers
        run = run[order]
        starts = np.searchsorted(buckets[order], np.arange(_BUCKETS + 1))
        self._file.seek(self._end)
        self._file.write(run.tobytes())
        self._runs.append((self._end, starts))
        self._end += run.nbytes

    def groups(self, size: int) -> Iterator[np.ndarray]:
        """Every record, a group of consecutive buckets (about `size` records) at a time, in
        bucket order."""
        self._write_run()
        if not self._runs:
            return
        per_bucket = np.sum([np.diff(starts) for _, starts in self._runs], axis=0)
        first = 0
        gathered = 0
        for bucket, count in enumerate(per_bucket.tolist()):
            gathered += count
            if gathered >= size or bucket == _BUCKETS - 1:
                if gathered:
                    yield self._read(first, bucket + 1)
                first, gathered = bucket + 1, 0

    def _read(self, first: int, end: int) -> np.ndarray:
        parts = []
        for offset, starts in self._runs:
            begin, stop = int(starts[first]), int(starts[end])
            if stop > begin:
                self._file.seek(offset + begin * RECORD.itemsize)
                data = self._file.read((stop - begin) * RECORD.itemsize)
                parts.append(np.frombuffer(data, RECORD))
        return np.concatenate(parts)


_BUCKETS = 1 << BUCKET_BITS
_BINARY = getattr(os, "O_BINARY", 0)  # Windows would translate line ends otherwise


def _newest(group: np.ndarray) -> np.ndarray:
    """A group's records sorted by key, the newest per code: the highest colour sequence, then
    the latest in the feed (as one applied after the other)."""
    # A snapshot names each code once: sorted by the index's first half alone, no two
    # neighbours share it (a quarter of the sort's cost); otherwise the full order is needed.
    by_hi = group[np.argsort(group["hi"])]
    if len(by_hi) < 2 or (by_hi["hi"][1:] != by_hi["hi"][:-1]).all():
        return by_hi
    group = group[np.lexsort((group["sequence"], group["colour_seq"], group["lo"], group["hi"]))]
    last = np.ones(len(group), dtype=bool)
    last[:-1] = (group["hi"][1:] != group["hi"][:-1]) | (group["lo"][1:] != group["lo"][:-1])
    return group if last.all() else group[last]


def _blobs(records: np.ndarray, reasons: Sequence[str]) -> tuple[bytes, bytes, int, str | None]:
    """`_APPEND`'s parameters for these records."""
    numbers = records["reason"]
    one = reasons[int(numbers[0])] if (numbers == numbers[0]).all() else None
    return _keys_blob(records), _numbers_blob(records), len(records), one


def _keys_blob(records: np.ndarray) -> bytes:
    keys = np.empty((len(records), 2), dtype=">u8")
    keys[:, 0] = records["hi"]
    keys[:, 1] = records["lo"]
    return keys.tobytes()


def _numbers_blob(records: np.ndarray) -> bytes:
    """Each record's numbers as `_WIDTHS` decimal text (what SQLite's CAST reads)."""
    text = np.empty((len(records), _ROW_TEXT), dtype=np.uint8)
    columns = ("colour", "colour_seq", "sequence", "reason", "at_ms")
    for name, at, width in zip(columns, _AT, _WIDTHS, strict=True):
        text[:, at - 1 : at - 1 + width] = _decimal(records[name], width)
    return text.tobytes()


_FOUR_DIGITS = np.frombuffer(
    "".join(f"{n:04d}" for n in range(10_000)).encode(), dtype=np.uint8
).reshape(10_000, 4)


def _decimal(values: np.ndarray, width: int) -> np.ndarray:
    """Integers as `width` ASCII characters: a sign ("-" or a "0") then zero-padded digits
    (20 fit any 64-bit integer; 1 is a single digit 0-9)."""
    if width == 1:
        return (values.astype(np.uint8) + ord("0")).reshape(-1, 1)
    magnitude = np.abs(values.astype(np.int64)).astype(np.uint64)  # -2**63 stays 2**63
    digits = np.empty((len(values), 20), dtype=np.uint8)
    end = 20
    while end > 0 and magnitude.any():  # four digits at a time, from the right
        digits[:, end - 4 : end] = _FOUR_DIGITS[(magnitude % 10_000).astype(np.intp)]
        magnitude //= 10_000
        end -= 4
    digits[:, :end] = ord("0")  # what is left is leading zeros (small numbers end early)
    text = digits[:, 20 - width :].copy()
    text[:, 0] = np.where(values < 0, ord("-"), ord("0"))
    return text


def _append_rows(
    connection: sqlite3.Connection, blobs: tuple[bytes, bytes, int, str | None]
) -> None:
    # Returns nothing: the cursor must end on the writer's thread.
    connection.execute(_APPEND, blobs)


def _newer(known: datetime | None, heard: datetime) -> datetime:
    return heard if known is None or heard > known else known


def _write_head(connection: sqlite3.Connection, last_sequence: int, as_of: datetime | None) -> None:
    write_meta(connection, LAST_SEQUENCE_KEY, str(last_sequence))
    write_meta(connection, AS_OF_KEY, "" if as_of is None else str(to_ms(as_of)))


def _remove_scratch(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def _discard_leftovers(connection: sqlite3.Connection) -> None:
    for name in LEFTOVERS:
        connection.execute(f"DROP TABLE IF EXISTS {name}")
    connection.execute("DROP TABLE IF EXISTS temp.feed_reasons")
    connection.execute("DROP TABLE IF EXISTS temp.feed_rows")
