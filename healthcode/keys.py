"""Signing and public keys of the COSE algorithms we sign with (EdDSA, ES256) or accept (PS256).

A key's id is the first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo, so the same public
key has the same id wherever it is loaded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

KID_LENGTH = 8
_ES256_COORDINATE_BYTES = 32

PublicKeyObject = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKeyObject = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class Algorithm(IntEnum):
    """COSE algorithm identifiers (IANA COSE Algorithms registry); the values are on the wire."""

    ES256 = -7
    EDDSA = -8
    PS256 = -37


class KeyFormatError(ValueError):
    """A key file or key bytes that cannot be used: wrong type, curve or encoding."""


def kid_of_spki(spki_der: bytes) -> bytes:
    return hashlib.sha256(spki_der).digest()[:KID_LENGTH]


def _algorithm_of(key: PublicKeyObject) -> Algorithm:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Algorithm.EDDSA
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyFormatError(f"EC curve {key.curve.name} is not P-256, the only curve of ES256")
        return Algorithm.ES256
    if isinstance(key, rsa.RSAPublicKey):
        return Algorithm.PS256
    raise KeyFormatError(f"unsupported public key type {type(key).__name__}")


@dataclass(frozen=True)
class PublicKey:
    """A verification key with its COSE algorithm and key id."""

    algorithm: Algorithm
    kid: bytes
    key: PublicKeyObject = field(repr=False, compare=False)

    @classmethod
    def from_key(cls, key: PublicKeyObject, kid: bytes | None = None) -> PublicKey:
        algorithm = _algorithm_of(key)
        spki = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(algorithm=algorithm, kid=kid if kid is not None else kid_of_spki(spki), key=key)

    @classmethod
    def from_spki(cls, spki_der: bytes, kid: bytes | None = None) -> PublicKey:
        try:
            loaded = serialization.load_der_public_key(spki_der)
        except ValueError as error:
            raise KeyFormatError(f"not a DER SubjectPublicKeyInfo: {error}") from None
        if not isinstance(loaded, PublicKeyObject):
            raise KeyFormatError(f"unsupported public key type {type(loaded).__name__}")
        return cls.from_key(loaded, kid)

    def spki(self) -> bytes:
        return self.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True when `signature` (in COSE form) is this key's signature of `message`."""
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, message)
            elif isinstance(self.key, ec.EllipticCurvePublicKey):
                if len(signature) != 2 * _ES256_COORDINATE_BYTES:
                    return False
                r = int.from_bytes(signature[:_ES256_COORDINATE_BYTES], "big")
                s = int.from_bytes(signature[_ES256_COORDINATE_BYTES:], "big")
                self.key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
            else:
                self.key.verify(
                    signature,
                    message,
                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                    hashes.SHA256(),
                )
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """A private key that signs in COSE form (EdDSA or ES256)."""

    algorithm: Algorithm
    kid: bytes
    key: PrivateKeyObject = field(repr=False, compare=False)

    @classmethod
    def generate(cls, algorithm: Algorithm = Algorithm.EDDSA) -> SigningKey:
        private: PrivateKeyObject
        if algorithm is Algorithm.EDDSA:
            private = ed25519.Ed25519PrivateKey.generate()
        elif algorithm is Algorithm.ES256:
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise KeyFormatError(f"we do not sign with {algorithm.name}")
        return cls.from_private(private)

    @classmethod
    def from_private(cls, private: PrivateKeyObject) -> SigningKey:
        public = PublicKey.from_key(private.public_key())
        return cls(algorithm=public.algorithm, kid=public.kid, key=private)

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> SigningKey:
        try:
            private = serialization.load_pem_private_key(pem, password=password)
        except (ValueError, TypeError) as error:
            raise KeyFormatError(f"cannot load private key: {error}") from None
        if not isinstance(private, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise KeyFormatError(f"unsupported private key type {type(private).__name__}")
        return cls.from_private(private)

    @classmethod
    def load(cls, path: Path, password: bytes | None = None) -> SigningKey:
        return cls.from_pem(path.read_bytes(), password)

    def to_pem(self, password: bytes | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def save(self, path: Path, password: bytes | None = None) -> None:
        write_private_file(path, self.to_pem(password))

    @property
    def public(self) -> PublicKey:
        return PublicKey.from_key(self.key.public_key(), self.kid)

    def sign(self, message: bytes) -> bytes:
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(message)
        der = self.key.sign(message, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(_ES256_COORDINATE_BYTES, "big") + s.to_bytes(
            _ES256_COORDINATE_BYTES, "big"
        )


def write_private_file(path: Path, data: bytes) -> None:
    """Create a file only its owner can read (mode 0600 from the start); never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
