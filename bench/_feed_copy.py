"""Part of bench/feed.py: the kiosk's stored feed copy at size, in a process of its own so its
peak RSS (`ru_maxrss`) is the kiosk's alone.

`python bench/_feed_copy.py --entries N --dir DIR` opens a new kiosk store in DIR, streams N
snapshot entries (made one at a time, as a snapshot decoder yields them) into
`store.feed.replace_from_snapshot`, then times `store.feed.latest` against a bare SQLite
primary-key lookup of the same codes in a table of the same N, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from healthcode.claims import Colour
from healthcode.console import say
from healthcode.feed import FeedEntry
from kiosk.store import Store, StoreKeys

ISSUER = "610000"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LOOKUPS = 100_000


def code_of(i: int) -> bytes:
    return i.to_bytes(16, "big")


def snapshot_entries(count: int) -> Iterator[FeedEntry]:
    at = NOW - timedelta(days=1)
    for i in range(count):
        colour = Colour.RED if i % 7 else Colour.YELLOW
        yield FeedEntry(i + 1, ISSUER, code_of(i), colour, 2, "area_risk", at)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    count: int = args.entries

    started = time.perf_counter()
    for _ in snapshot_entries(count):
        pass
    making_s = time.perf_counter() - started
    rss_before = peak_rss_mb()

    with Store(args.dir / "kiosk.db", StoreKeys.generate()) as store:
        started = time.perf_counter()
        taken = store.feed.replace_from_snapshot(
            snapshot_entries(count), last_sequence=count, as_of_utc=NOW, horizon_utc=None
        )
        apply_s = time.perf_counter() - started
        peak_mb = peak_rss_mb()
        assert taken == count and store.feed.last_sequence == count

        probes = [code_of((i * 7919) % count) for i in range(min(LOOKUPS, count))]
        started = time.perf_counter()
        for code in probes:
            store.feed.latest(ISSUER, code)
        lookup_us = (time.perf_counter() - started) / len(probes) * 1e6

    bare = sqlite3.connect(args.dir / "bare.db")
    bare.execute("CREATE TABLE feed (code BLOB PRIMARY KEY, colour TEXT) WITHOUT ROWID")
    bare.executemany("INSERT INTO feed VALUES (?, ?)", ((code_of(i), "red") for i in range(count)))
    bare.commit()
    started = time.perf_counter()
    for code in probes:
        bare.execute("SELECT colour FROM feed WHERE code = ?", (code,)).fetchone()
    sqlite_us = (time.perf_counter() - started) / len(probes) * 1e6
    bare.close()

    say(
        json.dumps(
            {
                "entries": count,
                "making_s": making_s,
                "apply_s": apply_s,
                "rss_before_mb": rss_before,
                "peak_rss_mb": peak_mb,
                "database_mb": (args.dir / "kiosk.db").stat().st_size / 1e6,
                "lookup_us": lookup_us,
                "sqlite_us": sqlite_us,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
