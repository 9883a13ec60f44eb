"""The feed snapshot as a file: written streaming, verified first, read one entry at a time.

A snapshot (see `healthcode.feed`) of millions of entries must never be held whole in memory,
neither by central that builds it nor by a kiosk that applies it. This file format lets both
stream it (issue 28):

    MAGIC (8 bytes: b"HCSNAP1\\n")
    body: blocks, each a 4-byte big-endian length then one CBOR item, entries in strictly
          increasing feed sequence, in one of two block encodings (`BlockEncoding`):
          rows: an array of at most BLOCK_ENTRIES entries (`FeedEntry.encode`);
          columns: an array of nine columns of at most COLUMN_BLOCK_ENTRIES entries
          (`encode_column_block`: numbers packed little-endian, code ids as one byte string,
          issuers and reasons as a table and a number per entry)
    trailer: a COSE_Sign1 by a feed key of the trust list over the header (a CBOR map:
          v, type "snapshot", publisher, last, as_of, horizon, count, body_length, body_sha256,
          and blocks "columns" for the column encoding: absent means rows), then its own
          length as 4 bytes big-endian, last in the file

The signed header comes last because only after the body is written are its entry count and
SHA-256 known; the writer needs no second pass and no copy. A reader seeks to the end, verifies
the header with the trust list (the same problems as `open_signed_batch`) and checks that the
file's size is exactly magic + body + trailer; then it yields entries one by one, hashing the
body as it goes, and raises FeedError(DAMAGED) at the end if the count or hash differ. A
consumer applies entries inside a transaction and commits only when the iterator ends cleanly.

Blocks (rather than one CBOR item per entry) keep the reader at one `read` and one
`cbor2.loads` per few thousand entries. Column blocks go further: a reader takes each column
straight into a numpy array and checks it whole (a kiosk applying millions of entries makes no
Python object per entry); central writes them, and a copy in rows for kiosks that predate them.
The encoding is in the signed header, so a file cannot be read as the other.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import cbor2
import numpy as np
import numpy.typing as npt

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
# Column blocks are bigger: their cost per block is a few numpy calls, per entry a few bytes
# (16,384 entries: about 740 KB).
COLUMN_BLOCK_ENTRIES = 16384
_LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 64 * 1024
MAX_BLOCK_BYTES = 16 * 1024 * 1024
MEDIA_TYPE = "application/vnd.healthcode.feed-snapshot"
_COLUMNS = 9  # sequences, issuers, issuer of each, code ids, colours, colour seqs, reasons,
# reason of each, times
_WIRES = np.array(sorted(colour.wire for colour in Colour), dtype=np.uint8)
MAX_TABLE = 1 << 16  # issuers or reasons in one column block (numbered in two bytes)


class BlockEncoding(StrEnum):
    """How the file's blocks hold their entries (in the signed header as `blocks`)."""

    ROWS = "rows"  # an array of entries, each `FeedEntry.encode` (the first encoding)
    COLUMNS = "columns"  # an array of columns (`encode_column_block`)


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
    blocks: BlockEncoding = BlockEncoding.ROWS

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
        if self.blocks is not BlockEncoding.ROWS:  # a row file's header is as it always was
            header["blocks"] = self.blocks.value
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
            blocks = BlockEncoding(body.get("blocks", BlockEncoding.ROWS.value))
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
                blocks=blocks,
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
        blocks: BlockEncoding = BlockEncoding.ROWS,
    ) -> None:
        self.path = path
        self.blocks = blocks
        self._block_entries = (
            BLOCK_ENTRIES if blocks is BlockEncoding.ROWS else COLUMN_BLOCK_ENTRIES
        )
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
        if len(self._block) >= self._block_entries:
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
        if self.blocks is BlockEncoding.COLUMNS:  # full blocks across the cursor's batches
            self._block.extend(rows)
            while len(self._block) >= self._block_entries:
                self._flush(self._block_entries)
            return
        self._flush()
        for start in range(0, len(rows), BLOCK_ENTRIES):
            self._block = [list(row) for row in rows[start : start + BLOCK_ENTRIES]]
            self._flush()

    def _flush(self, count: int | None = None) -> None:
        """Write the first `count` gathered entries (all of them by default) as a block."""
        block = self._block if count is None else self._block[:count]
        if not block:
            return
        if self.blocks is BlockEncoding.COLUMNS:
            encoded = encode_column_block(block)
        else:
            encoded = cbor2.dumps(block)
        framed = _LENGTH.pack(len(encoded)) + encoded
        self._file.write(framed)
        self._digest.update(framed)
        self._length += len(framed)
        self._count += len(block)
        self._block = [] if count is None else self._block[count:]

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
            blocks=self.blocks,
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
    """One row block's entries as columns (the i-th of each is the i-th entry), every entry
    checked as `FeedEntry.decode` checks one (`decode_block`)."""

    sequences: tuple[int, ...]
    issuers: tuple[str, ...]
    code_ids: tuple[bytes, ...]
    colours: tuple[int, ...]  # wire numbers (`Colour.wire`)
    colour_seqs: tuple[int, ...]
    reasons: tuple[str, ...]
    at_s: tuple[int, ...]  # epoch seconds

    def __len__(self) -> int:
        return len(self.sequences)

    def packed(self) -> PackedColumns:
        """The same entries as a column block holds them (DAMAGED when a number does not fit
        its column: no feed has such numbers)."""
        try:
            return _packed(
                self.sequences,
                self.issuers,
                b"".join(self.code_ids),
                self.colours,
                self.colour_seqs,
                self.reasons,
                self.at_s,
            )
        except (ValueError, OverflowError) as error:
            raise FeedError(FeedProblem.DAMAGED, str(error)) from None


Int64s = npt.NDArray[np.int64]
UInt16s = npt.NDArray[np.uint16]
UInt8s = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class PackedColumns:
    """A block's entries as packed columns, checked as `FeedEntry.decode` checks each entry: what
    `iter_columns` yields for either encoding. A consumer of millions of entries (the kiosk's
    stored copy) takes them in bulk without making a `FeedEntry` (or any object) for each."""

    sequences: Int64s
    issuers: tuple[str, ...]  # the block's table of issuers
    issuer_of: UInt16s  # each entry's issuer: a number in `issuers`
    code_ids: bytes  # CODE_ID_LENGTH bytes each, one after the other
    colours: UInt8s  # wire numbers (`Colour.wire`)
    colour_seqs: Int64s
    reasons: tuple[str, ...]  # the block's table of reasons
    reason_of: UInt16s
    at_s: Int64s  # epoch seconds

    def __len__(self) -> int:
        return len(self.sequences)

    def taking(self, keep: npt.NDArray[np.bool_]) -> PackedColumns:
        """The entries where `keep` is true, in order."""
        codes = np.frombuffer(self.code_ids, dtype=np.uint8).reshape(-1, CODE_ID_LENGTH)
        return PackedColumns(
            self.sequences[keep],
            self.issuers,
            self.issuer_of[keep],
            codes[keep].tobytes(),
            self.colours[keep],
            self.colour_seqs[keep],
            self.reasons,
            self.reason_of[keep],
            self.at_s[keep],
        )

    def rows(self) -> list[tuple[int, str, bytes, int, int, str, int]]:
        """The entries in wire form (`FeedEntry.encode`, as tuples)."""
        view = memoryview(self.code_ids)
        codes = [
            bytes(view[at : at + CODE_ID_LENGTH]) for at in range(0, len(view), CODE_ID_LENGTH)
        ]
        return list(
            zip(
                self.sequences.tolist(),
                [self.issuers[n] for n in self.issuer_of.tolist()],
                codes,
                self.colours.tolist(),
                self.colour_seqs.tolist(),
                [self.reasons[n] for n in self.reason_of.tolist()],
                self.at_s.tolist(),
                strict=True,
            )
        )

    def entries(self) -> Iterator[FeedEntry]:
        colours = {int(wire): Colour.from_wire(int(wire)) for wire in np.unique(self.colours)}
        times: dict[int, datetime] = {}  # a block's entries share times: convert each once
        for sequence, issuer, code_id, colour, colour_seq, reason, at in self.rows():
            time = times.get(at)
            if time is None:
                time = times[at] = from_epoch_s(at)
            yield FeedEntry(sequence, issuer, code_id, colours[colour], colour_seq, reason, time)


def _table(values: Sequence[str]) -> tuple[tuple[str, ...], UInt16s]:
    """A column of text as its distinct values and each value's number among them."""
    table = tuple(dict.fromkeys(values))
    if len(table) > MAX_TABLE:
        raise ValueError(f"{len(table)} distinct values in one block (at most {MAX_TABLE})")
    numbers = {value: number for number, value in enumerate(table)}
    return table, np.fromiter(map(numbers.__getitem__, values), dtype=np.uint16, count=len(values))


def _packed(
    sequences: Sequence[int],
    issuers: Sequence[str],
    code_ids: bytes,
    colours: Sequence[int],
    colour_seqs: Sequence[int],
    reasons: Sequence[str],
    at_s: Sequence[int],
) -> PackedColumns:
    issuer_table, issuer_of = _table(issuers)
    reason_table, reason_of = _table(reasons)
    return PackedColumns(
        np.array(sequences, dtype=np.int64),
        issuer_table,
        issuer_of,
        code_ids,
        np.array(colours, dtype=np.uint8),
        np.array(colour_seqs, dtype=np.int64),
        reason_table,
        reason_of,
        np.array(at_s, dtype=np.int64),
    )


def encode_column_block(rows: Sequence[Sequence[Any]]) -> bytes:
    """Entries in wire form (`FeedEntry.encode`) as a column block: a CBOR array of
    [sequences (8 bytes each), issuers (text), issuer of each (2 bytes each, a number in
    issuers), code ids (16 bytes each), colours (1 byte each, the wire number), colour
    sequences (8 bytes each), reasons (text), reason of each (2 bytes each), times (epoch
    seconds, 8 bytes each)], every number little-endian, the 8-byte ones signed. ValueError
    (or OverflowError) when an entry does not fit."""
    sequences, issuers, code_ids, colours, colour_seqs, reasons, at_s = zip(*rows, strict=True)
    if set(map(len, code_ids)) != {CODE_ID_LENGTH}:
        raise ValueError("a code id has the wrong length")
    packed = _packed(sequences, issuers, b"".join(code_ids), colours, colour_seqs, reasons, at_s)
    return cbor2.dumps(
        [
            packed.sequences.astype("<i8").tobytes(),
            list(packed.issuers),
            packed.issuer_of.astype("<u2").tobytes(),
            packed.code_ids,
            packed.colours.tobytes(),
            packed.colour_seqs.astype("<i8").tobytes(),
            list(packed.reasons),
            packed.reason_of.astype("<u2").tobytes(),
            packed.at_s.astype("<i8").tobytes(),
        ]
    )


# Each byte string column's bytes per entry, by its place in the block
_WIDTHS = {0: 8, 2: 2, 3: CODE_ID_LENGTH, 4: 1, 5: 8, 7: 2, 8: 8}
_DTYPES = {0: "<i8", 2: "<u2", 4: "u1", 5: "<i8", 7: "<u2", 8: "<i8"}


def decode_column_block(block: bytes) -> PackedColumns:
    """A column block (`encode_column_block`) as arrays; FeedError (DAMAGED) when it is not
    one, or when any entry is not what `FeedEntry.decode` takes (an issuer that is no region
    code, an unknown colour, a time no date has, a number beyond its table). Each check runs
    over a whole column in numpy, or once per table entry."""
    try:
        items = cbor2.loads(block)
        if not isinstance(items, list) or len(items) != _COLUMNS:
            raise ValueError(f"a column block is an array of {_COLUMNS} columns")
        if not all(isinstance(items[at], bytes) for at in _WIDTHS):
            raise ValueError("a column block's packed columns must be byte strings")
        issuers, reasons = items[1], items[6]
        if not (
            isinstance(issuers, list)
            and isinstance(reasons, list)
            and set(map(type, chain(issuers, reasons))) <= {str}
        ):
            raise ValueError("a column block's tables must be arrays of text")
        count, rest = divmod(len(items[0]), _WIDTHS[0])
        if rest or any(len(items[at]) != count * width for at, width in _WIDTHS.items()):
            raise ValueError("a column block's columns differ in length")
        if len(issuers) > MAX_TABLE or len(reasons) > MAX_TABLE:
            raise ValueError("a column block's table is too long")
        for issuer in issuers:
            check_region_code(issuer)
        arrays = {at: np.frombuffer(items[at], dtype=dtype) for at, dtype in _DTYPES.items()}
        # native order for the consumer (a no-op on little-endian machines)
        sequences, issuer_of, colours, colour_seqs, reason_of, at_s = (
            arrays[at].astype(arrays[at].dtype.newbyteorder("="), copy=False)
            for at in (0, 2, 4, 5, 7, 8)
        )
        if count:
            if int(issuer_of.max()) >= len(issuers) or int(reason_of.max()) >= len(reasons):
                raise ValueError("a column block names an issuer or reason beyond its table")
            if not np.isin(colours, _WIRES).all():
                raise ValueError("a feed entry's colour is not 1, 2 or 3")
            from_epoch_s(int(at_s.min()))  # every time between these two is a datetime too
            from_epoch_s(int(at_s.max()))
        return PackedColumns(
            sequences,
            tuple(issuers),
            issuer_of,
            items[3],
            colours,
            colour_seqs,
            tuple(reasons),
            reason_of,
            at_s,
        )
    except (ValueError, TypeError, OverflowError, OSError, ClaimsError) as error:
        raise FeedError(FeedProblem.DAMAGED, str(error)) from None
    except Exception as error:  # cbor2's decoder errors
        raise FeedError(FeedProblem.DAMAGED, f"not CBOR: {error}") from None


def iter_columns(file: BinaryIO, header: SnapshotHeader) -> Iterator[PackedColumns]:
    """The entries of a file whose header `read_header` verified, a block at a time as packed
    columns (either encoding), in feed order; FeedError (DAMAGED) on a malformed block or
    entries out of order, or at the end when the count or digest differ (a consumer keeps
    nothing until the iterator ends)."""
    file.seek(len(MAGIC))
    digest = hashlib.sha256()
    remaining = header.body_length
    count = 0
    previous = 0
    columns = header.blocks is BlockEncoding.COLUMNS
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
        packed = decode_column_block(block) if columns else decode_block(block).packed()
        sequences = packed.sequences
        if not len(sequences):
            continue
        # strictly increasing within the block (compared whole in numpy), after the last block
        if (
            int(sequences[0]) <= previous
            or int(sequences[-1]) > header.last_sequence
            or not (sequences[1:] > sequences[:-1]).all()
        ):
            raise FeedError(FeedProblem.DAMAGED, "entry sequences are not in order")
        previous = int(sequences[-1])
        count += len(sequences)
        yield packed
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
    """A row block's CBOR array of entries as columns; FeedError (DAMAGED) when any entry is not
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

    def columns(self) -> Iterator[PackedColumns]:
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
