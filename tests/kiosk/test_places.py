"""The places of the notices (001: 地铁、公交、出租, 商场、超市、图书馆; 004: 商超) as checkpoint
types: each one's policy is data, the same at central and at the kiosk."""

from __future__ import annotations

import pytest

from central.kiosks.policy import default_policy as central_default
from healthcode.claims import Colour
from kiosk.checkpoint.events import PlaySound, SavePassage, ShowResult
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import (
    CheckpointType,
    PassageField,
    default_policy,
    policy_from_central,
)
from sync.schemas import CheckpointType as WireCheckpointType
from tests.kiosk.checkpoint_support import BINDING_KEY, ISSUER, T0, id_factory
from tests.kiosk.test_flow import scan

PLACES = (
    CheckpointType.TRANSIT_VEHICLE,
    CheckpointType.TRANSIT_STATION,
    CheckpointType.SHOP,
    CheckpointType.HOTEL,
    CheckpointType.SCHOOL,
    CheckpointType.PUBLIC_BUILDING,
)


def test_the_kiosk_and_the_wire_know_the_same_checkpoint_types() -> None:
    assert {t.value for t in CheckpointType} == {t.value for t in WireCheckpointType}


@pytest.mark.parametrize("kind", list(CheckpointType))
def test_what_central_sends_for_a_type_is_what_the_kiosk_assumes_before_it_hears(
    kind: CheckpointType,
) -> None:
    sent = central_default(WireCheckpointType(kind.value), policy_version=3)
    heard = policy_from_central(3, kind.value, sent.rules)
    assumed = default_policy(kind)
    assert heard.temperature_required == assumed.temperature_required
    assert heard.passage_fields == assumed.passage_fields
    if kind in PLACES:
        assert heard.colour_outcomes == assumed.colour_outcomes
        assert heard.id_match_required == assumed.id_match_required


@pytest.mark.parametrize("kind", PLACES)
def test_every_place_lets_green_pass_and_turns_red_away_and_has_names(
    kind: CheckpointType,
) -> None:
    policy = default_policy(kind)
    assert policy.colour_outcomes[Colour.RED] is Outcome.DENY
    assert policy.colour_outcomes[Colour.YELLOW] is Outcome.DENY
    assert kind.label.zh and kind.label.en


def test_on_board_a_bus_a_green_code_passes_at_once_without_a_thermometer() -> None:
    bus = PassageFlow(
        default_policy(CheckpointType.TRANSIT_VEHICLE),
        binding_keys={ISSUER: [BINDING_KEY]},
        new_id=id_factory(),
    )
    effects = bus.handle(scan(), T0)
    assert [type(e) for e in effects] == [SavePassage, ShowResult, PlaySound]
    shown = next(e for e in effects if isinstance(e, ShowResult))
    assert shown.decision.outcome is Outcome.PASS
    assert shown.record.temperature_celsius is None


def test_a_station_takes_the_temperature_and_the_direction() -> None:
    station = default_policy(CheckpointType.TRANSIT_STATION)
    assert station.temperature_required
    assert station.passage_fields == {PassageField.DIRECTION}


def test_a_hotel_matches_the_code_to_the_guests_id_card() -> None:
    assert default_policy(CheckpointType.HOTEL).id_match_required
    hotel = central_default(WireCheckpointType.HOTEL, policy_version=1)
    assert hotel.rules["require_id_card"] is True
