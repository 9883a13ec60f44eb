"""Report exports (issue 14): filtered passage and roster exports, made in the background.

POST / records an export and answers 202 with its id and state (small ones are done at once);
GET /{id} answers its progress; GET /{id}/download the file. Only the account that asked, or
one above it, sees an export (central/reports/exports.py).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionDep, SettingsDep
from central.core.errors import ApiError
from central.core.scope import ScopeDep
from central.reports.exports import (
    ExportFilters,
    ExportFormat,
    ExportGoneError,
    ExportKind,
    ExportNotFoundError,
    ExportRequest,
    ExportState,
    ExportStatus,
    build_filters,
    export_status,
    list_exports,
    open_export_file,
    start_export,
    take_export_file,
)
from healthcode.claims import Colour
from sync.bounds import Day
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/exports", tags=["reports"])


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: str | None = Field(
        default=None, max_length=15, description="a region of any level"
    )
    colour: Colour | None = None
    enterprise_id: str | None = Field(default=None, max_length=64)
    id_number: str | None = Field(
        default=None,
        max_length=24,
        description="one person: a resident ID number, kept only as a blind index",
    )
    first_day: Day | None = Field(default=None, description="local day (Asia/Shanghai)")
    last_day: Day | None = Field(default=None, description="local day, inclusive")
    fever_only: bool = False


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ExportKind = ExportKind.PASSAGES
    format: ExportFormat = ExportFormat.CSV
    filters: FiltersIn = Field(default_factory=FiltersIn)


class FiltersOut(BaseModel):
    region_code: str | None
    colour: Colour | None
    enterprise_id: str | None
    person: bool = Field(description="true when one person was chosen (never who)")
    from_at_utc: datetime | None
    to_at_utc: datetime | None
    fever_only: bool


class ExportOut(BaseModel):
    export_id: str
    kind: ExportKind
    format: ExportFormat
    status: ExportState
    rows_done: int
    rows_total: int
    progress: float
    filters: FiltersOut
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    error: str | None
    download_url: str | None


def _filters_out(filters: ExportFilters) -> FiltersOut:
    return FiltersOut(
        region_code=filters.region_code,
        colour=filters.colour,
        enterprise_id=filters.enterprise_id,
        person=filters.person_ix is not None,
        from_at_utc=filters.from_at_utc,
        to_at_utc=filters.to_at_utc,
        fever_only=filters.fever_only,
    )


def _out(status: ExportStatus) -> ExportOut:
    return ExportOut(
        export_id=status.export_id,
        kind=status.kind,
        format=status.format,
        status=status.state,
        rows_done=status.rows_done,
        rows_total=status.rows_total,
        progress=round(status.progress, 4),
        filters=_filters_out(status.filters),
        created_at=status.created_at,
        finished_at=status.finished_at,
        expires_at=status.expires_at,
        error=status.error,
        download_url=(
            f"{API_PREFIX}/exports/{status.export_id}/download" if status.downloadable else None
        ),
    )


def _not_found() -> ApiError:
    return ApiError(404, RefusalReason.NOT_FOUND, "no such export for this account")


@router.post("", status_code=202)
def create_export(
    body: ExportIn,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    now: NowDep,
) -> ExportOut:
    """Start an export inside the caller's scope; small ones are done when this answers."""
    filters = build_filters(
        settings,
        now,
        region_code=body.filters.region_code,
        colour=body.filters.colour,
        enterprise_id=body.filters.enterprise_id,
        id_number=body.filters.id_number,
        first_day=body.filters.first_day,
        last_day=body.filters.last_day,
        fever_only=body.filters.fever_only,
    )
    request = ExportRequest(kind=body.kind, format=body.format, filters=filters)
    return _out(start_export(session, scope, request, settings=settings, now=now))


@router.get("")
def exports_list(
    session: SessionDep, scope: ScopeDep, audit: AuditDep, now: NowDep
) -> list[ExportOut]:
    """The caller's exports and those of the accounts below it, newest first."""
    found = list_exports(session, scope, now)
    audit.record(Action.LIST, "export", len(found))
    return [_out(status) for status in found]


@router.get("/{export_id}")
def export_progress(
    export_id: str, session: SessionDep, scope: ScopeDep, audit: AuditDep, now: NowDep
) -> ExportOut:
    try:
        status = export_status(session, scope, export_id, now)
    except ExportNotFoundError:
        audit.record(Action.READ, "export", 0)
        raise _not_found() from None
    audit.record(Action.READ, "export", 1)
    return _out(status)


@router.get("/{export_id}/download", response_class=Response)
def export_download(
    export_id: str,
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    now: NowDep,
) -> Response:
    """The finished file, named in Chinese (RFC 6266 filename*)."""
    try:
        found = open_export_file(session, scope, export_id, now=now)
    except ExportNotFoundError:
        audit.record(Action.EXPORT, "export_file", 0)
        raise _not_found() from None
    except ExportGoneError as error:
        audit.record(Action.EXPORT, "export_file", 0)
        raise ApiError(
            409 if str(error) != "expired" else 410,
            RefusalReason.NOT_FOUND,
            f"no file to download: the export is {error}",
        ) from None
    status = export_status(session, scope, export_id, now)
    # Personal data leaves once: the file is forgotten with the audit entry's commit and
    # deleted as soon as it has been sent.
    taken = take_export_file(session, export_id)
    audit.record(Action.EXPORT, f"{status.kind.value}_file", status.rows_done)
    return FileResponse(
        found.path,
        media_type=found.media_type,
        headers={"Content-Disposition": found.content_disposition()},
        background=BackgroundTask(taken.unlink, missing_ok=True) if taken is not None else None,
    )
