"""The pharmacy's and clinic's counts as a page (issue 25): per area of the account's
checkpoints and one local day, purchases by medicine category, fever-clinic registrations,
observation visits and confirmed or suspected cases, with a chart; reached from the reports page.
The figures are `GET /api/v1/reports/scenes`'s (the same scope and audit entry)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from central.reports.routers import reports as reports_api
from central.reports.scenes import MEDICINE_CATEGORIES, SceneCounts
from central.web.charts import ECHARTS_VERSION, ChartSpec, Series
from central.web.i18n import Translator
from central.web.render import ViewerDep
from central.web.report_pages import local_today

router = APIRouter(include_in_schema=False)
# Medicine as the kiosk's categories read (warm for fever, cool for cough), the clinic's after.
CATEGORY_COLOURS = {
    "fever": "#C62828",
    "cough": "#1565C0",
    "antiviral": "#6A1B9A",
    "other": "#757575",
}
CLINIC_COLOURS = {"clinic_registrations": "#E65100", "observation_visits": "#2E7D32"}


@router.get("/admin/reports/scenes")
def scene_counts_page(
    viewer: ViewerDep, day: Annotated[date | None, Query()] = None
) -> HTMLResponse:
    chosen = day or local_today(viewer.now)
    rows = reports_api.scenes_report(
        session=viewer.session,
        scope=viewer.scope,
        audit=viewer.audit,
        now=viewer.now,
        day=chosen,
    )
    names = viewer.region_names(r.region_code for r in rows)
    t = viewer.translator
    return viewer.page(
        "scene_counts.html",
        nav="nav_reports",
        day=chosen,
        rows=rows,
        total=total_of(rows),
        categories=MEDICINE_CATEGORIES,
        region_names=names,
        chart=scenes_chart(t, "scenes", rows, names),
        echarts_version=ECHARTS_VERSION,
    )


def total_of(rows: list[SceneCounts]) -> SceneCounts:
    counted = [name for name in SceneCounts.__dataclass_fields__ if name != "region_code"]
    return SceneCounts("", *(sum(int(getattr(r, name)) for r in rows) for name in counted))


def scenes_chart(
    t: Translator, chart_id: str, rows: list[SceneCounts], names: dict[str, str]
) -> ChartSpec:
    """Per area, horizontal stacked bars: purchases by category, then the clinic's visits."""
    medicine = tuple(
        Series(t(f"scene_{c}"), CATEGORY_COLOURS[c], tuple(r.bought(c) for r in rows))
        for c in MEDICINE_CATEGORIES
    )
    clinic = tuple(
        Series(t(f"scene_{name}"), colour, tuple(int(getattr(r, name)) for r in rows))
        for name, colour in CLINIC_COLOURS.items()
    )
    return ChartSpec(
        chart_id,
        t("scene_chart"),
        tuple(names.get(r.region_code, r.region_code) for r in rows),
        (*medicine, *clinic),
        horizontal=True,
        words={"empty": t("scene_none")},
    )
