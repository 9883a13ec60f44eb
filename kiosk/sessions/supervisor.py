"""The supervisor's work without Qt: the passage log a page at a time under filters, a code's
14-day trail, CSV/XLSX exports, the kiosk's settings, and the audit of every read.

Every method that reads the store or writes a file blocks: the view runs it off the GUI thread.
The audit log gets the supervisor, a summary of the filter and the row count, never a name, ID
number, plate or code id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from healthcode.claims import Colour
from healthcode.results import RejectReason
from healthcode.text import LocalText
from kiosk.app.settings import META_KEY as SETTINGS_KEY
from kiosk.app.settings import KioskSettings
from kiosk.checkpoint.clock import day_start_utc, local_day
from kiosk.checkpoint.decision import most_telling
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.sessions.export import (
    ExportFormat,
    ExportOptions,
    LogPages,
    default_file_name,
    export_rows,
    log_rows,
)
from kiosk.store import LogFilter, OverrideRow, PassageRow, Store
from sync.schemas import TrailAnswer

Clock = Callable[[], datetime]
PAGE_ROWS = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TimeRange(StrEnum):
    TODAY = "today"
    DAY = "24h"
    WEEK = "7d"
    FORTNIGHT = "14d"
    ALL = "all"


def time_bounds(
    choice: TimeRange, now: datetime, time_zone: str
) -> tuple[datetime | None, datetime | None]:
    """From and to (UTC) for a time range ending now; days are the checkpoint's days. "All"
    still starts somewhere (the epoch) so that the store orders by time, not by sequence."""
    if choice is TimeRange.ALL:
        return EPOCH, None
    if choice is TimeRange.TODAY:
        return day_start_utc(local_day(now, time_zone), time_zone), None
    days = {TimeRange.DAY: 1, TimeRange.WEEK: 7, TimeRange.FORTNIGHT: 14}[choice]
    return now - timedelta(days=days), None


@dataclass(frozen=True)
class LogRow:
    """One line of the supervisor's log: the passage, the reason that decided it, and the
    latest change of its outcome by staff (None if it was left as decided)."""

    passage: PassageRow
    deciding_reason: LocalText | None
    override: OverrideRow | None = None


def deciding_reason(row: PassageRow) -> LocalText | None:
    """The stored passage's most telling reason, in words (a rejected code says why)."""
    known: list[ReasonCode] = []
    for stored in row.reasons:
        try:
            known.append(ReasonCode(stored))
        except ValueError:
            continue  # a reason a newer build stored: the others still say why
    code = most_telling(known)
    if code is None:
        return LocalText(row.reasons[0], row.reasons[0]) if row.reasons else None
    if code is ReasonCode.CODE_REJECTED and row.rejection:
        try:
            return RejectReason(row.rejection).text
        except ValueError:
            return code.text
    return code.text


def filter_summary(where: LogFilter) -> dict[str, Any]:
    """The filter as the audit log keeps it: only what was chosen, nothing personal."""
    summary: dict[str, Any] = {}
    if where.from_utc is not None:
        summary["from"] = where.from_utc.isoformat()
    if where.to_utc is not None:
        summary["to"] = where.to_utc.isoformat()
    if where.colour is not None:
        summary["colour"] = where.colour.value
    if where.outcome is not None:
        summary["outcome"] = where.outcome.value
    if where.fever is not None:
        summary["fever"] = where.fever
    if where.operator_id is not None:
        summary["operator"] = where.operator_id
    return summary


@dataclass
class ExportJob:
    """One export under way: what, where to, for whom; `cancel` stops it between rows."""

    export_format: ExportFormat
    where: LogFilter
    path: Path
    operator_id: str
    cancel: threading.Event = field(default_factory=threading.Event)


class SupervisorSession:
    """What an unlocked supervisor does, over the store; `clock` is the kiosk's trusted time."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        export_dir: Path,
        page_rows: int = PAGE_ROWS,
        area_trail: Callable[[str, bytes], TrailAnswer | None] | None = None,
    ) -> None:
        self._store = store
        self.now = clock
        self.export_dir = export_dir
        self.page_rows = page_rows
        # Central's answer for the code's passages in this kiosk's area (Hainan 3.1), None
        # offline: `kiosk.client.trail.fetch_trail` over the sync thread's signed client.
        self._area_trail = area_trail

    @property
    def time_zone(self) -> str:
        return self._store.time_zone

    # ------------------------------------------------------------ the log

    def log_filter(
        self,
        time_range: TimeRange = TimeRange.TODAY,
        *,
        colour: Colour | None = None,
        outcome: Outcome | None = None,
        fever: bool | None = None,
        operator_id: str | None = None,
    ) -> LogFilter:
        """The filter for these choices, the time range ending now."""
        from_utc, to_utc = time_bounds(time_range, self.now(), self.time_zone)
        return LogFilter(
            from_utc=from_utc,
            to_utc=to_utc,
            colour=colour,
            outcome=outcome,
            fever=fever,
            operator_id=operator_id,
        )

    def pages(self, where: LogFilter) -> LogPages:
        """A cursor over the log for `where`, `page_rows` at a time (nothing read yet)."""
        return LogPages(self._store.passages, where, self.page_rows)

    def first_page(self, pages: LogPages) -> tuple[list[LogRow], int]:
        """The first page and how many rows the filter selects in all (blocking)."""
        return self.next_page(pages), self._store.passages.log_count(pages.where)

    def next_page(self, pages: LogPages) -> list[LogRow]:
        """The next page of the log, each row with its deciding reason and override (blocking)."""
        return self.log_rows(pages.next_page())

    def trail(self, issuer: str, code_id: bytes, now: datetime) -> list[LogRow]:
        """This code's passages here in the last 14 days, newest first (blocking)."""
        return self.log_rows(self._store.passages.trail(issuer, code_id, now))

    def area_trail(self, issuer: str, code_id: bytes) -> TrailAnswer | None:
        """The code's passages at every checkpoint of this kiosk's area, from central (blocking,
        a few seconds at most); None offline or not enrolled: the kiosk's own trail stands."""
        return self._area_trail(issuer, code_id) if self._area_trail is not None else None

    def log_rows(self, rows: list[PassageRow]) -> list[LogRow]:
        overrides = self._store.passages.overrides_of([row.record_id for row in rows])
        return [LogRow(row, deciding_reason(row), overrides.get(row.record_id)) for row in rows]

    def log_viewed(
        self, operator_id: str, where: LogFilter, page: int, rows: int, total: int
    ) -> None:
        detail = {"filter": filter_summary(where), "page": page, "rows": rows, "total": total}
        self.audit(operator_id, "log_view", detail)

    def trail_viewed(self, operator_id: str, passage_seq: int, rows: int) -> None:
        self.audit(operator_id, "trail_view", {"passage_seq": passage_seq, "rows": rows})

    # ------------------------------------------------------------ export

    def new_export(
        self, export_format: ExportFormat, where: LogFilter, operator_id: str
    ) -> ExportJob:
        """An export of every row of `where` into the export folder, named for now."""
        path = self.export_dir / default_file_name(self.now(), export_format)
        return ExportJob(export_format, where, path, operator_id)

    def run_export(
        self,
        job: ExportJob,
        options: ExportOptions,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Write the file (blocking); the rows written. Raises `ExportCancelledError` when the
        job is cancelled (no file is left)."""
        total = self._store.passages.log_count(job.where)
        return export_rows(
            log_rows(self._store.passages, job.where),
            job.path,
            job.export_format,
            total=total,
            options=options,
            progress=progress,
            cancelled=job.cancel.is_set,
        )

    def export_ended(self, job: ExportJob, result: str, rows: int) -> None:
        """Audit an export's end: "done", "cancelled" or "failed"."""
        detail = {
            "format": job.export_format.value,
            "filter": filter_summary(job.where),
            "rows": rows,
            "result": result,
            "file": job.path.name,
        }
        self.audit(job.operator_id, "export", detail)

    # ------------------------------------------------------------ settings

    def settings(self) -> KioskSettings:
        return KioskSettings.from_json(self._store.meta.get(SETTINGS_KEY))

    def save_settings(self, operator_id: str, settings: KioskSettings) -> None:
        """Keep the settings and audit the change (queued on the store's writer)."""
        self._store.meta.set(SETTINGS_KEY, settings.to_json())
        detail = {
            "muted": settings.muted,
            "voice": settings.voice,
            "result_seconds": settings.result_seconds,
        }
        self.audit(operator_id, "settings_change", detail)

    def audit(self, actor: str, action: str, detail: dict[str, Any]) -> None:
        """Write to the audit log without waiting (the store's writer keeps the order)."""
        self._store.audit.record(self.now(), actor, action, detail)
