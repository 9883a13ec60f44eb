"""The passage flow: a pure state machine, `handle(event, now) -> effects`.

A person's code, temperature and ID card may arrive in any order within the policy's arrival
window. The decision is made as soon as what the policy requires is there (or at once when the
code alone already denies), or when the window ends, with what is missing named. A fever
reading is measured again once before it counts. No threads, timers, clocks or Qt in here: time
comes in with every event, and a `Tick` lets windows and result screens end.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from healthcode.claims import Colour
from healthcode.identity import IdNumberError, binding_matches, id_number_facts, mask_id_number
from healthcode.results import Rejection, VerifiedCode
from healthcode.text import LocalText
from kiosk.checkpoint.decision import Decision, DecisionInputs, IdMatch, Reason, decide
from kiosk.checkpoint.events import (
    CancelRequested,
    ClockTrustChanged,
    CodeScanned,
    Effect,
    Event,
    IdCardRead,
    OperatorSignedIn,
    OverrideRequested,
    PassageFieldsChanged,
    PassageRecord,
    PasserDetailsTyped,
    PlaySound,
    Prompt,
    ReadyForNext,
    RefuseOverride,
    ReportFever,
    SaveOverride,
    SavePassage,
    ShowPrompt,
    ShowResult,
    TemperatureRead,
    Tick,
)
from kiosk.checkpoint.foreign import ForeignDecision, ForeignVerdict, decide_foreign
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import PassageField, Policy

DEFAULT_RESULT_DURATION = timedelta(seconds=1)


@dataclass(frozen=True)
class PersonProgress:
    """What is known so far of the person at the kiosk, for the scan screen's progress strip:
    `awaited` is what is still missing, the first of it being what the prompt asks for, and
    `deadline` when the arrival window ends and the person is decided without it."""

    code_read: bool
    reading_celsius: float | None  # the latest reading, also a high one to be measured again
    remeasure: bool
    card_read: bool
    deadline: datetime
    awaited: tuple[Prompt, ...]


class FlowState(StrEnum):
    IDLE = "idle"
    COLLECTING = "collecting"
    SHOWING = "showing"


@dataclass
class _Person:
    """What is known so far about the person at the kiosk."""

    deadline: datetime
    code: CodeScanned | None = None
    temperature_celsius: float | None = None
    remeasure_pending: bool = False
    fever_confirmed: bool = False
    card: IdCardRead | None = None
    last_reading: float | None = None
    typed: PasserDetailsTyped | None = None


class PassageFlow:
    def __init__(
        self,
        policy: Policy,
        *,
        binding_keys: Mapping[str, Sequence[bytes]] | None = None,
        new_id: Callable[[], uuid.UUID] = uuid.uuid4,
        result_duration: timedelta = DEFAULT_RESULT_DURATION,
    ) -> None:
        self.policy = policy
        self.state = FlowState.IDLE
        self._binding_keys = dict(binding_keys or {})
        self._new_id = new_id
        self._result_duration = result_duration
        self._person: _Person | None = None
        self._fields = PassageFieldsChanged()
        self._operator_id: str | None = None
        self._clock_trusted = True
        self._showing_until: datetime | None = None
        self._last: tuple[PassageRecord, Decision] | None = None
        self._now: datetime | None = None

    # ------------------------------------------------------------ public

    @property
    def operator_id(self) -> str | None:
        return self._operator_id

    @property
    def passage_fields(self) -> PassageFieldsChanged:
        return self._fields

    def progress(self) -> PersonProgress | None:
        """The person in progress, or None between people and while a result shows."""
        person = self._person
        if self.state is not FlowState.COLLECTING or person is None:
            return None
        return PersonProgress(
            code_read=person.code is not None,
            reading_celsius=person.last_reading,
            remeasure=person.remeasure_pending,
            card_read=person.card is not None,
            deadline=person.deadline,
            awaited=tuple(self._missing(person)),
        )

    def set_policy(self, policy: Policy) -> None:
        """A new policy applies from the next person on."""
        self.policy = policy

    def set_result_duration(self, duration: timedelta) -> None:
        self._result_duration = duration

    def set_binding_keys(self, binding_keys: Mapping[str, Sequence[bytes]]) -> None:
        self._binding_keys = dict(binding_keys)

    def handle(self, event: Event, now: datetime) -> list[Effect]:
        self._now = now
        return self._handle(event, now)

    def _handle(self, event: Event, now: datetime) -> list[Effect]:
        if isinstance(event, Tick):
            return self._tick(now)
        if isinstance(event, CodeScanned):
            return self._code(event, now)
        if isinstance(event, TemperatureRead):
            return self._temperature(event, now)
        if isinstance(event, IdCardRead):
            return self._card(event, now)
        if isinstance(event, PasserDetailsTyped):
            return self._details(event, now)
        if isinstance(event, OverrideRequested):
            return self._override(event, now)
        if isinstance(event, CancelRequested):
            self._person = None
            self.state = FlowState.IDLE
            return [ShowPrompt(Prompt.SCAN)]
        if isinstance(event, PassageFieldsChanged):
            self._fields = event
        elif isinstance(event, OperatorSignedIn):
            self._operator_id = event.operator_id
        elif isinstance(event, ClockTrustChanged):
            self._clock_trusted = event.trusted
        return []

    # ------------------------------------------------------------ events

    def _tick(self, now: datetime) -> list[Effect]:
        if self.state is FlowState.SHOWING and self._showing_until and now >= self._showing_until:
            self.state = FlowState.IDLE
            return [ReadyForNext()]
        person = self._person
        if self.state is FlowState.COLLECTING and person and now >= person.deadline:
            if self._only_the_name_missing(person):
                return []  # staff are typing it, or cancel: no passage without the name
            return self._conclude(now)
        return []

    def _code(self, event: CodeScanned, now: datetime) -> list[Effect]:
        effects: list[Effect] = []
        person = self._current(now)
        if person.code is not None:
            # Someone else's code while one person is in progress: the first person is
            # decided with what is known, the new code starts the next person.
            effects += self._conclude(now)
            person = self._current(now)
        person.code = event
        return effects + self._progress(now)

    def _temperature(self, event: TemperatureRead, now: datetime) -> list[Effect]:
        if now - event.measured_at_utc > self.policy.max_reading_age:
            return []  # an old reading is never attached to a new person
        person = self._current(now)
        celsius = event.body_celsius
        person.last_reading = celsius
        first_fever = self.policy.is_fever(celsius) and not person.remeasure_pending
        if first_fever and self.policy.remeasure_fever and not person.fever_confirmed:
            person.remeasure_pending = True
            person.temperature_celsius = None
            person.deadline = now + self.policy.arrival_window
            return [ShowPrompt(Prompt.REMEASURE)]  # the verdict waits for the second reading
        person.remeasure_pending = False
        person.temperature_celsius = celsius
        person.fever_confirmed = self.policy.is_fever(celsius)
        return self._progress(now)

    def _card(self, event: IdCardRead, now: datetime) -> list[Effect]:
        person = self._current(now)
        person.card = event
        return self._progress(now)

    def _details(self, event: PasserDetailsTyped, now: datetime) -> list[Effect]:
        person = self._current(now)
        person.typed = event
        return self._progress(now)

    def _full_name(self, person: _Person) -> str | None:
        """The name from the ID card, else the one staff typed (Hainan 关口信息)."""
        if PassageField.FULL_NAME not in self.policy.passage_fields:
            return None
        if person.card is not None and person.card.full_name:
            return person.card.full_name
        return person.typed.full_name if person.typed and person.typed.full_name else None

    def _phone(self, person: _Person) -> str | None:
        if PassageField.PHONE not in self.policy.passage_fields or person.typed is None:
            return None
        return person.typed.phone or None

    def _name_missing(self, person: _Person) -> bool:
        return PassageField.FULL_NAME in self.policy.passage_fields and not self._full_name(person)

    def _only_the_name_missing(self, person: _Person) -> bool:
        return (
            self._name_missing(person)
            and self._missing(person) == [Prompt.READ_CARD]
            and not (
                self.policy.id_match_required and person.card is None and self._can_match(person)
            )
        )

    def _override(self, event: OverrideRequested, now: datetime) -> list[Effect]:
        if self._last is None:
            return [RefuseOverride(("没有可改判的结果", "There is no result to change"))]
        if self._operator_id is None:
            return [RefuseOverride(("请先登录值班人员", "Sign in as the operator on duty first"))]
        reason = event.reason.strip()
        if not reason:
            return [RefuseOverride(("改判必须填写原因", "A change of decision needs a reason"))]
        record, decision = self._last
        meant = event.record_id
        if meant is not None and (meant != record.record_id or self.state is FlowState.COLLECTING):
            # Staff meant a result that the next person has replaced (or is replacing).
            return [
                RefuseOverride(
                    (
                        "已在核验下一位，不能再改判该结果",
                        "The next person is being checked: that result can no longer be changed",
                    )
                )
            ]
        changed = replace(
            decision,
            outcome=event.outcome,
            reasons=(*decision.reasons, Reason(ReasonCode.OVERRIDDEN, LocalText(reason, reason))),
        )
        self._last = (record, changed)
        self.state = FlowState.SHOWING
        self._showing_until = now + self._result_duration
        return [
            SaveOverride(record.record_id, event.outcome, reason, self._operator_id, now),
            ShowResult(changed, record, None),
            PlaySound(event.outcome),
        ]

    # ------------------------------------------------------------ deciding

    def _current(self, now: datetime) -> _Person:
        if self.state is not FlowState.COLLECTING or self._person is None:
            self._person = _Person(deadline=now + self.policy.arrival_window)
            self.state = FlowState.COLLECTING
        return self._person

    def _missing(self, person: _Person) -> list[Prompt]:
        missing = []
        if person.code is None:
            missing.append(Prompt.SCAN)
        if person.remeasure_pending:
            missing.append(Prompt.REMEASURE)
        elif self.policy.temperature_required and person.temperature_celsius is None:
            missing.append(Prompt.MEASURE)
        if self.policy.id_match_required and person.card is None and self._can_match(person):
            missing.append(Prompt.READ_CARD)
        elif self._name_missing(person):
            missing.append(Prompt.READ_CARD)  # the card gives the name; else staff type it
        return missing

    def _can_match(self, person: _Person) -> bool:
        code = person.code.result if person.code else None
        if not isinstance(code, VerifiedCode):
            return True  # a card may still help: ask for it until the code says otherwise
        if code.is_foreign:
            return False  # a foreign certificate is checked against the passport by staff
        return code.claims.id_binding is not None and code.claims.issuer in self._binding_keys

    def _progress(self, now: datetime) -> list[Effect]:
        person = self._current(now)
        if person.code is not None and self._code_alone_denies(person.code):
            return self._conclude(now)
        missing = self._missing(person)
        if not missing:
            return self._conclude(now)
        return [ShowPrompt(missing[0], tuple(missing))]

    def _code_alone_denies(self, scanned: CodeScanned) -> bool:
        if isinstance(scanned.result, Rejection):
            return True
        if scanned.result.is_foreign:
            foreign = self._foreign_decision(scanned, scanned_at=None)
            return foreign is not None and foreign.verdict is ForeignVerdict.DENY
        colour, _ = self._applied_colour(scanned)
        return self.policy.colour_outcomes[colour] is Outcome.DENY

    def _applied_colour(self, scanned: CodeScanned) -> tuple[Colour, bool]:
        if not isinstance(scanned.result, VerifiedCode):
            raise TypeError("only a verified code has a colour")
        claims = scanned.result.claims
        entry = scanned.feed_entry
        if entry is not None and entry.colour_seq > claims.colour_seq:
            return entry.colour, entry.colour != claims.colour
        return claims.colour, False

    def _foreign_decision(
        self, scanned: CodeScanned, scanned_at: datetime | None
    ) -> ForeignDecision | None:
        result = scanned.result
        if not isinstance(result, VerifiedCode) or result.foreign is None:
            return None
        moment = scanned_at or self._now or result.foreign.issued_at_utc
        return decide_foreign(result.foreign, moment, self.policy.foreign)

    def _id_match(self, person: _Person) -> IdMatch:
        if person.card is None:
            return IdMatch.NOT_READ
        code = person.code.result if person.code else None
        if not isinstance(code, VerifiedCode):
            return IdMatch.NOT_READ
        if code.is_foreign:
            return IdMatch.NOT_BOUND
        binding = code.claims.id_binding
        keys = self._binding_keys.get(code.claims.issuer, ())
        if binding is None or not keys:
            return IdMatch.NOT_BOUND
        if any(binding_matches(key, person.card.id_number, binding) for key in keys):
            return IdMatch.MATCHED
        return IdMatch.MISMATCHED

    def _conclude(self, now: datetime) -> list[Effect]:
        person = self._current(now)
        self._person = None
        scanned = person.code
        if scanned is None and person.card is None and person.temperature_celsius is None:
            self.state = FlowState.IDLE  # only a fever prompt nobody answered: nothing to keep
            return [ShowPrompt(Prompt.SCAN)]
        colour: Colour | None = None
        changed = False
        verified = scanned.result if scanned is not None else None
        if isinstance(verified, VerifiedCode) and not verified.is_foreign and scanned:
            colour, changed = self._applied_colour(scanned)
        national = scanned.national_check if scanned is not None else None
        if national is not None and national.answered and national.valid:
            colour = national.colour  # the service's colour, shown like a code's own
        inputs = DecisionInputs(
            code=scanned.result if scanned else None,
            colour_applied=colour,
            colour_changed_by_feed=changed,
            feed_age=scanned.feed_age if scanned else None,
            temperature_celsius=person.temperature_celsius,
            fever_confirmed=person.fever_confirmed,
            id_match=self._id_match(person),
            repeat_since=scanned.repeat_since if scanned else None,
            foreign=self._foreign_decision(scanned, now) if scanned else None,
            national_check=national,
        )
        decision = decide(inputs, self.policy)
        record = replace(
            self._record(person, decision, inputs, now),
            full_name=self._full_name(person),
            phone=self._phone(person),
        )
        if not self._fields.keep_plate:  # the next vehicle: its plate is typed afresh
            self._fields = replace(self._fields, vehicle_plate=None)
        self._last = (record, decision)
        self.state = FlowState.SHOWING
        self._showing_until = now + self._result_duration
        effects: list[Effect] = [SavePassage(record)]
        if person.fever_confirmed:
            effects.append(ReportFever(record))
        repeat = scanned.repeat_since if scanned else None
        spoken = person.temperature_celsius if person.fever_confirmed else None
        shown = ShowResult(
            decision,
            record,
            repeat,
            birth_date=_birth_date(person.card),
            card_address=person.card.address if person.card is not None else None,
        )
        return [*effects, shown, PlaySound(decision.outcome, spoken)]

    def _record(
        self, person: _Person, decision: Decision, inputs: DecisionInputs, now: datetime
    ) -> PassageRecord:
        result = person.code.result if person.code else None
        verified = result if isinstance(result, VerifiedCode) else None
        card = person.card
        if verified is not None and verified.foreign is not None:
            return self._foreign_record(person, verified, decision, inputs, now)
        return PassageRecord(
            record_id=self._new_id(),
            at_utc=now,
            clock_trusted=self._clock_trusted,
            operator_id=self._operator_id,
            scheme=result.scheme if result is not None else None,
            issuer=verified.claims.issuer if verified else None,
            code_id=verified.claims.code_id if verified else None,
            masked_name=verified.claims.masked_name if verified else _card_name(card),
            id_number_masked=mask_id_number(card.id_number) if card and not verified else None,
            colour_in_code=decision.colour_in_code,
            colour_applied=decision.colour_applied,
            outcome=decision.outcome,
            reasons=tuple(code.value for code in decision.reason_codes),
            rejection=result.reason.value if isinstance(result, Rejection) else None,
            temperature_celsius=person.temperature_celsius,
            fever=person.fever_confirmed,
            id_match=inputs.id_match,
            direction=self._fields.direction,
            trip_reason=self._fields.trip_reason,
            vehicle_plate=self._fields.vehicle_plate,
            policy_version=self.policy.version,
            repeat=inputs.repeat_since is not None,
        )

    def _foreign_record(
        self,
        person: _Person,
        verified: VerifiedCode,
        decision: Decision,
        inputs: DecisionInputs,
        now: datetime,
    ) -> PassageRecord:
        """A foreign certificate keeps no more than our own codes: type and country as the
        scheme and issuer, a masked name and a 16-byte id hashed from its identifier."""
        certificate = verified.foreign
        if certificate is None:
            raise TypeError("not a foreign certificate")
        return PassageRecord(
            record_id=self._new_id(),
            at_utc=now,
            clock_trusted=self._clock_trusted,
            operator_id=self._operator_id,
            scheme=verified.scheme,
            issuer=certificate.issuing_country,
            code_id=certificate.code_id,
            masked_name=certificate.masked_name,
            id_number_masked=None,
            colour_in_code=None,
            colour_applied=None,
            outcome=decision.outcome,
            reasons=tuple(code.value for code in decision.reason_codes),
            rejection=None,
            temperature_celsius=person.temperature_celsius,
            fever=person.fever_confirmed,
            id_match=inputs.id_match,
            direction=self._fields.direction,
            trip_reason=self._fields.trip_reason,
            vehicle_plate=self._fields.vehicle_plate,
            policy_version=self.policy.version,
            repeat=inputs.repeat_since is not None,
        )


def _birth_date(card: IdCardRead | None) -> date | None:
    """The birth date the ID number read or typed carries (None without a valid one)."""
    if card is None:
        return None
    try:
        return id_number_facts(card.id_number).birth_date
    except IdNumberError:
        return None


def _card_name(card: IdCardRead | None) -> str | None:
    return card.masked_name if card is not None else None
