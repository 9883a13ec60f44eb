"""单位机构申报 (issue 25, notice 004): an enterprise's administrator declares for an employee as
the organisation, on its staff page (`POST /admin/staff/declarations`).

The declaration is the resident's own (name, ID number, phone, residence, temperature), made by
the API's proxy path (`declare_for`, holder `community`, the account as its actor); the code is
issued with the employee's phone, so the employee finds it on their own phone ("我的健康码", by
ID number, phone and an SMS code). The employee is put on the roster with the link to its code
(`employees.person_ix`), or an employee already on it gets that link. The form answers on the
staff page with what was typed kept and each error beside its field; the code issued is audited
as an export, as a proxy code is.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select

from central.administration.employees import EmployeeError, NewEmployee, add_employee, id_index
from central.core.audit import Action
from central.core.errors import RefusedError
from central.core.models import Employee, Enterprise
from central.core.scope import Role
from central.issuance.declarations import Holder
from central.issuance.routers.common import app_keys, declaration_of, declare_for
from central.issuance.schemas import DeclarationIn
from central.issuance.sms import SmsError, check_phone
from central.web.admin_pages import Form, staff_page_with
from central.web.render import FormDep, Viewer, ViewerDep
from central.web.task_forms import declaration_field, refusal_words, validation_errors

router = APIRouter(include_in_schema=False)
FIELDS = ("full_name", "id_number", "phone", "residence", "department", "temperature_celsius")


@router.post("/admin/staff/declarations")
def declare_for_staff(viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav="nav_staff")
    t = viewer.translator
    scope = viewer.scope
    typed = Form({name: form.get(name, "") for name in FIELDS})
    if scope.role is not Role.ENTERPRISE_ADMIN or scope.enterprise_id is None:
        return viewer.page(
            "message.html", nav="nav_staff", status_code=403, message_key="forbidden", detail=""
        )
    enterprise = viewer.session.get(Enterprise, scope.enterprise_id)
    values = {k: v or None for k, v in typed.values.items() if k not in ("phone", "department")}
    try:
        body = DeclarationIn.model_validate(
            values | {"workplace": None if enterprise is None else enterprise.name}
        )
    except ValidationError as error:
        typed.errors = validation_errors(t, error)
    try:
        phone = check_phone(typed.values["phone"])
    except SmsError:
        typed.errors["phone"] = t("err_mobile")
    if typed.errors:
        return staff_page_with(viewer, declaration_form=typed, status_code=400)
    keys = app_keys(viewer.request.app.state)
    sessions = viewer.request.app.state.sessions
    try:
        issued = declare_for(
            sessions,
            keys,
            declaration_of(body, Holder.COMMUNITY, phone),
            viewer.now,
            scope.account_id,
        )
    except RefusedError as error:
        viewer.session.rollback()
        typed.errors = {declaration_field(error) or "id_number": refusal_words(t, error)}
        return staff_page_with(viewer, declaration_form=typed, status_code=error.status_code)
    _on_roster(viewer, typed.values, keys.cipher.id_index("resident_id", body.id_number))
    viewer.audit.record(Action.EXPORT, "staff_declaration", 1)
    return staff_page_with(viewer, declared=(body.full_name, issued.colour.value), status_code=201)


def _on_roster(viewer: Viewer, values: dict[str, str], person_ix: bytes) -> None:
    """Add the employee with the link to its code; one on the roster already gets the link."""
    enterprise_id = viewer.scope.enterprise_id
    assert enterprise_id is not None  # noqa: S101 - checked by the caller
    new = NewEmployee(
        values["full_name"], values["id_number"], values["phone"], values["department"]
    )
    try:
        add_employee(
            viewer.session,
            viewer.cipher,
            enterprise_id,
            new,
            viewer.now,
            viewer.scope.account_id,
            lambda _id_number: person_ix,
        )
    except EmployeeError:
        viewer.session.rollback()
        index = id_index(viewer.cipher, enterprise_id, values["id_number"])
        row = viewer.session.scalars(
            select(Employee).where(Employee.enterprise_id == enterprise_id, Employee.id_ix == index)
        ).first()
        if row is not None:
            row.person_ix = person_ix
    viewer.session.commit()
