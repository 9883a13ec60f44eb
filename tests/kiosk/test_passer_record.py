"""The Hainan checkpoint record (004, 关口信息) at the kiosk: the passer's full name is required
and the phone asked where the policy says so; the plate is cleared after each vehicle unless
staff keep it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from kiosk.checkpoint.events import (
    IdCardRead,
    PassageFieldsChanged,
    PasserDetailsTyped,
    Prompt,
    SavePassage,
    ShowPrompt,
    Tick,
)
from kiosk.checkpoint.flow import FlowState, PassageFlow
from kiosk.checkpoint.policy import (
    CheckpointType,
    PassageField,
    Policy,
    default_policy,
    policy_from_central,
)
from tests.kiosk.checkpoint_support import BINDING_KEY, ID_NUMBER, ISSUER, T0, id_factory
from tests.kiosk.test_flow import reading, scan

VILLAGE = default_policy(CheckpointType.VILLAGE)
HAINAN_VILLAGE = replace(
    VILLAGE,
    passage_fields=VILLAGE.passage_fields | {PassageField.FULL_NAME, PassageField.PHONE},
)
ROAD = default_policy(CheckpointType.ROAD_JUNCTION)


def flow(policy: Policy) -> PassageFlow:
    return PassageFlow(policy, binding_keys={ISSUER: [BINDING_KEY]}, new_id=id_factory())


def saved(effects: list) -> SavePassage:  # type: ignore[type-arg]
    found = [e for e in effects if isinstance(e, SavePassage)]
    assert len(found) == 1, effects
    return found[0]


def test_central_turns_the_record_on_by_a_rule() -> None:
    rules = {"record_full_name": True}
    policy = policy_from_central(2, "village", rules)
    assert {PassageField.FULL_NAME, PassageField.PHONE} <= policy.passage_fields
    assert PassageField.FULL_NAME not in policy_from_central(2, "village", {}).passage_fields


def test_without_a_card_the_passer_waits_for_staff_to_type_the_name_past_the_window() -> None:
    machine = flow(HAINAN_VILLAGE)
    machine.handle(scan(), T0)
    effects = machine.handle(reading(36.5), T0 + timedelta(seconds=1))
    assert effects == [ShowPrompt(Prompt.READ_CARD, (Prompt.READ_CARD,))]
    assert machine.handle(Tick(), T0 + timedelta(minutes=2)) == []  # no passage without a name
    assert machine.state is FlowState.COLLECTING
    typed = PasserDetailsTyped(full_name="ZHANG SANFENG", phone="13800138000")
    record = saved(machine.handle(typed, T0 + timedelta(minutes=2))).record
    assert (record.full_name, record.phone) == ("ZHANG SANFENG", "13800138000")


def test_an_id_card_gives_the_full_name_and_the_phone_stays_optional() -> None:
    machine = flow(HAINAN_VILLAGE)
    machine.handle(scan(), T0)
    machine.handle(reading(36.5), T0)
    card = IdCardRead(ID_NUMBER, "张*丰", full_name="张三丰")
    record = saved(machine.handle(card, T0 + timedelta(seconds=2))).record
    assert (record.full_name, record.phone) == ("张三丰", None)


def test_where_the_policy_does_not_ask_no_full_name_or_phone_is_kept() -> None:
    machine = flow(VILLAGE)
    machine.handle(PasserDetailsTyped(full_name="ZHANG SANFENG", phone="13800138000"), T0)
    machine.handle(scan(), T0)
    card = IdCardRead(ID_NUMBER, "张*丰", full_name="张三丰")
    machine.handle(card, T0)
    record = saved(machine.handle(reading(36.5), T0)).record
    assert (record.full_name, record.phone) == (None, None)


def test_the_plate_is_cleared_after_each_vehicle_unless_staff_keep_it() -> None:
    machine = flow(ROAD)
    machine.handle(PassageFieldsChanged(vehicle_plate="琼A12345"), T0)
    machine.handle(scan(), T0)
    machine.handle(reading(36.5), T0)
    first = saved(machine.handle(IdCardRead(ID_NUMBER, "张*丰"), T0)).record
    assert first.vehicle_plate == "琼A12345"
    assert machine.passage_fields.vehicle_plate is None

    machine.handle(Tick(), T0 + timedelta(minutes=1))
    machine.handle(PassageFieldsChanged(vehicle_plate="琼B54321", keep_plate=True), T0)
    later = T0 + timedelta(minutes=2)
    for _ in range(2):  # the driver and a passenger of one car
        machine.handle(scan(), later)
        machine.handle(reading(36.5, at=later), later)
        record = saved(machine.handle(IdCardRead(ID_NUMBER, "张*丰"), later)).record
        assert record.vehicle_plate == "琼B54321"
        later += timedelta(minutes=1)
        machine.handle(Tick(), later)
    assert machine.passage_fields.vehicle_plate == "琼B54321"
