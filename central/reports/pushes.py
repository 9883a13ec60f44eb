"""The scheduled pushes for the upper platform, made and delivered by the jobs runner.

Four pushes: `daily`, the previous local day's passages (central/reports/daily.py), due each day at
`settings.push_time` (default 10:00, `settings.push_time_zone` Asia/Shanghai); `codes`, the
previous local day's codes issued and changed per area and colour with the holders of each
(central/reports/codes_daily.py), due at the same time; `scenes`, the previous local day's
pharmacy purchases by medicine category and fever-clinic registrations and observation visits
per region (central/reports/scenes.py), due at the same time; `weekly`, the
previous ISO week's usage statistics (central/reports/usage.py), due each Monday at the same time. A
push missed while no process ran is made at the next run (only the latest period of each kind).

Each push is one `push_deliveries` row, keyed by kind and period: the row is inserted in the
transaction that finds it missing, so whichever process gets there first makes it, once. The
file is written into `settings.resolved_push_dir` (the folder delivery). With
`settings.push_url` set it is also POSTed there (an `httpx.Client` passed in), tried
`settings.push_attempts` times with doubling pauses; a push not accepted stays undelivered,
with its attempts and last error, and is tried again at the next run; once accepted
(`delivered_at` set) it is never sent again. Each request carries `Idempotency-Key:
<kind>:<period>`, so a platform can drop the repeat of a push whose answer was lost.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.core.cipher import record_cipher
from central.core.models import AuditEntry, PushDelivery
from central.core.settings import Settings
from central.reports import daily_parts
from central.reports.codes_daily import codes_file_name, push_codes
from central.reports.daily import previous_day, push_daily, push_file_name
from central.reports.scenes import push_scenes, scenes_file_name
from central.reports.usage import push_weekly, usage_file_name, week_of

log = logging.getLogger(__name__)
DAILY = "daily"
CODES = "codes"
SCENES = "scenes"
WEEKLY = "weekly"
FIRST_PAUSE_S = 1.0
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class PushOutcome:
    made: tuple[str, ...] = ()  # "daily:2026-11-22", ...
    delivered: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def due_periods(now: datetime, settings: Settings) -> list[tuple[str, str]]:
    """The pushes whose time has come at `now`: (kind, period) of the latest period of each."""
    zone = ZoneInfo(settings.push_time_zone)
    local = now.astimezone(zone)
    due: list[tuple[str, str]] = []
    today_at = datetime.combine(local.date(), settings.push_time, zone)
    if local >= today_at:
        yesterday = previous_day(now, settings.push_time_zone).isoformat()
        due.append((DAILY, yesterday))
        due.append((CODES, yesterday))
        due.append((SCENES, yesterday))
    monday = local.date() - timedelta(days=local.weekday())
    if local >= datetime.combine(monday, settings.push_time, zone):
        due.append((WEEKLY, week_of(monday - timedelta(days=7))))
    return due


def _write(
    session: Session, kind: str, period: str, settings: Settings, *, from_parts: bool = True
) -> tuple[Path, int]:
    folder = settings.resolved_push_dir
    folder.mkdir(parents=True, exist_ok=True)
    if kind == DAILY:
        day = datetime.fromisoformat(period).date()
        if not from_parts:  # made again (its file removed by hand): by this process alone
            cipher = record_cipher(settings.resolved_keys_dir)
            return push_daily(session, cipher, day, folder, settings.push_time_zone)
        path = folder / push_file_name(day)  # its parts all written (issue 28): end to end
        return path, daily_parts.assemble(session, day, path)
    if kind == CODES:
        day = datetime.fromisoformat(period).date()
        return push_codes(session, day, folder, settings.push_time_zone)
    if kind == SCENES:
        day = datetime.fromisoformat(period).date()
        return push_scenes(session, day, folder, settings.push_time_zone)
    return push_weekly(session, period, folder, settings.push_time_zone)


def make_due_pushes(
    sessions: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
) -> list[str]:
    """Make the due pushes that no process has made yet; their "kind:period" names. The daily
    push is written in parts first, with any other process's help (`help_with_daily_parts`);
    while parts are held by others it waits for a next run."""
    made: list[str] = []
    for kind, period in due_periods(now, settings):
        if kind == DAILY and not _daily_parts_done(
            sessions, settings, period, clock or (lambda: now)
        ):
            continue
        try:
            with sessions() as session, session.begin():
                if session.get(PushDelivery, (kind, period)) is not None:
                    continue
                path, rows = _write(session, kind, period, settings)
                session.add(
                    PushDelivery(
                        kind=kind,
                        period=period,
                        file_path=str(path),
                        rows=rows,
                        written_at=now,
                        delivered_at=None if settings.push_url else now,
                        attempts=0,
                    )
                )
                session.add(_audit(settings, kind, period, rows, now))
        except (IntegrityError, FileNotFoundError):
            continue  # another process made it in the meantime: its row stands
        made.append(f"{kind}:{period}")
        log.info("push %s:%s written (%d rows)", kind, period, rows)
    return made


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _daily_parts_done(
    sessions: sessionmaker[Session], settings: Settings, period: str, clock: Callable[[], datetime]
) -> bool:
    with sessions() as session:
        if session.get(PushDelivery, (DAILY, period)) is not None:
            return True  # made already: the transaction below finds it and skips
    day = datetime.fromisoformat(period).date()
    daily_parts.plan(sessions, day)
    return _work_daily_parts(sessions, settings, day, clock)


def _work_daily_parts(
    sessions: sessionmaker[Session], settings: Settings, day: date, clock: Callable[[], datetime]
) -> bool:
    cipher = record_cipher(settings.resolved_keys_dir)
    folder = settings.resolved_push_dir
    zone = settings.push_time_zone
    return daily_parts.work_parts(sessions, cipher, day, folder, zone, _holder(), clock)


def help_with_daily_parts(
    sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime]
) -> int:
    """Write the parts of any daily push being made that nobody holds (a process that does
    not hold the jobs' lease helps so); how many days had parts left."""
    with sessions() as session:
        days = daily_parts.unfinished_days(session)
    for day in days:
        _work_daily_parts(sessions, settings, day, clock)
    return len(days)


def _audit(settings: Settings, kind: str, period: str, rows: int, now: datetime) -> AuditEntry:
    return AuditEntry(
        at=now,
        actor_id=SYSTEM_ACTOR,
        actor_role=SYSTEM_ACTOR,
        actor_area=settings.issuer_region_code,
        actor_enterprise_id=None,
        action="export",
        object_type=f"push_{kind}",
        route=f"push {kind} {period}",
        scope="all",
        row_count=rows,
    )


def _post(
    client: httpx.Client,
    url: str,
    push: PushDelivery,
    attempts: int,
    sleep: Callable[[float], None],
) -> tuple[str | None, int]:
    """(None when the platform accepted the file, else the last error (no personal data);
    how many requests were tried)."""
    body = Path(push.file_path).read_bytes()
    name = push_file_name_of(push)
    error = "not tried"
    for attempt in range(attempts):
        if attempt:
            sleep(FIRST_PAUSE_S * 2 ** (attempt - 1))
        try:
            answer = client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "text/csv; charset=utf-8",
                    "Content-Disposition": f'attachment; filename="{name}"',
                    "Idempotency-Key": f"{push.kind}:{push.period}",
                    "X-Push-Kind": push.kind,
                    "X-Push-Period": push.period,
                },
            )
        except httpx.HTTPError as failure:
            error = type(failure).__name__
            continue
        if answer.is_success:
            return None, attempt + 1
        error = f"HTTP {answer.status_code}"
    return error, attempts


def push_file_name_of(push: PushDelivery) -> str:
    if push.kind == DAILY:
        return push_file_name(datetime.fromisoformat(push.period).date())
    if push.kind == CODES:
        return codes_file_name(datetime.fromisoformat(push.period).date())
    if push.kind == SCENES:
        return scenes_file_name(datetime.fromisoformat(push.period).date())
    return usage_file_name(push.period)


def deliver_pending(
    sessions: sessionmaker[Session],
    settings: Settings,
    client: httpx.Client | None,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
) -> tuple[list[str], list[str]]:
    """POST every push not yet accepted; (delivered, failed) as "kind:period"."""
    if not settings.push_url or client is None:
        return [], []
    delivered: list[str] = []
    failed: list[str] = []
    with sessions() as session:
        pending = list(
            session.scalars(
                select(PushDelivery)
                .where(PushDelivery.delivered_at.is_(None))
                .order_by(PushDelivery.written_at, PushDelivery.kind)
            )
        )
        for push in pending:
            name = f"{push.kind}:{push.period}"
            if not Path(push.file_path).exists():  # removed by hand: made again, not lost
                path, push.rows = _write(
                    session, push.kind, push.period, settings, from_parts=False
                )
                push.file_path = str(path)
            error, tries = _post(client, settings.push_url, push, settings.push_attempts, sleep)
            push.attempts += tries
            if error is None:
                push.delivered_at, push.last_error = clock(), None
                delivered.append(name)
            else:
                push.last_error = error[:200]
                failed.append(name)
                log.warning("push %s not delivered (%s); tried again at the next run", name, error)
            session.commit()  # each outcome kept at once: an accepted push is never resent
    return delivered, failed


def run_pushes(
    sessions: sessionmaker[Session],
    settings: Settings,
    client: httpx.Client | None,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
) -> PushOutcome:
    made = make_due_pushes(sessions, settings, clock(), clock)
    delivered, failed = deliver_pending(sessions, settings, client, clock, sleep)
    return PushOutcome(tuple(made), tuple(delivered), tuple(failed))
