"""Issuing and refreshing codes, and the one path every colour change takes.

One code id per person and issuer, kept for good: refreshing signs a new token with the same
code id and the current colour, so screenshots and paper codes keep working until they expire,
and a colour change reaches them through the status feed. The colour sequence grows with
each change; the first issue has sequence 1 and needs no feed entry (the code carries it).

Concurrency: a person is locked by an `UPDATE ... RETURNING` of its `person_colours` row
(bumping `lock_version`) before it is read (a row lock on PostgreSQL, the write lock on
SQLite), so concurrent declarations or events for one person apply one after the other; a
first declaration racing another inserts once and the loser retries as an update. The feed is
appended last, in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Update, and_, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import Person, PersonArea, new_id
from central.issuance import feed, new_people
from central.issuance.batching import committer
from central.issuance.declarations import Declaration, Holder, checked, facts_after
from central.issuance.national_risk import effective_levels
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
from central.issuance.transactions import retrying
from healthcode import jkm
from healthcode.claims import CodeKind, Colour
from sync.schemas import RefusalReason

log = logging.getLogger(__name__)
T = TypeVar("T")
HOLDER_TOKEN_BYTES = 32


class PersonNotFoundError(LookupError):
    pass


class NotVerifiedError(PermissionError):
    """The declaration's `verify` check (the SMS code) refused it."""


class PreviousPhoneNeededError(RefusedError, PermissionError):
    """One person, one code (一人一码): a declaration for a known ID from another phone than the
    one on record takes the code over only with that phone's SMS code (`previous_phone_code`)
    or after a community worker's in-person reset (`reset_phone`). Nothing is changed."""

    status_code = 403
    reason = RefusalReason.FORBIDDEN

    def __init__(self) -> None:
        super().__init__(
            "previous_phone_code: this ID was declared with another phone; enter the code sent "
            "to that phone, or ask the community for an in-person reset"
        )


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
    """The province's own levels and the national list's (`national_risk.effective_levels`)."""
    return effective_levels(session)


def lock_person(session: Session, condition: ColumnElement[bool]) -> Person | None:
    """Take the person's row lock first, then read it (see the module docstring)."""
    person_id = session.execute(_lock(condition)).scalar_one_or_none()
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


# Built once with bound parameters: the declaration path runs them thousands of times a second,
# and a statement rebuilt from literal values costs more to compile-cache than to run.
# Core on the tables (not the ORM entities, whose bulk paths cost more than the statements),
# run on the session's connection, in its transaction.
_PEOPLE_TABLE = Person.people_table
_COLOURS_TABLE = Person.colours_table


def _lock(person_condition: ColumnElement[bool]) -> Update:
    """The row lock: every writer of a person bumps `lock_version` of its `person_colours` row
    first (a recompute's guarded write skips anyone bumped since it read them)."""
    return (
        update(_COLOURS_TABLE)
        .where(_COLOURS_TABLE.c.person_id.in_(select(_PEOPLE_TABLE.c.id).where(person_condition)))
        .values(lock_version=_COLOURS_TABLE.c.lock_version + 1)
        .returning(_COLOURS_TABLE.c.person_id)
    )


_LOCK_BY_ID_IX = _lock(
    and_(
        _PEOPLE_TABLE.c.issuer == bindparam("of_issuer"),
        _PEOPLE_TABLE.c.id_ix == bindparam("of_id_ix"),
    )
)


def sign(
    person: Person, keys: IssuerKeys, now: datetime, kind: CodeKind | None = None
) -> IssuedCode:
    """A new token for the person's code at its current colour."""
    return _signed(
        keys,
        person_id=person.id,
        code_id=person.code_id,
        colour=Colour(person.colour),
        colour_seq=person.colour_seq,
        kind=kind or CodeKind(person.code_kind),
        full_name=keys.cipher.open(person.name_enc, person.id, "name"),
        id_number=(
            keys.cipher.open(person.id_number_enc, person.id, "id_number")
            if person.id_type == "resident_id"
            else None
        ),
        now=now,
    )


def _signed(
    keys: IssuerKeys,
    *,
    person_id: str,
    code_id: bytes,
    colour: Colour,
    colour_seq: int,
    kind: CodeKind,
    full_name: str,
    id_number: str | None,
    now: datetime,
) -> IssuedCode:
    """Sign from values in clear (a declaration has them: nothing to decrypt)."""
    claims = jkm.claims_for_person(
        issuer=keys.issuer,
        code_id=code_id,
        colour=colour,
        colour_seq=colour_seq,
        kind=kind,
        full_name=full_name,
        id_number=id_number,
        binding_key=keys.binding_key if id_number is not None else None,
        now=now,
    )
    return IssuedCode(
        person_id=person_id,
        qr_text=jkm.issue(claims, keys.signing_key),
        colour=claims.colour,
        colour_seq=claims.colour_seq,
        kind=kind,
        masked_name=claims.masked_name,
        issued_at=claims.issued_at_utc,
        expires_at=claims.expires_at_utc,
        rule_ids=(),
    )


DeclarationWork = Callable[[Session], "IssuedCode | None"]


def declaration_work(
    keys: IssuerKeys,
    declaration: Declaration,
    now: datetime,
    *,
    actor: str = "holder",
    new_holder_token: bool = True,
    verify: Callable[[Session], bool] | None = None,
    proven_phone_ix: bytes | None = None,
) -> DeclarationWork:
    """Validate a declaration (raises DeclarationError) and return the transaction's work:
    it assigns the colour, stores the person and signs the code; None when `verify` (the SMS
    code, used up in the same transaction) refused it.

    Everything that needs no database is done here, before the transaction: the checks, the
    blind index, and for a person not seen before the sealed fields and the first assessment
    inputs, so the writer holds its lock only for the statements.

    A known ID declared from another phone than the one on record raises
    `PreviousPhoneNeededError` (the transaction rolled back, the new phone's code not used up)
    unless `proven_phone_ix` is the recorded phone's, proven by its own SMS code
    (`central.issuance.sms.verify_holder_code`); a community worker's proxy declaration keeps
    the recorded phone."""
    declaration = checked(declaration, now)
    ruleset = load_ruleset(declaration.ruleset or DEFAULT_RULESET)
    cipher = keys.cipher
    id_ix = cipher.id_index(declaration.id_type.value, declaration.id_number)
    holds_token = new_holder_token and declaration.holder is not Holder.COMMUNITY
    holder_token = secrets.token_urlsafe(HOLDER_TOKEN_BYTES) if holds_token else None
    id_number = declaration.id_number if declaration.id_type.value == "resident_id" else None
    new_person_id = new_id()
    new_code_id = secrets.token_bytes(16)
    new_facts = facts_after(None, declaration, ruleset, now)
    new_row: dict[str, Any] = {
        "id": new_person_id,
        "issuer": keys.issuer,
        "id_ix": id_ix,
        "id_type": declaration.id_type.value,
        "name_enc": cipher.seal(declaration.full_name, new_person_id, "name"),
        "id_number_enc": cipher.seal(declaration.id_number, new_person_id, "id_number"),
        "phone_ix": cipher.phone_index(declaration.phone) if declaration.phone else None,
        "phone_enc": (
            cipher.seal(declaration.phone, new_person_id, "phone") if declaration.phone else None
        ),
        "workplace_enc": (
            cipher.seal(declaration.workplace, new_person_id, "workplace")
            if declaration.workplace
            else None
        ),
        "holder": declaration.holder.value,
        "issued_by_id": actor if declaration.holder is Holder.COMMUNITY else None,
        "residence_area": declaration.residence,
        "ruleset": ruleset.id,
        "facts": new_facts.to_json(),
        "code_id": new_code_id,
        "code_ix": keys.code_index(new_code_id),
        "code_kind": declaration.kind.value,
        "holder_token_hash": token_hash(holder_token) if holder_token is not None else None,
        "created_at": now,
        "updated_at": now,
    }

    def created(session: Session) -> IssuedCode:
        assessment = evaluate(ruleset, new_facts, cached_risk_levels(session), now)
        new_people.add(
            session,
            new_row,
            {
                "person_id": new_person_id,
                "colour": assessment.colour.value,
                "colour_seq": 1,
                "colour_reason": "declaration",
                "review_at": assessment.review_at,
                "lock_version": 0,
            },
            [{"area_code": a, "person_id": new_person_id} for a in sorted(new_facts.areas())],
        )
        issued = _signed(
            keys,
            person_id=new_person_id,
            code_id=new_code_id,
            colour=assessment.colour,
            colour_seq=1,
            kind=declaration.kind,
            full_name=declaration.full_name,
            id_number=id_number,
            now=now,
        )
        return replace(issued, rule_ids=assessment.rule_ids, holder_token=holder_token)

    def updated(session: Session, person: Person) -> IssuedCode:
        taken_over = (
            new_row["phone_ix"] is not None
            and person.phone_ix is not None
            and person.phone_ix != new_row["phone_ix"]
        )
        if taken_over and person.phone_ix != proven_phone_ix:
            raise PreviousPhoneNeededError
        facts = facts_after(Facts.from_json(person.facts), declaration, ruleset, now)
        person.name_enc = cipher.seal(declaration.full_name, person.id, "name")
        if declaration.phone:
            person.phone_ix = new_row["phone_ix"]
            person.phone_enc = cipher.seal(declaration.phone, person.id, "phone")
        if declaration.workplace:
            person.workplace_enc = cipher.seal(declaration.workplace, person.id, "workplace")
        person.holder = declaration.holder.value
        person.issued_by_id = actor if declaration.holder is Holder.COMMUNITY else None
        person.residence_area = declaration.residence
        person.ruleset = ruleset.id
        person.code_kind = declaration.kind.value
        if holder_token is not None:
            person.holder_token_hash = new_row["holder_token_hash"]
        assessment = evaluate(ruleset, facts, cached_risk_levels(session), now)
        person.facts = facts.to_json()
        person.review_at = assessment.review_at
        person.updated_at = now
        change = _recolour(person, assessment, now, "declaration", actor)
        session.flush()
        sync_areas(session, person.id, facts)
        if change is not None:
            feed.append_change(session, change)
        issued = _signed(
            keys,
            person_id=person.id,
            code_id=person.code_id,
            colour=Colour(person.colour),
            colour_seq=person.colour_seq,
            kind=declaration.kind,
            full_name=declaration.full_name,
            id_number=id_number,
            now=now,
        )
        return replace(issued, rule_ids=assessment.rule_ids, holder_token=holder_token)

    def work(session: Session) -> IssuedCode | None:
        if verify is not None and not verify(session):
            return None  # committed: the failed try counts
        if new_people.is_new(session, keys.issuer, id_ix):
            new_people.insert_now(session)  # declared twice in one transaction: update it
        # The row lock first: reading before it would make SQLite refuse the later write.
        found = session.connection().execute(
            _LOCK_BY_ID_IX, {"of_issuer": keys.issuer, "of_id_ix": id_ix}
        )
        person_id = found.scalar_one_or_none()
        if person_id is None:
            return created(session)
        return updated(session, session.get_one(Person, person_id, populate_existing=True))

    return work


def cached_risk_levels(session: Session) -> dict[str, RiskLevel]:
    """The area levels, read once per transaction (declarations sharing one read them once)."""
    levels: dict[str, RiskLevel] | None = session.info.get("risk_levels")
    if levels is None:
        levels = session.info["risk_levels"] = risk_levels(session)
    return levels


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
    proven_phone_ix: bytes | None = None,
) -> IssuedCode:
    """Accept a declaration (validated here), assign the colour and sign the code.

    `verify` runs first in the same transaction (the SMS code is used up with the declaration,
    or its failed try is counted and `NotVerifiedError` raised). `grouped` shares the
    transaction and its commit with concurrent declarations of this process
    (`central.issuance.batching`)."""
    work = declaration_work(
        keys,
        declaration,
        now,
        actor=actor,
        new_holder_token=new_holder_token,
        verify=verify,
        proven_phone_ix=proven_phone_ix,
    )
    issued = committer(sessions).run(work) if grouped else retrying(sessions, work)
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


def look_up(
    sessions: sessionmaker[Session],
    keys: IssuerKeys,
    id_type: str,
    id_number: str,
    phone: str,
    verify: Callable[[Session], bool],
    now: datetime,
) -> IssuedCode | None:
    """A holder who lost the page their code was on: found by ID number and the phone given
    when declaring, proven by that phone's SMS code (used up here). A new holder token
    replaces the old one (a code left open on a lost phone stops refreshing). None when the
    code is wrong, the person unknown or the phone not theirs: the same answer for each, so
    the look-up tells nobody who has a code."""
    id_ix = keys.cipher.id_index(id_type, id_number)
    phone_ix = keys.cipher.phone_index(phone)

    def work(session: Session) -> IssuedCode | None:
        if not verify(session):
            return None
        person = lock_person(
            session,
            and_(
                _PEOPLE_TABLE.c.issuer == keys.issuer,
                _PEOPLE_TABLE.c.id_ix == id_ix,
                _PEOPLE_TABLE.c.id_type == id_type,
                _PEOPLE_TABLE.c.phone_ix == phone_ix,
                _PEOPLE_TABLE.c.holder != Holder.COMMUNITY.value,
            ),
        )
        if person is None:
            return None
        holder_token = secrets.token_urlsafe(HOLDER_TOKEN_BYTES)
        person.holder_token_hash = token_hash(holder_token)
        return replace(sign(person, keys, now), holder_token=holder_token)

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
