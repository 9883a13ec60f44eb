"""Reports: a day's figures and the week before it, for the account's checkpoints; the day's
push file and the week's usage statistics as downloads (`central.reports.routers.reports`); and
filtered exports (`central.reports.routers.exports`, made in the background with progress).

A filtered export is a POST (the person filter is an ID number: never in a URL); its progress
page refreshes itself (no script) until the file is ready, then offers the download.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from central.administration.routers import accounts as accounts_api
from central.core.audit import Action, entries_together
from central.core.errors import RefusedError
from central.reports.exports import ExportFormat, ExportKind, ExportState
from central.reports.routers import exports as exports_api
from central.reports.routers import reports as reports_api
from central.reports.trends import OUTCOMES, DayCounts, outcomes_per_day
from central.web.charts import ECHARTS_VERSION, outcomes_chart
from central.web.render import LOCAL_ZONE, FormDep, Viewer, ViewerDep
from central.web.task_forms import form_values, refusal_beside, refusal_status, validation_errors
from healthcode.claims import Colour

router = APIRouter(include_in_schema=False)
WEEK_DAYS = 7
REFRESH_S = 2  # the progress page reloads itself this often until the file is ready


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_ZONE).date()


RANGES = (7, 30)  # the days a report's chart and table cover


def _trend(viewer: Viewer, last_day: date, days: int) -> list[DayCounts]:
    """Counts per local day, oldest first, of the passages at the account's checkpoints."""
    counted = outcomes_per_day(
        viewer.session, viewer.scope.visible_checkpoint_ids(), last_day, days
    )
    viewer.audit.record(Action.LIST, "passage", sum(d.total for d in counted))
    return counted


@router.get("/admin/reports")
def reports_page(
    viewer: ViewerDep,
    day: Annotated[date | None, Query()] = None,
    days: Annotated[int, Query()] = WEEK_DAYS,
) -> HTMLResponse:
    """Opens on today (figures as they arrive); `days` is 7 or 30."""
    with entries_together(viewer.session):  # three reads, one commit of their audit entries
        return _reports_page(viewer, day or local_today(viewer.now), days if days in RANGES else 7)


EXPORT_FORM = (
    "kind",
    "format",
    "region_code",
    "colour",
    "enterprise_id",
    "id_number",
    "first_day",
    "last_day",
    "fever_only",
)
# Where an export's refusal is shown (its `why_*`/`err_*` key -> field).
EXPORT_FIELDS = {
    "err_id_number": "id_number",
    "err_day_order": "last_day",
    "err_day": "first_day",
    "why_enterprise_missing": "enterprise_id",
}


def _reports_page(
    viewer: Viewer,
    chosen: date,
    days: int = WEEK_DAYS,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    trend = _trend(viewer, chosen, days)
    session, scope, audit = viewer.session, viewer.scope, viewer.audit
    iso = chosen.isocalendar()
    t = viewer.translator
    return viewer.page(
        "reports.html",
        nav="nav_reports",
        status_code=status_code,
        day=chosen,
        days=days,
        ranges=RANGES,
        is_today=chosen == local_today(viewer.now),
        iso_week=f"{iso.year}-W{iso.week:02d}",
        today=trend[-1],
        trend=list(reversed(trend)),  # the table: newest first
        outcomes=OUTCOMES,
        chart=outcomes_chart(t, "outcomes", trend),
        echarts_version=ECHARTS_VERSION,
        enterprises=accounts_api.list_enterprises(session, scope, audit),
        exports=exports_api.exports_list(session=session, scope=scope, audit=audit, now=viewer.now),
        colours=list(Colour),
        kinds=list(ExportKind),
        formats=list(ExportFormat),
        values=values or {},
        errors=errors or {},
    )


@router.get("/admin/reports/daily.csv")
def daily_push_file(viewer: ViewerDep, day: Annotated[date | None, Query()] = None) -> Response:
    response = reports_api.daily_report(
        session=viewer.session,
        scope=viewer.scope,
        audit=viewer.audit,
        keys=viewer.request.app.state.keys,
        now=viewer.now,
        day=day,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/reports/weekly.csv")
def weekly_usage_file(
    viewer: ViewerDep, week: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    """The week's usage file; a malformed week answers the refusal page in the page's words."""
    try:
        response = reports_api.weekly_report(
            session=viewer.session,
            scope=viewer.scope,
            audit=viewer.audit,
            now=viewer.now,
            week=week,
        )
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_reports")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/reports/exports")
def start_export(viewer: ViewerDep, form: FormDep) -> Response:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_reports")
    t = viewer.translator
    values = form_values(form, EXPORT_FORM)
    today = local_today(viewer.now)
    filters = {
        name: values[name] or None
        for name in ("region_code", "colour", "enterprise_id", "id_number", "first_day")
    }
    try:
        body = exports_api.ExportIn.model_validate(
            {
                "kind": values["kind"] or ExportKind.PASSAGES.value,
                "format": values["format"] or ExportFormat.CSV.value,
                "filters": filters
                | {
                    "last_day": values["last_day"] or None,
                    "fever_only": values["fever_only"] == "1",
                },
            }
        )
    except ValidationError as error:
        errors = validation_errors(t, error)
        return _reports_page(viewer, today, values=values, errors=errors, status_code=400)
    try:
        started = exports_api.create_export(
            body=body,
            session=viewer.session,
            scope=viewer.scope,
            settings=viewer.settings,
            now=viewer.now,
        )
    except RefusedError as error:
        viewer.session.rollback()
        errors = refusal_beside(t, error, EXPORT_FIELDS, "region_code")
        return _reports_page(
            viewer, today, values=values, errors=errors, status_code=refusal_status(error)
        )
    return RedirectResponse(f"/admin/reports/exports/{started.export_id}", status_code=303)


@router.get("/admin/reports/exports/{export_id}")
def export_progress(export_id: str, viewer: ViewerDep) -> HTMLResponse:
    """Reloads itself every few seconds while the export is worked (no script)."""
    try:
        found = exports_api.export_progress(
            export_id=export_id,
            session=viewer.session,
            scope=viewer.scope,
            audit=viewer.audit,
            now=viewer.now,
        )
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_reports")
    working = found.status in (ExportState.QUEUED, ExportState.RUNNING)
    return viewer.page(
        "export.html",
        nav="nav_reports",
        export=found,
        percent=int(found.progress * 100),
        refresh_s=REFRESH_S if working else 0,
    )


@router.get("/admin/reports/exports/{export_id}/download")
def export_download(export_id: str, viewer: ViewerDep) -> Response:
    try:
        response = exports_api.export_download(
            export_id=export_id,
            session=viewer.session,
            scope=viewer.scope,
            audit=viewer.audit,
            now=viewer.now,
        )
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_reports")
    response.headers["Cache-Control"] = "no-store"
    return response
