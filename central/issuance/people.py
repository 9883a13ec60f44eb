"""Keys and ciphers of issuance: people's identifying data at rest, and the issuer's signing.

`people.key` (in the keys folder, outside the database) holds an AES-GCM data key and an HMAC
index key: full names, ID numbers, phones and workplaces are kept only as ciphertext bound to
their row and column; ID numbers and phones are found through keyed blind indexes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from central.core.cipher import RecordCipher, record_cipher
from central.core.keyfiles import key_pair
from healthcode.identity import normalise_id_number
from healthcode.keydir import KeyDir
from healthcode.keys import SigningKey
from healthcode.trust import KeyRole

PEOPLE_KEY_FILE = "people.key"
_KEY_BYTES = 32
_NONCE_BYTES = 12
INDEX_BYTES = 16


class PeopleCipher:
    def __init__(self, data_key: bytes, index_key: bytes) -> None:
        self._aead = AESGCM(data_key)
        self._index_key = index_key

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> PeopleCipher:
        return cls(*key_pair(keys_dir / PEOPLE_KEY_FILE, _KEY_BYTES, "a people key file"))

    def seal(self, value: str, row_id: str, column: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), f"{column}:{row_id}".encode())

    def open(self, sealed: bytes, row_id: str, column: str) -> str:
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, f"{column}:{row_id}".encode()).decode()

    def _index(self, kind: str, value: str) -> bytes:
        message = kind.encode() + b"\x00" + value.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).digest()[:INDEX_BYTES]

    def id_index(self, id_type: str, id_number: str) -> bytes:
        number = normalise_id_number(id_number) if id_type == "resident_id" else id_number
        return self._index(f"id:{id_type}", number.strip().upper())

    def phone_index(self, phone: str) -> bytes:
        return self._index("phone", phone)


@dataclass(frozen=True)
class IssuerKeys:
    """What signing needs, loaded once per process (reading key files per code is too slow)."""

    issuer: str
    issuer_name_zh: str
    issuer_name_en: str
    signing_key: SigningKey
    binding_key: bytes
    feed_key: SigningKey
    cipher: PeopleCipher
    keys_dir: Path
    records: RecordCipher  # ingest's, for the code index

    def code_index(self, code_id: bytes) -> bytes:
        """The same blind index ingest keeps for a code seen at a kiosk (fever cases)."""
        return self.records.code_index(self.issuer, code_id)


@lru_cache(maxsize=8)
def issuer_keys(keys_dir: Path) -> IssuerKeys:
    keydir = KeyDir(keys_dir)
    return IssuerKeys(
        issuer=keydir.issuer.region_code,
        issuer_name_zh=keydir.issuer.name.zh,
        issuer_name_en=keydir.issuer.name.en,
        signing_key=keydir.signing_key(KeyRole.ISSUER),
        binding_key=keydir.binding_key(),
        feed_key=keydir.signing_key(KeyRole.FEED),
        cipher=PeopleCipher.load_or_create(keys_dir),
        keys_dir=keys_dir,
        records=record_cipher(keys_dir),
    )
