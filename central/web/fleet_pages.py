"""The kiosk fleet (checkpoints, kiosks' health, enrollment codes, revoking) and the alerts.

Reads and writes are the JSON API's router functions, called with the page's scope and auditor.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from central.administration.routers import accounts as accounts_api
from central.administration.routers import checkpoints as checkpoints_api
from central.administration.schemas import CheckpointIn, EnrollmentCodeOut
from central.core import regions
from central.core.errors import RefusedError
from central.core.scope import ENTERPRISE_ROLES, Role
from central.kiosks.routers import fleet as fleet_api
from central.kiosks.routers import kiosks as kiosks_api
from central.reports.alerts import (
    DEFAULT_REENTRY_WINDOW,
    DEFAULT_SILENT_AFTER,
    DEFAULT_TRAVEL_MINUTES,
    AlertKind,
    KioskHealth,
    kiosk_alerts,
)
from central.reports.routers import alerts as alerts_api
from central.tipoffs import resend
from central.tipoffs import service as tip_offs
from central.web.render import FormDep, Viewer, ViewerDep, language_of
from central.web.task_forms import (
    form_values,
    refusal_beside,
    refusal_status,
    refusal_words,
    validation_errors,
)
from sync.schemas import CheckpointType

router = APIRouter(include_in_schema=False)

MANAGERS = frozenset({Role.REGION_ADMIN, Role.TECHNICIAN, Role.ENTERPRISE_ADMIN})


# Where a refusal of the checkpoint form is shown (its `why_*`/`err_*` key -> field).
CHECKPOINT_FIELDS = {
    "err_name": "name",
    "err_address": "address",
    "err_choose": "checkpoint_type",
    "why_gate_enterprise": "enterprise_id",
    "why_enterprise_missing": "enterprise_id",
}
CHECKPOINT_FORM = ("name", "checkpoint_type", "area_code", "address", "enterprise_id")


def _fleet_page(
    viewer: Viewer,
    *,
    code: EnrollmentCodeOut | None = None,
    notice_key: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    fleet = fleet_api.list_fleet(viewer.session, viewer.scope, viewer.audit)
    names = {c.checkpoint_id: c.name for c in fleet}
    # The same thresholds as the alerts (central.reports.alerts), marked on the kiosks' rows.
    health = [
        KioskHealth(k.kiosk_id, k.checkpoint_id, k.last_seen_at, k.enrolled_at, k.feed_age_s)
        for c in fleet
        for k in c.kiosks
        if k.revoked_at is None
    ]
    flagged = kiosk_alerts(health, viewer.now)
    may_register = viewer.scope.role in (Role.REGION_ADMIN, Role.TECHNICIAN)
    # An enterprise's gate is registered under it (its administrator then sees and manages it):
    # the enterprises of the area to pick from (a list read, audited).
    enterprises = (
        accounts_api.list_enterprises(viewer.session, viewer.scope, viewer.audit)
        if may_register
        else []
    )
    return viewer.page(
        "fleet.html",
        silent={a.kiosk_id for a in flagged if a.kind is AlertKind.KIOSK_SILENT},
        stale={a.kiosk_id for a in flagged if a.kind is AlertKind.STALE_FEED},
        nav="nav_fleet",
        status_code=status_code,
        fleet=fleet,
        region_names=viewer.region_names(c.area_code for c in fleet),
        may_manage=viewer.scope.role in MANAGERS,
        may_register=may_register,
        enterprises=enterprises,
        checkpoint_types=list(CheckpointType),
        own_area=viewer.scope.area or "",
        code=code,
        code_checkpoint=names.get(code.checkpoint_id, "") if code else "",
        qr_data=base64.b64encode(code.qr_png).decode() if code else "",
        notice_key=notice_key,
        values=values or {"area_code": viewer.scope.area or ""},
        errors=errors or {},
    )


@router.get("/admin/fleet")
def fleet_page(viewer: ViewerDep) -> HTMLResponse:
    return _fleet_page(viewer)


@router.post("/admin/fleet/checkpoints")
def register_checkpoint(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_fleet")
    t = viewer.translator
    values = form_values(form, CHECKPOINT_FORM)
    area = values["area_code"]
    enterprise_gate = viewer.scope.role in ENTERPRISE_ROLES
    try:
        body = CheckpointIn.model_validate(
            {
                "name": values["name"],
                "checkpoint_type": values["checkpoint_type"] or None,
                "region_code": area[:6],
                "address": values["address"],
                "area_code": area or None,
                "enterprise_id": viewer.scope.enterprise_id
                if enterprise_gate
                else values["enterprise_id"] or None,
            }
        )
    except ValidationError as error:
        errors = validation_errors(t, error)
        if "region_code" in errors:  # the area's first six digits: the area is at fault
            errors.setdefault("area_code", errors.pop("region_code"))
        return _fleet_page(viewer, values=values, errors=errors, status_code=400)
    try:
        checkpoints_api.register(body, viewer.session, viewer.now, viewer.scope)
    except RefusedError as error:
        viewer.session.rollback()
        errors = refusal_beside(t, error, CHECKPOINT_FIELDS, "area_code")
        return _fleet_page(viewer, values=values, errors=errors, status_code=refusal_status(error))
    return _fleet_page(viewer, notice_key="checkpoint_created", status_code=201)


@router.post("/admin/fleet/checkpoints/{checkpoint_id}/enrollment-code")
def create_enrollment_code(checkpoint_id: str, viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    """The code is shown once, on this answer only (with its QR and expiry)."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_fleet")
    tokens = viewer.request.app.state.tokens
    try:
        code = checkpoints_api.create_enrollment_code(
            checkpoint_id, viewer.session, viewer.now, tokens, viewer.settings, viewer.scope
        )
    except RefusedError as error:
        if error.status_code == 404:  # not in the area: nothing more is said
            return viewer.refusal(error, nav="nav_fleet")
        viewer.session.rollback()
        words = {f"code-{checkpoint_id}": refusal_words(viewer.translator, error)}
        return _fleet_page(viewer, errors=words, status_code=refusal_status(error))
    return _fleet_page(viewer, code=code, status_code=201)


@router.get("/admin/fleet/kiosks/{kiosk_id}/revoke")
def confirm_revoke(kiosk_id: str, viewer: ViewerDep) -> HTMLResponse:
    try:
        kiosk = kiosks_api.read_kiosk(kiosk_id, viewer.session, viewer.scope, viewer.audit)
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_fleet")
    return viewer.page("revoke.html", nav="nav_fleet", kiosk=kiosk, refusal="")


@router.post("/admin/fleet/kiosks/{kiosk_id}/revoke")
def revoke_kiosk(kiosk_id: str, viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_fleet")
    try:
        kiosks_api.revoke_kiosk(kiosk_id, viewer.session, viewer.now, viewer.scope)
    except RefusedError as error:
        if error.status_code == 404:  # not in the area: nothing more is said
            return viewer.refusal(error, nav="nav_fleet")
        viewer.session.rollback()
        kiosk = kiosks_api.read_kiosk(kiosk_id, viewer.session, viewer.scope, viewer.audit)
        return viewer.page(
            "revoke.html",
            nav="nav_fleet",
            status_code=refusal_status(error),
            kiosk=kiosk,
            refusal=refusal_words(viewer.translator, error),
        )
    return _fleet_page(viewer, notice_key="kiosk_revoked")


@router.get("/admin/alerts")
def alerts_page(viewer: ViewerDep) -> HTMLResponse:
    found = alerts_api.list_alerts(
        viewer.session,
        viewer.scope,
        viewer.audit,
        viewer.now,
        travel_minutes=DEFAULT_TRAVEL_MINUTES,
        reentry_hours=int(DEFAULT_REENTRY_WINDOW.total_seconds() // 3600),
        silent_minutes=int(DEFAULT_SILENT_AFTER.total_seconds() // 60),
    )
    # Checkpoint names for the alerts: the fleet as this account sees it (audited as a read).
    fleet = fleet_api.list_fleet(viewer.session, viewer.scope, viewer.audit)
    names = {c.checkpoint_id: c.name for c in fleet}
    # The fevers' areas by name: region names are public reference data, not a personal read.
    english = language_of(viewer.request) == "en"
    area_names = regions.names_of(viewer.session, found.fevers_today, english=english)
    # Tip-offs not visited in time (issue 25): counts only, as the tip-offs' overview has them.
    within = timedelta(hours=viewer.settings.tip_off_visit_within_h)
    overdue = tip_offs.counts_of(
        tip_offs.overview(viewer.session, viewer.scope, viewer.now, within)
    )
    return viewer.page(
        "alerts.html",
        nav="nav_alerts",
        alerts=found,
        names=names,
        area_names=area_names,
        tip_offs_overdue=overdue["overdue"],
        tip_offs_sms_gave_up=resend.count_gave_up(viewer.session, tip_offs.visible(viewer.scope)),
    )
