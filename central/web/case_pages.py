"""Fever cases (open first; confirm or dismiss), clinic events, and area risk levels (set and
lifted, with the people who would change colour shown before saving, and the recomputation's
progress).

Every read and write is the API's router function (`central.issuance.routers.*`) called with
the page's scope and auditor: the same rules, refusals and audit entries. A form answers on its
own page with what was typed kept and each error beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select

from central.core.errors import RefusedError
from central.core.models import Administrator
from central.core.scope import Role
from central.issuance import changes
from central.issuance.declarations import IdType
from central.issuance.routers import area_risks as risks_api
from central.issuance.routers import clinic as clinic_api
from central.issuance.routers import fever_cases as fever_api
from central.issuance.routers.common import app_keys
from central.issuance.rules import RiskLevel
from central.issuance.schemas import (
    AreaRiskIn,
    AreaRiskPreviewOut,
    ClinicEventIn,
    FeverDecisionIn,
)
from central.kiosks.routers import fleet as fleet_api
from central.web.render import FormDep, Viewer, ViewerDep
from central.web.task_forms import declaration_field, refusal_words, validation_errors

router = APIRouter(include_in_schema=False)

FEVER_STATUSES = ("open", "confirmed", "dismissed")
DECIDERS = {Role.REGION_ADMIN, Role.SUPERVISOR, Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_STAFF}
JOBS_REFRESH_S = 3

# ------------------------------------------------------------------------------ fever cases


def _fever_page(
    viewer: Viewer,
    status: str,
    *,
    decided: tuple[str, str | None] | None = None,
    errors: dict[str, str] | None = None,
    chosen: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """`errors` and `chosen` (the reason picked) by case id: a refused decision's row keeps
    what was chosen, with the error beside it."""
    cases = fever_api.fever_cases(viewer.scope, viewer.session, viewer.audit, status)
    names = {
        c.checkpoint_id: c.name
        for c in fleet_api.list_fleet(viewer.session, viewer.scope, viewer.audit)
    }
    deciders = {c.decided_by for c in cases if c.decided_by}
    usernames = {
        account_id: username
        for account_id, username in viewer.session.execute(
            select(Administrator.id, Administrator.username).where(Administrator.id.in_(deciders))
        )
    }
    return viewer.page(
        "fever_cases.html",
        nav="nav_fever_cases",
        status_code=status_code,
        status=status,
        statuses=FEVER_STATUSES,
        cases=cases,
        checkpoint_names=names,
        decider_names=usernames,
        may_decide=viewer.scope.role in DECIDERS,
        reasons=changes.FEVER_REASONS,
        decided=decided,
        errors=errors or {},
        chosen=chosen or {},
    )


@router.get("/admin/fever-cases")
def fever_cases_page(
    viewer: ViewerDep,
    status: Annotated[str, Query(pattern="^(open|confirmed|dismissed)$")] = "open",
) -> HTMLResponse:
    return _fever_page(viewer, status)


@router.post("/admin/fever-cases/{case_id}/decision")
def decide_fever_case(case_id: str, viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_fever_cases")
    t = viewer.translator
    reason = form.get("reason", "")
    chosen = {case_id: reason}
    if not reason:  # the page asks for the reason (the API takes a decision without one)
        errors = {case_id: t("fever_err_reason")}
        return _fever_page(viewer, "open", errors=errors, chosen=chosen, status_code=400)
    try:
        body = FeverDecisionIn.model_validate(
            {"decision": form.get("decision", ""), "reason": reason}
        )
    except ValidationError:
        errors = {case_id: t("err_choose")}
        return _fever_page(viewer, "open", errors=errors, chosen=chosen, status_code=400)
    sessions = viewer.request.app.state.sessions
    keys = app_keys(viewer.request.app.state)
    try:
        colour = fever_api.decide_fever_case(
            case_id, body, viewer.scope, sessions, keys, viewer.now, viewer.audit
        )
    except RefusedError as error:
        viewer.session.rollback()
        words = refusal_words(t, error)
        if error.status_code == 404:
            return viewer.refusal(error, nav="nav_fever_cases")  # not in the area: nothing more
        return _fever_page(
            viewer,
            "open",
            errors={case_id: words},
            chosen=chosen,
            status_code=400 if error.status_code == 422 else error.status_code,
        )
    return _fever_page(viewer, "open", decided=(body.decision.value, colour.colour))


# ---------------------------------------------------------------------------- clinic events


def _clinic_page(
    viewer: Viewer,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    recorded: tuple[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return viewer.page(
        "clinic_events.html",
        nav="nav_clinic",
        status_code=status_code,
        may_record=viewer.scope.role is Role.REGION_ADMIN,
        id_types=list(IdType),
        events=list(changes.ClinicEvent),
        values=values or {},
        errors=errors or {},
        recorded=recorded,
    )


@router.get("/admin/clinic-events")
def clinic_page(viewer: ViewerDep) -> HTMLResponse:
    return _clinic_page(viewer)


@router.post("/admin/clinic-events")
def record_clinic_event(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_clinic")
    t = viewer.translator
    values = {name: form.get(name, "") for name in ("id_type", "id_number", "event")}
    try:
        body = ClinicEventIn.model_validate(
            {
                "id_type": values["id_type"] or IdType.RESIDENT_ID,
                "id_number": values["id_number"],
                "event": values["event"],
            }
        )
    except ValidationError as error:
        return _clinic_page(
            viewer, values=values, errors=validation_errors(t, error), status_code=400
        )
    sessions = viewer.request.app.state.sessions
    keys = app_keys(viewer.request.app.state)
    try:
        colour = clinic_api.clinic_event(
            body, viewer.scope, sessions, keys, viewer.now, viewer.audit
        )
    except RefusedError as error:
        viewer.session.rollback()
        at = "id_number" if error.status_code == 404 else "event"
        at = declaration_field(error) or at
        return _clinic_page(
            viewer,
            values=values,
            errors={at: refusal_words(t, error)},
            status_code=error.status_code,
        )
    return _clinic_page(viewer, recorded=(body.event.value, colour.colour or ""))


# ------------------------------------------------------------------------ area risk levels


@dataclass
class RiskForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    preview: AreaRiskPreviewOut | None = None
    saved: bool = False


def _risks_page(viewer: Viewer, form: RiskForm, *, status_code: int = 200) -> HTMLResponse:
    session, scope, audit = viewer.session, viewer.scope, viewer.audit
    levels = risks_api.area_risks(scope, session, audit)
    jobs = risks_api.recompute_jobs(scope, session, audit, None)
    running = any(job.status != "done" for job in jobs)
    codes = [r.area_code for r in levels] + [j.area_code for j in jobs]
    if form.values.get("area_code"):
        codes.append(form.values["area_code"])
    return viewer.page(
        "area_risks.html",
        nav="nav_area_risks",
        status_code=status_code,
        may_set=scope.role is Role.REGION_ADMIN,
        levels=levels,
        jobs=jobs,
        refresh_s=JOBS_REFRESH_S if running and not form.preview else 0,
        risk_levels=list(RiskLevel),
        form=form,
        region_names=viewer.region_names(codes),
    )


@router.get("/admin/area-risks")
def risks_page(viewer: ViewerDep) -> HTMLResponse:
    return _risks_page(viewer, RiskForm())


def _risk_body(viewer: Viewer, form: FormDep) -> tuple[AreaRiskIn | None, RiskForm]:
    values = {name: form.get(name, "") for name in ("area_code", "level")}
    found = RiskForm(values=values)
    try:
        return AreaRiskIn.model_validate(values), found
    except ValidationError as error:
        found.errors = validation_errors(viewer.translator, error)
        return None, found


@router.post("/admin/area-risks/preview")
def preview_risk(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    """Step one: how many people the level would change; the page then offers to save it."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_area_risks")
    body, found = _risk_body(viewer, form)
    if body is None:
        return _risks_page(viewer, found, status_code=400)
    try:
        found.preview = risks_api.preview_risk(
            viewer.scope, viewer.session, viewer.now, viewer.audit, body.area_code, body.level
        )
    except RefusedError as error:
        viewer.session.rollback()
        found.errors = {"area_code": refusal_words(viewer.translator, error)}
        return _risks_page(viewer, found, status_code=error.status_code)
    return _risks_page(viewer, found)


@router.post("/admin/area-risks")
def set_risk(viewer: ViewerDep, form: FormDep, background: BackgroundTasks) -> HTMLResponse:
    """Step two (or a lift from the list): the level is stored and the recomputation starts."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_area_risks")
    body, found = _risk_body(viewer, form)
    if body is None:
        return _risks_page(viewer, found, status_code=400)
    sessions = viewer.request.app.state.sessions
    try:
        risks_api.set_area_risk(
            body, viewer.scope, sessions, viewer.now, viewer.request, background
        )
    except RefusedError as error:
        viewer.session.rollback()
        found.errors = {"area_code": refusal_words(viewer.translator, error)}
        return _risks_page(viewer, found, status_code=error.status_code)
    return _risks_page(viewer, RiskForm(saved=True), status_code=202)
