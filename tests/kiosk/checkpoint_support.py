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
