"""The server-rendered administration pages (issue 14): Chinese first, phone and desktop.

Plain HTML forms; the scripts are the region picker's (central/web/region_picker.py) and the
charts' (central/web/charts.py). Every page behind the login reads through the account's scope
and is audited exactly as the JSON API (the pages call the API's router functions); every form
carries a CSRF token bound to the session (`central.web.csrf`). See docs/admin.md, "Web pages"
and "The region picker".
"""

from __future__ import annotations

from fastapi import APIRouter

from central.web import (
    admin_pages,
    case_pages,
    charts,
    check_in_pages,
    fleet_pages,
    issuer_pages,
    login,
    national_pages,
    proxy_pages,
    record_pages,
    region_picker,
    report_pages,
    scene_pages,
    staff_declarations,
    staff_roster_upload,
    tip_off_pages,
)

router = APIRouter(include_in_schema=False)
for _module in (
    login,
    admin_pages,
    fleet_pages,
    report_pages,
    scene_pages,
    region_picker,
    charts,
    proxy_pages,
    case_pages,
    record_pages,
    tip_off_pages,
    staff_declarations,
    staff_roster_upload,
    check_in_pages,
    national_pages,
    issuer_pages,
):
    router.include_router(_module.router)
