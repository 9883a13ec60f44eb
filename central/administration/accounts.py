"""Accounts, created top-down: each level creates the accounts below it within its own area.

A new account has no password: it comes with a one-time activation token (the same setup
token the first administrator gets from `central init`), used once at `POST /auth/setup`.

Who may create whom:

| creator                    | may create                                                    |
|----------------------------|---------------------------------------------------------------|
| region administrator, level L, area A | region administrators of level L+1 inside A;       |
|                            | industry departments, technicians, supervisors in A or inside;|
|                            | community workers for a town or community (level 4-5) in A;  |
|                            | the administrator of an enterprise placed in A               |
| enterprise administrator   | epidemic staff of its own enterprise, named by phone number   |
| anyone else                | nobody                                                        |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.admins import SetupInvitation, invite_administrator
from central.core.cipher import RecordCipher
from central.core.errors import RefusedError
from central.core.models import Administrator, Enterprise
from central.core.regions import Level, RegionCodeError, level_of
from central.core.scope import Role, Scope
from sync.schemas import RefusalReason

# A community worker serves a town or street (level 4) or a village or community (level 5).
COMMUNITY_LEVELS = frozenset({Level.TOWN, Level.VILLAGE})
PHONE = re.compile(r"^1\d{10}$")  # a mainland mobile number
INDUSTRY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class AccountError(RefusedError, ValueError):
    """A request the creator may not make (403) or that is malformed (400); the message is safe
    to show."""

    def __init__(self, detail: str, *, forbidden: bool = False) -> None:
        super().__init__(detail)
        self.forbidden = forbidden
        if forbidden:
            self.status_code = 403
            self.reason = RefusalReason.FORBIDDEN


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: Role
    area_code: str | None = None
    industry: str | None = None
    enterprise_id: str | None = None
    phone: str | None = None  # a grid worker's mobile number (tip-offs come by SMS)


def _refuse(detail: str) -> AccountError:
    return AccountError(detail, forbidden=True)


def _level(code: str) -> Level:
    try:
        return level_of(code)
    except RegionCodeError as error:
        raise AccountError(str(error)) from None


def _check_community_area(new: NewAccount, level: Level) -> None:
    if new.role is Role.COMMUNITY_WORKER and level not in COMMUNITY_LEVELS:
        raise AccountError(
            "a community worker's area is a town or street (9 digits, level 4) or a village or "
            f"community (12 digits, level 5), not a level {int(level)} region"
        )


def check_creation(creator: Scope, new: NewAccount, enterprise: Enterprise | None) -> NewAccount:
    """The account as it will be made (area filled in for enterprise roles), or AccountError."""
    if creator.role is Role.ENTERPRISE_ADMIN:
        if new.role is not Role.EPIDEMIC_STAFF:
            raise _refuse("an enterprise administrator adds epidemic staff only")
        if not PHONE.match(new.username):
            raise AccountError("epidemic staff are added by their 11-digit mobile number")
        if enterprise is None or enterprise.id != creator.enterprise_id:
            raise _refuse("epidemic staff belong to the creator's own enterprise")
        return NewAccount(new.username, new.role, enterprise.area_code, None, enterprise.id)
    if creator.role is not Role.REGION_ADMIN or creator.area is None:
        raise _refuse(f"a {creator.role.value} account creates no accounts")
    creator_level = _level(creator.area)
    if new.role is Role.EPIDEMIC_STAFF:
        raise _refuse("epidemic staff are added by their enterprise's administrator")
    if new.role is Role.ENTERPRISE_ADMIN:
        if enterprise is None:
            raise AccountError("an enterprise administrator needs its enterprise")
        if not creator.covers(enterprise.area_code):
            raise _refuse("the enterprise lies outside the creator's area")
        return NewAccount(new.username, new.role, enterprise.area_code, None, enterprise.id)
    if new.area_code is None:
        raise AccountError(f"a {new.role.value} account needs an area (a region code)")
    new_level = _level(new.area_code)
    _check_community_area(new, new_level)
    if not creator.covers(new.area_code):
        raise _refuse("the new account's area lies outside the creator's area")
    if new.role is Role.REGION_ADMIN and new_level != creator_level + 1:
        raise _refuse(
            "region administrators create the administrators of the level just below theirs"
        )
    if new.role is Role.INDUSTRY_DEPARTMENT:
        if new.industry is None or not INDUSTRY.match(new.industry):
            raise AccountError("an industry department names its industry (lower-case code)")
        return NewAccount(new.username, new.role, new.area_code, new.industry, None)
    if new.role is Role.GRID_WORKER:
        if new.phone is None or not PHONE.match(new.phone):
            raise AccountError("a grid worker's tip-offs come by SMS: its 11-digit mobile number")
        return NewAccount(new.username, new.role, new.area_code, None, None, new.phone)
    return NewAccount(new.username, new.role, new.area_code, None, None)


def create_account(
    session: Session, creator: Scope, new: NewAccount, now: datetime, ttl: timedelta
) -> tuple[Administrator, SetupInvitation]:
    enterprise = session.get(Enterprise, new.enterprise_id) if new.enterprise_id else None
    if new.enterprise_id and enterprise is None:
        raise AccountError(f"no enterprise {new.enterprise_id}")
    account = check_creation(creator, new, enterprise)
    return _make(session, account, now, ttl, created_by_id=creator.account_id)


def _make(
    session: Session, account: NewAccount, now: datetime, ttl: timedelta, created_by_id: str | None
) -> tuple[Administrator, SetupInvitation]:
    if session.scalars(
        select(Administrator.id).where(Administrator.username == account.username)
    ).first():
        raise AccountError(f"the user name {account.username!r} is taken")
    invitation = invite_administrator(session, account.username, now, ttl)
    admin = session.get(Administrator, invitation.administrator_id)
    assert admin is not None  # noqa: S101 - flushed just above
    admin.role = account.role.value
    admin.area_code = account.area_code
    admin.region_code = account.area_code[:6] if account.area_code else None
    admin.industry = account.industry
    admin.enterprise_id = account.enterprise_id
    admin.created_by_id = created_by_id
    session.flush()
    return admin, invitation


def register_enterprise(
    session: Session,
    creator: Scope | None,
    *,
    name: str,
    area_code: str,
    industry: str,
    now: datetime,
) -> Enterprise:
    """A region administrator places an enterprise in its area and an industry.

    `creator` None: the command line, run by whoever runs the server.
    """
    _level(area_code)
    if creator is not None:
        if creator.role is not Role.REGION_ADMIN:
            raise _refuse("enterprises are registered by a region administrator")
        if not creator.covers(area_code):
            raise _refuse("the enterprise's region lies outside the creator's area")
    if not INDUSTRY.match(industry):
        raise AccountError("an industry is a lower-case code such as manufacturing")
    enterprise = Enterprise(
        name=name,
        area_code=area_code,
        industry=industry,
        created_at=now,
        created_by_id=None if creator is None else creator.account_id,
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def provision_account(
    session: Session, new: NewAccount, now: datetime, ttl: timedelta
) -> tuple[Administrator, SetupInvitation]:
    """From the command line, by whoever runs the server: any role, any area, no creator.

    The fields are checked as for an account made through the API; the scope check is not.
    """
    area = new.area_code
    if new.role in (Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_STAFF):
        enterprise = session.get(Enterprise, new.enterprise_id) if new.enterprise_id else None
        if enterprise is None:
            raise AccountError("an enterprise account needs an existing enterprise")
        area = enterprise.area_code
    elif area is None:
        raise AccountError(f"a {new.role.value} account needs an area (a region code)")
    _check_community_area(new, _level(area))
    if new.role is Role.INDUSTRY_DEPARTMENT and not (new.industry and INDUSTRY.match(new.industry)):
        raise AccountError("an industry department names its industry (lower-case code)")
    enterprise_role = new.role in (Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_STAFF)
    account = NewAccount(
        new.username,
        new.role,
        area,
        new.industry if new.role is Role.INDUSTRY_DEPARTMENT else None,
        new.enterprise_id if enterprise_role else None,
    )
    if account.role is Role.GRID_WORKER:
        if new.phone is None or not PHONE.match(new.phone):
            raise AccountError("a grid worker's tip-offs come by SMS: its 11-digit mobile number")
        account = NewAccount(account.username, account.role, area, None, None, new.phone)
    return _make(session, account, now, ttl, created_by_id=None)


def seal_liaison_phone(admin: Administrator, phone: str | None, cipher: RecordCipher) -> None:
    """Keep a grid worker's mobile number, encrypted, bound to its account."""
    admin.phone_enc = cipher.seal(phone, admin.id, "administrators.phone")


def liaison_phone(admin: Administrator, cipher: RecordCipher) -> str | None:
    plain = cipher.open(admin.phone_enc, admin.id, "administrators.phone")
    return None if plain is None else plain.decode("utf-8")
