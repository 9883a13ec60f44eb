"""Wire schemas shared by the kiosk and the central service (pydantic models, JSON bodies).

Binary fields travel as standard base64 text. Times are aware UTC datetimes (ISO 8601).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.functional_validators import BeforeValidator

from sync.b64 import decode_base64, encode_base64

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


class Refusal(WireModel):
    """Every error answer. `server_time` is always set, so a kiosk can learn its clock offset."""

    error: RefusalReason
    detail: str
    server_time: datetime


class EnrollmentRequest(WireModel):
    code: str = Field(min_length=1, max_length=64)
    signing_public_key: Base64Bytes = Field(description="Raw Ed25519 public key, 32 bytes")
    encryption_public_key: Base64Bytes = Field(description="Raw X25519 public key, 32 bytes")
    possession_signature: Base64Bytes = Field(
        description="Ed25519 signature of sync.enrollment.possession_message(...)"
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
    backlog_records: int | None = Field(default=None, ge=0)
    feed_age_s: int | None = Field(default=None, ge=0)
    clock_offset_s: int | None = None
    free_disk_bytes: int | None = Field(default=None, ge=0)
    error_counts: dict[str, int] = Field(default_factory=dict)


class HeartbeatAck(WireModel):
    kiosk_id: str
    server_time: datetime


POSSESSION_CONTEXT = b"healthcode-checkpoint enrollment v1\n"


def possession_message(signing_public_key: bytes, encryption_public_key: bytes) -> bytes:
    """What a kiosk signs with its new Ed25519 key to prove it holds it, binding both keys."""
    return POSSESSION_CONTEXT + signing_public_key + encryption_public_key
