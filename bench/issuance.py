"""Issuance figures: declarations to signed codes per second through HTTP, against bare signing in
the same run; the time to recompute colours after an area turns high risk, for a million people,
on SQLite and on PostgreSQL.

    python bench/issuance.py [--people 1000000] [--http-seconds 8]
    python bench/issuance.py --only recompute --database postgresql [--profile]

The people fixture is built once and cached in bench/.cache (an SQLite file and a CSV that
PostgreSQL loads with COPY); each run recomputes a copy. PostgreSQL comes from
CENTRAL_TEST_POSTGRES_URL (build/postgres.sh); without it the goal is printed as missed.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import hashlib
import json
import os
import pstats
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, insert, make_url, select, text  # noqa: E402

from central.admins import open_session  # noqa: E402
from central.bootstrap import prepare  # noqa: E402
from central.db import make_engine, make_sessions, migrate, session_scope  # noqa: E402
from central.issuance import changes  # noqa: E402
from central.issuance.people import issuer_keys  # noqa: E402
from central.issuance.rules import Facts, RiskLevel  # noqa: E402
from central.models import (  # noqa: E402
    Administrator,
    PersonArea,
    SmsChallenge,
    insert_people,
    new_id,
)
from central.settings import Settings  # noqa: E402
from healthcode import jkm  # noqa: E402
from healthcode.claims import CodeKind, Colour  # noqa: E402
from healthcode.identity import check_character  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
AREA = "610113001001"
CHANGED_AREA = "610113"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FIXTURE_VERSION = 2  # 2: colours in person_colours (migration 0010)


def goal(name: str, value: float, unit: str, target: str, met: bool, why: str = "") -> None:
    suffix = f" ({why})" if why else ""
    print(f"goal {name}: {value:.0f}{unit} (target {target}) {'met' if met else 'missed'}{suffix}")


# ---------------------------------------------------------------- signing and HTTP


def bare_signing_rate(keys_dir: Path, seconds: float = 2.0) -> float:
    keys = issuer_keys(keys_dir)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        claims = jkm.claims_for_person(
            issuer=keys.issuer,
            code_id=secrets.token_bytes(16),
            colour=Colour.GREEN,
            colour_seq=1,
            kind=CodeKind.PROXY,
            full_name="张三丰",
            id_number=_id_number(count),
            binding_key=keys.binding_key,
            now=NOW,
        )
        jkm.issue(claims, keys.signing_key)
        count += 1
    return count / (time.perf_counter() - started)


def _id_number(serial: int) -> str:
    """A distinct valid resident ID number per serial (one person each): a birth date from
    1950 on, one day per thousand serials, and the serial's last three digits as sequence."""
    born = date(1950, 1, 1) + timedelta(days=serial // 1000)
    first = f"610102{born:%Y%m%d}{serial % 1000:03d}"
    return first + check_character(first)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _phone(serial: int) -> str:
    return f"139{serial:08d}"


SMS_CODE = "246810"


def _seed_sms_codes(settings: Settings, serials: list[int]) -> None:
    """The setup phase: one unused SMS code per phone the clients will declare with (as if each
    person had asked for one; the SMS round trip and its rate limits are not what is measured)."""
    keys = issuer_keys(settings.resolved_keys_dir)
    engine = make_engine(settings.resolved_database_url)
    rows = [
        {
            "id": new_id(),
            "phone_ix": keys.cipher.phone_index(_phone(serial)),
            "code_hash": hashlib.sha256(SMS_CODE.encode()).digest(),
            "created_at": datetime.now(UTC),
            "expires_at": datetime.now(UTC) + timedelta(hours=1),
            "attempts": 0,
        }
        for serial in serials
    ]
    with engine.begin() as connection:
        connection.execute(insert(SmsChallenge), rows)
    engine.dispose()


def _admin_token(settings: Settings) -> str:
    """A session for the first administrator (the province's region administrator), opened
    directly: its password setup and login are not what is measured."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            admin = session.scalars(select(Administrator)).one()
            token, _ = open_session(session, admin.id, datetime.now(UTC), timedelta(hours=1))
        return token
    finally:
        engine.dispose()


@dataclass(frozen=True)
class HttpFigures:
    single: Drive  # self-declarations (phone + SMS code), one per request
    batch: Drive  # codes issued through proxy batches, BATCH_PEOPLE per request
    bare_rate: float  # bare signing, in this process
    workers: int


BATCH_PEOPLE = 100


def _person(serial: int) -> dict[str, object]:
    return {
        "full_name": "张三丰",
        "id_number": _id_number(serial),
        "residence": "610102001001",
        "temperature_celsius": 36.5,
    }


def _process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own, parent = int(stat.parent.name), int(fields[1])
        if own == pid or parent == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass(frozen=True)
class Drive:
    rate: float  # codes per second
    server_ms_per_code: float  # server CPU per code
    client_ms_per_code: float  # load generator CPU per code (this process)


def _measured(
    run: Callable[[float], float], done: list[int], seconds: float, server_pid: int
) -> Drive:
    """`run(duration)` once for a second to warm up (connections, imports, the first batches),
    then for `seconds`: codes per second from the `done` counts, and each side's CPU per code."""
    run(1.0)
    before = sum(done)
    server_before, client_before = _process_cpu_seconds(server_pid), time.process_time()
    elapsed = run(seconds)
    codes = max(sum(done) - before, 1)
    server_cpu = _process_cpu_seconds(server_pid) - server_before
    client_cpu = time.process_time() - client_before
    return Drive(codes / elapsed, 1000 * server_cpu / codes, 1000 * client_cpu / codes)


def _drive(
    clients: int,
    seconds: float,
    one: Callable[[httpx.Client, int], int],
    port: int,
    server_pid: int,
) -> Drive:
    """Run `one(http, client_index)` in a loop on each client thread for `seconds` (after a
    one-second warm-up); the codes issued per second and the CPU each side spent per code."""
    done = [0] * clients

    def client(index: int, until: float) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            while time.perf_counter() < until:
                done[index] += one(http, index)

    def run(duration: float) -> float:
        until = time.perf_counter() + duration
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i, until)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    return _measured(run, done, seconds, server_pid)


def _raw_drive(
    clients: int,
    seconds: float,
    request: Callable[[int], bytes],
    answered: Callable[[int, bytes], int],
    port: int,
    server_pid: int,
) -> Drive:
    """Like `_drive`, but each client is a keep-alive HTTP/1.1 connection on one asyncio loop
    writing prepared request bytes: a load generator light enough (a tenth of httpx's CPU per
    request) that on a small machine the server, not the generator, is what is measured.
    `request(client)` gives the next request's bytes; `answered(status, body)` the codes issued."""
    import asyncio

    done = [0] * clients

    async def client(index: int, until: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < until:
                writer.write(request(index))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                done[index] += answered(status, await reader.readexactly(length))
        finally:
            writer.close()

    async def all_clients(until: float) -> None:
        await asyncio.gather(*(client(i, until) for i in range(clients)))

    def run(duration: float) -> float:
        started = time.perf_counter()
        asyncio.run(all_clients(started + duration))
        return time.perf_counter() - started

    return _measured(run, done, seconds, server_pid)


def _post(port: int, path: str, body: object) -> bytes:
    """One HTTP/1.1 POST with a JSON body, as bytes."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


def http_rate(
    work: Path, seconds: float, clients: int = 64, batch_clients: int = 4, workers: int = 1
) -> HttpFigures:
    """Declarations through `central serve --workers N`, a separate process as in production:
    self-declarations one per request (`?svg=false`: the answer carries the QR text), then
    proxy declarations in batches of BATCH_PEOPLE, by the province's region administrator."""
    settings = Settings(data_dir=work, _env_file=None)  # type: ignore[call-arg]
    prepare(settings, datetime.now(UTC), first_admin="admin")
    bare = bare_signing_rate(settings.resolved_keys_dir)
    per_client = 40_000
    # Enough SMS codes for 2,500 declarations per connection (a run of ten seconds uses ~200).
    serials = [i * per_client + n for i in range(clients) for n in range(2_500)]
    _seed_sms_codes(settings, serials)
    admin = {"Authorization": f"Bearer {_admin_token(settings)}"}
    port = _free_port()
    env = {**os.environ, "CENTRAL_DATA_DIR": str(work), "CENTRAL_JOBS_INTERVAL_S": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/issuance/rulesets").is_success:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("central serve did not start")
            time.sleep(0.2)
        next_serial = [i * per_client for i in range(clients)]  # each SMS code is used once
        refused: list[str] = []

        def self_declaration(index: int) -> bytes:
            serial = next_serial[index]
            next_serial[index] += 1
            return _post(
                port,
                "/api/v1/issuance/declarations?svg=false",
                {**_person(serial), "phone": _phone(serial), "sms_code": SMS_CODE},
            )

        def declared(status: int, body: bytes) -> int:
            if status == 201 and json.loads(body)["code"]["qr_text"]:
                return 1
            refused.append(f"{status} {body[:200]!r}")
            return 0

        batch_serial = [10_000_000 + i * 1_000_000 for i in range(batch_clients)]

        def proxy_batch(http: httpx.Client, index: int) -> int:
            first = batch_serial[index]
            batch_serial[index] += BATCH_PEOPLE
            people = [_person(first + n) for n in range(BATCH_PEOPLE)]
            answer = http.post(
                "/api/v1/issuance/proxy-declarations/batch", json={"people": people}, headers=admin
            )
            if answer.status_code != 200:
                refused.append(f"{answer.status_code} {answer.text[:200]}")
                return 0
            result = answer.json()
            if result["refused"]:
                refused.append(str(result["refused"][:2]))
            return len(result["issued"])

        single = _raw_drive(clients, seconds, self_declaration, declared, port, server.pid)
        batch = _drive(batch_clients, seconds, proxy_batch, port, server.pid)
        if refused:
            print(f"http: {len(refused)} refusals, e.g. {refused[0]}")
        return HttpFigures(single, batch, bare, workers)
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------- the million-people fixture


def _rows(people: int, issuer: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    facts = Facts(residence=AREA).to_json()
    persons, areas = [], []
    for serial in range(people):
        person_id = f"{serial:08d}-0000-4000-8000-000000000000"
        persons.append(
            {
                "id": person_id,
                "issuer": issuer,
                "id_ix": serial.to_bytes(16, "big"),
                "name_enc": b"-",
                "id_number_enc": b"-",
                "id_type": "resident_id",
                "holder": "self",
                "residence_area": AREA,
                "ruleset": "shaanxi",
                "facts": facts,
                "code_id": secrets.token_bytes(16),
                "code_ix": secrets.token_bytes(16),
                "code_kind": "app",
                "colour": "green",
                "colour_seq": 1,
                "colour_reason": "declaration",
                "lock_version": 0,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        areas.append({"area_code": AREA, "person_id": person_id})
    return persons, areas


def sqlite_fixture(people: int) -> Path:
    path = CACHE / f"issuance_{people}_v{FIXTURE_VERSION}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    migrate(engine)
    step = 50_000
    with engine.begin() as connection:
        for first in range(0, people, step):
            persons, areas = _rows(min(step, people - first), "610000")
            for offset, person in enumerate(persons):
                person["id"] = f"{first + offset:08d}-0000-4000-8000-000000000000"
                person["id_ix"] = (first + offset).to_bytes(16, "big")
                areas[offset]["person_id"] = person["id"]
            insert_people(connection, persons)
            connection.execute(insert(PersonArea), areas)
    engine.dispose()
    partial.rename(path)
    return path


def _csv_fixture(sqlite_path: Path) -> Path:
    """The people table as CSV for PostgreSQL's COPY, made once from the SQLite fixture."""
    path = sqlite_path.with_suffix(".people.csv")
    if path.exists():
        return path
    import sqlite3

    partial = path.with_suffix(".partial")
    with sqlite3.connect(sqlite_path) as db, partial.open("w", newline="") as out:
        writer = csv.writer(out)
        for row in db.execute(
            "SELECT id, issuer, id_ix, code_id, code_ix, facts FROM people ORDER BY id"
        ):
            writer.writerow(
                [
                    row[0],
                    row[1],
                    "\\x" + row[2].hex(),
                    "\\x" + row[3].hex(),
                    "\\x" + row[4].hex(),
                    row[5],
                ]
            )
    partial.rename(path)
    return path


def recompute(url: str, profile: bool = False) -> tuple[float, int]:
    engine = make_engine(url)
    sessions = make_sessions(engine)
    clock = lambda: NOW  # noqa: E731
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    job_id = changes.set_area_risk(sessions, CHANGED_AREA, RiskLevel.HIGH, NOW, actor="bench")
    changes.run_job(sessions, job_id, clock, owner="bench")  # the service's batch size
    elapsed = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    with engine.connect() as connection:
        changed = int(connection.execute(text("SELECT changed FROM recompute_jobs")).scalar_one())
    engine.dispose()
    return elapsed, changed


def recompute_sqlite(people: int, profile: bool = False) -> tuple[float, int]:
    fixture = sqlite_fixture(people)
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "central.db"
        shutil.copyfile(fixture, copy)
        return recompute(f"sqlite:///{copy}", profile)


def recompute_postgres(people: int, base: str, profile: bool = False) -> tuple[float, int]:
    rows = _csv_fixture(sqlite_fixture(people))
    name = f"bench_issuance_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        migrate(engine)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(
                "CREATE TEMP TABLE load (id text, issuer text, id_ix bytea, code_id bytea,"
                " code_ix bytea, facts json)"
            )
            with (
                rows.open() as source,
                cursor.copy("COPY load FROM STDIN WITH (FORMAT csv)") as copy,
            ):  # type: ignore[attr-defined]
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(
                "INSERT INTO people (id, issuer, id_ix, name_enc, id_number_enc, id_type, holder,"
                " residence_area, ruleset, facts, code_id, code_ix, code_kind, created_at,"
                " updated_at)"
                " SELECT id, issuer, id_ix, '\\x2d', '\\x2d', 'resident_id', 'self', %s, 'shaanxi',"
                " facts, code_id, code_ix, 'app', %s, %s FROM load",
                (AREA, NOW, NOW),
            )
            cursor.execute(
                "INSERT INTO person_colours (person_id, colour, colour_seq, colour_reason,"
                " lock_version) SELECT id, 'green', 1, 'declaration', 0 FROM load"
            )
            cursor.execute("INSERT INTO person_areas SELECT %s, id FROM load", (AREA,))
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
        engine.dispose()
        return recompute(url, profile)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--http-seconds", type=float, default=8.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="central serve processes (SQLite has one writer: one process batches best)",
    )
    parser.add_argument("--skip-recompute", action="store_true")
    parser.add_argument(
        "--only", choices=["http", "recompute"], help="measure only this part (default: both)"
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        default="both",
        help="where to recompute (default: both)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the recompute's time goes (cProfile)"
    )
    args = parser.parse_args()
    if args.only != "recompute":
        http_figures(args.http_seconds, args.workers)
    if args.skip_recompute or args.only == "http":
        return
    recompute_figures(args.people, args.database, args.profile)


def http_figures(http_seconds: float, workers: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        http = http_rate(Path(work), http_seconds, workers=workers)
    bare = http.bare_rate
    print(f"bare signing: {bare:.0f} codes/s (this process, same run)")
    single, batch = http.single, http.batch
    print(
        f"through HTTP, {http.workers} server processes, load average {os.getloadavg()[0]:.1f}: "
        f"self-declarations one per request {single.rate:.0f} codes/s "
        f"({single.rate / bare:.3f} of bare signing; CPU per code: server "
        f"{single.server_ms_per_code:.2f} ms, load generator {single.client_ms_per_code:.2f} ms); "
        f"proxy declarations {BATCH_PEOPLE} per request {batch.rate:.0f} codes/s "
        f"({batch.rate / bare:.3f} of bare signing; CPU per code: server "
        f"{batch.server_ms_per_code:.2f} ms, load generator {batch.client_ms_per_code:.2f} ms)"
    )
    goal(
        "issuance_http_rate",
        batch.rate,
        " codes/s",
        ">= 1000",
        batch.rate >= 1000,
        f"proxy declarations, {BATCH_PEOPLE} per request",
    )
    goal(
        "issuance_http_single_rate",
        single.rate,
        " codes/s",
        ">= 1000",
        single.rate >= 1000,
        "self-declarations with an SMS code, one per request, 1 server process on SQLite",
    )


def recompute_figures(people: int, database: str, profile: bool) -> None:
    built = time.perf_counter()
    sqlite_fixture(people)
    print(f"fixture: {people} people ready in {time.perf_counter() - built:.1f} s")
    if database in ("sqlite", "both"):
        seconds, changed = recompute_sqlite(people, profile)
        print(
            f"recompute sqlite: {changed} colours changed in {seconds:.1f} s "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
        print(
            f"goal recompute_sqlite: {seconds:.1f} s (target <= 60) "
            f"{'met' if seconds <= 60 else 'missed'}"
        )
    if database == "sqlite":
        return

    base = os.environ.get("CENTRAL_TEST_POSTGRES_URL")
    if not base:
        print(
            "goal recompute_postgres: 0 s (target <= 60) missed (no PostgreSQL: "
            "set CENTRAL_TEST_POSTGRES_URL, e.g. source build/postgres.sh)"
        )
        return
    try:
        seconds, changed = recompute_postgres(people, base, profile)
    except Exception as error:  # the server went away mid-run: say so on the goal line
        print(f"goal recompute_postgres: 0 s (target <= 60) missed ({type(error).__name__})")
        return
    print(
        f"recompute postgres: {changed} colours changed in {seconds:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"goal recompute_postgres: {seconds:.1f} s (target <= 60) "
        f"{'met' if seconds <= 60 else 'missed'}"
    )


if __name__ == "__main__":
    main()
