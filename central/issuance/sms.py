"""Phone verification by SMS: a pluggable sender, codes kept hashed, limits kept in the database.

`SmsSender` is the seam, chosen by the settings (`central.issuance.sms_senders`, for `create_app`):
`AliyunSmsSender` (central/issuance/sms_aliyun.py) sends through Alibaba Cloud SMS;
`LoggingSmsSender` (development and the demo only, `CENTRAL_SMS_PROVIDER=log`) writes the code
to the log with the phone number masked. With no provider set the service refuses to start.

A phone may ask for one code a minute and a client address for `PER_ADDRESS_PER_MINUTE`; the
counters are rows in the database (central.core.ratelimit), so every process counts the same
requests. A code is valid for `CODE_TTL`, for `MAX_ATTEMPTS` tries, once. A code the provider
did not take is forgotten, and so is the phone's hit in this minute: the resident may ask again
at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, cast, runtime_checkable

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import SmsChallenge, new_id
from central.core.ratelimit import give_back, hit
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
    def send_code(self, phone: str, code: str) -> None:
        """Deliver a verification code, or raise `SmsDeliveryError`."""
        ...


@runtime_checkable
class NoticeSender(Protocol):
    """A sender that also delivers notices to staff (a tip-off to its liaison, issue 25):
    `params` are the notice template's variables, never a resident's personal data."""

    def send_notice(self, phone: str, params: Mapping[str, str]) -> None:
        """Deliver the notice, or raise `SmsDeliveryError`."""
        ...


class SmsFailure(StrEnum):
    """Why a provider did not take a message."""

    THROTTLED = "throttled"  # the provider's own per-phone or per-day limits
    BAD_PHONE = "bad_phone"  # the provider says the number is no mobile number
    CREDENTIALS = "credentials"  # a wrong key or signature: the operator's to fix
    REFUSED = "refused"  # sign name, template, balance: the operator's to fix
    UNAVAILABLE = "unavailable"  # a timeout, no connection, a 5xx or a malformed answer


class SmsDeliveryError(Exception):
    """A message the provider did not take; `detail` names the provider's code, never data."""

    def __init__(self, failure: SmsFailure, detail: str) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure


class SmsConfigurationError(ValueError):
    """The settings name no usable SMS sender: the service refuses to start."""


class LoggingSmsSender:
    """Development and the demo: the message goes to the log (the phone masked), nothing is
    sent. Chosen only by `CENTRAL_SMS_PROVIDER=log`."""

    def send_code(self, phone: str, code: str) -> None:
        log.warning(
            "SMS to %s: 【健康码】验证码 %s，10分钟内有效。Your code: %s",
            mask_phone(phone),
            code,
            code,
        )

    def send_notice(self, phone: str, params: Mapping[str, str]) -> None:
        # the number and the kind only: a place is the resident's free text
        number, kind = params.get("number", "-"), params.get("kind", "-")
        log.warning("SMS notice to %s: tip-off %s (%s)", mask_phone(phone), number, kind)


class SmsError(RefusedError, ValueError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # bad_phone, rate_limited, wrong_code, send_failed
        if kind == "rate_limited":
            self.status_code = 429
            self.reason = RefusalReason.RATE_LIMITED
        elif kind == "send_failed":
            self.status_code = 503
            self.reason = RefusalReason.UNAVAILABLE


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
    per_phone_per_minute: int = PER_PHONE_PER_MINUTE,
) -> None:
    phone = check_phone(phone)
    phone_ix = cipher.phone_index(phone)
    if not hit(sessions, f"sms-address:{client_address}", PER_ADDRESS_PER_MINUTE, now):
        raise SmsError("rate_limited", "too many codes from this address; wait a minute")
    if not hit(sessions, f"sms-phone:{phone_ix.hex()}", per_phone_per_minute, now):
        raise SmsError("rate_limited", "a code was sent to this number; wait a minute")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with sessions() as session, session.begin():
        challenge_id = new_id()
        challenge = SmsChallenge(
            id=challenge_id,
            phone_ix=phone_ix,
            code_hash=_hash(code),
            created_at=now,
            expires_at=now + CODE_TTL,
            attempts=0,
        )
        session.add(challenge)
    try:
        sender.send_code(phone, code)
    except SmsDeliveryError as error:
        _forget(sessions, challenge_id, f"sms-phone:{phone_ix.hex()}", now)
        raise _refusal_of(error.failure) from None


def _forget(sessions: sessionmaker[Session], challenge_id: str, bucket: str, now: datetime) -> None:
    """A code that never left: it can match nothing, and the phone may ask again at once."""
    with sessions() as session, session.begin():
        session.execute(delete(SmsChallenge).where(SmsChallenge.id == challenge_id))
    give_back(sessions, bucket, now)


def _refusal_of(failure: SmsFailure) -> SmsError:
    if failure is SmsFailure.BAD_PHONE:
        return SmsError("bad_phone", "phone: the number cannot receive SMS")
    if failure is SmsFailure.THROTTLED:
        return SmsError("rate_limited", "too many codes were sent to this number; try later")
    return SmsError("send_failed", "the SMS could not be sent; try again later")


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
