"""The Hainan checkpoint record end to end: a road checkpoint kiosk's flow records the plate
and the passer's full name and phone, its store keeps them encrypted, its uploader sends them,
central keeps them encrypted and its export for the area carries them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from central.core.models import ReceivedPassage
from kiosk.checkpoint.events import (
    IdCardRead,
    PassageFieldsChanged,
    PasserDetailsTyped,
    SavePassage,
    Tick,
)
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.policy import (
    CheckpointType,
    PassageField,
    default_policy,
    policy_from_central,
)
from kiosk.client.upload import Uploader
from kiosk.store import Store, StoreKeys
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk
from tests.kiosk.checkpoint_support import BINDING_KEY, ID_NUMBER, ISSUER, T0, id_factory
from tests.kiosk.test_flow import reading, scan

ROAD = default_policy(CheckpointType.ROAD_JUNCTION)
HAINAN_ROAD = replace(
    ROAD, passage_fields=ROAD.passage_fields | {PassageField.FULL_NAME, PassageField.PHONE}
)


def _two_people_of_one_car(store: Store) -> None:
    flow = PassageFlow(HAINAN_ROAD, binding_keys={ISSUER: [BINDING_KEY]}, new_id=id_factory())
    flow.handle(PassageFieldsChanged(vehicle_plate="琼A12345", keep_plate=True), T0)
    at = T0
    people = [
        IdCardRead(ID_NUMBER, "张*丰", full_name="张三丰"),
        PasserDetailsTyped(full_name="WANG XIAOMING", phone="13800138000"),
    ]
    for who in people:
        flow.handle(scan(), at)
        flow.handle(reading(36.5, at), at)
        if isinstance(who, PasserDetailsTyped):
            flow.handle(IdCardRead(ID_NUMBER, "张*丰"), at)  # an old card: no name on it
        for effect in flow.handle(who, at):
            if isinstance(effect, SavePassage):
                store.passages.record(effect.record).result(timeout=10)
        at += timedelta(minutes=1)
        flow.handle(Tick(), at)


def test_the_plate_name_and_phone_go_from_the_kiosk_to_the_areas_export_encrypted_between(
    central: Central, tmp_path: Path
) -> None:
    kiosk = enrolled_kiosk(
        central, tmp_path / "kiosk", region_code="610102", checkpoint_type="road_junction"
    )
    with Store(tmp_path / "passages.db", StoreKeys.generate()) as store:
        _two_people_of_one_car(store)
        assert b"13800138000" not in (tmp_path / "passages.db").read_bytes()
        auth = kiosk.identity.auth(clock=central.clock)
        with httpx.Client(transport=central.client._transport, auth=auth) as client:
            assert Uploader(store.outbox, client, SERVER).drain(max_attempts=1) == 2

    with central.app.state.sessions() as session:
        sealed = session.scalars(select(ReceivedPassage.phone_enc)).all()
    assert len(sealed) == 2 and all(b"13800138000" not in (s or b"") for s in sealed)

    answer = central.get(f"/api/v1/reports/daily?day={(T0 + timedelta(hours=8)).date()}")
    assert answer.status_code == 200, answer.text
    header, *rows = [line.split(",") for line in answer.content.decode("utf-8-sig").splitlines()]
    assert header[-3:] == ["车牌", "通行人姓名", "通行人电话"]
    assert sorted(row[-3:] for row in rows) == [
        ["琼A12345", "WANG XIAOMING", "13800138000"],
        ["琼A12345", "张三丰", ""],
    ]


def test_a_bus_kiosk_enrols_with_a_policy_that_asks_for_no_thermometer(
    central: Central, tmp_path: Path
) -> None:
    bus = enrolled_kiosk(
        central,
        tmp_path / "bus",
        name="5路公交 陕A·D1234",
        checkpoint_type="transit_vehicle",
        region_code="610113",
    )
    policy = bus.response.policy
    assert policy.checkpoint_type.value == "transit_vehicle"
    heard = policy_from_central(policy.policy_version, "transit_vehicle", policy.rules)
    assert not heard.temperature_required
