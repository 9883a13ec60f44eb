"""Issuing and refreshing codes, and the one path every colour change takes.

One code id per person and issuer, kept for good: refreshing signs a new token with the same
code id and the current colour, so screenshots and paper codes keep working until they expire,
and a colour change reaches them through the status feed. The colour sequence grows with
each change; the first issue has sequence 1 and needs no feed entry (the code carries it).

Concurrency: a person's row is locked by an `UPDATE ... RETURNING` before it is read (a row
lock on PostgreSQL, the write lock on SQLite), so concurrent declarations or events for one
person apply one after the other; a first declaration racing another inserts once and the
loser retries as an update. The feed is appended last, in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from central.issuance import feed
from central.issuance.declarations import Declaration, Holder, checked, facts_after
from central.issuance.people import IssuerKeys
from central.issuance.rules import (
    DEFAULT_RULESET,
    Assessment,
    Facts,
    RiskLevel,
    RuleSet,
    evaluate,
    load_ruleset,
)
from central.models import AreaRisk, Person, PersonArea, new_id
from healthcode import jkm
from healthcode.claims import CodeKind, Colour

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 8
HOLDER_TOKEN_BYTES = 32


class PersonNotFoundError(LookupError):
    pass


class NotVerifiedError(PermissionError):
    """The declaration's `verify` check (the SMS code) refused it."""


@dataclass(frozen=True)
class IssuedCode:
    person_id: str
    qr_text: str
    colour: Colour
    colour_seq: int
    kind: CodeKind
    masked_name: str
    issued_at: datetime
    expires_at: datetime
    rule_ids: tuple[str, ...]
    holder_token: str | None = None


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def risk_levels(session: Session) -> dict[str, RiskLevel]:
    return {
        code: RiskLevel(level)
        for code, level in session.execute(select(AreaRisk.area_code, AreaRisk.level))
    }


def retrying(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in a transaction, again when a concurrent writer got there first."""
    for attempt in range(RETRIES):
        try:
            with sessions() as session, session.begin():
                return work(session)
        except (IntegrityError, OperationalError) as error:
            if attempt == RETRIES - 1:
                raise
            log.debug("retrying after a concurrent write: %s", type(error).__name__)
    raise AssertionError("unreachable")


def lock_person(session: Session, condition: object) -> Person | None:
    """Take the person's row lock first, then read it (see the module docstring)."""
    person_id = session.execute(
        update(Person)
        .where(condition)  # type: ignore[arg-type]
        .values(lock_version=Person.lock_version + 1)
        .returning(Person.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if person_id is None else session.get(Person, person_id, populate_existing=True)


def settle(
    person: Person,
    facts: Facts,
    ruleset: RuleSet,
    levels: Mapping[str, RiskLevel],
    now: datetime,
    reason: str,
    actor: str,
) -> feed.Change | None:
    """Store new facts, re-assess the colour; the feed change when the colour changed."""
    assessment = evaluate(ruleset, facts, levels, now)
    person.facts = facts.to_json()
    person.review_at = assessment.review_at
    person.updated_at = now
    return _recolour(person, assessment, now, reason, actor)


def _recolour(
    person: Person, assessment: Assessment, now: datetime, reason: str, actor: str
) -> feed.Change | None:
    if assessment.colour.value == person.colour:
        return None
    person.colour = assessment.colour.value
    person.colour_seq += 1
    person.colour_reason = reason[:64]
    return feed.Change(
        person.issuer, person.code_id, assessment.colour, person.colour_seq, reason, now, actor
    )


def sync_areas(session: Session, person_id: str, facts: Facts) -> None:
    session.execute(delete(PersonArea).where(PersonArea.person_id == person_id))
    session.execute(
        insert(PersonArea),
        [{"area_code": a, "person_id": person_id} for a in sorted(facts.areas())],
    )


def sign(
    person: Person, keys: IssuerKeys, now: datetime, kind: CodeKind | None = None
) -> IssuedCode:
    """A new token for the person's code at its current colour."""
    name = keys.cipher.open(person.name_enc, person.id, "name")
    number = keys.cipher.open(person.id_number_enc, person.id, "id_number")
    code_kind = kind or CodeKind(person.code_kind)
    claims = jkm.claims_for_person(
        issuer=person.issuer,
        code_id=person.code_id,
        colour=Colour(person.colour),
        colour_seq=person.colour_seq,
        kind=code_kind,
        full_name=name,
        id_number=number if person.id_type == "resident_id" else None,
        binding_key=keys.binding_key if person.id_type == "resident_id" else None,
        now=now,
    )
    return IssuedCode(
        person_id=person.id,
        qr_text=jkm.issue(claims, keys.signing_key),
        colour=claims.colour,
        colour_seq=claims.colour_seq,
        kind=code_kind,
        masked_name=claims.masked_name,
        issued_at=claims.issued_at_utc,
        expires_at=claims.expires_at_utc,
        rule_ids=(),
    )


def declare(
    sessions: sessionmaker[Session],
    keys: IssuerKeys,
    declaration: Declaration,
    now: datetime,
    *,
    actor: str = "holder",
    new_holder_token: bool = True,
    verify: Callable[[Session], bool] | None = None,
    grouped: bool = False,
) -> IssuedCode:
    """Accept a declaration (validated here), assign the colour and sign the code.

    `verify` runs first in the same transaction (the SMS code is used up with the declaration,
    or its failed try is counted and `NotVerifiedError` raised). `grouped` shares the
    transaction and its commit with concurrent declarations of this process
    (`central.issuance.batching`)."""
    declaration = checked(declaration, now)
    ruleset = load_ruleset(declaration.ruleset or DEFAULT_RULESET)
    cipher = keys.cipher
    id_ix = cipher.id_index(declaration.id_type.value, declaration.id_number)
    holder_token = secrets.token_urlsafe(HOLDER_TOKEN_BYTES) if new_holder_token else None

    def work(session: Session) -> IssuedCode | None:
        if verify is not None and not verify(session):
            return None  # committed: the failed try counts
        # The row lock first: reading before it would make SQLite refuse the later write.
        person = lock_person(session, (Person.issuer == keys.issuer) & (Person.id_ix == id_ix))
        levels = risk_levels(session)
        created = person is None
        if person is None:
            person_id = new_id()
            code_id = secrets.token_bytes(16)
            person = Person(
                id=person_id,
                issuer=keys.issuer,
                id_ix=id_ix,
                id_type=declaration.id_type.value,
                name_enc=b"",
                id_number_enc=cipher.seal(declaration.id_number, person_id, "id_number"),
                code_id=code_id,
                code_ix=keys.code_index(code_id),
                colour=Colour.GREEN.value,
                colour_seq=0,
                colour_reason="declaration",
                lock_version=0,
                created_at=now,
                facts={},
            )
        previous = None if created else Facts.from_json(person.facts)
        facts = facts_after(previous, declaration, ruleset, now)
        person.name_enc = cipher.seal(declaration.full_name, person.id, "name")
        if declaration.phone:
            person.phone_ix = cipher.phone_index(declaration.phone)
            person.phone_enc = cipher.seal(declaration.phone, person.id, "phone")
        if declaration.workplace:
            person.workplace_enc = cipher.seal(declaration.workplace, person.id, "workplace")
        person.holder = declaration.holder.value
        person.residence_area = declaration.residence
        person.ruleset = ruleset.id
        person.code_kind = declaration.kind.value
        if holder_token is not None and declaration.holder is not Holder.COMMUNITY:
            person.holder_token_hash = token_hash(holder_token)
        assessment = evaluate(ruleset, facts, levels, now)
        person.facts = facts.to_json()
        person.review_at = assessment.review_at
        person.updated_at = now
        change = None
        if created:
            person.colour = assessment.colour.value
            person.colour_seq = 1
            session.add(person)
        else:
            change = _recolour(person, assessment, now, "declaration", actor)
        session.flush()
        sync_areas(session, person.id, facts)
        if change is not None:
            feed.append_change(session, change)
        issued = sign(person, keys, now)
        return replace(
            issued,
            rule_ids=assessment.rule_ids,
            holder_token=holder_token if declaration.holder is not Holder.COMMUNITY else None,
        )

    if grouped:
        from central.issuance.batching import committer

        issued = committer(sessions).run(work)
    else:
        issued = retrying(sessions, work)
    if issued is None:
        raise NotVerifiedError("wrong or expired code")
    return issued


def person_of_token(session: Session, token: str) -> Person | None:
    return session.scalars(
        select(Person).where(Person.holder_token_hash == token_hash(token))
    ).first()


def refresh(
    sessions: sessionmaker[Session], keys: IssuerKeys, holder_token: str, now: datetime
) -> IssuedCode:
    """A new token, same code id, current colour (time-based rules re-checked first)."""

    def work(session: Session) -> IssuedCode:
        person = lock_person(session, Person.holder_token_hash == token_hash(holder_token))
        if person is None:
            raise PersonNotFoundError("unknown holder token")
        if person.review_at is not None and person.review_at <= now:
            change = settle(
                person,
                Facts.from_json(person.facts),
                load_ruleset(person.ruleset),
                risk_levels(session),
                now,
                "review",
                "system",
            )
            if change is not None:
                feed.append_change(session, change)
        return sign(person, keys, now)

    return retrying(sessions, work)


def paper_codes(
    session: Session, keys: IssuerKeys, people: Iterable[Person], now: datetime
) -> list[tuple[IssuedCode, str]]:
    """Paper (proxy) tokens valid 14 days, with the masked name to print beside them."""
    codes = []
    for person in people:
        kind = CodeKind.PROXY if person.holder != Holder.SELF.value else CodeKind.PAPER
        issued = sign(person, keys, now, kind)
        codes.append((issued, issued.masked_name))
    return codes
