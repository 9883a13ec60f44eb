"""Partitioned work (issue 28, central/core/partitions.py): a recompute split into partitions
that several workers claim through leases gives the serial outcome; a partition whose holder
died is taken over once its lease lapses; on PostgreSQL workers hold partitions at once; the
daily push written in hourly parts is the single writer's file."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from central.core import partitions
from central.core.db import make_engine, make_sessions, session_scope
from central.core.models import AreaRisk, Person, RecomputeJob, StatusFeedEntry, WorkPartition
from central.issuance import changes, feed, recompute_jobs
from central.issuance.rules import RiskLevel
from central.jobs import run_once
from central.reports import daily_parts, pushes
from tests.central.conftest import Central, FakeClock
from tests.central.test_colour_changes import _world
from tests.central.test_jobs import _in_parallel, _people
from tests.central.test_reports import DAY, EXPECTED, _a_day_of_passages, _runner

SEPARATE_PROCESSES = 3  # workers, each with its own engine (its own connections)


def _outcome(sessions: sessionmaker[Session], after: int) -> tuple[dict[str, Any], Counter[Any]]:
    """Everyone's colour, sequence and review time; the feed entries after `after`."""
    with session_scope(sessions) as session:
        people = {
            row[0]: tuple(row[1:])
            for row in session.execute(
                select(Person.id, Person.colour, Person.colour_seq, Person.review_at)
            )
        }
        entries = Counter(
            tuple(row)
            for row in session.execute(
                select(
                    StatusFeedEntry.code_id,
                    StatusFeedEntry.colour,
                    StatusFeedEntry.colour_seq,
                    StatusFeedEntry.reason,
                ).where(StatusFeedEntry.sequence > after)
            )
        )
    return people, entries


def _rewind(sessions: sessionmaker[Session], colours: list[dict[str, Any]], head: int) -> None:
    """Put the colours and the feed back as they were before a recompute."""
    with session_scope(sessions) as session:
        session.execute(text("DELETE FROM status_feed WHERE sequence > :head"), {"head": head})
        session.execute(text("UPDATE feed_head SET last_sequence = :head"), {"head": head})
        session.execute(
            text(
                "UPDATE person_colours SET colour = :colour, colour_seq = :colour_seq, "
                "colour_reason = :colour_reason, review_at = :review_at "
                "WHERE person_id = :person_id"
            ),
            colours,
        )


def _workers(central: Central, count: int, work: Any) -> None:
    """`work(sessions, owner)` in `count` workers at once, each with its own engine."""
    engines = [make_engine(central.settings.resolved_database_url) for _ in range(count)]
    try:
        runners = [make_sessions(engine) for engine in engines]
        _in_parallel(
            *(
                (lambda s=s, n=n: work(s, f"worker-{n}"))  # type: ignore[misc]
                for n, s in enumerate(runners)
            )
        )
    finally:
        for engine in engines:
            engine.dispose()


def test_a_recompute_split_among_workers_gives_everyone_the_serial_outcome(
    central: Central,
) -> None:
    sessions, clock = central.app.state.sessions, central.clock
    _world(central)  # residents, travellers, cases, other rule sets in and around the area
    _people(sessions, 160, "610113001001", clock())
    _people(sessions, 90, "610113002001", clock())
    _people(sessions, 40, "610102001001", clock())
    with session_scope(sessions) as session:
        before = [
            dict(row._mapping)
            for row in session.execute(
                text(
                    "SELECT person_id, colour, colour_seq, colour_reason, review_at "
                    "FROM person_colours"
                )
            )
        ]
        head = feed.last_sequence(session)

    serial = changes.set_area_risk(
        sessions, "610113", RiskLevel.HIGH, clock(), actor="t", partition_size=10**9
    )
    changes.run_job(sessions, serial, clock, owner="alone", batch_size=50)
    serial_people, serial_feed = _outcome(sessions, head)

    _rewind(sessions, before, head)
    split = changes.set_area_risk(
        sessions, "610113", RiskLevel.HIGH, clock(), actor="t", partition_size=37
    )
    _workers(
        central,
        SEPARATE_PROCESSES,
        lambda runner, owner: changes.run_job(runner, split, clock, owner=owner, batch_size=11),
    )
    split_people, split_feed = _outcome(sessions, head)

    with session_scope(sessions) as session:
        jobs = {
            job.id: (job.status, job.processed, job.changed, job.total)
            for job in session.scalars(select(RecomputeJob))
        }
        planned = partitions.progress(session, recompute_jobs.run_name(split))
    print(f"{planned.partitions} partitions, {sum(serial_feed.values())} colour changes")
    assert planned.partitions >= 8 and planned.complete
    assert jobs[split] == jobs[serial] and jobs[split][0] == "done"
    assert split_people == serial_people
    assert split_feed == serial_feed and sum(split_feed.values()) > 250


def test_a_list_of_many_areas_split_into_partitions_changes_everyone_in_them(
    central: Central,
) -> None:
    sessions, clock = central.app.state.sessions, central.clock
    areas = ["610102001001", "610113001001", "610113002001", "610116001001"]
    for area in areas:
        _people(sessions, 25, area, clock())
    with session_scope(sessions) as session:
        for area in ("610102", "610113", "610116"):
            session.add(AreaRisk(area_code=area, level="high", changed_at=clock()))
        job = RecomputeJob(
            area_code="", areas=["610102", "610113", "610116"], reason="national_risk:1",
            status="pending", cursor="", processed=0, changed=0, total=0, created_at=clock(),
        )  # fmt: skip
        session.add(job)
        session.flush()
        job_id = job.id
        assert recompute_jobs.plan(session, job, size=30) == 100
    changes.run_job(sessions, job_id, clock, owner="worker", batch_size=7)
    with session_scope(sessions) as session:
        done = session.get_one(RecomputeJob, job_id)
        assert (done.status, done.processed, done.changed) == ("done", 100, 100)
        assert set(session.scalars(select(Person.colour))) == {"red"}
        assert partitions.progress(session, recompute_jobs.run_name(job_id)).partitions == 4


def test_a_partition_whose_worker_died_is_taken_over_once_its_lease_lapses(
    central: Central,
) -> None:
    sessions, clock = central.app.state.sessions, central.clock
    _people(sessions, 120, "610113001001", clock())
    job_id = changes.set_area_risk(
        sessions, "610113", RiskLevel.HIGH, clock(), actor="t", partition_size=40
    )
    assert changes.run_batch(sessions, job_id, "dies", clock, batch_size=10)  # then it dies
    changes.run_job(sessions, job_id, clock, owner="lives", batch_size=10)
    with session_scope(sessions) as session:
        job = session.get_one(RecomputeJob, job_id)
        # 80 by the living worker, 10 by the dead one, whose other 30 wait behind its lease
        assert job.status != "done" and job.changed == 90
    clock.advance(seconds=partitions.LEASE.total_seconds() + 1)
    assert changes.run_pending(sessions, clock, "lives") == 1
    with session_scope(sessions) as session:
        job = session.get_one(RecomputeJob, job_id)
        assert (job.status, job.processed, job.changed) == ("done", 120, 120)
        assert set(session.scalars(select(Person.colour))) == {"red"}
        entries = session.execute(select(StatusFeedEntry.code_id)).scalars().all()
    assert len(entries) == len(set(entries)) == 120  # the dead one's batch was not redone


def test_on_postgresql_two_workers_hold_two_partitions_at_once(
    central: Central,
) -> None:
    sessions, clock = central.app.state.sessions, central.clock
    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: one worker works the partitions in turn")
    with session_scope(sessions) as session:
        partitions.create_run(session, "test", [("", "b"), ("b", "d"), ("d", "")])
    both_hold = threading.Barrier(2, timeout=30)
    worked: list[tuple[str, int]] = []

    def step(session: Session, partition: WorkPartition, now: datetime) -> bool:
        if partition.cursor == partition.low:
            worked.append((partition.holder or "", partition.partition))
            if len(worked) <= 2:
                both_hold.wait()  # both inside a step's transaction, each holding its own row
        partition.cursor = "end"
        partition.processed += 1
        return False

    _workers(
        central, 2, lambda runner, owner: partitions.work_run(runner, "test", owner, clock, step)
    )
    assert sorted(p for _, p in worked) == [0, 1, 2]
    assert len({holder for holder, _ in worked[:2]}) == 2
    with session_scope(sessions) as session:
        assert partitions.progress(session, "test") == partitions.Progress(3, 3, 3, 0)
        assert all(row.holder is None for row in session.scalars(select(WorkPartition)))


def test_the_daily_push_written_in_hourly_parts_by_several_workers_is_the_single_file(
    central: Central, tmp_path: Path
) -> None:
    _a_day_of_passages(central)
    work, _ = _runner(central, tmp_path)
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    sessions = central.app.state.sessions
    daily_parts.plan(sessions, DAY)
    with session_scope(sessions) as session:  # a worker that dies writing 08:00-09:00
        session.execute(
            update(WorkPartition)
            .where(WorkPartition.run == daily_parts.run_name(DAY), WorkPartition.partition == 8)
            .values(holder="dies", lease_until=clock() + partitions.LEASE)
        )
    assert pushes.help_with_daily_parts(sessions, work.settings, clock) == 1  # the other hours
    first = run_once(sessions, clock, owner="runner", reports=work)
    assert "daily:2026-11-22" not in first.pushes  # waits for the held hour
    clock.advance(seconds=partitions.LEASE.total_seconds() + 1)
    again = run_once(sessions, clock, owner="runner", reports=work)
    assert "daily:2026-11-22" in again.pushes
    made = tmp_path / "push" / "passages-2026-11-22.csv"
    assert made.read_bytes() == EXPECTED.read_bytes()  # the single writer's file, byte for byte
    assert not daily_parts.parts_folder(made.parent, DAY).exists()
