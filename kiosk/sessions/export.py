"""The supervisor's exports of the passage log: CSV and XLSX, streamed a row at a time.

Qt-free. Rows are `PassageRow`s as the store reads them (names and ID numbers already masked;
no ID number column is written at all). Both writers report progress, stop when asked (leaving
no partial file behind) and escape spreadsheet formulas: a cell that starts with = + - @, a tab
or a carriage return gets a leading apostrophe, so a name or plate typed by someone cannot run in
the spreadsheet that opens it. CSV is UTF-8 with a BOM so Excel reads Chinese correctly.

`log_rows` reads the log from the store in pages for the exports and the supervisor's "load more".
"""

from __future__ import annotations

import csv
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import xlsxwriter  # type: ignore[import-untyped]

from healthcode.text import LIST_SEPARATOR, LocalText
from kiosk.checkpoint.clock import DEFAULT_TIME_ZONE
from kiosk.checkpoint.outcome import ReasonCode
from kiosk.store.rows import LogFilter, PassageRow

Language = Literal["zh", "en"]
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

PROGRESS_EVERY = 200
PAGE_ROWS = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

YES = LocalText("是", "yes")
NO = LocalText("否", "no")
SYNC_STATES = {
    "pending": LocalText("待上传", "pending"),
    "acknowledged": LocalText("已上传", "uploaded"),
}


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ExportCancelledError(Exception):
    """The export was stopped on request; no file was left behind."""


COLUMNS: tuple[LocalText, ...] = (
    LocalText("时间", "Time"),
    LocalText("结果", "Outcome"),
    LocalText("判定颜色", "Colour applied"),
    LocalText("码内颜色", "Colour in code"),
    LocalText("姓名（脱敏）", "Masked name"),
    LocalText("体温(°C)", "Temperature (°C)"),
    LocalText("发热", "Fever"),
    LocalText("原因", "Reasons"),
    LocalText("操作员", "Operator"),
    LocalText("方向", "Direction"),
    LocalText("事由", "Trip reason"),
    LocalText("车牌", "Vehicle plate"),
    LocalText("时钟可信", "Clock trusted"),
    LocalText("上传状态", "Sync state"),
)


def headers(language: Language = "zh") -> list[str]:
    return [column.get(language) for column in COLUMNS]


def escape_cell(text: str) -> str:
    """Defuse spreadsheet formulas (CSV/formula injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def reason_text(code: str, language: Language = "zh") -> str:
    try:
        return ReasonCode(code).text.get(language)
    except ValueError:
        return code  # a reason this build does not know: keep its stable code


def local_time(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")


def row_cells(
    row: PassageRow,
    language: Language = "zh",
    time_zone: str = DEFAULT_TIME_ZONE,
    operator_names: Mapping[str, str] | None = None,
) -> list[str | float | None]:
    """One passage as export cells (strings already escaped); the temperature stays a number."""

    def label(value: LocalText | None) -> str:
        return "" if value is None else value.get(language)

    def flag(value: bool) -> str:
        return (YES if value else NO).get(language)

    separator = LIST_SEPARATOR.get(language)
    operator = row.operator_id or ""
    if operator and operator_names and operator in operator_names:
        operator = f"{operator_names[operator]} ({operator})"
    sync = SYNC_STATES.get(row.sync_state)
    texts = [
        local_time(row.at_utc, time_zone),
        row.outcome.label.get(language),
        label(row.colour_applied.label if row.colour_applied else None),
        label(row.colour_in_code.label if row.colour_in_code else None),
        row.masked_name or "",
    ]
    rest = [
        flag(row.fever),
        separator.join(reason_text(code, language) for code in row.reasons),
        operator,
        label(row.direction.label if row.direction else None),
        label(row.trip_reason.label if row.trip_reason else None),
        row.vehicle_plate or "",
        flag(row.clock_trusted),
        sync.get(language) if sync else row.sync_state,
    ]
    return [
        *(escape_cell(t) for t in texts),
        row.temperature_celsius,
        *(escape_cell(t) for t in rest),
    ]


@dataclass(frozen=True)
class ExportOptions:
    language: Language = "zh"
    time_zone: str = DEFAULT_TIME_ZONE
    operator_names: Mapping[str, str] | None = None


def export_rows(
    rows: Iterable[PassageRow],
    path: Path,
    export_format: ExportFormat,
    *,
    total: int = 0,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write `rows` to `path`; returns the number written. `total` (e.g. from `count_log`) is
    what `progress(done, total)` counts towards. The file appears whole or not at all."""
    writer = write_csv if export_format is ExportFormat.CSV else write_xlsx
    return writer(rows, path, total=total, options=options, progress=progress, cancelled=cancelled)


_Sink = Callable[[int, list[str | float | None]], None]


def _stream(
    rows: Iterable[PassageRow],
    sink: _Sink,
    total: int,
    options: ExportOptions,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> int:
    done = 0
    if progress is not None:
        progress(0, total)
    for row in rows:
        if cancelled is not None and cancelled():
            raise ExportCancelledError
        sink(done, row_cells(row, options.language, options.time_zone, options.operator_names))
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    if cancelled is not None and cancelled():
        raise ExportCancelledError
    if progress is not None:
        progress(done, max(total, done))
    return done


def _temporary_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    return Path(name)


def _finish(temporary: Path, path: Path) -> None:
    with temporary.open("rb") as written:
        os.fsync(written.fileno())  # an export to a USB stick pulled right after "done"
    os.replace(temporary, path)


def write_csv(
    rows: Iterable[PassageRow],
    path: Path,
    *,
    total: int = 0,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """CSV, UTF-8 with a BOM, CRLF line ends (what spreadsheet programs expect)."""
    options = options or ExportOptions()
    temporary = _temporary_beside(path)
    try:
        with temporary.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(headers(options.language))

            def sink(_: int, cells: list[str | float | None]) -> None:
                writer.writerow(["" if c is None else c for c in cells])

            done = _stream(rows, sink, total, options, progress, cancelled)
        _finish(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return done


def write_xlsx(
    rows: Iterable[PassageRow],
    path: Path,
    *,
    total: int = 0,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """XLSX in constant-memory mode (rows go to disk as they come); every text cell is written
    as a string, never as a formula, number or link."""
    options = options or ExportOptions()
    temporary = _temporary_beside(path)
    try:
        workbook = xlsxwriter.Workbook(
            str(temporary),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        try:
            sheet = workbook.add_worksheet("passages" if options.language == "en" else "通行记录")
            bold = workbook.add_format({"bold": True})
            widths = [20, 12, 10, 10, 14, 14, 8, 40, 16, 8, 14, 12, 10, 10]
            for column, (title, width) in enumerate(
                zip(headers(options.language), widths, strict=True)
            ):
                sheet.set_column(column, column, width)
                sheet.write_string(0, column, title, bold)
            sheet.freeze_panes(1, 0)

            def sink(index: int, cells: list[str | float | None]) -> None:
                for column, cell in enumerate(cells):
                    if isinstance(cell, float):
                        sheet.write_number(index + 1, column, cell)
                    elif cell:
                        sheet.write_string(index + 1, column, cell)

            done = _stream(rows, sink, total, options, progress, cancelled)
        finally:
            workbook.close()
        _finish(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return done


def default_file_name(now: datetime, export_format: ExportFormat, prefix: str = "passages") -> str:
    return f"{prefix}-{now.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)):%Y%m%d-%H%M%S}.{export_format}"


# ------------------------------------------------------------ reading the log in pages


class LogReader(Protocol):
    """The part of the store's passages (`store.passages`) the pages read."""

    def log(
        self, where: LogFilter, *, limit: int = 50, before_seq: int | None = None
    ) -> list[PassageRow]: ...


@dataclass
class LogPages:
    """A cursor over the filtered log, newest first, one page per `next_page()`.

    Without a time range the store orders by sequence and pages with `before_seq`. With one it
    orders by time, where paging by sequence would skip rows written while the clock was wrong,
    so this narrows the time range instead and drops the rows already given (those at the page
    boundary)."""

    passages: LogReader
    where: LogFilter
    page_rows: int = PAGE_ROWS
    exhausted: bool = field(default=False, init=False)
    _before_seq: int | None = field(default=None, init=False)
    _upper: datetime | None = field(default=None, init=False)
    _given: dict[uuid.UUID, datetime] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._upper = self.where.to_utc

    @property
    def by_time(self) -> bool:
        return self.where.from_utc is not None or self.where.to_utc is not None

    def next_page(self) -> list[PassageRow]:
        if self.exhausted:
            return []
        if not self.by_time:
            rows = self.passages.log(self.where, limit=self.page_rows, before_seq=self._before_seq)
            self.exhausted = len(rows) < self.page_rows
            if rows:
                self._before_seq = rows[-1].seq
            return rows
        return self._next_by_time()

    def _next_by_time(self) -> list[PassageRow]:
        # Ask for as many more rows as were already given inside the boundary sliver, so a page
        # still holds `page_rows` new ones.
        limit = self.page_rows + len(self._given)
        while True:
            rows = self.passages.log(replace(self.where, to_utc=self._upper), limit=limit)
            fresh = [row for row in rows if row.record_id not in self._given]
            if fresh or len(rows) < limit:
                break
            limit *= 2  # a whole page inside the boundary's few milliseconds: look further
        page = fresh[: self.page_rows]
        self.exhausted = len(rows) < limit and len(page) == len(fresh)
        if page:
            last = page[-1].at_utc
            # Two milliseconds above the last row's time covers it whatever the rounding; the
            # rows given in that sliver are remembered so that they are not given twice.
            upper = last + timedelta(milliseconds=2)
            if self.where.to_utc is not None:
                upper = min(upper, self.where.to_utc)
            self._upper = upper
            given = {**self._given, **{row.record_id: row.at_utc for row in page}}
            self._given = {key: at for key, at in given.items() if at < upper}
        return page

    def __iter__(self) -> Iterator[PassageRow]:
        while not self.exhausted:
            yield from self.next_page()


def log_rows(
    passages: LogReader, where: LogFilter, page_rows: int = PAGE_ROWS
) -> Iterator[PassageRow]:
    """Every row the filter selects, newest first, read a page at a time."""
    return iter(LogPages(passages, where, page_rows))
