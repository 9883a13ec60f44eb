"""单位机构申报 from a roster file (issue 25, notice 004): an enterprise's administrator declares
for its staff as the organisation by uploading the roster (CSV or XLSX: 姓名, 证件号码, 手机号,
居住地, and optionally 部门 and 体温) on its staff page (`POST /admin/staff/declarations/roster`).

Every line is checked first, as the one-person form checks it; a file with any wrong line is
answered with each wrong line listed beside the form in the page's language (its row number,
the masked name, what is wrong) and nothing is declared: the HR clerk corrects the file and
uploads it again, and the staff's codes are never half issued from a file they are still
fixing. A file whose every line is right is declared line by line as the form does (the code
issued with the employee's phone, the employee put on the roster with the link to it); a
refusal the issuing side makes for one person (one person, one code) is listed beside its row,
the others are declared. The codes issued are audited as an export, as the form's are.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from central.core.audit import Action
from central.core.errors import RefusedError
from central.core.models import Enterprise
from central.core.scope import Role
from central.issuance.declarations import Holder
from central.issuance.routers.common import app_keys, declaration_of, declare_for
from central.issuance.schemas import DeclarationIn
from central.issuance.sms import SmsError, check_phone
from central.web.admin_pages import staff_page_with
from central.web.proxy_pages import COLUMNS, MAX_ROSTER_BYTES, RosterError, _roster_rows
from central.web.render import Viewer, ViewerDep
from central.web.staff_declarations import _on_roster
from central.web.task_forms import refusal_words, validation_errors
from healthcode.identity import is_valid_id_number
from healthcode.text import LIST_SEPARATOR

router = APIRouter(include_in_schema=False)
STAFF_COLUMNS = COLUMNS | {
    "手机号": "phone",
    "手机号码": "phone",
    "phone": "phone",
    "部门": "department",
    "department": "department",
    "体温": "temperature_celsius",
    "temperature": "temperature_celsius",
}


@dataclass(frozen=True)
class RosterLine:
    """One line of the file as the page lists it: its row, the masked name, and either the
    colour of the code issued or why not."""

    row: int
    masked_name: str
    colour: str | None = None
    problem: str | None = None


@dataclass
class RosterUpload:
    error: str | None = None  # the file itself
    wrong: list[RosterLine] | None = None  # lines refused before anything was declared
    declared: list[RosterLine] | None = None


def _masked(name: str) -> str:
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


@router.post("/admin/staff/declarations/roster")
async def declare_from_roster(request: Request, viewer: ViewerDep) -> Response:
    form = await request.form(max_files=1, max_fields=3, max_part_size=MAX_ROSTER_BYTES)
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        await form.close()
        return viewer.expired_form(nav="nav_staff")
    scope = viewer.scope
    if scope.role is not Role.ENTERPRISE_ADMIN or scope.enterprise_id is None:
        await form.close()
        return viewer.page(
            "message.html", nav="nav_staff", status_code=403, message_key="forbidden", detail=""
        )
    t = viewer.translator
    upload = form.get("roster")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise RosterError("err_file")
        content = await upload.read(MAX_ROSTER_BYTES + 1)
        if len(content) > MAX_ROSTER_BYTES:
            raise RosterError("err_file_too_long")
        rows = _roster_rows(upload.filename, content, STAFF_COLUMNS)
    except RosterError as error:
        return _answer(viewer, RosterUpload(error=t(error.key)), 400)
    finally:
        await form.close()
    enterprise = viewer.session.get(Enterprise, scope.enterprise_id)
    workplace = None if enterprise is None else enterprise.name
    checked: list[tuple[int, DeclarationIn, str, dict[str, str]]] = []
    wrong: list[RosterLine] = []
    for number, row in enumerate(rows, start=2):  # the heading is row 1
        problems: dict[str, str] = {}
        body = None
        try:
            body = DeclarationIn.model_validate(
                {
                    "full_name": row.get("full_name", ""),
                    "id_number": row.get("id_number", ""),
                    "residence": row.get("residence", ""),
                    "temperature_celsius": row.get("temperature_celsius") or None,
                    "workplace": workplace,
                }
            )
        except ValidationError as error:
            problems |= validation_errors(t, error)
        if body is not None and not is_valid_id_number(body.id_number):
            problems["id_number"] = t("err_id_number")  # a resident ID: its check character
        try:
            phone = check_phone(row.get("phone", ""))
        except SmsError:
            problems["phone"] = t("err_mobile")
        if problems or body is None:
            masked = _masked(row.get("full_name", ""))
            separator = LIST_SEPARATOR.get("en" if t.language == "en" else "zh")
            joined = separator.join(problems.values())
            wrong.append(RosterLine(number, masked, None, joined))
            continue
        checked.append((number, body, phone, row))
    if wrong:
        return _answer(viewer, RosterUpload(wrong=wrong), 400)
    return _answer(viewer, RosterUpload(declared=_declare(viewer, checked)), 201)


def _declare(
    viewer: Viewer, checked: list[tuple[int, DeclarationIn, str, dict[str, str]]]
) -> list[RosterLine]:
    t = viewer.translator
    keys = app_keys(viewer.request.app.state)
    sessions = viewer.request.app.state.sessions
    lines: list[RosterLine] = []
    for number, body, phone, row in checked:
        try:
            issued = declare_for(
                sessions,
                keys,
                declaration_of(body, Holder.COMMUNITY, phone),
                viewer.now,
                viewer.scope.account_id,
            )
        except RefusedError as error:
            viewer.session.rollback()
            lines.append(RosterLine(number, _masked(body.full_name), None, refusal_words(t, error)))
            continue
        values = {
            "full_name": body.full_name,
            "id_number": body.id_number,
            "phone": phone,
            "department": row.get("department", ""),
        }
        _on_roster(viewer, values, keys.cipher.id_index("resident_id", body.id_number))
        lines.append(RosterLine(number, _masked(body.full_name), issued.colour.value))
    viewer.audit.record(Action.EXPORT, "staff_declaration", sum(1 for x in lines if x.colour))
    return lines


def _answer(viewer: Viewer, upload: RosterUpload, status_code: int) -> HTMLResponse:
    return staff_page_with(viewer, roster_upload=upload, status_code=status_code)
