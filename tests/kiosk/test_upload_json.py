"""The upload's JSON written by the store without building models (issue 28): byte for byte
what the wire schema writes, and every record the schema would refuse still refused."""

from __future__ import annotations

import math
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from kiosk.checkpoint.events import SaveOverride
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.scenes import purchase_record
from kiosk.client.outbox import OutboxItem
from kiosk.client.upload import batch_json
from kiosk.store import Store, StoreKeys
from kiosk.store.rows import encoded_passage_record, passage_json
from sync.bounds import FIRST_INSTANT, LAST_INSTANT, MAX_INT64
from sync.schemas import PassageData, UploadBatch, UploadRecord
from tests.kiosk.checkpoint_support import T0, passage
from tests.kiosk.test_scenes import finished_purchase

BATCH_ID = uuid.UUID("0b0e5c1e-7d5a-4c3e-9a43-3f1b8f4f2a10")


def _schema_json(items: list[OutboxItem]) -> bytes:
    batch = UploadBatch(batch_id=BATCH_ID, records=[item.record for item in items])
    return batch.model_dump_json().encode("utf-8")


def test_a_batch_of_every_kind_of_record_is_sent_byte_for_byte_as_the_schema_writes_it(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        recorded = [
            passage(),
            passage(T0 + timedelta(seconds=1), fever=True, outcome=Outcome.DENY),
            passage(T0 + timedelta(seconds=2), code_byte=None, operator_id=None, reasons=()),
            passage(T0 + timedelta(milliseconds=2_999), name='"引号"\\ \n\t\x01 ü 🙂'),
            replace(
                passage(T0 + timedelta(seconds=4)),
                temperature_celsius=None,
                colour_in_code=None,
                colour_applied=None,
                direction=None,
                trip_reason=None,
                vehicle_plate=None,
                full_name="欧阳 Nuo'er",
                phone="13800138000",
            ),
            replace(passage(T0 + timedelta(seconds=5)), temperature_celsius=37.0),
            passage(datetime(1999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
        ]
        for record in recorded:
            store.passages.record(record).result(timeout=10)
        store.passages.record_override(
            SaveOverride(recorded[1].record_id, Outcome.PASS, "体温复测正常", "op-2", T0)
        ).result(timeout=10)
        bought = purchase_record(
            finished_purchase(), record_id=uuid.uuid4(), at_utc=T0, operator_id=None
        )
        store.scenes.record(bought).result(timeout=10)

        items = store.outbox.outbox_batch(100)

    assert len(items) == len(recorded) + 1 + 1 + 1  # a fever report, an override, a purchase
    assert batch_json(BATCH_ID, items) == _schema_json(items)
    for item in items:
        assert item.json == item.record.model_dump_json().encode("utf-8")
        assert (item.record_id, item.kind) == (str(item.record.record_id), item.record.kind)


def _fields() -> dict[str, Any]:
    """A passage's fields as the store reads them for the upload (`upload_passage`)."""
    return {
        "seq": 7,
        "at": datetime(2026, 12, 8, 2, 5, 15, 123_000, tzinfo=UTC),
        "clock_trusted": True,
        "operator_id": "op-1",
        "scheme": "JKM1",
        "issuer": "610100",
        "code_id": b"\x01" * 16,
        "masked_name": "张*丰",
        "id_number_masked": None,
        "colour_in_code": "green",
        "colour_applied": "green",
        "outcome": "pass",
        "reasons": ["colour_green"],
        "rejection": None,
        "temperature_celsius": 36.5,
        "fever": False,
        "id_match": "not_read",
        "direction": "in",
        "trip_reason": None,
        "vehicle_plate": "陕A12345",
        "policy_version": 3,
        "repeat": False,
        "full_name": None,
        "phone": None,
    }


TEXT_LIMITS = {
    "operator_id": 64,
    "scheme": 16,
    "issuer": 16,
    "masked_name": 64,
    "id_number_masked": 32,
    "colour_in_code": 16,
    "colour_applied": 16,
    "outcome": 32,
    "rejection": 64,
    "id_match": 32,
    "direction": 16,
    "trip_reason": 32,
    "vehicle_plate": 32,
    "full_name": 64,
    "phone": 20,
}

# (field, a value the schema takes, a value it refuses)
EDGES: list[tuple[str, object, object]] = [
    *((name, "字" * most, "字" * (most + 1)) for name, most in TEXT_LIMITS.items()),
    ("outcome", "pass", None),
    ("id_match", "match", None),
    ("seq", 1, 0),
    ("seq", MAX_INT64, MAX_INT64 + 1),
    ("policy_version", 0, -1),
    ("policy_version", MAX_INT64, MAX_INT64 + 1),
    ("at", FIRST_INSTANT, FIRST_INSTANT - timedelta(milliseconds=1)),
    ("at", LAST_INSTANT, LAST_INSTANT + timedelta(milliseconds=1)),
    ("code_id", b"\xff" * 64, b"\xff" * 65),
    ("temperature_celsius", -50.0, -50.1),
    ("temperature_celsius", 100.0, 100.5),
    ("temperature_celsius", 36.55, math.nan),
    ("temperature_celsius", None, math.inf),
    ("reasons", ["r" * 64] * 32, ["r"] * 33),
    ("reasons", [], ["r" * 65]),
    ("clock_trusted", False, None),
    ("fever", True, None),
    ("repeat", True, None),
]


def test_every_field_of_a_passage_is_checked_at_its_limits() -> None:
    assert {name for name, _, _ in EDGES} == set(PassageData.model_fields)


@pytest.mark.parametrize(("name", "taken", "refused"), EDGES)
def test_a_passage_at_each_limit_of_the_schema_is_encoded_only_when_it_validates(
    name: str, taken: object, refused: object
) -> None:
    fields = _fields() | {name: taken}
    assert passage_json(fields) == PassageData.model_validate(fields).model_dump_json().encode()

    too_far = _fields() | {name: refused}
    assert passage_json(too_far) is None
    with pytest.raises(ValidationError):
        encoded_passage_record(str(uuid.uuid4()), "passage", too_far, passage_json(too_far))


def test_values_the_schema_would_convert_go_through_the_schema_and_come_out_as_it_writes_them() -> (
    None
):
    record_id = str(uuid.uuid4())
    for name, value in (("temperature_celsius", 37), ("seq", "12"), ("fever", 1)):
        fields = _fields() | {name: value}
        assert passage_json(fields) is None
        record = encoded_passage_record(record_id, "passage", fields, passage_json(fields))
        assert isinstance(record, UploadRecord)
    upper = record_id.upper()
    record = encoded_passage_record(upper, "passage", _fields(), passage_json(_fields()))
    assert isinstance(record, UploadRecord) and str(record.record_id) == record_id


def test_a_stored_passage_the_schema_refuses_stops_the_read_as_it_always_did(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        store.passages.record(passage(name="名" * 65)).result(timeout=10)
        with pytest.raises(ValidationError, match="masked_name"):
            store.outbox.outbox_batch(10)
