"""Kiosk enrollment: a one-time code plus the kiosk's fresh public keys make a kiosk identity."""

from __future__ import annotations

from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.administration.checkpoints import checkpoint_info, get_checkpoint, operators_of
from central.core.clock import TokenSource
from central.core.errors import RefusedError
from central.core.keystore import KeyStore, latest_trust_list
from central.core.models import Checkpoint, EnrollmentCode, Kiosk
from central.core.security import normalise_enrollment_code, token_digest
from central.kiosks.policy import checkpoint_policy
from sync.schemas import (
    BindingKey,
    BindingKeys,
    EnrollmentRequest,
    EnrollmentResponse,
    RefusalReason,
    StaffMember,
    StaffRoster,
    possession_message,
)
from sync.sealedbox import seal

_STATUS = {
    RefusalReason.ENROLLMENT_CODE_UNKNOWN: 404,
    RefusalReason.ENROLLMENT_CODE_EXPIRED: 410,
    RefusalReason.ENROLLMENT_CODE_USED: 409,
    RefusalReason.PROOF_OF_POSSESSION: 400,
}


class EnrollmentError(RefusedError, ValueError):
    def __init__(self, reason: RefusalReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status_code = _STATUS[reason]


def _check_keys(request: EnrollmentRequest) -> None:
    try:
        signing = Ed25519PublicKey.from_public_bytes(request.signing_public_key)
        X25519PublicKey.from_public_bytes(request.encryption_public_key)
        signing.verify(
            request.possession_signature,
            possession_message(request.signing_public_key, request.encryption_public_key),
        )
    except (ValueError, InvalidSignature):
        raise EnrollmentError(
            RefusalReason.PROOF_OF_POSSESSION,
            "the keys are malformed or the kiosk did not prove it holds its signing key",
        ) from None


def enroll_kiosk(
    session: Session,
    request: EnrollmentRequest,
    *,
    keys: KeyStore,
    now: datetime,
    tokens: TokenSource,
) -> EnrollmentResponse:
    code = session.scalars(
        select(EnrollmentCode).where(
            EnrollmentCode.code_hash == token_digest(normalise_enrollment_code(request.code))
        )
    ).first()
    if code is None:
        raise EnrollmentError(RefusalReason.ENROLLMENT_CODE_UNKNOWN, "no such enrollment code")
    if code.used_at is not None:
        raise EnrollmentError(RefusalReason.ENROLLMENT_CODE_USED, "this code was used already")
    if code.expires_at <= now:
        raise EnrollmentError(RefusalReason.ENROLLMENT_CODE_EXPIRED, "this code has expired")
    _check_keys(request)
    # A conditional update, not a read-then-write: of two processes racing, one wins.
    claimed = session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.id == code.id, EnrollmentCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise EnrollmentError(RefusalReason.ENROLLMENT_CODE_USED, "this code was used already")
    checkpoint = get_checkpoint(session, code.checkpoint_id)
    kiosk = Kiosk(
        checkpoint_id=checkpoint.id,
        signing_public_key=request.signing_public_key,
        encryption_public_key=request.encryption_public_key,
        enrolled_at=now,
        software_version=request.software_version,
    )
    session.add(kiosk)
    session.flush()
    code.kiosk_id = kiosk.id
    return enrollment_package(session, kiosk, checkpoint, keys=keys, now=now, tokens=tokens)


def enrollment_package(
    session: Session,
    kiosk: Kiosk,
    checkpoint: Checkpoint,
    *,
    keys: KeyStore,
    now: datetime,
    tokens: TokenSource,
) -> EnrollmentResponse:
    trust_list = latest_trust_list(session)
    if trust_list is None:
        raise RuntimeError("no trust list: run `central init` first")
    binding = BindingKeys(
        keys=[BindingKey(issuer=issuer, key=key) for issuer, key in keys.binding_keys().items()]
    )
    roster = StaffRoster(
        roster_version=checkpoint.roster_version,
        operators=[
            StaffMember(operator_id=o.id, name=o.name, pin_hash=o.pin_hash)
            for o in operators_of(session, checkpoint.id)
        ],
    )
    return EnrollmentResponse(
        kiosk_id=kiosk.id,
        checkpoint=checkpoint_info(checkpoint),
        root_public_key=keys.root_public().spki(),
        trust_list=trust_list.signed,
        policy=checkpoint_policy(session, checkpoint),
        binding_keys=seal(
            binding.model_dump_json().encode("utf-8"),
            kiosk.encryption_public_key,
            kiosk.id.encode("ascii"),
            random_bytes=tokens,
        ),
        staff_roster=roster,
        server_time=now,
    )
