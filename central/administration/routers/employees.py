"""An enterprise's employee roster: its administrator and epidemic staff add, list, look up,
import and remove employees of their own enterprise; nobody else sees any of it.

Personal data never travels in a URL (which access logs keep): a lookup by name or ID number is
a POST (`/employees/search`). Every answer with names or phone numbers writes an audit entry
first (`employee`, with the row count).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import select

from central.administration import employees
from central.administration.employees import NewEmployee, roster_filter
from central.core.audit import Action, AuditDep
from central.core.cipher import RecordCipher, record_cipher
from central.core.deps import KeysDep, NowDep, SessionDep
from central.core.errors import ApiError
from central.core.models import Employee
from central.core.schemas import ApiModel
from central.core.scope import ENTERPRISE_ROLES, Scope, ScopeDep
from central.issuance.routers.common import app_keys
from sync.bounds import MAX_INT64
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/employees", tags=["employees"])
MAX_ROWS = 5000
MAX_CSV_BYTES = 4 * 1024 * 1024


class EmployeeIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=32, description="GB 11643 resident ID")
    phone: str | None = Field(default=None, max_length=20)
    department: str = Field(default="", max_length=100)


class EmployeeAdded(ApiModel):
    """What an addition answers: no name or phone (the caller has them)."""

    employee_id: str
    id_number_masked: str
    department: str


class EmployeeOut(ApiModel):
    employee_id: str
    enterprise_id: str
    name: str
    id_number_masked: str = Field(description="610102********1234: the full number is not kept")
    phone: str | None
    department: str
    created_at: datetime


class EmployeeSearch(ApiModel):
    """Exact matches; every given field must match."""

    name: str | None = Field(default=None, max_length=100)
    id_number: str | None = Field(default=None, max_length=32)
    department: str | None = Field(default=None, max_length=100)


class LineErrorOut(ApiModel):
    line: int
    field: str
    error: str


class ImportReportOut(ApiModel):
    imported: int = Field(description="0 when any line is wrong: a file is taken whole or not")
    errors: list[LineErrorOut]


def _cipher(keys: KeysDep) -> RecordCipher:
    return record_cipher(keys.path)


CipherDep = Annotated[RecordCipher, Depends(_cipher)]


def _people_index(request: Request) -> employees.PersonIndex:
    """The issuer's index of a resident ID number: an employee's link to its code."""
    cipher = app_keys(request.app.state).cipher
    return lambda id_number: cipher.id_index("resident_id", id_number)


PeopleIndexDep = Annotated[employees.PersonIndex, Depends(_people_index)]


def _roster_keeper(scope: Scope) -> str:
    """The enterprise whose roster this account edits, or 403."""
    if scope.role not in ENTERPRISE_ROLES or scope.enterprise_id is None:
        raise ApiError(
            403,
            RefusalReason.FORBIDDEN,
            "an enterprise's roster is kept by its administrator and epidemic staff",
        )
    return scope.enterprise_id


def _out(cipher: RecordCipher, row: Employee) -> EmployeeOut:
    return EmployeeOut.model_validate(employees.view(cipher, row), from_attributes=True)


@router.post("", status_code=201)
def add(
    body: EmployeeIn,
    session: SessionDep,
    scope: ScopeDep,
    cipher: CipherDep,
    now: NowDep,
    people: PeopleIndexDep,
) -> EmployeeAdded:
    enterprise_id = _roster_keeper(scope)
    new = NewEmployee(body.name, body.id_number, body.phone, body.department)
    row = employees.add_employee(session, cipher, enterprise_id, new, now, scope.account_id, people)
    session.commit()
    view = employees.view(cipher, row)
    return EmployeeAdded(
        employee_id=row.id, id_number_masked=view.id_number_masked, department=row.department
    )


async def _csv_body(request: Request) -> bytes:
    return await request.body()


@router.post("/import")
def import_csv(
    raw: Annotated[bytes, Depends(_csv_body)],
    scope: ScopeDep,
    cipher: CipherDep,
    session: SessionDep,
    now: NowDep,
    people: PeopleIndexDep,
) -> JSONResponse:
    """A UTF-8 CSV body: `name,id_number,phone,department` (phone and department may be empty)."""
    enterprise_id = _roster_keeper(scope)
    if len(raw) > MAX_CSV_BYTES:
        raise ApiError(413, RefusalReason.BAD_REQUEST, f"at most {MAX_CSV_BYTES} bytes a file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, RefusalReason.BAD_REQUEST, "the file is not UTF-8") from None
    report = employees.import_csv(
        session, cipher, enterprise_id, text, now, scope.account_id, people
    )
    if report.errors:
        session.rollback()
    else:
        session.commit()
    out = ImportReportOut(
        imported=report.imported,
        errors=[LineErrorOut(line=e.line, field=e.field, error=e.error) for e in report.errors],
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=422 if report.errors else 200)


@router.get("")
def list_employees(
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    cipher: CipherDep,
    department: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 500,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
) -> list[EmployeeOut]:
    query = select(Employee).where(roster_filter(scope))
    if department is not None:
        query = query.where(Employee.department == " ".join(department.split()))
    rows = list(
        session.scalars(
            query.order_by(Employee.department, Employee.created_at, Employee.id)
            .limit(limit)
            .offset(offset)
        )
    )
    audit.record(Action.LIST, "employee", len(rows))
    return [_out(cipher, row) for row in rows]


@router.post("/search")
def search(
    body: EmployeeSearch,
    session: SessionDep,
    scope: ScopeDep,
    audit: AuditDep,
    cipher: CipherDep,
) -> list[EmployeeOut]:
    query = select(Employee).where(roster_filter(scope))
    enterprise_id = scope.enterprise_id or ""
    if body.name is not None:
        query = query.where(
            Employee.name_ix == employees.name_index(cipher, enterprise_id, body.name)
        )
    if body.id_number is not None:
        query = query.where(
            Employee.id_ix == employees.id_index(cipher, enterprise_id, body.id_number)
        )
    if body.department is not None:
        query = query.where(Employee.department == " ".join(body.department.split()))
    rows = list(session.scalars(query.order_by(Employee.created_at, Employee.id).limit(MAX_ROWS)))
    audit.record(Action.LIST, "employee", len(rows))
    return [_out(cipher, row) for row in rows]


def _find(session: SessionDep, scope: Scope, employee_id: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.id == employee_id, roster_filter(scope))
    ).first()


@router.get("/{employee_id}")
def read_employee(
    employee_id: str, session: SessionDep, scope: ScopeDep, audit: AuditDep, cipher: CipherDep
) -> EmployeeOut:
    row = _find(session, scope, employee_id)
    audit.record(Action.READ, "employee", 0 if row is None else 1)
    if row is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no employee {employee_id} on your roster")
    return _out(cipher, row)


@router.delete("/{employee_id}", status_code=204)
def remove(employee_id: str, session: SessionDep, scope: ScopeDep) -> Response:
    _roster_keeper(scope)
    row = _find(session, scope, employee_id)
    if row is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no employee {employee_id} on your roster")
    session.delete(row)
    session.commit()
    return Response(status_code=204)
