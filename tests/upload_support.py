"""Upload records and batches for tests: what a kiosk would send, without a kiosk store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sync.schemas import OverrideData, PassageData, RecordKind, UploadBatch, UploadRecord

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def passage_data(
    seq: int = 1, *, fever: bool = False, code: bytes | None = b"\x01" * 16
) -> PassageData:
    return PassageData(
        seq=seq,
        at=T0 + timedelta(seconds=seq),
        clock_trusted=True,
        operator_id="op-1",
        scheme="JKM1" if code else None,
        issuer="610000" if code else None,
        code_id=code,
        masked_name="张*丰",
        id_number_masked=None if code else "110105********002X",
        colour_in_code="green",
        colour_applied="green",
        outcome="refer" if fever else "pass",
        reasons=["fever"] if fever else [],
        temperature_celsius=38.2 if fever else 36.6,
        fever=fever,
        id_match="not_read",
        vehicle_plate="陕A12345",
        policy_version=1,
        repeat=False,
    )


def passage_record(
    seq: int = 1, *, record_id: uuid.UUID | None = None, fever: bool = False
) -> UploadRecord:
    return UploadRecord(
        record_id=record_id or uuid.uuid4(),
        kind=RecordKind.PASSAGE,
        passage=passage_data(seq, fever=fever),
    )


def fever_report(record: UploadRecord) -> UploadRecord:
    return record.model_copy(update={"kind": RecordKind.FEVER_REPORT})


def override_record(passage_id: uuid.UUID) -> UploadRecord:
    return UploadRecord(
        record_id=uuid.uuid4(),
        kind=RecordKind.OVERRIDE,
        override=OverrideData(
            passage_id=passage_id, at=T0, outcome="pass", reason="复测正常", operator_id="op-1"
        ),
    )


def batch(*records: UploadRecord) -> UploadBatch:
    return UploadBatch(batch_id=uuid.uuid4(), records=list(records))
