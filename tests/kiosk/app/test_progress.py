"""The progress strip's state, Qt-free: each step as it comes, the live temperature, and the
seconds left before the person is decided without what is awaited; and the closed result that
may still be changed from the scan screen for a while, applied to that passage only."""

from __future__ import annotations

from kiosk.app.viewstate import (
    OVERRIDE_LAST_FOR,
    ScreenLayout,
    Step,
    StepState,
    choose_layout,
)
from kiosk.checkpoint.events import IdCardRead, TemperatureRead
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, default_policy
from tests.kiosk.app.driver_support import green_code, hand_driven
from tests.kiosk.checkpoint_support import ID_NUMBER

GATE = default_policy(CheckpointType.ENTERPRISE_GATE)  # code and temperature
ROAD = default_policy(CheckpointType.ROAD_JUNCTION)  # code, temperature and ID card


def states(view: object) -> dict[Step, StepState]:
    return {step.step: step.state for step in view.steps}  # type: ignore[attr-defined]


def test_the_code_is_ticked_and_the_temperature_awaited_with_the_window_counting_down() -> None:
    driver, clock, _ = hand_driven(ROAD)
    driver.handle(green_code(), driver.now())
    view = driver.last_progress
    assert view is not None
    assert states(view) == {
        Step.CODE: StepState.DONE,
        Step.TEMPERATURE: StepState.AWAITED,
        Step.ID_CARD: StepState.PENDING,
    }
    assert view.awaited is Step.TEMPERATURE
    assert view.seconds_left == int(ROAD.arrival_window.total_seconds())
    clock.advance(3.2)
    driver.tick()
    assert driver.last_progress is not None
    assert driver.last_progress.seconds_left == view.seconds_left - 3


def test_the_live_temperature_shows_as_it_arrives_and_the_card_is_awaited_next() -> None:
    driver, clock, _ = hand_driven(ROAD)
    driver.handle(green_code(), driver.now())
    clock.advance(1)
    driver.handle(TemperatureRead(36.6, clock.now), driver.now())
    view = driver.last_progress
    assert view is not None
    temperature = next(s for s in view.steps if s.step is Step.TEMPERATURE)
    assert (temperature.state, temperature.celsius) == (StepState.DONE, 36.6)
    assert view.awaited is Step.ID_CARD


def test_a_high_reading_shows_its_figure_while_the_remeasure_is_awaited() -> None:
    driver, clock, _ = hand_driven(GATE)
    driver.handle(green_code(), driver.now())
    driver.handle(TemperatureRead(38.6, clock.now), driver.now())
    view = driver.last_progress
    assert view is not None
    temperature = next(s for s in view.steps if s.step is Step.TEMPERATURE)
    assert (temperature.state, temperature.celsius) == (StepState.AWAITED, 38.6)
    assert Step.ID_CARD not in states(view)  # the gate does not ask for a card


def test_the_strip_goes_when_the_result_shows() -> None:
    driver, clock, seen = hand_driven(ROAD)
    driver.handle(green_code(), driver.now())
    driver.handle(TemperatureRead(36.5, clock.now), driver.now())
    driver.handle(IdCardRead(ID_NUMBER, "张*丰"), driver.now())
    assert seen.results and driver.last_progress is None
    assert seen.progress[-1] is None


def test_the_closed_result_is_offered_for_thirty_seconds_then_withdrawn() -> None:
    driver, clock, seen = hand_driven(GATE)
    driver.handle(green_code(), driver.now())
    driver.handle(TemperatureRead(36.5, clock.now), driver.now())
    record = seen.results[-1].record_id
    assert record is not None and driver.override_offer is None  # the result still shows
    clock.advance(1.1)
    driver.tick()  # the result closes
    assert driver.override_offer == record
    clock.advance(OVERRIDE_LAST_FOR.total_seconds() - 2)
    driver.tick()
    assert driver.override_offer == record
    clock.advance(2)
    driver.tick()
    assert driver.override_offer is None
    assert seen.offers == [record, None]


def test_the_offer_is_withdrawn_when_the_next_person_starts() -> None:
    driver, clock, _ = hand_driven(GATE)
    driver.handle(green_code(), driver.now())
    driver.handle(TemperatureRead(36.5, clock.now), driver.now())
    clock.advance(1.1)
    driver.tick()
    assert driver.override_offer is not None
    driver.handle(green_code(code_byte=2), driver.now())
    assert driver.override_offer is None


def test_an_override_meant_for_an_earlier_passage_is_refused_not_applied_to_the_next() -> None:
    driver, clock, seen = hand_driven(GATE)
    driver.sign_in("op-1")
    driver.handle(green_code(), driver.now())
    driver.handle(TemperatureRead(36.5, clock.now), driver.now())
    first = seen.results[-1].record_id
    clock.advance(1.1)
    driver.tick()
    driver.handle(green_code(code_byte=2), driver.now())
    driver.handle(TemperatureRead(36.6, clock.now), driver.now())
    second = seen.results[-1].record_id
    assert first != second
    driver.request_override(Outcome.DENY, "wrong person", first)
    assert seen.refusals and "can no longer be changed" in seen.refusals[-1]
    assert driver.store.passages.overrides == []  # type: ignore[attr-defined]
    driver.handle(green_code(code_byte=3), driver.now())  # a third person is being measured
    driver.request_override(Outcome.DENY, "wrong person", second)
    assert len(seen.refusals) == 2  # the person in progress is not dropped for an override
    assert driver.last_progress is not None
    driver.cancel()
    assert driver.store.passages.overrides == []  # type: ignore[attr-defined]
    driver.request_override(Outcome.DENY, "wrong person", second)
    overrides = driver.store.passages.overrides  # type: ignore[attr-defined]
    assert [o.record_id for o in overrides] == [second]


def test_the_layout_is_chosen_from_the_panel_unless_the_setting_forces_one() -> None:
    assert choose_layout(1280, 800) is ScreenLayout.LANDSCAPE
    assert choose_layout(1920, 1080) is ScreenLayout.LANDSCAPE
    assert choose_layout(1024, 600) is ScreenLayout.COMPACT
    assert choose_layout(800, 1280) is ScreenLayout.PORTRAIT
    assert choose_layout(1080, 1920) is ScreenLayout.PORTRAIT
    assert choose_layout(1280, 800, ScreenLayout.COMPACT) is ScreenLayout.COMPACT
