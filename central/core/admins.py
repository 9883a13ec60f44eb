"""Administrators: created with a one-time setup token (no default password), then sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import Administrator, AdminSession, LoginFailures
from central.core.passwords import ENGLISH, Weakness, weakness_of
from central.core.security import hash_secret, token_digest, verify_secret
from sync.schemas import RefusalReason

TOKEN_BYTES = 32
LOCKOUT_FAILURES = 5  # misses in a row from one address that lock it out of a user name
ACCOUNT_FAILURES = 20  # misses on a user name from any addresses that put it under attack
LOCKOUT = timedelta(minutes=15)
# A name's failures are forgotten this long after its last one (the jobs runner deletes them):
# every name ever mistyped or guessed would otherwise keep a row.
FAILURES_KEPT = timedelta(days=1)


class AdminError(RefusedError, ValueError):
    """A setup token or login that does not work; the message is safe to show. Logging in, the
    route answers it as 401 (a wrong password); elsewhere it is a bad request."""


class AccountLockedError(AdminError):
    """Too many failed logins: the user name refuses every password from this address until
    `locked_until`. Names with no account lock the same way, so the answer tells nobody which
    accounts exist."""

    status_code = 429
    reason = RefusalReason.RATE_LIMITED

    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            "too many failed logins: this account is locked until "
            + locked_until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        self.locked_until = locked_until


class InvalidSetupLinkError(AdminError):
    """A setup token that is unknown, used or expired."""


class WeakPasswordError(AdminError):
    """A password an account may not have (central/core/passwords.py), and why."""

    def __init__(self, weakness: Weakness) -> None:
        super().__init__(ENGLISH[weakness])
        self.weakness = weakness


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


def invited_administrator(session: Session, token: str, now: datetime) -> Administrator | None:
    """The account a setup token (still unused and unexpired) sets the password of."""
    admin = session.scalars(
        select(Administrator).where(Administrator.setup_token_hash == token_digest(token))
    ).first()
    if admin is None or admin.setup_expires_at is None or admin.setup_expires_at <= now:
        return None
    return admin


def set_first_password(session: Session, token: str, password: str, now: datetime) -> Administrator:
    admin = invited_administrator(session, token, now)
    if admin is None:
        raise InvalidSetupLinkError("the setup link is unknown, used or expired")
    weakness = weakness_of(password, (admin.username,))
    if weakness is not None:
        raise WeakPasswordError(weakness)
    admin.password_hash = hash_secret(password)
    admin.setup_token_hash = None
    admin.setup_expires_at = None
    return admin


def log_in(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    ttl: timedelta,
    *,
    client: str = "unknown",
) -> tuple[str, datetime]:
    """A bearer token; failures are counted in the database, so commit also on AdminError.

    Every attempt takes the same steps whatever the name: one argon2 verification (against a
    dummy hash for a name with no account or no password yet), then the lockouts, which count
    names with no account exactly as names with one, so no answer tells which accounts exist.

    Two limits together, so that guessing is slowed but nobody can lock an administrator out:
    - per client and name: `LOCKOUT_FAILURES` misses from one address lock that address out of
      that name (the right password included) for `LOCKOUT`; other addresses are not touched;
    - per name: `ACCOUNT_FAILURES` misses from any addresses put the name under attack for
      `LOCKOUT`: then an address that has missed on it once is refused, one with a clean
      record (the administrator at their own desk) still tries.
    The per-address throttle of every login (central.administration.routers.auth) comes first.
    """
    admin = session.scalars(select(Administrator).where(Administrator.username == username)).first()
    stored = admin.password_hash if admin is not None else None
    matches = verify_secret(stored or _dummy_hash(), password) and stored is not None
    account_digest = token_digest(username)
    pair_digest = _pair_digest(client, username)
    pair = session.get(LoginFailures, pair_digest)
    account = session.get(LoginFailures, account_digest)
    if pair is not None and pair.locked_until is not None and pair.locked_until > now:
        raise AccountLockedError(pair.locked_until)
    attacked_until = account.locked_until if account is not None else None
    if pair is not None and attacked_until is not None and attacked_until > now:
        raise AccountLockedError(attacked_until)
    if admin is None or not matches:
        _count_failure(session, pair_digest, now, LOCKOUT_FAILURES)
        _count_failure(session, account_digest, now, ACCOUNT_FAILURES)
        raise AdminError("wrong user name or password")
    if pair is not None:
        session.delete(pair)
    session.execute(
        delete(AdminSession).where(
            AdminSession.administrator_id == admin.id, AdminSession.expires_at <= now
        )
    )
    return open_session(session, admin.id, now, ttl)


def _pair_digest(client: str, username: str) -> bytes:
    return token_digest(f"client\x00{client}\x00{username}")


def locked_until(session: Session, username: str, now: datetime) -> datetime | None:
    """When the name's time under attack ends (addresses that missed on it are refused until
    then), or None when it is not."""
    record = session.get(LoginFailures, token_digest(username))
    if record is None or record.locked_until is None or record.locked_until <= now:
        return None
    return record.locked_until


def forget_stale_login_failures(sessions: sessionmaker[Session], now: datetime) -> int:
    """Delete the failure counts of names that failed last `FAILURES_KEPT` ago and are not
    locked; how many. Run by the jobs runner (central/jobs.py)."""
    with sessions() as session, session.begin():
        result = session.execute(
            delete(LoginFailures).where(
                LoginFailures.last_failure_at < now - FAILURES_KEPT,
                or_(LoginFailures.locked_until.is_(None), LoginFailures.locked_until <= now),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


@cache
def _dummy_hash() -> str:
    return hash_secret("no account has this password")


def _count_failure(session: Session, digest: bytes, now: datetime, limit: int) -> None:
    # One atomic increment: attempts on several processes at once all count. The first failure
    # of a name inserts its row; two processes inserting at once retry as an increment.
    for _attempt in range(3):
        failures = session.execute(
            update(LoginFailures)
            .where(LoginFailures.name_digest == digest)
            .values(failures=LoginFailures.failures + 1, last_failure_at=now)
            .returning(LoginFailures.failures)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if failures is not None:
            break
        try:
            with session.begin_nested():
                session.add(LoginFailures(name_digest=digest, failures=1, last_failure_at=now))
            failures = 1
            break
        except IntegrityError:
            continue
    else:
        return
    if failures >= limit:
        session.execute(
            update(LoginFailures)
            .where(LoginFailures.name_digest == digest)
            .values(failures=0, locked_until=now + LOCKOUT)
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
