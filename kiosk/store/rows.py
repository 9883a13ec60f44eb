"""Passage rows: from a flow's record to columns (encrypting what identifies a person), and back
to a read model for the supervisor's views."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from healthcode.claims import Colour
from kiosk.checkpoint.decision import IdMatch
from kiosk.checkpoint.events import PassageRecord
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason
from kiosk.store.crypto import FieldCipher
from sync.schemas import OverrideData, RecordKind, UploadRecord

CODE_INDEX_KIND = "code"
MAX_CACHED_ISSUERS = 1000  # a province's issuers and their neighbours'

PASSAGE_COLUMNS = (
    "id, seq, at_ms, clock_trusted, operator_id, scheme, issuer, code_enc, name_enc, "
    "id_masked_enc, colour_in_code, colour_applied, outcome, reasons, rejection, temperature_c, "
    "fever, id_match, direction, trip_reason, plate_enc, policy_version, repeat, sync_state"
)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


def code_index(cipher: FieldCipher, issuer: str, code_id: bytes) -> bytes:
    return cipher.blind_index(CODE_INDEX_KIND, issuer.encode() + b"\x00" + code_id)


def code_indexer(cipher: FieldCipher, *, blake2: bool = False) -> Callable[[str, bytes], bytes]:
    """`code_index` with the cipher's keyed state made once per issuer (for many codes); with
    `blake2`, the same from keyed BLAKE2s (`FieldCipher.keyed_hasher`: the feed copy's)."""
    by_issuer: dict[str, Callable[[bytes], bytes]] = {}
    indexer = cipher.keyed_hasher if blake2 else cipher.blind_indexer

    def index(issuer: str, code_id: bytes) -> bytes:
        of_issuer = by_issuer.get(issuer)
        if of_issuer is None:
            of_issuer = indexer(CODE_INDEX_KIND, issuer.encode() + b"\x00")
            if len(by_issuer) < MAX_CACHED_ISSUERS:
                by_issuer[issuer] = of_issuer
        return of_issuer(code_id)

    return index


def passage_values(record: PassageRecord, cipher: FieldCipher, seq: int) -> dict[str, Any]:
    row_id = str(record.record_id)
    has_code = record.issuer is not None and record.code_id is not None
    return {
        "id": row_id,
        "seq": seq,
        "at_ms": to_ms(record.at_utc),
        "clock_trusted": int(record.clock_trusted),
        "operator_id": record.operator_id,
        "scheme": record.scheme,
        "issuer": record.issuer,
        "code_ix": code_index(cipher, record.issuer, record.code_id)  # type: ignore[arg-type]
        if has_code
        else None,
        "code_enc": cipher.seal(record.code_id, row_id, "code"),
        "name_enc": cipher.seal(record.masked_name, row_id, "name"),
        "id_masked_enc": cipher.seal(record.id_number_masked, row_id, "id_masked"),
        "colour_in_code": record.colour_in_code.value if record.colour_in_code else None,
        "colour_applied": record.colour_applied.value if record.colour_applied else None,
        "outcome": record.outcome.value,
        "reasons": json.dumps(list(record.reasons)),
        "rejection": record.rejection,
        "temperature_c": record.temperature_celsius,
        "fever": int(record.fever),
        "id_match": record.id_match.value,
        "direction": record.direction.value if record.direction else None,
        "trip_reason": record.trip_reason.value if record.trip_reason else None,
        "plate_enc": cipher.seal(record.vehicle_plate, row_id, "plate"),
        "policy_version": record.policy_version,
        "repeat": int(record.repeat),
        "sync_state": "pending",
        "full_name_enc": cipher.seal(record.full_name, row_id, "full_name"),
        "phone_enc": cipher.seal(record.phone, row_id, "phone"),
    }


@dataclass(frozen=True)
class PassageRow:
    """A stored passage, decrypted for an authorised reader."""

    record_id: uuid.UUID
    seq: int
    at_utc: datetime
    clock_trusted: bool
    operator_id: str | None
    scheme: str | None
    issuer: str | None
    code_id: bytes | None = field(repr=False)
    masked_name: str | None = field(repr=False)
    id_number_masked: str | None = field(repr=False)
    colour_in_code: Colour | None
    colour_applied: Colour | None
    outcome: Outcome
    reasons: tuple[str, ...]
    rejection: str | None
    temperature_celsius: float | None
    fever: bool
    id_match: IdMatch
    direction: Direction | None
    trip_reason: TripReason | None
    vehicle_plate: str | None = field(repr=False)
    policy_version: int
    repeat: bool
    sync_state: str


def passage_row(row: sqlite3.Row | tuple[Any, ...], cipher: FieldCipher) -> PassageRow:
    (row_id, seq, at_ms, clock_trusted, operator_id, scheme, issuer, code_enc, name_enc,
     id_masked_enc, colour_in_code, colour_applied, outcome, reasons, rejection, temperature,
     fever, id_match, direction, trip_reason, plate_enc, policy_version, repeat,
     sync_state) = tuple(row)  # fmt: skip
    return PassageRow(
        record_id=uuid.UUID(row_id),
        seq=seq,
        at_utc=from_ms(at_ms),
        clock_trusted=bool(clock_trusted),
        operator_id=operator_id,
        scheme=scheme,
        issuer=issuer,
        code_id=cipher.open_bytes(code_enc, row_id, "code"),
        masked_name=cipher.open_text(name_enc, row_id, "name"),
        id_number_masked=cipher.open_text(id_masked_enc, row_id, "id_masked"),
        colour_in_code=Colour(colour_in_code) if colour_in_code else None,
        colour_applied=Colour(colour_applied) if colour_applied else None,
        outcome=Outcome(outcome),
        reasons=tuple(json.loads(reasons)),
        rejection=rejection,
        temperature_celsius=temperature,
        fever=bool(fever),
        id_match=IdMatch(id_match),
        direction=Direction(direction) if direction else None,
        trip_reason=TripReason(trip_reason) if trip_reason else None,
        vehicle_plate=cipher.open_text(plate_enc, row_id, "plate"),
        policy_version=policy_version,
        repeat=bool(repeat),
        sync_state=sync_state,
    )


@dataclass(frozen=True)
class OverrideRow:
    """A supervisor's change of a passage's outcome, decrypted for an authorised reader."""

    override_id: uuid.UUID
    passage_id: uuid.UUID
    at_utc: datetime
    outcome: Outcome
    reason: str = field(repr=False)
    operator_id: str | None


def override_row(row: tuple[Any, ...], cipher: FieldCipher) -> OverrideRow:
    override_id, passage_id, at_ms, outcome, reason_enc, operator_id = row
    return OverrideRow(
        override_id=uuid.UUID(override_id),
        passage_id=uuid.UUID(passage_id),
        at_utc=from_ms(at_ms),
        outcome=Outcome(outcome),
        reason=cipher.open_text(reason_enc, override_id, "reason") or "",
        operator_id=operator_id,
    )


@dataclass(frozen=True)
class LogFilter:
    """The supervisor's filters; None means any."""

    from_utc: datetime | None = None
    to_utc: datetime | None = None
    colour: Colour | None = None
    outcome: Outcome | None = None
    fever: bool | None = None
    operator_id: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        values: list[Any] = []
        if self.from_utc is not None:
            clauses.append("at_ms >= ?")
            values.append(to_ms(self.from_utc))
        if self.to_utc is not None:
            clauses.append("at_ms < ?")
            values.append(to_ms(self.to_utc))
        if self.colour is not None:
            clauses.append("colour_applied = ?")
            values.append(self.colour.value)
        if self.outcome is not None:
            clauses.append("outcome = ?")
            values.append(self.outcome.value)
        if self.fever is not None:
            clauses.append("fever = ?")
            values.append(int(self.fever))
        if self.operator_id is not None:
            clauses.append("operator_id = ?")
            values.append(self.operator_id)
        return (" AND ".join(clauses) or "1"), values


UPLOAD_PASSAGE_COLUMNS = (
    "id, seq, at_ms, clock_trusted, operator_id, scheme, issuer, code_enc, name_enc, "
    "id_masked_enc, colour_in_code, colour_applied, outcome, reasons, rejection, temperature_c, "
    "fever, id_match, direction, trip_reason, plate_enc, policy_version, repeat, full_name_enc, "
    "phone_enc"
)


def upload_passage(row: sqlite3.Row | tuple[Any, ...], cipher: FieldCipher) -> dict[str, Any]:
    """A stored passage (`UPLOAD_PASSAGE_COLUMNS`) as the upload's `PassageData` fields, straight
    from the row: no read model in between (a fever report carries the same passage)."""
    (row_id, seq, at_ms, clock_trusted, operator_id, scheme, issuer, code_enc, name_enc,
     id_masked_enc, colour_in_code, colour_applied, outcome, reasons, rejection, temperature,
     fever, id_match, direction, trip_reason, plate_enc, policy_version, repeat, full_name_enc,
     phone_enc) = row  # fmt: skip
    return {
        "seq": seq,
        "at": from_ms(at_ms),
        "clock_trusted": bool(clock_trusted),
        "operator_id": operator_id,
        "scheme": scheme,
        "issuer": issuer,
        "code_id": cipher.open_bytes(code_enc, row_id, "code"),
        "masked_name": cipher.open_text(name_enc, row_id, "name"),
        "id_number_masked": cipher.open_text(id_masked_enc, row_id, "id_masked"),
        "colour_in_code": colour_in_code or None,
        "colour_applied": colour_applied or None,
        "outcome": outcome,
        "reasons": json.loads(reasons),
        "rejection": rejection,
        "temperature_celsius": temperature,
        "fever": bool(fever),
        "id_match": id_match,
        "direction": direction or None,
        "trip_reason": trip_reason or None,
        "vehicle_plate": cipher.open_text(plate_enc, row_id, "plate"),
        "policy_version": policy_version,
        "repeat": bool(repeat),
        "full_name": cipher.open_text(full_name_enc, row_id, "full_name"),
        "phone": cipher.open_text(phone_enc, row_id, "phone"),
    }


def upload_record(record_id: str, kind: str, passage: dict[str, Any]) -> UploadRecord:
    """A passage or fever report as the upload sends it (validated like any wire record)."""
    return UploadRecord.model_validate({"record_id": record_id, "kind": kind, "passage": passage})


def override_upload_record(
    row: tuple[str, str, int, str, bytes, str | None], cipher: FieldCipher
) -> UploadRecord:
    override_id, passage_id, at_ms, outcome, reason_enc, operator_id = row
    return UploadRecord(
        record_id=uuid.UUID(override_id),
        kind=RecordKind.OVERRIDE,
        override=OverrideData(
            passage_id=uuid.UUID(passage_id),
            at=from_ms(at_ms),
            outcome=outcome,
            reason=cipher.open_text(reason_enc, override_id, "reason") or "",
            operator_id=operator_id,
        ),
    )
