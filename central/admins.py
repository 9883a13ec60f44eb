"""Administrators: created with a one-time setup token (no default password), then sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central.models import Administrator, AdminSession
from central.security import hash_secret, token_digest, verify_secret

MIN_PASSWORD_LENGTH = 12
TOKEN_BYTES = 32


class AdminError(ValueError):
    """A setup token or login that does not work; the message is safe to show."""


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
    admin = session.scalars(select(Administrator).where(Administrator.username == username)).first()
    if (
        admin is None
        or admin.password_hash is None
        or not verify_secret(admin.password_hash, password)
    ):
        raise AdminError("wrong user name or password")
    session.execute(
        delete(AdminSession).where(
            AdminSession.administrator_id == admin.id, AdminSession.expires_at <= now
        )
    )
    return open_session(session, admin.id, now, ttl)


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
