"""Offline transfer: the outbox as a signed, encrypted file (for a USB stick), and its checks.

Construction (`file_format` 1): the plaintext is `OutboxFileContent` (the very records an upload
would send, nothing more) as JSON. It is sealed to central's X25519 transfer key
(`sync.sealedbox`: ephemeral X25519, HKDF-SHA256, AES-256-GCM) with associated data
`FILE_CONTEXT || kiosk id`, so a box cannot be passed off as another kiosk's. The kiosk then
signs, with its enrolled Ed25519 key, `FILE_CONTEXT || SHA-256(the file's JSON without the
signature)`: header (kiosk id, creation time, record count, transfer key id) and box together.
Central checks the signature against the kiosk's enrolled key (unknown and revoked kiosks are
refused, as for an upload), opens the box, and ingests the records as an upload: by record id,
so importing a file twice, or a file and an upload of the same records, stores each record once.

The kiosk's side (keeping central's transfer key, writing the file) is `kiosk.client.transfer`.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import Field, ValidationError

from healthcode.trust import KeyRole, TrustList
from sync.schemas import (
    Base64Bytes,
    SealedBox,
    TransferKey,
    UploadRecord,
    WireModel,
    transfer_key_message,
)
from sync.sealedbox import SealedBoxError, open_box, raw_public, seal

FILE_FORMAT = 1
FILE_CONTEXT = b"healthcode-checkpoint outbox file v1\n"
FILE_SUFFIX = ".hcoutbox"
X25519_KEY_BYTES = 32


class OutboxFileError(ValueError):
    """Not an outbox file, not signed by its kiosk, or not sealed to this central."""


class OutboxFileContent(WireModel):
    file_id: uuid.UUID
    records: list[UploadRecord]


class OutboxFile(WireModel):
    file_format: int = FILE_FORMAT
    kiosk_id: str = Field(max_length=64)
    created_at: datetime
    record_count: int = Field(ge=0)
    transfer_key_id: Base64Bytes
    box: SealedBox
    signature: Base64Bytes = b""


def transfer_key_id(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()[:8]


def _signed_message(document: OutboxFile) -> bytes:
    body = document.model_dump_json(exclude={"signature"}).encode("utf-8")
    return FILE_CONTEXT + hashlib.sha256(body).digest()


def _associated_data(kiosk_id: str) -> bytes:
    return FILE_CONTEXT + kiosk_id.encode("utf-8")


def make_outbox_file(
    records: list[UploadRecord],
    *,
    kiosk_id: str,
    signing_key: Ed25519PrivateKey,
    transfer_public_key: bytes,
    created_at: datetime,
    file_id: uuid.UUID | None = None,
) -> bytes:
    content = OutboxFileContent(file_id=file_id or uuid.uuid4(), records=records)
    box = seal(
        content.model_dump_json().encode("utf-8"),
        transfer_public_key,
        _associated_data(kiosk_id),
    )
    unsigned = OutboxFile(
        kiosk_id=kiosk_id,
        created_at=created_at,
        record_count=len(records),
        transfer_key_id=transfer_key_id(transfer_public_key),
        box=box,
    )
    signature = signing_key.sign(_signed_message(unsigned))
    return unsigned.model_copy(update={"signature": signature}).model_dump_json().encode("utf-8")


def read_outbox_file(data: bytes) -> OutboxFile:
    """The file's header, unverified: who claims to have written it."""
    try:
        document = OutboxFile.model_validate_json(data)
    except ValidationError as error:
        raise OutboxFileError(f"not an outbox file: {error.error_count()} problems") from None
    if document.file_format != FILE_FORMAT:
        raise OutboxFileError(f"unknown outbox file format {document.file_format}")
    return document


def open_outbox_file(
    document: OutboxFile, kiosk_public_key: bytes, transfer_key: X25519PrivateKey
) -> OutboxFileContent:
    """The records of a file whose signature is the kiosk's and whose box opens; or raise."""
    try:
        Ed25519PublicKey.from_public_bytes(kiosk_public_key).verify(
            document.signature, _signed_message(document)
        )
    except (InvalidSignature, ValueError):
        raise OutboxFileError("the file is not signed by this kiosk") from None
    if document.transfer_key_id != transfer_key_id(raw_public(transfer_key.public_key())):
        raise OutboxFileError("the file is sealed to another central transfer key")
    try:
        plain = open_box(document.box, transfer_key, _associated_data(document.kiosk_id))
        content = OutboxFileContent.model_validate_json(plain)
    except (SealedBoxError, ValidationError) as error:
        raise OutboxFileError(f"the file does not open: {error}") from None
    if len(content.records) != document.record_count:
        raise OutboxFileError("the record count does not match the file's header")
    return content


def verify_transfer_key(key: TransferKey, trust_list: TrustList) -> bytes:
    """The raw X25519 key, if a usable feed key of the (root-verified) trust list signed it."""
    signer = trust_list.key(key.feed_kid)
    if signer is None or signer.role is not KeyRole.FEED or signer.compromised:
        raise OutboxFileError("the transfer key is not signed by a trusted feed key")
    if len(key.public_key) != X25519_KEY_BYTES or not signer.public.verify(
        key.signature, transfer_key_message(key.public_key)
    ):
        raise OutboxFileError("the transfer key's signature does not verify")
    return key.public_key
