# ruff: noqa: E402 - the path is fixed before the imports (see below)
"""Upload: a 100,000-record backlog from the real kiosk store to a real central process on
loopback (SQLite), against the server's own bulk insert of the same rows into the same schema;
with `--postgresql`, a 1,000,000-record backlog to central on PostgreSQL (issue 28), against
PostgreSQL's own COPY of the same rows into a fresh database of the same schema.

    .venv/bin/python bench/sync.py [--backlog N]
    bash build/postgres.sh .venv/bin/python bench/sync.py --postgresql [--backlog N]

Upload: `kiosk.client.upload.Uploader.drain()` (adaptive batches, two in flight, signed
requests, JSON, per-record answers, outbox settled in the kiosk store) to `python -m central
serve` on 127.0.0.1 (two processes on PostgreSQL, as deployed; `--workers`), timed
from the first read of the outbox to the last settlement. Reference, measured in the same run:
the very rows central stored (encrypted, blind-indexed), inserted in batches of the same size
into a fresh database migrated to the same schema, one `executemany` INSERT and one commit per
batch, through the same engine settings.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/sync.py`, this file's folder comes first on the path and its name would
# hide the `sync` package: look in the repository instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
sys.path.append(str(_HERE))  # after the repository: its own `_postgres`, not a `sync`

import argparse
import os
import random
import socket
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import tenacity
from _postgres import fresh_database
from sqlalchemy import Connection, Table, insert, text
from sqlalchemy.exc import DBAPIError

from central.core.cipher import RecordCipher
from central.core.db import make_engine, migrate
from central.kiosks.ingest import Sender, rows_of, tables_of
from healthcode.claims import Colour
from healthcode.console import say, survives_closed_stdout
from kiosk.checkpoint.decision import IdMatch
from kiosk.checkpoint.events import PassageRecord
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason
from kiosk.client.enrollment import enroll
from kiosk.client.upload import Uploader
from kiosk.store import Store, StoreKeys
from kiosk.store.connection import open_connection
from kiosk.store.crypto import FieldCipher
from kiosk.store.rows import passage_values
from kiosk.store.schema import migrate as migrate_store
from sync.schemas import MAX_UPLOAD_RECORDS

BACKLOG = 100_000
BACKLOG_POSTGRESQL = 1_000_000
FEVER_EVERY = 100
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


SERVE = (sys.executable, "-m", "central", "serve")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants, and of the children
    they already reaped (Linux /proc); 0 where it cannot be read."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(value) for value in fields[11:15]) / ticks
    total, wanted = 0.0, [root]
    while wanted:
        pid = wanted.pop()
        total += times.get(pid, 0.0)
        wanted.extend(child for child, parent in parents.items() if parent == pid)
    return total


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            data = connection.execute(text("SHOW data_directory")).scalar_one()
        return int((Path(data) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, DBAPIError):
        return None
    finally:
        engine.dispose()


def wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url + "/openapi.json").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            raise SystemExit(f"the server exited with {process.returncode}")
    raise SystemExit("the server did not answer within 60 s")


def goal(name: str, measured: float, unit: str, op: str, target: float, fmt: str) -> str:
    met = measured <= target if op == "<=" else measured >= target
    verdict = "met" if met else "missed"
    return f"goal {name}: {measured:{fmt}} {unit} (target {op} {target:g}) {verdict}"


def record(rng: random.Random, at: datetime, fever: bool) -> PassageRecord:
    return PassageRecord(
        record_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        at_utc=at,
        clock_trusted=True,
        operator_id="op-1",
        scheme="JKM1",
        issuer="610000",
        code_id=rng.randbytes(16),
        masked_name="张*丰",
        id_number_masked=None,
        colour_in_code=Colour.GREEN,
        colour_applied=Colour.GREEN,
        outcome=Outcome.REFER if fever else Outcome.PASS,
        reasons=("colour_green", "temperature_normal"),
        rejection=None,
        temperature_celsius=38.2 if fever else round(rng.uniform(36.0, 37.2), 1),
        fever=fever,
        id_match=IdMatch.NOT_READ,
        direction=Direction.IN,
        trip_reason=TripReason.RETURN_TO_WORK,
        vehicle_plate="陕A12345" if rng.random() < 0.2 else None,
        policy_version=1,
        repeat=False,
    )


def backlog_store(folder: Path, backlog: int) -> tuple[Path, StoreKeys]:
    """A kiosk store holding the backlog, written in one transaction (the store's own rows)."""
    rng = random.Random(10)
    keys = StoreKeys.generate()
    path = folder / "passages.db"
    connection = open_connection(path)
    migrate_store(connection)
    cipher = FieldCipher(keys)
    connection.execute("BEGIN")
    outbox = []
    for seq in range(1, backlog + 1):
        fever = seq % FEVER_EVERY == 0
        item = record(rng, NOW - timedelta(seconds=(backlog - seq) / 4), fever)
        values = passage_values(item, cipher, seq)
        if seq == 1:
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            statement = f"INSERT INTO passages ({columns}) VALUES ({marks})"  # noqa: S608
        connection.execute(statement, tuple(values.values()))
        if fever:
            outbox.append((values["id"], "fever_report", 0, values["at_ms"]))
        outbox.append((values["id"], "passage", 1, values["at_ms"]))
    connection.executemany(
        "INSERT INTO outbox (record_id, kind, priority, state, created_ms, attempts)"
        " VALUES (?, ?, ?, 'pending', ?, 0)",
        outbox,
    )
    connection.execute("COMMIT")
    connection.close()
    return path, keys


def run(args: list[str], folder: Path, environment: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@survives_closed_stdout
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", action="store_true", help="central on PostgreSQL")
    parser.add_argument("--backlog", type=int, default=None, help="records in the backlog")
    parser.add_argument(
        "--workers", type=int, default=None, help="central processes (default: 2 on PostgreSQL)"
    )
    args = parser.parse_args(argv)
    postgres_base = os.environ.get("CENTRAL_TEST_POSTGRES_URL")
    if args.postgresql and not postgres_base:
        say("sync: --postgresql needs CENTRAL_TEST_POSTGRES_URL (bash build/postgres.sh ...)")
        return 2
    backlog = args.backlog or (BACKLOG_POSTGRESQL if args.postgresql else BACKLOG)
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    server_dir = folder / "central"
    server_dir.mkdir()
    environment = {**os.environ, "CENTRAL_SMS_PROVIDER": "log"}  # kiosks only: no SMS is sent
    # Central's processes run this checkout's code, not whichever checkout the virtualenv's
    # editable install points at (a git worktree shares the main checkout's virtualenv).
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(_HERE.parent), os.environ.get("PYTHONPATH")])
    )
    database_url = f"sqlite:///{server_dir / 'central.db'}"
    if args.postgresql and postgres_base:
        database_url = fresh_database(postgres_base, "bench_sync")
        environment["CENTRAL_DATABASE_URL"] = database_url
    run(["central", "init"], server_dir, environment)
    checkpoint = run(
        ["central", "checkpoint", "add", "--name", "北门", "--type", "enterprise_gate",
         "--region", "610102", "--address", "西安市", "--enterprise", "某厂"],
        server_dir, environment,
    ).strip()  # fmt: skip
    code = run(["central", "checkpoint", "code", checkpoint], server_dir, environment).strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # As deployed (docs/deployment.md): on PostgreSQL several central processes share the
    # database, and the kiosk keeps two batches in flight, one stored while the next is sent.
    workers = args.workers or (2 if args.postgresql else 1)
    server = subprocess.Popen(
        [*SERVE, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        cwd=server_dir,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(server, url)
        with httpx.Client(timeout=30.0) as client:
            kiosk = enroll(client, url, code, folder / "kiosk")
        started = time.perf_counter()
        database, keys = backlog_store(folder, backlog)
        say(f"backlog: {backlog:,} passages ({backlog // FEVER_EVERY:,} with fever reports)"
              f" written in {time.perf_counter() - started:.1f} s")  # fmt: skip
        with (
            Store(database, keys) as store,
            httpx.Client(auth=kiosk.identity.auth(), timeout=60.0) as client,
        ):
            items = store.outbox.outbox_backlog()
            uploader = Uploader(
                store.outbox,
                client,
                url,
                batch_size=1000,
                wait=tenacity.wait_exponential(0.1, max=2),
            )
            postgres = postmaster_pid(database_url) if args.postgresql else None
            cpu_before = (
                time.process_time(),
                tree_cpu_s(server.pid),
                tree_cpu_s(postgres) if postgres else 0.0,
            )
            started = time.perf_counter()
            settled = uploader.drain(max_attempts=10)
            upload_s = time.perf_counter() - started
            cpu_after = (
                time.process_time(),
                tree_cpu_s(server.pid),
                tree_cpu_s(postgres) if postgres else 0.0,
            )
            assert settled == items and store.outbox.outbox_backlog() == 0
            final_batch = uploader.batch_size
        upload_rate = items / upload_s
        engine = make_engine(database_url)
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT COUNT(*) FROM received_passages")).scalar()
        engine.dispose()
        assert stored == backlog, stored
    finally:
        server.terminate()
        server.wait(30)
    say(f"upload ({'PostgreSQL' if args.postgresql else 'SQLite'}): {items:,} outbox items in"
          f" {upload_s:.1f} s = {upload_rate:,.0f} records/s (batches grew to {final_batch};"
          f" {uploader.tally.batches} batches, {uploader.tally.failures} failures;"
          f" {workers} central processes, {uploader.in_flight} batches in flight)")  # fmt: skip

    # Where the time went: the machine's 2 cores are shared by the kiosk (this process),
    # central's processes and PostgreSQL's (whole cluster; other benchmarks may use it too).
    kiosk_us, central_us, postgres_us = (
        (after - before) / items * 1e6 for before, after in zip(cpu_before, cpu_after, strict=True)
    )
    say(f"CPU per record: kiosk {kiosk_us:.0f} us, central {central_us:.0f} us"
          + (f", PostgreSQL {postgres_us:.0f} us" if args.postgresql else ""))  # fmt: skip

    # The reference is the faster of two runs (a fresh database each): the machine is shared,
    # and a slowed reference would flatter the ratio.
    if args.postgresql and postgres_base:
        references = [
            copy_postgresql(fresh_database(postgres_base, "bench_sync"), database, keys, backlog)
            for _ in (1, 2)
        ]
        reference_name = "PostgreSQL's COPY"
    else:
        references = [
            bulk_insert(folder / f"bulk-{run}.db", database, keys, backlog) for run in (1, 2)
        ]
        reference_name = "server bulk insert"
    reference = max(references)
    ratio = upload_rate / reference
    say(f"{reference_name} of the same rows: {reference:,.0f} records/s (best of"
          f" {', '.join(f'{rate:,.0f}' for rate in references)});"
          f" upload / reference = {ratio:.2f}")  # fmt: skip
    load = " ".join(f"{value:.2f}" for value in (*load_before, *os.getloadavg()))
    say(f"load average (1, 5, 15 min, before and after): {load} on {os.cpu_count()} cores")
    if args.postgresql:
        say(goal("upload_rate_postgresql", upload_rate, "records/s", ">=", 10_000, ",.0f"))
        say(goal("upload_vs_copy_postgresql", ratio, "ratio", ">=", 0.3, ".2f"))
    else:
        say(goal("upload_rate", upload_rate, "records/s", ">=", 5000, ",.0f"))
        say(goal("upload_vs_bulk_insert", ratio, "ratio", ">=", 0.3, ".2f"))
    return 0


def central_rows(
    database: Path, keys: StoreKeys, backlog: int
) -> list[tuple[Table, list[dict[str, object]]]]:
    """The backlog's records as the rows central stores, by table."""
    with Store(database, keys) as store:
        connection = store._readers.get()
        connection.execute("UPDATE outbox SET state = 'pending'")  # read them all again
        records = [item.record for item in store.outbox.outbox_batch(backlog * 2)]
    sender = Sender("bench-kiosk", "bench-checkpoint", "610102")
    cipher = RecordCipher(bytes(32), bytes(range(32)))
    rows = rows_of(sender, records, cipher=cipher, now=NOW)
    return [(table, list(by_id.values())) for table, by_id in tables_of(rows).values()]


def _bench_kiosk(connection: Connection) -> None:
    """The kiosk and checkpoint rows the upload's rows point at."""
    connection.exec_driver_sql(
        "INSERT INTO checkpoints (id, name, checkpoint_type, region_code, address, created_at,"
        " policy_version, roster_version) VALUES ('bench-checkpoint', 'b', 'village', '610102',"
        " 'a', '2026-11-23 08:00:00', 1, 0)"
    )
    connection.exec_driver_sql(
        "INSERT INTO kiosks (id, checkpoint_id, signing_public_key, encryption_public_key,"
        " enrolled_at) VALUES ('bench-kiosk', 'bench-checkpoint', '\\x00', '\\x00',"
        " '2026-11-23 08:00:00')"
    )


def copy_postgresql(url: str, database: Path, keys: StoreKeys, backlog: int) -> float:
    """The same rows, COPY'd straight into a fresh PostgreSQL database of central's schema
    (one COPY per table and batch of the upload's size, one commit per batch)."""
    tables = central_rows(database, keys, backlog)
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        _bench_kiosk(connection)
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        started = time.perf_counter()
        items = 0
        for table, rows in tables:
            if not rows:
                continue
            columns = list(rows[0])
            names = ", ".join(f'"{column}"' for column in columns)
            for start in range(0, len(rows), MAX_UPLOAD_RECORDS):
                chunk = rows[start : start + MAX_UPLOAD_RECORDS]
                with driver.cursor() as cursor:
                    copy_sql = f'COPY "{table.name}" ({names}) FROM STDIN'
                    with cursor.copy(copy_sql) as copy:
                        for row in chunk:
                            copy.write_row([row[column] for column in columns])
                driver.commit()
                items += len(chunk)
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()
    return items / elapsed


def bulk_insert(target: Path, database: Path, keys: StoreKeys, backlog: int) -> float:
    """The same records as rows central stores, inserted straight into a fresh database."""
    batches = [
        [(table, rows[start : start + MAX_UPLOAD_RECORDS])]
        for table, rows in central_rows(database, keys, backlog)
        for start in range(0, len(rows), MAX_UPLOAD_RECORDS)
    ]
    engine = make_engine(f"sqlite:///{target}")
    migrate(engine)
    with engine.begin() as connection:  # the same kiosk and checkpoint rows as the upload's
        connection.exec_driver_sql(
            "INSERT INTO checkpoints (id, name, checkpoint_type, region_code, address, created_at,"
            " policy_version, roster_version) VALUES ('bench-checkpoint', 'b', 'village', '610102',"
            " 'a', '2026-11-23 08:00:00', 1, 0)"
        )
        connection.exec_driver_sql(
            "INSERT INTO kiosks (id, checkpoint_id, signing_public_key, encryption_public_key,"
            " enrolled_at) VALUES ('bench-kiosk', 'bench-checkpoint', x'00', x'00',"
            " '2026-11-23 08:00:00')"
        )
    started = time.perf_counter()
    for batch in batches:
        with engine.begin() as connection:
            for table, rows in batch:
                if rows:
                    connection.execute(insert(table), rows)
    elapsed = time.perf_counter() - started
    engine.dispose()
    items = sum(len(rows) for batch in batches for _table, rows in batch)
    return items / elapsed


if __name__ == "__main__":
    raise SystemExit(main())
