"""Checkpoints, their staff roster, and one-time enrollment codes for their kiosks."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.clock import TokenSource
from central.core.errors import RefusedError
from central.core.models import Checkpoint, EnrollmentCode, Operator
from central.core.regions import RegionCodeError, contains
from central.core.security import (
    ENROLLMENT_CODE_BYTES,
    format_enrollment_code,
    hash_secret,
    normalise_enrollment_code,
    token_digest,
)
from healthcode.claims import ClaimsError, check_region_code
from sync.schemas import CheckpointInfo, CheckpointType

PIN_DIGITS = (6, 8)  # 6 at least: a roster that leaks is guessed per PIN (issue 27)


class CheckpointError(RefusedError, ValueError):
    """A checkpoint request that cannot be carried out; the message is safe to show."""


@dataclass(frozen=True)
class IssuedEnrollmentCode:
    code_id: str
    checkpoint_id: str
    code: str
    expires_at: datetime

    def qr_png(self, scale: int = 8) -> bytes:
        buffer = io.BytesIO()
        segno.make(self.code, error="m").save(buffer, kind="png", scale=scale)
        return buffer.getvalue()


def register_checkpoint(
    session: Session,
    *,
    name: str,
    checkpoint_type: CheckpointType,
    region_code: str,
    address: str,
    enterprise: str | None,
    now: datetime,
    area_code: str | None = None,
    enterprise_id: str | None = None,
) -> Checkpoint:
    try:
        check_region_code(region_code)
    except ClaimsError as error:
        raise CheckpointError(str(error)) from None
    area = area_code or region_code
    try:
        inside = contains(region_code, area)
    except RegionCodeError as error:
        raise CheckpointError(str(error)) from None
    if not inside:
        raise CheckpointError(f"area {area} lies outside region {region_code}")
    if checkpoint_type is CheckpointType.ENTERPRISE_GATE and not enterprise:
        raise CheckpointError("an enterprise gate names its enterprise")
    checkpoint = Checkpoint(
        name=name,
        checkpoint_type=checkpoint_type.value,
        region_code=region_code,
        address=address,
        enterprise=enterprise or None,
        created_at=now,
        area_code=area,
        enterprise_id=enterprise_id,
        policy_version=1,
        roster_version=0,
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


def checkpoint_info(checkpoint: Checkpoint) -> CheckpointInfo:
    return CheckpointInfo(
        checkpoint_id=checkpoint.id,
        name=checkpoint.name,
        checkpoint_type=CheckpointType(checkpoint.checkpoint_type),
        region_code=checkpoint.region_code,
        address=checkpoint.address,
        enterprise=checkpoint.enterprise,
    )


def get_checkpoint(session: Session, checkpoint_id: str) -> Checkpoint:
    checkpoint = session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise LookupError(f"no checkpoint {checkpoint_id}")
    return checkpoint


def issue_enrollment_code(
    session: Session, checkpoint: Checkpoint, now: datetime, ttl: timedelta, tokens: TokenSource
) -> IssuedEnrollmentCode:
    code = format_enrollment_code(tokens(ENROLLMENT_CODE_BYTES))
    record = EnrollmentCode(
        checkpoint_id=checkpoint.id,
        code_hash=token_digest(normalise_enrollment_code(code)),
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(record)
    session.flush()
    return IssuedEnrollmentCode(record.id, checkpoint.id, code, record.expires_at)


def add_operator(
    session: Session, checkpoint: Checkpoint, name: str, pin: str, now: datetime
) -> Operator:
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise CheckpointError(f"a PIN has {low} to {high} digits")
    operator = Operator(
        checkpoint_id=checkpoint.id, name=name, pin_hash=hash_secret(pin), created_at=now
    )
    session.add(operator)
    checkpoint.roster_version += 1
    session.flush()
    return operator


def operators_of(session: Session, checkpoint_id: str) -> list[Operator]:
    return list(
        session.scalars(
            select(Operator)
            .where(Operator.checkpoint_id == checkpoint_id)
            .order_by(Operator.created_at, Operator.id)
        )
    )
