"""Clinic events: a region administrator records a clinic's finding about a person of its area."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionsDep
from central.core.errors import ApiError
from central.core.models import Person
from central.core.scope import Role, ScopeDep
from central.issuance import changes
from central.issuance.routers.common import PREFIX, KeysDep
from central.issuance.schemas import ClinicEventIn, ColourOut
from sync.schemas import RefusalReason

router = APIRouter()


@router.post(f"{PREFIX}/clinic-events")
def clinic_event(
    body: ClinicEventIn,
    scope: ScopeDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    audit: AuditDep,
) -> ColourOut:
    """A clinic's finding about a person living in the reader's area."""
    id_ix = keys.cipher.id_index(body.id_type.value, body.id_number)
    with sessions() as session:
        person = session.scalars(
            select(Person).where(Person.issuer == keys.issuer, Person.id_ix == id_ix)
        ).first()
        found = person is not None and scope.covers(person.residence_area)
    audit.record(Action.READ, "person", 1 if found else 0)
    if person is None or not found:
        raise ApiError(404, RefusalReason.NOT_FOUND, "no such person in your area")
    if scope.role is not Role.REGION_ADMIN:
        raise ApiError(403, RefusalReason.FORBIDDEN, "only a region administrator of this area")
    colour = changes.record_event(sessions, person.id, body.event, now, actor=scope.account_id)
    return ColourOut(colour=colour.value)
