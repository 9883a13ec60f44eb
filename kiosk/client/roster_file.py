"""The staff roster on disk, sealed under the kiosk's own key.

The roster carries each operator's argon2id PIN hash; a copied file must not let anyone guess
PINs offline. It is kept as `staff-roster.sealed` (mode 0600): AES-256-GCM under a key derived
(HKDF-SHA256) from the kiosk's X25519 `encryption.key`, bound to the kiosk id. A plaintext
`staff-roster.json` left by an older version is sealed and deleted the first time it is read.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.client.identity import STAFF_ROSTER_FILE, KioskIdentity
from sync.schemas import StaffRoster

SEALED_ROSTER_FILE = "staff-roster.sealed"
_MAGIC = b"HCROSTER1"
_NONCE_BYTES = 12


def _key(identity: KioskIdentity) -> bytes:
    raw = identity.encryption_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"healthcode-kiosk staff roster"
    ).derive(raw)


def save_roster(identity: KioskIdentity, folder: Path, roster: StaffRoster) -> None:
    """Write the roster sealed, atomically, 0600; remove a plaintext copy."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = nonce + AESGCM(_key(identity)).encrypt(
        nonce, roster.model_dump_json().encode(), identity.kiosk_id.encode()
    )
    path = folder / SEALED_ROSTER_FILE
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_MAGIC + sealed)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    (folder / STAFF_ROSTER_FILE).unlink(missing_ok=True)


def load_roster(identity: KioskIdentity, folder: Path) -> StaffRoster:
    """The kept roster; raises OSError when there is none, ValueError when it cannot be read."""
    path = folder / SEALED_ROSTER_FILE
    if not path.exists() and (folder / STAFF_ROSTER_FILE).exists():
        legacy = StaffRoster.model_validate_json((folder / STAFF_ROSTER_FILE).read_text("utf-8"))
        save_roster(identity, folder, legacy)
        return legacy
    data = path.read_bytes()
    if not data.startswith(_MAGIC):
        raise ValueError(f"{path} is not a sealed staff roster")
    body = data[len(_MAGIC) :]
    try:
        plain = AESGCM(_key(identity)).decrypt(
            body[:_NONCE_BYTES], body[_NONCE_BYTES:], identity.kiosk_id.encode()
        )
    except Exception as error:  # InvalidTag: another kiosk's key, or a damaged file
        raise ValueError(f"{path} cannot be opened with this kiosk's key") from error
    return StaffRoster.model_validate_json(plain)
