"""The trust list: the issuer and feed keys a kiosk accepts, signed by the offline root key.

A kiosk pins one root public key at enrolment. A trust list may name the next root key; a later
list signed by that key is accepted and the pin moves to it, so the root rotates without
touching kiosks. Lists only move forward: a lower or equal sequence number is refused, so an old
list (with a key that has since been revoked) cannot be replayed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import cbor2

from healthcode import cose
from healthcode.claims import ClaimsError, check_region_code
from healthcode.keys import KeyFormatError, PublicKey, SigningKey
from healthcode.text import LocalText
from healthcode.timeutil import from_epoch_s, to_epoch_s

TRUST_LIST_VERSION = 1


class KeyRole(StrEnum):
    ISSUER = "issuer"  # signs health codes
    FEED = "feed"  # signs status-feed batches and kiosk configuration


class TrustListProblem(StrEnum):
    DAMAGED = "damaged"
    UNKNOWN_ROOT = "unknown_root"
    BAD_SIGNATURE = "bad_signature"
    ROLLBACK = "rollback"

    @property
    def text(self) -> LocalText:
        return _PROBLEM_TEXT[self]


_PROBLEM_TEXT = {
    TrustListProblem.DAMAGED: LocalText("信任列表已损坏", "The trust list is damaged"),
    TrustListProblem.UNKNOWN_ROOT: LocalText(
        "信任列表的签名根密钥未知", "The trust list is signed by an unknown root key"
    ),
    TrustListProblem.BAD_SIGNATURE: LocalText(
        "信任列表签名无效", "The trust list's signature does not verify"
    ),
    TrustListProblem.ROLLBACK: LocalText(
        "信任列表比当前版本旧，已拒绝", "The trust list is older than the one in use"
    ),
}


class TrustListError(ValueError):
    def __init__(self, problem: TrustListProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Issuer:
    """A region whose codes are recognised (互信互认)."""

    region_code: str
    name: LocalText


@dataclass(frozen=True)
class TrustedKey:
    public: PublicKey
    issuer: str
    role: KeyRole
    valid_from_utc: datetime
    signing_ends_at_utc: datetime | None = None
    compromised_at_utc: datetime | None = None

    @property
    def kid(self) -> bytes:
        return self.public.kid

    @property
    def compromised(self) -> bool:
        return self.compromised_at_utc is not None

    def retired(self, signing_ends_at_utc: datetime) -> TrustedKey:
        """This key, allowed no signatures after the given time; earlier ones stay valid."""
        return dataclasses.replace(self, signing_ends_at_utc=signing_ends_at_utc)

    def revoked(self, compromised_at_utc: datetime) -> TrustedKey:
        """This key, compromised: nothing it ever signed is accepted, whatever its date says."""
        return dataclasses.replace(self, compromised_at_utc=compromised_at_utc)

    def signed_too_late(self, issued_at_utc: datetime) -> bool:
        return self.signing_ends_at_utc is not None and issued_at_utc > self.signing_ends_at_utc


@dataclass(frozen=True)
class TrustList:
    sequence: int
    issued_at_utc: datetime
    issuers: tuple[Issuer, ...]
    keys: tuple[TrustedKey, ...]
    next_root: PublicKey | None = None
    _by_kid: dict[bytes, TrustedKey] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_kid = {key.kid: key for key in self.keys}
        if len(by_kid) != len(self.keys):
            raise ValueError("two keys in one trust list share a key id")
        object.__setattr__(self, "_by_kid", by_kid)

    def key(self, kid: bytes) -> TrustedKey | None:
        return self._by_kid.get(kid)

    def issuer(self, region_code: str) -> Issuer | None:
        return next((i for i in self.issuers if i.region_code == region_code), None)

    def with_keys(
        self,
        keys: Iterable[TrustedKey],
        *,
        sequence: int,
        issued_at_utc: datetime,
        next_root: PublicKey | None = None,
    ) -> TrustList:
        """A successor list: the same issuers with these keys (retirements, revocations, new)."""
        return TrustList(
            sequence=sequence,
            issued_at_utc=issued_at_utc,
            issuers=self.issuers,
            keys=tuple(keys),
            next_root=next_root,
        )

    def encode(self) -> bytes:
        return cbor2.dumps(
            {
                "v": TRUST_LIST_VERSION,
                "seq": self.sequence,
                "issued_at": to_epoch_s(self.issued_at_utc),
                "issuers": [
                    {"code": i.region_code, "zh": i.name.zh, "en": i.name.en} for i in self.issuers
                ],
                "keys": [_encode_key(key) for key in self.keys],
                "next_root": self.next_root.spki() if self.next_root else None,
            }
        )

    @classmethod
    def decode(cls, payload: bytes) -> TrustList:
        try:
            body = cbor2.loads(payload)
            if not isinstance(body, dict) or body.get("v") != TRUST_LIST_VERSION:
                raise ValueError(f"not a version {TRUST_LIST_VERSION} trust list")
            issuers = tuple(
                Issuer(region_code=_str(i["code"]), name=LocalText(_str(i["zh"]), _str(i["en"])))
                for i in body["issuers"]
            )
            for issuer in issuers:
                check_region_code(issuer.region_code)
            next_root = body.get("next_root")
            return cls(
                sequence=_int(body["seq"]),
                issued_at_utc=from_epoch_s(_int(body["issued_at"])),
                issuers=issuers,
                keys=tuple(_decode_key(key) for key in body["keys"]),
                next_root=PublicKey.from_spki(next_root) if next_root is not None else None,
            )
        except TrustListError:
            raise
        except (
            ValueError,
            KeyError,
            TypeError,
            OverflowError,
            OSError,
            ClaimsError,
            KeyFormatError,
        ) as error:
            raise TrustListError(TrustListProblem.DAMAGED, str(error)) from None
        except Exception as error:  # cbor2's decoder errors
            raise TrustListError(TrustListProblem.DAMAGED, f"not CBOR: {error}") from None

    def sign(self, root: SigningKey) -> bytes:
        return cose.sign(self.encode(), root)


def _encode_key(key: TrustedKey) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "spki": key.public.spki(),
        "issuer": key.issuer,
        "role": key.role.value,
        "from": to_epoch_s(key.valid_from_utc),
        "signing_ends": _optional_time(key.signing_ends_at_utc),
        "compromised": _optional_time(key.compromised_at_utc),
    }


def _decode_key(entry: dict[str, Any]) -> TrustedKey:
    public = PublicKey.from_spki(entry["spki"])
    if public.kid != entry["kid"]:
        raise ValueError("a key's id does not match its public key")
    check_region_code(_str(entry["issuer"]))
    return TrustedKey(
        public=public,
        issuer=entry["issuer"],
        role=KeyRole(entry["role"]),
        valid_from_utc=from_epoch_s(_int(entry["from"])),
        signing_ends_at_utc=_time_or_none(entry.get("signing_ends")),
        compromised_at_utc=_time_or_none(entry.get("compromised")),
    )


def _optional_time(moment: datetime | None) -> int | None:
    return None if moment is None else to_epoch_s(moment)


def _time_or_none(value: object) -> datetime | None:
    return None if value is None else from_epoch_s(_int(value))


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def open_signed_trust_list(data: bytes, roots: Sequence[PublicKey]) -> tuple[TrustList, PublicKey]:
    """Verify a signed trust list against the given root keys; the list and the root that
    signed it. Raises TrustListError."""
    try:
        message = cose.decode(data)
    except cose.CoseError as error:
        raise TrustListError(TrustListProblem.DAMAGED, str(error)) from None
    root = next((r for r in roots if r.kid == message.kid), None)
    if root is None:
        raise TrustListError(TrustListProblem.UNKNOWN_ROOT, "no pinned root has this key id")
    if message.algorithm != root.algorithm or not message.verify(root):
        raise TrustListError(TrustListProblem.BAD_SIGNATURE, "root signature does not verify")
    return TrustList.decode(message.payload), root


class TrustAnchor:
    """A kiosk's pinned root key and the newest trust list it has accepted."""

    def __init__(self, root: PublicKey, current: TrustList | None = None) -> None:
        self.root = root
        self.current = current

    def accept(self, data: bytes) -> TrustList:
        """Take a newer signed list; on any problem raise TrustListError and keep the old one."""
        roots = [self.root]
        if self.current is not None and self.current.next_root is not None:
            roots.append(self.current.next_root)
        trust_list, signer = open_signed_trust_list(data, roots)
        if self.current is not None and trust_list.sequence <= self.current.sequence:
            raise TrustListError(
                TrustListProblem.ROLLBACK,
                f"sequence {trust_list.sequence} is not after {self.current.sequence}",
            )
        self.current = trust_list
        self.root = signer
        return trust_list
