"""The region tree (browse down from one's own area) and the audit log (filtered by who, what
and when, a page at a time).

Both read through the API's router functions (`central.administration.routers.regions` and
`.audit`) with the page's scope and auditor: the same filters and audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from central.administration.routers import accounts as accounts_api
from central.administration.routers import audit as audit_api
from central.administration.routers import regions as regions_api
from central.core.audit import Action
from central.core.errors import RefusedError
from central.core.scope import Role
from central.web.render import LOCAL_ZONE, Viewer, ViewerDep, language_of

router = APIRouter(include_in_schema=False)

AUDIT_PAGE_ROWS = 50
MAX_REGION_FILE = regions_api.MAX_REGION_FILE_BYTES
# The kinds of object an audit entry names (`Auditor.record`'s object types), for the filter.
AUDIT_OBJECTS = (
    "account",
    "alert",
    "area_risk",
    "audit_entry",
    "check_in",
    "checkpoint",
    "employee",
    "enterprise",
    "export",
    "export_file",
    "fever_case",
    "kiosk",
    "paper_code",
    "passage",
    "person",
    "proxy_code",
    "recompute_job",
    "region",
    "usage",
)


# --------------------------------------------------------------------------------- regions


@router.get("/admin/regions")
def regions_page(
    viewer: ViewerDep, parent: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None
) -> HTMLResponse:
    return _regions_page(viewer, parent, RegionUpload())


@dataclass
class RegionUpload:
    """The region file form's answer: how many were loaded, or the file's problems by line."""

    loaded: int | None = None
    error: str = ""  # a problem of the upload itself (no file, not UTF-8, too large)
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # line, words, code


def _regions_page(
    viewer: Viewer, parent: str | None, upload: RegionUpload, *, status_code: int = 200
) -> HTMLResponse:
    """The regions one level below `parent` (the account's own area at first)."""
    scope = viewer.scope
    here = parent or scope.area
    path = []
    children = []
    if here is not None:
        try:
            path = regions_api.region_path(here, viewer.session, scope, viewer.audit)
        except RefusedError as error:
            return viewer.refusal(error, nav="nav_regions")
        children = regions_api.list_regions(viewer.session, scope, viewer.audit, parent=here)
    english = language_of(viewer.request) == "en"
    return viewer.page(
        "regions.html",
        nav="nav_regions",
        status_code=status_code,
        region_path=path,
        children=children,
        english=english,
        may_load=regions_api.may_load_regions(scope),
        upload=upload,
    )


@router.post("/admin/regions/load")
async def load_regions_page(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """A region file from the page: checked whole, loaded only when every line is right, the
    problems listed beside the form by line in the page's language; audited (`import`)."""
    form = await request.form(max_files=1, max_fields=3, max_part_size=MAX_REGION_FILE)
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        await form.close()
        return viewer.expired_form(nav="nav_regions")
    t = viewer.translator
    upload = form.get("regions")
    content = b""
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_REGION_FILE + 1)
    await form.close()
    problem = ""
    if not content:
        problem = "regions_err_file"
    elif len(content) > MAX_REGION_FILE:
        problem = "regions_err_too_large"
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            problem = "regions_err_utf8"
    if problem:
        return _regions_page(viewer, None, RegionUpload(error=t(problem)), status_code=400)
    try:
        answer = regions_api.load_region_text(text, viewer.session, viewer.scope, viewer.audit)
    except RefusedError as error:
        return viewer.refusal(error, nav="nav_regions")
    if answer.errors:
        lines = [(e.line, t(f"regions_problem_{e.problem}"), e.code) for e in answer.errors]
        return _regions_page(viewer, None, RegionUpload(lines=lines), status_code=400)
    return _regions_page(viewer, None, RegionUpload(loaded=answer.loaded))


# ------------------------------------------------------------------------------- audit log


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/admin/audit")
def audit_page(
    viewer: ViewerDep,
    who: Annotated[str | None, Query(max_length=36)] = None,
    what: Annotated[str | None, Query(max_length=16)] = None,
    object_type: Annotated[str | None, Query(alias="object", max_length=32)] = None,
    first_day: Annotated[str | None, Query(max_length=10)] = None,
    last_day: Annotated[str | None, Query(max_length=10)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    scope, session, audit = viewer.scope, viewer.session, viewer.audit
    accounts = accounts_api.list_accounts(session, scope, audit, viewer.now)
    action = what if what in {a.value for a in Action} else None
    kind = object_type if object_type in AUDIT_OBJECTS else None
    first, last = _day(first_day), _day(last_day)
    since = datetime.combine(first, time(), LOCAL_ZONE) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), LOCAL_ZONE) if last else None
    entries = audit_api.list_audit_entries(
        session,
        scope,
        audit,
        before=before,
        limit=AUDIT_PAGE_ROWS + 1,
        actor_id=who or None,
        action=action,
        object_type=kind,
        since=since,
        until=until,
    )
    more = len(entries) > AUDIT_PAGE_ROWS
    entries = entries[:AUDIT_PAGE_ROWS]
    filters = {
        "who": who or "",
        "what": action or "",
        "object": kind or "",
        "first_day": first.isoformat() if first else "",
        "last_day": last.isoformat() if last else "",
    }
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    older = ""
    if more and entries:
        older = f"/admin/audit?{query}{'&' if query else ''}before={entries[-1].entry_id}"
    return viewer.page(
        "audit.html",
        nav="nav_audit",
        entries=entries,
        accounts=accounts,
        usernames={a.account_id: a.username for a in accounts},
        actions=[a.value for a in Action],
        objects=AUDIT_OBJECTS,
        filters=filters,
        older=older,
        paged=before is not None,
        newest=f"/admin/audit?{query}" if query else "/admin/audit",
        known_roles=[f"role_{role.value}" for role in Role],
    )
