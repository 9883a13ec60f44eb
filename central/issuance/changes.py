"""Colour changes after issuance: check-ins, clinic events, fever cases, area risk levels.

Each change goes through `codes.settle` (re-assess by the person's rule set) and, when the
colour moved, `feed.append_change` with its reason and actor.

Area risk changes are recomputed in the background, in batches: a `recompute_jobs` row holds
the progress (a cursor, counts) and a lease. Whichever process holds the lease works a batch
in one transaction that also advances the cursor, so a crash loses at most one batch's work,
which the next holder redoes; nothing assumes one process. Batches walk `person_areas` by
(area code, person id) through its primary key, so a job over a million people costs one
index range read per batch.
"""

from __future__ import annotations

import json
import logging
import socket
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Text, and_, cast, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from central.issuance import feed
from central.issuance.codes import (
    PersonNotFoundError,
    lock_person,
    retrying,
    risk_levels,
    settle,
    token_hash,
)
from central.issuance.rules import (
    ClinicalStatus,
    Facts,
    Flag,
    FlagKind,
    RiskLevel,
    RuleSet,
    china_day,
    evaluate,
    load_ruleset,
)
from central.models import AreaRisk, FeverCase, Person, PersonArea, RecomputeJob
from central.regions import prefix_of
from healthcode.claims import Colour

log = logging.getLogger(__name__)
BATCH_SIZE = 2000
LEASE = timedelta(minutes=2)


# ---------------------------------------------------------------- check-ins


@dataclass(frozen=True)
class CheckIn:
    temperature_celsius: float | None
    cough: bool = False
    symptoms: frozenset[str] = frozenset()


def _prune(facts: Facts, ruleset: RuleSet) -> Facts:
    """Drop flags that a long enough run of normal days has cleared."""
    if facts.streak_first is None or facts.streak_last is None:
        return facts
    kept = []
    for flag in facts.flags:
        first = max(facts.streak_first, china_day(flag.at) + timedelta(days=1))
        if (facts.streak_last - first).days + 1 < ruleset.normal_days_to_clear:
            kept.append(flag)
    return replace(facts, flags=tuple(kept))


def after_check_in(facts: Facts, check_in: CheckIn, ruleset: RuleSet, now: datetime) -> Facts:
    """健康打卡: an abnormal day raises a flag and restarts the count of normal days."""
    temperature = check_in.temperature_celsius
    if (
        check_in.cough
        or check_in.symptoms
        or (temperature is not None and temperature > ruleset.fever_celsius)
    ):
        return replace(
            facts,
            flags=(*facts.flags, Flag(FlagKind.ABNORMAL, now)),
            streak_first=None,
            streak_last=None,
        )
    day = china_day(now)
    if facts.streak_last == day:
        return facts
    if facts.streak_last is not None and facts.streak_last == day - timedelta(days=1):
        return _prune(replace(facts, streak_last=day), ruleset)
    return _prune(replace(facts, streak_first=day, streak_last=day), ruleset)


def check_in(
    sessions: sessionmaker[Session], holder_token: str, entry: CheckIn, now: datetime
) -> Colour:
    def work(session: Session) -> Colour:
        person = lock_person(session, Person.holder_token_hash == token_hash(holder_token))
        if person is None:
            raise PersonNotFoundError("unknown holder token")
        ruleset = load_ruleset(person.ruleset)
        facts = after_check_in(Facts.from_json(person.facts), entry, ruleset, now)
        change = settle(person, facts, ruleset, risk_levels(session), now, "check_in", "holder")
        if change is not None:
            feed.append_change(session, change)
        return Colour(person.colour)

    return retrying(sessions, work)


# ---------------------------------------------------------------- clinic events


class ClinicEvent(StrEnum):
    CONFIRMED = "confirmed"  # diagnosed
    ASYMPTOMATIC = "asymptomatic"
    SUSPECTED = "suspected"
    CLOSE_CONTACT = "close_contact"  # named a close contact
    DISCHARGED = "discharged"  # cured and discharged
    FOLLOWUP_NORMAL = "followup_normal"  # the 14-day follow-up after discharge was normal
    RULED_OUT = "ruled_out"  # a suspected case ruled out by a discharge diagnosis
    ISOLATION_END = "isolation_end"  # isolation ended with normal temperature and no cough
    MEDICINE_PURCHASE = "medicine_purchase"  # fever or cough medicine bought (Hainan)
    FEVER_CLINIC = "fever_clinic"  # registered at a fever clinic (Hainan)


class EventRefusedError(ValueError):
    pass


_DIAGNOSES = {
    ClinicEvent.CONFIRMED: ClinicalStatus.CONFIRMED,
    ClinicEvent.ASYMPTOMATIC: ClinicalStatus.ASYMPTOMATIC,
    ClinicEvent.SUSPECTED: ClinicalStatus.SUSPECTED,
    ClinicEvent.CLOSE_CONTACT: ClinicalStatus.CLOSE_CONTACT,
}
_ENDS_BY_ISOLATION = {
    ClinicalStatus.CLOSE_CONTACT,
    ClinicalStatus.ASYMPTOMATIC,
    ClinicalStatus.DISCHARGED,
    ClinicalStatus.SUSPECTED,
}


def after_event(facts: Facts, event: ClinicEvent, now: datetime) -> Facts:
    status = facts.clinical
    if event in _DIAGNOSES:
        new = _DIAGNOSES[event]
        if status is ClinicalStatus.CONFIRMED and new is not ClinicalStatus.CONFIRMED:
            return facts  # a confirmed case stays one until discharged
        return replace(facts, clinical=new, clinical_at=now, followup_normal=False)
    if event is ClinicEvent.DISCHARGED:
        if status is not ClinicalStatus.CONFIRMED:
            raise EventRefusedError("only a confirmed case is discharged cured")
        return replace(facts, clinical=ClinicalStatus.DISCHARGED, clinical_at=now)
    if event is ClinicEvent.FOLLOWUP_NORMAL:
        if status is not ClinicalStatus.DISCHARGED:
            raise EventRefusedError("a follow-up follows a discharge")
        return replace(facts, followup_normal=True)
    if event is ClinicEvent.RULED_OUT:
        if status is not ClinicalStatus.SUSPECTED:
            raise EventRefusedError("only a suspected case is ruled out")
        return replace(facts, clinical=None, clinical_at=now)
    if event is ClinicEvent.ISOLATION_END:
        if status is ClinicalStatus.CONFIRMED:
            raise EventRefusedError("a confirmed case ends isolation by discharge")
        if status in _ENDS_BY_ISOLATION:
            return replace(facts, clinical=None, clinical_at=now, followup_normal=False)
        return facts
    kind = (
        FlagKind.MEDICINE_PURCHASE
        if event is ClinicEvent.MEDICINE_PURCHASE
        else FlagKind.FEVER_CLINIC
    )
    return replace(facts, flags=(*facts.flags, Flag(kind, now)))


def record_event(
    sessions: sessionmaker[Session],
    person_id: str,
    event: ClinicEvent,
    now: datetime,
    *,
    actor: str,
) -> Colour:
    def work(session: Session) -> Colour:
        person = lock_person(session, Person.id == person_id)
        if person is None:
            raise PersonNotFoundError(person_id)
        facts = after_event(Facts.from_json(person.facts), event, now)
        change = settle(
            person,
            facts,
            load_ruleset(person.ruleset),
            risk_levels(session),
            now,
            f"clinic:{event.value}",
            actor,
        )
        if change is not None:
            feed.append_change(session, change)
        return Colour(person.colour)

    return retrying(sessions, work)


# ---------------------------------------------------------------- fever cases (from kiosks)


class FeverDecision(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"


def decide_fever_case(
    sessions: sessionmaker[Session],
    case_id: str,
    decision: FeverDecision,
    issuer: str,
    now: datetime,
    *,
    actor: str,
) -> Colour | None:
    """Staff confirm a kiosk's fever report (the holder's colour turns yellow) or dismiss it.
    A reading alone changes nobody's colour. The holder's new colour, None when the code is
    not one of ours (or none was shown)."""

    def work(session: Session) -> Colour | None:
        status = "confirmed" if decision is FeverDecision.CONFIRM else "dismissed"
        case = session.execute(
            update(FeverCase)
            .where(FeverCase.id == case_id, FeverCase.status == "open")
            .values(status=status)
            .returning(FeverCase.code_ix, FeverCase.issuer, FeverCase.at)
        ).first()
        if case is None:
            raise EventRefusedError("no open fever case with this id")
        code_ix, case_issuer, at = case
        if decision is FeverDecision.DISMISS or code_ix is None or case_issuer != issuer:
            return None
        person = lock_person(session, (Person.code_ix == code_ix) & (Person.issuer == issuer))
        if person is None:
            return None
        facts = Facts.from_json(person.facts)
        facts = replace(
            facts,
            flags=(*facts.flags, Flag(FlagKind.FEVER_CASE, at)),
            streak_first=None,
            streak_last=None,
        )
        ruleset = load_ruleset(person.ruleset)
        change = settle(person, facts, ruleset, risk_levels(session), now, "fever_case", actor)
        if change is not None:
            feed.append_change(session, change)
        return Colour(person.colour)

    return retrying(sessions, work)


# ---------------------------------------------------------------- area risk levels


def _upper(prefix: str) -> str | None:
    """The smallest code above every code with this prefix (digits only)."""
    if set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def _under(column: Any, prefix: str) -> Any:
    """An index range for 'starts with prefix', for digit-only codes in any collation."""
    upper = _upper(prefix)
    low = column >= prefix
    return low if upper is None else and_(low, column < upper)


def set_area_risk(
    sessions: sessionmaker[Session],
    area_code: str,
    level: RiskLevel,
    now: datetime,
    *,
    actor: str,
) -> str:
    """Store the level and queue the recomputation of everyone it may affect; the job id."""

    def work(session: Session) -> str:
        risk = session.get(AreaRisk, area_code)
        if risk is None:
            session.add(
                AreaRisk(area_code=area_code, level=level.value, changed_at=now, changed_by=actor)
            )
        else:
            risk.level, risk.changed_at, risk.changed_by = level.value, now, actor
        total = session.scalar(
            select(func.count())
            .select_from(PersonArea)
            .where(_under(PersonArea.area_code, prefix_of(area_code)))
        )
        job = RecomputeJob(
            area_code=area_code,
            reason=f"area_risk:{area_code}:{level.value}",
            status="pending",
            cursor="",
            processed=0,
            changed=0,
            total=int(total or 0),
            created_by=actor,
            created_at=now,
        )
        session.add(job)
        session.flush()
        return job.id

    return retrying(sessions, work)


def worker_name() -> str:
    return f"{socket.gethostname()}:{id(object())}"


def _claim(session: Session, job_id: str, owner: str, now: datetime) -> RecomputeJob | None:
    """Take or renew the lease (the first write, so it also takes SQLite's write lock)."""
    claimed = session.execute(
        update(RecomputeJob)
        .where(
            RecomputeJob.id == job_id,
            RecomputeJob.status != "done",
            or_(
                RecomputeJob.lease_owner.is_(None),
                RecomputeJob.lease_owner == owner,
                RecomputeJob.lease_until < now,
            ),
        )
        .values(lease_owner=owner, lease_until=now + LEASE, status="running")
        .returning(RecomputeJob.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if claimed is None else session.get(RecomputeJob, job_id, populate_existing=True)


_PERSON_COLUMNS = (
    Person.id,
    Person.issuer,
    Person.code_id,
    Person.ruleset,
    cast(Person.facts, Text).label("facts_text"),  # decoded only when not seen before
    Person.colour,
    Person.colour_seq,
    Person.review_at,
)


def run_batch(
    sessions: sessionmaker[Session],
    job_id: str,
    owner: str,
    clock: Callable[[], datetime],
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Work one batch of the job; False when it is done or another worker holds it."""
    with sessions() as session, session.begin():
        now = clock()
        job = _claim(session, job_id, owner, now)
        if job is None:
            return False
        prefix = prefix_of(job.area_code)
        area, _, after = job.cursor.partition("|")
        if not area:
            area = (
                session.scalar(
                    select(func.min(PersonArea.area_code)).where(
                        _under(PersonArea.area_code, prefix)
                    )
                )
                or ""
            )
        ids: list[str] = []
        while area and len(ids) < batch_size:
            found = list(
                session.scalars(
                    select(PersonArea.person_id)
                    .where(PersonArea.area_code == area, PersonArea.person_id > after)
                    .order_by(PersonArea.person_id)
                    .limit(batch_size - len(ids))
                )
            )
            ids.extend(found)
            if len(ids) < batch_size:  # this area is exhausted: on to the next code
                after = ""
                area = (
                    session.scalar(
                        select(func.min(PersonArea.area_code)).where(
                            _under(PersonArea.area_code, prefix), PersonArea.area_code > area
                        )
                    )
                    or ""
                )
            else:
                after = found[-1]
        changed = recompute_people(
            session, sorted(set(ids)), now, job.reason, job.created_by or "system"
        )
        job.processed += len(ids)
        job.changed += changed
        if area:
            job.cursor = f"{area}|{after}"
        else:
            job.status, job.finished_at, job.lease_owner, job.cursor = "done", now, None, ""
        return True


def recompute_people(
    session: Session, ids: list[str], now: datetime, reason: str, actor: str
) -> int:
    """Re-assess these people (rows locked); update the changed ones, append their feed
    entries. Updates are grouped by outcome, so a batch costs a few statements."""
    if not ids:
        return 0
    levels = risk_levels(session)
    rows = session.execute(
        select(*_PERSON_COLUMNS).where(Person.id.in_(ids)).with_for_update()
    ).all()
    groups: dict[tuple[str, datetime | None], list[str]] = defaultdict(list)
    reviews: dict[datetime | None, list[str]] = defaultdict(list)
    changes: list[feed.Change] = []
    rulesets: dict[str, RuleSet] = {}
    # The same rule set, facts, levels and time give the same colour: people with identical
    # facts (a village's residents who went nowhere) are evaluated once per batch.
    assessed: dict[tuple[str, str], tuple[Colour, datetime | None]] = {}
    for row in rows:
        key = (row.ruleset, row.facts_text)
        outcome = assessed.get(key)
        if outcome is None:
            ruleset = rulesets.get(row.ruleset) or rulesets.setdefault(
                row.ruleset, load_ruleset(row.ruleset)
            )
            assessment = evaluate(ruleset, Facts.from_json(json.loads(row.facts_text)), levels, now)
            outcome = assessed[key] = (assessment.colour, assessment.review_at)
        new_colour, review_at = outcome
        if new_colour.value != row.colour:
            groups[(new_colour.value, review_at)].append(row.id)
            changes.append(
                feed.Change(
                    row.issuer, row.code_id, new_colour, row.colour_seq + 1, reason, now, actor
                )
            )
        elif review_at != row.review_at:
            reviews[review_at].append(row.id)
    for (colour, review_at), members in groups.items():
        session.execute(
            update(Person)
            .where(Person.id.in_(members))
            .values(
                colour=colour,
                colour_seq=Person.colour_seq + 1,
                colour_reason=reason[:64],
                review_at=review_at,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    for review_at, members in reviews.items():
        session.execute(
            update(Person)
            .where(Person.id.in_(members))
            .values(review_at=review_at)
            .execution_options(synchronize_session=False)
        )
    feed.append_changes(session, changes)
    return len(changes)


def run_job(
    sessions: sessionmaker[Session],
    job_id: str,
    clock: Callable[[], datetime],
    owner: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Work the job to its end (or until another worker holds it)."""
    me = owner or worker_name()
    while run_batch(sessions, job_id, me, clock, batch_size):
        pass


def run_pending(
    sessions: sessionmaker[Session], clock: Callable[[], datetime], owner: str | None = None
) -> int:
    """Work every job not done whose lease is free or lapsed; how many were worked."""
    with sessions() as session:
        now = clock()
        job_ids = list(
            session.scalars(
                select(RecomputeJob.id)
                .where(
                    RecomputeJob.status != "done",
                    or_(RecomputeJob.lease_owner.is_(None), RecomputeJob.lease_until < now),
                )
                .order_by(RecomputeJob.created_at)
            )
        )
    for job_id in job_ids:
        run_job(sessions, job_id, clock, owner)
    return len(job_ids)


# ---------------------------------------------------------------- time-based changes


def sweep_due(sessions: sessionmaker[Session], now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Re-assess everyone whose colour may have changed by time alone (a 14-day window
    passing); the number of colour changes. Safe to run in several processes at once."""
    total = 0
    while True:
        with sessions() as session, session.begin():
            ids = list(
                session.scalars(
                    select(Person.id)
                    .where(Person.review_at <= now)
                    .order_by(Person.review_at)
                    .limit(batch_size)
                )
            )
            if not ids:
                return total
            total += recompute_people(session, ids, now, "review", "system")
            # Anyone whose review time did not move (a rule edge in the same instant) is
            # cleared, so the sweep always ends.
            session.execute(
                update(Person)
                .where(Person.id.in_(ids), Person.review_at <= now)
                .values(review_at=None)
                .execution_options(synchronize_session=False)
            )
