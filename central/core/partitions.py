"""Partitioned work (issue 28): a run split into partitions that worker processes claim through
leases in the database, so more processes (or machines) finish a run sooner.

A run is a name ("recompute:<job id>") and its rows in `work_partitions`: each with the bounds
of its keys, a cursor, who holds it until when, and whether it is done. A worker claims a
partition nobody holds (or whose holder's lease lapsed: a holder that died is taken over once
`LEASE` has passed) and works it step by step, each step one transaction that first renews the
lease with a conditional UPDATE (a worker that lost its lease stops) and advances the cursor, so
a crash loses at most one step, which the next holder redoes. The run is complete when every
partition is done.

PostgreSQL: the claim reads `... FOR UPDATE SKIP LOCKED`, so workers claiming at once take
different partitions without waiting for each other. SQLite has one writer: the same code path,
where one process in practice works every partition in turn (the clause is not rendered there;
the claim's conditional UPDATE keeps two processes from holding one partition).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased, sessionmaker

from central.core.models import WorkPartition

LEASE = timedelta(minutes=2)
RETRIES = 8
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    partitions: int
    done: int
    processed: int
    changed: int

    @property
    def complete(self) -> bool:
        return self.partitions > 0 and self.done == self.partitions


def create_run(session: Session, run: str, bounds: Sequence[tuple[str, str]]) -> None:
    """Add the run's partitions: (low, high) key bounds, exclusive and inclusive ("" open)."""
    session.execute(
        insert(WorkPartition),
        [
            {
                "run": run,
                "partition": index,
                "low": low,
                "high": high,
                "cursor": low,
                "holder": None,
                "lease_until": None,
                "done": False,
                "processed": 0,
                "changed": 0,
            }
            for index, (low, high) in enumerate(bounds)
        ],
    )


def has_run(session: Session, run: str) -> bool:
    found = select(WorkPartition.partition).where(WorkPartition.run == run).limit(1)
    return session.scalar(found) is not None


def progress(session: Session, run: str) -> Progress:
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((WorkPartition.done.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(WorkPartition.processed), 0),
            func.coalesce(func.sum(WorkPartition.changed), 0),
        ).where(WorkPartition.run == run)
    ).one()
    return Progress(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def _claimable(run: str, holder: str, now: datetime, table: Any = WorkPartition) -> list[Any]:
    return [
        table.run == run,
        table.done.is_(False),
        or_(table.holder.is_(None), table.holder == holder, table.lease_until < now),
    ]


def claim(sessions: sessionmaker[Session], run: str, holder: str, now: datetime) -> int | None:
    """Take a partition of the run nobody else holds (or whose lease lapsed; one this worker
    already holds comes first); its number, or None when every partition is done or held.

    One statement, a write from its start (SQLite's write lock at once, never a read turned
    into a write): the UPDATE of the row its subquery picks, which on PostgreSQL locks the row
    it picks and skips the rows other claims have locked meanwhile."""
    candidate = aliased(WorkPartition)
    picked = (
        select(candidate.partition)
        .where(*_claimable(run, holder, now, candidate))
        .order_by(case((candidate.holder == holder, 0), else_=1), candidate.partition)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    with sessions() as session, session.begin():
        taken = session.execute(
            update(WorkPartition)
            .where(WorkPartition.run == run, WorkPartition.partition == picked)
            .values(holder=holder, lease_until=now + LEASE)
            .returning(WorkPartition.partition)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
    return None if taken is None else int(taken)


# A step: given the session (in its transaction) and the partition's row (lease renewed), work
# a part, move `cursor` and add to `processed`/`changed`; True while there is more to do.
Step = Callable[[Session, WorkPartition, datetime], bool]


def work_step(
    sessions: sessionmaker[Session],
    run: str,
    partition: int,
    holder: str,
    clock: Callable[[], datetime],
    step: Step,
) -> bool | None:
    """One step of a claimed partition in one transaction: True while more is left, False when
    the partition is done, None when the lease was lost to another worker (nothing done). A
    step that two workers' writes deadlocked (PostgreSQL picks one to fail) is run again."""
    for attempt in range(RETRIES):
        try:
            return _step_once(sessions, run, partition, holder, clock, step)
        except OperationalError as error:
            if attempt == RETRIES - 1:
                raise
            log.debug("a step of %s failed (%s): again", run, type(error).__name__)
    raise AssertionError("unreachable")


def _step_once(
    sessions: sessionmaker[Session],
    run: str,
    partition: int,
    holder: str,
    clock: Callable[[], datetime],
    step: Step,
) -> bool | None:
    with sessions() as session, session.begin():
        now = clock()
        renewed = session.execute(
            update(WorkPartition)
            .where(
                WorkPartition.run == run,
                WorkPartition.partition == partition,
                WorkPartition.holder == holder,
                WorkPartition.done.is_(False),
            )
            .values(lease_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if not renewed.rowcount:  # type: ignore[attr-defined]
            return None
        row = session.get_one(WorkPartition, (run, partition), populate_existing=True)
        if step(session, row, now):
            return True
        row.done, row.holder, row.lease_until = True, None, None
        return False


def work_run(
    sessions: sessionmaker[Session],
    run: str,
    holder: str,
    clock: Callable[[], datetime],
    step: Step,
    after_partition: Callable[[], None] | None = None,
) -> int:
    """Claim and work partitions of the run until none is left to claim (calling
    `after_partition` after each); how many this worker finished. Run it in any number of
    processes at once."""
    finished = 0
    while (partition := claim(sessions, run, holder, clock())) is not None:
        while (more := work_step(sessions, run, partition, holder, clock, step)) is True:
            pass
        finished += more is False
        if after_partition is not None:
            after_partition()
    return finished
