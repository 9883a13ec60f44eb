"""Alerts for administrators: fevers today, shared screenshots, silent kiosks, stale feeds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionDep
from central.core.schemas import ApiModel
from central.core.scope import ScopeDep
from central.reports.alerts import (
    DEFAULT_SILENT_AFTER,
    DEFAULT_TRAVEL_MINUTES,
    AlertSettings,
    load_alerts,
)
from sync.schemas import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/alerts", tags=["alerts"])


class ScreenshotAlertOut(ApiModel):
    kind: str
    first_passage_id: str
    second_passage_id: str
    first_checkpoint_id: str
    second_checkpoint_id: str
    first_at: datetime
    second_at: datetime


class KioskAlertOut(ApiModel):
    kind: str
    kiosk_id: str
    checkpoint_id: str
    last_seen_at: datetime | None
    feed_age_s: int | None


class AlertsOut(ApiModel):
    at: datetime
    fevers_today: dict[str, int]
    shared_screenshots: list[ScreenshotAlertOut]
    kiosks: list[KioskAlertOut]


@router.get("")
def list_alerts(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    now: NowDep,
    travel_minutes: Annotated[
        int, Query(ge=1, le=24 * 60, description="two counties closer in time are impossible")
    ] = DEFAULT_TRAVEL_MINUTES,
    reentry_hours: Annotated[
        int, Query(ge=1, le=72, description="window for entering twice without leaving")
    ] = 12,
    silent_minutes: Annotated[
        int, Query(ge=1, le=7 * 24 * 60, description="a kiosk not heard from this long")
    ] = int(DEFAULT_SILENT_AFTER.total_seconds() // 60),
) -> AlertsOut:
    """The alerts of the caller's area now; every row is read through its scope."""
    found = load_alerts(
        session,
        scope,
        now,
        AlertSettings(
            travel_minutes=travel_minutes,
            reentry_window=timedelta(hours=reentry_hours),
            silent_after=timedelta(minutes=silent_minutes),
        ),
    )
    answer = AlertsOut(
        at=now,
        fevers_today=found.fevers_today,
        shared_screenshots=[
            ScreenshotAlertOut(
                kind=a.kind.value,
                first_passage_id=a.first_passage_id,
                second_passage_id=a.second_passage_id,
                first_checkpoint_id=a.first_checkpoint_id,
                second_checkpoint_id=a.second_checkpoint_id,
                first_at=a.first_at,
                second_at=a.second_at,
            )
            for a in found.shared_screenshots
        ],
        kiosks=[
            KioskAlertOut(
                kind=a.kind.value,
                kiosk_id=a.kiosk_id,
                checkpoint_id=a.checkpoint_id,
                last_seen_at=a.last_seen_at,
                feed_age_s=a.feed_age_s,
            )
            for a in found.kiosks
        ],
    )
    count = len(answer.fevers_today) + len(answer.shared_screenshots) + len(answer.kiosks)
    audit.record(Action.LIST, "alert", count)
    return answer
