"""Accounts, created top-down within the creator's area; enterprises, placed in a region."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import object_session

from central.administration.accounts import (
    NewAccount,
    create_account,
    register_enterprise,
    seal_liaison_phone,
)
from central.core.admins import locked_until
from central.core.audit import Action, AuditDep
from central.core.cipher import record_cipher
from central.core.deps import NowDep, SessionDep, SettingsDep
from central.core.errors import ApiError
from central.core.models import Administrator, Enterprise
from central.core.schemas import ApiModel
from central.core.scope import Role, ScopeDep
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=API_PREFIX, tags=["accounts"])
MAX_ROWS = 5000


class AccountIn(ApiModel):
    username: str = Field(min_length=3, max_length=64)
    role: Role
    area_code: str | None = Field(default=None, pattern=r"^\d{6,15}$")
    industry: str | None = Field(default=None, max_length=64)
    enterprise_id: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(
        default=None,
        pattern=r"^1\d{10}$",
        description="a grid worker's mobile number: where its tip-offs are sent by SMS",
    )


class AccountOut(ApiModel):
    account_id: str
    username: str
    role: Role
    area_code: str | None
    industry: str | None
    enterprise_id: str | None
    created_at: datetime
    active: bool = Field(description="the password has been set with the activation token")
    locked: bool = Field(description="locked for a while after repeated failed logins")


class CreatedAccount(ApiModel):
    account: AccountOut
    activation_token: str = Field(description="one-time: set the password at POST /auth/setup")
    activation_expires_at: datetime


class EnterpriseIn(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(pattern=r"^\d{6,15}$")
    industry: str = Field(min_length=2, max_length=64)


class EnterpriseOut(ApiModel):
    enterprise_id: str
    name: str
    area_code: str
    industry: str
    created_at: datetime


def _is_locked(admin: Administrator, now: datetime) -> bool:
    session = object_session(admin)
    return session is not None and locked_until(session, admin.username, now) is not None


def account_out(admin: Administrator, now: datetime) -> AccountOut:
    try:
        role = Role(admin.role)
    except ValueError:
        role = Role.SUPERVISOR
    return AccountOut(
        account_id=admin.id,
        username=admin.username,
        role=role,
        area_code=admin.area_code or admin.region_code,
        industry=admin.industry,
        enterprise_id=admin.enterprise_id,
        created_at=admin.created_at,
        active=admin.password_hash is not None,
        locked=_is_locked(admin, now),
    )


def enterprise_out(enterprise: Enterprise) -> EnterpriseOut:
    return EnterpriseOut(
        enterprise_id=enterprise.id,
        name=enterprise.name,
        area_code=enterprise.area_code,
        industry=enterprise.industry,
        created_at=enterprise.created_at,
    )


@router.post("/accounts", status_code=201)
def create(
    body: AccountIn, session: SessionDep, scope: ScopeDep, now: NowDep, settings: SettingsDep
) -> CreatedAccount:
    new = NewAccount(
        body.username, body.role, body.area_code, body.industry, body.enterprise_id, body.phone
    )
    admin, invitation = create_account(
        session, scope, new, now, timedelta(seconds=settings.admin_setup_ttl_s)
    )
    if admin.role == Role.GRID_WORKER.value:
        seal_liaison_phone(admin, new.phone, record_cipher(settings.resolved_keys_dir))
    session.commit()
    return CreatedAccount(
        account=account_out(admin, now),
        activation_token=invitation.token,
        activation_expires_at=invitation.expires_at,
    )


@router.get("/accounts")
def list_accounts(
    session: SessionDep, scope: ScopeDep, audit: AuditDep, now: NowDep
) -> list[AccountOut]:
    query = select(Administrator).where(scope.account_filter())
    rows = session.scalars(
        query.order_by(Administrator.created_at, Administrator.id).limit(MAX_ROWS)
    )
    found = [account_out(a, now) for a in rows]
    audit.record(Action.LIST, "account", len(found))
    return found


@router.get("/accounts/me")
def read_my_account(
    session: SessionDep, scope: ScopeDep, audit: AuditDep, now: NowDep
) -> AccountOut:
    admin = session.get(Administrator, scope.account_id)
    if admin is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "no such account")
    audit.record(Action.READ, "account", 1)
    return account_out(admin, now)


@router.get("/accounts/{account_id}")
def read_account(
    account_id: str, session: SessionDep, scope: ScopeDep, audit: AuditDep, now: NowDep
) -> AccountOut:
    admin = session.scalars(
        select(Administrator).where(Administrator.id == account_id, scope.account_filter())
    ).first()
    audit.record(Action.READ, "account", 0 if admin is None else 1)
    if admin is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no account {account_id} in your area")
    return account_out(admin, now)


@router.post("/enterprises", status_code=201)
def create_enterprise(
    body: EnterpriseIn, session: SessionDep, scope: ScopeDep, now: NowDep
) -> EnterpriseOut:
    enterprise = register_enterprise(
        session,
        scope,
        name=body.name,
        area_code=body.area_code,
        industry=body.industry,
        now=now,
    )
    session.commit()
    return enterprise_out(enterprise)


@router.get("/enterprises")
def list_enterprises(session: SessionDep, scope: ScopeDep, audit: AuditDep) -> list[EnterpriseOut]:
    query = select(Enterprise).where(scope.enterprise_filter())
    rows = [
        enterprise_out(e) for e in session.scalars(query.order_by(Enterprise.name).limit(MAX_ROWS))
    ]
    audit.record(Action.LIST, "enterprise", len(rows))
    return rows


@router.get("/enterprises/{enterprise_id}")
def read_enterprise(
    enterprise_id: str, session: SessionDep, scope: ScopeDep, audit: AuditDep
) -> EnterpriseOut:
    enterprise = session.scalars(
        select(Enterprise).where(Enterprise.id == enterprise_id, scope.enterprise_filter())
    ).first()
    audit.record(Action.READ, "enterprise", 0 if enterprise is None else 1)
    if enterprise is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no enterprise {enterprise_id} in your area")
    return enterprise_out(enterprise)
