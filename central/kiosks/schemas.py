"""The answer describing a kiosk, shared by the kiosk and fleet routes and pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.core.schemas import ApiModel


class KioskOut(ApiModel):
    kiosk_id: str
    checkpoint_id: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    software_version: str | None
    backlog_records: int | None
    feed_age_s: int | None
    clock_offset_s: int | None
    free_disk_bytes: int | None
    error_counts: dict[str, Any] | None
