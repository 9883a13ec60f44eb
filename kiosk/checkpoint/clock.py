"""Clock trust: boxes without a clock battery boot in 1970, and some clocks are simply wrong.

The kiosk keeps a trusted-time floor: the newest of the last server time, the newest verified
issued-at of a code and the newest feed as-of time. Time never counts as earlier than the floor.
When the server's time was learned in this boot, the monotonic clock carries it forward and the
wall clock is trusted only while it agrees with it; otherwise the wall clock is trusted only
while it is not behind the floor. Day boundaries are in the checkpoint's time zone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_TOLERANCE = timedelta(minutes=2)


@dataclass(frozen=True)
class ClockReading:
    now_utc: datetime
    trusted: bool
    offset: timedelta  # how far the wall clock is from the time used (0 when trusted)


@dataclass(frozen=True)
class ServerReference:
    server_utc: datetime
    monotonic_s: float


class TrustedClock:
    def __init__(
        self,
        floor_utc: datetime | None = None,
        tolerance: timedelta = DEFAULT_TOLERANCE,
    ) -> None:
        self.floor_utc = floor_utc
        self.tolerance = tolerance
        self.reference: ServerReference | None = None
        self._lock = threading.Lock()  # the floor is raised from the scan and sync threads

    def learn_server_time(self, server_utc: datetime, monotonic_s: float) -> None:
        self.reference = ServerReference(server_utc, monotonic_s)
        self.raise_floor(server_utc)

    def raise_floor(self, moment_utc: datetime) -> None:
        """Something verified proves the time is at least this (a code's issued-at, a feed
        batch's as-of time, a server answer)."""
        with self._lock:
            if self.floor_utc is None or moment_utc > self.floor_utc:
                self.floor_utc = moment_utc

    def read(self, wall_utc: datetime, monotonic_s: float) -> ClockReading:
        if self.reference is not None:
            expected = self.reference.server_utc + timedelta(
                seconds=monotonic_s - self.reference.monotonic_s
            )
            if abs(wall_utc - expected) <= self.tolerance:
                return ClockReading(max(wall_utc, self.floor_utc or wall_utc), True, timedelta(0))
            now = max(expected, self.floor_utc or expected)
            return ClockReading(now, False, wall_utc - now)
        if self.floor_utc is not None and wall_utc < self.floor_utc - self.tolerance:
            return ClockReading(self.floor_utc, False, wall_utc - self.floor_utc)
        return ClockReading(max(wall_utc, self.floor_utc or wall_utc), True, timedelta(0))


def local_day(moment_utc: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    """The calendar day at the checkpoint (14-day rules, daily counts, retention)."""
    return moment_utc.astimezone(ZoneInfo(time_zone)).date()


def day_start_utc(day: date, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    zone = ZoneInfo(time_zone)
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(ZoneInfo("UTC"))
