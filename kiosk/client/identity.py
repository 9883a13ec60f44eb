"""A kiosk's identity on disk: its id, the server it enrolled with, and its two private keys.

Data folder layout after enrollment (private files mode 0600):
`kiosk.json` (kiosk id, server URL, checkpoint), `signing.key` (Ed25519, PEM PKCS8),
`encryption.key` (X25519, PEM PKCS8), `root.pub` (pinned root key, PEM), `trust-list.cose`,
`policy.json`, `staff-roster.sealed` (kiosk/client/roster_file.py), `binding-keys.sealed.json`
(both opened with `encryption.key`); the folder itself is 0700.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from healthcode.keys import write_private_file
from sync.schemas import BindingKeys, CheckpointInfo, SealedBox
from sync.sealedbox import open_box
from sync.signing import KioskAuth

IDENTITY_FILE = "kiosk.json"
SIGNING_KEY_FILE = "signing.key"
ENCRYPTION_KEY_FILE = "encryption.key"
ROOT_PUBLIC_FILE = "root.pub"
TRUST_LIST_FILE = "trust-list.cose"
POLICY_FILE = "policy.json"
STAFF_ROSTER_FILE = "staff-roster.json"
BINDING_KEYS_FILE = "binding-keys.sealed.json"


class IdentityError(ValueError):
    """No usable kiosk identity in a data folder."""


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: str
    server_url: str
    checkpoint: CheckpointInfo
    signing_key: Ed25519PrivateKey
    encryption_key: X25519PrivateKey

    def auth(self, **options: Any) -> KioskAuth:
        """An httpx auth that signs requests as this kiosk (options as for KioskAuth)."""
        return KioskAuth(self.kiosk_id, self.signing_key, **options)

    def open_binding_keys(self, box: SealedBox) -> BindingKeys:
        plaintext = open_box(box, self.encryption_key, self.kiosk_id.encode("ascii"))
        return BindingKeys.model_validate_json(plaintext)

    def save(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        data_dir.chmod(0o700)  # the keys and the sealed roster: the owner's only
        write_private_file(data_dir / SIGNING_KEY_FILE, _pem(self.signing_key))
        write_private_file(data_dir / ENCRYPTION_KEY_FILE, _pem(self.encryption_key))
        document = {
            "kiosk_id": self.kiosk_id,
            "server_url": self.server_url,
            "checkpoint": self.checkpoint.model_dump(mode="json"),
        }
        (data_dir / IDENTITY_FILE).write_text(
            json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
        )

    @classmethod
    def load(cls, data_dir: Path) -> KioskIdentity:
        try:
            document = json.loads((data_dir / IDENTITY_FILE).read_text(encoding="utf-8"))
            signing = serialization.load_pem_private_key(
                (data_dir / SIGNING_KEY_FILE).read_bytes(), password=None
            )
            encryption = serialization.load_pem_private_key(
                (data_dir / ENCRYPTION_KEY_FILE).read_bytes(), password=None
            )
        except (OSError, ValueError) as error:
            raise IdentityError(f"{data_dir} holds no kiosk identity: {error}") from None
        if not isinstance(signing, Ed25519PrivateKey) or not isinstance(
            encryption, X25519PrivateKey
        ):
            raise IdentityError(f"{data_dir}: unexpected key types")
        return cls(
            kiosk_id=str(document["kiosk_id"]),
            server_url=str(document["server_url"]),
            checkpoint=CheckpointInfo.model_validate(document["checkpoint"]),
            signing_key=signing,
            encryption_key=encryption,
        )


def is_enrolled(data_dir: Path) -> bool:
    return (data_dir / IDENTITY_FILE).exists()
