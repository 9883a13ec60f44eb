"""Recompute jobs (issue 28): queued by an area's risk change or a national list, split into
partitions that any number of worker processes work at once.

A `recompute_jobs` row holds a job; its work is split into partitions (central/core/partitions.py,
run "recompute:<job id>"): ranges of the job's (area code, person id) keys of about
`PARTITION_SIZE` each, cut where the keys fall (a big county, or one village of a million
people, is split by person id within it). The partitions are planned when the job is queued
(`set_area_risk`), or by the first worker to take the job's own lease (a national list's job).
Whoever holds a partition's lease works a batch (`central.issuance.recompute`) in one
transaction that also advances the partition's cursor, so a crash loses at most one batch's
work, which the next holder redoes once the lease lapses. The job is done, with its counts
summed, when every partition is; the outcome is the serial one's (the same people, the same
colours; only the order of the feed entries between partitions may differ).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from central.core import partitions
from central.core.models import AreaRisk, PersonArea, RecomputeJob, WorkPartition
from central.core.regions import prefix_of
from central.issuance.recompute import (
    _ABOVE_EVERY_CODE,
    BATCH_SIZE,
    _large_reads,
    _next_rows,
    _prefixes,
    _upper,
    reassess,
)
from central.issuance.rules import RiskLevel
from central.issuance.transactions import retrying

PARTITION_SIZE = 50_000
LEASE = timedelta(minutes=2)  # the job's own lease: while its partitions are planned


def set_area_risk(
    sessions: sessionmaker[Session],
    area_code: str,
    level: RiskLevel,
    now: datetime,
    *,
    actor: str,
    partition_size: int = PARTITION_SIZE,
) -> str:
    """Store the level and queue the recomputation of everyone it may affect, in partitions
    of about `partition_size` people; the job id."""

    def work(session: Session) -> str:
        risk = session.get(AreaRisk, area_code)
        if risk is None:
            session.add(
                AreaRisk(area_code=area_code, level=level.value, changed_at=now, changed_by=actor)
            )
        else:
            risk.level, risk.changed_at, risk.changed_by = level.value, now, actor
        job = RecomputeJob(
            area_code=area_code,
            reason=f"area_risk:{area_code}:{level.value}",
            status="pending",
            cursor="",
            processed=0,
            changed=0,
            total=0,
            created_by=actor,
            created_at=now,
        )
        session.add(job)
        session.flush()
        job.total = plan(session, job, partition_size)
        return job.id

    return retrying(sessions, work)


def worker_name() -> str:
    return f"{socket.gethostname()}:{id(object())}"


def _claim(session: Session, job_id: str, owner: str, now: datetime) -> RecomputeJob | None:
    """Take or renew the lease (the first write, so it also takes SQLite's write lock)."""
    claimed = session.execute(
        update(RecomputeJob)
        .where(
            RecomputeJob.id == job_id,
            RecomputeJob.status != "done",
            or_(
                RecomputeJob.lease_owner.is_(None),
                RecomputeJob.lease_owner == owner,
                RecomputeJob.lease_until < now,
            ),
        )
        .values(lease_owner=owner, lease_until=now + LEASE, status="running")
        .returning(RecomputeJob.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if claimed is None else session.get(RecomputeJob, job_id, populate_existing=True)


def run_name(job_id: str) -> str:
    return f"recompute:{job_id}"


def _boundary_keys() -> Any:
    """Every `size`-th (area, person) key of one area range, counted on from `offset`."""
    numbered = (
        select(
            PersonArea.area_code,
            PersonArea.person_id,
            func.row_number()
            .over(order_by=(PersonArea.area_code, PersonArea.person_id))
            .label("n"),
        )
        .where(PersonArea.area_code >= bindparam("low"), PersonArea.area_code < bindparam("high"))
        .subquery()
    )
    return select(numbered.c.area_code, numbered.c.person_id).where(
        (numbered.c.n + bindparam("offset", type_=Integer)) % bindparam("size", type_=Integer) == 0
    )


def plan(session: Session, job: RecomputeJob, size: int = PARTITION_SIZE) -> int:
    """Split the job's keys into partitions of about `size` keys (one read of each area range's
    primary-key index); how many keys the job covers."""
    connection = session.connection()
    total = 0
    cuts: list[str] = []
    for prefix in _job_prefixes(job):
        bounds = {"low": prefix, "high": _upper(prefix) or _ABOVE_EVERY_CODE}
        count = connection.execute(
            select(func.count())
            .select_from(PersonArea)
            .where(
                PersonArea.area_code >= bindparam("low"), PersonArea.area_code < bindparam("high")
            ),
            bounds,
        ).scalar_one()
        if count and (total % size) + count >= size:
            keys = connection.execute(
                _boundary_keys(), {**bounds, "offset": total % size, "size": size}
            )
            cuts += [f"{area}|{person}" for area, person in keys]
        total += int(count)
    if cuts and total % size == 0:
        cuts.pop()  # the last key of all: no empty partition after it
    lows, highs = ["", *cuts], [*cuts, ""]
    partitions.create_run(session, run_name(job.id), list(zip(lows, highs, strict=True)))
    return total


def _job_prefixes(job: RecomputeJob) -> list[str]:
    return _prefixes(job.areas) if job.areas else [prefix_of(job.area_code)]


def _planned(
    sessions: sessionmaker[Session], job_id: str, owner: str, clock: Callable[[], datetime]
) -> bool:
    """Whether the job's partitions exist, planning them under the job's lease if not (False:
    the job is done, or another worker is planning it)."""

    def work(session: Session) -> bool:
        if partitions.has_run(session, run_name(job_id)):
            return True
        job = _claim(session, job_id, owner, clock())
        if job is None:
            return False
        if not partitions.has_run(session, run_name(job_id)):
            total = plan(session, job)
            job.total = job.total or total
        job.lease_owner, job.lease_until = None, None
        return True

    # Run again when SQLite refused to turn the first read into a write (another process
    # wrote in between), or another process planned the same job at the same moment.
    return retrying(sessions, work)


def _step(sessions: sessionmaker[Session], job_id: str, batch_size: int) -> partitions.Step:
    """A batch of one of the job's partitions, from its cursor up to its upper bound."""
    with sessions() as session:
        job = session.get_one(RecomputeJob, job_id)
        prefixes, reason, actor = _job_prefixes(job), job.reason, job.created_by or "system"

    def step(session: Session, partition: WorkPartition, now: datetime) -> bool:
        _large_reads(session)
        area, _, after = partition.cursor.partition("|")
        end_area, _, end_after = partition.high.partition("|")
        end = (end_area, end_after) if partition.high else (_ABOVE_EVERY_CODE, "")
        keys, rows = _next_rows(session, prefixes, area, after, batch_size, end)
        seen: set[str] = set()
        people = []
        for row in rows:  # someone who lives and travelled inside the area appears twice
            if row[1] not in seen:
                seen.add(row[1])
                people.append(tuple(row[1:]))
        partition.changed += reassess(session, people, now, reason, actor)
        partition.processed += len(rows)
        if len(keys) == batch_size:
            partition.cursor = f"{keys[-1][0]}|{keys[-1][1]}"
            return True
        return False

    return step


def _finish(sessions: sessionmaker[Session], job_id: str, now: datetime) -> None:
    """Sum the partitions' counts into the job (its progress, as each partition ends), and
    mark it done when every partition is. The
    job's row is locked first: of two workers ending the last partitions at once, the later
    sees both done."""
    with sessions() as session, session.begin():
        locked = session.execute(
            update(RecomputeJob)
            .where(RecomputeJob.id == job_id, RecomputeJob.status != "done")
            .values(status="running")
            .returning(RecomputeJob.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if locked is None:
            return
        progress = partitions.progress(session, run_name(job_id))
        job = session.get_one(RecomputeJob, job_id, populate_existing=True)
        job.processed, job.changed = progress.processed, progress.changed
        if progress.complete:
            job.status, job.finished_at, job.lease_owner, job.cursor = "done", now, None, ""


def run_batch(
    sessions: sessionmaker[Session],
    job_id: str,
    owner: str,
    clock: Callable[[], datetime],
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Work one batch of one of the job's partitions; False when the job is done or every
    partition left is held by other workers."""
    if not _planned(sessions, job_id, owner, clock):
        return False
    run = run_name(job_id)
    partition = partitions.claim(sessions, run, owner, clock())
    if partition is None:
        _finish(sessions, job_id, clock())
        return False
    step = _step(sessions, job_id, batch_size)
    if partitions.work_step(sessions, run, partition, owner, clock, step) is False:
        _finish(sessions, job_id, clock())
    return True


def run_job(
    sessions: sessionmaker[Session],
    job_id: str,
    clock: Callable[[], datetime],
    owner: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Work the job's partitions until none is left to claim (others may still be worked by
    other workers, who finish the job), then sum its counts. Run it in any number of processes
    at once: each takes its own partitions."""
    me = owner or worker_name()
    if not _planned(sessions, job_id, me, clock):
        return
    partitions.work_run(
        sessions,
        run_name(job_id),
        me,
        clock,
        _step(sessions, job_id, batch_size),
        after_partition=lambda: _finish(sessions, job_id, clock()),  # the progress shown
    )
    _finish(sessions, job_id, clock())


def run_pending(
    sessions: sessionmaker[Session], clock: Callable[[], datetime], owner: str | None = None
) -> int:
    """Work every job not done whose lease is free or lapsed; how many were worked."""
    with sessions() as session:
        now = clock()
        job_ids = list(
            session.scalars(
                select(RecomputeJob.id)
                .where(
                    RecomputeJob.status != "done",
                    or_(RecomputeJob.lease_owner.is_(None), RecomputeJob.lease_until < now),
                )
                .order_by(RecomputeJob.created_at)
            )
        )
    for job_id in job_ids:
        run_job(sessions, job_id, clock, owner)
    return len(job_ids)
