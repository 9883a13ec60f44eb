"""Wire schemas shared by the kiosk and the central service (pydantic models, JSON bodies).

Binary fields travel as standard base64 text. Times are aware UTC datetimes (ISO 8601).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.functional_validators import BeforeValidator

from sync.b64 import decode_base64, encode_base64
from sync.bounds import MAX_INT64, Celsius, Day, Instant

API_PREFIX = "/api/v1"
ENROLLMENTS_PATH = f"{API_PREFIX}/enrollments"
HEARTBEAT_PATH = f"{API_PREFIX}/kiosk/heartbeat"
KIOSK_HEALTH_HEADER = "kiosk-health"
POLICY_FORMAT = 1
STAFF_ROSTER_FORMAT = 1

Base64Bytes = Annotated[
    bytes,
    BeforeValidator(decode_base64),
    PlainSerializer(encode_base64, return_type=str, when_used="json"),
]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckpointType(StrEnum):
    ENTERPRISE_GATE = "enterprise_gate"
    RESIDENTIAL_COMPOUND = "residential_compound"
    VILLAGE = "village"
    ROAD_JUNCTION = "road_junction"
    CLINIC = "clinic"
    PHARMACY = "pharmacy"
    # Places (Shaanxi 001: 地铁、公交、出租, 商场、超市、图书馆; Hainan 004: 商超)
    TRANSIT_VEHICLE = "transit_vehicle"  # on board a bus, a metro train, a taxi
    TRANSIT_STATION = "transit_station"  # a bus, metro or railway station's entrance
    SHOP = "shop"  # shops, markets and supermarkets
    HOTEL = "hotel"
    SCHOOL = "school"
    PUBLIC_BUILDING = "public_building"  # government offices, libraries, halls


class RefusalReason(StrEnum):
    """Stable codes of refused requests (the `error` field of a `Refusal`)."""

    ENROLLMENT_CODE_UNKNOWN = "enrollment_code_unknown"
    ENROLLMENT_CODE_EXPIRED = "enrollment_code_expired"
    ENROLLMENT_CODE_USED = "enrollment_code_used"
    PROOF_OF_POSSESSION = "proof_of_possession"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_INVALID = "signature_invalid"
    UNKNOWN_KIOSK = "unknown_kiosk"
    KIOSK_REVOKED = "kiosk_revoked"
    CLOCK_SKEW = "clock_skew"
    REPLAYED = "replayed"
    RATE_LIMITED = "rate_limited"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    FORBIDDEN = "forbidden"  # authenticated, but the account may not do this
    UNAVAILABLE = "unavailable"  # a service central depends on failed (e.g. the SMS provider)
    TOO_LARGE = "too_large"  # the request body is over its route's limit (413)
    SERVER_ERROR = "server_error"  # central failed (500); logged there without the request


class Refusal(WireModel):
    """Every error answer. `server_time` is always set, so a kiosk can learn its clock offset."""

    error: RefusalReason
    detail: str
    server_time: datetime


class EnrollmentRequest(WireModel):
    code: str = Field(min_length=1, max_length=64)
    signing_public_key: Base64Bytes = Field(
        max_length=64, description="Raw Ed25519 public key, 32 bytes"
    )
    encryption_public_key: Base64Bytes = Field(
        max_length=64, description="Raw X25519 public key, 32 bytes"
    )
    possession_signature: Base64Bytes = Field(
        max_length=128,
        description="Ed25519 signature of kiosk.client.enrollment.possession_message(...)",
    )
    software_version: str = Field(max_length=64)


class CheckpointInfo(WireModel):
    checkpoint_id: str
    name: str
    checkpoint_type: CheckpointType
    region_code: str = Field(pattern=r"^\d{6}$")
    address: str
    enterprise: str | None = None


class Policy(WireModel):
    """What a checkpoint lets pass: a versioned document the kiosk core interprets.

    `policy_version` grows with every change of this checkpoint's policy; `rules` are named
    settings whose defaults come from the checkpoint type.
    """

    policy_format: int = POLICY_FORMAT
    policy_version: int = Field(ge=1)
    checkpoint_type: CheckpointType
    rules: dict[str, Any]


class SealedBox(WireModel):
    """Bytes encrypted to one kiosk's X25519 key (see sync.sealedbox for the construction)."""

    scheme: str
    ephemeral_public_key: Base64Bytes
    nonce: Base64Bytes
    ciphertext: Base64Bytes


class BindingKey(WireModel):
    """An issuer's ID-binding secret (HMAC key of healthcode.identity), inside a sealed box."""

    issuer: str = Field(pattern=r"^\d{6}$")
    key: Base64Bytes


class BindingKeys(WireModel):
    keys: list[BindingKey]


class StaffMember(WireModel):
    operator_id: str
    name: str
    pin_hash: str = Field(description="argon2id encoded hash of the operator's PIN")


class StaffRoster(WireModel):
    roster_format: int = STAFF_ROSTER_FORMAT
    roster_version: int = Field(ge=0)
    operators: list[StaffMember]


class EnrollmentResponse(WireModel):
    kiosk_id: str
    checkpoint: CheckpointInfo
    root_public_key: Base64Bytes = Field(description="DER SubjectPublicKeyInfo of the root key")
    trust_list: Base64Bytes = Field(description="COSE_Sign1 trust list signed by the root key")
    policy: Policy
    binding_keys: SealedBox
    staff_roster: StaffRoster
    server_time: datetime


class KioskHealth(WireModel):
    """Sent by the kiosk in the signed `Kiosk-Health` header of every request (compact JSON)."""

    software_version: str = Field(max_length=64)
    backlog_records: int | None = Field(default=None, ge=0, le=MAX_INT64)
    feed_age_s: int | None = Field(default=None, ge=0, le=MAX_INT64)
    clock_offset_s: int | None = Field(default=None, ge=-MAX_INT64, le=MAX_INT64)
    free_disk_bytes: int | None = Field(default=None, ge=0, le=MAX_INT64)
    error_counts: dict[
        Annotated[str, Field(max_length=64)], Annotated[int, Field(ge=0, le=MAX_INT64)]
    ] = Field(default_factory=dict, max_length=64)


class HeartbeatAck(WireModel):
    kiosk_id: str
    server_time: datetime


class SyncState(WireModel):
    """What central holds now, for one kiosk (`GET sync.distribution.SYNC_PATH`, issue 28): the
    kiosk fetches only the copies whose version differs from its own. Also a heartbeat: the
    request is signed (health recorded) and the answer carries central's time."""

    kiosk_id: str
    server_time: datetime
    trust_list_sequence: int | None  # None: no trust list published yet
    feed_head: int
    policy_version: int
    roster_version: int
    # The newest release published for the platform the kiosk named (`?platform=`), the one
    # `releases/latest` answers; None when there is none. Absent from an older central's answer
    # (`release_known` is then False): the kiosk asks `releases/latest` every round, as before.
    release_version: str | None = None

    @property
    def release_known(self) -> bool:
        """Whether central said which release is newest (a central of issue 28 or later)."""
        return "release_version" in self.model_fields_set


POSSESSION_CONTEXT = b"healthcode-checkpoint enrollment v1\n"


def possession_message(signing_public_key: bytes, encryption_public_key: bytes) -> bytes:
    """What a kiosk signs with its new Ed25519 key to prove it holds it, binding both keys."""
    return POSSESSION_CONTEXT + signing_public_key + encryption_public_key


# ---------------------------------------------------------------- upload (issue 10)

PASSAGES_PATH = f"{API_PREFIX}/kiosk/passages"
TRANSFER_KEY_PATH = f"{API_PREFIX}/kiosk/transfer-key"
MAX_UPLOAD_RECORDS = 5000
TRANSFER_KEY_CONTEXT = b"healthcode-checkpoint transfer key v1\n"


class RecordKind(StrEnum):
    PASSAGE = "passage"
    FEVER_REPORT = "fever_report"  # the passage again, urgent: opens a fever case at central
    OVERRIDE = "override"
    PURCHASE = "purchase"  # a pharmacy's sale of watched medicine (issue 25)
    CLINIC_VISIT = "clinic_visit"  # a fever-clinic registration or an observation visit


class RecordStatus(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # stored before (by this kiosk): acknowledged again, not stored twice
    REJECTED = "rejected"  # never stored; `reason` says why, and sending it again will not help


class RejectReason(StrEnum):
    MALFORMED = "malformed"
    RECORD_ID_TAKEN = "record_id_taken"  # another kiosk's record has this id
    PASSAGE_OF_ANOTHER_KIOSK = "passage_of_another_kiosk"  # an override of another's passage


class PassageData(WireModel):
    """A passage as the kiosk recorded it: the least data (masked name, no full ID number)."""

    seq: int = Field(
        ge=1, le=MAX_INT64, description="Per-kiosk sequence; restarts after a reinstall"
    )
    at: Instant
    clock_trusted: bool
    operator_id: str | None = Field(default=None, max_length=64)
    scheme: str | None = Field(default=None, max_length=16)
    issuer: str | None = Field(default=None, max_length=16)
    code_id: Base64Bytes | None = Field(default=None, max_length=64)
    masked_name: str | None = Field(default=None, max_length=64)
    id_number_masked: str | None = Field(default=None, max_length=32)
    colour_in_code: str | None = Field(default=None, max_length=16)
    colour_applied: str | None = Field(default=None, max_length=16)
    outcome: str = Field(max_length=32)
    reasons: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=32)
    rejection: str | None = Field(default=None, max_length=64)
    temperature_celsius: Celsius | None = None
    fever: bool
    id_match: str = Field(max_length=32)
    direction: str | None = Field(default=None, max_length=16)
    trip_reason: str | None = Field(default=None, max_length=32)
    vehicle_plate: str | None = Field(default=None, max_length=32)
    policy_version: int = Field(ge=0, le=MAX_INT64)
    repeat: bool
    # The Hainan checkpoint record (004, 关口信息): the passer's full name (from the ID card,
    # or typed by staff) and phone, where the checkpoint's policy asks for them.
    full_name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=20)


class OverrideData(WireModel):
    """A staff override of a passage's decision, with its reason and operator."""

    passage_id: uuid.UUID
    at: Instant
    outcome: str = Field(max_length=32)
    reason: str = Field(max_length=500)
    operator_id: str | None = Field(default=None, max_length=64)


class SceneHolder(WireModel):
    """Who a pharmacy or clinic record is about: the scanned code, as a passage carries it."""

    passage_id: uuid.UUID | None = None  # the scan's passage, when there was one
    at: Instant
    operator_id: str | None = Field(default=None, max_length=64)
    issuer: str | None = Field(default=None, max_length=16)
    code_id: Base64Bytes | None = Field(default=None, max_length=64)
    masked_name: str | None = Field(default=None, max_length=64)
    temperature_celsius: float | None = Field(default=None, ge=30, le=45, allow_inf_nan=False)
    residence: str | None = Field(default=None, max_length=200)


class MedicineLine(WireModel):
    category: str = Field(pattern=r"^(fever|cough|antiviral|other)$")
    quantity: int = Field(ge=1, le=99)


class PurchaseData(SceneHolder):
    """A pharmacy's record of a sale (Hainan 购药登记): what was bought, the two questions, and
    the patient's phone when the buyer buys for someone else (代购)."""

    lines: list[MedicineLine] = Field(min_length=1, max_length=20)
    travel_history: bool
    fever_contact: bool
    patient_phone: str | None = Field(default=None, pattern=r"^1\d{10}$")


class ClinicData(SceneHolder):
    """A fever clinic's registration or one visit of a medical observation (发热门诊, 医学观察)."""

    visit: str = Field(pattern=r"^(registration|observation)$")
    guardian_name: str | None = Field(default=None, max_length=64)
    travel_history: bool = False
    fever_contact: bool = False
    case_number: str | None = Field(default=None, max_length=32)
    case_type: str | None = Field(
        default=None, pattern=r"^(confirmed|suspected|asymptomatic|close_contact|other)$"
    )
    onset_date: Day | None = None
    observation_start: Day | None = None
    dry_cough: bool = False
    other_symptoms: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=16
    )


class UploadRecord(WireModel):
    """One outbox item. Passages and fever reports carry `passage`, overrides `override`,
    purchases `purchase`, clinic visits `clinic`."""

    record_id: uuid.UUID
    kind: RecordKind
    passage: PassageData | None = None
    override: OverrideData | None = None
    purchase: PurchaseData | None = None
    clinic: ClinicData | None = None

    @model_validator(mode="after")
    def _payload_matches_kind(self) -> Self:
        # Run for every record of every upload: the payloads counted without building sets.
        wanted = _PAYLOAD_OF_KIND[self.kind]
        payloads = (self.passage, self.override, self.purchase, self.clinic)
        if getattr(self, wanted) is None or sum(p is not None for p in payloads) != 1:
            raise ValueError(f"a {self.kind.value} record carries exactly its own payload")
        return self


_PAYLOAD_OF_KIND = {
    RecordKind.PASSAGE: "passage",
    RecordKind.FEVER_REPORT: "passage",
    RecordKind.OVERRIDE: "override",
    RecordKind.PURCHASE: "purchase",
    RecordKind.CLINIC_VISIT: "clinic",
}


class UploadBatch(WireModel):
    """`POST /api/v1/kiosk/passages` (signed). The same batch may come again: the answer repeats."""

    batch_id: uuid.UUID
    records: list[UploadRecord] = Field(max_length=MAX_UPLOAD_RECORDS)


class RecordResult(WireModel):
    """The answer for one record; id and kind are None only for a record too damaged to name."""

    record_id: uuid.UUID | None
    kind: RecordKind | None
    status: RecordStatus
    reason: str | None = None


class UploadAck(WireModel):
    """One result per record of the batch, in the batch's order."""

    batch_id: uuid.UUID
    results: list[RecordResult]
    server_time: datetime


class TransferKey(WireModel):
    """Central's X25519 key for offline outbox files, signed by a feed key of the trust list."""

    public_key: Base64Bytes = Field(description="Raw X25519 public key, 32 bytes")
    feed_kid: Base64Bytes
    signature: Base64Bytes = Field(description="feed key's signature of transfer_key_message()")


def transfer_key_message(public_key: bytes) -> bytes:
    return TRANSFER_KEY_CONTEXT + public_key


# ---------------------------------------------------------------- a person's trail (Hainan 3.1)

TRAIL_PATH = f"{API_PREFIX}/kiosk/trail"
TRAIL_DAYS = 14
MAX_TRAIL_ENTRIES = 200


class TrailRequest(WireModel):
    """`POST /api/v1/kiosk/trail` (signed): the passages of the code in front of the duty
    staff, at the checkpoints of the kiosk's own area (its county), over `TRAIL_DAYS`."""

    issuer: str = Field(max_length=16)
    code_id: Base64Bytes = Field(max_length=64)


class TrailEntry(WireModel):
    at: datetime
    checkpoint_name: str = Field(max_length=128)
    outcome: str = Field(max_length=32)
    colour_applied: str | None = Field(default=None, max_length=16)
    temperature_celsius: float | None = None
    fever: bool
    direction: str | None = Field(default=None, max_length=16)


class TrailAnswer(WireModel):
    """Newest first, at most `MAX_TRAIL_ENTRIES`; `region_code` is the area searched."""

    region_code: str
    since: datetime
    entries: list[TrailEntry] = Field(max_length=MAX_TRAIL_ENTRIES)
