"""Resending a liaison's SMS the provider did not take (issue 25, notice 004): the periodic job
(central/jobs.py) tries again with doubling pauses (1, 2, 4 and 8 minutes after the failure
before), at most `MAX_RESENDS` times; a tip-off whose last resend failed too has given up: its
page says so and the alerts page counts it (`gave_up`), and the log names its number.

Each resend reads the liaison's phone again (it may have been corrected meanwhile) and sends the
same notice as the first: the tip-off's number, kind and place, never what was written about a
person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from central.administration.accounts import liaison_phone
from central.core.cipher import RecordCipher
from central.core.models import Administrator, TipOff
from central.issuance.sms import NoticeSender, SmsDeliveryError, mask_phone

log = logging.getLogger(__name__)
MAX_RESENDS = 4  # with the first send: five tries over about a quarter of an hour
FIRST_PAUSE = timedelta(minutes=1)
BATCH = 100


@dataclass(frozen=True)
class ResendOutcome:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def _waiting() -> ColumnElement[bool]:
    return and_(
        TipOff.notified_at.is_(None),
        TipOff.notify_error.is_not(None),
        TipOff.liaison_id.is_not(None),
    )


def gave_up() -> ColumnElement[bool]:
    """Tip-offs whose SMS was never taken, after every resend."""
    return and_(_waiting(), TipOff.notify_resends >= MAX_RESENDS)


def pause_after(resends: int) -> timedelta:
    return FIRST_PAUSE * (1 << resends)


def resend_due(
    session: Session, sender: object, cipher: RecordCipher, now: datetime
) -> ResendOutcome:
    """Resend the SMS of every tip-off whose next try is due; the caller commits."""
    rows = session.scalars(
        select(TipOff)
        .where(_waiting(), TipOff.notify_resends < MAX_RESENDS)
        .order_by(TipOff.created_at)
        .limit(BATCH)
    ).all()
    sent = failed = given_up = 0
    for tip_off in rows:
        due = tip_off.notify_next_at or tip_off.created_at + pause_after(0)
        if _aware(due, now) > now:
            continue
        error = _send(session, sender, cipher, tip_off)
        tip_off.notify_resends += 1
        if error is None:
            tip_off.notified_at, tip_off.notify_error, tip_off.notify_next_at = now, None, None
            sent += 1
            continue
        tip_off.notify_error = error
        failed += 1
        if tip_off.notify_resends >= MAX_RESENDS:
            tip_off.notify_next_at = None
            given_up += 1
            log.warning(
                "tip-off %s: the liaison's SMS failed %d times (%s); no more resends",
                tip_off.number,
                tip_off.notify_resends + 1,
                error,
            )
        else:
            tip_off.notify_next_at = now + pause_after(tip_off.notify_resends)
    return ResendOutcome(sent, failed, given_up)


def _send(session: Session, sender: object, cipher: RecordCipher, tip_off: TipOff) -> str | None:
    liaison = session.get(Administrator, tip_off.liaison_id)
    phone = None if liaison is None else liaison_phone(liaison, cipher)
    if phone is None:
        return "no_phone"
    if not isinstance(sender, NoticeSender):
        return "no_sender"
    notice = {"number": tip_off.number, "kind": tip_off.kind, "place": tip_off.place[:20]}
    try:
        sender.send_notice(phone, notice)
    except SmsDeliveryError as failure:
        log.info("tip-off %s: a resend to %s failed", tip_off.number, mask_phone(phone))
        return failure.failure.value
    return None


def count_gave_up(session: Session, visible: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).where(gave_up(), visible)) or 0)


def _aware(moment: datetime, now: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)
