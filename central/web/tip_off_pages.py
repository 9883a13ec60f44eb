"""Tip-offs (issue 25): the resident's phone-first form and the staff's page.

- `GET /tip-off` (`?kind=clue|supervision`), `POST /tip-off`: no login, a plain form (no script
  but the region picker's), bound by a CSRF nonce cookie; what was typed is kept and each error
  is shown beside its field. A client address may post `tip_offs_per_address_per_minute` (counted
  in each process). The
  stored tip-off is dispatched to its liaison, whose SMS is sent after the answer
  (central/tipoffs/service.py).
- `GET /admin/tip-offs`: a grid worker's tip-offs, or an administrator's or supervisor's area's
  with the overview per area below and the alert of those not visited in time;
  `POST /admin/tip-offs/{id}/progress`: visited, then closed with the feedback.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Annotated, Any, TypeVar, cast

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from central.core import regions
from central.core.audit import Auditor
from central.core.cipher import RecordCipher
from central.core.deps import NowDep, PageAdminDep, SessionDep, SettingsDep
from central.core.errors import RefusedError
from central.core.ratelimit import MemoryWindows
from central.core.regions import RegionCodeError, level_of
from central.core.scope import PUBLIC_ROUTES, Role, Scope, TipOffPageScopeDep
from central.tipoffs import service
from central.tipoffs.resend import MAX_RESENDS
from central.tipoffs.service import Kind, NewTipOff, ReportType, Situation, Status, TipOffError
from central.tipoffs.writer import NotStoredError, TipOffWriter
from central.web import csrf
from central.web.i18n import Translator
from central.web.render import CipherDep, FormDep, Viewer, language_of, render

router = APIRouter(include_in_schema=False)

PAGE_PATH = "/tip-off"
STAFF_PATH = "/admin/tip-offs"
NAV = "nav_tip_offs"
PURPOSE = "tip_off"
BINDING = "resident tip-off form"
FIELDS = ("kind", "area_code", "place", "clue_name", "situation", "report_type", "description")
PUBLIC_ROUTES.update(
    {
        ("GET", PAGE_PATH): "the residents' tip-off form; it shows no stored data",
        ("POST", PAGE_PATH): "a resident's tip-off (a CSRF nonce, throttled per address)",
    }
)


def _resident_page(
    request: Request,
    cipher: RecordCipher,
    *,
    kind: Kind,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    sent: str | None = None,
    area_name: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    nonce, token = csrf.issue(cipher, purpose=PURPOSE, binding=BINDING)
    response = render(
        request,
        "resident_tip_off.html",
        status_code=status_code,
        page="tip-off",
        words={},
        refresh_every_s=0,
        sms_wait_s=0,
        viewer=None,
        kind=kind.value,
        situations=list(Situation),
        report_types=list(ReportType),
        values=values or {},
        errors=errors or {},
        sent=sent,
        area_name=area_name,
        csrf_token=token,
    )
    secure = request.url.scheme == "https"
    csrf.set_cookie(response, nonce, purpose=PURPOSE, path=PAGE_PATH, secure=secure)
    return response


@router.get(PAGE_PATH)
def tip_off_page(
    request: Request,
    cipher: CipherDep,
    kind: Annotated[Kind, Query()] = Kind.CLUE,
) -> HTMLResponse:
    return _resident_page(request, cipher, kind=kind)


def _area_name(session: Session, code: str, english: bool) -> str:
    try:
        level_of(code)
    except RegionCodeError:
        return ""
    return regions.names_of(session, [code], english=english).get(code, code)


@router.post(PAGE_PATH)
def post_tip_off(
    request: Request,
    form: FormDep,
    session: SessionDep,
    cipher: CipherDep,
    settings: SettingsDep,
    now: NowDep,
    background: BackgroundTasks,
) -> HTMLResponse:
    values = {name: form.get(name, "") for name in FIELDS}
    kind = Kind.SUPERVISION if values["kind"] == Kind.SUPERVISION.value else Kind.CLUE

    def again(errors: dict[str, str], status_code: int) -> HTMLResponse:
        english = language_of(request) == "en"
        area_name = _area_name(session, values["area_code"], english)
        return _resident_page(
            request,
            cipher,
            kind=kind,
            values=values,
            errors=errors,
            area_name=area_name,
            status_code=status_code,
        )

    t = Translator(language_of(request))
    if not csrf.is_valid(
        cipher, request.cookies, form.get("csrf"), purpose=PURPOSE, binding=BINDING
    ):
        return again({"form": t("form_expired")}, 403)
    client = request.client.host if request.client is not None else "unknown"
    # Counted in the process (a database write each would halve the posts a second).
    windows = _posts_counted(request.app.state)
    if not windows.hit(f"tip-off:{client}", settings.tip_offs_per_address_per_minute, now):
        return again({"form": t("t_err_rate_limited")}, 429)
    try:
        new = NewTipOff(
            kind=kind,
            area_code=values["area_code"],
            place=values["place"],
            situation=_choice(Situation, values["situation"]),
            clue_name=values["clue_name"],
            report_type=_choice(ReportType, values["report_type"]),
            description=values["description"],
        )
        posted = service.post(session, cipher, _writer(request.app.state), new, now)
    except TipOffError as error:
        session.rollback()
        return again({name: t(f"t_err_{name}") for name in error.fields}, 400)
    except NotStoredError:
        return again({"form": t("why_not_stored")}, 503)
    if posted.liaison_id is not None:
        state = request.app.state
        background.add_task(service.notify, state.sms_sender, _writer(state), posted, state.clock)
    return _resident_page(request, cipher, kind=kind, sent=posted.number, status_code=201)


_STATE_LOCK = threading.Lock()


def _posts_counted(state: Any) -> MemoryWindows:
    """The posts per address, counted in this process (made at the first post)."""
    with _STATE_LOCK:
        if not hasattr(state, "tip_off_posts"):
            state.tip_off_posts = MemoryWindows()
        return cast(MemoryWindows, state.tip_off_posts)


def _writer(state: Any) -> TipOffWriter:
    """Where this app's tip-offs are written together (made at the first post)."""
    with _STATE_LOCK:
        if not hasattr(state, "tip_off_writer"):
            state.tip_off_writer = TipOffWriter(state.sessions)
        return cast(TipOffWriter, state.tip_off_writer)


Choice = TypeVar("Choice", Situation, ReportType)


def _choice(enum: type[Choice], value: str) -> Choice | None:
    try:
        return enum(value)
    except ValueError:
        return None


# ------------------------------------------------------------------------------ staff page


def _viewer(
    request: Request,
    session: SessionDep,
    admin: PageAdminDep,
    scope: TipOffPageScopeDep,
    now: NowDep,
    cipher: CipherDep,
    settings: SettingsDep,
) -> Viewer:
    return Viewer(request, session, admin, scope, now, cipher, settings)


TipOffViewerDep = Annotated[Viewer, Depends(_viewer)]


def _visit_within(viewer: Viewer) -> timedelta:
    return timedelta(hours=viewer.settings.tip_off_visit_within_h)


def _staff_page(
    viewer: Viewer,
    status: Status | None,
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    scope: Scope = viewer.scope
    within = _visit_within(viewer)
    audit: Auditor = viewer.audit
    rows = service.list_tip_offs(
        viewer.session, scope, audit, viewer.cipher, viewer.now, within, status
    )
    areas = service.overview(viewer.session, scope, viewer.now, within)
    totals = service.counts_of(areas)
    codes = [r.area_code for r in rows] + [_region_code(a.area_code) for a in areas]
    return viewer.page(
        "tip_offs.html",
        nav=NAV,
        status_code=status_code,
        rows=rows,
        areas=areas,
        totals=totals,
        status=status.value if status else "",
        statuses=list(Status),
        region_names=viewer.region_names(codes),
        region_code=_region_code,
        may_handle=scope.role in (Role.GRID_WORKER, Role.REGION_ADMIN),
        max_resends=MAX_RESENDS,
        any_overdue=any(r.overdue for r in rows) or totals["overdue"] > 0,
        errors=errors or {},
        saved=saved,
    )


def _region_code(prefix: str) -> str:
    return prefix + "00" if len(prefix) == 4 else prefix


@router.get(STAFF_PATH)
def tip_offs_page(
    viewer: TipOffViewerDep,
    status: Annotated[str, Query(pattern="^(|received|visited|closed)$")] = "",
) -> HTMLResponse:
    return _staff_page(viewer, Status(status) if status else None)


@router.post(STAFF_PATH + "/{tip_off_id}/progress")
def record_progress(tip_off_id: str, viewer: TipOffViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav=NAV)
    t = viewer.translator
    to = _choice_status(form.get("to", ""))
    try:
        if to is None:
            raise TipOffError("status", "choose one")
        service.advance(
            viewer.session,
            viewer.scope,
            viewer.cipher,
            tip_off_id,
            to,
            form.get("feedback", ""),
            viewer.now,
        )
    except TipOffError as error:
        viewer.session.rollback()
        if error.status_code in (403, 404):
            return viewer.refusal(error, nav=NAV)
        return _staff_page(
            viewer, None, errors={tip_off_id: t(f"t_err_{error.field}")}, status_code=400
        )
    except RefusedError as error:
        return viewer.refusal(error, nav=NAV)
    viewer.session.commit()
    return _staff_page(viewer, None, saved=True)


def _choice_status(value: str) -> Status | None:
    try:
        return Status(value)
    except ValueError:
        return None
