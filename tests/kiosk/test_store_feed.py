"""The kiosk's status-feed copy in its store (issue 28): one keyed lookup per code, deltas in one
transaction, snapshots streamed and swapped in whole, behaving like the in-memory reference."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import chain
from pathlib import Path

import pytest

from healthcode.claims import LONGEST_VALIDITY, CodeKind, Colour, HealthCodeClaims
from healthcode.feed import BatchKind, FeedBatch, FeedCopy, FeedEntry, FeedError, FeedProblem
from healthcode.feed_file import (
    BLOCK_ENTRIES,
    COLUMN_BLOCK_ENTRIES,
    MAGIC,
    BlockEncoding,
    SnapshotFileWriter,
)
from healthcode.keys import SigningKey
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustedKey, TrustList
from kiosk.client.snapshot_fetch import apply_snapshot_file
from kiosk.store import Store, StoreKeys
from kiosk.store.connection import open_connection
from kiosk.store.crypto import FieldCipher
from kiosk.store.feed import StoredFeed
from kiosk.store.rows import code_index, code_indexer
from kiosk.store.schema import MIGRATIONS, current_version, migrate
from tests.kiosk.checkpoint_support import ISSUER, T0, passage


def code(n: int) -> bytes:
    return n.to_bytes(16, "big")


def entry(
    sequence: int, n: int, colour: Colour = Colour.RED, colour_seq: int = 2, at: datetime = T0
) -> FeedEntry:
    return FeedEntry(sequence, ISSUER, code(n), colour, colour_seq, "close_contact", at)


def delta(first: int, last: int, *entries: FeedEntry, as_of: datetime = T0) -> FeedBatch:
    return FeedBatch(BatchKind.DELTA, ISSUER, first, last, as_of, entries)


@pytest.fixture
def keys() -> StoreKeys:
    return StoreKeys.generate()


@pytest.fixture
def store(tmp_path: Path, keys: StoreKeys) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", keys) as opened:
        yield opened


def small_chunks(store: Store, keys: StoreKeys) -> StoredFeed:
    """The store's copy, loading and copying snapshots 2 entries at a time (to see between
    them)."""
    return StoredFeed(store._writer, store._readers, FieldCipher(keys), chunk=2)


def test_an_unknown_code_has_no_entry_and_keeps_its_own_colour(store: Store) -> None:
    store.feed.apply(delta(1, 1, entry(1, 1)))
    assert store.feed.latest(ISSUER, code(2)) is None
    assert store.feed.latest("110000", code(1)) is None  # the issuer is part of the key
    claims = HealthCodeClaims(
        ISSUER, code(2), Colour.GREEN, 1, CodeKind.APP, "张*", None, T0, T0, T0 + timedelta(hours=1)
    )
    assert store.feed.effective_colour(claims) == (Colour.GREEN, None)


def test_a_delta_takes_newer_colours_and_refuses_a_gap_before_writing(store: Store) -> None:
    feed = store.feed
    assert feed.apply(delta(1, 2, entry(1, 1, Colour.RED, 3), entry(2, 2))) == 2
    later = T0 + timedelta(minutes=5)
    feed.apply(
        delta(3, 4, entry(3, 1, Colour.GREEN, 2), entry(4, 2, Colour.YELLOW, 3), as_of=later)
    )
    assert feed.latest(ISSUER, code(1)) == entry(1, 1, Colour.RED, 3)  # its colour is newer
    assert feed.latest(ISSUER, code(2)) == entry(4, 2, Colour.YELLOW, 3)
    assert (feed.last_sequence, feed.as_of_utc) == (4, later)
    with pytest.raises(FeedError) as gap:
        feed.apply(delta(9, 9, entry(9, 3), as_of=later + timedelta(hours=1)))
    assert gap.value.problem is FeedProblem.GAP
    assert feed.latest(ISSUER, code(3)) is None and feed.as_of_utc == later


def test_a_snapshot_swap_is_never_seen_half_done_by_a_reader(store: Store, keys: StoreKeys) -> None:
    feed = small_chunks(store, keys)
    feed.apply(delta(1, 2, entry(1, 1), entry(2, 2)))
    seen: list[tuple[int, bool, bool]] = []

    def streamed() -> Iterator[FeedEntry]:
        for n in range(10, 20):  # five chunks; the reader looks between them
            yield entry(n, n, Colour.YELLOW)
            seen.append(
                (
                    feed.last_sequence,
                    feed.latest(ISSUER, code(1)) is not None,
                    feed.latest(ISSUER, code(n)) is not None,
                )
            )

    taken = feed.replace_from_snapshot(
        streamed(), last_sequence=19, as_of_utc=T0 + timedelta(hours=1), horizon_utc=None
    )
    print(f"{len(seen)} looks while the snapshot streamed")
    assert taken == 10
    assert seen == [(2, True, False)] * 10  # the old copy, whole, until the swap
    assert feed.latest(ISSUER, code(1)) is None  # a snapshot replaces the copy
    assert feed.latest(ISSUER, code(15)) == entry(15, 15, Colour.YELLOW)
    assert (feed.last_sequence, feed.count()) == (19, 10)


def test_a_snapshot_stream_that_fails_leaves_the_copy_unchanged(
    store: Store, keys: StoreKeys
) -> None:
    feed = small_chunks(store, keys)
    feed.apply(delta(1, 2, entry(1, 1), entry(2, 2)))

    def broken() -> Iterator[FeedEntry]:
        yield from (entry(n, n) for n in range(10, 15))
        raise ConnectionError("the download broke off")

    with pytest.raises(ConnectionError):
        feed.replace_from_snapshot(
            broken(), last_sequence=20, as_of_utc=T0 + timedelta(hours=1), horizon_utc=None
        )
    assert (feed.last_sequence, feed.as_of_utc, feed.count()) == (2, T0, 2)
    assert feed.latest(ISSUER, code(1)) is not None and feed.latest(ISSUER, code(10)) is None
    tables = {row[0] for row in store._readers.get().execute("SELECT name FROM sqlite_master")}
    assert not tables & {"feed_copy_load", "feed_copy_next", "feed_copy_old"}


def test_passages_recorded_while_a_snapshot_loads_are_written_at_once_and_kept(
    store: Store, keys: StoreKeys
) -> None:
    feed = small_chunks(store, keys)
    recorded: list[int] = []

    def streamed() -> Iterator[FeedEntry]:
        for n in range(10):
            yield entry(n + 1, n, Colour.YELLOW, colour_seq=1 + n % 3)
            if n % 3 == 0:  # committed while the snapshot is still streaming
                recorded.append(store.passages.record(passage(code_byte=n + 1)).result(10))

    taken = feed.replace_from_snapshot(
        chain(streamed(), [entry(11, 0, Colour.RED, colour_seq=0)]),  # older: not taken
        last_sequence=11,
        as_of_utc=T0,
        horizon_utc=None,
    )
    print(f"{len(recorded)} passages recorded during the load")
    assert (taken, feed.count(), recorded) == (11, 10, [1, 2, 3, 4])
    assert store.passages.counts(T0).upload_backlog == 4
    assert feed.latest(ISSUER, code(0)) == entry(1, 0, Colour.YELLOW, colour_seq=1)
    assert feed.latest(ISSUER, code(9)) == entry(10, 9, Colour.YELLOW, colour_seq=1)


def test_what_a_load_cut_short_by_a_crash_left_behind_is_dropped_by_the_next(
    store: Store, tmp_path: Path
) -> None:
    scratch = tmp_path / "kiosk.db-feed-load"
    scratch.write_bytes(b"half a scratch file")  # the kiosk lost power mid-load
    store._writer.submit(lambda c: c.execute("CREATE TABLE feed_copy_next (x)")).result(10)
    store.feed.replace_from_snapshot(
        iter([entry(5, 2), entry(6, 3)]), last_sequence=6, as_of_utc=T0, horizon_utc=None
    )
    assert store.feed.count() == 2 and not scratch.exists()
    tables = {row[0] for row in store._readers.get().execute("SELECT name FROM sqlite_master")}
    assert not tables & {"feed_copy_load", "feed_copy_next", "feed_copy_old"}


def test_an_older_snapshot_is_refused_before_its_stream_is_read(store: Store) -> None:
    store.feed.apply(delta(1, 5, entry(5, 1)))

    def never() -> Iterator[FeedEntry]:
        raise AssertionError("the stream was read")
        yield  # pragma: no cover

    with pytest.raises(FeedError) as older:
        store.feed.replace_from_snapshot(never(), last_sequence=4, as_of_utc=T0, horizon_utc=None)
    assert older.value.problem is FeedProblem.OLDER_SNAPSHOT


def test_a_snapshot_as_of_never_goes_back_and_leaves_out_entries_past_its_horizon(
    store: Store,
) -> None:
    store.feed.apply(delta(1, 1, entry(1, 1), as_of=T0 + timedelta(hours=2)))
    old = entry(2, 2, at=T0 - timedelta(days=40))
    taken = store.feed.replace_from_snapshot(
        iter([old, entry(3, 3)]), last_sequence=3, as_of_utc=T0, horizon_utc=T0 - timedelta(days=1)
    )
    assert taken == 1 and store.feed.latest(ISSUER, code(2)) is None
    assert store.feed.as_of_utc == T0 + timedelta(hours=2)


def test_compaction_deletes_what_can_no_longer_matter_at_most_hourly(store: Store) -> None:
    now = T0 + LONGEST_VALIDITY
    store.feed.apply(
        delta(
            1, 2, entry(1, 1, at=T0 - timedelta(days=1)), entry(2, 2, at=now - timedelta(hours=1))
        )
    )
    assert store.feed.compact(now) == 1
    assert store.feed.latest(ISSUER, code(1)) is None
    assert store.feed.latest(ISSUER, code(2)) is not None
    assert store.feed.compact(now + timedelta(minutes=30)) == 0  # the horizon barely moved
    assert store.feed.compact(now + LONGEST_VALIDITY) == 1


def test_the_stored_copy_agrees_with_the_in_memory_reference(store: Store) -> None:
    reference = FeedCopy()
    snapshot = FeedBatch(
        BatchKind.SNAPSHOT,
        ISSUER,
        0,
        6,
        T0,
        (entry(1, 1), entry(2, 2, Colour.GREEN, 4), entry(5, 1, Colour.YELLOW, 2), entry(6, 3)),
    )
    batches = [snapshot, delta(7, 8, entry(7, 2, Colour.RED, 3), entry(8, 3, Colour.GREEN, 5))]
    for batch in batches:
        assert store.feed.apply(batch) == reference.apply(batch)
    for n in range(5):
        assert store.feed.latest(ISSUER, code(n)) == reference.latest(ISSUER, code(n))
    assert store.feed.last_sequence == reference.last_sequence == 8


def test_a_snapshot_naming_codes_more_than_once_keeps_the_newest_colour_of_each(
    store: Store, keys: StoreKeys
) -> None:
    reference = FeedCopy()
    colours = (Colour.RED, Colour.YELLOW, Colour.GREEN)
    entries = tuple(  # codes 0-4 again and again, copied 2 codes per transaction
        entry(n + 1, n % 5, colours[n % 3], colour_seq=1 + n % 4) for n in range(17)
    )
    snapshot = FeedBatch(BatchKind.SNAPSHOT, ISSUER, 0, 17, T0, entries)
    feed = small_chunks(store, keys)
    assert feed.apply(snapshot) == reference.apply(snapshot) == 17
    for n in range(6):
        assert feed.latest(ISSUER, code(n)) == reference.latest(ISSUER, code(n))
    assert feed.count() == 5


def test_upgrading_the_store_moves_the_kept_feed_rows_over(tmp_path: Path) -> None:
    path, keys = tmp_path / "kiosk.db", StoreKeys.generate()
    moved = next(v for v, _, function in MIGRATIONS if function.__name__ == "_compact_feed_copy")
    before = moved - 1
    connection = open_connection(path)
    migrate(connection, up_to=before)
    connection.execute(
        "INSERT INTO feed_entries (code_ix, issuer, code_enc, colour, colour_seq, reason, at_ms,"
        " sequence) VALUES (?, ?, x'00', 'yellow', 3, 'rule', ?, 7)",
        (code_index(FieldCipher(keys), ISSUER, code(1)), ISSUER, int(T0.timestamp() * 1000)),
    )
    connection.execute("INSERT INTO meta (key, value) VALUES ('feed_last_sequence', '7')")
    connection.close()
    with Store(path, keys) as store:
        assert current_version(store._readers.get()) == MIGRATIONS[-1][0]
        assert store.feed.latest(ISSUER, code(1)) == FeedEntry(
            7, ISSUER, code(1), Colour.YELLOW, 3, "rule", T0
        )
        assert store.feed.last_sequence == 7


def test_a_copy_kept_under_the_former_index_answers_until_a_snapshot_rekeys_it(
    tmp_path: Path, keys: StoreKeys
) -> None:
    path = tmp_path / "kiosk.db"
    with Store(path, keys) as store:  # a copy as kept before the BLAKE2s index: HMAC keys
        former = code_index(FieldCipher(keys), ISSUER, code(1))

        def keep(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO feed_copy VALUES (?, ?, 3, 7, 'rule', ?)",
                (former, Colour.YELLOW.wire, int(T0.timestamp() * 1000)),
            )
            connection.execute("INSERT INTO meta (key, value) VALUES ('feed_last_sequence', '7')")

        store._writer.submit(keep).result(10)
    with Store(path, keys) as store:
        assert store.feed.latest(ISSUER, code(1)) == FeedEntry(
            7, ISSUER, code(1), Colour.YELLOW, 3, "rule", T0
        )
        store.feed.apply(delta(8, 8, entry(8, 2)))  # a delta keeps the copy's index
        assert store.feed.latest(ISSUER, code(2)) == entry(8, 2)
        store.feed.replace_from_snapshot(
            iter([entry(9, 1, Colour.GREEN, 4), entry(10, 3)]),
            last_sequence=10,
            as_of_utc=T0,
            horizon_utc=None,
        )
        assert store.feed.latest(ISSUER, code(1)) == entry(9, 1, Colour.GREEN, 4)
    with Store(path, keys) as store:  # rekeyed, and known so after a restart
        assert store.feed.latest(ISSUER, code(3)) == entry(10, 3)
        store.feed.apply(delta(11, 11, entry(11, 4)))
        assert store.feed.latest(ISSUER, code(4)) == entry(11, 4)
        assert store.feed.latest(ISSUER, code(2)) is None
        index_of_3 = code_indexer(FieldCipher(keys), blake2=True)(ISSUER, code(3))
        assert store._readers.get().execute(
            "SELECT count(*) FROM feed_copy WHERE code_ix IN (?, ?)",
            (index_of_3, code_index(FieldCipher(keys), ISSUER, code(3))),
        ).fetchone() == (1,)


def test_the_bulk_blind_index_is_the_stores_code_index(keys: StoreKeys) -> None:
    cipher, index = FieldCipher(keys), code_indexer(FieldCipher(keys))
    for issuer in (ISSUER, "110000", ISSUER):
        assert index(issuer, code(7)) == code_index(cipher, issuer, code(7))
    assert index(ISSUER, code(7)) != index("110000", code(7))


def test_a_snapshot_taken_is_there_after_a_restart(tmp_path: Path, keys: StoreKeys) -> None:
    with Store(tmp_path / "kiosk.db", keys) as store:
        store.feed.apply(delta(1, 1, entry(1, 1)))
        store.feed.replace_from_snapshot(
            iter([entry(5, 2), entry(6, 3)]), last_sequence=6, as_of_utc=T0, horizon_utc=None
        )
    with Store(tmp_path / "kiosk.db", keys) as store:
        assert (store.feed.last_sequence, store.feed.count()) == (6, 2)
        assert store.feed.latest(ISSUER, code(3)) == entry(6, 3)
        assert store.feed.latest(ISSUER, code(1)) is None


def signed_snapshot_file(
    path: Path, key: SigningKey, count: int, blocks: BlockEncoding = BlockEncoding.ROWS
) -> Path:
    with SnapshotFileWriter(
        path,
        publisher=ISSUER,
        last_sequence=count + 10,
        as_of_utc=T0,
        horizon_utc=None,
        blocks=blocks,
    ) as writer:
        for n in range(count):
            writer.add(entry(n + 11, n, Colour.YELLOW))
        writer.finish(key)
    return path


# Either block encoding: central's file (columns) and an older central's (rows)
ENCODINGS = pytest.mark.parametrize("blocks", list(BlockEncoding), ids=str)
_BLOCK_SIZES = {BlockEncoding.ROWS: BLOCK_ENTRIES, BlockEncoding.COLUMNS: COLUMN_BLOCK_ENTRIES}


def _cut_in_the_body(data: bytes) -> bytes:
    return data[: len(MAGIC) + 100] + data[-200:]  # the genuine trailer after a cut body


def _flip_in_the_body(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(MAGIC) + 40] ^= 0x01
    return bytes(damaged)


def _flip_in_the_last_block(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(data) // 2] ^= 0x01  # the trailer is a few hundred bytes of a large file
    return bytes(damaged)


@ENCODINGS
@pytest.mark.parametrize("damage", [_cut_in_the_body, _flip_in_the_body, _flip_in_the_last_block])
def test_a_forged_or_cut_snapshot_file_leaves_the_stored_copy_as_it_was(
    store: Store, tmp_path: Path, blocks: BlockEncoding, damage: Callable[[bytes], bytes]
) -> None:
    key = SigningKey.generate()
    trust = TrustList(
        sequence=1,
        issued_at_utc=T0,
        issuers=(Issuer(ISSUER, LocalText("陕西省", "Shaanxi")),),
        keys=(TrustedKey(key.public, ISSUER, KeyRole.FEED, T0 - timedelta(days=1)),),
    )
    store.feed.apply(delta(1, 2, entry(1, 1), entry(2, 2)))
    count = 2 * _BLOCK_SIZES[blocks] + 5
    damaged = signed_snapshot_file(tmp_path / "damaged.snap", key, count, blocks)
    damaged.write_bytes(damage(damaged.read_bytes()))
    with pytest.raises(FeedError) as refused:
        apply_snapshot_file(damaged, trust, store.feed)
    assert refused.value.problem is FeedProblem.DAMAGED
    assert (store.feed.last_sequence, store.feed.count()) == (2, 2)
    assert store.feed.latest(ISSUER, code(1)) == entry(1, 1)


@ENCODINGS
def test_a_snapshot_file_streams_into_the_stored_copy_or_leaves_it_unchanged(
    store: Store, tmp_path: Path, blocks: BlockEncoding
) -> None:
    key = SigningKey.generate()
    trust = TrustList(
        sequence=1,
        issued_at_utc=T0,
        issuers=(Issuer(ISSUER, LocalText("陕西省", "Shaanxi")),),
        keys=(TrustedKey(key.public, ISSUER, KeyRole.FEED, T0 - timedelta(days=1)),),
    )
    store.feed.apply(delta(1, 2, entry(1, 1), entry(2, 2)))
    count = _BLOCK_SIZES[blocks] + 5  # two blocks
    damaged = signed_snapshot_file(tmp_path / "damaged.snap", key, count, blocks)
    damaged.write_bytes(_flip_in_the_body(damaged.read_bytes()))
    with pytest.raises(FeedError) as refused:
        apply_snapshot_file(damaged, trust, store.feed)
    assert refused.value.problem is FeedProblem.DAMAGED
    assert (store.feed.last_sequence, store.feed.count()) == (2, 2)

    good = signed_snapshot_file(tmp_path / "good.snap", key, count, blocks)
    assert apply_snapshot_file(good, trust, store.feed) == count
    assert (store.feed.last_sequence, store.feed.count()) == (count + 10, count)
    assert store.feed.latest(ISSUER, code(count - 1)) == entry(count + 10, count - 1, Colour.YELLOW)
    assert not good.exists()


HORIZON = T0 - timedelta(days=30)
TWO_ISSUERS = (
    Issuer(ISSUER, LocalText("陕西省", "Shaanxi")),
    Issuer("110000", LocalText("北京市", "Beijing")),
)


def mixed_entries() -> list[FeedEntry]:
    """Codes named again and again, two issuers, times before 1970 and the horizon."""
    colours = (Colour.RED, Colour.YELLOW, Colour.GREEN)
    reasons = ("close_contact", "area_risk", "released")
    times = (T0, T0 - timedelta(days=400 * 365), HORIZON - timedelta(seconds=1), HORIZON)
    colour_seqs = (0, 1, 2**63 - 1, 5)
    return [
        FeedEntry(
            2**40 + n,
            (ISSUER, "110000")[n % 2],
            code(n % 13),
            colours[n % 3],
            colour_seqs[n % 4],
            reasons[n % 3],
            times[n % 4],
        )
        for n in range(60)
    ]


def mixed_snapshot_file(path: Path, key: SigningKey, blocks: BlockEncoding) -> Path:
    with SnapshotFileWriter(
        path,
        publisher=ISSUER,
        last_sequence=2**40 + 100,
        as_of_utc=T0,
        horizon_utc=HORIZON,
        blocks=blocks,
    ) as writer:
        for item in mixed_entries():
            writer.add(item)
        writer.finish(key)
    return path


@ENCODINGS
def test_a_snapshot_file_of_mixed_entries_is_stored_as_the_in_memory_reference_keeps_it(
    store: Store, keys: StoreKeys, tmp_path: Path, blocks: BlockEncoding
) -> None:
    key = SigningKey.generate()
    trust = TrustList(
        sequence=1,
        issued_at_utc=T0,
        issuers=TWO_ISSUERS,
        keys=(TrustedKey(key.public, ISSUER, KeyRole.FEED, T0 - timedelta(days=1)),),
    )
    horizon = HORIZON
    entries = mixed_entries()
    mixed_snapshot_file(tmp_path / "mixed.snap", key, blocks)
    reference = FeedCopy()
    expected = reference.replace_from_snapshot(
        entries, last_sequence=2**40 + 100, as_of_utc=T0, horizon_utc=horizon
    )
    # runs of 7 records in the scratch file, sorted about 5 at a time, 2 rows per transaction
    feed = StoredFeed(
        store._writer, store._readers, FieldCipher(keys), chunk=2, run_records=7, group_records=5
    )
    kept = [item for item in entries if item.at_utc >= horizon]
    assert apply_snapshot_file(tmp_path / "mixed.snap", trust, feed) == expected == len(kept)
    for n in range(13):
        for issuer in (ISSUER, "110000"):
            assert feed.latest(issuer, code(n)) == reference.latest(issuer, code(n))
    assert feed.count() == len({(item.issuer, item.code_id) for item in kept})
    assert feed.last_sequence == 2**40 + 100


def test_a_column_file_and_a_row_file_of_one_snapshot_make_the_same_stored_copy(
    tmp_path: Path, keys: StoreKeys
) -> None:
    key = SigningKey.generate()
    trust = TrustList(
        sequence=1,
        issued_at_utc=T0,
        issuers=TWO_ISSUERS,
        keys=(TrustedKey(key.public, ISSUER, KeyRole.FEED, T0 - timedelta(days=1)),),
    )
    stored = {}
    for blocks in BlockEncoding:
        with Store(tmp_path / f"{blocks}.db", keys) as store:
            snapshot = mixed_snapshot_file(tmp_path / f"{blocks}.snap", key, blocks)
            apply_snapshot_file(snapshot, trust, store.feed)
            rows = store._readers.get().execute("SELECT * FROM feed_copy ORDER BY code_ix")
            stored[blocks] = (store.feed.last_sequence, store.feed.as_of_utc, rows.fetchall())
    assert stored[BlockEncoding.COLUMNS] == stored[BlockEncoding.ROWS]
    assert len(stored[BlockEncoding.ROWS][2]) > 0
