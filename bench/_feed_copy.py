"""Part of bench/feed.py: the kiosk's stored feed copy at size, in a process of its own so its
peak RSS (`ru_maxrss`) is the kiosk's alone.

`python bench/_feed_copy.py --entries N --dir DIR` writes a signed snapshot file of N entries
in DIR as central writes one (`SnapshotFileWriter.add_rows`, rows in feed order, in column
blocks as central builds the file since they came; `--rows` for the row blocks central sends a
kiosk that does not ask for columns, and wrote before; not timed),
then times the kiosk's real path: `kiosk.client.snapshot_fetch.apply_snapshot_file` into a new
kiosk store's copy (the signed header verified with the trust list, the body read, its count
and digest checked, the entries indexed, sorted and committed, the file removed). Then it times
`store.feed.latest` against a bare SQLite primary-key lookup of the same codes in a table of
the same N, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from healthcode.claims import Colour
from healthcode.console import say
from healthcode.feed_file import BlockEncoding, SnapshotFileWriter
from healthcode.keys import SigningKey
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustedKey, TrustList
from kiosk.client.snapshot_fetch import apply_snapshot_file
from kiosk.store import Store, StoreKeys

ISSUER = "610000"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LOOKUPS = 100_000
ROWS_PER_BATCH = 10_000


def code_of(i: int) -> bytes:
    return i.to_bytes(16, "big")


def write_snapshot_file(path: Path, count: int, key: SigningKey, blocks: BlockEncoding) -> None:
    """A snapshot of `count` codes (one entry each), written as central writes one: rows in
    feed order, in cursor-sized batches."""
    at_s = int((NOW - timedelta(days=1)).timestamp())
    red, yellow = Colour.RED.wire, Colour.YELLOW.wire
    with SnapshotFileWriter(
        path, publisher=ISSUER, last_sequence=count, as_of_utc=NOW, horizon_utc=None, blocks=blocks
    ) as writer:
        for start in range(0, count, ROWS_PER_BATCH):
            writer.add_rows(
                [
                    (i + 1, ISSUER, code_of(i), red if i % 7 else yellow, 2, "area_risk", at_s)
                    for i in range(start, min(start + ROWS_PER_BATCH, count))
                ]
            )
        writer.finish(key)


def cpu_s() -> float:
    """The process's CPU time, every thread's (the writer's included): beside the wall time,
    what the apply costs on a machine busy with other work."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument(
        "--rows", action="store_true", help="row blocks (an older central's file), not columns"
    )
    args = parser.parse_args()
    count: int = args.entries

    feed_key = SigningKey.generate()
    trust = TrustList(
        sequence=1,
        issued_at_utc=NOW,
        issuers=(Issuer(ISSUER, LocalText("陕西省", "Shaanxi")),),
        keys=(TrustedKey(feed_key.public, ISSUER, KeyRole.FEED, NOW - timedelta(days=1)),),
    )
    snapshot = args.dir / "feed-snapshot.snap"
    started = time.perf_counter()
    blocks = BlockEncoding.ROWS if args.rows else BlockEncoding.COLUMNS
    write_snapshot_file(snapshot, count, feed_key, blocks)
    writing_s = time.perf_counter() - started
    file_mb = snapshot.stat().st_size / 1e6
    rss_before = peak_rss_mb()

    with Store(args.dir / "kiosk.db", StoreKeys.generate()) as store:
        started, cpu_started = time.perf_counter(), cpu_s()
        taken = apply_snapshot_file(snapshot, trust, store.feed)
        apply_s, apply_cpu_s = time.perf_counter() - started, cpu_s() - cpu_started
        peak_mb = peak_rss_mb()
        assert taken == count and store.feed.last_sequence == count
        assert store.feed.latest(ISSUER, code_of(count - 1)) is not None

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
                "blocks": blocks.value,
                "writing_s": writing_s,
                "file_mb": file_mb,
                "apply_s": apply_s,
                "apply_cpu_s": apply_cpu_s,
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
