"""Manual entry of an ID number by staff, checked with GB 11643 (healthcode.identity)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from healthcode.identity import IdNumberError, mask_id_number, validate_id_number


@dataclass(frozen=True)
class ManualIdEntry:
    """An ID number typed by staff: valid by GB 11643, but not read from a card."""

    id_number: str
    entered_at_utc: dt.datetime

    def __repr__(self) -> str:
        return f"ManualIdEntry(id_number={mask_id_number(self.id_number)!r})"


def manual_id_entry(text: str, entered_at_utc: dt.datetime) -> ManualIdEntry:
    """The normalised number, or IdNumberError naming what is wrong (length, check ...)."""
    number = validate_id_number(text, today=entered_at_utc.date())
    return ManualIdEntry(number, entered_at_utc)


__all__ = ["IdNumberError", "ManualIdEntry", "manual_id_entry"]
