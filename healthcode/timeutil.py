"""Conversions between aware UTC datetimes and the integer seconds (NumericDate) on the wire."""

from __future__ import annotations

from datetime import UTC, datetime


def to_epoch_s(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return int(moment.timestamp())


def from_epoch_s(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
