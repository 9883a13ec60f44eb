"""Kiosk uploads: signed batches of passages, fever reports and overrides, answered per record;
and the transfer key that offline outbox files are sealed to."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from central.core.cipher import record_cipher
from central.core.deps import (
    KeysDep,
    NowDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    SignedKioskDep,
)
from central.core.errors import ApiError
from central.issuance.scene_events import apply_scene_records
from central.kiosks.ingest import (
    RecordWindow,
    Rejected,
    ingest,
    parse_records,
    sender_of,
    signed_transfer_key,
)
from sync.gc_pause import paused_gc
from sync.schemas import (
    MAX_UPLOAD_RECORDS,
    PASSAGES_PATH,
    TRANSFER_KEY_PATH,
    RecordKind,
    RecordResult,
    RecordStatus,
    RefusalReason,
    TransferKey,
    UploadAck,
    UploadBatch,
)

router = APIRouter(tags=["upload"])


class _LooseBatch(BaseModel):
    """A batch whose records are checked one by one (when the whole batch does not validate)."""

    model_config = ConfigDict(extra="forbid")
    batch_id: uuid.UUID
    records: list[Any] = Field(max_length=MAX_UPLOAD_RECORDS)


def _loose_batch(body: bytes) -> _LooseBatch:
    """The batch's envelope, its records left for one by one. Python's JSON reader takes what
    pydantic's refuses as a whole (a lone surrogate in one record's text), so that record alone
    is refused (`parse_records`); a body that is no batch at all is a 400."""
    try:
        return _LooseBatch.model_validate_json(body)
    except ValidationError as error:
        problem = f"not an upload batch: {error.errors()[0]['msg']}"
    try:
        return _LooseBatch.model_validate(json.loads(body))
    except (ValueError, RecursionError, ValidationError):
        raise ApiError(400, RefusalReason.BAD_REQUEST, problem) from None


async def _raw_body(request: Request) -> bytes:
    return await request.body()  # read once; the signature check has it already


def _answer(item: RecordResult | Rejected) -> RecordResult:
    if isinstance(item, RecordResult):
        return item
    try:
        record_id = uuid.UUID(str(item.record_id))
    except ValueError:
        record_id = None
    kind = item.kind if item.kind in set(RecordKind) else None
    return RecordResult(
        record_id=record_id,
        kind=None if kind is None else RecordKind(kind),
        status=RecordStatus.REJECTED,
        reason=item.reason,
    )


def _is_scene(record: object) -> bool:
    return getattr(record, "kind", None) in {RecordKind.PURCHASE, RecordKind.CLINIC_VISIT}


@router.post(PASSAGES_PATH, response_model=UploadAck)
def upload(
    kiosk: SignedKioskDep,
    body: Annotated[bytes, Depends(_raw_body)],
    session: SessionDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Store each record once by its UUID; answer stored, duplicate or rejected per record.

    Body: `sync.schemas.UploadBatch`. A batch that comes again is answered again (duplicates)."""
    with paused_gc():  # a batch makes ~10^5 short-lived objects and no cycles
        try:
            batch = UploadBatch.model_validate_json(body)
            batch_id, records = batch.batch_id, list[Any](batch.records)
        except ValidationError:
            loose = _loose_batch(body)
            batch_id, records = loose.batch_id, list[Any](parse_records(loose.records))
        window = RecordWindow.around(
            now,
            tolerance=timedelta(seconds=settings.signature_tolerance_s),
            max_age=timedelta(days=settings.record_max_age_days),
        )
        answers = ingest(
            session,
            sender_of(session, kiosk),
            records,
            cipher=record_cipher(keys.path),
            now=now,
            window=window,
        )
        session.commit()
        if any(_is_scene(record) for record in records):
            # Issue 25: a pharmacy's or clinic's record acts on the colour at once; what a
            # failure here leaves is applied by the next upload or the jobs' sweep.
            apply_scene_records(sessions, now)
        ack = UploadAck(batch_id=batch_id, results=[_answer(a) for a in answers], server_time=now)
        # Serialised once by pydantic (the documented `response_model`), not validated again.
        return Response(ack.model_dump_json(), media_type="application/json")


@router.get(TRANSFER_KEY_PATH)
def transfer_key(_kiosk: SignedKioskDep, keys: KeysDep) -> TransferKey:
    """Central's X25519 key for offline outbox files, signed by a feed key of the trust list."""
    return signed_transfer_key(keys.path)
