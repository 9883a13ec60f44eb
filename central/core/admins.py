"""Administrators: created with a one-time setup token (no default password), then sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from central.core.errors import RefusedError
from central.core.models import Administrator, AdminSession
from central.core.security import hash_secret, token_digest, verify_secret
from sync.schemas import RefusalReason

MIN_PASSWORD_LENGTH = 12
TOKEN_BYTES = 32
LOCKOUT_FAILURES = 5  # failed logins in a row that lock an account
LOCKOUT = timedelta(minutes=15)


class AdminError(RefusedError, ValueError):
    """A setup token or login that does not work; the message is safe to show. Logging in, the
    route answers it as 401 (a wrong password); elsewhere it is a bad request."""


class AccountLockedError(AdminError):
    """Too many failed logins: the account refuses every password until the lockout ends."""

    status_code = 429
    reason = RefusalReason.RATE_LIMITED


@dataclass(frozen=True)
class SetupInvitation:
    administrator_id: str
    username: str
    token: str
    expires_at: datetime


def invite_administrator(
    session: Session,
    username: str,
    now: datetime,
    ttl: timedelta,
    *,
    region_code: str | None = None,
) -> SetupInvitation:
    if session.scalars(select(Administrator).where(Administrator.username == username)).first():
        raise AdminError(f"an administrator named {username!r} exists already")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    admin = Administrator(
        username=username,
        password_hash=None,
        setup_token_hash=token_digest(token),
        setup_expires_at=now + ttl,
        region_code=region_code,
        area_code=region_code,
        created_at=now,
    )
    session.add(admin)
    session.flush()
    return SetupInvitation(admin.id, username, token, now + ttl)


def set_first_password(session: Session, token: str, password: str, now: datetime) -> Administrator:
    admin = session.scalars(
        select(Administrator).where(Administrator.setup_token_hash == token_digest(token))
    ).first()
    if admin is None or admin.setup_expires_at is None or admin.setup_expires_at <= now:
        raise AdminError("the setup link is unknown, used or expired")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    admin.password_hash = hash_secret(password)
    admin.setup_token_hash = None
    admin.setup_expires_at = None
    return admin


def log_in(
    session: Session, username: str, password: str, now: datetime, ttl: timedelta
) -> tuple[str, datetime]:
    """A bearer token; failures are counted in the database, so commit also on AdminError."""
    admin = session.scalars(select(Administrator).where(Administrator.username == username)).first()
    if admin is not None and admin.locked_until is not None and admin.locked_until > now:
        raise AccountLockedError("too many failed logins: this account is locked for a while")
    if admin is None or admin.password_hash is None:
        verify_secret(_dummy_hash(), password)  # so both answers take as long
        raise AdminError("wrong user name or password")
    if not verify_secret(admin.password_hash, password):
        _count_failure(session, admin.id, now)
        raise AdminError("wrong user name or password")
    admin.failed_logins = 0
    admin.locked_until = None
    session.execute(
        delete(AdminSession).where(
            AdminSession.administrator_id == admin.id, AdminSession.expires_at <= now
        )
    )
    return open_session(session, admin.id, now, ttl)


@cache
def _dummy_hash() -> str:
    return hash_secret("no account has this password")


def _count_failure(session: Session, administrator_id: str, now: datetime) -> None:
    # One atomic increment: attempts on several processes at once all count.
    failures = session.execute(
        update(Administrator)
        .where(Administrator.id == administrator_id)
        .values(failed_logins=Administrator.failed_logins + 1)
        .returning(Administrator.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failures >= LOCKOUT_FAILURES:
        session.execute(
            update(Administrator)
            .where(Administrator.id == administrator_id)
            .values(failed_logins=0, locked_until=now + LOCKOUT)
            .execution_options(synchronize_session=False)
        )


def open_session(
    session: Session, administrator_id: str, now: datetime, ttl: timedelta
) -> tuple[str, datetime]:
    """A new bearer token for an administrator, valid for `ttl`."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        AdminSession(
            token_hash=token_digest(token), administrator_id=administrator_id, expires_at=now + ttl
        )
    )
    return token, now + ttl


def administrator_of_token(session: Session, token: str, now: datetime) -> Administrator | None:
    found = session.get(AdminSession, token_digest(token))
    if found is None or found.expires_at <= now:
        return None
    return session.get(Administrator, found.administrator_id)
