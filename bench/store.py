"""Passage store: durable writes with encryption against bare SQLite, and queries on 1M passages.

Writes: one passage per transaction through the store (encryption, outbox row, writer thread),
against bare single-row committed INSERTs of the same rows into a database with the same schema,
pragmas (WAL, synchronous=FULL) and indexes, in the same run. Queries: the supervisor's filtered
log (first page) and a code's 14-day trail on a database of one million passages, built once and
cached in bench/.cache between runs.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from healthcode.claims import Colour
from healthcode.console import say, survives_closed_stdout
from kiosk.checkpoint.decision import IdMatch
from kiosk.checkpoint.events import PassageRecord
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason
from kiosk.store import LogFilter, Store, StoreKeys
from kiosk.store.connection import open_connection
from kiosk.store.crypto import FieldCipher
from kiosk.store.rows import passage_values
from kiosk.store.schema import migrate

WRITES = 1500
BIG = 1_000_000
CODES = 100_000
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CACHE = Path(__file__).resolve().parent / ".cache"
ISSUER = "610000"


def record(rng: random.Random, at: datetime) -> PassageRecord:
    fever = rng.random() < 0.01
    outcome = (
        Outcome.REFER
        if fever
        else rng.choices([Outcome.PASS, Outcome.DENY, Outcome.MANUAL_CHECK], [90, 4, 6])[0]
    )
    colour = rng.choices(list(Colour), [94, 4, 2])[0]
    return PassageRecord(
        record_id=uuid.UUID(int=rng.getrandbits(128)),
        at_utc=at,
        clock_trusted=True,
        operator_id=f"op-{rng.randrange(10)}",
        scheme="JKM1",
        issuer=ISSUER,
        code_id=rng.randrange(CODES).to_bytes(16, "big"),
        masked_name="张*丰",
        id_number_masked=None,
        colour_in_code=colour,
        colour_applied=colour,
        outcome=outcome,
        reasons=("colour_green", "temperature_normal"),
        rejection=None,
        temperature_celsius=round(rng.uniform(36.0, 37.2), 1) if not fever else 38.2,
        fever=fever,
        id_match=IdMatch.NOT_READ,
        direction=Direction.IN,
        trip_reason=TripReason.RETURN_TO_WORK,
        vehicle_plate=None,
        policy_version=1,
        repeat=False,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def goal(name: str, measured: float, unit: str, op: str, target: float) -> str:
    met = measured <= target if op == "<=" else measured >= target
    return (
        f"goal {name}: {measured:.2f} {unit} (target {op} {target:g}) {'met' if met else 'missed'}"
    )


def bench_writes(folder: Path) -> tuple[float, float, float, float]:
    rng = random.Random(1)
    records = [record(rng, NOW - timedelta(seconds=i)) for i in range(WRITES)]
    keys = StoreKeys.generate()

    latencies: list[float] = []
    with Store(folder / "ours.db", keys) as store:
        start = time.perf_counter()
        for item in records:
            began = time.perf_counter()
            store.passages.record(item).result()
            latencies.append(time.perf_counter() - began)
        ours_s = time.perf_counter() - start

    bare = open_connection(folder / "bare.db")
    migrate(bare)
    cipher = FieldCipher(keys)
    rows = [passage_values(item, cipher, seq) for seq, item in enumerate(records, 1)]
    columns = ", ".join(rows[0])
    statement = f"INSERT INTO passages ({columns}) VALUES ({', '.join('?' for _ in rows[0])})"  # noqa: S608
    plain = [tuple(row.values()) for row in rows]
    bare_latencies: list[float] = []
    start = time.perf_counter()
    for values in plain:
        began = time.perf_counter()
        bare.execute("BEGIN")
        bare.execute(statement, values)
        bare.execute("COMMIT")
        bare_latencies.append(time.perf_counter() - began)
    bare_s = time.perf_counter() - start
    bare.close()
    return (
        WRITES / ours_s,
        WRITES / bare_s,
        percentile(latencies, 0.99) * 1000,
        percentile(bare_latencies, 0.99) * 1000,
    )


def big_database() -> tuple[Path, Path]:
    CACHE.mkdir(exist_ok=True)
    database, key_file = CACHE / f"store-{BIG}.db", CACHE / f"store-{BIG}.key"
    if database.exists() and key_file.exists():
        return database, key_file
    for stale in CACHE.glob(f"store-{BIG}.*"):
        stale.unlink()
    say(f"building a database of {BIG:,} passages once (cached in {CACHE}) ...")
    began = time.perf_counter()
    keys = StoreKeys.load_or_create(key_file)
    Store(database, keys).close()  # schema and key fingerprint
    cipher = FieldCipher(keys)
    connection = open_connection(database)
    rng = random.Random(2)
    span_s = 30 * 24 * 3600
    moments = sorted(rng.randrange(span_s) for _ in range(BIG))
    batch: list[tuple[object, ...]] = []
    columns = statement = ""
    for seq, offset in enumerate(moments, 1):
        values = passage_values(record(rng, NOW - timedelta(seconds=span_s - offset)), cipher, seq)
        if not statement:
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            statement = f"INSERT INTO passages ({columns}) VALUES ({marks})"  # noqa: S608
        batch.append(tuple(values.values()))
        if len(batch) == 20_000:
            connection.execute("BEGIN")
            connection.executemany(statement, batch)
            connection.execute("COMMIT")
            batch.clear()
    if batch:
        connection.execute("BEGIN")
        connection.executemany(statement, batch)
        connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()
    say(f"built in {time.perf_counter() - began:.0f} s")
    return database, key_file


def timed_ms(action: object, repeats: int = 30) -> tuple[float, float]:
    assert callable(action)
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def bench_queries() -> dict[str, tuple[float, float, int]]:
    database, key_file = big_database()
    results: dict[str, tuple[float, float, int]] = {}
    with Store(database, StoreKeys.load_or_create(key_file)) as store:
        week = LogFilter(from_utc=NOW - timedelta(days=7), to_utc=NOW)
        filters = {
            "log: last 7 days": week,
            "log: denied, last 7 days": LogFilter(
                from_utc=week.from_utc, to_utc=week.to_utc, outcome=Outcome.DENY
            ),
            "log: red codes": LogFilter(colour=Colour.RED),
            "log: fevers": LogFilter(fever=True),
            "log: one operator, last 7 days": LogFilter(
                from_utc=week.from_utc, to_utc=week.to_utc, operator_id="op-3"
            ),
        }
        for name, where in filters.items():
            rows = store.passages.log(where, limit=50)
            median, p95 = timed_ms(lambda w=where: store.passages.log(w, limit=50))
            results[name] = (median, p95, len(rows))
        code = (4242).to_bytes(16, "big")
        trail = store.passages.trail(ISSUER, code, NOW)
        median, p95 = timed_ms(lambda: store.passages.trail(ISSUER, code, NOW))
        results["trail: one code, 14 days"] = (median, p95, len(trail))
    return results


@survives_closed_stdout
def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        ours, bare, ours_p99, bare_p99 = bench_writes(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ratio = ours / bare
    say(f"durable passage writes (encrypted, with outbox): {ours:8.0f} /s  p99 {ours_p99:6.2f} ms")
    say(f"bare SQLite single-row committed inserts:        {bare:8.0f} /s  p99 {bare_p99:6.2f} ms")
    say(f"ratio ours / bare: {ratio:.2f}  ({WRITES} writes each)")
    queries = bench_queries()
    for name, (median, p95, rows) in queries.items():
        say(f"{name:34s} median {median:7.2f} ms  p95 {p95:7.2f} ms  ({rows} rows)")
    worst_log = max(p95 for name, (_, p95, _) in queries.items() if name.startswith("log"))
    trail_p95 = queries["trail: one code, 14 days"][1]
    say(goal("store_write_ratio", ratio, "ratio", ">=", 0.5))
    say(goal("store_log_query_p95", worst_log, "ms", "<=", 100))
    say(goal("store_trail_query_p95", trail_p95, "ms", "<=", 100))


if __name__ == "__main__":
    main()
