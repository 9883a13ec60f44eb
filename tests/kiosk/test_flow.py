"""The passage flow as a state machine: (state, event) -> (state, effects), with time passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from healthcode.claims import Colour
from kiosk.checkpoint.decision import IdMatch
from kiosk.checkpoint.events import (
    CancelRequested,
    ClockTrustChanged,
    CodeScanned,
    IdCardRead,
    OperatorSignedIn,
    OverrideRequested,
    PassageFieldsChanged,
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
from kiosk.checkpoint.flow import FlowState, PassageFlow
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import CheckpointType, Direction, Policy, TripReason, default_policy
from tests.kiosk.checkpoint_support import (
    BINDING_KEY,
    ID_NUMBER,
    ISSUER,
    OTHER_ID_NUMBER,
    T0,
    feed_entry,
    id_factory,
    rejected,
    verified,
)

GATE = default_policy(CheckpointType.ENTERPRISE_GATE)
ROAD = default_policy(CheckpointType.ROAD_JUNCTION)
FRESH = timedelta(hours=1)


def flow(policy: Policy = GATE) -> PassageFlow:
    return PassageFlow(policy, binding_keys={ISSUER: [BINDING_KEY]}, new_id=id_factory())


def scan(code=None, **extra) -> CodeScanned:  # type: ignore[no-untyped-def]
    return CodeScanned(result=code or verified(), feed_age=FRESH, **extra)


def reading(celsius: float, at=T0) -> TemperatureRead:  # type: ignore[no-untyped-def]
    return TemperatureRead(body_celsius=celsius, measured_at_utc=at)


def result_of(effects: list) -> ShowResult:  # type: ignore[type-arg]
    shown = [e for e in effects if isinstance(e, ShowResult)]
    assert len(shown) == 1, effects
    return shown[0]


def test_a_code_then_a_normal_temperature_passes_and_saves_before_showing() -> None:
    machine = flow()
    assert machine.handle(scan(), T0) == [ShowPrompt(Prompt.MEASURE, (Prompt.MEASURE,))]
    effects = machine.handle(reading(36.6), T0 + timedelta(seconds=2))
    kinds = [type(e) for e in effects]
    assert kinds == [SavePassage, ShowResult, PlaySound]
    assert result_of(effects).decision.outcome is Outcome.PASS
    assert machine.state is FlowState.SHOWING


def test_the_temperature_may_come_before_the_code() -> None:
    machine = flow()
    assert machine.handle(reading(36.6), T0) == [ShowPrompt(Prompt.SCAN, (Prompt.SCAN,))]
    effects = machine.handle(scan(), T0 + timedelta(seconds=3))
    assert result_of(effects).decision.outcome is Outcome.PASS
    assert result_of(effects).record.temperature_celsius == 36.6


def test_the_window_ends_with_what_is_missing_named() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    assert machine.handle(Tick(), T0 + timedelta(seconds=19)) == []
    effects = machine.handle(Tick(), T0 + GATE.arrival_window)
    decision = result_of(effects).decision
    assert decision.outcome is Outcome.MANUAL_CHECK
    assert ReasonCode.TEMPERATURE_MISSING in decision.reason_codes


def test_a_fever_is_measured_again_once_before_it_counts() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    first = machine.handle(reading(38.4), T0 + timedelta(seconds=1))
    assert ShowPrompt(Prompt.REMEASURE) in first
    assert not any(isinstance(e, SavePassage) for e in first)
    second = machine.handle(reading(38.5, T0 + timedelta(seconds=5)), T0 + timedelta(seconds=5))
    decision = result_of(second).decision
    assert decision.outcome is Outcome.REFER
    assert [type(e) for e in second][:2] == [SavePassage, ReportFever]
    assert result_of(second).record.fever


def test_a_fever_that_is_normal_on_the_second_measurement_passes() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    machine.handle(reading(37.9), T0 + timedelta(seconds=1))
    effects = machine.handle(reading(36.8, T0 + timedelta(seconds=4)), T0 + timedelta(seconds=4))
    assert result_of(effects).decision.outcome is Outcome.PASS
    assert not any(isinstance(e, ReportFever) for e in effects)


def test_without_remeasuring_the_first_fever_counts() -> None:
    machine = flow(replace(GATE, remeasure_fever=False))
    machine.handle(scan(), T0)
    effects = machine.handle(reading(38.0), T0)
    assert result_of(effects).decision.outcome is Outcome.REFER


def test_an_invalid_code_is_decided_at_once_without_waiting_for_a_temperature() -> None:
    effects = flow().handle(scan(rejected()), T0)
    decision = result_of(effects).decision
    assert decision.outcome is Outcome.DENY
    assert result_of(effects).record.rejection == "expired"


def test_a_red_code_is_decided_at_once() -> None:
    effects = flow().handle(scan(verified(Colour.RED)), T0)
    assert result_of(effects).decision.outcome is Outcome.DENY


def test_a_red_feed_entry_newer_than_a_green_code_denies_at_once() -> None:
    code = verified(Colour.GREEN, colour_seq=1)
    effects = flow().handle(scan(code, feed_entry=feed_entry(code, Colour.RED, 2)), T0)
    result = result_of(effects)
    assert result.decision.outcome is Outcome.DENY
    assert result.record.colour_in_code is Colour.GREEN
    assert result.record.colour_applied is Colour.RED


def test_an_older_feed_entry_does_not_change_the_colour() -> None:
    code = verified(Colour.GREEN, colour_seq=5)
    machine = flow()
    machine.handle(scan(code, feed_entry=feed_entry(code, Colour.RED, 4)), T0)
    effects = machine.handle(reading(36.5), T0)
    assert result_of(effects).record.colour_applied is Colour.GREEN


def test_an_old_temperature_reading_is_never_attached_to_a_new_person() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    assert machine.handle(reading(36.5, T0 - timedelta(seconds=30)), T0) == []
    assert machine.state is FlowState.COLLECTING


def test_a_second_code_decides_the_first_person_and_starts_the_next() -> None:
    machine = flow()
    machine.handle(scan(verified(code_byte=1)), T0)
    effects = machine.handle(scan(verified(code_byte=2)), T0 + timedelta(seconds=2))
    assert result_of(effects).decision.outcome is Outcome.MANUAL_CHECK
    assert machine.state is FlowState.COLLECTING


def test_the_result_closes_after_its_duration_and_a_scan_may_come_at_once() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    machine.handle(reading(36.5), T0)
    assert machine.handle(Tick(), T0 + timedelta(milliseconds=500)) == []
    assert machine.handle(Tick(), T0 + timedelta(seconds=1)) == [ReadyForNext()]
    assert machine.state is FlowState.IDLE
    machine.handle(scan(verified(code_byte=3)), T0 + timedelta(seconds=1, milliseconds=100))
    assert machine.state is FlowState.COLLECTING


def test_a_scan_during_the_result_screen_starts_the_next_person() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    machine.handle(reading(36.5), T0)
    machine.handle(scan(verified(code_byte=9)), T0 + timedelta(milliseconds=300))
    effects = machine.handle(reading(36.7, T0 + timedelta(seconds=1)), T0 + timedelta(seconds=1))
    assert result_of(effects).record.record_id.int == 2


def test_an_id_card_is_matched_against_the_code_in_any_order() -> None:
    machine = flow(ROAD)
    machine.handle(IdCardRead(ID_NUMBER, "张*丰"), T0)
    machine.handle(scan(), T0)
    effects = machine.handle(reading(36.5), T0)
    assert result_of(effects).decision.outcome is Outcome.PASS
    assert result_of(effects).record.id_match is IdMatch.MATCHED


def test_someone_elses_id_card_is_denied() -> None:
    machine = flow(ROAD)
    machine.handle(scan(), T0)
    machine.handle(reading(36.5), T0)
    effects = machine.handle(IdCardRead(OTHER_ID_NUMBER), T0)
    assert result_of(effects).decision.outcome is Outcome.DENY
    assert result_of(effects).record.id_match is IdMatch.MISMATCHED


def test_the_road_policy_waits_for_the_card() -> None:
    machine = flow(ROAD)
    machine.handle(scan(), T0)
    assert machine.handle(reading(36.5), T0) == [ShowPrompt(Prompt.READ_CARD, (Prompt.READ_CARD,))]


def test_a_code_without_binding_does_not_wait_for_a_card() -> None:
    machine = flow(ROAD)
    machine.handle(scan(verified(bound=False)), T0)
    effects = machine.handle(reading(36.5), T0)
    decision = result_of(effects).decision
    assert decision.outcome is Outcome.MANUAL_CHECK
    assert ReasonCode.ID_NOT_BOUND not in decision.reason_codes  # no card was read either
    assert ReasonCode.ID_NOT_READ in decision.reason_codes


def test_an_id_card_alone_gets_a_manual_check_and_keeps_no_full_number() -> None:
    machine = flow()
    machine.handle(IdCardRead(ID_NUMBER, "张*丰"), T0)
    machine.handle(reading(36.5), T0)
    effects = machine.handle(Tick(), T0 + GATE.arrival_window)
    record = result_of(effects).record
    assert record.outcome is Outcome.MANUAL_CHECK
    assert record.id_number_masked == "110105********002X"
    assert ID_NUMBER not in repr(effects)
    assert ID_NUMBER not in str(vars(record))


def test_an_override_needs_an_operator_and_a_reason_and_is_recorded() -> None:
    machine = flow()
    machine.handle(scan(verified(Colour.YELLOW)), T0)
    later = T0 + timedelta(seconds=1)
    assert isinstance(
        machine.handle(OverrideRequested(Outcome.PASS, "核酸阴性"), later)[0], RefuseOverride
    )
    machine.handle(OperatorSignedIn("op-7"), later)
    assert isinstance(
        machine.handle(OverrideRequested(Outcome.PASS, "  "), later)[0], RefuseOverride
    )
    effects = machine.handle(OverrideRequested(Outcome.PASS, "核酸阴性"), later)
    saved = effects[0]
    assert isinstance(saved, SaveOverride)
    assert (saved.outcome, saved.reason, saved.operator_id) == (Outcome.PASS, "核酸阴性", "op-7")
    assert result_of(effects).decision.outcome is Outcome.PASS
    assert ReasonCode.OVERRIDDEN in result_of(effects).decision.reason_codes


def test_cancelling_records_nothing() -> None:
    machine = flow()
    machine.handle(scan(), T0)
    assert machine.handle(CancelRequested(), T0) == [ShowPrompt(Prompt.SCAN)]
    assert machine.handle(Tick(), T0 + timedelta(minutes=1)) == []


def test_passage_fields_stay_from_one_person_to_the_next_the_plate_while_staff_keep_it() -> None:
    machine = flow()
    fields = PassageFieldsChanged(Direction.IN, TripReason.RETURN_TO_WORK, "陕A12345", True)
    machine.handle(fields, T0)
    records = []
    for index in range(2):
        at = T0 + timedelta(seconds=10 * index)
        machine.handle(scan(verified(code_byte=index + 1)), at)
        records.append(result_of(machine.handle(reading(36.4, at), at)).record)
    assert all(r.direction is Direction.IN and r.vehicle_plate == "陕A12345" for r in records)


def test_every_record_says_whether_the_clock_was_trusted_and_who_was_on_duty() -> None:
    machine = flow()
    machine.handle(ClockTrustChanged(trusted=False), T0)
    machine.handle(OperatorSignedIn("op-3"), T0)
    machine.handle(scan(), T0)
    record = result_of(machine.handle(reading(36.5), T0)).record
    assert record.clock_trusted is False
    assert record.operator_id == "op-3"
    assert record.policy_version == GATE.version


def test_a_repeat_shows_how_long_ago_the_code_passed_here() -> None:
    machine = flow()
    machine.handle(scan(repeat_since=timedelta(minutes=12)), T0)
    effects = machine.handle(reading(36.5), T0)
    assert result_of(effects).repeat_since == timedelta(minutes=12)
    assert result_of(effects).record.repeat


@pytest.mark.parametrize("celsius", [36.0, 37.3])
def test_normal_temperatures_up_to_the_threshold_pass(celsius: float) -> None:
    machine = flow()
    machine.handle(scan(), T0)
    assert result_of(machine.handle(reading(celsius), T0)).decision.outcome is Outcome.PASS


def test_the_flow_hands_on_the_birth_date_of_the_id_number_read() -> None:
    machine = flow(ROAD)
    machine.handle(IdCardRead(ID_NUMBER, "张*丰"), T0)
    machine.handle(scan(), T0)
    shown = result_of(machine.handle(reading(36.5), T0))
    assert shown.birth_date == date(1949, 12, 31)
    assert "1949" not in repr(shown)  # never in a log line
    without_card = flow()
    without_card.handle(scan(verified(bound=False)), T0)
    assert result_of(without_card.handle(reading(36.5), T0)).birth_date is None
