"""Status feed at scale: 1,000,000 entries at central, a snapshot to a new kiosk, then deltas.

Central: `central.issuance.feed.signed_snapshot` on a SQLite file holding a million entries
(one per code, all within the compaction horizon), timed from the query to the signed bytes.
Kiosk: the snapshot verified (`open_signed_batch`) and applied to a new `FeedCopy` (what the
checker reads), then two 5,000-entry deltas (10,000 entries) verified and applied to a copy of
it, as `kiosk.client.download` does; persisting the copy in the kiosk store
(`store.copies.save_feed`, encrypted rows) is reported beside, not in the goal. Lookup:
`FeedCopy.latest` per code against a bare SQLite primary-key lookup of the same codes in a
table of the same million, same run.

The million-entry database is cached in bench/.cache (built once, ~30 s).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlalchemy.orm import Session

from central.core.db import make_engine
from central.core.models import Base, FeedHead, StatusFeedEntry
from central.issuance.feed import MAX_BATCH, Change, append_changes, signed_snapshot
from central.issuance.feed import signed_batch_since as signed_delta
from healthcode.claims import Colour
from healthcode.console import say, survives_closed_stdout
from healthcode.feed import FeedCopy, open_signed_batch
from healthcode.keys import SigningKey
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustedKey, TrustList
from kiosk.client.download import clone_feed
from kiosk.store import Store, StoreKeys

ENTRIES = 1_000_000
DELTA = 10_000
LOOKUPS = 200_000
ISSUER = "610000"
CACHE = Path(__file__).resolve().parent / ".cache"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def goal(name: str, measured: float, unit: str, op: str, target: float, fmt: str = ".2f") -> str:
    met = measured <= target if op == "<=" else measured >= target
    return (
        f"goal {name}: {measured:{fmt}} {unit} (target {op} {target:g}) "
        f"{'met' if met else 'missed'}"
    )


def code_of(i: int) -> bytes:
    return i.to_bytes(16, "big")


def build_feed(path: Path) -> None:
    if path.exists():
        return
    CACHE.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    Base.metadata.create_all(engine, tables=[StatusFeedEntry.__table__, FeedHead.__table__])
    at = NOW - timedelta(days=1)
    with Session(engine) as session:
        for start in range(0, ENTRIES, 50_000):
            rows = [
                {
                    "sequence": i + 1,
                    "issuer": ISSUER,
                    "code_id": code_of(i),
                    "colour": Colour.RED.value if i % 7 else Colour.YELLOW.value,
                    "colour_seq": 2,
                    "reason": "area_risk",
                    "at": at,
                    "actor": "system",
                }
                for i in range(start, min(start + 50_000, ENTRIES))
            ]
            session.execute(insert(StatusFeedEntry), rows)
        session.execute(insert(FeedHead), [{"id": 1, "last_sequence": ENTRIES}])
        session.commit()
    engine.dispose()
    partial.rename(path)


@survives_closed_stdout
def main() -> int:
    database = CACHE / "feed-1m.db"
    started = time.perf_counter()
    build_feed(database)
    say(f"fixture: {ENTRIES:,} entries ready in {time.perf_counter() - started:.1f} s")
    feed_key = SigningKey.generate()
    trust = TrustList(
        sequence=1,
        issued_at_utc=NOW,
        issuers=(Issuer(ISSUER, LocalText("陕西省", "Shaanxi")),),
        keys=(TrustedKey(feed_key.public, ISSUER, KeyRole.FEED, NOW - timedelta(days=1)),),
    )
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "central.db"
        work.write_bytes(database.read_bytes())  # deltas are appended to a copy
        engine = make_engine(f"sqlite:///{work}")
        with Session(engine) as session:
            started = time.perf_counter()
            snapshot = signed_snapshot(session, NOW, key=feed_key, publisher=ISSUER)
            produce_s = time.perf_counter() - started
        say(f"central: snapshot of {ENTRIES:,} entries produced in {produce_s:.2f} s "
              f"({len(snapshot) / 1e6:.1f} MB signed)")  # fmt: skip

        started = time.perf_counter()
        batch = open_signed_batch(snapshot, trust)
        verified_s = time.perf_counter() - started
        copy = FeedCopy()
        copy.apply(batch)
        apply_s = time.perf_counter() - started
        del batch
        say(f"kiosk: snapshot verified in {verified_s:.2f} s, applied (verified + in memory) "
              f"in {apply_s:.2f} s; {len(copy):,} codes")  # fmt: skip

        later = NOW + timedelta(minutes=5)
        with Session(engine) as session:
            changes = [
                Change(ISSUER, code_of(i), Colour.GREEN, 3, "released", later) for i in range(DELTA)
            ]
            append_changes(session, changes)
            session.commit()
            deltas = [
                signed_delta(session, after, MAX_BATCH, key=feed_key, publisher=ISSUER, now=later)
                for after in range(ENTRIES, ENTRIES + DELTA, MAX_BATCH)
            ]
        engine.dispose()
        started = time.perf_counter()
        working = clone_feed(copy)
        for signed in deltas:
            working.apply(open_signed_batch(signed, trust))
        delta_s = time.perf_counter() - started
        assert working.last_sequence == ENTRIES + DELTA
        say(f"kiosk: {DELTA:,} delta entries ({len(deltas)} pages) verified and applied to a "
              f"copy in {delta_s:.2f} s")  # fmt: skip

        with Store(Path(scratch) / "kiosk.db", StoreKeys.generate()) as store:
            started = time.perf_counter()
            store.copies.save_feed(working).result(timeout=600)
            persist_s = time.perf_counter() - started
        say(f"kiosk: the copy persisted in the store (encrypted rows) in {persist_s:.2f} s")

        bare = sqlite3.connect(Path(scratch) / "bare.db")
        bare.execute("CREATE TABLE feed (code BLOB PRIMARY KEY, colour TEXT) WITHOUT ROWID")
        bare.executemany(
            "INSERT INTO feed VALUES (?, ?)", ((code_of(i), "red") for i in range(ENTRIES))
        )
        bare.commit()
        probes = [code_of((i * 7919) % ENTRIES) for i in range(LOOKUPS)]
        started = time.perf_counter()
        for code in probes:
            bare.execute("SELECT colour FROM feed WHERE code = ?", (code,)).fetchone()
        sqlite_us = (time.perf_counter() - started) / LOOKUPS * 1e6
        bare.close()
        started = time.perf_counter()
        for code in probes:
            working.latest(ISSUER, code)
        lookup_us = (time.perf_counter() - started) / LOOKUPS * 1e6
        say(f"lookup: {lookup_us:.3f} us per code in the feed copy, "
              f"{sqlite_us:.3f} us bare SQLite primary key")  # fmt: skip

    say(goal("feed_snapshot_apply", apply_s, "s", "<=", 10))
    say(goal("feed_lookup_ratio", lookup_us / sqlite_us, "ratio", "<=", 2, ".3f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
