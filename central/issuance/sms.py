"""Phone verification by SMS: a pluggable sender, codes kept hashed, limits kept in the database.

`SmsSender` is the seam: production plugs in a gateway; `LoggingSmsSender` (development)
writes the code to the log with the phone number masked. A phone may ask for one code a
minute and a client address for `PER_ADDRESS_PER_MINUTE`; the counters are rows in the
database (central.ratelimit), so every process counts the same requests. A code is valid
for `CODE_TTL`, for `MAX_ATTEMPTS` tries, once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from central.issuance.people import PeopleCipher
from central.models import SmsChallenge
from central.ratelimit import hit

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


class SmsError(ValueError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # bad_phone, rate_limited, wrong_code


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


def verify_code(
    session: Session, cipher: PeopleCipher, phone: str, code: str, now: datetime
) -> bool:
    """Use up a matching code sent to this phone; False when none matches (tries counted)."""
    phone_ix = cipher.phone_index(check_phone(phone))
    challenges = session.scalars(
        select(SmsChallenge)
        .where(
            SmsChallenge.phone_ix == phone_ix,
            SmsChallenge.used_at.is_(None),
            SmsChallenge.expires_at > now,
            SmsChallenge.attempts < MAX_ATTEMPTS,
        )
        .order_by(SmsChallenge.created_at.desc())
        .limit(3)
    ).all()
    for challenge in challenges:
        if hmac.compare_digest(challenge.code_hash, _hash(code.strip())):
            used = session.execute(
                update(SmsChallenge)
                .where(SmsChallenge.id == challenge.id, SmsChallenge.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(used, "rowcount", 0))
    for challenge in challenges:
        challenge.attempts += 1
    return False
