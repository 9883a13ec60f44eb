"""Passages counted per checkpoint, local day and outcome (`passage_days`), kept as they are
stored, so a dashboard of a province reads a few thousand counters instead of a million rows.

`count_passages` is called in the transaction that stored the passages (ingest, an imported
outbox file), with only the rows that were new: a duplicate upload counts nothing. The counters
are added with one upsert per (checkpoint, day, outcome), in a fixed order so two uploads of the
same checkpoint never wait on each other in opposite orders. Days are in the checkpoint's time
zone, Asia/Shanghai, as every other day of the reports.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from central.core.models import PassageDay

TIME_ZONE = ZoneInfo("Asia/Shanghai")


def local_day(moment: datetime) -> date:
    return moment.astimezone(TIME_ZONE).date()


class _LocalDays:
    """`local_day` for many moments, most of them in the same few days: a moment within the
    last day found is answered without a time zone conversion (a tenth of an upload's work)."""

    def __init__(self) -> None:
        self._last: tuple[datetime, datetime, date] | None = None  # [start, end) and its day

    def __call__(self, moment: datetime) -> date:
        last = self._last
        if last is not None and last[0] <= moment < last[1]:
            return last[2]
        day = local_day(moment)
        start = datetime.combine(day, time(), TIME_ZONE)
        self._last = (start, start + timedelta(days=1), day)
        return day


def count_passages(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Add passages (rows of `received_passages`) to the day counters; the rows counted."""
    passages: Counter[tuple[str, date, str]] = Counter()
    fevers: Counter[tuple[str, date, str]] = Counter()
    day_of = _LocalDays()
    for row in rows:
        key = (str(row["checkpoint_id"]), day_of(row["at"]), str(row["outcome"]))
        passages[key] += 1
        fevers[key] += int(bool(row["fever"]))
    if not passages:
        return 0
    connection = session.connection()
    values = [
        {
            "checkpoint_id": checkpoint,
            "day": day,
            "outcome": outcome,
            "passages": passages[(checkpoint, day, outcome)],
            "fevers": fevers[(checkpoint, day, outcome)],
        }
        for checkpoint, day, outcome in sorted(passages)
    ]
    connection.execute(_add_to_counters(connection.dialect.name), values)
    return sum(passages.values())


@functools.cache
def _add_to_counters(dialect: str) -> Insert:
    """The counters' upsert, built once per dialect (issue 28: not per upload)."""
    table: Table = PassageDay.__table__  # type: ignore[assignment]
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_update(
        index_elements=["checkpoint_id", "day", "outcome"],
        set_={
            "passages": table.c.passages + insert.excluded.passages,
            "fevers": table.c.fevers + insert.excluded.fevers,
        },
    )
