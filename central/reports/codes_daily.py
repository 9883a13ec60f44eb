"""The daily push of codes (issue 25, notice 001: 所有类型（包括红码、黄码、绿码）数据信息,
every day before 10:00): per area and colour, the codes issued and the colour changes of the
previous local day, and the holders of each colour when the file is made.

One row per (area, colour) with anything to say: the area is the holder's residence to the town
or street (the first nine digits of its region code; a residence given only to the county keeps
its six), so the file stays the size of the province's streets, not of its people. Counts only:
no name, ID number, phone or code id. The same CSV conventions as the passages' push
(central/reports/daily.py: UTF-8 with a BOM, CRLF, formulas defused, written then renamed).

- 新赋码: codes first issued that day, by their colour now;
- 转为该颜色: colour changes of that day into that colour (the status feed's entries);
- 持码人数: the people holding a code of that colour now.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.core.models import Person, StatusFeedEntry
from central.reports.daily import DEFAULT_TIME_ZONE, day_bounds, escape_cell

AREA_DIGITS = 9
COLOURS = ("green", "yellow", "red")
CODES_COLUMNS: tuple[str, ...] = (
    "日期",  # the local day, YYYY-MM-DD
    "区划代码",  # the residence's town or street (9 digits), or its county (6)
    "颜色",  # 绿码 / 黄码 / 红码
    "新赋码",  # codes first issued that day
    "转为该颜色",  # colour changes that day into this colour
    "持码人数",  # holders of this colour when the file was made
)
COLOUR_WORDS = {"green": "绿码", "yellow": "黄码", "red": "红码"}


def codes_file_name(day: date) -> str:
    return f"codes-{day.isoformat()}.csv"


def code_counts(
    session: Session, day: date, time_zone: str = DEFAULT_TIME_ZONE
) -> dict[tuple[str, str], list[int]]:
    """(area, colour) -> [issued that day, changed into it that day, holders now]."""
    start, end = day_bounds(day, time_zone)
    people = Person.people_table
    colours = Person.colours_table
    area = func.substr(people.c.residence_area, 1, AREA_DIGITS)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    joined = people.join(colours, colours.c.person_id == people.c.id)
    issued = session.execute(
        select(area, colours.c.colour, func.count())
        .select_from(joined)
        .where(people.c.created_at >= start, people.c.created_at < end)
        .group_by(area, colours.c.colour)
    )
    for code, colour, count in issued:
        counts[(str(code), str(colour))][0] += int(count)
    changed = session.execute(
        select(area, StatusFeedEntry.colour, func.count())
        .select_from(StatusFeedEntry)
        .join(people, people.c.code_id == StatusFeedEntry.code_id)
        .where(StatusFeedEntry.at >= start, StatusFeedEntry.at < end)
        .group_by(area, StatusFeedEntry.colour)
    )
    for code, colour, count in changed:
        counts[(str(code), str(colour))][1] += int(count)
    holders = session.execute(
        select(area, colours.c.colour, func.count())
        .select_from(joined)
        .group_by(area, colours.c.colour)
    )
    for code, colour, count in holders:
        counts[(str(code), str(colour))][2] += int(count)
    return dict(counts)


def _colour_order(colour: str) -> int:
    return COLOURS.index(colour) if colour in COLOURS else len(COLOURS)


def push_codes(
    session: Session, day: date, out_dir: Path, time_zone: str = DEFAULT_TIME_ZONE
) -> tuple[Path, int]:
    """Write the day's codes push into `out_dir`; its path and its row count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / codes_file_name(day)
    counts = code_counts(session, day, time_zone)
    keys = sorted(counts, key=lambda key: (key[0], _colour_order(key[1])))
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(CODES_COLUMNS)
            for area, colour in keys:
                issued, changed, holders = counts[(area, colour)]
                cells = [day.isoformat(), area, COLOUR_WORDS.get(colour, colour)]
                writer.writerow([escape_cell(c) for c in cells] + [issued, changed, holders])
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path, len(keys)
