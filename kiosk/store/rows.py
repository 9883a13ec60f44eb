"""Passage rows: from a flow's record to columns (encrypting what identifies a person), and back
to a read model for the supervisor's views."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json

from healthcode.claims import Colour
from kiosk.checkpoint.decision import IdMatch
from kiosk.checkpoint.events import PassageRecord
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason
from kiosk.client.outbox import EncodedRecord
from kiosk.store.crypto import FieldCipher
from sync.bounds import FIRST_INSTANT, LAST_INSTANT, MAX_CELSIUS, MAX_INT64, MIN_CELSIUS
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
    code_id, name, id_masked, plate, full_name, phone = cipher.open_columns(
        row_id,
        (
            (code_enc, "code"),
            (name_enc, "name"),
            (id_masked_enc, "id_masked"),
            (plate_enc, "plate"),
            (full_name_enc, "full_name"),
            (phone_enc, "phone"),
        ),
    )
    return {
        "seq": seq,
        "at": from_ms(at_ms),
        "clock_trusted": bool(clock_trusted),
        "operator_id": operator_id,
        "scheme": scheme,
        "issuer": issuer,
        "code_id": code_id,
        "masked_name": None if name is None else name.decode("utf-8"),
        "id_number_masked": None if id_masked is None else id_masked.decode("utf-8"),
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
        "vehicle_plate": None if plate is None else plate.decode("utf-8"),
        "policy_version": policy_version,
        "repeat": bool(repeat),
        "full_name": None if full_name is None else full_name.decode("utf-8"),
        "phone": None if phone is None else phone.decode("utf-8"),
    }


def upload_record(record_id: str, kind: str, passage: dict[str, Any]) -> UploadRecord:
    """A passage or fever report as the upload sends it (validated like any wire record)."""
    return UploadRecord.model_validate({"record_id": record_id, "kind": kind, "passage": passage})


# `PassageData`'s text fields: (name, most characters, may be None). Kept equal to the schema's
# by `test_a_passage_at_each_limit_of_the_schema_is_encoded_only_when_it_validates`.
_PASSAGE_TEXTS = (
    ("operator_id", 64, True),
    ("scheme", 16, True),
    ("issuer", 16, True),
    ("masked_name", 64, True),
    ("id_number_masked", 32, True),
    ("colour_in_code", 16, True),
    ("colour_applied", 16, True),
    ("outcome", 32, False),
    ("rejection", 64, True),
    ("id_match", 32, False),
    ("direction", 16, True),
    ("trip_reason", 32, True),
    ("vehicle_plate", 32, True),
    ("full_name", 64, True),
    ("phone", 20, True),
)
_MAX_CODE_BYTES = 64
_MAX_REASONS = 32
_MAX_REASON_CHARS = 64
_PASSAGE_KINDS = {kind.value: kind for kind in (RecordKind.PASSAGE, RecordKind.FEVER_REPORT)}
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _passage_fits(passage: dict[str, Any]) -> bool:
    """Whether `PassageData` takes these values (from `upload_passage`) as they are, so that
    its JSON is theirs. Only the exact types the store gives count; anything else (a value out
    of bounds, or one the schema would first convert) answers False, and the record goes through
    the schema's own validation instead: a record that does not validate fails as it always did.
    """
    seq = passage["seq"]
    version = passage["policy_version"]
    if type(seq) is not int or not 1 <= seq <= MAX_INT64:
        return False
    if type(version) is not int or not 0 <= version <= MAX_INT64:
        return False
    at = passage["at"]
    if type(at) is not datetime or at.tzinfo is not UTC or not FIRST_INSTANT <= at <= LAST_INSTANT:
        return False
    for name, most, nullable in _PASSAGE_TEXTS:
        value = passage[name]
        if value is None:
            if not nullable:
                return False
        elif type(value) is not str or len(value) > most:
            return False
    code = passage["code_id"]
    if code is not None and (type(code) is not bytes or len(code) > _MAX_CODE_BYTES):
        return False
    temperature = passage["temperature_celsius"]
    # NaN and the infinities fail the comparison too
    if temperature is not None and (
        type(temperature) is not float or not MIN_CELSIUS <= temperature <= MAX_CELSIUS
    ):
        return False
    reasons = passage["reasons"]
    if type(reasons) is not list or len(reasons) > _MAX_REASONS:
        return False
    for reason in reasons:
        if type(reason) is not str or len(reason) > _MAX_REASON_CHARS:
            return False
    return (
        type(passage["clock_trusted"]) is bool
        and type(passage["fever"]) is bool
        and type(passage["repeat"]) is bool
    )


def passage_json(passage: dict[str, Any]) -> bytes | None:
    """A passage (`upload_passage`) as `PassageData(**passage).model_dump_json()` writes it,
    without building the model; None when it cannot be sure the model takes it (`_passage_fits`).
    The store wrote these values itself, so the schema's general machinery is spent only on the
    rare row it cannot vouch for (issue 28: a backlog of a million)."""
    if not _passage_fits(passage):
        return None
    code = passage["code_id"]
    if code is not None:
        passage = {**passage, "code_id": base64.b64encode(code).decode("ascii")}
    # pydantic's own encoder (the one `model_dump_json` uses) for times, floats and text
    return to_json(passage)


def encoded_passage_record(
    record_id: str, kind: str, passage: dict[str, Any], encoded_passage: bytes | None
) -> EncodedRecord | UploadRecord:
    """A passage or fever report for the upload: encoded from `passage_json` when it has one and
    its id and kind are as the schema writes them, else the validated model (`upload_record`,
    which raises as it always did for a record that does not validate)."""
    wire_kind = _PASSAGE_KINDS.get(kind)
    if encoded_passage is None or wire_kind is None or not _CANONICAL_UUID.fullmatch(record_id):
        return upload_record(record_id, kind, passage)
    return EncodedRecord(
        record_id,
        wire_kind,
        b'{"record_id":"%s","kind":"%s","passage":%s,"override":null,"purchase":null,'
        b'"clinic":null}' % (record_id.encode("ascii"), kind.encode("ascii"), encoded_passage),
        lambda: upload_record(record_id, kind, passage),
    )


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
