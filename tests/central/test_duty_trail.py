"""The duty operator's look at a person (Hainan 004, 查看此人记录) against the real central in
process: the kiosk's own records of the code and central's passages of it in the kiosk's area,
read through the signed trail request with no fake in between."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from kiosk.client.trail import fetch_trail
from kiosk.sessions.duty_trail import DutyTrailSession
from kiosk.store import Store, StoreKeys
from sync.schemas import PASSAGES_PATH, RecordKind, UploadRecord
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk
from tests.kiosk.checkpoint_support import passage
from tests.upload_support import batch, passage_data

CODE_BYTE = 7


def test_the_person_s_records_here_and_in_the_area_come_from_the_store_and_central(
    central: Central, tmp_path: Path
) -> None:
    here = enrolled_kiosk(central, tmp_path / "here", region_code="610124", name="东门")
    neighbour = enrolled_kiosk(central, tmp_path / "nb", region_code="610124", name="西门")
    now = central.clock()
    data = passage_data(1, code=bytes([CODE_BYTE]) * 16).model_copy(
        update={"at": now - timedelta(days=2)}
    )
    upload = batch(UploadRecord(record_id=uuid.uuid4(), kind=RecordKind.PASSAGE, passage=data))
    answer = central.client.post(
        PASSAGES_PATH,
        content=upload.model_dump_json().encode(),
        auth=neighbour.identity.auth(clock=central.clock),
    )
    assert answer.status_code == 200, answer.text

    auth = here.identity.auth(clock=central.clock)
    with (
        Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store,
        httpx.Client(transport=central.client._transport, auth=auth) as client,
    ):
        scanned = passage(now, code_byte=CODE_BYTE)
        store.passages.record(scanned).result(timeout=10)
        session = DutyTrailSession(
            store,
            central.clock,
            area_trail=lambda issuer, code: fetch_trail(client, SERVER, issuer, code),
        )
        records = session.records(scanned.record_id, "op-1")
        area = session.area(records)
    assert [row.passage.record_id for row in records.rows] == [scanned.record_id]
    assert area is not None and [e.checkpoint_name for e in area.entries] == ["西门"]
