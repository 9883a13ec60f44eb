"""Central's encryption of identifying columns and keyed blind indexes: `records.key` in the keys
folder, 64 random bytes (an AES-GCM key, then an HMAC key), made once.

Every domain seals with it: received records (kiosks), employee rosters (administration), the
records read back by reports and exports, and the CSRF tokens of the pages.
"""

from __future__ import annotations

import hmac
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from central.core.keyfiles import key_pair

RECORDS_KEY_FILE = "records.key"
_KEY_BYTES = 32
_NONCE_BYTES = 12
BLIND_INDEX_BYTES = 16


class RecordCipher:
    """Central's encryption of identifying columns and blind index of code ids."""

    def __init__(self, data_key: bytes, index_key: bytes) -> None:
        self._aead = AESGCM(data_key)
        self._index_key = index_key

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> RecordCipher:
        return cls(*key_pair(keys_dir / RECORDS_KEY_FILE, _KEY_BYTES, "a records key file"))

    def seal(self, value: str | bytes | None, record_id: str, column: str) -> bytes | None:
        if value is None:
            return None
        plain = value.encode("utf-8") if isinstance(value, str) else value
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, f"{column}:{record_id}".encode())

    def open(self, sealed: bytes | None, record_id: str, column: str) -> bytes | None:
        if sealed is None:
            return None
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, f"{column}:{record_id}".encode())

    def code_index(self, issuer: str, code_id: bytes) -> bytes:
        """Equal for the same code, useless without the key: for 'where was this code seen'."""
        message = b"code\x00" + issuer.encode() + b"\x00" + code_id
        # hmac.digest: OpenSSL's one-shot HMAC, a third of hmac.new's cost (once per record)
        return hmac.digest(self._index_key, message, "sha256")[:BLIND_INDEX_BYTES]


@lru_cache(maxsize=8)
def record_cipher(keys_dir: Path) -> RecordCipher:
    return RecordCipher.load_or_create(keys_dir)
