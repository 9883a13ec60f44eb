"""The daily push: the previous day's passages as a fixed CSV for the upper platform.

Qt-free and independent of the kiosk package. The file is UTF-8 with a BOM (spreadsheet
programs then read Chinese correctly), CRLF line ends, one header row of `PUSH_COLUMNS`, and
spreadsheet formulas defused: a cell that starts with = + - @, a tab or a carriage return gets a
leading apostrophe. It is written beside its final name and renamed, so no partial file is left.

Names and ID numbers are as the kiosk recorded them, already masked; the code id and the full
ID number are never written. The Hainan checkpoint record (004, 关口信息) adds the vehicle plate
and, where the checkpoint's policy asked for them, the passer's full name and phone, in the
last three columns (empty otherwise). `next_push_at` says when the next push is due
(default 10:00 Asia/Shanghai) for an injected `now`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from central.core.models import Checkpoint, ReceivedPassage

if TYPE_CHECKING:
    from central.core.cipher import RecordCipher

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_PUSH_TIME = time(10, 0)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PUSH_COLUMNS: tuple[str, ...] = (
    "记录编号",  # record id (UUID)
    "时间",  # local time, YYYY-MM-DD HH:MM:SS
    "区划代码",  # six-digit region code of the checkpoint
    "卡口编号",  # checkpoint id
    "卡口名称",  # checkpoint name
    "姓名（脱敏）",  # masked name
    "证件号（脱敏）",  # masked ID number
    "码内颜色",  # colour in the code
    "判定颜色",  # colour applied
    "结果",  # outcome
    "体温(°C)",  # temperature, one decimal
    "发热",  # 是 / 否
    "方向",  # in / out
    "事由",  # trip reason
    "时钟可信",  # 是 / 否
    "车牌",  # vehicle plate (Hainan 关口信息)
    "通行人姓名",  # the passer's full name, where the policy asks for it
    "通行人电话",  # the passer's phone, where asked
)


@dataclass(frozen=True)
class PushRow:
    record_id: str
    at: datetime
    region_code: str
    checkpoint_id: str
    checkpoint_name: str
    masked_name: str | None
    masked_id_number: str | None
    colour_in_code: str | None
    colour_applied: str | None
    outcome: str
    temperature_celsius: float | None
    fever: bool
    direction: str | None
    trip_reason: str | None
    clock_trusted: bool
    vehicle_plate: str | None = None
    full_name: str | None = None
    phone: str | None = None


def escape_cell(text: str) -> str:
    """Defuse spreadsheet formulas (CSV/formula injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _local_time(moment: datetime, time_zone: str) -> str:
    """The local time of a passage; a stored time the calendar cannot shift (before issue 27's
    bounds a kiosk could store 9999-12-31T23:59:59Z) is written as it is, in UTC."""
    try:
        return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, ValueError):
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _temperature(value: float | None) -> str:
    """One decimal; nothing for a reading that is not a finite number (any stored value)."""
    return "" if value is None or not math.isfinite(value) else f"{value:.1f}"


def row_cells(row: PushRow, time_zone: str = DEFAULT_TIME_ZONE) -> list[str]:
    cells = [
        row.record_id,
        _local_time(row.at, time_zone),
        row.region_code,
        row.checkpoint_id,
        row.checkpoint_name,
        row.masked_name or "",
        row.masked_id_number or "",
        row.colour_in_code or "",
        row.colour_applied or "",
        row.outcome,
        _temperature(row.temperature_celsius),
        _yes_no(row.fever),
        row.direction or "",
        row.trip_reason or "",
        _yes_no(row.clock_trusted),
        row.vehicle_plate or "",
        row.full_name or "",
        row.phone or "",
    ]
    return [escape_cell(cell) for cell in cells]


def write_push_csv(rows: Iterable[PushRow], path: Path, time_zone: str = DEFAULT_TIME_ZONE) -> int:
    """Write the push file atomically; returns the number of records written."""
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    count = 0
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(PUSH_COLUMNS)
            for row in rows:
                writer.writerow(row_cells(row, time_zone))
                count += 1
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return count


def render_push_csv(rows: Iterable[PushRow], time_zone: str = DEFAULT_TIME_ZONE) -> bytes:
    """The same file in memory (for a download of one area's day)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PUSH_COLUMNS)
    writer.writerows(row_cells(row, time_zone) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def day_bounds(day: date, time_zone: str = DEFAULT_TIME_ZONE) -> tuple[datetime, datetime]:
    """The local calendar day as an aware [start, end) pair."""
    zone = ZoneInfo(time_zone)
    return (
        datetime.combine(day, time(0), zone),
        datetime.combine(day + timedelta(days=1), time(0), zone),
    )


def previous_day(now: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    return now.astimezone(ZoneInfo(time_zone)).date() - timedelta(days=1)


def next_push_at(
    now: datetime, time_zone: str = DEFAULT_TIME_ZONE, at: time = DEFAULT_PUSH_TIME
) -> datetime:
    """The first push time (local wall clock `at`) strictly after `now`, in `time_zone`."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), at, zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, zone)
    return candidate


def push_file_name(day: date) -> str:
    return f"passages-{day.isoformat()}.csv"


def push_rows(
    session: Session,
    cipher: RecordCipher,
    day: date,
    time_zone: str = DEFAULT_TIME_ZONE,
    where: ColumnElement[bool] | None = None,
) -> Iterator[PushRow]:
    """The day's passages in time order (`where` narrows them, e.g. to a scope's checkpoints)."""
    start, end = day_bounds(day, time_zone)
    query = (
        select(ReceivedPassage, Checkpoint.name)
        .join(Checkpoint, Checkpoint.id == ReceivedPassage.checkpoint_id)
        .where(
            ReceivedPassage.at >= start,
            ReceivedPassage.at < end,
            true() if where is None else where,
        )
        .order_by(ReceivedPassage.at, ReceivedPassage.id)
        .execution_options(yield_per=500)
    )
    for passage, checkpoint_name in session.execute(query):
        yield PushRow(
            record_id=passage.id,
            at=passage.at,
            region_code=passage.region_code,
            checkpoint_id=passage.checkpoint_id,
            checkpoint_name=checkpoint_name,
            masked_name=_text(cipher.open(passage.name_enc, passage.id, "name")),
            masked_id_number=_text(cipher.open(passage.id_masked_enc, passage.id, "id_masked")),
            colour_in_code=passage.colour_in_code,
            colour_applied=passage.colour_applied,
            outcome=passage.outcome,
            temperature_celsius=passage.temperature_celsius,
            fever=passage.fever,
            direction=passage.direction,
            trip_reason=passage.trip_reason,
            clock_trusted=passage.clock_trusted,
            vehicle_plate=_text(cipher.open(passage.plate_enc, passage.id, "plate")),
            full_name=_text(cipher.open(passage.full_name_enc, passage.id, "full_name")),
            phone=_text(cipher.open(passage.phone_enc, passage.id, "phone")),
        )


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8")


def push_daily(
    session: Session,
    cipher: RecordCipher,
    day: date,
    out_dir: Path,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> tuple[Path, int]:
    """Write the day's push file into `out_dir`; returns its path and its record count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / push_file_name(day)
    return path, write_push_csv(push_rows(session, cipher, day, time_zone), path, time_zone)
