"""Phone verification by SMS: a pluggable sender, codes kept hashed, limits kept in the database.

`SmsSender` is the seam: production plugs in a gateway; `LoggingSmsSender` (development)
writes the code to the log with the phone number masked. A phone may ask for one code a
minute and a client address for `PER_ADDRESS_PER_MINUTE`; the counters are rows in the
database (central.core.ratelimit), so every process counts the same requests. A code is valid
for `CODE_TTL`, for `MAX_ATTEMPTS` tries, once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Protocol, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import SmsChallenge
from central.core.ratelimit import hit
from central.issuance.people import PeopleCipher
from sync.schemas import RefusalReason

log = logging.getLogger(__name__)
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")  # mainland mobile numbers
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
PER_PHONE_PER_MINUTE = 1
PER_ADDRESS_PER_MINUTE = 10


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    """Development: the message goes to the log (the phone masked), nothing is sent."""

    def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", mask_phone(phone), text)


class SmsError(RefusedError, ValueError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # bad_phone, rate_limited, wrong_code
        if kind == "rate_limited":
            self.status_code = 429
            self.reason = RefusalReason.RATE_LIMITED


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def check_phone(phone: str) -> str:
    phone = phone.strip().removeprefix("+86")
    if not PHONE_PATTERN.match(phone):
        raise SmsError("bad_phone", "an 11-digit mainland mobile number")
    return phone


def _hash(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()


def request_code(
    sessions: sessionmaker[Session],
    cipher: PeopleCipher,
    sender: SmsSender,
    phone: str,
    client_address: str,
    now: datetime,
) -> None:
    phone = check_phone(phone)
    phone_ix = cipher.phone_index(phone)
    if not hit(sessions, f"sms-address:{client_address}", PER_ADDRESS_PER_MINUTE, now):
        raise SmsError("rate_limited", "too many codes from this address; wait a minute")
    if not hit(sessions, f"sms-phone:{phone_ix.hex()}", PER_PHONE_PER_MINUTE, now):
        raise SmsError("rate_limited", "a code was sent to this number; wait a minute")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with sessions() as session, session.begin():
        session.add(
            SmsChallenge(
                phone_ix=phone_ix,
                code_hash=_hash(code),
                created_at=now,
                expires_at=now + CODE_TTL,
                attempts=0,
            )
        )
    sender.send(phone, f"【健康码】验证码 {code}，10分钟内有效。Your code: {code}")


_LATEST = (
    select(SmsChallenge.id)
    .where(
        SmsChallenge.phone_ix == bindparam("phone_ix_"),
        SmsChallenge.used_at.is_(None),
        SmsChallenge.expires_at > bindparam("now_", type_=SmsChallenge.expires_at.type),
        SmsChallenge.attempts < MAX_ATTEMPTS,
    )
    .order_by(SmsChallenge.created_at.desc())
    .limit(3)
    .scalar_subquery()
)
# The code's hash is compared in the database: a hash of a short-lived code with few tries,
# so the comparison's timing tells nothing worth having.
_CHALLENGES = cast(Table, SmsChallenge.__table__)
_USE_MATCHING = (
    update(_CHALLENGES)
    .where(
        SmsChallenge.id
        == select(SmsChallenge.id)
        .where(SmsChallenge.id.in_(_LATEST), SmsChallenge.code_hash == bindparam("code_hash_"))
        .limit(1)
        .scalar_subquery(),
        SmsChallenge.used_at.is_(None),
    )
    .values(used_at=bindparam("now_"))
    .returning(SmsChallenge.id)
)
_COUNT_TRY = (
    update(_CHALLENGES)
    .where(SmsChallenge.id.in_(_LATEST))
    .values(attempts=SmsChallenge.attempts + 1)
)


def verify_code(
    session: Session, cipher: PeopleCipher, phone: str, code: str, now: datetime
) -> bool:
    """Use up a matching code among the last three sent to this phone; False when none
    matches (their tries are counted). One statement when it matches: the declaration path."""
    phone_ix = cipher.phone_index(check_phone(phone))
    params = {"phone_ix_": phone_ix, "now_": now, "code_hash_": _hash(code.strip())}
    connection = session.connection()
    if connection.execute(_USE_MATCHING, params).first() is not None:
        return True
    connection.execute(_COUNT_TRY, params)
    return False
