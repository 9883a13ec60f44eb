"""Weekly usage statistics: per area and per checkpoint, for one ISO week in local time.

A week is an ISO week (`2026-W47`) on the local calendar (default Asia/Shanghai): Monday 00:00
to the next Monday 00:00, by the passage's kiosk time. For each six-digit area (the passage's
region code) and each checkpoint: passages, people (distinct by the code's keyed blind index;
passages without a code are not counted as people), fevers, denials (outcome `deny`) and
kiosks active (kiosks with at least one passage). No personal data is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from central.core.errors import RefusedError
from central.core.models import Checkpoint, ReceivedPassage
from central.reports.daily import DEFAULT_TIME_ZONE, escape_cell

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

USAGE_COLUMNS: tuple[str, ...] = (
    "周次",  # ISO week, 2026-W47
    "层级",  # 区域 area / 卡口 checkpoint
    "区划代码",  # six-digit region code
    "卡口编号",  # checkpoint id (empty on area rows)
    "卡口名称",  # checkpoint name (empty on area rows)
    "通行人次",  # passages
    "人数",  # people (distinct codes)
    "发热人次",  # fevers
    "拒绝人次",  # denials
    "在用设备",  # kiosks active
)


class WeekError(RefusedError, ValueError):
    """Not an ISO week; the message is safe to show."""

    status_code = 422


@dataclass(frozen=True)
class UsageRow:
    week: str
    checkpoint_id: str | None  # None: the area's total
    checkpoint_name: str
    region_code: str
    passages: int
    people: int
    fevers: int
    denials: int
    kiosks_active: int


def parse_week(text: str) -> tuple[int, int]:
    found = WEEK.match(text)
    if found is None:
        raise WeekError(f"week {text!r}: write it as YYYY-Www, e.g. 2026-W47")
    year, week = int(found.group(1)), int(found.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"week {text!r}: {year} has no week {week}") from None
    return year, week


def week_bounds(week: str, time_zone: str = DEFAULT_TIME_ZONE) -> tuple[datetime, datetime]:
    """The local ISO week as an aware [Monday 00:00, next Monday 00:00) pair."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    zone = ZoneInfo(time_zone)
    start = datetime.combine(monday, time(0), zone)
    return start, datetime.combine(monday + timedelta(days=7), time(0), zone)


def week_of(day: date) -> str:
    year, number, _weekday = day.isocalendar()
    return f"{year}-W{number:02d}"


def previous_week(now: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    return week_of(now.astimezone(ZoneInfo(time_zone)).date() - timedelta(days=7))


def weekly_usage(
    session: Session,
    week: str,
    time_zone: str = DEFAULT_TIME_ZONE,
    where: ColumnElement[bool] | None = None,
) -> list[UsageRow]:
    """Area rows, each followed by its checkpoints' rows, by region code and checkpoint name.
    `where` narrows the passages (e.g. to a scope's checkpoints)."""
    start, end = week_bounds(week, time_zone)
    measures = (
        func.count(),
        func.count(func.distinct(ReceivedPassage.code_ix)),
        func.coalesce(func.sum(case((ReceivedPassage.fever.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((ReceivedPassage.outcome == "deny", 1), else_=0)), 0),
        func.count(func.distinct(ReceivedPassage.kiosk_id)),
    )
    condition = (
        ReceivedPassage.at >= start,
        ReceivedPassage.at < end,
        true() if where is None else where,
    )
    areas = session.execute(
        select(ReceivedPassage.region_code, *measures)
        .where(*condition)
        .group_by(ReceivedPassage.region_code)
        .order_by(ReceivedPassage.region_code)
    ).all()
    checkpoints = session.execute(
        select(
            ReceivedPassage.region_code, ReceivedPassage.checkpoint_id, Checkpoint.name, *measures
        )
        .join(Checkpoint, Checkpoint.id == ReceivedPassage.checkpoint_id)
        .where(*condition)
        .group_by(ReceivedPassage.region_code, ReceivedPassage.checkpoint_id, Checkpoint.name)
        .order_by(ReceivedPassage.region_code, Checkpoint.name, ReceivedPassage.checkpoint_id)
    ).all()
    rows: list[UsageRow] = []
    for region, passages, people, fevers, denials, kiosks in areas:
        rows.append(
            UsageRow(week, None, "", region, passages, people, int(fevers), int(denials), kiosks)
        )
        rows.extend(
            UsageRow(week, cp_id, name, region, n, p, int(f), int(d), k)
            for cp_region, cp_id, name, n, p, f, d, k in checkpoints
            if cp_region == region
        )
    return rows


def usage_cells(row: UsageRow) -> list[str]:
    cells = [
        row.week,
        "区域" if row.checkpoint_id is None else "卡口",
        row.region_code,
        row.checkpoint_id or "",
        row.checkpoint_name,
        str(row.passages),
        str(row.people),
        str(row.fevers),
        str(row.denials),
        str(row.kiosks_active),
    ]
    return [escape_cell(cell) for cell in cells]


def render_usage_csv(rows: Iterable[UsageRow]) -> bytes:
    """UTF-8 with a BOM, CRLF, formulas defused: as every other report."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(USAGE_COLUMNS)
    writer.writerows(usage_cells(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def usage_file_name(week: str) -> str:
    return f"usage-{week}.csv"


def push_weekly(
    session: Session, week: str, folder: Path, time_zone: str = DEFAULT_TIME_ZONE
) -> tuple[Path, int]:
    """Write the week's usage statistics (`usage-YYYY-Www.csv`) into `folder`, whole or not at
    all (a temporary file renamed); the path and its number of rows."""
    rows = weekly_usage(session, week, time_zone)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / usage_file_name(week)
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(render_usage_csv(rows))
    temporary.replace(path)
    return path, len(rows)
