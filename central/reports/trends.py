"""Trends for the dashboard and the reports page, counted in the database.

- `outcomes_per_day`: passages by outcome, and fevers, per local day over a run of days, summed
  from the day counters kept as passages are stored (`passage_days`): a province's week is a few
  thousand counters, not a million passages.
- `colours_by_sub_area`: code holders by colour in each sub-area of an area, summed from the
  counters the database keeps as colours change (`area_colour_counts`,
  central/issuance/area_colours.py): a province's people are a few rows per village.

Callers pass the account's scope pieces (visible checkpoints, the area's prefix), so a trend
never counts what the account may not see. Qt-free and independent of the kiosk package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from central.core.models import Kiosk, PassageDay
from central.core.regions import PREFIX_DIGITS, level_of
from central.issuance.area_colours import counts_within

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
class FleetHealth:
    """The kiosks in service (not revoked): how many, heard from lately, never heard from."""

    total: int
    online: int
    never: int
    backlog_records: int

    @property
    def silent(self) -> int:
        return self.total - self.online - self.never


@dataclass(frozen=True)
class AreaColours:
    code: str
    by_colour: tuple[int, ...]  # in the order of COLOURS

    @property
    def total(self) -> int:
        return sum(self.by_colour)


def outcomes_per_day(
    session: Session, checkpoints: Select[str], last_day: date, days: int
) -> list[DayCounts]:
    """Oldest day first, every day of the run present (zeros included), from the day counters
    kept as passages are stored (`passage_days`, central/kiosks/passage_days.py)."""
    first_day = last_day - timedelta(days=days - 1)
    rows = session.execute(
        select(
            PassageDay.day,
            PassageDay.outcome,
            func.sum(PassageDay.passages),
            func.sum(PassageDay.fevers),
        )
        .where(
            PassageDay.checkpoint_id.in_(checkpoints),
            PassageDay.day >= first_day,
            PassageDay.day <= last_day,
        )
        .group_by(PassageDay.day, PassageDay.outcome)
    ).all()
    counts = [[0] * len(OUTCOMES) for _ in range(days)]
    fevers = [0] * days
    for day, outcome, count, fever in rows:
        index = (day - first_day).days
        if outcome in OUTCOMES:
            counts[index][OUTCOMES.index(outcome)] += int(count)
        fevers[index] += int(fever or 0)
    return [
        DayCounts(first_day + timedelta(days=n), tuple(counts[n]), fevers[n]) for n in range(days)
    ]


def colours_by_sub_area(
    session: Session, prefix: str | None, sub_areas: Sequence[str]
) -> tuple[dict[str, int], list[AreaColours]]:
    """The people living in the area of `prefix` (an account's scope: None sees nobody) by
    colour, and the same for each sub-area (the children of one area, so of one level), from
    the counters the database keeps (`area_colour_counts`): the totals count everyone in the
    area, those who live at the area's own level included."""
    totals = dict.fromkeys(COLOURS, 0)
    if prefix is None:
        return totals, [AreaColours(code, (0,) * len(COLOURS)) for code in sub_areas]
    digits = PREFIX_DIGITS[level_of(sub_areas[0])] if sub_areas else len(prefix)
    found: dict[str, list[int]] = {}
    for (head, colour), count in counts_within(session, prefix, digits).items():
        if colour in COLOURS:
            found.setdefault(head, [0] * len(COLOURS))[COLOURS.index(colour)] += count
            totals[colour] += count
    return totals, [
        AreaColours(code, tuple(found.get(code[:digits], [0] * len(COLOURS)))) for code in sub_areas
    ]


def fleet_health(
    session: Session, kiosks: ColumnElement[bool], online_since: datetime
) -> FleetHealth:
    """One aggregate over the kiosks in scope (the dashboard needs counts, not each kiosk)."""
    in_service = kiosks & Kiosk.revoked_at.is_(None)
    total, online, never, backlog = session.execute(
        select(
            func.count(),
            func.sum(case((Kiosk.last_seen_at >= online_since, 1), else_=0)),
            func.sum(case((Kiosk.last_seen_at.is_(None), 1), else_=0)),
            func.sum(func.coalesce(Kiosk.backlog_records, 0)),
        ).where(in_service)
    ).one()
    return FleetHealth(int(total), int(online or 0), int(never or 0), int(backlog or 0))
