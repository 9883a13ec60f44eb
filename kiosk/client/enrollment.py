"""Kiosk side of enrollment: make keys, present the one-time code, check and keep the answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import ValidationError

from healthcode.keys import KeyFormatError, PublicKey
from healthcode.trust import TrustList, TrustListError, open_signed_trust_list
from kiosk.client.identity import (
    BINDING_KEYS_FILE,
    POLICY_FILE,
    ROOT_PUBLIC_FILE,
    TRUST_LIST_FILE,
    KioskIdentity,
    is_enrolled,
)
from kiosk.client.roster_file import save_roster
from sync.schemas import (
    ENROLLMENTS_PATH,
    BindingKeys,
    EnrollmentRequest,
    EnrollmentResponse,
    possession_message,
)
from sync.sealedbox import SealedBoxError
from sync.signing import refusal_of

SOFTWARE_VERSION = "0.1.0"


class EnrollmentError(Exception):
    """Enrollment did not happen; `reason` is the server's refusal code or a local one."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Enrollment:
    identity: KioskIdentity
    response: EnrollmentResponse
    trust_list: TrustList
    binding_keys: BindingKeys


def _raw(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def enroll(
    client: httpx.Client,
    server_url: str,
    code: str,
    data_dir: Path,
    *,
    software_version: str = SOFTWARE_VERSION,
) -> Enrollment:
    """Enroll this kiosk with the server; on success everything is written to `data_dir`.

    The pinned root is the one the server sends (trust on first use, through the technician's
    one-time code); the trust list and the binding keys must check against it before anything
    is kept. Raises EnrollmentError.
    """
    if is_enrolled(data_dir):
        raise EnrollmentError("already_enrolled", f"{data_dir} holds a kiosk identity already")
    signing = Ed25519PrivateKey.generate()
    encryption = X25519PrivateKey.generate()
    request = EnrollmentRequest(
        code=code.strip(),
        signing_public_key=_raw(signing),
        encryption_public_key=_raw(encryption),
        possession_signature=signing.sign(possession_message(_raw(signing), _raw(encryption))),
        software_version=software_version,
    )
    url = server_url.rstrip("/") + ENROLLMENTS_PATH
    try:
        answer = client.post(
            url,
            content=request.model_dump_json(),
            headers={"content-type": "application/json"},
        )
    except httpx.HTTPError as error:
        raise EnrollmentError("network", f"cannot reach {url}: {error}") from None
    refusal = refusal_of(answer)
    if refusal is not None:
        raise EnrollmentError(refusal.error.value, refusal.detail)
    if not answer.is_success:
        raise EnrollmentError("http_error", f"HTTP {answer.status_code}: {answer.text[:200]}")
    try:
        response = EnrollmentResponse.model_validate_json(answer.content)
        root = PublicKey.from_spki(response.root_public_key)
        trust_list, _signer = open_signed_trust_list(response.trust_list, [root])
    except (ValidationError, KeyFormatError, TrustListError) as error:
        raise EnrollmentError("bad_answer", str(error)) from None
    identity = KioskIdentity(
        kiosk_id=response.kiosk_id,
        server_url=server_url.rstrip("/"),
        checkpoint=response.checkpoint,
        signing_key=signing,
        encryption_key=encryption,
    )
    try:
        binding_keys = identity.open_binding_keys(response.binding_keys)
    except (SealedBoxError, ValidationError) as error:
        raise EnrollmentError("bad_answer", f"binding keys: {error}") from None
    _keep(identity, response, root, data_dir)
    return Enrollment(identity, response, trust_list, binding_keys)


def _keep(
    identity: KioskIdentity, response: EnrollmentResponse, root: PublicKey, data_dir: Path
) -> None:
    identity.save(data_dir)
    (data_dir / ROOT_PUBLIC_FILE).write_bytes(
        root.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (data_dir / TRUST_LIST_FILE).write_bytes(response.trust_list)
    (data_dir / POLICY_FILE).write_text(response.policy.model_dump_json(indent=2), "utf-8")
    save_roster(identity, data_dir, response.staff_roster)
    (data_dir / BINDING_KEYS_FILE).write_text(
        response.binding_keys.model_dump_json(indent=2), "utf-8"
    )
