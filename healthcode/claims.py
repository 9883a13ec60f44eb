"""The claims of our own health code: CWT (RFC 8392) with integer keys.

Standard claims: issuer (1, a GB/T 2260 region code), expiry (4), not-before (5), issued-at (6).
Everything specific to a health code sits under one private-use claim (-65537) as a map with
small integer keys, so the QR stays short. The key id travels in the COSE protected header,
where RFC 9052 puts it, and is signed there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

import cbor2

from healthcode.identity import ID_BINDING_LENGTH
from healthcode.text import LocalText
from healthcode.timeutil import from_epoch_s, to_epoch_s

CLAIM_ISSUER = 1
CLAIM_EXPIRES = 4
CLAIM_NOT_BEFORE = 5
CLAIM_ISSUED_AT = 6
CLAIM_HEALTH_CODE = -65537  # private use (RFC 8392, section 9.1: below -65536)

_HC_CODE_ID = 1
_HC_COLOUR = 2
_HC_COLOUR_SEQ = 3
_HC_KIND = 4
_HC_MASKED_NAME = 5
_HC_ID_BINDING = 6

CODE_ID_LENGTH = 16
MAX_MASKED_NAME_LENGTH = 16
_REGION_CODE_LENGTH = 6

T = TypeVar("T")


class Colour(StrEnum):
    """A code's colour; values are stable codes, labels are translated."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> LocalText:
        return _COLOUR_LABELS[self]

    @property
    def wire(self) -> int:
        return _COLOUR_TO_WIRE[self]

    @classmethod
    def from_wire(cls, value: object) -> Colour:
        if not isinstance(value, int) or value not in _WIRE_TO_COLOUR:
            raise ClaimsError(f"colour {value!r} is not 1, 2 or 3")
        return _WIRE_TO_COLOUR[value]


_COLOUR_LABELS = {
    Colour.GREEN: LocalText("绿码", "Green"),
    Colour.YELLOW: LocalText("黄码", "Yellow"),
    Colour.RED: LocalText("红码", "Red"),
}
_COLOUR_TO_WIRE = {Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}
_WIRE_TO_COLOUR = {wire: colour for colour, wire in _COLOUR_TO_WIRE.items()}


class CodeKind(StrEnum):
    """How a code reaches its holder; the kind sets how long it is valid."""

    APP = "app"  # shown in the holder's app, refreshed by it
    PAPER = "paper"  # printed by the holder
    PROXY = "proxy"  # applied for by a community worker or guardian, printed on paper

    @property
    def validity(self) -> timedelta:
        return _VALIDITY[self]

    @property
    def label(self) -> LocalText:
        return _KIND_LABELS[self]

    @property
    def wire(self) -> int:
        return _KIND_TO_WIRE[self]

    @classmethod
    def from_wire(cls, value: object) -> CodeKind:
        if not isinstance(value, int) or value not in _WIRE_TO_KIND:
            raise ClaimsError(f"kind {value!r} is unknown")
        return _WIRE_TO_KIND[value]


_VALIDITY = {
    CodeKind.APP: timedelta(hours=24),
    CodeKind.PAPER: timedelta(days=14),
    CodeKind.PROXY: timedelta(days=14),
}
LONGEST_VALIDITY = max(_VALIDITY.values())
_KIND_LABELS = {
    CodeKind.APP: LocalText("电子码", "App code"),
    CodeKind.PAPER: LocalText("纸质码", "Paper code"),
    CodeKind.PROXY: LocalText("代申领纸质码", "Proxy paper code"),
}
_KIND_TO_WIRE = {CodeKind.APP: 1, CodeKind.PAPER: 2, CodeKind.PROXY: 3}
_WIRE_TO_KIND = {wire: kind for kind, wire in _KIND_TO_WIRE.items()}


class ClaimsError(ValueError):
    """Claims that are missing, of the wrong type or inconsistent."""


@dataclass(frozen=True)
class HealthCodeClaims:
    """What one of our codes says. No full name, ID number, phone or address: by design."""

    issuer: str
    code_id: bytes
    colour: Colour
    colour_seq: int
    kind: CodeKind
    masked_name: str
    id_binding: bytes | None
    issued_at_utc: datetime
    not_before_utc: datetime
    expires_at_utc: datetime

    def __post_init__(self) -> None:
        check_region_code(self.issuer)
        if len(self.code_id) != CODE_ID_LENGTH:
            raise ClaimsError(f"code id must be {CODE_ID_LENGTH} bytes")
        if self.colour_seq < 0:
            raise ClaimsError("colour sequence must not be negative")
        if len(self.masked_name) > MAX_MASKED_NAME_LENGTH:
            raise ClaimsError(f"masked name longer than {MAX_MASKED_NAME_LENGTH} characters")
        if self.id_binding is not None and len(self.id_binding) != ID_BINDING_LENGTH:
            raise ClaimsError(f"ID binding must be {ID_BINDING_LENGTH} bytes")
        if not self.issued_at_utc <= self.not_before_utc < self.expires_at_utc:
            raise ClaimsError("times must satisfy issued-at <= not-before < expiry")
        if self.expires_at_utc - self.issued_at_utc > self.kind.validity:
            raise ClaimsError(f"a {self.kind.value} code is valid at most {self.kind.validity}")

    @property
    def code_id_hex(self) -> str:
        return self.code_id.hex()

    def encode(self) -> bytes:
        health: dict[int, Any] = {
            _HC_CODE_ID: self.code_id,
            _HC_COLOUR: self.colour.wire,
            _HC_COLOUR_SEQ: self.colour_seq,
            _HC_KIND: self.kind.wire,
            _HC_MASKED_NAME: self.masked_name,
        }
        if self.id_binding is not None:
            health[_HC_ID_BINDING] = self.id_binding
        return cbor2.dumps(
            {
                CLAIM_ISSUER: self.issuer,
                CLAIM_EXPIRES: to_epoch_s(self.expires_at_utc),
                CLAIM_NOT_BEFORE: to_epoch_s(self.not_before_utc),
                CLAIM_ISSUED_AT: to_epoch_s(self.issued_at_utc),
                CLAIM_HEALTH_CODE: health,
            }
        )

    @classmethod
    def decode(cls, payload: bytes) -> HealthCodeClaims:
        try:
            claims = cbor2.loads(payload)
        except Exception as error:  # cbor2 raises several types for damaged input
            raise ClaimsError(f"claims are not CBOR: {error}") from None
        if not isinstance(claims, Mapping):
            raise ClaimsError("claims must be a map")
        health = claims.get(CLAIM_HEALTH_CODE)
        if not isinstance(health, Mapping):
            raise ClaimsError("the health-code claim is missing")
        try:
            return cls(
                issuer=_typed(claims, CLAIM_ISSUER, str),
                code_id=_typed(health, _HC_CODE_ID, bytes),
                colour=Colour.from_wire(health.get(_HC_COLOUR)),
                colour_seq=_typed(health, _HC_COLOUR_SEQ, int),
                kind=CodeKind.from_wire(health.get(_HC_KIND)),
                masked_name=_typed(health, _HC_MASKED_NAME, str),
                id_binding=_optional(health, _HC_ID_BINDING, bytes),
                issued_at_utc=_numeric_date(claims, CLAIM_ISSUED_AT),
                not_before_utc=_numeric_date(claims, CLAIM_NOT_BEFORE),
                expires_at_utc=_numeric_date(claims, CLAIM_EXPIRES),
            )
        except ClaimsError:
            raise
        except (ValueError, OverflowError, OSError) as error:
            raise ClaimsError(str(error)) from None


def check_region_code(code: str) -> None:
    """GB/T 2260 style: six digits, the first two naming a province-level region."""
    if len(code) != _REGION_CODE_LENGTH or not (code.isascii() and code.isdigit()):
        raise ClaimsError(f"issuer {code!r} is not a six-digit region code")


def _typed(mapping: Mapping[int, Any], key: int, kind: type[T]) -> T:
    value = mapping.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ClaimsError(f"claim {key} must be {kind.__name__}")
    return value


def _optional(mapping: Mapping[int, Any], key: int, kind: type[T]) -> T | None:
    return None if key not in mapping else _typed(mapping, key, kind)


def _numeric_date(mapping: Mapping[int, Any], key: int) -> datetime:
    return from_epoch_s(_typed(mapping, key, int))
