"""Reports: a day's figures and the week before it, for the account's checkpoints, and the
day's push file as a download (`central.routers.reports.daily_report`, audited as an export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from central.audit import Action
from central.models import ReceivedPassage
from central.reports import day_bounds, previous_day
from central.routers import reports as reports_api
from central.web.render import LOCAL_ZONE, Viewer, ViewerDep, aware

router = APIRouter(include_in_schema=False)
WEEK_DAYS = 7


@dataclass(frozen=True)
class DayFigures:
    day: date
    passages: int
    passed: int
    denied: int
    other: int
    fevers: int


def _figures(viewer: Viewer, last_day: date, days: int) -> list[DayFigures]:
    """Counts per local day, newest first, of the passages at the account's checkpoints."""
    start, _ = day_bounds(last_day - timedelta(days=days - 1))
    _, end = day_bounds(last_day)
    rows = viewer.session.execute(
        select(
            ReceivedPassage.at,
            ReceivedPassage.outcome,
            ReceivedPassage.fever,
        ).where(
            ReceivedPassage.checkpoint_id.in_(viewer.scope.visible_checkpoint_ids()),
            ReceivedPassage.at >= start,
            ReceivedPassage.at < end,
        )
    ).all()
    counts: dict[date, list[int]] = {
        last_day - timedelta(days=n): [0, 0, 0, 0, 0] for n in range(days)
    }
    for at, outcome, fever in rows:
        tally = counts.get(aware(at).astimezone(LOCAL_ZONE).date())
        if tally is None:
            continue
        tally[0] += 1
        tally[1 if outcome == "pass" else 2 if outcome == "deny" else 3] += 1
        tally[4] += int(bool(fever))
    viewer.audit.record(Action.LIST, "passage", len(rows))
    return [DayFigures(day, *tally) for day, tally in counts.items()]


@router.get("/admin/reports")
def reports_page(viewer: ViewerDep, day: Annotated[date | None, Query()] = None) -> HTMLResponse:
    chosen = day or previous_day(viewer.now)
    week = _figures(viewer, chosen, WEEK_DAYS)
    return viewer.page(
        "reports.html",
        nav="nav_reports",
        day=chosen,
        today=week[0],
        week=week,
    )


@router.get("/admin/reports/daily.csv")
def daily_push_file(viewer: ViewerDep, day: Annotated[date | None, Query()] = None) -> Response:
    response = reports_api.daily_report(
        viewer.session, viewer.scope, viewer.audit, viewer.request.app.state.keys, viewer.now, day
    )
    response.headers["Cache-Control"] = "no-store"
    return response
