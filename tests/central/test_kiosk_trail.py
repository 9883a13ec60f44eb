"""The duty staff's view of a person's checkpoint records (Hainan 3.1): a kiosk asks central for
the code's passages in its own area over 14 days; other areas and older passages are not
answered, every answer is audited without the code id, and offline the kiosk gets None."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from central.core.models import AuditEntry
from kiosk.client.enrollment import Enrollment
from kiosk.client.trail import fetch_trail
from sync.schemas import PASSAGES_PATH, RecordKind, UploadRecord
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk
from tests.upload_support import batch, passage_data

CODE = b"\x07" * 16
ISSUER = "610000"


def _upload(central: Central, kiosk: Enrollment, *records: UploadRecord) -> None:
    answer = central.client.post(
        PASSAGES_PATH,
        content=batch(*records).model_dump_json().encode(),
        auth=kiosk.identity.auth(clock=central.clock),
    )
    assert answer.status_code == 200, answer.text


def _passage(seq: int, at: datetime, code: bytes = CODE) -> UploadRecord:
    data = passage_data(seq, code=code).model_copy(update={"at": at})
    return UploadRecord(record_id=uuid.uuid4(), kind=RecordKind.PASSAGE, passage=data)


def _client(central: Central, kiosk: Enrollment) -> httpx.Client:
    auth = kiosk.identity.auth(clock=central.clock)
    return httpx.Client(transport=central.client._transport, auth=auth)


def test_a_kiosk_sees_the_codes_passages_in_its_county_over_14_days_and_is_audited(
    central: Central, tmp_path: Path
) -> None:
    here = enrolled_kiosk(central, tmp_path / "here", region_code="610124", name="东门")
    neighbour = enrolled_kiosk(central, tmp_path / "nb", region_code="610124", name="西门")
    elsewhere = enrolled_kiosk(central, tmp_path / "far", region_code="610102", name="远处")
    now = central.clock()

    def days_ago(days: int) -> datetime:
        return now - timedelta(days=days)

    _upload(central, neighbour, _passage(1, days_ago(1)), _passage(2, days_ago(20)))
    _upload(central, elsewhere, _passage(1, days_ago(2)))
    _upload(central, here, _passage(1, days_ago(3)), _passage(2, days_ago(1), code=b"\x08" * 16))

    with _client(central, here) as client:
        answer = fetch_trail(client, SERVER, ISSUER, CODE)
    assert answer is not None and answer.region_code == "610124"
    assert [e.checkpoint_name for e in answer.entries] == ["西门", "东门"]  # newest first
    with central.app.state.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "passage_trail")
        ).one()
    assert (entry.actor_id, entry.row_count) == (here.identity.kiosk_id, 2)
    assert entry.actor_role == "kiosk" and CODE.hex() not in entry.scope


def test_offline_or_refused_the_kiosk_gets_none_and_shows_its_own(
    central: Central, tmp_path: Path
) -> None:
    kiosk = enrolled_kiosk(central, tmp_path / "k", region_code="610124")

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network", request=request)

    with httpx.Client(transport=httpx.MockTransport(offline)) as client:
        assert fetch_trail(client, SERVER, ISSUER, CODE) is None
    with httpx.Client(transport=central.client._transport) as unsigned:
        assert fetch_trail(unsigned, SERVER, ISSUER, CODE) is None
    with _client(central, kiosk) as client:
        assert fetch_trail(client, SERVER, ISSUER, CODE) is not None
