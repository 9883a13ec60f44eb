"""Checkpoints: registration, their staff roster, and one-time enrollment codes."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import select

from central.administration.checkpoints import (
    add_operator,
    issue_enrollment_code,
    register_checkpoint,
)
from central.administration.schemas import (
    CheckpointIn,
    CheckpointOut,
    EnrollmentCodeOut,
    OperatorIn,
    OperatorOut,
)
from central.core.audit import Action, AuditDep
from central.core.deps import NowDep, SessionDep, SettingsDep, TokensDep
from central.core.errors import ApiError
from central.core.models import Checkpoint, Enterprise
from central.core.scope import Scope, ScopeDep
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
        area_code=checkpoint.area_code,
        enterprise_id=checkpoint.enterprise_id,
    )


def _found(session: SessionDep, scope: Scope, checkpoint_id: str) -> Checkpoint:
    """A checkpoint of the reader's area; one outside it is as unknown as a missing one."""
    checkpoint = session.scalars(
        select(Checkpoint).where(Checkpoint.id == checkpoint_id, scope.checkpoint_filter())
    ).first()
    if checkpoint is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no checkpoint {checkpoint_id} in your area")
    return checkpoint


def _managed(session: SessionDep, scope: Scope, checkpoint_id: str) -> Checkpoint:
    checkpoint = _found(session, scope, checkpoint_id)
    if not scope.may_manage_checkpoint_at(checkpoint.area_code, checkpoint.enterprise_id):
        raise ApiError(403, RefusalReason.FORBIDDEN, "your role does not manage checkpoints")
    return checkpoint


@router.post("", status_code=201)
def register(
    body: CheckpointIn, session: SessionDep, now: NowDep, scope: ScopeDep
) -> CheckpointOut:
    fields = body.model_dump()
    if body.enterprise_id is not None:
        enterprise = session.scalars(
            select(Enterprise).where(Enterprise.id == body.enterprise_id, scope.enterprise_filter())
        ).first()
        if enterprise is None:
            raise ApiError(400, RefusalReason.BAD_REQUEST, "no such enterprise in your area")
        fields["enterprise"] = fields["enterprise"] or enterprise.name
    if not scope.may_manage_checkpoint_at(body.area_code or body.region_code, body.enterprise_id):
        raise ApiError(
            403, RefusalReason.FORBIDDEN, "you may register checkpoints in your own area only"
        )
    checkpoint = register_checkpoint(session, **fields, now=now)
    session.commit()
    return checkpoint_out(checkpoint)


@router.get("")
def list_checkpoints(session: SessionDep, scope: ScopeDep, audit: AuditDep) -> list[CheckpointOut]:
    query = select(Checkpoint).where(scope.checkpoint_filter())
    rows = [
        checkpoint_out(c)
        for c in session.scalars(query.order_by(Checkpoint.created_at, Checkpoint.id))
    ]
    audit.record(Action.LIST, "checkpoint", len(rows))
    return rows


@router.get("/{checkpoint_id}")
def read_checkpoint(
    checkpoint_id: str, session: SessionDep, scope: ScopeDep, audit: AuditDep
) -> CheckpointOut:
    try:
        checkpoint = _found(session, scope, checkpoint_id)
    except ApiError:
        audit.record(Action.READ, "checkpoint", 0)
        raise
    audit.record(Action.READ, "checkpoint", 1)
    return checkpoint_out(checkpoint)


@router.post("/{checkpoint_id}/enrollment-codes", status_code=201)
def create_enrollment_code(
    checkpoint_id: str,
    session: SessionDep,
    now: NowDep,
    tokens: TokensDep,
    settings: SettingsDep,
    scope: ScopeDep,
) -> EnrollmentCodeOut:
    checkpoint = _managed(session, scope, checkpoint_id)
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
    scope: ScopeDep,
) -> OperatorOut:
    checkpoint = _managed(session, scope, checkpoint_id)
    operator = add_operator(session, checkpoint, body.name, body.pin, now)
    session.commit()
    return OperatorOut(operator_id=operator.id, checkpoint_id=checkpoint.id, name=operator.name)
