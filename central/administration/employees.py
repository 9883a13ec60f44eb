"""An enterprise's employee roster, kept at central with the least data at rest.

A name is kept as ciphertext plus a keyed blind index (to look an employee up by name); an ID
number (GB 11643 resident ID) never in full: a keyed blind index (one employee once per
enterprise, and lookups) and the masked form `610102********1234`, itself encrypted; a phone
number as ciphertext; the department in clear (it names no one). Every value is sealed to its
row and column, and indexed, with `central.core.cipher.RecordCipher` (keys/records.key).

Errors name the field and the CSV line, never the value: no name, ID number or phone is ever
written to a log or an error message.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from central.core.cipher import RecordCipher
from central.core.errors import RefusedError
from central.core.models import Employee, new_id
from central.core.scope import ENTERPRISE_ROLES, Scope
from healthcode.identity import IdNumberError, mask_id_number, validate_id_number

CSV_HEADER = ("name", "id_number", "phone", "department")
MAX_IMPORT_LINES = 10_000
MAX_NAME = 100
MAX_DEPARTMENT = 100
PHONE = re.compile(r"^1\d{10}$")  # a mainland mobile number


class EmployeeError(RefusedError, ValueError):
    """A value that cannot be kept; the message names the field, never the value."""

    def __init__(self, field_name: str, detail: str) -> None:
        super().__init__(f"{field_name}: {detail}")
        self.field = field_name
        self.detail = detail


@dataclass(frozen=True)
class NewEmployee:
    name: str
    id_number: str
    phone: str | None = None
    department: str = ""


@dataclass(frozen=True)
class EmployeeView:
    """An employee as its enterprise reads it: the ID number masked."""

    employee_id: str
    enterprise_id: str
    name: str
    id_number_masked: str
    phone: str | None
    department: str
    created_at: datetime


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    error: str


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[LineError] = field(default_factory=list)


def keyed_index(cipher: RecordCipher, kind: str, value: str) -> bytes:
    """A keyed blind index (HMAC-SHA256, 16 bytes) of `value` with the records index key.

    Made by `RecordCipher.code_index` under a name no issuer has (issuers are six-digit region
    codes), so each kind of index is separate from code indexes and from every other kind.
    """
    if kind.isdigit() or "\x00" in kind:
        raise ValueError(f"not an index kind: {kind!r}")
    return cipher.code_index(f"index:{kind}", value.encode("utf-8"))


def normalise_name(name: str) -> str:
    """NFKC, surrounding spaces removed, inner runs of spaces made one: as people type names."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def _clean(new: NewEmployee, today: datetime) -> NewEmployee:
    name = normalise_name(new.name)
    if not name:
        raise EmployeeError("name", "required")
    if len(name) > MAX_NAME:
        raise EmployeeError("name", f"at most {MAX_NAME} characters")
    try:
        id_number = validate_id_number(new.id_number, today=today.date())
    except IdNumberError as error:
        raise EmployeeError("id_number", f"not a valid resident ID number ({error})") from None
    phone = (new.phone or "").strip().removeprefix("+86").replace(" ", "") or None
    if phone is not None and not PHONE.match(phone):
        raise EmployeeError("phone", "an 11-digit mainland mobile number")
    department = " ".join(new.department.split())
    if len(department) > MAX_DEPARTMENT:
        raise EmployeeError("department", f"at most {MAX_DEPARTMENT} characters")
    return NewEmployee(name, id_number, phone, department)


def name_index(cipher: RecordCipher, enterprise_id: str, name: str) -> bytes:
    return keyed_index(cipher, "employee-name", f"{enterprise_id}\x00{normalise_name(name)}")


def id_index(cipher: RecordCipher, enterprise_id: str, id_number: str) -> bytes:
    number = "".join(id_number.split()).upper()
    return keyed_index(cipher, "employee-id", f"{enterprise_id}\x00{number}")


def roster_filter(scope: Scope) -> ColumnElement[bool]:
    """The roster is its enterprise's alone: its administrator and epidemic staff."""
    if scope.role not in ENTERPRISE_ROLES or scope.enterprise_id is None:
        return false()
    return Employee.enterprise_id == scope.enterprise_id


# The issuer's index of a resident ID number (central.issuance.people.PeopleCipher.id_index
# with "resident_id"), passed in by the routes: the employee's link to its code.
PersonIndex = Callable[[str], bytes]


def _row(
    cipher: RecordCipher,
    enterprise_id: str,
    clean: NewEmployee,
    now: datetime,
    by: str | None,
    person_index: PersonIndex | None = None,
) -> Employee:
    row_id = new_id()
    masked = cipher.seal(mask_id_number(clean.id_number), row_id, "id_masked")
    name = cipher.seal(clean.name, row_id, "name")
    assert masked is not None and name is not None  # noqa: S101 - sealed from a value
    return Employee(
        id=row_id,
        enterprise_id=enterprise_id,
        name_enc=name,
        name_ix=name_index(cipher, enterprise_id, clean.name),
        id_ix=id_index(cipher, enterprise_id, clean.id_number),
        id_masked_enc=masked,
        phone_enc=cipher.seal(clean.phone, row_id, "phone"),
        department=clean.department,
        created_at=now,
        created_by_id=by,
        person_ix=None if person_index is None else person_index(clean.id_number),
    )


def _on_roster(session: Session, enterprise_id: str, indexes: Sequence[bytes]) -> set[bytes]:
    if not indexes:
        return set()
    query = select(Employee.id_ix).where(
        Employee.enterprise_id == enterprise_id, Employee.id_ix.in_(indexes)
    )
    return set(session.scalars(query))


def add_employee(
    session: Session,
    cipher: RecordCipher,
    enterprise_id: str,
    new: NewEmployee,
    now: datetime,
    by: str | None,
    person_index: PersonIndex | None = None,
) -> Employee:
    row = _row(cipher, enterprise_id, _clean(new, now), now, by, person_index)
    if _on_roster(session, enterprise_id, [row.id_ix]):
        raise EmployeeError("id_number", "this person is on the roster already")
    session.add(row)
    session.flush()
    return row


def import_csv(
    session: Session,
    cipher: RecordCipher,
    enterprise_id: str,
    text: str,
    now: datetime,
    by: str | None,
    person_index: PersonIndex | None = None,
) -> ImportReport:
    """All lines or none: the report lists every bad line (numbered as in the file), and then
    nothing is added, so the corrected file can be sent again as it is."""
    report = ImportReport()
    lines = io.StringIO(text.removeprefix("\ufeff"), newline="")
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header[:2]) != CSV_HEADER[:2]:
        report.errors.append(LineError(1, "header", f"the first line is {','.join(CSV_HEADER)}"))
        return report
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c not in CSV_HEADER]
    if unknown or len(set(columns)) != len(columns):
        report.errors.append(LineError(1, "header", f"the columns are {','.join(CSV_HEADER)}"))
        return report
    rows: list[tuple[int, Employee]] = []
    seen: dict[bytes, int] = {}
    for values in reader:
        number = reader.line_num
        if not any(v.strip() for v in values) or values[0].lstrip().startswith("#"):
            continue
        if len(rows) + len(report.errors) >= MAX_IMPORT_LINES:
            report.errors.append(LineError(number, "file", f"at most {MAX_IMPORT_LINES} lines"))
            break
        if len(values) != len(columns):
            report.errors.append(LineError(number, "line", f"{len(columns)} fields expected"))
            continue
        fields = dict(zip(columns, values, strict=True))
        new = NewEmployee(
            name=fields["name"],
            id_number=fields["id_number"],
            phone=fields.get("phone"),
            department=fields.get("department", ""),
        )
        try:
            row = _row(cipher, enterprise_id, _clean(new, now), now, by, person_index)
        except EmployeeError as error:
            report.errors.append(LineError(number, error.field, error.detail))
            continue
        if row.id_ix in seen:
            report.errors.append(
                LineError(number, "id_number", f"the same person as on line {seen[row.id_ix]}")
            )
            continue
        seen[row.id_ix] = number
        rows.append((number, row))
    present = _on_roster(session, enterprise_id, [row.id_ix for _n, row in rows])
    report.errors.extend(
        LineError(number, "id_number", "this person is on the roster already")
        for number, row in rows
        if row.id_ix in present
    )
    report.errors.sort(key=lambda e: e.line)
    if report.errors:
        return report
    session.add_all(row for _n, row in rows)
    session.flush()
    report.imported = len(rows)
    return report


def view(cipher: RecordCipher, row: Employee) -> EmployeeView:
    """Decrypt one employee for its enterprise: the caller audits the read."""

    def text(sealed: bytes | None, column: str) -> str | None:
        plain = cipher.open(sealed, row.id, column)
        return None if plain is None else plain.decode("utf-8")

    return EmployeeView(
        employee_id=row.id,
        enterprise_id=row.enterprise_id,
        name=text(row.name_enc, "name") or "",
        id_number_masked=text(row.id_masked_enc, "id_masked") or "",
        phone=text(row.phone_enc, "phone"),
        department=row.department,
        created_at=row.created_at,
    )
