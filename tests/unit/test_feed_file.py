"""The snapshot file: written streaming, its signed header checked first, entries read lazily,
and any damage found before a consumer commits what it applied."""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import cbor2
import pytest

from healthcode import cose
from healthcode.claims import Colour
from healthcode.feed import FeedCopy, FeedEntry, FeedError, FeedProblem
from healthcode.feed_file import (
    BLOCK_ENTRIES,
    COLUMN_BLOCK_ENTRIES,
    MAGIC,
    BlockEncoding,
    SnapshotFileWriter,
    SnapshotHeader,
    decode_block,
    decode_column_block,
    encode_column_block,
    open_snapshot_file,
)
from healthcode.keys import SigningKey
from healthcode.trust import KeyRole, TrustList
from tests.unit.conftest import ISSUED_AT, SHAANXI, World, trusted

HORIZON = ISSUED_AT - timedelta(days=8)


def entries(count: int) -> list[FeedEntry]:
    return [
        FeedEntry(
            sequence=2 * n + 1,
            issuer="610000",
            code_id=n.to_bytes(16, "big"),
            colour=(Colour.RED, Colour.YELLOW, Colour.GREEN)[n % 3],
            colour_seq=n % 7 + 2,
            reason="recompute",
            at_utc=ISSUED_AT,
        )
        for n in range(count)
    ]


def write(path: Path, key: SigningKey, items: list[FeedEntry], last: int | None = None) -> Path:
    last = last if last is not None else (items[-1].sequence if items else 0)
    with SnapshotFileWriter(
        path, publisher="610000", last_sequence=last, as_of_utc=ISSUED_AT, horizon_utc=HORIZON
    ) as writer:
        for item in items:
            writer.add(item)
        writer.finish(key)
    return path


def read_all(path: Path, trust: TrustList) -> tuple[SnapshotHeader, list[FeedEntry]]:
    with open_snapshot_file(path, trust) as reader:
        return reader.header, list(reader.entries())


def problem_of(action: Callable[[], object]) -> FeedProblem:
    with pytest.raises(FeedError) as caught:
        action()
    return caught.value.problem


def test_a_snapshot_file_round_trips_across_several_blocks(world: World, tmp_path: Path) -> None:
    items = entries(BLOCK_ENTRIES + 10)
    path = write(tmp_path / "s.snap", world.feed_key, items, last=items[-1].sequence + 5)
    header, read = read_all(path, world.trust)
    assert read == items
    assert header.entry_count == len(items)
    assert header.last_sequence == items[-1].sequence + 5
    assert header.as_of_utc == ISSUED_AT and header.horizon_utc == HORIZON
    assert header.etag.startswith(f'"snapshot-{header.last_sequence}-')


def test_an_empty_snapshot_is_a_valid_file(world: World, tmp_path: Path) -> None:
    header, read = read_all(write(tmp_path / "e.snap", world.feed_key, [], last=7), world.trust)
    assert read == [] and header.entry_count == 0 and header.last_sequence == 7


def test_a_failed_write_leaves_neither_the_file_nor_a_partial_one(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "s.snap"
    first = entries(1)[0]

    def write_twice() -> None:
        with SnapshotFileWriter(
            path, publisher="610000", last_sequence=5, as_of_utc=ISSUED_AT, horizon_utc=None
        ) as writer:
            writer.add(first)
            writer.add(first)  # the same sequence again

    with pytest.raises(ValueError, match="out of order"):
        write_twice()
    assert list(tmp_path.iterdir()) == []


def _flip_in_body(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(MAGIC) + 40] ^= 0x01
    return bytes(damaged)


def _truncate_body(data: bytes) -> bytes:
    return data[: len(MAGIC) + 100]


def _extra_bytes_at_the_end(data: bytes) -> bytes:
    return data + b"\x00\x00\x00\x00"


def _extra_bytes_before_the_trailer(data: bytes) -> bytes:
    (length,) = struct.unpack(">I", data[-4:])
    cut = len(data) - 4 - length
    return data[:cut] + b"\x00" + data[cut:]


def _flip_in_trailer(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[-10] ^= 0x01
    return bytes(damaged)


def _not_a_snapshot(data: bytes) -> bytes:
    return b"GIF89a" + data[6:]


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_truncate_body, FeedProblem.DAMAGED),
        (_extra_bytes_at_the_end, FeedProblem.DAMAGED),
        (_extra_bytes_before_the_trailer, FeedProblem.DAMAGED),
        (_flip_in_trailer, FeedProblem.BAD_SIGNATURE),
        (_not_a_snapshot, FeedProblem.DAMAGED),
        (lambda data: data[:5], FeedProblem.DAMAGED),
    ],
)
def test_a_damaged_file_is_refused_before_any_entry_is_read(
    world: World, tmp_path: Path, damage: Callable[[bytes], bytes], problem: FeedProblem
) -> None:
    path = write(tmp_path / "s.snap", world.feed_key, entries(50))
    path.write_bytes(damage(path.read_bytes()))
    assert problem_of(lambda: open_snapshot_file(path, world.trust)) is problem


def test_a_flipped_byte_in_the_body_is_found_by_the_end_and_the_copy_is_unchanged(
    world: World, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.snap", world.feed_key, entries(BLOCK_ENTRIES * 2 + 3))
    path.write_bytes(_flip_in_body(path.read_bytes()))
    copy = FeedCopy()
    copy.replace_from_snapshot(entries(2), last_sequence=3, as_of_utc=ISSUED_AT, horizon_utc=None)
    with open_snapshot_file(path, world.trust) as reader:
        header, lazy = reader.header, reader.entries()

        def apply() -> int:
            return copy.replace_from_snapshot(
                lazy,
                last_sequence=header.last_sequence,
                as_of_utc=header.as_of_utc,
                horizon_utc=header.horizon_utc,
            )

        assert problem_of(apply) is FeedProblem.DAMAGED
    assert len(copy) == 2 and copy.last_sequence == 3


def _signed_with_header(world: World, tmp_path: Path, **changes: int) -> Path:
    """A file whose body is genuine but whose correctly signed header says something else."""
    path = write(tmp_path / "s.snap", world.feed_key, entries(20))
    data = path.read_bytes()
    (length,) = struct.unpack(">I", data[-4:])
    body = data[: len(data) - 4 - length]
    header = cbor2.loads(cose.decode(data[len(data) - 4 - length : -4]).payload)
    header.update(changes)
    signed = cose.sign(cbor2.dumps(header), world.feed_key)
    path.write_bytes(body + signed + struct.pack(">I", len(signed)))
    return path


def test_a_signed_count_that_differs_from_the_body_is_damaged_at_the_end(
    world: World, tmp_path: Path
) -> None:
    path = _signed_with_header(world, tmp_path, count=21)
    with open_snapshot_file(path, world.trust) as reader:
        assert reader.header.entry_count == 21
        assert problem_of(lambda: list(reader.entries())) is FeedProblem.DAMAGED


def test_a_signed_last_sequence_before_the_entries_is_damaged(world: World, tmp_path: Path) -> None:
    path = _signed_with_header(world, tmp_path, last=3)
    with open_snapshot_file(path, world.trust) as reader:
        assert problem_of(lambda: list(reader.entries())) is FeedProblem.DAMAGED


def test_a_file_signed_by_a_wrong_or_unknown_key_is_refused(world: World, tmp_path: Path) -> None:
    unknown = write(tmp_path / "u.snap", SigningKey.generate(), entries(3))
    assert problem_of(lambda: open_snapshot_file(unknown, world.trust)) is (FeedProblem.UNKNOWN_KEY)
    by_issuer = write(tmp_path / "i.snap", world.issuer_key, entries(3))
    assert problem_of(lambda: open_snapshot_file(by_issuer, world.trust)) is (
        FeedProblem.NOT_A_FEED_KEY
    )


def test_a_file_signed_by_a_revoked_feed_key_is_refused(world: World, tmp_path: Path) -> None:
    revoked = trusted(world.feed_key, KeyRole.FEED).revoked(ISSUED_AT)
    trust = TrustList(2, ISSUED_AT, (SHAANXI,), (revoked,))
    path = write(tmp_path / "s.snap", world.feed_key, entries(3))
    assert problem_of(lambda: open_snapshot_file(path, trust)) is FeedProblem.KEY_COMPROMISED


def test_a_copy_replaced_from_a_snapshot_answers_from_its_entries(
    world: World, tmp_path: Path
) -> None:
    items = entries(10)
    copy = FeedCopy()
    with open_snapshot_file(write(tmp_path / "s.snap", world.feed_key, items), world.trust) as r:
        taken = copy.replace_from_snapshot(
            r.entries(),
            last_sequence=r.header.last_sequence,
            as_of_utc=r.header.as_of_utc,
            horizon_utc=r.header.horizon_utc,
        )
    assert taken == 10 and copy.last_sequence == items[-1].sequence
    assert copy.latest("610000", items[4].code_id) == items[4]
    assert copy.as_of_utc == ISSUED_AT


CODE = bytes(range(16))
GOOD = [7, "610000", CODE, 2, 3, "close_contact", 1_795_420_800]  # a real entry's wire form


def test_a_block_read_as_columns_holds_the_same_entries_as_read_one_by_one(
    world: World, tmp_path: Path
) -> None:
    items = entries(BLOCK_ENTRIES + 10)
    path = write(tmp_path / "s.snap", world.feed_key, items)
    with open_snapshot_file(path, world.trust) as reader:
        blocks = list(reader.columns())
    assert [len(block) for block in blocks] == [BLOCK_ENTRIES, 10]
    assert [entry for block in blocks for entry in block.entries()] == items
    first = blocks[0]
    assert first.sequences[1] == 3 and first.issuers[first.issuer_of[1]] == "610000"
    assert first.code_ids[16:32] == CODE_1
    assert (first.colours[1], first.colour_seqs[1]) == (2, 3)
    assert first.reasons[first.reason_of[1]] == "recompute"
    assert first.at_s[1] == int(ISSUED_AT.timestamp())


CODE_1 = (1).to_bytes(16, "big")


@pytest.mark.parametrize(
    ("item", "why"),
    [
        (GOOD[:6], "six items"),
        ([*GOOD, 0], "eight items"),
        ({"sequence": 7}, "a map"),
        ([True, *GOOD[1:]], "a bool for the sequence"),
        ([7.0, *GOOD[1:]], "a float for the sequence"),
        ([*GOOD[:4], "3", *GOOD[5:]], "text for the colour sequence"),
        ([*GOOD[:6], 1.5], "a float for the time"),
        ([*GOOD[:6], 10**30], "a time past any date"),
        ([*GOOD[:2], CODE[:15], *GOOD[3:]], "a code id of 15 bytes"),
        ([*GOOD[:2], CODE.hex(), *GOOD[3:]], "a code id as text"),
        ([7, "61000", *GOOD[2:]], "a five-digit issuer"),
        ([7, 610000, *GOOD[2:]], "an issuer as a number"),
        ([*GOOD[:3], 4, *GOOD[4:]], "colour 4"),
        ([*GOOD[:3], True, *GOOD[4:]], "a bool for the colour"),
        ([*GOOD[:5], b"close_contact", GOOD[6]], "a reason in bytes"),
    ],
)
def test_a_block_with_any_entry_feed_entry_decode_refuses_is_damaged(
    item: object, why: str
) -> None:
    assert len(decode_block(cbor2.dumps([GOOD, GOOD]))) == 2
    block = cbor2.dumps([GOOD, item, GOOD])
    assert problem_of(lambda: decode_block(block)) is FeedProblem.DAMAGED, why


def test_a_block_that_is_no_array_of_entries_is_damaged() -> None:
    assert problem_of(lambda: decode_block(cbor2.dumps({"entries": [GOOD]}))) is (
        FeedProblem.DAMAGED
    )
    assert problem_of(lambda: decode_block(b"\xff\x00")) is FeedProblem.DAMAGED
    assert len(decode_block(cbor2.dumps([]))) == 0


def test_entries_out_of_order_within_a_block_are_damaged(world: World, tmp_path: Path) -> None:
    items = entries(5)
    path = write(tmp_path / "s.snap", world.feed_key, items)
    data = bytearray(path.read_bytes())
    body = cbor2.dumps([item.encode() for item in items])
    swapped = [item.encode() for item in items]
    swapped[2], swapped[3] = swapped[3], swapped[2]  # same length, same bytes elsewhere
    start = data.index(body)
    data[start : start + len(body)] = cbor2.dumps(swapped)
    path.write_bytes(bytes(data))
    with open_snapshot_file(path, world.trust) as reader:
        assert problem_of(lambda: list(reader.columns())) is FeedProblem.DAMAGED


# ------------------------------------------------------------ column blocks


def write_columns(path: Path, key: SigningKey, items: list[FeedEntry]) -> Path:
    last = items[-1].sequence if items else 0
    with SnapshotFileWriter(
        path,
        publisher="610000",
        last_sequence=last,
        as_of_utc=ISSUED_AT,
        horizon_utc=HORIZON,
        blocks=BlockEncoding.COLUMNS,
    ) as writer:
        for item in items:
            writer.add(item)
        writer.finish(key)
    return path


def test_a_column_file_round_trips_across_several_blocks_as_the_row_file_does(
    world: World, tmp_path: Path
) -> None:
    items = entries(COLUMN_BLOCK_ENTRIES + 10)
    columns = write_columns(tmp_path / "c.snap", world.feed_key, items)
    rows = write(tmp_path / "r.snap", world.feed_key, items)
    header, read = read_all(columns, world.trust)
    assert read == items == read_all(rows, world.trust)[1]
    assert header.blocks is BlockEncoding.COLUMNS and header.entry_count == len(items)
    assert read_all(rows, world.trust)[0].blocks is BlockEncoding.ROWS
    with open_snapshot_file(columns, world.trust) as reader:
        assert [len(block) for block in reader.columns()] == [COLUMN_BLOCK_ENTRIES, 10]


def test_central_rows_make_the_same_column_file_as_entries_added_one_by_one(
    world: World, tmp_path: Path
) -> None:
    items = entries(25)
    by_rows = tmp_path / "rows.snap"
    with SnapshotFileWriter(
        by_rows,
        publisher="610000",
        last_sequence=items[-1].sequence,
        as_of_utc=ISSUED_AT,
        horizon_utc=HORIZON,
        blocks=BlockEncoding.COLUMNS,
    ) as writer:
        for start in range(0, len(items), 10):  # as a cursor hands them out
            writer.add_rows([tuple(item.encode()) for item in items[start : start + 10]])
        writer.finish(world.feed_key)
    assert read_all(by_rows, world.trust)[1] == items


def column_block(**changes: object) -> bytes:
    """A real column block of two entries (GOOD and the next), with columns replaced."""
    second = [8, "110000", CODE_1, 3, 4, "area_risk", 1_795_420_801]
    columns: dict[str, object] = dict(
        zip(
            COLUMN_NAMES,
            cbor2.loads(encode_column_block([GOOD, second])),
            strict=True,
        )
    )
    columns.update(changes)
    return cbor2.dumps(list(columns.values()))


COLUMN_NAMES = (
    "sequences",
    "issuers",
    "issuer_of",
    "code_ids",
    "colours",
    "colour_seqs",
    "reasons",
    "reason_of",
    "at_s",
)


def test_a_real_column_block_holds_its_entries() -> None:
    block = decode_column_block(column_block())
    first, second = block.entries()
    assert first == FeedEntry.decode(GOOD)
    assert (second.sequence, second.issuer, second.code_id) == (8, "110000", CODE_1)
    assert (second.colour, second.colour_seq, second.reason) == (Colour.RED, 4, "area_risk")


def _i64(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}q", *values)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"sequences": _i64(7)}, "one sequence for two entries"),
        ({"sequences": _i64(7, 8) + b"\x00"}, "a sequence column of 17 bytes"),
        ({"sequences": [7, 8]}, "sequences as an array of numbers"),
        ({"code_ids": CODE + CODE_1[:15]}, "a code id of 15 bytes"),
        ({"code_ids": (CODE + CODE_1).hex()}, "code ids as text"),
        ({"colours": b"\x02"}, "one colour for two entries"),
        ({"colours": b"\x02\x04"}, "colour 4"),
        ({"colours": b"\x00\x02"}, "colour 0"),
        ({"colour_seqs": _i64(3)}, "one colour sequence for two entries"),
        ({"at_s": _i64(1_795_420_800, 10**17)}, "a time past any date"),
        ({"at_s": "1795420800"}, "times as text"),
        ({"issuers": ["610000", "11000"]}, "a five-digit issuer"),
        ({"issuers": ["610000", 110000]}, "an issuer as a number"),
        ({"issuers": "610000"}, "issuers as text, not a table"),
        ({"issuers": ["610000"]}, "an issuer beyond the table"),
        ({"issuer_of": b"\x00\x00\x02\x00"}, "issuer number 2 of two"),
        ({"issuer_of": b"\x00\x00\x01"}, "an issuer column of 3 bytes"),
        ({"reasons": ["close_contact"]}, "a reason beyond the table"),
        ({"reasons": ["close_contact", b"area_risk"]}, "a reason in bytes"),
        ({"reason_of": b"\x00\x00\x00\x01"}, "reason number 256 of two"),
    ],
)
def test_a_column_block_with_any_entry_feed_entry_decode_refuses_is_damaged(
    changes: dict[str, object], why: str
) -> None:
    assert len(decode_column_block(column_block())) == 2
    block = column_block(**changes)
    assert problem_of(lambda: decode_column_block(block)) is FeedProblem.DAMAGED, why


def test_a_column_block_that_is_no_array_of_nine_columns_is_damaged() -> None:
    nine = cbor2.loads(column_block())
    for block in (
        cbor2.dumps(nine[:8]),
        cbor2.dumps([*nine, b""]),
        cbor2.dumps(dict(zip(COLUMN_NAMES, nine, strict=True))),
        cbor2.dumps([GOOD, GOOD]),  # a row block
        b"\xff\x00",
    ):
        assert problem_of(lambda: decode_column_block(block)) is FeedProblem.DAMAGED  # noqa: B023
    empty = cbor2.dumps([b"", [], b"", b"", b"", b"", [], b"", b""])
    assert len(decode_column_block(empty)) == 0


def test_column_entries_out_of_order_within_a_block_are_damaged(
    world: World, tmp_path: Path
) -> None:
    items = entries(5)
    path = write_columns(tmp_path / "s.snap", world.feed_key, items)
    data = bytearray(path.read_bytes())
    genuine = _i64(*(item.sequence for item in items))
    swapped = _i64(*(item.sequence for item in (items[0], items[2], items[1], *items[3:])))
    start = data.index(genuine)
    data[start : start + len(genuine)] = swapped
    path.write_bytes(bytes(data))
    with open_snapshot_file(path, world.trust) as reader:
        assert problem_of(lambda: list(reader.columns())) is FeedProblem.DAMAGED


def _resigned(world: World, path: Path, **changes: object) -> Path:
    """The file with its header changed and signed again by the genuine feed key."""
    data = path.read_bytes()
    (length,) = struct.unpack(">I", data[-4:])
    body = data[: len(data) - 4 - length]
    header = cbor2.loads(cose.decode(data[len(data) - 4 - length : -4]).payload)
    for name, value in changes.items():
        if value is None:
            header.pop(name, None)
        else:
            header[name] = value
    signed = cose.sign(cbor2.dumps(header), world.feed_key)
    path.write_bytes(body + signed + struct.pack(">I", len(signed)))
    return path


def test_a_file_read_as_the_other_block_encoding_is_damaged(world: World, tmp_path: Path) -> None:
    columns = write_columns(tmp_path / "c.snap", world.feed_key, entries(20))
    as_rows = _resigned(world, columns, blocks=None)
    rows = write(tmp_path / "r.snap", world.feed_key, entries(20))
    as_columns = _resigned(world, rows, blocks="columns")
    for path in (as_rows, as_columns):
        with open_snapshot_file(path, world.trust) as reader:
            assert problem_of(lambda: list(reader.columns())) is FeedProblem.DAMAGED


def test_an_unknown_block_encoding_is_refused_with_the_header(world: World, tmp_path: Path) -> None:
    path = _resigned(world, write(tmp_path / "r.snap", world.feed_key, entries(3)), blocks="zip")
    assert problem_of(lambda: open_snapshot_file(path, world.trust)) is FeedProblem.DAMAGED


def test_the_block_encoding_is_under_the_signature(world: World, tmp_path: Path) -> None:
    path = write_columns(tmp_path / "c.snap", world.feed_key, entries(3))
    data = path.read_bytes()
    forged = data.replace(b"columns", b"rowsxyz")  # in the signed header's payload
    assert forged != data
    path.write_bytes(forged)
    assert problem_of(lambda: open_snapshot_file(path, world.trust)) is FeedProblem.BAD_SIGNATURE
