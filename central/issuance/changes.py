"""Colour changes after issuance: check-ins, clinic events, fever cases, area risk levels.

Each change goes through `codes.settle` (re-assess by the person's rule set) and, when the
colour moved, `feed.append_change` with its reason and actor.

Area risk changes are recomputed in the background, in partitions and batches
(`central.issuance.recompute_jobs` and `central.issuance.recompute`, whose functions are
re-exported here).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import CheckIn as CheckInRow
from central.core.models import FeverCase, Person
from central.issuance import feed
from central.issuance.codes import (
    PersonNotFoundError,
    lock_person,
    risk_levels,
    settle,
    token_hash,
)
from central.issuance.recompute import BATCH_SIZE, recompute_people, sweep_due
from central.issuance.recompute_jobs import (
    LEASE,
    run_batch,
    run_job,
    run_pending,
    set_area_risk,
    worker_name,
)
from central.issuance.rules import (
    ClinicalStatus,
    Facts,
    Flag,
    FlagKind,
    RiskLevel,
    RuleSet,
    china_day,
    load_ruleset,
)
from central.issuance.transactions import retrying
from healthcode.claims import Colour

log = logging.getLogger(__name__)


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


def is_abnormal(check_in: CheckIn, ruleset: RuleSet) -> bool:
    temperature = check_in.temperature_celsius
    return bool(
        check_in.cough
        or check_in.symptoms
        or (temperature is not None and temperature > ruleset.fever_celsius)
    )


def after_check_in(facts: Facts, check_in: CheckIn, ruleset: RuleSet, now: datetime) -> Facts:
    """健康打卡: an abnormal day raises a flag and restarts the count of normal days."""
    if is_abnormal(check_in, ruleset):
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


def _keep_check_in(
    session: Session, person: Person, entry: CheckIn, ruleset: RuleSet, now: datetime
) -> None:
    """The day's row for the staff's list: the last answer of the day, abnormal when any was
    (the person's row is locked, so two check-ins of one person do not race)."""
    day = china_day(now)
    temperature = entry.temperature_celsius
    abnormal = is_abnormal(entry, ruleset)
    kept = session.get(CheckInRow, (person.id, day))
    if kept is None:
        session.add(
            CheckInRow(
                person_id=person.id,
                day=day,
                residence_area=person.residence_area,
                at=now,
                abnormal=abnormal,
                temperature_celsius=temperature,
            )
        )
        return
    kept.at, kept.temperature_celsius = now, temperature
    kept.abnormal = kept.abnormal or abnormal
    kept.residence_area = person.residence_area


def check_in(
    sessions: sessionmaker[Session], holder_token: str, entry: CheckIn, now: datetime
) -> Colour:
    def work(session: Session) -> Colour:
        person = lock_person(session, Person.holder_token_hash == token_hash(holder_token))
        if person is None:
            raise PersonNotFoundError("unknown holder token")
        ruleset = load_ruleset(person.ruleset)
        facts = after_check_in(Facts.from_json(person.facts), entry, ruleset, now)
        _keep_check_in(session, person, entry, ruleset, now)
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


class EventRefusedError(RefusedError, ValueError):
    """An event the person's state does not allow (a conflict with what is recorded)."""

    status_code = 409


class FeverReasonError(RefusedError, ValueError):
    """A reason that does not fit the decision (a dismissal because of symptoms)."""

    status_code = 422


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


class FeverReason(StrEnum):
    """Why a fever case was confirmed or dismissed: a choice, never free text (no names)."""

    REMEASURED_FEVER = "remeasured_fever"  # measured again: still a fever
    SYMPTOMS = "symptoms"  # other symptoms seen
    REFERRED = "referred"  # sent to a fever clinic
    REMEASURED_NORMAL = "remeasured_normal"  # measured again: normal
    SURROUNDINGS = "surroundings"  # heat, sun or exercise before the gate
    DEVICE_FAULT = "device_fault"  # the kiosk's reading was wrong
    OTHER = "other"


# The reasons that fit each decision (`other` fits both).
FEVER_REASONS = {
    FeverDecision.CONFIRM: (
        FeverReason.REMEASURED_FEVER,
        FeverReason.SYMPTOMS,
        FeverReason.REFERRED,
        FeverReason.OTHER,
    ),
    FeverDecision.DISMISS: (
        FeverReason.REMEASURED_NORMAL,
        FeverReason.SURROUNDINGS,
        FeverReason.DEVICE_FAULT,
        FeverReason.OTHER,
    ),
}


def decide_fever_case(
    sessions: sessionmaker[Session],
    case_id: str,
    decision: FeverDecision,
    issuer: str,
    now: datetime,
    *,
    actor: str,
    reason: FeverReason | None = None,
) -> Colour | None:
    """Staff confirm a kiosk's fever report (the holder's colour turns yellow) or dismiss it,
    for a reason kept with the case. A reading alone changes nobody's colour. The holder's new
    colour, None when the code is not one of ours (or none was shown)."""
    if reason is not None and reason not in FEVER_REASONS[decision]:
        raise FeverReasonError(f"the reason {reason.value} does not fit a {decision.value}")

    def work(session: Session) -> Colour | None:
        status = "confirmed" if decision is FeverDecision.CONFIRM else "dismissed"
        case = session.execute(
            update(FeverCase)
            .where(FeverCase.id == case_id, FeverCase.status == "open")
            .values(
                status=status,
                decision_reason=reason.value if reason else None,
                decided_at=now,
                decided_by=actor,
            )
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

# Recomputing many people lives in `recompute`; these names are the module's interface.
__all__ = [
    "BATCH_SIZE",
    "LEASE",
    "RiskLevel",
    "recompute_people",
    "run_batch",
    "run_job",
    "run_pending",
    "set_area_risk",
    "sweep_due",
    "worker_name",
]
