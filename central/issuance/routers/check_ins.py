"""The residents' daily check-ins, as their area's staff see them: who checked in on a day (and
whether the answer was abnormal), or who of the people who check in themselves has not. Names,
ID numbers and phones leave the server masked only; every list is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import and_, exists, select

from central.core.audit import Action
from central.core.deps import NowDep, SessionDep
from central.core.models import CheckIn, Person
from central.core.regions import prefix_of
from central.core.scope import ISSUING_ROLES, IssuingScopeDep
from central.issuance.declarations import Holder
from central.issuance.people import IssuerKeys
from central.issuance.routers.common import (
    PREFIX,
    IssuingAuditDep,
    KeysDep,
    checked_area,
    community_worker,
)
from central.issuance.rules import china_day
from central.issuance.sms import mask_phone
from healthcode.identity import mask_id_number, mask_name

router = APIRouter()
MAX_ROWS = 500


class CheckInOut(BaseModel):
    """One resident of the area on the day: masked, never in full."""

    person_id: str
    masked_name: str
    id_number_masked: str
    phone_masked: str | None
    residence_area: str
    checked_in_at: str | None  # None: has not checked in that day
    abnormal: bool | None
    temperature_celsius: float | None


@router.get(f"{PREFIX}/check-ins")
def check_ins(
    scope: IssuingScopeDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    audit: IssuingAuditDep,
    day: Annotated[date | None, Query(description="local day (Asia/Shanghai); today")] = None,
    area: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    missing: Annotated[bool, Query(description="who has not checked in instead")] = False,
) -> list[CheckInOut]:
    """Check-ins of the people living in `area` (the reader's own at first; a region
    administrator's or a community worker's area), up to 500, abnormal ones first; or, with
    `missing`, the people who check in themselves (a self-declared code) and have not."""
    if area is not None and not (scope.role in ISSUING_ROLES and scope.covers(area)):
        audit.record(Action.LIST, "check_in", 0)
        community_worker(scope, checked_area(area))  # the refusal, with its reason
    chosen_area = area or scope.area
    if chosen_area is None or scope.role not in ISSUING_ROLES:
        audit.record(Action.LIST, "check_in", 0)  # nobody of this account's to list
        return []
    chosen_day = day or china_day(now)
    prefix = prefix_of(chosen_area)
    lives_here = and_(Person.issuer == keys.issuer, scope.person_filter())
    rows: list[tuple[Person, CheckIn | None]]
    if missing:
        checked = exists().where(CheckIn.person_id == Person.id, CheckIn.day == chosen_day)
        people = session.scalars(
            select(Person)
            .where(
                lives_here,
                Person.residence_area.startswith(prefix),
                Person.holder == Holder.SELF.value,
                ~checked,
            )
            .order_by(Person.residence_area, Person.created_at)
            .limit(MAX_ROWS)
        ).all()
        rows = [(person, None) for person in people]
    else:
        found = session.execute(
            select(Person, CheckIn)
            .join(CheckIn, CheckIn.person_id == Person.id)
            .where(lives_here, CheckIn.day == chosen_day, CheckIn.residence_area.startswith(prefix))
            .order_by(CheckIn.abnormal.desc(), CheckIn.at.desc())
            .limit(MAX_ROWS)
        ).all()
        rows = [(person, entry) for person, entry in found]
    audit.record(Action.LIST, "check_in", len(rows))
    return [_out(keys, person, entry) for person, entry in rows]


def _out(keys: IssuerKeys, person: Person, entry: CheckIn | None) -> CheckInOut:
    cipher = keys.cipher
    phone = cipher.open(person.phone_enc, person.id, "phone") if person.phone_enc else None
    return CheckInOut(
        person_id=person.id,
        masked_name=mask_name(cipher.open(person.name_enc, person.id, "name")),
        id_number_masked=mask_id_number(cipher.open(person.id_number_enc, person.id, "id_number")),
        phone_masked=mask_phone(phone) if phone else None,
        residence_area=person.residence_area,
        checked_in_at=_iso(entry.at) if entry else None,
        abnormal=entry.abnormal if entry else None,
        temperature_celsius=entry.temperature_celsius if entry else None,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat()
