"""Pharmacy and clinic counts per area and day (issue 25): how many sales of watched medicine
(and of each category), fever-clinic registrations, observation visits and confirmed or
suspected cases each region's checkpoints recorded. Counts only: nothing identifying leaves
the table."""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.orm import Session

from central.core.models import SceneRecord
from central.reports.daily import DEFAULT_TIME_ZONE, day_bounds, escape_cell

MEDICINE_CATEGORIES = ("fever", "cough", "antiviral", "other")


@dataclass(frozen=True)
class SceneCounts:
    region_code: str
    purchases: int
    watched_purchases: int
    clinic_registrations: int
    observation_visits: int
    confirmed_or_suspected: int
    # Purchases that bought each category (a purchase of two categories counts in both).
    fever_purchases: int = 0
    cough_purchases: int = 0
    antiviral_purchases: int = 0
    other_purchases: int = 0

    def bought(self, category: str) -> int:
        return int(getattr(self, f"{category}_purchases"))


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def scene_counts(
    session: Session,
    day: date,
    *,
    where: ColumnElement[bool] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[SceneCounts]:
    """One row per region code with a record that local day, in region order."""
    start, end = day_bounds(day, time_zone)
    purchase = SceneRecord.kind == "purchase"
    rows = session.execute(
        select(
            SceneRecord.region_code,
            _count(purchase),
            _count(and_(purchase, SceneRecord.watched)),
            _count(SceneRecord.visit == "registration"),
            _count(SceneRecord.visit == "observation"),
            _count(SceneRecord.case_type.in_(("confirmed", "suspected"))),
            *(_count(SceneRecord.categories.like(f"%,{c},%")) for c in MEDICINE_CATEGORIES),
        )
        .where(
            SceneRecord.at >= start, SceneRecord.at < end, where if where is not None else true()
        )
        .group_by(SceneRecord.region_code)
        .order_by(SceneRecord.region_code)
    )
    return [SceneCounts(str(r[0]), *(int(n) for n in r[1:])) for r in rows]


# ---------------------------------------------------------------- the daily push (notice 001)

SCENES_COLUMNS: tuple[str, ...] = (
    "日期",  # the local day, YYYY-MM-DD
    "区划代码",  # the checkpoint's region (6 digits)
    "购药登记",  # purchases recorded
    "退烧药",  # purchases with fever medicine
    "止咳药",
    "抗病毒药",
    "其他药品",
    "发热门诊登记",  # fever-clinic registrations
    "医学观察",  # observation visits
    "确诊或疑似",  # visits naming a confirmed or suspected case
)


def scenes_file_name(day: date) -> str:
    return f"scenes-{day.isoformat()}.csv"


def push_scenes(
    session: Session, day: date, out_dir: Path, time_zone: str = DEFAULT_TIME_ZONE
) -> tuple[Path, int]:
    """Write the day's pharmacy and clinic counts per region into `out_dir` (the passages'
    CSV conventions: UTF-8 with a BOM, CRLF, written then renamed); its path and row count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / scenes_file_name(day)
    rows = scene_counts(session, day, time_zone=time_zone)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(SCENES_COLUMNS)
            for r in rows:
                writer.writerow(
                    [
                        day.isoformat(),
                        escape_cell(r.region_code),
                        r.purchases,
                        *(r.bought(c) for c in MEDICINE_CATEGORIES),
                        r.clinic_registrations,
                        r.observation_visits,
                        r.confirmed_or_suspected,
                    ]
                )
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path, len(rows)
