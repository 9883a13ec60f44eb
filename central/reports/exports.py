"""Exports an account asks for: filtered passages or the roster, as CSV or XLSX, with progress.

The interface (used by the API in central/reports/routers/exports.py and by the web pages):

- `start_export(session, scope, request, settings=..., now=...)` records the export (filters as
  JSON, a person only as a blind index) and answers its `ExportStatus`. An export of at most
  `settings.export_inline_max_rows` rows is made at once (status `done`); a larger one stays
  `queued` until the jobs runner (central/jobs.py) works it with `run_due_exports`, in batches
  of `settings.export_batch_rows` rows, recording `rows_done` after each.
- `export_status(session, scope, export_id)`: its state and progress.
- `open_export_file(session, scope, export_id, now=...)`: the finished file to download.

Only the account that asked, or an account above it (`Scope.account_filter`), sees an export;
anything else is "not found". Rows are always selected inside the asking account's scope (read
again when the export is worked, so a narrowed account exports the narrower set). Each finished
export writes one audit entry: who, which filters, how many rows. A file holds personal data:
it is its owner's only (0600 in a 0700 folder), deleted once downloaded (`take_export_file`;
each download audited) or `settings.export_ttl_minutes` after it is finished, whichever comes
first (`purge_expired_exports`).

CSV files are UTF-8 with a BOM and CRLF line ends; XLSX files are written by xlsxwriter in
constant-memory mode (rows go to disk as they come), every cell as a string, never a formula,
number or link. In both, a cell starting with = + - @, a tab or a carriage return is defused
(`central.reports.daily.escape_cell`) as well, for whatever reads the file next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from central.core.audit import Action, Auditor
from central.core.cipher import record_cipher
from central.core.models import Administrator, ExportJob
from central.core.private_files import private_folder
from central.core.scope import Scope, scope_of
from central.core.settings import Settings
from central.issuance.people import PeopleCipher
from central.reports.daily import PUSH_COLUMNS
from central.reports.export_files import ExportFormat, RowSink, open_sink
from central.reports.export_rows import (
    ROSTER_COLUMNS,
    ExportError,
    ExportFilters,
    ExportKind,
    RegionNames,
    RosterKey,
    count_passages,
    count_roster,
    local_days,
    local_stamp,
    passage_batch,
    person_index,
    roster_batch,
)
from healthcode.claims import Colour

__all__ = [
    "ExportError",
    "ExportFile",
    "ExportFilters",
    "ExportFormat",
    "ExportGoneError",
    "ExportKind",
    "ExportNotFoundError",
    "ExportRequest",
    "ExportState",
    "ExportStatus",
    "build_filters",
    "export_status",
    "list_exports",
    "local_days",
    "open_export_file",
    "person_index",
    "run_due_exports",
    "start_export",
    "take_export_file",
]

log = logging.getLogger(__name__)
EXPORT_LEASE = timedelta(minutes=5)
ROUTE = "export"  # the audit entry's route: "export <kind> <filters>"
FILE_TITLES = {ExportKind.PASSAGES: "通行记录", ExportKind.ROSTER: "花名册"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportNotFoundError(LookupError):
    """No such export for this account (or not one it may see)."""


class ExportGoneError(LookupError):
    """The export exists but has no file: not finished yet, failed, or expired."""


@dataclass(frozen=True)
class ExportRequest:
    kind: ExportKind
    format: ExportFormat
    filters: ExportFilters


@dataclass(frozen=True)
class ExportStatus:
    export_id: str
    kind: ExportKind
    format: ExportFormat
    state: ExportState
    rows_done: int
    rows_total: int
    filters: ExportFilters
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    error: str | None
    downloadable: bool

    @property
    def progress(self) -> float:
        """0.0 to 1.0 (an empty export that is done is 1.0)."""
        if self.state is ExportState.DONE:
            return 1.0
        return 0.0 if self.rows_total == 0 else min(1.0, self.rows_done / self.rows_total)


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str  # Chinese: 通行记录-20261123-1005.csv
    ascii_filename: str  # passages-20261123-1005.csv
    media_type: str

    def content_disposition(self) -> str:
        return (
            f'attachment; filename="{self.ascii_filename}"; '
            f"filename*=UTF-8''{quote(self.filename, safe='')}"
        )


def build_filters(
    settings: Settings,
    now: datetime,
    *,
    region_code: str | None = None,
    colour: Colour | None = None,
    enterprise_id: str | None = None,
    id_number: str | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    fever_only: bool = False,
) -> ExportFilters:
    """Filters from what a page or a request sends: local days (Asia/Shanghai) and an ID
    number, which is turned into its blind index here and kept no further. ExportError."""
    start = end = None
    if first_day or last_day:
        start, end = local_days(
            first_day or last_day or now.date(), last_day or first_day or now.date()
        )
    person = None
    if id_number and id_number.strip():
        people = PeopleCipher.load_or_create(settings.resolved_keys_dir)
        person = person_index(people, id_number, now.date())
    return ExportFilters(
        region_code=region_code or None,
        colour=colour,
        enterprise_id=enterprise_id or None,
        person_ix=person,
        from_at_utc=start,
        to_at_utc=end,
        fever_only=fever_only,
    )


def _status(job: ExportJob, now: datetime | None = None) -> ExportStatus:
    expired = job.expires_at is not None and now is not None and job.expires_at <= now
    return ExportStatus(
        export_id=job.id,
        kind=ExportKind(job.kind),
        format=ExportFormat(job.format),
        state=ExportState(job.status),
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        filters=ExportFilters.from_json(job.filters),
        created_at=job.created_at,
        finished_at=job.finished_at,
        expires_at=job.expires_at,
        error=job.error,
        downloadable=job.status == ExportState.DONE and job.file_path is not None and not expired,
    )


def _count(session: Session, scope: Scope, request: ExportRequest) -> int:
    if request.kind is ExportKind.PASSAGES:
        return count_passages(session, scope, request.filters)
    return count_roster(session, scope, request.filters)


def start_export(
    session: Session,
    scope: Scope,
    request: ExportRequest,
    *,
    settings: Settings,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
) -> ExportStatus:
    """Record the export and, when it is small, make it now. Commits."""
    total = _count(session, scope, request)
    job = ExportJob(
        account_id=scope.account_id,
        filters=request.filters.to_json(),
        format=request.format.value,
        kind=request.kind.value,
        status=ExportState.QUEUED.value,
        rows_done=0,
        rows_total=total,
        created_at=now,
    )
    session.add(job)
    session.commit()
    if total <= settings.export_inline_max_rows:
        _work(session, job, scope, settings, clock or (lambda: now))
    return _status(job, now)


def _visible(session: Session, scope: Scope, export_id: str) -> ExportJob:
    job = session.get(ExportJob, export_id)
    if job is None:
        raise ExportNotFoundError(export_id)
    if job.account_id != scope.account_id:
        allowed = select(Administrator.id).where(
            Administrator.id == job.account_id, scope.account_filter()
        )
        if session.scalar(allowed) is None:
            raise ExportNotFoundError(export_id)
    return job


def export_status(
    session: Session, scope: Scope, export_id: str, now: datetime | None = None
) -> ExportStatus:
    return _status(_visible(session, scope, export_id), now)


def list_exports(
    session: Session, scope: Scope, now: datetime | None = None, limit: int = 50
) -> list[ExportStatus]:
    """The exports the account may see, newest first."""
    query = (
        select(ExportJob)
        .where(
            or_(
                ExportJob.account_id == scope.account_id,
                ExportJob.account_id.in_(select(Administrator.id).where(scope.account_filter())),
            )
        )
        .order_by(ExportJob.created_at.desc(), ExportJob.id)
        .limit(limit)
    )
    return [_status(job, now) for job in session.scalars(query)]


def open_export_file(
    session: Session, scope: Scope, export_id: str, *, now: datetime
) -> ExportFile:
    """The finished file; ExportNotFoundError, or ExportGoneError when there is none (yet)."""
    job = _visible(session, scope, export_id)
    if job.status != ExportState.DONE.value:
        raise ExportGoneError(job.status)
    expired = job.expires_at is not None and job.expires_at <= now
    if expired or job.file_path is None or not Path(job.file_path).exists():
        raise ExportGoneError("expired")
    stamp = local_stamp(job.finished_at or job.created_at)
    kind = ExportKind(job.kind)
    return ExportFile(
        path=Path(job.file_path),
        filename=f"{FILE_TITLES[kind]}-{stamp}.{job.format}",
        ascii_filename=f"{kind.value}-{stamp}.{job.format}",
        media_type=MEDIA_TYPES[job.format],
    )


def _work(
    session: Session,
    job: ExportJob,
    scope: Scope,
    settings: Settings,
    clock: Callable[[], datetime],
    owner: str = "inline",
) -> None:
    """Make the file in batches, committing progress after each, under a lease that each batch
    extends (so no runner takes over an export still being made); records failure."""
    kind = ExportKind(job.kind)
    file_format = ExportFormat(job.format)
    filters = ExportFilters.from_json(job.filters)
    folder = private_folder(settings.resolved_exports_dir)
    path = folder / f"{job.id}.{file_format.value}"
    batch = settings.export_batch_rows
    job.status, job.rows_done = ExportState.RUNNING.value, 0
    job.lease_owner, job.lease_until = owner, clock() + EXPORT_LEASE
    session.commit()
    try:
        with open_sink(path, file_format, FILE_TITLES[kind]) as sink:
            if kind is ExportKind.PASSAGES:
                sink.write(list(PUSH_COLUMNS))
                cipher = record_cipher(settings.resolved_keys_dir)
                key: tuple[datetime, str] | None = None
                while True:
                    rows, key = passage_batch(session, cipher, scope, filters, key, batch)
                    if not _step(session, job, sink, rows, clock):
                        break
            else:
                sink.write(list(ROSTER_COLUMNS))
                people = PeopleCipher.load_or_create(settings.resolved_keys_dir)
                regions = RegionNames(session)
                after: RosterKey | None = None
                while True:
                    rows, after = roster_batch(
                        session, people, scope, filters, regions, after, batch
                    )
                    if not _step(session, job, sink, rows, clock):
                        break
    except Exception as error:
        session.rollback()
        log.exception("export %s failed", job.id)
        job.status, job.error = ExportState.FAILED.value, type(error).__name__[:200]
        job.finished_at, job.lease_owner, job.lease_until = clock(), None, None
        session.commit()
        return
    now = clock()
    job.status, job.file_path, job.finished_at = ExportState.DONE.value, str(path), now
    job.rows_total = job.rows_done
    job.expires_at = now + timedelta(minutes=settings.export_ttl_minutes)
    job.lease_owner = job.lease_until = None
    session.commit()
    route = f"{ROUTE} {kind.value} {job.id} {filters.describe()}"
    Auditor(session, scope, now, route).record(Action.EXPORT, kind.value, job.rows_done)


def _step(
    session: Session,
    job: ExportJob,
    sink: RowSink,
    rows: list[list[str]],
    clock: Callable[[], datetime],
) -> bool:
    """Write one batch and record the progress; False when there was nothing left."""
    for row in rows:
        sink.write(row)
    if not rows:
        return False
    job.rows_done += len(rows)
    job.rows_total = max(job.rows_total, job.rows_done)
    job.lease_until = clock() + EXPORT_LEASE
    session.commit()
    return True


# ---------------------------------------------------------------- the jobs runner's part


def _claim(sessions: sessionmaker[Session], export_id: str, owner: str, now: datetime) -> bool:
    with sessions() as session, session.begin():
        claimed = session.execute(
            update(ExportJob)
            .where(
                ExportJob.id == export_id,
                or_(
                    ExportJob.status == ExportState.QUEUED.value,
                    (ExportJob.status == ExportState.RUNNING.value) & (ExportJob.lease_until < now),
                ),
            )
            .values(lease_owner=owner, lease_until=now + EXPORT_LEASE)
            .returning(ExportJob.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        return claimed is not None


def run_due_exports(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: Callable[[], datetime],
    owner: str,
) -> int:
    """Work every queued export (and any whose worker's lease lapsed); how many were worked."""
    now = clock()
    with sessions() as session:
        due = list(
            session.scalars(
                select(ExportJob.id)
                .where(
                    or_(
                        ExportJob.status == ExportState.QUEUED.value,
                        (ExportJob.status == ExportState.RUNNING.value)
                        & (ExportJob.lease_until < now),
                    )
                )
                .order_by(ExportJob.created_at)
            )
        )
    worked = 0
    for export_id in due:
        if not _claim(sessions, export_id, owner, clock()):
            continue
        with sessions() as session:
            job = session.get(ExportJob, export_id)
            assert job is not None  # noqa: S101 - just claimed
            admin = session.get(Administrator, job.account_id)
            if admin is None:
                job.status, job.error = ExportState.FAILED.value, "the account no longer exists"
                job.finished_at = clock()
                session.commit()
                continue
            _work(session, job, scope_of(admin), settings, clock, owner)
            worked += 1
    return worked


def take_export_file(session: Session, export_id: str) -> Path | None:
    """Forget the file of a downloaded export (the caller commits, then deletes the file once
    it is sent): a second download answers 410, as after the time limit."""
    job = session.get(ExportJob, export_id)
    if job is None or job.file_path is None:
        return None
    path = Path(job.file_path)
    job.file_path = None
    return path


def purge_expired_exports(sessions: sessionmaker[Session], now: datetime) -> int:
    """Delete the files of exports past their expiry; the rows stay (without a file)."""
    purged = 0
    with sessions() as session, session.begin():
        for job in session.scalars(
            select(ExportJob).where(ExportJob.expires_at <= now, ExportJob.file_path.is_not(None))
        ):
            if job.file_path:
                Path(job.file_path).unlink(missing_ok=True)
            job.file_path = None
            purged += 1
    return purged
