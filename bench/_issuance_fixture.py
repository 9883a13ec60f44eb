"""The issuance bench's million-person fixture and the recompute it measures: the people built
once and cached in bench/.cache (an SQLite file, and a CSV that PostgreSQL loads with COPY); each
run recomputes a copy after an area turns high risk, in this process or in several worker
processes sharing the job's partitions (issue 28). Used by bench/issuance.py (a module whose
name starts with `_` is not a benchmark of its own for bench/run.py).
"""

from __future__ import annotations

import cProfile
import csv
import multiprocessing
import pstats
import secrets
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from pathlib import Path

from _postgres import throwaway_database
from sqlalchemy import insert, text

from central.core.db import make_engine, make_sessions, migrate
from central.core.models import PersonArea, insert_people
from central.issuance import changes
from central.issuance.rules import Facts, RiskLevel

CACHE = Path(__file__).resolve().parent / ".cache"
AREA = "610113001001"
CHANGED_AREA = "610113"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FIXTURE_VERSION = 2  # 2: colours in person_colours (migration 0010)


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


def _clock() -> datetime:
    return NOW


def _worker(url: str, jobs: Queue[str], ready: Queue[int], owner: str) -> None:
    """A worker process: ready once imported and connected, then works the job it is given."""
    engine = make_engine(url)
    sessions = make_sessions(engine)
    with engine.connect():
        pass
    ready.put(1)
    changes.run_job(sessions, jobs.get(), _clock, owner=owner)
    engine.dispose()


def recompute(url: str, profile: bool = False, workers: int = 1) -> tuple[float, int]:
    """The time to queue and work the recompute, in this process (1 worker) or in `workers`
    processes sharing its partitions (started and connected before the clock starts)."""
    engine = make_engine(url)
    sessions = make_sessions(engine)
    context = multiprocessing.get_context("spawn")
    jobs: Queue[str] = context.Queue()
    ready: Queue[int] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(url, jobs, ready, f"bench-{n}"))
        for n in range(workers if workers > 1 else 0)
    ]
    for process in processes:
        process.start()
    for _process in processes:
        ready.get(timeout=120)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    job_id = changes.set_area_risk(sessions, CHANGED_AREA, RiskLevel.HIGH, NOW, actor="bench")
    if processes:
        for _process in processes:
            jobs.put(job_id)
        for process in processes:
            process.join()
    else:
        changes.run_job(sessions, job_id, _clock, owner="bench")  # the service's batch size
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


def recompute_postgres(
    people: int, base: str, profile: bool = False, workers: int = 1
) -> tuple[float, int]:
    rows = _csv_fixture(sqlite_fixture(people))
    with throwaway_database(base, "bench_issuance") as url:
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
        return recompute(url, profile, workers)
