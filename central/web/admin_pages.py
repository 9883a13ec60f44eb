"""The dashboard of an area, accounts, enterprises and an enterprise's staff.

Every read and write goes through the JSON API's router functions
(`central.<domain>.routers.*`), called with the page's scope and auditor: the same rules,
the same refusals, the same audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from central.administration.routers import accounts as accounts_api
from central.administration.routers import regions as regions_api
from central.administration.routers.accounts import AccountIn, CreatedAccount, EnterpriseIn
from central.administration.staff_state import roster_csv, staff_states
from central.core.audit import Action, entries_together
from central.core.errors import ApiError, RefusedError
from central.core.scope import AREA_ROLES, ENTERPRISE_ROLES, Role
from central.issuance.routers.common import app_keys
from central.reports.alerts import (
    DEFAULT_SILENT_AFTER,
    DEFAULT_TRAVEL_MINUTES,
    AlertSettings,
    load_alerts,
)
from central.reports.trends import colours_by_sub_area, fleet_health, outcomes_per_day
from central.web.charts import ECHARTS_VERSION, colours_chart, fleet_chart, outcomes_chart
from central.web.render import LOCAL_ZONE, FormDep, Viewer, ViewerDep, language_of
from central.web.task_forms import (
    form_values,
    industry_names,
    refusal_beside,
    refusal_status,
    validation_errors,
)
from central.web.task_words import why
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
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
)


# Where a refusal's reason is shown on the account forms (its `why_*`/`err_*` key -> field).
ACCOUNT_FIELDS = {
    "why_username_taken": "username",
    "err_username": "username",
    "err_mobile": "mobile",
    "err_industry": "industry",
    "err_enterprise_needed": "enterprise_id",
    "why_enterprise_outside": "enterprise_id",
    "why_enterprise_missing": "enterprise_id",
    "why_own_enterprise": "mobile",
    "why_staff_by_enterprise": "role",
    "why_staff_only": "mobile",
    "why_creates_none": "role",
    "why_liaison_phone": "phone",
}
ACCOUNT_FORM = ("username", "role", "area_code", "industry", "enterprise_id", "phone")
ENTERPRISE_FORM = ("name", "area_code", "industry")


@dataclass
class Form:
    """A form's typed values and the errors beside its fields (in the page's language)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _activation_link(viewer: Viewer, created: CreatedAccount) -> str:
    return f"{viewer.request.base_url}setup?token={created.activation_token}"


# ------------------------------------------------------------------------------- dashboard


@router.get("/admin")
def dashboard(
    viewer: ViewerDep, area: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None
) -> HTMLResponse:
    """One area's figures: the account's own, or an area inside it (the picker)."""
    with entries_together(viewer.session):  # six reads, one commit of their audit entries
        return _dashboard(viewer, area)


def _dashboard(viewer: Viewer, area: str | None) -> HTMLResponse:
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
        colours, by_area = colours_by_sub_area(session, scope.prefix, sub_areas)
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
    form: Form | None = None,
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
        industries=industry_names(viewer.translator),
        form=form or Form(),
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
    t = viewer.translator
    typed = Form(form_values(form, ACCOUNT_FORM))
    try:
        body = AccountIn.model_validate({k: v or None for k, v in typed.values.items()})
    except ValidationError as error:
        typed.errors = validation_errors(t, error)
        return _accounts_page(viewer, form=typed, status_code=400)
    try:
        created = accounts_api.create(
            body, viewer.session, viewer.scope, viewer.now, viewer.settings
        )
    except RefusedError as error:
        viewer.session.rollback()
        typed.errors = refusal_beside(t, error, ACCOUNT_FIELDS, "area_code")
        return _accounts_page(viewer, form=typed, status_code=refusal_status(error))
    return _accounts_page(viewer, created=created, status_code=201)


# ----------------------------------------------------------------------------- enterprises


def _enterprises_page(
    viewer: Viewer, *, created_name: str = "", form: Form | None = None, status_code: int = 200
) -> HTMLResponse:
    enterprises = accounts_api.list_enterprises(viewer.session, viewer.scope, viewer.audit)
    return viewer.page(
        "enterprises.html",
        nav="nav_enterprises",
        status_code=status_code,
        enterprises=enterprises,
        region_names=viewer.region_names(e.area_code for e in enterprises),
        may_create=viewer.scope.role is Role.REGION_ADMIN,
        industries=industry_names(viewer.translator),
        form=form or Form(),
        created_name=created_name,
    )


@router.get("/admin/enterprises")
def enterprises_page(viewer: ViewerDep) -> HTMLResponse:
    return _enterprises_page(viewer)


@router.post("/admin/enterprises")
def create_enterprise(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_enterprises")
    t = viewer.translator
    typed = Form(form_values(form, ENTERPRISE_FORM))
    try:
        body = EnterpriseIn.model_validate(typed.values)
    except ValidationError as error:
        typed.errors = validation_errors(t, error)
        return _enterprises_page(viewer, form=typed, status_code=400)
    try:
        created = accounts_api.create_enterprise(body, viewer.session, viewer.scope, viewer.now)
    except RefusedError as error:
        viewer.session.rollback()
        typed.errors = refusal_beside(t, error, ACCOUNT_FIELDS, "area_code")
        return _enterprises_page(viewer, form=typed, status_code=refusal_status(error))
    return _enterprises_page(viewer, created_name=created.name, status_code=201)


# ------------------------------------------------------------------- an enterprise's staff


def staff_page_with(
    viewer: Viewer,
    *,
    declaration_form: Form | None = None,
    declared: tuple[str, str] | None = None,
    roster_upload: object | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The staff page after an organisation's declaration (central/web/staff_declarations.py)
    or its roster file (central/web/staff_roster_upload.py)."""
    return _staff_page(
        viewer,
        declaration_form=declaration_form,
        declared=declared,
        roster_upload=roster_upload,
        status_code=status_code,
    )


def _staff_page(
    viewer: Viewer,
    *,
    created: CreatedAccount | None = None,
    form: Form | None = None,
    declaration_form: Form | None = None,
    declared: tuple[str, str] | None = None,
    roster_upload: object | None = None,
    status_code: int = 200,
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
            form=Form(),
            created=None,
            activation_link="",
            declaration_form=Form(),
            declared=None,
            roster_upload=None,
        )
    session, audit = viewer.session, viewer.audit
    enterprise = accounts_api.read_enterprise(scope.enterprise_id, session, scope, audit)
    staff = [
        a
        for a in accounts_api.list_accounts(session, scope, audit, viewer.now)
        if a.role is Role.EPIDEMIC_STAFF
    ]
    roster = staff_states(
        session, scope, audit, viewer.cipher, app_keys(viewer.request.app.state).issuer, viewer.now
    )
    return viewer.page(
        "staff.html",
        nav="nav_staff",
        status_code=status_code,
        enterprise=enterprise,
        staff=staff,
        roster=roster,
        may_add=scope.role is Role.ENTERPRISE_ADMIN,
        form=form or Form(),
        created=created,
        activation_link=_activation_link(viewer, created) if created else "",
        declaration_form=declaration_form or Form(),
        declared=declared,
        roster_upload=roster_upload,
    )


@router.get("/admin/staff")
def staff_page(viewer: ViewerDep) -> HTMLResponse:
    return _staff_page(viewer)


@router.get("/admin/staff/roster.csv")
def export_roster(viewer: ViewerDep) -> Response:
    """The 花名册 with each employee's state today, for its enterprise (audited as an export)."""
    scope = viewer.scope
    if scope.role not in ENTERPRISE_ROLES or scope.enterprise_id is None:
        return viewer.page(
            "message.html", nav="nav_staff", status_code=403, message_key="forbidden", detail=""
        )
    issuer = app_keys(viewer.request.app.state).issuer
    states = staff_states(
        viewer.session, scope, viewer.audit, viewer.cipher, issuer, viewer.now, Action.EXPORT
    )
    day = viewer.now.astimezone(LOCAL_ZONE).date().isoformat()
    return Response(
        roster_csv(states),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="roster-{day}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/admin/staff")
def add_staff(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    """An enterprise administrator adds an epidemic-staff member by mobile number."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_staff")
    t = viewer.translator
    typed = Form(form_values(form, ("mobile",)))
    try:
        body = AccountIn(
            username=typed.values["mobile"],
            role=Role.EPIDEMIC_STAFF,
            enterprise_id=viewer.scope.enterprise_id,
        )
    except ValidationError:
        typed.errors = {"mobile": t("err_mobile")}
        return _staff_page(viewer, form=typed, status_code=400)
    try:
        created = accounts_api.create(
            body, viewer.session, viewer.scope, viewer.now, viewer.settings
        )
    except RefusedError as error:
        viewer.session.rollback()
        key = why(error.refusal_detail)
        typed.errors = {"mobile": t("why_mobile_taken" if key == "why_username_taken" else key)}
        return _staff_page(viewer, form=typed, status_code=refusal_status(error))
    return _staff_page(viewer, created=created, status_code=201)
