"""Ingest: each record stored once by its UUID, answered per record, least data at rest."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from central.core.cipher import record_cipher
from central.core.models import FeverCase, OverrideRecord, PassageDay, ReceivedPassage
from kiosk.client.enrollment import Enrollment
from sync.schemas import (
    PASSAGES_PATH,
    UploadAck,
    UploadBatch,
)
from tests.central.conftest import Central
from tests.central.kiosks import enrolled_kiosk
from tests.upload_support import batch, fever_report, override_record, passage_record


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk", region_code="610124")


def _send(central: Central, kiosk: Enrollment, body: UploadBatch | bytes) -> httpx.Response:
    content = body if isinstance(body, bytes) else body.model_dump_json().encode()
    return central.client.post(
        PASSAGES_PATH, content=content, auth=kiosk.identity.auth(clock=central.clock)
    )


def _upload(
    central: Central, kiosk: Enrollment, body: UploadBatch | bytes
) -> list[tuple[str, str | None]]:
    response = _send(central, kiosk, body)
    assert response.status_code == 200, response.text
    return [
        (r.status.value, r.reason) for r in UploadAck.model_validate_json(response.content).results
    ]


def _count(central: Central, model: type) -> int:
    with central.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_is_stored_once_and_acknowledged_again_when_it_comes_again(
    central: Central, kiosk: Enrollment
) -> None:
    records = [passage_record(seq) for seq in range(1, 6)]
    first = batch(*records)
    assert _upload(central, kiosk, first) == [("stored", None)] * 5
    assert _upload(central, kiosk, first) == [("duplicate", None)] * 5
    assert _count(central, ReceivedPassage) == 5


def test_a_sequence_restarting_after_a_reinstall_keeps_every_record(
    central: Central, kiosk: Enrollment
) -> None:
    before = batch(*(passage_record(seq) for seq in (1, 2, 3)))
    after = batch(*(passage_record(seq) for seq in (1, 2, 3)))  # same seqs, new UUIDs
    _upload(central, kiosk, before)
    assert _upload(central, kiosk, after) == [("stored", None)] * 3
    assert _count(central, ReceivedPassage) == 6


def test_a_fever_report_opens_a_fever_case_and_stores_its_passage(
    central: Central, kiosk: Enrollment
) -> None:
    feverish = passage_record(7, fever=True)
    assert _upload(central, kiosk, batch(fever_report(feverish))) == [("stored", None)]
    # the passage itself follows later, behind the backlog: already there
    assert _upload(central, kiosk, batch(feverish)) == [("duplicate", None)]
    with central.app.state.sessions() as session:
        case = session.get(FeverCase, str(feverish.record_id))
        assert case is not None and case.region_code == "610124" and case.status == "open"
        assert case.temperature_celsius == pytest.approx(38.2)
    assert _count(central, ReceivedPassage) == 1


def test_a_passage_and_its_fever_report_in_one_batch_are_both_stored(
    central: Central, kiosk: Enrollment
) -> None:
    feverish = passage_record(1, fever=True)
    assert _upload(central, kiosk, batch(fever_report(feverish), feverish)) == [
        ("stored", None),
        ("stored", None),
    ]
    assert (_count(central, ReceivedPassage), _count(central, FeverCase)) == (1, 1)


def test_a_record_twice_in_one_batch_is_stored_once(central: Central, kiosk: Enrollment) -> None:
    record = passage_record()
    assert _upload(central, kiosk, batch(record, record)) == [("stored", None), ("duplicate", None)]


def test_overrides_are_stored_with_their_reason_encrypted(
    central: Central, kiosk: Enrollment
) -> None:
    record = passage_record()
    override = override_record(record.record_id)
    assert _upload(central, kiosk, batch(record, override)) == [("stored", None)] * 2
    with central.app.state.sessions() as session:
        row = session.get(OverrideRecord, str(override.record_id))
        assert row is not None and "复测".encode() not in row.reason_enc
        cipher = record_cipher(central.settings.resolved_keys_dir)
        assert cipher.open(row.reason_enc, row.id, "reason") == "复测正常".encode()


def test_least_data_at_rest_code_ids_are_blind_indexed_and_names_encrypted(
    central: Central, kiosk: Enrollment
) -> None:
    record = passage_record()
    _upload(central, kiosk, batch(record))
    cipher = record_cipher(central.settings.resolved_keys_dir)
    with central.app.state.sessions() as session:
        row = session.get(ReceivedPassage, str(record.record_id))
        assert row is not None
        assert row.code_ix == cipher.code_index("610000", b"\x01" * 16)
        assert b"\x01" * 16 not in (row.code_enc or b"")
        assert "张".encode() not in (row.name_enc or b"")
        assert "陕A".encode() not in (row.plate_enc or b"")
        assert cipher.open(row.name_enc, row.id, "name") == "张*丰".encode()
        assert row.region_code == "610124" and row.kiosk_id == kiosk.identity.kiosk_id


def test_a_malformed_record_is_rejected_with_a_reason_and_the_rest_stored(
    central: Central, kiosk: Enrollment
) -> None:
    good = passage_record()
    body = batch(good).model_dump(mode="json")
    broken = dict(body["records"][0], record_id=str(uuid.uuid4()))
    broken["passage"] = dict(broken["passage"], outcome=None)
    body["records"].append(broken)
    import json

    answers = _upload(central, kiosk, json.dumps(body).encode())
    assert answers[0] == ("stored", None)
    assert answers[1][0] == "rejected" and (answers[1][1] or "").startswith("malformed")
    assert _count(central, ReceivedPassage) == 1


def test_another_kiosks_record_id_is_rejected_not_overwritten(
    central: Central, kiosk: Enrollment, tmp_path: Path
) -> None:
    record = passage_record()
    _upload(central, kiosk, batch(record))
    intruder = enrolled_kiosk(central, tmp_path / "other")
    assert _upload(central, intruder, batch(record)) == [("rejected", "record_id_taken")]
    with central.app.state.sessions() as session:
        row = session.get(ReceivedPassage, str(record.record_id))
        assert row is not None and row.kiosk_id == kiosk.identity.kiosk_id


def test_a_record_id_sent_again_with_another_time_is_not_stored_twice(
    central: Central, kiosk: Enrollment, tmp_path: Path
) -> None:
    record = passage_record()
    assert _upload(central, kiosk, batch(record)) == [("stored", None)]
    assert record.passage is not None
    earlier = record.passage.model_copy(update={"at": record.passage.at - timedelta(hours=1)})
    moved = record.model_copy(update={"passage": earlier})
    assert _upload(central, kiosk, batch(moved)) == [("duplicate", None)]
    intruder = enrolled_kiosk(central, tmp_path / "other")
    assert _upload(central, intruder, batch(moved)) == [("rejected", "record_id_taken")]
    assert _count(central, ReceivedPassage) == 1


def test_a_kiosk_may_not_override_a_passage_another_kiosk_recorded(
    central: Central, kiosk: Enrollment, tmp_path: Path
) -> None:
    record = passage_record()
    _upload(central, kiosk, batch(record))
    intruder = enrolled_kiosk(central, tmp_path / "other")
    own = passage_record()
    answers = _upload(
        central,
        intruder,
        batch(own, override_record(record.record_id), override_record(own.record_id)),
    )
    assert answers == [("stored", None), ("rejected", "passage_of_another_kiosk"), ("stored", None)]
    assert _upload(central, kiosk, batch(override_record(record.record_id))) == [("stored", None)]
    assert _count(central, OverrideRecord) == 2


def test_an_unsigned_or_garbled_batch_is_refused_whole(central: Central, kiosk: Enrollment) -> None:
    unsigned = central.client.post(PASSAGES_PATH, content=batch(passage_record()).model_dump_json())
    assert unsigned.status_code == 401
    assert _send(central, kiosk, b"not json").status_code == 400
    assert _count(central, ReceivedPassage) == 0


def _day_counters(central: Central) -> list[tuple[object, str, int, int]]:
    with central.app.state.sessions() as session:
        return [
            (row.day, row.outcome, row.passages, row.fevers)
            for row in session.scalars(select(PassageDay).order_by(PassageDay.outcome))
        ]


def test_the_trends_day_counters_count_each_new_passage_once_duplicates_not(
    central: Central, kiosk: Enrollment
) -> None:
    records = [passage_record(seq, fever=seq == 3) for seq in range(1, 4)]
    first = batch(*records)
    _upload(central, kiosk, first)
    _upload(central, kiosk, first)  # the same batch again: nothing more counted
    passage = records[0].passage
    assert passage is not None
    local_day = passage.at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert _day_counters(central) == [(local_day, "pass", 2, 0), (local_day, "refer", 1, 1)]
    _upload(central, kiosk, batch(passage_record(4)))
    assert _day_counters(central)[0] == (local_day, "pass", 3, 0)
