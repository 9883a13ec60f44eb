"""Fixed-window rate limits kept in the database, so every process counts the same hits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.models import RateLimitHit

WINDOW = timedelta(minutes=1)


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
                    session.add(RateLimitHit(bucket=bucket, window_start=window_start, hits=1))
                    hits = 1
                return hits <= limit
        except IntegrityError:
            continue  # another process opened the window first: count in it
    return False


def purge(session: Session, now: datetime) -> None:
    session.execute(
        RateLimitHit.__table__.delete().where(RateLimitHit.window_start < now - WINDOW)
    )
