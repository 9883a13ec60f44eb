"""What an enterprise sees of its employees today (issue 25, notices 002 and 004: 实时动态监控员工
状态): each one's code colour, whether it checked in today (健康打卡) and whether it passed one
of the enterprise's own gates today; and the roster (花名册) with that state as a CSV file.

An employee is matched to its code by the issuer's blind index of its ID number, kept on the
roster row when the employee was added (`employees.person_ix`); an employee without it, or
without a code, shows no colour. Passages count at the enterprise's checkpoints only, matched by
the code's blind index (never a code id). Reads go through the roster's scope (its enterprise's
administrator and epidemic staff) and are audited.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.administration.employees import EmployeeView, roster_filter, view
from central.core.audit import Action, Auditor
from central.core.cipher import RecordCipher
from central.core.models import Checkpoint, Employee, Person, ReceivedPassage
from central.core.scope import Scope
from central.issuance.rules import Facts, FlagKind, china_day, day_start

MAX_ROWS = 2000
PASS = "pass"  # noqa: S105 - a passage's outcome, not a password
ROSTER_COLUMNS = ("姓名", "证件号（脱敏）", "电话", "部门", "健康码", "今日打卡", "今日通行")
COLOUR_WORDS = {"green": "绿码", "yellow": "黄码", "red": "红码"}


@dataclass(frozen=True)
class EmployeeState:
    employee: EmployeeView
    colour: str | None  # None: no code found for this employee
    checked_in_today: bool
    passed_today: bool  # through one of its enterprise's gates


def _checked_in(facts: Facts, now: datetime) -> bool:
    today = china_day(now)
    if facts.streak_last == today:
        return True
    return any(f.kind is FlagKind.ABNORMAL and china_day(f.at) == today for f in facts.flags)


def staff_states(
    session: Session,
    scope: Scope,
    audit: Auditor,
    cipher: RecordCipher,
    issuer: str,
    now: datetime,
    action: Action = Action.LIST,
) -> list[EmployeeState]:
    """The enterprise's employees with their state today; audited as `action` (a list on the
    page, an export for the file)."""
    rows = session.scalars(
        select(Employee)
        .where(roster_filter(scope))
        .order_by(Employee.department, Employee.created_at, Employee.id)
        .limit(MAX_ROWS)
    ).all()
    indexes = [r.person_ix for r in rows if r.person_ix is not None]
    people = {}
    if indexes:
        found = session.execute(
            select(Person.id_ix, Person.colour, Person.facts, Person.code_ix).where(
                Person.issuer == issuer, Person.id_ix.in_(indexes)
            )
        ).all()
        people = {row.id_ix: row for row in found}
    passed: set[bytes] = set()
    codes = [p.code_ix for p in people.values()]
    if codes and scope.enterprise_id is not None:
        gates = select(Checkpoint.id).where(Checkpoint.enterprise_id == scope.enterprise_id)
        passed = set(
            session.scalars(
                select(ReceivedPassage.code_ix).where(
                    ReceivedPassage.code_ix.in_(codes),
                    ReceivedPassage.at >= day_start(china_day(now)),
                    ReceivedPassage.checkpoint_id.in_(gates),
                    ReceivedPassage.outcome == PASS,
                )
            )
        )
    audit.record(action, "employee_state", len(rows))
    states = []
    for row in rows:
        person = people.get(row.person_ix) if row.person_ix is not None else None
        states.append(
            EmployeeState(
                employee=view(cipher, row),
                colour=None if person is None else person.colour,
                checked_in_today=person is not None
                and _checked_in(Facts.from_json(person.facts), now),
                passed_today=person is not None and person.code_ix in passed,
            )
        )
    return states


def roster_csv(states: list[EmployeeState]) -> bytes:
    """The 花名册 with today's state: UTF-8 with a BOM, CRLF, formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROSTER_COLUMNS)
    for state in states:
        e = state.employee
        cells = [
            e.name,
            e.id_number_masked,
            e.phone or "",
            e.department,
            COLOUR_WORDS.get(state.colour or "", "未申领"),
            "是" if state.checked_in_today else "否",
            "是" if state.passed_today else "否",
        ]
        writer.writerow([_defused(c) for c in cells])
    return buffer.getvalue().encode("utf-8-sig")


def _defused(text: str) -> str:
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
