"""Secrets at rest: argon2id for passwords and PINs, SHA-256 for high-entropy one-time tokens."""

from __future__ import annotations

import base64
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Crockford base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_STANDARD, _CROCKFORD)
_TYPING_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
ENROLLMENT_CODE_BYTES = 10  # 80 bits: 16 characters


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(encoded_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(encoded_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> bytes:
    """Tokens are random and long, so a fast hash suffices: a leaked table reveals no token."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def format_enrollment_code(random: bytes) -> str:
    """`XXXX-XXXX-XXXX-XXXX` in Crockford base32."""
    text = base64.b32encode(random).decode("ascii").rstrip("=").translate(_TO_CROCKFORD)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_enrollment_code(text: str) -> str:
    return text.upper().translate(_TYPING_FIXES)
