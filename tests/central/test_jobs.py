"""The periodic job runner (central/jobs.py): `central jobs run-once`, the lease that lets any
number of processes run it, and the background thread of `central serve`."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from central import cli, jobs
from central.core.clock import system_clock
from central.core.db import make_engine, make_sessions, session_scope
from central.core.models import (
    Person,
    PersonArea,
    RecomputeJob,
    StatusFeedEntry,
    insert_people,
    new_id,
)
from central.core.settings import Settings
from central.issuance import changes, feed
from central.issuance.rules import Facts, RiskLevel
from tests.central.conftest import Central
from tests.central.test_server_process import (
    COMMAND_TIMEOUT_S,
    _environment,
    _free_port,
    _run,
    _wait_until_ready,
)

ISSUER = "610000"
SERVE_TIMEOUT_S = 60.0


def _people(
    sessions: sessionmaker[Session], count: int, area: str, now: datetime, colour: str = "green"
) -> list[str]:
    """Many people at once, straight into the tables (declarations are tested elsewhere)."""
    facts = Facts(residence=area).to_json()
    people, areas = [], []
    for _ in range(count):
        person_id = new_id()
        people.append(
            {
                "id": person_id,
                "issuer": ISSUER,
                "id_ix": secrets.token_bytes(16),
                "name_enc": b"x",
                "id_number_enc": b"x",
                "id_type": "resident_id",
                "holder": "self",
                "residence_area": area,
                "ruleset": "shaanxi",
                "facts": facts,
                "code_id": secrets.token_bytes(16),
                "code_ix": secrets.token_bytes(16),
                "code_kind": "app",
                "colour": colour,
                "colour_seq": 1,
                "colour_reason": "declaration",
                "lock_version": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
        areas.append({"area_code": area, "person_id": person_id})
    with session_scope(sessions) as session:
        insert_people(session, people)
        session.execute(insert(PersonArea), areas)
    return [p["id"] for p in people]


def _jobs(sessions: sessionmaker[Session]) -> list[tuple[str, int, int, int]]:
    with session_scope(sessions) as session:
        rows = session.scalars(select(RecomputeJob).order_by(RecomputeJob.created_at))
        return [(j.status, j.processed, j.changed, j.total) for j in rows]


def _feed_is_one_entry_per_change(sessions: sessionmaker[Session], expected: int) -> None:
    with session_scope(sessions) as session:
        entries = session.execute(select(StatusFeedEntry.code_id, StatusFeedEntry.colour_seq)).all()
        assert feed.last_sequence(session) == expected
    assert len(entries) == expected
    assert max(Counter(tuple(e) for e in entries).values()) == 1


def _in_parallel(*work: Callable[[], object]) -> list[object]:
    """Start the callables together (a barrier) on threads; their results in order."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work[index]()
        except BaseException as error:  # re-raised below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SERVE_TIMEOUT_S)
    if errors:
        raise errors[0]
    return results


def test_two_runners_on_one_database_never_work_the_same_job_twice(central: Central) -> None:
    sessions, clock = central.app.state.sessions, central.clock
    _people(sessions, 2100, "610113001001", clock())  # two batches of 2,000 each
    _people(sessions, 2100, "610102001001", clock())
    for area in ("610113", "610102"):
        changes.set_area_risk(sessions, area, RiskLevel.HIGH, clock(), actor="t")
    engines = [make_engine(central.settings.resolved_database_url) for _ in range(2)]
    try:
        runners = [make_sessions(engine) for engine in engines]
        results = _in_parallel(
            lambda: jobs.run_once(runners[0], clock, owner="runner-a"),
            lambda: jobs.run_once(runners[1], clock, owner="runner-b"),
        )
        # The job leases alone, without the runner's: still each batch once.
        changes.set_area_risk(sessions, "610113", RiskLevel.LOW, clock(), actor="t")
        changes.set_area_risk(sessions, "610102", RiskLevel.LOW, clock(), actor="t")
        _in_parallel(
            lambda: changes.run_pending(runners[0], clock, "runner-a"),
            lambda: changes.run_pending(runners[1], clock, "runner-b"),
        )
    finally:
        for engine in engines:
            engine.dispose()
    ran = [r for r in results if isinstance(r, jobs.RunResult) and r.ran]
    assert sum(r.jobs for r in ran) == 2
    assert _jobs(sessions) == [("done", 2100, 2100, 2100)] * 4
    _feed_is_one_entry_per_change(sessions, 4 * 2100)


def test_a_held_lease_makes_other_runners_skip_until_it_lapses(central: Central) -> None:
    sessions, clock = central.app.state.sessions, central.clock
    assert jobs.take_lease(sessions, "runner-a", clock(), timedelta(0))
    assert jobs.run_once(sessions, clock, owner="runner-b") == jobs.RunResult(ran=False)
    clock.advance(seconds=jobs.LEASE.total_seconds() + 1)  # runner-a died holding it
    assert jobs.run_once(sessions, clock, owner="runner-b").ran
    # Run a moment ago by runner-b: a periodic runner waits for its interval.
    interval = timedelta(seconds=60)
    assert not jobs.run_once(sessions, clock, owner="runner-c", min_interval=interval).ran
    clock.advance(seconds=61)
    assert jobs.run_once(sessions, clock, owner="runner-c", min_interval=interval).ran


def test_run_once_on_the_command_line_works_pending_jobs_and_the_colour_sweep(
    central: Central,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sessions = central.app.state.sessions
    now = system_clock()  # the command runs on the real clock
    _people(sessions, 30, "610113001001", now)
    changes.set_area_risk(sessions, "610113", RiskLevel.HIGH, now, actor="t")
    # Red until a moment ago by a rule's time window: the sweep finds it due.
    due = _people(sessions, 1, "610102001001", now, colour="red")
    with session_scope(sessions) as session:
        session.execute(
            update(Person.colours_table)
            .where(Person.colours_table.c.person_id.in_(due))
            .values(review_at=now - timedelta(minutes=1))
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CENTRAL_DATABASE_URL", database_url)
    data_dir = str(central.settings.data_dir)
    assert cli.main(["--data-dir", data_dir, "jobs", "run-once"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["ran"], first["jobs"], first["swept"]) == (True, 1, 1)
    assert _jobs(sessions) == [("done", 30, 30, 30)]
    with session_scope(sessions) as session:
        assert session.scalar(select(Person.colour).where(Person.id == due[0])) == "green"
    assert cli.main(["--data-dir", data_dir, "jobs", "run-once"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["ran"], again["jobs"], again["swept"], again["pushes"]) == (True, 0, 0, [])


def test_the_interval_setting_defaults_to_a_minute_and_zero_leaves_the_app_as_it_is(
    central: Central, tmp_path: Path
) -> None:
    assert Settings(data_dir=tmp_path, _env_file=None).jobs_interval_s == 60  # type: ignore[call-arg]
    lifespan = central.app.router.lifespan_context
    assert jobs.with_job_runner(central.app, 0) is central.app
    assert central.app.router.lifespan_context is lifespan


def test_central_serve_works_a_queued_job_in_the_background(
    tmp_path: Path, database_url: str
) -> None:
    folder = tmp_path / "central"
    folder.mkdir()
    env = _environment(database_url) | {"CENTRAL_JOBS_INTERVAL_S": "1"}
    _run(["central", "init"], folder, env)
    settings = Settings(data_dir=folder, _env_file=None)  # type: ignore[call-arg]
    url = database_url if not database_url.startswith("sqlite") else None
    engine = make_engine(url or settings.resolved_database_url)
    sessions = make_sessions(engine)
    port = _free_port()
    process: subprocess.Popen[bytes] | None = None
    try:
        _people(sessions, 50, "610113001001", system_clock())
        changes.set_area_risk(sessions, "610113", RiskLevel.HIGH, system_clock(), actor="t")
        process = subprocess.Popen(
            [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_until_ready(process, f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while _jobs(sessions) != [("done", 50, 50, 50)]:
            assert time.monotonic() < deadline, f"the job was not worked: {_jobs(sessions)}"
            try:  # the pause between polls waits on the server (it must not exit)
                process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"the server exited with {process.returncode}")
        with session_scope(sessions) as session:
            assert set(session.scalars(select(Person.colour))) == {"red"}
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=COMMAND_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
        engine.dispose()
