"""The colour rules acting on what pharmacies and clinics send (issue 25, Hainan 004).

A purchase of watched medicine (fever, cough, antiviral) is a `medicine_purchase` event for the
buyer; a fever-clinic registration a `fever_clinic` event; an observation visit naming a
confirmed, suspected or asymptomatic case, or a close contact, is that diagnosis. Each record
acts once (`applied_at`), in the transaction that settles the person's colour; the person's
rule set decides what the event means (Hainan: the buyer turns yellow; elsewhere the event may
change nothing). A code that is not ours (no person) is marked applied and changes nobody.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from central.core.models import Person, SceneRecord
from central.issuance import feed
from central.issuance.changes import ClinicEvent, EventRefusedError, after_event
from central.issuance.codes import lock_person, risk_levels, settle
from central.issuance.rules import Facts, load_ruleset
from central.issuance.transactions import retrying

BATCH = 200
_DIAGNOSES = {
    "confirmed": ClinicEvent.CONFIRMED,
    "suspected": ClinicEvent.SUSPECTED,
    "asymptomatic": ClinicEvent.ASYMPTOMATIC,
    "close_contact": ClinicEvent.CLOSE_CONTACT,
}


def event_of(
    kind: str, watched: bool, visit: str | None, case_type: str | None
) -> ClinicEvent | None:
    """What a stored record means for the person's colour; None when nothing."""
    if kind == "purchase":
        return ClinicEvent.MEDICINE_PURCHASE if watched else None
    if visit == "registration":
        return ClinicEvent.FEVER_CLINIC
    return _DIAGNOSES.get(case_type or "")


def apply_scene_records(
    sessions: sessionmaker[Session], now: datetime, *, actor: str = "kiosk"
) -> int:
    """Apply every stored record not yet applied, oldest first; how many were applied."""
    applied = 0
    while True:
        with sessions() as session:
            ids = list(
                session.scalars(
                    select(SceneRecord.id)
                    .where(SceneRecord.applied_at.is_(None))
                    .order_by(SceneRecord.at)
                    .limit(BATCH)
                )
            )
        if not ids:
            return applied
        for record_id in ids:
            applied += retrying(
                sessions, partial(_apply, record_id=record_id, now=now, actor=actor)
            )


def _apply(session: Session, *, record_id: str, now: datetime, actor: str) -> int:
    claimed = session.execute(
        update(SceneRecord)
        .where(SceneRecord.id == record_id, SceneRecord.applied_at.is_(None))
        .values(applied_at=now)
        .returning(
            SceneRecord.kind,
            SceneRecord.watched,
            SceneRecord.visit,
            SceneRecord.case_type,
            SceneRecord.issuer,
            SceneRecord.code_ix,
            SceneRecord.at,
        )
    ).first()
    if claimed is None:
        return 0  # another worker applied it
    kind, watched, visit, case_type, issuer, code_ix, at = claimed
    event = event_of(kind, watched, visit, case_type)
    if event is None or code_ix is None:
        return 1
    person = lock_person(session, (Person.code_ix == code_ix) & (Person.issuer == issuer))
    if person is None:
        return 1
    try:
        facts = after_event(Facts.from_json(person.facts), event, min(at, now))
    except EventRefusedError:
        return 1
    change = settle(
        person,
        facts,
        load_ruleset(person.ruleset),
        risk_levels(session),
        now,
        f"{kind}:{event.value}",
        actor,
    )
    if change is not None:
        feed.append_change(session, change)
    return 1
