"""One person, one code (一人一码): who may move a known ID to another phone.

A self-declaration for an ID on record from another phone than the recorded one takes the code
over only with a proof from the recorded phone (`central.issuance.codes.PreviousPhoneNeededError`
otherwise): the resident asks for a code sent to that phone (`request_holder_code`, by ID; the
answer is the same whether the ID is known or not) and declares with it (`verify_holder_code`,
tries counted like any SMS code). A resident who lost that phone goes to the community: a
worker of the residence area, having seen the person and their ID card, records the new phone
(`reset_phone`, audited); the holder token issued to the old phone stops working.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import Person
from central.core.ratelimit import hit
from central.issuance import sms
from central.issuance.codes import lock_person
from central.issuance.people import IssuerKeys
from sync.schemas import RefusalReason

PER_ADDRESS_PER_MINUTE = 10


class PersonNotOnRecordError(RefusedError, LookupError):
    """An in-person reset for an ID with no code: the worker issues a proxy code instead."""

    status_code = 404
    reason = RefusalReason.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("no code was issued for this ID")


def _recorded_phone(session: Session, keys: IssuerKeys, id_type: str, id_number: str) -> Person:
    return session.scalars(
        select(Person).where(
            Person.issuer == keys.issuer,
            Person.id_ix == keys.cipher.id_index(id_type, id_number),
        )
    ).first()  # type: ignore[return-value]


def request_holder_code(
    sessions: sessionmaker[Session],
    keys: IssuerKeys,
    sender: sms.SmsSender,
    id_type: str,
    id_number: str,
    client_address: str,
    now: datetime,
    per_phone_per_minute: int = sms.PER_PHONE_PER_MINUTE,
) -> None:
    """Send a code to the phone this ID was declared with, if there is one; nothing tells the
    caller whether there was (the phone's own per-minute limit applies as to any code)."""
    if not hit(sessions, f"holder-code-address:{client_address}", PER_ADDRESS_PER_MINUTE, now):
        raise sms.SmsError("rate_limited", "too many codes from this address; wait a minute")
    with sessions() as session:
        person: Person | None = _recorded_phone(session, keys, id_type, id_number)
        phone = (
            keys.cipher.open(person.phone_enc, person.id, "phone")
            if person is not None and person.phone_enc is not None
            else None
        )
    if phone is None:
        return
    try:
        sms.request_code(
            sessions,
            keys.cipher,
            sender,
            phone,
            client_address,
            now,
            per_phone_per_minute=per_phone_per_minute,
        )
    except sms.SmsError as error:
        if error.kind == "send_failed":
            raise
        # rate limits and a recorded number the provider refuses say nothing to the caller


def verify_holder_code(
    sessions: sessionmaker[Session],
    keys: IssuerKeys,
    id_type: str,
    id_number: str,
    code: str,
    now: datetime,
) -> bytes | None:
    """The recorded phone's blind index when `code` is one sent to it (used up), else None
    (its tries counted and committed, so guessing the recorded phone's code runs out)."""
    with sessions() as session, session.begin():
        person: Person | None = _recorded_phone(session, keys, id_type, id_number)
        if person is None or person.phone_ix is None or person.phone_enc is None:
            return None
        phone = keys.cipher.open(person.phone_enc, person.id, "phone")
        phone_ix = person.phone_ix
        if sms.verify_code(session, keys.cipher, phone, code, now):
            return phone_ix
        return None


def reset_phone(
    session: Session, keys: IssuerKeys, id_type: str, id_number: str, phone: str, now: datetime
) -> Person:
    """Record `phone` as the person's phone after an in-person check by a community worker:
    the resident then declares from it; the token held by the old phone no longer works. The
    caller checks the worker's area against the returned person's residence before committing
    and audits the change."""
    phone = sms.check_phone(phone)
    person = lock_person(
        session,
        (Person.issuer == keys.issuer) & (Person.id_ix == keys.cipher.id_index(id_type, id_number)),
    )
    if person is None:
        raise PersonNotOnRecordError
    person.phone_ix = keys.cipher.phone_index(phone)
    person.phone_enc = keys.cipher.seal(phone, person.id, "phone")
    person.holder_token_hash = None
    person.updated_at = now
    return person
