"""Checkpoints: registration, their staff roster, and one-time enrollment codes."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import select

from central.checkpoints import (
    CheckpointError,
    add_operator,
    get_checkpoint,
    issue_enrollment_code,
    register_checkpoint,
)
from central.deps import CurrentAdminDep, NowDep, SessionDep, SettingsDep, TokensDep
from central.errors import ApiError
from central.models import Checkpoint
from central.schemas import CheckpointIn, CheckpointOut, EnrollmentCodeOut, OperatorIn, OperatorOut
from healthcode.claims import ClaimsError
from sync.schemas import API_PREFIX, CheckpointType, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/checkpoints", tags=["checkpoints"])


def checkpoint_out(checkpoint: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        checkpoint_id=checkpoint.id,
        name=checkpoint.name,
        checkpoint_type=CheckpointType(checkpoint.checkpoint_type),
        region_code=checkpoint.region_code,
        address=checkpoint.address,
        enterprise=checkpoint.enterprise,
        policy_version=checkpoint.policy_version,
        roster_version=checkpoint.roster_version,
        created_at=checkpoint.created_at,
    )


def _found(session: SessionDep, checkpoint_id: str) -> Checkpoint:
    try:
        return get_checkpoint(session, checkpoint_id)
    except LookupError as error:
        raise ApiError(404, RefusalReason.NOT_FOUND, str(error)) from None


@router.post("", status_code=201)
def register(
    body: CheckpointIn, session: SessionDep, now: NowDep, _admin: CurrentAdminDep
) -> CheckpointOut:
    try:
        checkpoint = register_checkpoint(session, **body.model_dump(), now=now)
    except (CheckpointError, ClaimsError) as error:
        raise ApiError(400, RefusalReason.BAD_REQUEST, str(error)) from None
    session.commit()
    return checkpoint_out(checkpoint)


@router.get("")
def list_checkpoints(session: SessionDep, _admin: CurrentAdminDep) -> list[CheckpointOut]:
    rows = session.scalars(select(Checkpoint).order_by(Checkpoint.created_at, Checkpoint.id))
    return [checkpoint_out(c) for c in rows]


@router.get("/{checkpoint_id}")
def read_checkpoint(
    checkpoint_id: str, session: SessionDep, _admin: CurrentAdminDep
) -> CheckpointOut:
    return checkpoint_out(_found(session, checkpoint_id))


@router.post("/{checkpoint_id}/enrollment-codes", status_code=201)
def create_enrollment_code(
    checkpoint_id: str,
    session: SessionDep,
    now: NowDep,
    tokens: TokensDep,
    settings: SettingsDep,
    _admin: CurrentAdminDep,
) -> EnrollmentCodeOut:
    checkpoint = _found(session, checkpoint_id)
    issued = issue_enrollment_code(
        session, checkpoint, now, timedelta(seconds=settings.enrollment_code_ttl_s), tokens
    )
    session.commit()
    return EnrollmentCodeOut(
        code_id=issued.code_id,
        checkpoint_id=issued.checkpoint_id,
        code=issued.code,
        expires_at=issued.expires_at,
        qr_png=issued.qr_png(),
    )


@router.post("/{checkpoint_id}/operators", status_code=201)
def create_operator(
    checkpoint_id: str,
    body: OperatorIn,
    session: SessionDep,
    now: NowDep,
    _admin: CurrentAdminDep,
) -> OperatorOut:
    checkpoint = _found(session, checkpoint_id)
    try:
        operator = add_operator(session, checkpoint, body.name, body.pin, now)
    except CheckpointError as error:
        raise ApiError(400, RefusalReason.BAD_REQUEST, str(error)) from None
    session.commit()
    return OperatorOut(operator_id=operator.id, checkpoint_id=checkpoint.id, name=operator.name)
