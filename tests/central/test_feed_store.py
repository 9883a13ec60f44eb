"""The status feed store: gapless sequences across writers, signed deltas and snapshots."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta

from central.core.db import session_scope
from central.issuance import feed
from healthcode.claims import Colour
from healthcode.feed import BatchKind, FeedCopy, open_signed_batch
from healthcode.keydir import KeyDir
from tests.central.conftest import Central
from tests.central.issuance_world import keys_of


def change(central: Central, code_id: bytes, colour: Colour, seq: int) -> feed.Change:
    return feed.Change(keys_of(central).issuer, code_id, colour, seq, "test", central.clock())


def test_appends_are_numbered_in_order_and_deltas_are_signed_with_the_feed_key(
    central: Central,
) -> None:
    keys = keys_of(central)
    sessions = central.app.state.sessions
    codes = [secrets.token_bytes(16) for _ in range(5)]
    with session_scope(sessions) as session:
        first = feed.append_changes(session, [change(central, c, Colour.RED, 2) for c in codes])
    with session_scope(sessions) as session:
        second = feed.append_change(session, change(central, codes[0], Colour.GREEN, 3))
    assert first == [1, 2, 3, 4, 5] and second == 6
    trust = KeyDir(central.settings.resolved_keys_dir).trust_list(central.clock())
    with session_scope(sessions) as session:
        signed = feed.signed_batch_since(
            session, 2, 3, key=keys.feed_key, publisher=keys.issuer, now=central.clock()
        )
        empty = feed.batch_since(session, 6, 100, publisher=keys.issuer, now=central.clock())
    batch = open_signed_batch(signed, trust)
    assert batch.kind is BatchKind.DELTA
    assert (batch.first_sequence, batch.last_sequence) == (3, 5)
    assert [e.sequence for e in batch.entries] == [3, 4, 5]
    assert (empty.entries, empty.first_sequence, empty.last_sequence) == ((), 7, 6)


def test_a_snapshot_keeps_the_newest_entry_per_code_inside_the_horizon(central: Central) -> None:
    keys = keys_of(central)
    sessions = central.app.state.sessions
    old, kept = secrets.token_bytes(16), secrets.token_bytes(16)
    with session_scope(sessions) as session:
        feed.append_change(session, change(central, old, Colour.RED, 2))
    central.clock.advance(days=15)
    with session_scope(sessions) as session:
        feed.append_change(session, change(central, kept, Colour.RED, 2))
        feed.append_change(session, change(central, kept, Colour.YELLOW, 3))
    trust = KeyDir(central.settings.resolved_keys_dir).trust_list(central.clock())
    with session_scope(sessions) as session:
        signed = feed.signed_snapshot(
            session, central.clock(), key=keys.feed_key, publisher=keys.issuer
        )
        delta = feed.signed_batch_since(
            session, 0, 100, key=keys.feed_key, publisher=keys.issuer, now=central.clock()
        )
    snapshot = open_signed_batch(signed, trust)
    assert snapshot.kind is BatchKind.SNAPSHOT and snapshot.last_sequence == 3
    assert [(e.code_id, e.colour) for e in snapshot.entries] == [(kept, Colour.YELLOW)]
    # A kiosk that follows the deltas ends where one starting from the snapshot does.
    from_deltas, from_snapshot = FeedCopy(), FeedCopy()
    from_deltas.apply(open_signed_batch(delta, trust))
    from_deltas.compact(central.clock())
    from_snapshot.apply(snapshot)
    assert sorted(e.sequence for e in from_deltas.entries()) == [3]
    assert sorted(e.sequence for e in from_snapshot.entries()) == [3]
    assert from_snapshot.age(central.clock() + timedelta(minutes=1)) == timedelta(minutes=1)


def test_concurrent_writers_leave_no_gap_and_no_repeat(central: Central) -> None:
    sessions = central.app.state.sessions
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with session_scope(sessions) as session:
                    feed.append_changes(
                        session,
                        [change(central, secrets.token_bytes(16), Colour.RED, 2) for _ in range(3)],
                    )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with session_scope(sessions) as session:
        entries = feed.entries_since(session, 0, 5000)
        assert feed.last_sequence(session) == 180
    assert [e.sequence for e in entries] == list(range(1, 181))
