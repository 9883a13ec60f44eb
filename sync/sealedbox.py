"""A sealed box: bytes encrypted to one recipient's X25519 public key, from an anonymous sender.

Construction (scheme `x25519-hkdf-sha256-aes256gcm`), with `cryptography` primitives only:
the sender makes an ephemeral X25519 key pair; shared = X25519(ephemeral, recipient);
key = HKDF-SHA256(shared, salt = ephemeral public || recipient public, info = INFO, 32 bytes);
ciphertext = AES-256-GCM(key, 12 random bytes of nonce, plaintext, associated data).
The ephemeral key is used once, so the key never repeats; the associated data (the kiosk id)
binds a box to the kiosk it was made for.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync.schemas import SealedBox

SCHEME = "x25519-hkdf-sha256-aes256gcm"
INFO = b"healthcode-checkpoint sealed box v1"
NONCE_LENGTH = 12
KEY_LENGTH = 32


class SealedBoxError(ValueError):
    """A box that is not for this key, was changed, or uses an unknown scheme."""


def raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_LENGTH, salt=ephemeral + recipient, info=INFO
    ).derive(shared)


def seal(
    plaintext: bytes,
    recipient_public: bytes,
    associated_data: bytes,
    *,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> SealedBox:
    try:
        recipient = X25519PublicKey.from_public_bytes(recipient_public)
    except ValueError as error:
        raise SealedBoxError(f"not an X25519 public key: {error}") from None
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = raw_public(ephemeral.public_key())
    key = _key(ephemeral.exchange(recipient), ephemeral_public, recipient_public)
    nonce = random_bytes(NONCE_LENGTH)
    return SealedBox(
        scheme=SCHEME,
        ephemeral_public_key=ephemeral_public,
        nonce=nonce,
        ciphertext=AESGCM(key).encrypt(nonce, plaintext, associated_data),
    )


def open_box(box: SealedBox, recipient: X25519PrivateKey, associated_data: bytes) -> bytes:
    if box.scheme != SCHEME:
        raise SealedBoxError(f"unknown sealed-box scheme {box.scheme!r}")
    try:
        ephemeral = X25519PublicKey.from_public_bytes(box.ephemeral_public_key)
        shared = recipient.exchange(ephemeral)
    except ValueError as error:
        raise SealedBoxError(f"bad ephemeral key: {error}") from None
    key = _key(shared, box.ephemeral_public_key, raw_public(recipient.public_key()))
    try:
        return AESGCM(key).decrypt(box.nonce, box.ciphertext, associated_data)
    except (InvalidTag, ValueError):
        raise SealedBoxError("the box does not open with this key") from None
