"""Each role's start page, and the community worker's pages: proxy codes one by one or from a
roster file (CSV or XLSX), and paper codes as a PDF.

The pages call the API's router functions (`central.issuance.routers.proxy`) with the page's
scope and auditor: the same checks of role and residence, the same refusals and audit entries.
A roster file is read here into the API's own `DeclarationIn` rows; a row that is not one is
answered beside its row number and never sent.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from central.core.errors import RefusedError
from central.core.scope import PUBLIC_ROUTES, Role
from central.issuance.declarations import IdType
from central.issuance.routers import proxy as proxy_api
from central.issuance.routers.common import app_keys
from central.issuance.schemas import (
    MAX_PROXY_BATCH,
    CodeOut,
    DeclarationIn,
    PaperBatchIn,
    PhoneResetIn,
    ProxyBatchIn,
)
from central.web.render import LOCAL_ZONE, STATIC, Viewer, static_file
from central.web.task_forms import (
    IssuingViewerDep,
    declaration_field,
    refusal_words,
    validation_errors,
)

router = APIRouter(include_in_schema=False)
SCRIPT_PATH = "/admin/task-pages.js"
PUBLIC_ROUTES[("GET", SCRIPT_PATH)] = "the task pages' script (a chosen file's name)"

PAGE = "/admin/proxy-codes"
NAV = "nav_proxy"
MAX_ROSTER_BYTES = 2_000_000
# Where each role starts after logging in (central/core/scope.py Role).
START_PAGES = {
    Role.COMMUNITY_WORKER: PAGE,
    Role.GRID_WORKER: "/admin/tip-offs",
    Role.EPIDEMIC_STAFF: "/admin/fever-cases",
    Role.SUPERVISOR: "/admin/fever-cases",
    Role.TECHNICIAN: "/admin/fleet",
    Role.ENTERPRISE_ADMIN: "/admin/staff",
}
# A roster's column headings (Chinese or English) -> the declaration's field.
COLUMNS = {
    "姓名": "full_name",
    "full_name": "full_name",
    "name": "full_name",
    "证件号码": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "id_number": "id_number",
    "居住地": "residence",
    "residence": "residence",
    "证件类型": "id_type",
    "id_type": "id_type",
}
ID_TYPE_NAMES = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
}


class RosterError(ValueError):
    """A roster file that cannot be read as one; `key` is the words to show."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@router.get(SCRIPT_PATH)
def task_script() -> Response:
    return static_file(STATIC / "task-pages.js", "text/javascript; charset=utf-8")


@router.get("/admin/start")
def start_page(viewer: IssuingViewerDep) -> RedirectResponse:
    """After logging in: the page each role works on first."""
    return RedirectResponse(START_PAGES.get(viewer.scope.role, "/admin"), status_code=303)


# ------------------------------------------------------------------------- the proxy page


@dataclass
class RowResult:
    row: int
    masked_name: str
    colour: str = ""
    refusal: str = ""


@dataclass
class ProxyForms:
    """What the page shows besides its lists: each form's typed values and errors."""

    one: dict[str, str] = field(default_factory=dict)
    one_errors: dict[str, str] = field(default_factory=dict)
    issued: CodeOut | None = None
    batch: dict[str, str] = field(default_factory=dict)
    batch_errors: dict[str, str] = field(default_factory=dict)
    results: list[RowResult] | None = None
    paper: dict[str, str] = field(default_factory=dict)
    paper_errors: dict[str, str] = field(default_factory=dict)
    reset: dict[str, str] = field(default_factory=dict)
    reset_errors: dict[str, str] = field(default_factory=dict)
    reset_done: bool = False


def _page(viewer: Viewer, forms: ProxyForms, *, status_code: int = 200) -> HTMLResponse:
    may_issue = viewer.scope.role in (Role.REGION_ADMIN, Role.COMMUNITY_WORKER)
    codes: list[CodeOut] = []
    if may_issue:
        keys = app_keys(viewer.request.app.state)
        codes = proxy_api.proxy_codes(viewer.scope, viewer.session, keys, viewer.now, viewer.audit)
    return viewer.page(
        "proxy.html",
        nav=NAV,
        status_code=status_code,
        may_issue=may_issue,
        forms=forms,
        id_types=list(IdType),
        codes=codes,
        max_batch=MAX_PROXY_BATCH,
    )


@router.get(PAGE)
def proxy_page(viewer: IssuingViewerDep) -> HTMLResponse:
    return _page(viewer, ProxyForms())


def _fields(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in names}


@router.post(PAGE)
async def issue_one(request: Request, viewer: IssuingViewerDep) -> Response:
    form = await request.form(max_files=0, max_fields=20)
    values = _fields(form, ("full_name", "id_type", "id_number", "residence", "workplace"))
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        return viewer.expired_form(nav=NAV)
    t = viewer.translator
    forms = ProxyForms(one=values)
    try:
        body = DeclarationIn.model_validate(
            {
                "full_name": values["full_name"],
                "id_type": values["id_type"] or IdType.RESIDENT_ID,
                "id_number": values["id_number"],
                "residence": values["residence"],
                "workplace": values["workplace"] or None,
            }
        )
    except ValidationError as error:
        forms.one_errors = validation_errors(t, error)
        return _page(viewer, forms, status_code=400)
    keys = app_keys(request.app.state)
    sessions = request.app.state.sessions
    try:
        issued = proxy_api.proxy_declaration(
            body, viewer.scope, sessions, keys, viewer.now, viewer.audit, svg=True
        )
    except RefusedError as error:
        viewer.session.rollback()
        forms.one_errors = {declaration_field(error) or "residence": refusal_words(t, error)}
        return _page(viewer, forms, status_code=error.status_code)
    return _page(viewer, ProxyForms(issued=issued.code), status_code=201)


def _roster_rows(
    name: str, content: bytes, columns: dict[str, str] = COLUMNS
) -> list[dict[str, str]]:
    """The roster's rows as field -> text (headings mapped by `columns`)."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            table = [
                ["" if cell is None else str(cell).strip() for cell in row]
                for row in (sheet.iter_rows(values_only=True) if sheet is not None else [])
            ]
        except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
            raise RosterError("err_file_unreadable") from error
    elif lowered.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RosterError("err_file_unreadable")
        table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise RosterError("err_file")
    table = [row for row in table if any(row)]
    if not table:
        raise RosterError("err_file_empty")
    heading = [
        columns.get(cell.strip().lower(), columns.get(cell.strip(), "")) for cell in table[0]
    ]
    if "full_name" not in heading or "id_number" not in heading:
        raise RosterError("err_file_unreadable")
    rows = [
        {name: (row[i] if i < len(row) else "") for i, name in enumerate(heading) if name}
        for row in table[1:]
    ]
    if not rows:
        raise RosterError("err_file_empty")
    if len(rows) > MAX_PROXY_BATCH:
        raise RosterError("err_file_too_long")
    return rows


def _id_type(text: str) -> IdType:
    if not text:
        return IdType.RESIDENT_ID
    return ID_TYPE_NAMES.get(text) or IdType(text)


def _masked(name: str) -> str:
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


@router.post(PAGE + "/batch")
async def issue_roster(request: Request, viewer: IssuingViewerDep) -> Response:
    form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_ROSTER_BYTES)
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        await form.close()
        return viewer.expired_form(nav=NAV)
    t = viewer.translator
    default = str(form.get("default_residence") or "").strip()
    forms = ProxyForms(batch={"default_residence": default})
    upload = form.get("roster")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise RosterError("err_file")
        content = await upload.read(MAX_ROSTER_BYTES + 1)
        if len(content) > MAX_ROSTER_BYTES:
            raise RosterError("err_file_too_long")
        rows = _roster_rows(upload.filename, content)
    except RosterError as error:
        await form.close()
        forms.batch_errors = {"roster": t(error.key)}
        return _page(viewer, forms, status_code=400)
    await form.close()
    results: dict[int, RowResult] = {}
    people: list[DeclarationIn] = []
    sent_rows: list[int] = []
    for number, row in enumerate(rows, start=2):  # the heading is row 1
        name = row.get("full_name", "")
        try:
            person = DeclarationIn(
                full_name=name,
                id_type=_id_type(row.get("id_type", "")),
                id_number=row.get("id_number", ""),
                residence=row.get("residence") or default,
            )
        except (ValidationError, ValueError) as error:
            words = (
                "; ".join(validation_errors(t, error).values())
                if isinstance(error, ValidationError)
                else t("err_generic")
            )
            results[number] = RowResult(number, _masked(name), refusal=words)
            continue
        people.append(person)
        sent_rows.append(number)
    if people:
        keys = app_keys(request.app.state)
        try:
            answer = proxy_api.proxy_declaration_batch(
                ProxyBatchIn(people=people),
                viewer.scope,
                request.app.state.sessions,
                keys,
                viewer.now,
                viewer.audit,
            )
        except RefusedError as error:
            viewer.session.rollback()
            detail = error.refusal_detail
            where = ""
            if detail.startswith("people["):
                index = int(detail[len("people[") : detail.index("]")])
                where = f"{t('row')} {sent_rows[index]}: "
            forms.batch_errors = {"roster": where + refusal_words(t, error)}
            return _page(viewer, forms, status_code=error.status_code)
        for issued in answer.issued:
            number = sent_rows[issued.index]
            results[number] = RowResult(number, issued.code.masked_name, colour=issued.code.colour)
        for refused in answer.refused:
            number = sent_rows[refused.index]
            words = refusal_words(t, RefusedError(refused.detail))
            results[number] = RowResult(
                number, _masked(rows[number - 2]["full_name"]), refusal=words
            )
    forms.results = [results[number] for number in sorted(results)]
    return _page(viewer, forms)


@router.post(PAGE + "/phone-reset")
async def reset_phone(request: Request, viewer: IssuingViewerDep) -> Response:
    """One person, one code: a resident seen in person, with their ID card, gets a new phone."""
    form = await request.form(max_files=0, max_fields=10)
    values = _fields(form, ("id_type", "id_number", "phone"))
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        return viewer.expired_form(nav=NAV)
    t = viewer.translator
    forms = ProxyForms(reset=values)
    try:
        body = PhoneResetIn.model_validate(
            {
                "id_type": values["id_type"] or IdType.RESIDENT_ID,
                "id_number": values["id_number"],
                "phone": values["phone"],
            }
        )
        keys = app_keys(request.app.state)
        proxy_api.phone_reset(body, viewer.scope, viewer.session, keys, viewer.now, viewer.audit)
    except ValidationError as error:
        forms.reset_errors = validation_errors(t, error)
        return _page(viewer, forms, status_code=400)
    except RefusedError as error:
        viewer.session.rollback()
        field_name = declaration_field(error) or (
            "phone" if error.refusal_detail.startswith("phone") else "id_number"
        )
        forms.reset_errors = {field_name: refusal_words(t, error)}
        return _page(viewer, forms, status_code=error.status_code)
    return _page(viewer, ProxyForms(reset_done=True))


@router.post(PAGE + "/paper")
async def print_paper(request: Request, viewer: IssuingViewerDep) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        return viewer.expired_form(nav=NAV)
    t = viewer.translator
    values = _fields(form, ("area_code",))
    forms = ProxyForms(paper=values)
    try:
        body = PaperBatchIn(area_code=values["area_code"])
    except ValidationError as error:
        forms.paper_errors = validation_errors(t, error)
        return _page(viewer, forms, status_code=400)
    keys = app_keys(request.app.state)
    try:
        pdf = proxy_api.paper_batch(
            body, viewer.scope, viewer.session, keys, viewer.now, viewer.audit
        )
    except RefusedError as error:
        viewer.session.rollback()
        forms.paper_errors = {"area_code": refusal_words(t, error)}
        return _page(viewer, forms, status_code=error.status_code)
    day = viewer.now.astimezone(LOCAL_ZONE).date().isoformat()
    filename = f"paper-codes-{values['area_code']}-{day}.pdf"
    return Response(
        pdf.body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
