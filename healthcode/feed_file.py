"""The feed snapshot as a file: written streaming, verified first, read one entry at a time.

A snapshot (see `healthcode.feed`) of millions of entries must never be held whole in memory,
neither by central that builds it nor by a kiosk that applies it. This file format lets both
stream it (issue 28):

    MAGIC (8 bytes: b"HCSNAP1\\n")
    body: blocks, each a 4-byte big-endian length then a CBOR array of at most BLOCK_ENTRIES
          entries (`FeedEntry.encode`), entries in strictly increasing feed sequence
    trailer: a COSE_Sign1 by a feed key of the trust list over the header (a CBOR map:
          v, type "snapshot", publisher, last, as_of, horizon, count, body_length, body_sha256),
          then its own length as 4 bytes big-endian, last in the file

The signed header comes last because only after the body is written are its entry count and
SHA-256 known; the writer needs no second pass and no copy. A reader seeks to the end, verifies
the header with the trust list (the same problems as `open_signed_batch`) and checks that the
file's size is exactly magic + body + trailer; then it yields entries one by one, hashing the
body as it goes, and raises FeedError(DAMAGED) at the end if the count or hash differ. A
consumer applies entries inside a transaction and commits only when the iterator ends cleanly.

Blocks (rather than one CBOR item per entry) keep the reader at one `read` and one
`cbor2.loads` per few thousand entries.
"""

from __future__ import annotations

import hashlib
import operator
import os
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import cbor2

from healthcode import cose
from healthcode.claims import CODE_ID_LENGTH, ClaimsError, Colour, check_region_code
from healthcode.feed import (
    FEED_VERSION,
    BatchKind,
    FeedEntry,
    FeedError,
    FeedProblem,
    verify_feed_signature,
)
from healthcode.keys import SigningKey
from healthcode.timeutil import from_epoch_s, to_epoch_s
from healthcode.trust import TrustList

MAGIC = b"HCSNAP1\n"
BLOCK_ENTRIES = 4096
_LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 64 * 1024
MAX_BLOCK_BYTES = 16 * 1024 * 1024
MEDIA_TYPE = "application/vnd.healthcode.feed-snapshot"


@dataclass(frozen=True)
class SnapshotHeader:
    """What the signature covers: the snapshot's place in the feed and a digest of its body."""

    publisher: str
    last_sequence: int
    as_of_utc: datetime
    horizon_utc: datetime | None
    entry_count: int
    body_length: int
    body_sha256: bytes

    def encode(self) -> bytes:
        header: dict[str, Any] = {
            "v": FEED_VERSION,
            "type": BatchKind.SNAPSHOT.value,
            "publisher": self.publisher,
            "last": self.last_sequence,
            "as_of": to_epoch_s(self.as_of_utc),
            "count": self.entry_count,
            "body_length": self.body_length,
            "body_sha256": self.body_sha256,
        }
        if self.horizon_utc is not None:
            header["horizon"] = to_epoch_s(self.horizon_utc)
        return cbor2.dumps(header)

    @classmethod
    def decode(cls, payload: bytes) -> SnapshotHeader:
        try:
            body = cbor2.loads(payload)
            if not isinstance(body, dict) or body.get("v") != FEED_VERSION:
                raise ValueError(f"not a version {FEED_VERSION} snapshot header")
            if body.get("type") != BatchKind.SNAPSHOT.value:
                raise ValueError("not a snapshot")
            numbers = [body["last"], body["as_of"], body["count"], body["body_length"]]
            horizon = body.get("horizon")
            if horizon is not None:
                numbers.append(horizon)
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
                raise ValueError("snapshot header numbers must be integers")
            if min(body["last"], body["count"], body["body_length"]) < 0:
                raise ValueError("snapshot header numbers must not be negative")
            digest = body["body_sha256"]
            if not isinstance(digest, bytes) or len(digest) != hashlib.sha256().digest_size:
                raise ValueError("snapshot header digest is not a SHA-256")
            return cls(
                publisher=str(body["publisher"]),
                last_sequence=body["last"],
                as_of_utc=from_epoch_s(body["as_of"]),
                horizon_utc=from_epoch_s(horizon) if horizon is not None else None,
                entry_count=body["count"],
                body_length=body["body_length"],
                body_sha256=digest,
            )
        except (ValueError, KeyError, TypeError, OverflowError, OSError) as error:
            raise FeedError(FeedProblem.DAMAGED, str(error)) from None
        except Exception as error:  # cbor2's decoder errors
            raise FeedError(FeedProblem.DAMAGED, f"not CBOR: {error}") from None

    @property
    def digest(self) -> str:
        """Names this exact file (its header covers the body's digest and the as-of time)."""
        return hashlib.sha256(self.encode()).hexdigest()[:32]

    @property
    def etag(self) -> str:
        return f'"snapshot-{self.last_sequence}-{self.digest}"'


class SnapshotFileWriter:
    """Streams entries into `path` in bounded memory (one block at a time); `finish` signs the
    header and renames the finished file into place atomically. Leaving the `with` block
    without `finish` (or on an error) removes the partial file."""

    def __init__(
        self,
        path: Path,
        *,
        publisher: str,
        last_sequence: int,
        as_of_utc: datetime,
        horizon_utc: datetime | None,
    ) -> None:
        self.path = path
        self.temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self.publisher = publisher
        self.last_sequence = last_sequence
        self.as_of_utc = as_of_utc.replace(microsecond=0)
        self.horizon_utc = horizon_utc.replace(microsecond=0) if horizon_utc else None
        self._file: BinaryIO = self.temp.open("wb")
        self._file.write(MAGIC)
        self._digest = hashlib.sha256()
        self._block: list[Sequence[Any]] = []
        self._count = 0
        self._length = 0
        self._previous = 0
        self.header: SnapshotHeader | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.header is None:
            self._file.close()
            self.temp.unlink(missing_ok=True)

    def add(self, entry: FeedEntry) -> None:
        self.add_encoded(entry.encode())

    def add_encoded(self, item: Sequence[Any]) -> None:
        """An entry already in its wire form (`FeedEntry.encode`), as central streams rows."""
        sequence = item[0]
        if sequence <= self._previous or sequence > self.last_sequence:
            raise ValueError(f"entry {sequence} out of order (after {self._previous})")
        self._previous = sequence
        self._block.append(item)
        if len(self._block) >= BLOCK_ENTRIES:
            self._flush()

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Entries in wire form, in feed order, as a database cursor hands them out (tuples
        encode as CBOR arrays too): only the ends of each run are checked here, the order in
        between is the query's (and a reader checks every entry)."""
        if not rows:
            return
        if rows[0][0] <= self._previous or rows[-1][0] > self.last_sequence:
            raise ValueError(f"rows {rows[0][0]}..{rows[-1][0]} out of order")
        self._previous = rows[-1][0]
        self._flush()
        for start in range(0, len(rows), BLOCK_ENTRIES):
            self._block = [list(row) for row in rows[start : start + BLOCK_ENTRIES]]
            self._flush()

    def _flush(self) -> None:
        if not self._block:
            return
        encoded = cbor2.dumps(self._block)
        framed = _LENGTH.pack(len(encoded)) + encoded
        self._file.write(framed)
        self._digest.update(framed)
        self._length += len(framed)
        self._count += len(self._block)
        self._block = []

    def finish(self, key: SigningKey) -> SnapshotHeader:
        self._flush()
        header = SnapshotHeader(
            publisher=self.publisher,
            last_sequence=self.last_sequence,
            as_of_utc=self.as_of_utc,
            horizon_utc=self.horizon_utc,
            entry_count=self._count,
            body_length=self._length,
            body_sha256=self._digest.digest(),
        )
        signed = cose.sign(header.encode(), key)
        self._file.write(signed + _LENGTH.pack(len(signed)))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.temp, self.path)
        self.header = header
        return header


def read_header(file: BinaryIO, trust: TrustList) -> SnapshotHeader:
    """Verify a snapshot file's signed header with a feed key of the trust list and check the
    file's size against it. Raises FeedError (DAMAGED, UNKNOWN_KEY, NOT_A_FEED_KEY,
    KEY_COMPROMISED, BAD_SIGNATURE)."""
    message, size, signed_length = _trailer(file)
    verify_feed_signature(message, trust)
    return _checked_header(message, size, signed_length, file)


def read_own_header(file: BinaryIO) -> SnapshotHeader:
    """The header of a file this process's own side wrote (central re-reading its snapshot
    files): the same checks except the signature's."""
    message, size, signed_length = _trailer(file)
    return _checked_header(message, size, signed_length, file)


def _trailer(file: BinaryIO) -> tuple[cose.Sign1, int, int]:
    size = file.seek(0, os.SEEK_END)
    file.seek(0)
    if size < len(MAGIC) + _LENGTH.size or file.read(len(MAGIC)) != MAGIC:
        raise FeedError(FeedProblem.DAMAGED, "not a snapshot file")
    file.seek(size - _LENGTH.size)
    (signed_length,) = _LENGTH.unpack(file.read(_LENGTH.size))
    if signed_length > min(MAX_HEADER_BYTES, size - len(MAGIC) - _LENGTH.size):
        raise FeedError(FeedProblem.DAMAGED, "the snapshot's trailer is cut or too long")
    file.seek(size - _LENGTH.size - signed_length)
    try:
        return cose.decode(file.read(signed_length)), size, signed_length
    except cose.CoseError as error:
        raise FeedError(FeedProblem.DAMAGED, str(error)) from None


def _checked_header(
    message: cose.Sign1, size: int, signed_length: int, file: BinaryIO
) -> SnapshotHeader:
    header = SnapshotHeader.decode(message.payload)
    expected = len(MAGIC) + header.body_length + signed_length + _LENGTH.size
    if expected != size:
        raise FeedError(FeedProblem.DAMAGED, f"the file has {size} bytes, its header {expected}")
    file.seek(len(MAGIC))
    return header


@dataclass(frozen=True)
class EntryColumns:
    """One block's entries as columns (the i-th of each is the i-th entry), every entry checked
    as `FeedEntry.decode` checks one: a consumer of millions of entries (the kiosk's stored
    copy) takes them in bulk without making a `FeedEntry` for each."""

    sequences: tuple[int, ...]
    issuers: tuple[str, ...]
    code_ids: tuple[bytes, ...]
    colours: tuple[int, ...]  # wire numbers (`Colour.wire`)
    colour_seqs: tuple[int, ...]
    reasons: tuple[str, ...]
    at_s: tuple[int, ...]  # epoch seconds

    def __len__(self) -> int:
        return len(self.sequences)

    def entries(self) -> Iterator[FeedEntry]:
        colours = {wire: Colour.from_wire(wire) for wire in set(self.colours)}
        times = {at: from_epoch_s(at) for at in set(self.at_s)}  # a block's entries share times
        for sequence, issuer, code_id, colour, colour_seq, reason, at in zip(
            self.sequences,
            self.issuers,
            self.code_ids,
            self.colours,
            self.colour_seqs,
            self.reasons,
            self.at_s,
            strict=True,
        ):
            yield FeedEntry(
                sequence, issuer, code_id, colours[colour], colour_seq, reason, times[at]
            )


def iter_columns(file: BinaryIO, header: SnapshotHeader) -> Iterator[EntryColumns]:
    """The entries of a file whose header `read_header` verified, a block at a time, in feed
    order; FeedError (DAMAGED) on a malformed block or entries out of order, or at the end
    when the count or digest differ (a consumer keeps nothing until the iterator ends)."""
    file.seek(len(MAGIC))
    digest = hashlib.sha256()
    remaining = header.body_length
    count = 0
    previous = 0
    while remaining > 0:
        prefix = file.read(_LENGTH.size) if remaining >= _LENGTH.size else b""
        if len(prefix) != _LENGTH.size:
            raise FeedError(FeedProblem.DAMAGED, "a block's length is cut")
        (length,) = _LENGTH.unpack(prefix)
        if length > min(MAX_BLOCK_BYTES, remaining - _LENGTH.size):
            raise FeedError(FeedProblem.DAMAGED, "a block runs past the body")
        block = file.read(length)
        if len(block) != length:
            raise FeedError(FeedProblem.DAMAGED, "a block is cut")
        digest.update(prefix)
        digest.update(block)
        remaining -= _LENGTH.size + length
        columns = decode_block(block)
        sequences = columns.sequences
        if not sequences:
            continue
        # strictly increasing within the block (compared pairwise in C), after the last block
        if (
            sequences[0] <= previous
            or sequences[-1] > header.last_sequence
            or not all(map(operator.lt, sequences, islice(sequences, 1, None)))
        ):
            raise FeedError(FeedProblem.DAMAGED, "entry sequences are not in order")
        previous = sequences[-1]
        count += len(sequences)
        yield columns
    if count != header.entry_count:
        raise FeedError(
            FeedProblem.DAMAGED, f"{count} entries, the header says {header.entry_count}"
        )
    if digest.digest() != header.body_sha256:
        raise FeedError(FeedProblem.DAMAGED, "the body's SHA-256 differs from the signed one")


def iter_entries(file: BinaryIO, header: SnapshotHeader) -> Iterator[FeedEntry]:
    """The entries of a file whose header `read_header` verified, one by one; FeedError
    (DAMAGED) on a malformed block, or at the end when the count or digest differ."""
    for columns in iter_columns(file, header):
        yield from columns.entries()


def decode_block(block: bytes) -> EntryColumns:
    """A block's CBOR array of entries as columns; FeedError (DAMAGED) when any entry is not
    what `FeedEntry.decode` takes. The checks run per column and per distinct value (an
    issuer, a colour, the earliest and latest time), in C where they can."""
    try:
        items = cbor2.loads(block)
        if not isinstance(items, list):
            raise ValueError("a block is not an array")
        if not items:
            return EntryColumns((), (), (), (), (), (), ())
        if not set(map(type, items)) <= {list, tuple} or set(map(len, items)) != {7}:
            raise ValueError("a feed entry is an array of seven items")
        sequences, issuers, code_ids, colours, colour_seqs, reasons, at_s = zip(*items, strict=True)
        if not (
            set(map(type, issuers)) == {str}
            and set(map(type, code_ids)) == {bytes}
            and set(map(type, reasons)) == {str}
        ):
            raise ValueError("feed entry fields have the wrong types")
        # exactly int: a bool is no number here (as `FeedEntry.decode` has it)
        if set(map(type, chain(sequences, colour_seqs, at_s, colours))) != {int}:
            raise ValueError("feed entry numbers must be integers")
        if set(map(len, code_ids)) != {CODE_ID_LENGTH}:
            raise ValueError("feed entry code id has the wrong length")
        for issuer in set(issuers):
            check_region_code(issuer)
        for colour in set(colours):
            Colour.from_wire(colour)
        from_epoch_s(min(at_s))  # every time between these two is a datetime too
        from_epoch_s(max(at_s))
        return EntryColumns(sequences, issuers, code_ids, colours, colour_seqs, reasons, at_s)
    except (ValueError, TypeError, OverflowError, OSError, ClaimsError) as error:
        raise FeedError(FeedProblem.DAMAGED, str(error)) from None
    except Exception as error:  # cbor2's decoder errors
        raise FeedError(FeedProblem.DAMAGED, f"not CBOR: {error}") from None


class SnapshotFileReader:
    """A snapshot file whose header verified; `entries()` reads the body once, lazily."""

    def __init__(self, file: BinaryIO, header: SnapshotHeader) -> None:
        self._file = file
        self.header = header

    def entries(self) -> Iterator[FeedEntry]:
        return iter_entries(self._file, self.header)

    def columns(self) -> Iterator[EntryColumns]:
        """The body a block at a time (`iter_columns`): for consumers of millions of entries."""
        return iter_columns(self._file, self.header)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def open_snapshot_file(path: Path, trust: TrustList) -> SnapshotFileReader:
    """Verify the header of the file at `path` (FeedError when it does not); close the reader
    (or use it in `with`) when done."""
    file = path.open("rb")
    try:
        return SnapshotFileReader(file, read_header(file, trust))
    except BaseException:
        file.close()
        raise
