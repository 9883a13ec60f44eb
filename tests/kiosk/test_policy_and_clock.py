"""Policy as versioned data, and the trusted clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from healthcode.claims import Colour
from kiosk.checkpoint.clock import TrustedClock, day_start_utc, local_day
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import (
    CheckpointType,
    PassageField,
    Policy,
    PolicyError,
    default_policy,
    policy_from_central,
)
from tests.kiosk.checkpoint_support import T0


@pytest.mark.parametrize("checkpoint_type", list(CheckpointType))
def test_every_checkpoint_type_has_defaults_that_round_trip(
    checkpoint_type: CheckpointType,
) -> None:
    policy = default_policy(checkpoint_type)
    assert Policy.from_document(policy.to_document()) == policy
    assert policy.passing_colours == {Colour.GREEN}
    assert policy.fever_threshold_celsius == 37.3
    assert checkpoint_type.label.zh


def test_road_checkpoints_ask_for_the_card_and_the_vehicle() -> None:
    road = default_policy(CheckpointType.ROAD_JUNCTION)
    assert road.id_match_required
    assert PassageField.VEHICLE_PLATE in road.passage_fields


def test_a_document_changes_only_what_it_names() -> None:
    policy = Policy.from_document(
        {
            "version": 4,
            "checkpoint_type": "pharmacy",
            "fever_threshold_celsius": 37.5,
            "max_feed_age_s": 3600,
        }
    )
    assert policy.version == 4
    assert policy.fever_threshold_celsius == 37.5
    assert policy.max_feed_age == timedelta(hours=1)
    assert policy.colour_outcomes[Colour.YELLOW] is Outcome.MANUAL_CHECK  # the pharmacy default


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"version": 1, "checkpoint_type": "airport"},
        {"version": "1", "checkpoint_type": "village"},
        {"version": 1, "checkpoint_type": "village", "fever_threshold_celsius": 42},
        {"version": 1, "checkpoint_type": "village", "colour_outcomes": {"green": "pass"}},
        {"version": 1, "checkpoint_type": "village", "temperature_required": "yes"},
        {"version": 1, "checkpoint_type": "village", "arrival_window_s": -1},
        {"version": 1, "checkpoint_type": "village", "passage_fields": ["shoe_size"]},
    ],
)
def test_an_unusable_document_is_refused_with_a_reason(document: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        Policy.from_document(document)


def test_a_clock_behind_the_floor_is_not_trusted_and_time_does_not_go_back() -> None:
    clock = TrustedClock(floor_utc=T0)
    reading = clock.read(T0.replace(year=1970), monotonic_s=5.0)
    assert reading.now_utc == T0
    assert not reading.trusted


def test_a_clock_at_or_after_the_floor_is_trusted_without_a_server() -> None:
    clock = TrustedClock(floor_utc=T0)
    assert clock.read(T0 + timedelta(hours=1), 0.0).trusted


def test_the_server_time_carries_forward_on_the_monotonic_clock() -> None:
    clock = TrustedClock()
    clock.learn_server_time(T0, monotonic_s=100.0)
    good = clock.read(T0 + timedelta(seconds=60), monotonic_s=160.0)
    assert good.trusted and good.now_utc == T0 + timedelta(seconds=60)
    wrong = clock.read(T0 + timedelta(hours=1), monotonic_s=160.0)
    assert not wrong.trusted
    assert wrong.now_utc == T0 + timedelta(seconds=60)
    assert wrong.offset == timedelta(hours=1) - timedelta(seconds=60)


def test_the_floor_only_rises() -> None:
    clock = TrustedClock(floor_utc=T0)
    clock.raise_floor(T0 - timedelta(days=1))
    assert clock.floor_utc == T0
    clock.raise_floor(T0 + timedelta(days=1))
    assert clock.floor_utc == T0 + timedelta(days=1)


def test_days_are_counted_in_the_checkpoint_time_zone() -> None:
    late_evening_utc = T0.replace(hour=17)  # 01:00 the next day in Beijing
    assert local_day(late_evening_utc) == date(2026, 11, 24)
    assert local_day(late_evening_utc, "UTC") == date(2026, 11, 23)
    assert day_start_utc(date(2026, 11, 24)) == T0.replace(hour=16)


def test_the_policy_central_sends_is_understood() -> None:
    policy = policy_from_central(
        7,
        "road_junction",
        {
            "fever_threshold_celsius": 37.5,
            "green_action": "pass",
            "yellow_action": "manual_check",
            "red_action": "deny",
            "max_feed_age_s": 7200,
            "require_id_card": True,
            "record_vehicle_plate": True,
            "record_purchase": False,  # kept (issue 25): a road junction sells nothing
        },
    )
    assert policy.version == 7
    assert policy.colour_outcomes[Colour.YELLOW] is Outcome.MANUAL_CHECK
    assert policy.fever_threshold_celsius == 37.5
    assert policy.max_feed_age == timedelta(hours=2)
    assert policy.id_match_required
    assert PassageField.VEHICLE_PLATE in policy.passage_fields
    assert not policy.record_purchase


def test_an_unknown_action_from_central_is_refused() -> None:
    with pytest.raises(PolicyError):
        policy_from_central(
            1, "village", {"green_action": "dance", "yellow_action": "deny", "red_action": "deny"}
        )
