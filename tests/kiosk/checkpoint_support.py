"""Codes, readings and cards for the checkpoint tests, made without signing (the flow is told
what verification found)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from healthcode.claims import CodeKind, Colour
from healthcode.feed import FeedEntry
from healthcode.jkm import claims_for_person
from healthcode.results import Rejection, RejectReason, VerifiedCode
from kiosk.checkpoint.decision import IdMatch
from kiosk.checkpoint.events import PassageRecord
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BINDING_KEY = bytes(range(32))
ID_NUMBER = "11010519491231002X"
OTHER_ID_NUMBER = "440524188001010014"
ISSUER = "610000"


def verified(
    colour: Colour = Colour.GREEN, colour_seq: int = 1, code_byte: int = 1, bound: bool = True
) -> VerifiedCode:
    claims = claims_for_person(
        issuer=ISSUER,
        code_id=bytes([code_byte]) * 16,
        colour=colour,
        colour_seq=colour_seq,
        kind=CodeKind.APP,
        full_name="张三丰",
        id_number=ID_NUMBER if bound else None,
        binding_key=BINDING_KEY if bound else None,
        now=T0 - timedelta(hours=1),
    )
    return VerifiedCode(scheme="JKM1", kid=b"k" * 8, claims=claims)


def rejected(reason: RejectReason = RejectReason.EXPIRED) -> Rejection:
    return Rejection(reason, "test", scheme="JKM1")


def feed_entry(code: VerifiedCode, colour: Colour, colour_seq: int) -> FeedEntry:
    return FeedEntry(1, ISSUER, code.claims.code_id, colour, colour_seq, "rule", T0)


def id_factory() -> Callable[[], uuid.UUID]:
    """Predictable record ids: randomness is passed in, never patched."""
    counter = itertools.count(1)
    return lambda: uuid.UUID(int=next(counter))


def passage(
    at: datetime = T0,
    *,
    code_byte: int | None = 1,
    outcome: Outcome = Outcome.PASS,
    colour: Colour = Colour.GREEN,
    fever: bool = False,
    operator_id: str | None = "op-1",
    name: str = "张*丰",
    record_id: uuid.UUID | None = None,
    reasons: tuple[str, ...] = ("colour_green", "temperature_normal"),
) -> PassageRecord:
    """A passage as the flow would record it."""
    return PassageRecord(
        record_id=record_id or uuid.uuid4(),
        at_utc=at,
        clock_trusted=True,
        operator_id=operator_id,
        scheme="JKM1" if code_byte is not None else None,
        issuer=ISSUER if code_byte is not None else None,
        code_id=bytes([code_byte]) * 16 if code_byte is not None else None,
        masked_name=name,
        id_number_masked=None if code_byte is not None else "110105********002X",
        colour_in_code=colour if code_byte is not None else None,
        colour_applied=colour if code_byte is not None else None,
        outcome=outcome,
        reasons=reasons,
        rejection=None,
        temperature_celsius=38.1 if fever else 36.5,
        fever=fever,
        id_match=IdMatch.NOT_READ,
        direction=Direction.IN,
        trip_reason=TripReason.RETURN_TO_WORK,
        vehicle_plate="陕A12345",
        policy_version=3,
        repeat=False,
    )
