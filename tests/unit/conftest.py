"""A small issuing world for the token tests: keys, a trust list, a code factory, fixed times."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from healthcode import jkm
from healthcode.claims import CodeKind, Colour, HealthCodeClaims
from healthcode.keys import SigningKey
from healthcode.schemes import VerifyContext
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustedKey, TrustList

ISSUED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SHAANXI = Issuer("610000", LocalText("陕西省", "Shaanxi"))
HAINAN = Issuer("460000", LocalText("海南省", "Hainan"))
BINDING_KEY = bytes(range(32))
ID_NUMBER = "11010519491231002X"


@dataclass
class World:
    root: SigningKey
    issuer_key: SigningKey
    feed_key: SigningKey
    trust: TrustList

    def claims(self, **changes: object) -> HealthCodeClaims:
        base = jkm.claims_for_person(
            issuer=SHAANXI.region_code,
            code_id=os.urandom(16),
            colour=Colour.GREEN,
            colour_seq=1,
            kind=CodeKind.APP,
            full_name="张三丰",
            id_number=ID_NUMBER,
            binding_key=BINDING_KEY,
            now=ISSUED_AT,
        )
        return replace(base, **changes)

    def code(self, key: SigningKey | None = None, **changes: object) -> str:
        return jkm.issue(self.claims(**changes), key or self.issuer_key)

    def context(self, now: datetime | None = None, **changes: object) -> VerifyContext:
        context = VerifyContext(trust=self.trust, now=now or ISSUED_AT + timedelta(hours=1))
        return replace(context, **changes)

    def verify(self, text: str, now: datetime | None = None, **changes: object):
        return jkm.default_registry().verify(text, self.context(now, **changes))


def trusted(key: SigningKey, role: KeyRole, issuer: Issuer = SHAANXI) -> TrustedKey:
    return TrustedKey(key.public, issuer.region_code, role, ISSUED_AT - timedelta(days=30))


@pytest.fixture
def world() -> World:
    root, issuer_key, feed_key = (SigningKey.generate() for _ in range(3))
    trust = TrustList(
        sequence=1,
        issued_at_utc=ISSUED_AT - timedelta(days=1),
        issuers=(SHAANXI,),
        keys=(trusted(issuer_key, KeyRole.ISSUER), trusted(feed_key, KeyRole.FEED)),
    )
    return World(root, issuer_key, feed_key, trust)
