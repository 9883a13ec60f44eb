"""The dashboard of an area, accounts, enterprises and an enterprise's staff.

Every read and write goes through the JSON API's router functions
(`central.<domain>.routers.*`), called with the page's scope and auditor: the same rules,
the same refusals, the same audit entries.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from central.administration.routers import accounts as accounts_api
from central.administration.routers import employees as employees_api
from central.administration.routers import regions as regions_api
from central.administration.routers.accounts import AccountIn, CreatedAccount, EnterpriseIn
from central.core.audit import Action
from central.core.errors import ApiError, RefusedError
from central.core.scope import AREA_ROLES, ENTERPRISE_ROLES, Role
from central.reports.alerts import (
    DEFAULT_SILENT_AFTER,
    DEFAULT_TRAVEL_MINUTES,
    AlertSettings,
    load_alerts,
)
from central.reports.trends import colours_by_sub_area, fleet_health, outcomes_per_day
from central.web.charts import ECHARTS_VERSION, colours_chart, fleet_chart, outcomes_chart
from central.web.render import LOCAL_ZONE, FormDep, Viewer, ViewerDep, language_of
from sync.schemas import RefusalReason

router = APIRouter(include_in_schema=False)

COLOURS = ("green", "yellow", "red")
# What a region administrator may create here (epidemic staff come from the staff page).
CREATABLE_ROLES = (
    Role.REGION_ADMIN,
    Role.TECHNICIAN,
    Role.SUPERVISOR,
    Role.INDUSTRY_DEPARTMENT,
    Role.ENTERPRISE_ADMIN,
)


def _bad_input(viewer: Viewer, error: ValidationError, *, nav: str) -> HTMLResponse:
    fields = ", ".join(str(e["loc"][-1]) for e in error.errors() if e.get("loc"))
    return viewer.refusal(ApiError(400, RefusalReason.BAD_REQUEST, fields), nav=nav)


def _activation_link(viewer: Viewer, created: CreatedAccount) -> str:
    return f"{viewer.request.base_url}setup?token={created.activation_token}"


# ------------------------------------------------------------------------------- dashboard


@router.get("/admin")
def dashboard(
    viewer: ViewerDep, area: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None
) -> HTMLResponse:
    """One area's figures: the account's own, or an area inside it (the picker)."""
    scope = viewer.scope
    if area is not None and area != scope.area:
        if scope.role not in AREA_ROLES or not scope.covers(area):
            return viewer.refusal(
                ApiError(404, RefusalReason.NOT_FOUND, "no such area"), nav="nav_dashboard"
            )
        scope = replace(scope, area=area)
    audit = viewer.auditor_for(scope)
    session = viewer.session
    fleet = fleet_health(session, scope.kiosk_filter(), viewer.now - DEFAULT_SILENT_AFTER)
    audit.record(Action.LIST, "kiosk", fleet.total)
    found = load_alerts(session, scope, viewer.now, AlertSettings())
    fevers_today = sum(found.fevers_today.values())
    # the same entries the alerts page lists: today's fevers, shared screenshots, kiosks
    alert_count = fevers_today + len(found.shared_screenshots) + len(found.kiosks)
    audit.record(Action.LIST, "alert", alert_count)
    colours: dict[str, int] | None = None
    children = []
    area_name = ""
    if scope.role in AREA_ROLES and scope.area is not None:
        children = regions_api.list_regions(session, scope, audit, parent=scope.area)
        try:
            region = regions_api.read_region(scope.area, session, scope, audit)
            english = language_of(viewer.request) == "en" and region.name_en
            area_name = region.name_en if english and region.name_en else region.name_zh
        except RefusedError:
            area_name = ""
    t = viewer.translator
    charts = []
    if scope.role is Role.REGION_ADMIN:
        sub_areas = [child.code for child in children]
        colours, by_area = colours_by_sub_area(session, scope.person_filter(), sub_areas)
        audit.record(Action.LIST, "person", sum(colours.values()))
        if by_area:
            names = viewer.region_names(sub_areas)
            charts.append(colours_chart(t, "colours", by_area, names))
    week = outcomes_per_day(
        session, scope.visible_checkpoint_ids(), viewer.now.astimezone(LOCAL_ZONE).date(), 7
    )
    audit.record(Action.LIST, "passage", sum(d.total for d in week))
    charts.insert(0, outcomes_chart(t, "outcomes", week))
    charts.append(fleet_chart(t, "fleet", fleet.online, fleet.silent, fleet.never))
    return viewer.page(
        "dashboard.html",
        nav="nav_dashboard",
        area=scope.area or "",
        area_name=area_name,
        own_area=viewer.scope.area or "",
        children=children,
        colours=colours,
        fevers_today=fevers_today,
        kiosks_online=fleet.online,
        kiosks_total=fleet.total,
        backlog=fleet.backlog_records,
        alert_count=alert_count,
        travel_minutes=DEFAULT_TRAVEL_MINUTES,
        charts=charts,
        echarts_version=ECHARTS_VERSION,
    )


# -------------------------------------------------------------------------------- accounts


def _accounts_page(
    viewer: Viewer,
    *,
    created: CreatedAccount | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session, scope, audit = viewer.session, viewer.scope, viewer.audit
    accounts = accounts_api.list_accounts(session, scope, audit, viewer.now)
    may_create = scope.role is Role.REGION_ADMIN
    enterprises = accounts_api.list_enterprises(session, scope, audit) if may_create else []
    return viewer.page(
        "accounts.html",
        nav="nav_accounts",
        status_code=status_code,
        accounts=accounts,
        region_names=viewer.region_names(a.area_code for a in accounts),
        may_create=may_create,
        roles=CREATABLE_ROLES,
        enterprises=enterprises,
        created=created,
        activation_link=_activation_link(viewer, created) if created else "",
    )


@router.get("/admin/accounts")
def accounts_page(viewer: ViewerDep) -> HTMLResponse:
    return _accounts_page(viewer)


@router.post("/admin/accounts")
def create_account(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_accounts")
    try:
        body = AccountIn(
            username=form.get("username", ""),
            role=Role(form.get("role", "")),
            area_code=form.get("area_code") or None,
            industry=form.get("industry") or None,
            enterprise_id=form.get("enterprise_id") or None,
        )
    except ValidationError as error:
        return _bad_input(viewer, error, nav="nav_accounts")
    except ValueError:
        return viewer.refusal(ApiError(400, RefusalReason.BAD_REQUEST, "role"), nav="nav_accounts")
    try:
        created = accounts_api.create(
            body, viewer.session, viewer.scope, viewer.now, viewer.settings
        )
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_accounts")
    return _accounts_page(viewer, created=created, status_code=201)


# ----------------------------------------------------------------------------- enterprises


def _enterprises_page(
    viewer: Viewer, *, created_name: str = "", status_code: int = 200
) -> HTMLResponse:
    enterprises = accounts_api.list_enterprises(viewer.session, viewer.scope, viewer.audit)
    return viewer.page(
        "enterprises.html",
        nav="nav_enterprises",
        status_code=status_code,
        enterprises=enterprises,
        region_names=viewer.region_names(e.area_code for e in enterprises),
        may_create=viewer.scope.role is Role.REGION_ADMIN,
        created_name=created_name,
    )


@router.get("/admin/enterprises")
def enterprises_page(viewer: ViewerDep) -> HTMLResponse:
    return _enterprises_page(viewer)


@router.post("/admin/enterprises")
def create_enterprise(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_enterprises")
    try:
        body = EnterpriseIn(
            name=form.get("name", ""),
            area_code=form.get("area_code", ""),
            industry=form.get("industry", ""),
        )
    except ValidationError as error:
        return _bad_input(viewer, error, nav="nav_enterprises")
    try:
        created = accounts_api.create_enterprise(body, viewer.session, viewer.scope, viewer.now)
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_enterprises")
    return _enterprises_page(viewer, created_name=created.name, status_code=201)


# ------------------------------------------------------------------- an enterprise's staff


def _staff_page(
    viewer: Viewer, *, created: CreatedAccount | None = None, status_code: int = 200
) -> HTMLResponse:
    scope = viewer.scope
    if scope.role not in ENTERPRISE_ROLES or scope.enterprise_id is None:
        return viewer.page(
            "staff.html",
            nav="nav_staff",
            status_code=status_code,
            enterprise=None,
            staff=[],
            roster=[],
            may_add=False,
            created=None,
            activation_link="",
        )
    session, audit = viewer.session, viewer.audit
    enterprise = accounts_api.read_enterprise(scope.enterprise_id, session, scope, audit)
    staff = [
        a
        for a in accounts_api.list_accounts(session, scope, audit, viewer.now)
        if a.role is Role.EPIDEMIC_STAFF
    ]
    roster = employees_api.list_employees(
        session, scope, audit, viewer.cipher, department=None, limit=500, offset=0
    )
    return viewer.page(
        "staff.html",
        nav="nav_staff",
        status_code=status_code,
        enterprise=enterprise,
        staff=staff,
        roster=roster,
        may_add=scope.role is Role.ENTERPRISE_ADMIN,
        created=created,
        activation_link=_activation_link(viewer, created) if created else "",
    )


@router.get("/admin/staff")
def staff_page(viewer: ViewerDep) -> HTMLResponse:
    return _staff_page(viewer)


@router.post("/admin/staff")
def add_staff(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    """An enterprise administrator adds an epidemic-staff member by mobile number."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_staff")
    try:
        body = AccountIn(
            username=form.get("mobile", ""),
            role=Role.EPIDEMIC_STAFF,
            enterprise_id=viewer.scope.enterprise_id,
        )
    except ValidationError as error:
        return _bad_input(viewer, error, nav="nav_staff")
    try:
        created = accounts_api.create(
            body, viewer.session, viewer.scope, viewer.now, viewer.settings
        )
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_staff")
    return _staff_page(viewer, created=created, status_code=201)
