"""COSE_Sign1 (RFC 9052, section 4.2) on cbor2.

Written here, exactly to the RFC, because pycose 1.1.0 (its last release) fails with cbor2 6.x.
A COSE_Sign1 is the CBOR array [protected: bstr, unprotected: map, payload: bstr / nil,
signature: bstr], optionally under tag 18; what is signed is the Sig_structure
["Signature1", protected, external_aad, payload].
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cbor2

from healthcode.keys import PublicKey, SigningKey

COSE_SIGN1_TAG = 18
CWT_TAG = 61  # RFC 8392, section 6: a CWT may wrap its COSE message in this tag
HEADER_ALG = 1
HEADER_KID = 4
SIGNATURE1_CONTEXT = "Signature1"
_SIGN1_ITEMS = 4


class CoseError(ValueError):
    """Bytes that are not a well-formed COSE_Sign1."""


@dataclass(frozen=True)
class Sign1:
    """A decoded COSE_Sign1; its signature is not yet checked."""

    protected: bytes
    protected_header: Mapping[int, Any] = field(repr=False)
    unprotected_header: Mapping[int, Any] = field(repr=False)
    payload: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @property
    def algorithm(self) -> int | None:
        """The algorithm, from the protected header first, else the unprotected one (the
        signature still has to verify with a trusted key of exactly that algorithm)."""
        for header in (self.protected_header, self.unprotected_header):
            value = header.get(HEADER_ALG)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None

    @property
    def kid(self) -> bytes | None:
        """The key id, from the protected header first (signed), else the unprotected one."""
        for header in (self.protected_header, self.unprotected_header):
            value = header.get(HEADER_KID)
            if isinstance(value, bytes):
                return value
        return None

    def to_be_signed(self, external_aad: bytes = b"") -> bytes:
        return sig_structure(self.protected, self.payload, external_aad)

    def verify(self, key: PublicKey, external_aad: bytes = b"") -> bool:
        return key.verify(self.signature, self.to_be_signed(external_aad))


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    return cbor2.dumps([SIGNATURE1_CONTEXT, protected, external_aad, payload])


def sign(
    payload: bytes,
    key: SigningKey,
    *,
    tagged: bool = True,
    external_aad: bytes = b"",
) -> bytes:
    """A COSE_Sign1 with the algorithm and key id in the protected (signed) header."""
    protected = cbor2.dumps({HEADER_ALG: int(key.algorithm), HEADER_KID: key.kid})
    signature = key.sign(sig_structure(protected, payload, external_aad))
    message = [protected, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, message) if tagged else message)


def decode(data: bytes) -> Sign1:
    """Parse a COSE_Sign1, tagged or not; raises CoseError for anything else.

    Canonically: the bytes must be exactly one CBOR item, encoded as we would encode it again
    (no byte after the message, no longer-than-needed lengths), so that one signed code has one
    text and two different QR texts never verify as the same code."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception as error:  # cbor2 raises several types for damaged input
        raise CoseError(f"not CBOR: {error}") from None
    if stream.tell() != len(data):
        raise CoseError(f"{len(data) - stream.tell()} bytes after the COSE_Sign1 message")
    try:
        canonical = cbor2.dumps(item) == data
    except Exception:  # a value cbor2 decodes but cannot encode back is not canonical either
        canonical = False
    if not canonical:
        raise CoseError("COSE_Sign1 message is not canonically encoded")
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise CoseError(f"CBOR tag {item.tag} is not COSE_Sign1 ({COSE_SIGN1_TAG})")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != _SIGN1_ITEMS:
        raise CoseError("COSE_Sign1 must be an array of four items")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes):
        raise CoseError("protected header must be a byte string")
    if not isinstance(unprotected, Mapping):
        raise CoseError("unprotected header must be a map")
    if not isinstance(payload, bytes):
        raise CoseError("payload must be an attached byte string")
    if not isinstance(signature, bytes):
        raise CoseError("signature must be a byte string")
    if protected:
        try:
            protected_header = cbor2.loads(protected)
        except Exception as error:
            raise CoseError(f"protected header is not CBOR: {error}") from None
        if not isinstance(protected_header, Mapping):
            raise CoseError("protected header must encode a map")
    else:
        protected_header = {}
    return Sign1(
        protected=protected,
        protected_header=protected_header,
        unprotected_header=unprotected,
        payload=payload,
        signature=signature,
    )
