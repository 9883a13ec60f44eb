"""The residents' daily check-ins, for their area's region administrators and community
workers: a day (today at first), an area (the region picker, the account's own at first), who
checked in (abnormal answers first) or who has not. Read through the API's router function
(`central.issuance.routers.check_ins`) with the page's scope and auditor; names, ID numbers
and phones masked as the API hands them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from central.core.errors import RefusedError
from central.issuance.routers import check_ins as check_ins_api
from central.issuance.routers.common import app_keys
from central.issuance.rules import china_day
from central.web.task_forms import IssuingViewerDep

router = APIRouter(include_in_schema=False)
NAV = "nav_check_ins"


@router.get("/admin/check-ins")
def check_ins_page(
    viewer: IssuingViewerDep,
    day: Annotated[date | None, Query()] = None,
    area: Annotated[str | None, Query(pattern=r"^(\d{6,15})?$")] = None,
    missing: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    chosen_day = day or china_day(viewer.now)
    chosen_area = area or viewer.scope.area or ""
    try:
        rows = check_ins_api.check_ins(
            viewer.scope,
            viewer.session,
            app_keys(viewer.request.app.state),
            viewer.now,
            viewer.audit,
            day=chosen_day,
            area=chosen_area or None,
            missing=missing,
        )
    except RefusedError as error:
        return viewer.refusal(error, nav=NAV)
    areas = [chosen_area, *(r.residence_area for r in rows)]
    return viewer.page(
        "check_ins.html",
        nav=NAV,
        rows=rows,
        day=chosen_day.isoformat(),
        is_today=chosen_day == china_day(viewer.now),
        area=chosen_area,
        missing=missing,
        abnormal=sum(1 for r in rows if r.abnormal),
        region_names=viewer.region_names(areas),
        limit=check_ins_api.MAX_ROWS,
    )
