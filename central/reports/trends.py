"""Trends for the dashboard and the reports page, counted in the database.

- `outcomes_per_day`: passages by outcome, and fevers, per local day over a run of days: one
  grouped query over the (checkpoint, time) index, the day found by a CASE over the days'
  bounds, so SQLite and PostgreSQL count alike and a million passages are never loaded.
- `colours_by_sub_area`: code holders by colour in each sub-area of an area (one grouped
  query on the prefix of where people live).

Callers pass the account's scope pieces (visible checkpoints, the person filter), so a trend
never counts what the account may not see. Qt-free and independent of the kiosk package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import Session

from central.core.models import Person, ReceivedPassage
from central.core.regions import PREFIX_DIGITS, level_of

DEFAULT_TIME_ZONE = "Asia/Shanghai"
# The kiosk's outcomes (kiosk.checkpoint.outcome.Outcome values), in the order they are shown.
OUTCOMES = ("pass", "deny", "refer", "manual_check")
COLOURS = ("green", "yellow", "red")


@dataclass(frozen=True)
class DayCounts:
    day: date
    by_outcome: tuple[int, ...]  # in the order of OUTCOMES
    fevers: int

    @property
    def total(self) -> int:
        return sum(self.by_outcome)

    def count(self, outcome: str) -> int:
        return self.by_outcome[OUTCOMES.index(outcome)]


@dataclass(frozen=True)
class AreaColours:
    code: str
    by_colour: tuple[int, ...]  # in the order of COLOURS

    @property
    def total(self) -> int:
        return sum(self.by_colour)


def day_start_utc(day: date, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone)).astimezone(ZoneInfo("UTC"))


def outcomes_per_day(
    session: Session,
    checkpoints: Select[tuple[str]],
    last_day: date,
    days: int,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[DayCounts]:
    """Oldest day first, every day of the run present (zeros included)."""
    first_day = last_day - timedelta(days=days - 1)
    bounds = [day_start_utc(first_day + timedelta(days=n), time_zone) for n in range(days + 1)]
    # The day of each row by a CASE over the bounds, in a subquery so the grouping names a
    # column (PostgreSQL does not match a CASE of bound parameters in GROUP BY to the select).
    day_index = (
        case(
            *((ReceivedPassage.at < bound, n) for n, bound in enumerate(bounds[1:-1])),
            else_=days - 1,
        )
        if days > 1
        else literal(0)
    )
    rows_of_days = (
        select(
            day_index.label("day_index"),
            ReceivedPassage.outcome.label("outcome"),
            case((ReceivedPassage.fever, 1), else_=0).label("fever"),
        )
        .where(
            ReceivedPassage.checkpoint_id.in_(checkpoints),
            ReceivedPassage.at >= bounds[0],
            ReceivedPassage.at < bounds[-1],
        )
        .subquery()
    )
    rows = session.execute(
        select(
            rows_of_days.c.day_index,
            rows_of_days.c.outcome,
            func.count(),
            func.sum(rows_of_days.c.fever),
        ).group_by(rows_of_days.c.day_index, rows_of_days.c.outcome)
    ).all()
    counts = [[0] * len(OUTCOMES) for _ in range(days)]
    fevers = [0] * days
    for index, outcome, count, fever in rows:
        if outcome in OUTCOMES:
            counts[int(index)][OUTCOMES.index(outcome)] += int(count)
        fevers[int(index)] += int(fever or 0)
    return [
        DayCounts(first_day + timedelta(days=n), tuple(counts[n]), fevers[n]) for n in range(days)
    ]


def colours_by_sub_area(
    session: Session, people: ColumnElement[bool], sub_areas: Sequence[str]
) -> list[AreaColours]:
    """For each sub-area (the children of one area, so of one level), its people by colour."""
    if not sub_areas:
        return []
    digits = PREFIX_DIGITS[level_of(sub_areas[0])]
    prefix = func.substr(Person.residence_area, 1, digits)
    rows = session.execute(
        select(prefix, Person.colour, func.count()).where(people).group_by(prefix, Person.colour)
    ).all()
    found: dict[str, list[int]] = {}
    for head, colour, count in rows:
        if colour in COLOURS:
            found.setdefault(str(head), [0] * len(COLOURS))[COLOURS.index(colour)] += int(count)
    return [
        AreaColours(code, tuple(found.get(code[:digits], [0] * len(COLOURS)))) for code in sub_areas
    ]
