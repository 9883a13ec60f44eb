"""Enterprises registered by their own administrator, who is invited top-down.

Accounts stay top-down: a region administrator invites an enterprise administrator for an area
of its own (any level inside it), optionally pinning the industry. The invited account has a
one-time activation token like every new account, and no enterprise yet: its scope sees nothing.
Once activated, it registers its enterprise once: the name, the region (inside the invited area)
and the industry (the pinned one, when there is one). From then on it is an ordinary enterprise
administrator of that enterprise, and its area is the enterprise's region.

A region administrator may still register an enterprise directly and then create its
administrator (`central.administration.accounts`); the command line does the same for
whoever runs the server.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from central.administration.accounts import INDUSTRY, AccountError, register_enterprise
from central.core.admins import AdminError, SetupInvitation, invite_administrator
from central.core.models import Administrator, Enterprise
from central.core.regions import RegionCodeError, level_of
from central.core.scope import Role, Scope


def _refuse(detail: str) -> AccountError:
    return AccountError(detail, forbidden=True)


def _check_code(area_code: str) -> None:
    try:
        level_of(area_code)
    except RegionCodeError as error:
        raise AccountError(str(error)) from None


def invite_enterprise_administrator(
    session: Session,
    creator: Scope,
    *,
    username: str,
    area_code: str,
    industry: str | None,
    now: datetime,
    ttl: timedelta,
) -> tuple[Administrator, SetupInvitation]:
    """A region administrator invites the administrator of an enterprise yet to be registered."""
    if creator.role is not Role.REGION_ADMIN:
        raise _refuse("enterprise administrators are invited by a region administrator")
    _check_code(area_code)
    if not creator.covers(area_code):
        raise _refuse("the invited area lies outside the creator's area")
    if industry is not None and not INDUSTRY.match(industry):
        raise AccountError("an industry is a lower-case code such as manufacturing")
    try:
        invitation = invite_administrator(session, username, now, ttl)
    except AdminError:
        raise AccountError(f"the user name {username!r} is taken") from None
    admin = session.get(Administrator, invitation.administrator_id)
    assert admin is not None  # noqa: S101 - flushed by invite_administrator
    admin.role = Role.ENTERPRISE_ADMIN.value
    admin.area_code = area_code
    admin.region_code = area_code[:6]
    admin.industry = industry  # pinned for the registration, cleared by it
    admin.enterprise_id = None
    admin.created_by_id = creator.account_id
    session.flush()
    return admin, invitation


def register_own_enterprise(
    session: Session,
    registrant: Scope,
    *,
    name: str,
    area_code: str,
    industry: str,
    now: datetime,
) -> Enterprise:
    """An invited enterprise administrator registers its enterprise, once."""
    if registrant.role is not Role.ENTERPRISE_ADMIN:
        raise _refuse("an enterprise is registered by its invited administrator")
    if registrant.enterprise_id is not None:
        raise _refuse("this account's enterprise is registered already")
    _check_code(area_code)
    if not registrant.covers(area_code):
        raise _refuse("the enterprise's region lies outside the invited area")
    if registrant.industry is not None and industry != registrant.industry:
        raise _refuse(f"the invitation is for the industry {registrant.industry}")
    enterprise = register_enterprise(
        session, None, name=name, area_code=area_code, industry=industry, now=now
    )
    enterprise.created_by_id = registrant.account_id
    # Only while the account has no enterprise: two registrations at once make one enterprise.
    claimed = session.execute(
        update(Administrator)
        .where(Administrator.id == registrant.account_id, Administrator.enterprise_id.is_(None))
        .values(
            enterprise_id=enterprise.id,
            area_code=enterprise.area_code,
            region_code=enterprise.area_code[:6],
            industry=None,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise _refuse("this account's enterprise is registered already")
    session.flush()
    return enterprise
