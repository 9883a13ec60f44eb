"""Enterprises registered by their administrator: invited top-down, then self-registered.

`POST /enterprise-invitations`: a region administrator invites an enterprise administrator for
an area of its own (and optionally an industry); the answer carries the one-time activation
token. `POST /enterprises/register`: that administrator, once activated, registers its
enterprise inside the invited area. Reading enterprises stays in
`central.administration.routers.accounts`.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from pydantic import Field

from central.administration.enterprises import (
    invite_enterprise_administrator,
    register_own_enterprise,
)
from central.administration.routers.accounts import (
    CreatedAccount,
    EnterpriseIn,
    EnterpriseOut,
    account_out,
    enterprise_out,
)
from central.core.deps import NowDep, SessionDep, SettingsDep
from central.core.schemas import ApiModel
from central.core.scope import ScopeDep
from sync.schemas import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["enterprises"])


class EnterpriseInvitationIn(ApiModel):
    username: str = Field(min_length=3, max_length=64)
    area_code: str = Field(pattern=r"^\d{6,15}$", description="the enterprise will lie in it")
    industry: str | None = Field(
        default=None, max_length=64, description="when given, the enterprise's industry"
    )


@router.post("/enterprise-invitations", status_code=201)
def invite(
    body: EnterpriseInvitationIn,
    session: SessionDep,
    scope: ScopeDep,
    now: NowDep,
    settings: SettingsDep,
) -> CreatedAccount:
    admin, invitation = invite_enterprise_administrator(
        session,
        scope,
        username=body.username,
        area_code=body.area_code,
        industry=body.industry,
        now=now,
        ttl=timedelta(seconds=settings.admin_setup_ttl_s),
    )
    session.commit()
    return CreatedAccount(
        account=account_out(admin, now),
        activation_token=invitation.token,
        activation_expires_at=invitation.expires_at,
    )


@router.post("/enterprises/register", status_code=201)
def register(
    body: EnterpriseIn, session: SessionDep, scope: ScopeDep, now: NowDep
) -> EnterpriseOut:
    enterprise = register_own_enterprise(
        session,
        scope,
        name=body.name,
        area_code=body.area_code,
        industry=body.industry,
        now=now,
    )
    session.commit()
    return enterprise_out(enterprise)
