"""Encryption at rest for the passage store: identifying columns under AES-GCM, lookups through a
keyed-HMAC blind index.

The keys live in their own file, created at provisioning and kept apart from the database (a
copied database file alone yields no names, code ids or plates). Each ciphertext is bound to its
row and column (the associated data), so values cannot be swapped between rows unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE_MAGIC = b"HCKSTORE1"
_KEY_BYTES = 32
_NONCE_BYTES = 12
BLIND_INDEX_BYTES = 16
_HMAC_BLOCK = 64  # SHA-256's block size


class StoreKeyError(ValueError):
    """The key file is missing, damaged, or not the key this database was written with."""


@dataclass(frozen=True)
class StoreKeys:
    data_key: bytes = field(repr=False)
    index_key: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> StoreKeys:
        return cls(secrets.token_bytes(_KEY_BYTES), secrets.token_bytes(_KEY_BYTES))

    def to_bytes(self) -> bytes:
        return KEY_FILE_MAGIC + self.data_key + self.index_key

    @classmethod
    def from_bytes(cls, data: bytes) -> StoreKeys:
        if not data.startswith(KEY_FILE_MAGIC) or len(data) != len(KEY_FILE_MAGIC) + 2 * _KEY_BYTES:
            raise StoreKeyError("not a store key file")
        body = data[len(KEY_FILE_MAGIC) :]
        return cls(body[:_KEY_BYTES], body[_KEY_BYTES:])

    @classmethod
    def load_or_create(cls, path: Path) -> StoreKeys:
        """The keys in `path`, created (mode 0600) the first time."""
        if path.exists():
            return cls.from_bytes(path.read_bytes())
        keys = cls.generate()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(keys.to_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        return keys

    def fingerprint(self) -> str:
        """Identifies the key without revealing it, so a store can refuse the wrong key."""
        return hmac.new(self.index_key, b"fingerprint", hashlib.sha256).hexdigest()[:16]


class FieldCipher:
    def __init__(self, keys: StoreKeys) -> None:
        self._aead = AESGCM(keys.data_key)
        self._index_key = keys.index_key

    def seal(self, value: str | bytes | None, row_id: str, column: str) -> bytes | None:
        if value is None:
            return None
        plain = value.encode("utf-8") if isinstance(value, str) else value
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, f"{column}:{row_id}".encode())

    def open_bytes(self, sealed: bytes | None, row_id: str, column: str) -> bytes | None:
        if sealed is None:
            return None
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, f"{column}:{row_id}".encode())
        except InvalidTag:
            raise StoreKeyError(f"cannot decrypt {column}: wrong key or damaged row") from None

    def open_text(self, sealed: bytes | None, row_id: str, column: str) -> str | None:
        plain = self.open_bytes(sealed, row_id, column)
        return None if plain is None else plain.decode("utf-8")

    def open_columns(
        self, row_id: str, sealed: Iterable[tuple[bytes | None, str]]
    ) -> list[bytes | None]:
        """`open_bytes` of each (sealed value, column) of one row, in one call: the same
        decryption and associated data, without a method call and lookups per value (an upload
        opens six columns of each of a backlog's rows)."""
        decrypt = self._aead.decrypt
        opened: list[bytes | None] = []
        for value, column in sealed:
            if value is None:
                opened.append(None)
                continue
            nonce, body = value[:_NONCE_BYTES], value[_NONCE_BYTES:]
            try:
                opened.append(decrypt(nonce, body, f"{column}:{row_id}".encode()))
            except InvalidTag:
                raise StoreKeyError(f"cannot decrypt {column}: wrong key or damaged row") from None
        return opened

    def blind_index(self, kind: str, value: bytes) -> bytes:
        """A lookup key for an identifier: equal for equal values, useless without the key."""
        # hmac.digest: the same HMAC-SHA256 in one C call (a feed snapshot indexes millions)
        digest = hmac.digest(self._index_key, kind.encode() + b"\x00" + value, "sha256")
        return digest[:BLIND_INDEX_BYTES]

    def blind_indexer(self, kind: str, prefix: bytes = b"") -> Callable[[bytes], bytes]:
        """`blind_index(kind, prefix + ·)` for many values (a feed snapshot's millions, every
        lookup): the same HMAC-SHA256 with its keyed states made once, not per value."""
        key = self._index_key
        if len(key) > _HMAC_BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_HMAC_BLOCK, b"\x00")
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        inner.update(kind.encode() + b"\x00" + prefix)
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

        def index(value: bytes) -> bytes:
            message = inner.copy()
            message.update(value)
            digest = outer.copy()
            digest.update(message.digest())
            return digest.digest()[:BLIND_INDEX_BYTES]

        return index

    def keyed_hasher(self, kind: str, prefix: bytes = b"") -> Callable[[bytes], bytes]:
        """A lookup key like `blind_indexer`'s (16 bytes, useless without the key) from keyed
        BLAKE2s, a MAC by design at about half the cost of HMAC-SHA256: for the status-feed
        copy, which indexes a snapshot's millions of codes (its own format, kept in its meta)."""
        keyed = hashlib.blake2s(
            kind.encode() + b"\x00" + prefix, key=self._index_key, digest_size=BLIND_INDEX_BYTES
        )
        start = keyed.copy

        def index(value: bytes) -> bytes:
            message = start()
            message.update(value)
            return message.digest()

        return index

    def keyed_hashes(self, kind: str, prefix: bytes, values: Iterable[bytes]) -> list[bytes]:
        """`keyed_hasher(kind, prefix)` of each value, in one loop without a call per value (a
        snapshot's millions of codes: the loop's per-value cost is the copy and the digest)."""
        start = hashlib.blake2s(
            kind.encode() + b"\x00" + prefix, key=self._index_key, digest_size=BLIND_INDEX_BYTES
        ).copy
        hashes: list[bytes] = []
        append = hashes.append
        for value in values:
            message = start()
            message.update(value)
            append(message.digest())
        return hashes

    def keyed_hashes_packed(
        self, kind: str, prefix: bytes, packed: bytes, width: int = BLIND_INDEX_BYTES
    ) -> bytes:
        """`keyed_hashes` of the `width`-byte values one after the other in `packed` (a
        snapshot's code ids as one byte string), the digests joined in the same order."""
        start = hashlib.blake2s(
            kind.encode() + b"\x00" + prefix, key=self._index_key, digest_size=BLIND_INDEX_BYTES
        ).copy
        hashes: list[bytes] = []
        append = hashes.append
        for at in range(0, len(packed), width):
            message = start()
            message.update(packed[at : at + width])
            append(message.digest())
        return b"".join(hashes)
