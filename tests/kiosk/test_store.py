"""The passage store on a real SQLite file: durability settings, migrations, encryption at rest,
retention, the queries supervisors use, and the outbox."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from healthcode.claims import Colour
from healthcode.feed import BatchKind, FeedBatch, FeedEntry
from kiosk.checkpoint.events import SaveOverride
from kiosk.checkpoint.outcome import Outcome
from kiosk.store import LogFilter, Operator, Store, StoreKeyError, StoreKeys
from kiosk.store.connection import open_connection
from kiosk.store.schema import LATEST_VERSION, current_version, migrate
from tests.kiosk.checkpoint_support import ISSUER, T0, passage


@pytest.fixture
def keys() -> StoreKeys:
    return StoreKeys.generate()


@pytest.fixture
def store(tmp_path: Path, keys: StoreKeys):  # type: ignore[no-untyped-def]
    with Store(tmp_path / "kiosk.db", keys) as opened:
        yield opened


def test_a_recorded_passage_reads_back_whole(store: Store) -> None:
    record = passage()
    seq = store.passages.record(record).result(timeout=10)
    row = store.passages.get(record.record_id)
    assert row is not None
    assert seq == row.seq == 1
    assert row.masked_name == "张*丰"
    assert row.code_id == b"\x01" * 16
    assert row.vehicle_plate == "陕A12345"
    assert row.at_utc == T0
    assert row.outcome is Outcome.PASS
    assert row.sync_state == "pending"


def test_every_store_connection_uses_wal_with_full_sync(store: Store, tmp_path: Path) -> None:
    def settings(connection: sqlite3.Connection) -> tuple[str, int]:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        return mode, connection.execute("PRAGMA synchronous").fetchone()[0]

    assert store._writer.submit(settings).result(timeout=10) == ("wal", 2)  # 2 = FULL
    assert settings(store._readers.get()) == ("wal", 2)
    other: list[tuple[str, int]] = []
    thread = threading.Thread(target=lambda: other.append(settings(store._readers.get())))
    thread.start()
    thread.join(10)
    assert other == [("wal", 2)]


def test_sequence_numbers_rise_with_each_passage(store: Store) -> None:
    seqs = [store.passages.record(passage()).result(timeout=10) for _ in range(5)]
    assert seqs == [1, 2, 3, 4, 5]


def test_a_copied_database_without_the_key_shows_no_names_codes_or_plates(
    store: Store, tmp_path: Path
) -> None:
    record = passage(code_byte=0xAB, name="欧**娜")
    store.passages.record(record).result(timeout=10)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    assert "欧**娜".encode() not in raw
    assert b"\xab" * 16 not in raw
    assert (b"\xab" * 16).hex().encode() not in raw
    assert "陕A12345".encode() not in raw


def test_the_wrong_key_is_refused(tmp_path: Path, keys: StoreKeys) -> None:
    Store(tmp_path / "kiosk.db", keys).close()
    with pytest.raises(StoreKeyError):
        Store(tmp_path / "kiosk.db", StoreKeys.generate())


def test_the_key_file_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "store.key"
    first = StoreKeys.load_or_create(key_file)
    assert key_file.stat().st_mode & 0o077 == 0
    assert StoreKeys.load_or_create(key_file) == first


def test_a_database_of_the_previous_schema_is_upgraded_in_place(
    tmp_path: Path, keys: StoreKeys
) -> None:
    path = tmp_path / "old.db"
    old = open_connection(path)
    assert migrate(old, up_to=LATEST_VERSION - 1) == list(range(1, LATEST_VERSION))
    old.execute(
        "INSERT INTO passages (id, seq, at_ms, outcome, sync_state, reasons, id_match, fever,"
        " repeat, clock_trusted) VALUES ('6f1c1c52-0000-4000-8000-000000000001', 1, 0, 'pass',"
        " 'pending', '[]', 'not_read', 0, 0, 1)"
    )
    old.close()
    with Store(path, keys) as upgraded:
        assert current_version(upgraded._readers.get()) == LATEST_VERSION
        assert upgraded.passages.log_count(LogFilter()) == 1
        upgraded.audit.record(T0, "op-1", "view_log").result(timeout=10)
        assert upgraded.audit.entries()[0][2] == "view_log"


def test_a_fever_report_is_queued_before_the_passage_and_before_the_backlog(store: Store) -> None:
    ordinary = [passage() for _ in range(3)]
    for record in ordinary:
        store.passages.record(record).result(timeout=10)
    fever = passage(fever=True, outcome=Outcome.REFER)
    store.passages.record(fever).result(timeout=10)
    pending = store.outbox.pending_outbox()
    assert pending[0][1:] == (str(fever.record_id), "fever_report")
    assert len(pending) == 5


def test_retention_deletes_only_old_acknowledged_passages(store: Store) -> None:
    old_acked, old_pending, recent = (
        passage(T0 - timedelta(days=40)),
        passage(T0 - timedelta(days=40)),
        passage(T0 - timedelta(days=1)),
    )
    for record in (old_acked, old_pending, recent):
        store.passages.record(record).result(timeout=10)
    store.outbox.mark_acknowledged([str(old_acked.record_id), str(recent.record_id)]).result(
        timeout=10
    )
    assert store.passages.purge(T0).result(timeout=10) == 1
    assert store.passages.get(old_acked.record_id) is None
    assert store.passages.get(old_pending.record_id) is not None  # never deleted before upload
    assert store.passages.get(recent.record_id) is not None


def test_the_trail_covers_fourteen_calendar_days_in_the_checkpoint_time_zone(store: Store) -> None:
    now = T0.replace(hour=3)  # 11:00 in Beijing
    for days_ago in range(17):
        store.passages.record(passage(now - timedelta(days=days_ago))).result(timeout=10)
    store.passages.record(passage(now, code_byte=2)).result(timeout=10)
    trail = store.passages.trail(ISSUER, b"\x01" * 16, now)
    assert len(trail) == 14
    assert trail[0].at_utc == now
    assert all(row.code_id == b"\x01" * 16 for row in trail)


def test_the_log_filters_by_time_colour_outcome_fever_and_operator(store: Store) -> None:
    records = [
        passage(T0, outcome=Outcome.PASS, operator_id="op-1"),
        passage(T0 + timedelta(minutes=1), outcome=Outcome.DENY, colour=Colour.RED),
        passage(T0 + timedelta(minutes=2), outcome=Outcome.REFER, fever=True, operator_id="op-2"),
        passage(T0 + timedelta(hours=3), outcome=Outcome.PASS, operator_id="op-2"),
    ]
    for record in records:
        store.passages.record(record).result(timeout=10)
    assert len(store.passages.log(LogFilter(colour=Colour.RED))) == 1
    assert len(store.passages.log(LogFilter(outcome=Outcome.PASS))) == 2
    assert [r.fever for r in store.passages.log(LogFilter(fever=True))] == [True]
    assert len(store.passages.log(LogFilter(operator_id="op-2"))) == 2
    window = LogFilter(from_utc=T0, to_utc=T0 + timedelta(hours=1))
    assert [r.record_id for r in store.passages.log(window)] == [
        records[2].record_id,
        records[1].record_id,
        records[0].record_id,
    ]
    assert store.passages.log_count(window) == 3


def test_the_log_pages_newest_first(store: Store) -> None:
    for minute in range(7):
        store.passages.record(passage(T0 + timedelta(minutes=minute))).result(timeout=10)
    first = store.passages.log(LogFilter(), limit=3)
    second = store.passages.log(LogFilter(), limit=3, before_seq=first[-1].seq)
    assert [r.seq for r in first + second] == [7, 6, 5, 4, 3, 2]


def test_counts_for_the_status_bar_start_at_local_midnight(store: Store) -> None:
    beijing_midnight = T0.replace(hour=16) - timedelta(days=1)  # 00:00 on 23 Nov in Beijing
    store.passages.record(passage(beijing_midnight - timedelta(minutes=1))).result(timeout=10)
    store.passages.record(passage(beijing_midnight + timedelta(minutes=1))).result(timeout=10)
    store.passages.record(passage(T0, fever=True, outcome=Outcome.REFER)).result(timeout=10)
    counts = store.passages.counts(T0)
    assert counts.today_total == 2
    assert counts.today_by_outcome == {"pass": 1, "refer": 1}
    assert counts.today_fevers == 1
    assert counts.upload_backlog == 4  # three passages and one fever report


def test_counts_tell_how_many_records_have_waited_too_long_to_upload(store: Store) -> None:
    for minutes_ago in (300, 200, 10):
        record = passage(T0 - timedelta(minutes=minutes_ago), fever=minutes_ago == 300)
        store.passages.record(record).result(timeout=10)
    assert store.passages.counts(T0).overdue_records == 0  # not asked
    counts = store.passages.counts(T0, overdue_after=timedelta(hours=3))
    assert counts.overdue_records == 2  # a fever's passage and its report are one record
    assert counts.upload_backlog == 4


def test_an_override_is_kept_with_its_operator_and_audited(store: Store) -> None:
    record = passage(outcome=Outcome.DENY)
    store.passages.record(record).result(timeout=10)
    override = SaveOverride(record.record_id, Outcome.PASS, "核酸阴性证明", "op-9", T0)
    store.passages.record_override(override).result(timeout=10)
    at, actor, action, detail = store.audit.entries()[0]
    assert at == T0
    assert (actor, action, detail["outcome"]) == ("op-9", "override", "pass")
    assert any(kind == "override" for _, _, kind in store.outbox.pending_outbox())


def test_the_last_passage_of_a_code_is_known_for_repeats(store: Store) -> None:
    assert store.passages.last_at(ISSUER, b"\x01" * 16) is None
    store.passages.record(passage(T0)).result(timeout=10)
    store.passages.record(passage(T0 + timedelta(minutes=5))).result(timeout=10)
    assert store.passages.last_at(ISSUER, b"\x01" * 16) == T0 + timedelta(minutes=5)


def test_the_status_feed_copy_survives_a_restart(tmp_path: Path, keys: StoreKeys) -> None:
    entries = tuple(
        FeedEntry(i, ISSUER, bytes([i]) * 16, Colour.RED, 2, "close_contact", T0)
        for i in range(1, 4)
    )
    with Store(tmp_path / "kiosk.db", keys) as store:
        store.feed.apply(FeedBatch(BatchKind.DELTA, ISSUER, 1, 3, T0, entries))
    with Store(tmp_path / "kiosk.db", keys) as store:
        restored = store.feed
        assert restored.last_sequence == 3
        assert restored.as_of_utc == T0
        assert restored.latest(ISSUER, b"\x02" * 16) == entries[1]


def test_a_reader_holding_a_snapshot_does_not_block_the_writer(store: Store) -> None:
    store.passages.record(passage()).result(timeout=10)
    reader = store._readers.get()
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == 1
    store.passages.record(passage()).result(timeout=10)  # would time out if readers blocked
    reader.execute("COMMIT")
    assert store.passages.log_count(LogFilter()) == 2


def test_a_failed_write_rolls_back_whole_and_the_store_keeps_working(store: Store) -> None:
    record = passage()
    store.passages.record(record).result(timeout=10)
    with pytest.raises(sqlite3.IntegrityError):
        store.passages.record(record).result(timeout=10)  # the same UUID twice
    assert len(store.outbox.pending_outbox()) == 1
    store.passages.record(passage()).result(timeout=10)
    assert store.passages.log_count(LogFilter()) == 2


def test_low_disk_is_reported(store: Store) -> None:
    assert store.disk_status(low_bytes=1).low is False
    assert store.disk_status(low_bytes=2**62).low is True


def test_trust_list_policy_roster_and_clock_floor_survive_a_restart(
    tmp_path: Path, keys: StoreKeys
) -> None:
    operators = [Operator("op-1", "王*", "$argon2id$x", "staff", True)]
    with Store(tmp_path / "kiosk.db", keys) as store:
        store.copies.save_trust_list(1, b"old", T0).result(timeout=10)
        store.copies.save_trust_list(2, b"new", T0).result(timeout=10)
        store.copies.save_policy({"version": 3, "checkpoint_type": "village"}, T0).result(
            timeout=10
        )
        store.copies.replace_roster(operators).result(timeout=10)
        store.copies.raise_clock_floor(T0).result(timeout=10)
        store.copies.raise_clock_floor(T0 - timedelta(days=1)).result(timeout=10)  # never lowers
    with Store(tmp_path / "kiosk.db", keys) as store:
        assert store.copies.latest_trust_list() == b"new"
        assert store.copies.latest_policy() == {"version": 3, "checkpoint_type": "village"}
        assert store.copies.roster() == operators
        assert store.copies.clock_floor() == T0


def test_paging_follows_time_even_when_the_clock_jumped(store: Store) -> None:
    hours = [5, 1, 7, 3, 3, 2, 6, 4]  # written in this order: the clock went back and forth
    for hour in hours:
        store.passages.record(passage(T0 + timedelta(hours=hour))).result(timeout=10)
    seen: list[int] = []
    before = None
    while page := store.passages.log(LogFilter(), limit=2, before_seq=before):
        seen += [row.seq for row in page]
        before = page[-1].seq
    assert sorted(seen) == list(range(1, 9))  # nothing skipped, nothing twice
    times = [store.passages.log(LogFilter(), limit=8)[i].at_utc for i in range(8)]
    assert times == sorted(times, reverse=True)


def test_the_store_and_its_key_are_their_owners_only(tmp_path: Path) -> None:
    from kiosk.config.paths import DataPaths

    paths = DataPaths(
        tmp_path / "data",
        tmp_path / "data" / "kiosk.db",
        tmp_path / "data" / "keys",
        tmp_path / "data" / "keys" / "store.key",
        tmp_path / "data" / "logs",
    ).create()
    with Store.open(paths.database, paths.store_key) as opened:
        opened.passages.record(passage()).result(timeout=10)
        files = [paths.database, paths.store_key, paths.database.with_name("kiosk.db-wal")]
        assert [f.stat().st_mode & 0o777 for f in files] == [0o600] * 3
    folders = [paths.root, paths.keys_dir, paths.logs_dir]
    assert [f.stat().st_mode & 0o777 for f in folders] == [0o700] * 3
