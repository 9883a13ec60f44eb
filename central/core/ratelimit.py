"""Fixed-window rate limits: kept in the database, so every process counts the same hits
(`hit`), or, for public reference data, in the process (`MemoryWindows`)."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.core.models import RateLimitHit


def hit(sessions: sessionmaker[Session], bucket: str, limit: int, now: datetime) -> bool:
    """Count one hit in this minute's window; False once the window holds `limit` hits."""
    window_start = now.replace(second=0, microsecond=0)
    for _attempt in range(3):
        try:
            with sessions() as session, session.begin():
                result = session.execute(
                    update(RateLimitHit)
                    .where(RateLimitHit.bucket == bucket, RateLimitHit.window_start == window_start)
                    .values(hits=RateLimitHit.hits + 1)
                    .returning(RateLimitHit.hits)
                )
                hits = result.scalar_one_or_none()
                if hits is None:
                    # A new window: the bucket's earlier windows count no more.
                    session.execute(
                        delete(RateLimitHit).where(
                            RateLimitHit.bucket == bucket, RateLimitHit.window_start < window_start
                        )
                    )
                    session.add(RateLimitHit(bucket=bucket, window_start=window_start, hits=1))
                    hits = 1
                return hits <= limit
        except IntegrityError:
            continue  # another process opened the window first: count in it
    return False


def give_back(sessions: sessionmaker[Session], bucket: str, now: datetime) -> None:
    """Uncount one hit of this minute's window (a request that turned out to do nothing)."""
    window_start = now.replace(second=0, microsecond=0)
    with sessions() as session, session.begin():
        session.execute(
            update(RateLimitHit)
            .where(
                RateLimitHit.bucket == bucket,
                RateLimitHit.window_start == window_start,
                RateLimitHit.hits > 0,
            )
            .values(hits=RateLimitHit.hits - 1)
        )


class MemoryWindows:
    """Fixed-window counts kept in this process only, for look-ups of public reference data
    (the region picker's): a database write per look-up cost more than the look-up itself
    (bench/web.py), and what the limit protects is the server's time, not a secret, so each
    serving process counting alone is enough."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window: datetime | None = None
        self._hits: dict[str, int] = {}

    def hit(self, bucket: str, limit: int, now: datetime) -> bool:
        """Count one hit in this minute's window; False once the window holds `limit` hits."""
        window_start = now.replace(second=0, microsecond=0)
        with self._lock:
            if window_start != self._window:
                self._window, self._hits = window_start, {}
            hits = self._hits.get(bucket, 0) + 1
            self._hits[bucket] = hits
            return hits <= limit
