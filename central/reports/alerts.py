"""Alerts: fevers today, shared screenshots, silent kiosks and stale feeds.

Pure functions over plain rows with the time passed in; `load_alerts` reads the rows through an
account's scope and hands them over. A code is followed by its keyed index (`code_ix`) only: no
code id is ever decrypted for an alert, and no alert carries the index, a name or an ID number.

A shared screenshot shows as either
- impossible travel: the same code passing two different checkpoints in different counties (the
  six-digit region code of the passage) less than `travel_minutes` apart (no coordinates are
  kept, so the county is the unit of distance); or
- entering twice: two passes `in` at the same checkpoint with no `out` between, within
  `reentry_window`.
Only passes count: a denied person did not go through.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.core.models import FeverCase, Kiosk, ReceivedPassage
from central.core.scope import Scope
from central.kiosks.policy import MAX_FEED_AGE_S

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_TRAVEL_MINUTES = 10
DEFAULT_REENTRY_WINDOW = timedelta(hours=12)
DEFAULT_SILENT_AFTER = timedelta(hours=1)
PASS = "pass"  # noqa: S105 - an outcome, not a password
IN, OUT = "in", "out"


class AlertKind(StrEnum):
    IMPOSSIBLE_TRAVEL = "impossible_travel"
    ENTERED_TWICE = "entered_twice"
    KIOSK_SILENT = "kiosk_silent"
    STALE_FEED = "stale_feed"


@dataclass(frozen=True)
class Sighting:
    """One passage of a code: where, when, which way, and whether it let the person through."""

    passage_id: str
    code_ix: bytes
    checkpoint_id: str
    county: str
    at: datetime
    direction: str | None
    outcome: str


@dataclass(frozen=True)
class FeverRow:
    area: str
    at: datetime


@dataclass(frozen=True)
class KioskHealth:
    kiosk_id: str
    checkpoint_id: str
    last_seen_at: datetime | None
    enrolled_at: datetime
    feed_age_s: int | None


@dataclass(frozen=True)
class ScreenshotAlert:
    """The same code seen twice where one person could not be: the two passages, no code."""

    kind: AlertKind
    first_passage_id: str
    second_passage_id: str
    first_checkpoint_id: str
    second_checkpoint_id: str
    first_at: datetime
    second_at: datetime


@dataclass(frozen=True)
class KioskAlert:
    kind: AlertKind
    kiosk_id: str
    checkpoint_id: str
    last_seen_at: datetime | None
    feed_age_s: int | None


def local_day(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> tuple[datetime, datetime]:
    """The local calendar day around `moment`, as an aware [start, end) pair."""
    zone = ZoneInfo(time_zone)
    start = moment.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=1)).replace(tzinfo=None).replace(tzinfo=zone)
    return start, end


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))


def fevers_today(
    fevers: Iterable[FeverRow], now: datetime, time_zone: str = DEFAULT_TIME_ZONE
) -> dict[str, int]:
    """Fever cases of the local day of `now`, counted per area, areas in order."""
    start, end = local_day(now, time_zone)
    counts: dict[str, int] = defaultdict(int)
    for fever in fevers:
        if start <= _aware(fever.at) < end:
            counts[fever.area] += 1
    return dict(sorted(counts.items()))


def _pair(kind: AlertKind, first: Sighting, second: Sighting) -> ScreenshotAlert:
    return ScreenshotAlert(
        kind=kind,
        first_passage_id=first.passage_id,
        second_passage_id=second.passage_id,
        first_checkpoint_id=first.checkpoint_id,
        second_checkpoint_id=second.checkpoint_id,
        first_at=_aware(first.at),
        second_at=_aware(second.at),
    )


def shared_screenshots(
    sightings: Iterable[Sighting],
    *,
    travel_minutes: int = DEFAULT_TRAVEL_MINUTES,
    reentry_window: timedelta = DEFAULT_REENTRY_WINDOW,
) -> list[ScreenshotAlert]:
    """Impossible travel and entering twice, grouped by the code's keyed index, oldest first."""
    by_code: dict[bytes, list[Sighting]] = defaultdict(list)
    for sighting in sightings:
        if sighting.outcome == PASS:
            by_code[sighting.code_ix].append(sighting)
    travel = timedelta(minutes=travel_minutes)
    alerts: list[ScreenshotAlert] = []
    for passes in by_code.values():
        passes.sort(key=lambda s: (_aware(s.at), s.passage_id))
        for first, second in pairwise(passes):
            if (
                first.checkpoint_id != second.checkpoint_id
                and first.county != second.county
                and _aware(second.at) - _aware(first.at) < travel
            ):
                alerts.append(_pair(AlertKind.IMPOSSIBLE_TRAVEL, first, second))
        inside: dict[str, Sighting] = {}  # checkpoint -> its last `in` with no `out` since
        for sighting in passes:
            if sighting.direction == OUT:
                inside.pop(sighting.checkpoint_id, None)
            elif sighting.direction == IN:
                earlier = inside.get(sighting.checkpoint_id)
                if earlier is not None and _aware(sighting.at) - _aware(earlier.at) <= (
                    reentry_window
                ):
                    alerts.append(_pair(AlertKind.ENTERED_TWICE, earlier, sighting))
                inside[sighting.checkpoint_id] = sighting
    alerts.sort(key=lambda a: (a.second_at, a.kind, a.second_passage_id))
    return alerts


def kiosk_alerts(
    kiosks: Iterable[KioskHealth],
    now: datetime,
    *,
    silent_after: timedelta = DEFAULT_SILENT_AFTER,
    max_feed_age_s: int = MAX_FEED_AGE_S,
) -> list[KioskAlert]:
    """Kiosks not heard from for `silent_after` (since enrolment if never), or whose status feed
    is older than the policy allows (as the kiosk last reported it)."""
    alerts: list[KioskAlert] = []
    for kiosk in sorted(kiosks, key=lambda k: (k.checkpoint_id, k.kiosk_id)):
        heard = _aware(kiosk.last_seen_at or kiosk.enrolled_at)
        kinds = []
        if now - heard > silent_after:
            kinds.append(AlertKind.KIOSK_SILENT)
        if kiosk.feed_age_s is not None and kiosk.feed_age_s > max_feed_age_s:
            kinds.append(AlertKind.STALE_FEED)
        alerts.extend(
            KioskAlert(
                kind=kind,
                kiosk_id=kiosk.kiosk_id,
                checkpoint_id=kiosk.checkpoint_id,
                last_seen_at=None if kiosk.last_seen_at is None else _aware(kiosk.last_seen_at),
                feed_age_s=kiosk.feed_age_s,
            )
            for kind in kinds
        )
    return alerts


@dataclass(frozen=True)
class AlertSettings:
    time_zone: str = DEFAULT_TIME_ZONE
    travel_minutes: int = DEFAULT_TRAVEL_MINUTES
    reentry_window: timedelta = DEFAULT_REENTRY_WINDOW
    silent_after: timedelta = DEFAULT_SILENT_AFTER
    max_feed_age_s: int = MAX_FEED_AGE_S


@dataclass(frozen=True)
class Alerts:
    fevers_today: dict[str, int]
    shared_screenshots: list[ScreenshotAlert]
    kiosks: list[KioskAlert]


def load_alerts(
    session: Session, scope: Scope, now: datetime, settings: AlertSettings | None = None
) -> Alerts:
    """Every alert of the account's scope at `now`: rows are read through the scope only.

    Shared screenshots look back over the re-entry window (the longer of the two rules)."""
    settings = settings or AlertSettings()
    checkpoints = scope.visible_checkpoint_ids()
    start, _end = local_day(now, settings.time_zone)
    fever_rows = session.execute(
        select(FeverCase.region_code, FeverCase.at).where(
            FeverCase.checkpoint_id.in_(checkpoints), FeverCase.at >= start
        )
    )
    since = now - max(settings.reentry_window, timedelta(minutes=settings.travel_minutes))
    in_window = (
        ReceivedPassage.checkpoint_id.in_(checkpoints),
        ReceivedPassage.code_ix.is_not(None),
        ReceivedPassage.at >= since,
        ReceivedPassage.at <= now,
        ReceivedPassage.outcome == PASS,
    )
    # Only a code that passed twice can make a pair: the database finds those few codes, so a
    # province's day of passages is not read into the process.
    passed_twice = (
        select(ReceivedPassage.code_ix)
        .where(*in_window)
        .group_by(ReceivedPassage.code_ix)
        .having(func.count() > 1)
    )
    passage_rows = session.execute(
        select(
            ReceivedPassage.id,
            ReceivedPassage.code_ix,
            ReceivedPassage.checkpoint_id,
            ReceivedPassage.region_code,
            ReceivedPassage.at,
            ReceivedPassage.direction,
            ReceivedPassage.outcome,
        ).where(*in_window, ReceivedPassage.code_ix.in_(passed_twice))
    )
    kiosk_rows = session.execute(
        select(
            Kiosk.id, Kiosk.checkpoint_id, Kiosk.last_seen_at, Kiosk.enrolled_at, Kiosk.feed_age_s
        ).where(scope.kiosk_filter(), Kiosk.revoked_at.is_(None))
    )
    return Alerts(
        fevers_today=fevers_today(
            (FeverRow(area, at) for area, at in fever_rows), now, settings.time_zone
        ),
        shared_screenshots=shared_screenshots(
            (
                Sighting(pid, ix, cp, county, at, direction, outcome)
                for pid, ix, cp, county, at, direction, outcome in passage_rows
                if ix is not None
            ),
            travel_minutes=settings.travel_minutes,
            reentry_window=settings.reentry_window,
        ),
        kiosks=kiosk_alerts(
            (KioskHealth(*row) for row in kiosk_rows),
            now,
            silent_after=settings.silent_after,
            max_feed_age_s=settings.max_feed_age_s,
        ),
    )
