"""Periodic background work: recompute jobs still pending, and the time-based colour sweep.

`run_once` takes the "periodic" row of `job_leases` with one conditional UPDATE (the first
write of its transaction: SQLite's write lock, PostgreSQL's row lock), works what is due
(`changes.run_pending`: area-risk recompute jobs not done whose own lease is free or lapsed;
`changes.sweep_due`: people whose colour may have changed by time alone; stale failed-login
counts, `admins.forget_stale_login_failures`; expired request nonces,
`kiosk_auth.forget_spent_nonces`; the colour counters' rows folded,
`area_colours.fold`), then releases the
row with the time it ran. A process that finds the lease held, or the work run by another
process within `min_interval`, skips its turn. Nothing assumes one process: the lease spares
duplicate effort, and correctness does not even rest on it, because each recompute job keeps
its own lease per batch and the sweep re-reads the rows it locks; a runner that dies holding
the lease holds it only until `LEASE` has passed.

With `ReportWork` (issue 14) the same run, under the same lease, also works the queued exports
(central/reports/exports.py), deletes expired export files, and makes and delivers the
scheduled pushes (central/reports/pushes.py: the daily push at 10:00 Asia/Shanghai, the weekly
statistics on Mondays), polls the national list of risk areas when `national_risk_url` is
set (central/issuance/national_cli.py; its recompute job is worked in the same run), and
resends the tip-offs' SMS the provider did not take (central/tipoffs/resend.py). With the
settings it also keeps the passages' monthly partitions (central/kiosks/passage_months.py: the
months ahead made, the months past `record_max_age_days` dropped, issue 28), and builds the
status feed's snapshot file once the feed's head has moved (central/issuance/feed_files.py), so
the first kiosk to ask after a recompute finds it ready instead of waiting for the build.

Recompute jobs and the daily push are split into partitions (issue 28, central/core/partitions.py,
central/reports/daily_parts.py): a process that finds the lease held still works their
partitions not held by anyone, so every process of a deployment helps with a province-wide
recompute and the day's push file.

`central jobs run-once` runs it once (cron, or by hand); `central serve` starts a `JobRunner`
thread that runs it every `jobs_interval_s` seconds (settings; 0 disables).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.core.admins import forget_stale_login_failures
from central.core.cipher import record_cipher
from central.core.db import session_scope
from central.core.kiosk_auth import forget_spent_nonces
from central.core.models import JobLease
from central.core.settings import Settings
from central.issuance import area_colours, changes
from central.issuance.feed_files import current_snapshot
from central.issuance.national_cli import poll as poll_national_list
from central.issuance.scene_events import apply_scene_records
from central.kiosks import passage_months
from central.kiosks.bundle import Publisher
from central.reports.exports import purge_expired_exports, run_due_exports
from central.reports.pushes import help_with_daily_parts, run_pushes
from central.tipoffs.resend import resend_due

log = logging.getLogger(__name__)
LEASE_NAME = "periodic"
LEASE = timedelta(minutes=10)
STOP_TIMEOUT_S = 30.0
PUSH_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class RunResult:
    ran: bool  # False: another process holds the lease, or ran the work moments ago
    jobs: int = 0  # recompute jobs worked
    swept: int = 0  # colour changes made by the time-based sweep
    exports: int = 0  # exports worked
    pushes: tuple[str, ...] = ()  # pushes made ("daily:2026-11-22", "weekly:2026-W47")
    delivered: tuple[str, ...] = ()  # pushes accepted by the upper platform
    failed: tuple[str, ...] = ()  # pushes not accepted (tried again next run)


@dataclass(frozen=True)
class ReportWork:
    """Exports and scheduled pushes: the settings, the upper platform's client (when
    `settings.push_url` is set) and how to pause between its tries."""

    settings: Settings
    client: httpx.Client | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)
    # The SMS sender the tip-offs' resends go through (central.tipoffs.resend); None: no resend.
    notices: object | None = None


def take_lease(
    sessions: sessionmaker[Session], owner: str, now: datetime, min_interval: timedelta
) -> bool:
    """Take the lease when it is free (or lapsed) and the work was not run within
    `min_interval`; False otherwise. The row is created on first use."""
    for _attempt in range(3):
        try:
            with sessions() as session, session.begin():
                taken = session.execute(
                    update(JobLease)
                    .where(
                        JobLease.name == LEASE_NAME,
                        or_(
                            JobLease.owner.is_(None),
                            JobLease.owner == owner,
                            JobLease.lease_until < now,
                        ),
                        or_(
                            JobLease.last_run_at.is_(None),
                            JobLease.last_run_at <= now - min_interval,
                        ),
                    )
                    .values(owner=owner, lease_until=now + LEASE)
                    .returning(JobLease.name)
                    .execution_options(synchronize_session=False)
                ).scalar_one_or_none()
                if taken is not None:
                    return True
                if session.get(JobLease, LEASE_NAME) is not None:
                    return False
                session.add(JobLease(name=LEASE_NAME, owner=owner, lease_until=now + LEASE))
                return True
        except IntegrityError:
            continue  # another process created the row first: try its lease
    return False


def release_lease(sessions: sessionmaker[Session], owner: str, now: datetime) -> None:
    with sessions() as session, session.begin():
        session.execute(
            update(JobLease)
            .where(JobLease.name == LEASE_NAME, JobLease.owner == owner)
            .values(owner=None, lease_until=None, last_run_at=now)
            .execution_options(synchronize_session=False)
        )


def run_once(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    *,
    owner: str | None = None,
    min_interval: timedelta = timedelta(0),
    reports: ReportWork | None = None,
) -> RunResult:
    """Run the due background work under the lease; what was done."""
    me = owner or changes.worker_name()
    if not take_lease(sessions, me, clock(), min_interval):
        # Recompute jobs are partitioned (issue 28): every process helps with their
        # partitions, whoever holds the lease of the rest.
        helped = changes.run_pending(sessions, clock, me)
        if reports is not None:
            help_with_daily_parts(sessions, reports.settings, clock)
        return RunResult(ran=False, jobs=helped)
    try:
        if reports is not None and reports.settings.national_risk_url:
            poll_national_list(sessions, reports.settings, _fetcher(reports), clock())
        jobs = changes.run_pending(sessions, clock, me)
        swept = changes.sweep_due(sessions, clock())
        apply_scene_records(sessions, clock())  # issue 25: what an upload left unapplied
        forget_stale_login_failures(sessions, clock())
        forget_spent_nonces(sessions, clock())  # issue 28: no longer per signed request
        with session_scope(sessions) as session:
            area_colours.fold(session)
        result = RunResult(ran=True, jobs=jobs, swept=swept)
        if reports is not None:
            result = _report_work(sessions, clock, me, reports, result)
    finally:
        release_lease(sessions, me, clock())
    if jobs or swept:
        log.info("periodic jobs: %d recompute jobs worked, %d colours changed by time", jobs, swept)
    return result


def _fetcher(reports: ReportWork) -> Callable[[str], bytes]:
    def fetch(url: str) -> bytes:
        if reports.client is not None:
            answer = reports.client.get(url)
        else:
            answer = httpx.get(url, timeout=PUSH_TIMEOUT_S)
        answer.raise_for_status()
        return answer.content

    return fetch


def _report_work(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    owner: str,
    reports: ReportWork,
    result: RunResult,
) -> RunResult:
    passage_months.ensure_ahead(sessions, clock())
    retention = timedelta(days=reports.settings.record_max_age_days)
    expired = passage_months.drop_expired(sessions, clock(), retention)
    if expired.dropped or expired.deleted:
        log.info("passages dropped %s, deleted %d (retention)", expired.dropped, expired.deleted)
    prepare_snapshot_file(sessions, reports.settings, clock())
    exports = run_due_exports(sessions, reports.settings, clock, owner)
    purge_expired_exports(sessions, clock())
    pushed = run_pushes(sessions, reports.settings, reports.client, clock, reports.sleep)
    if reports.notices is not None:
        cipher = record_cipher(reports.settings.resolved_keys_dir)
        with session_scope(sessions) as session:
            resent = resend_due(session, reports.notices, cipher, clock())
        if resent.sent or resent.failed:
            log.info("tip-off SMS resends: %d taken, %d failed", resent.sent, resent.failed)
    return RunResult(
        ran=True,
        jobs=result.jobs,
        swept=result.swept,
        exports=exports,
        pushes=pushed.made,
        delivered=pushed.delivered,
        failed=pushed.failed,
    )


def prepare_snapshot_file(
    sessions: sessionmaker[Session], settings: Settings, now: datetime
) -> None:
    """Build the feed's snapshot file when the head moved (at most once per coalescing period,
    by one process at a time); nothing before the central's keys exist (`central init`)."""
    keys_dir = settings.resolved_keys_dir
    if not keys_dir.is_dir():
        return
    try:
        publisher = Publisher.of(keys_dir)
    except ValueError:  # no usable feed key yet: the kiosk routes answer nothing either
        return
    with session_scope(sessions) as session:
        current_snapshot(
            session,
            settings.resolved_feed_files_dir,
            now,
            key=lambda: publisher.key,
            publisher=publisher.issuer,
            coalesce=timedelta(seconds=settings.feed_snapshot_coalesce_s),
            grace=timedelta(seconds=settings.feed_files_grace_s),
        )


class JobRunner:
    """A thread that calls `run_once` every `interval_s` seconds until stopped."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        interval_s: float,
        reports: ReportWork | None = None,
    ) -> None:
        self._reports = reports
        self._sessions = sessions
        self._clock = clock
        self._interval_s = interval_s
        self._owner = changes.worker_name()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="central-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop; a run in progress finishes its current work first (bounded:
        a run cut off by exit leaves a lease that lapses, and batches that are redone)."""
        self._stopping.set()
        self._thread.join(timeout=STOP_TIMEOUT_S)

    def _loop(self) -> None:
        # Half the interval: processes whose ticks drift apart do not skip every other turn.
        min_interval = timedelta(seconds=self._interval_s / 2)
        while not self._stopping.wait(self._interval_s):
            try:
                run_once(
                    self._sessions,
                    self._clock,
                    owner=self._owner,
                    min_interval=min_interval,
                    reports=self._reports,
                )
            except Exception:  # the next tick tries again; the server keeps serving
                log.exception("periodic jobs failed; trying again in %s s", self._interval_s)


def with_job_runner(app: FastAPI, interval_s: int) -> FastAPI:
    """Run the periodic work in this app's process while it serves (interval 0: never)."""
    if interval_s <= 0:
        return app
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[None]:
        async with inner(served):  # the app's own lifespan yields no state
            settings: Settings = served.state.settings
            client = httpx.Client(timeout=PUSH_TIMEOUT_S) if settings.push_url else None
            reports = ReportWork(settings, client, notices=served.state.sms_sender)
            runner = JobRunner(served.state.sessions, served.state.clock, interval_s, reports)
            runner.start()
            try:
                yield
            finally:
                runner.stop()
                if client is not None:
                    client.close()

    app.router.lifespan_context = lifespan
    return app
