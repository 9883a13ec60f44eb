"""Where the store key is kept: the OS secret store when there is one, else a key file.

With `prefer_os` (the kiosk's start-up, `[kiosk] store_key = "os"`, the default) and an OS
secret store that `keyring` can reach (Secret Service on Linux, e.g. GNOME Keyring or KWallet;
the Windows Credential Locker, protected by DPAPI; the macOS Keychain), a new store's key, or
the key file of an existing store, goes there, and a marker file `store.key.in-os` takes the key
file's place: any later opener then reads the key from the OS store (and refuses to start when
the OS store cannot be reached, rather than making a new key). Without one, the key stays in
`keys/store.key` (0600 in a 0700 folder): what protects it then is the operating system's
accounts and the disk's own encryption (docs/kiosk-config.md).
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Protocol

from kiosk.store.crypto import StoreKeyError, StoreKeys

log = logging.getLogger(__name__)
SERVICE = "healthcode-kiosk"
MARKER_SUFFIX = ".in-os"


class SecretStore(Protocol):
    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...


def os_secret_store() -> SecretStore | None:
    """The OS secret store through `keyring`, or None when it has no usable backend."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or float(getattr(backend, "priority", 0)) <= 0:
            return None
        return backend
    except Exception as error:  # no D-Bus, a locked or broken backend
        log.warning("no OS secret store for the store key: %s", type(error).__name__)
        return None


def _marker(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + MARKER_SUFFIX)


def _name(key_file: Path) -> str:
    return f"store-key:{key_file.resolve()}"


def _keep(secrets: SecretStore, key_file: Path, keys: StoreKeys) -> bool:
    """Put the key in the OS store and read it back; True when it is really there."""
    encoded = base64.b64encode(keys.to_bytes()).decode("ascii")
    try:
        secrets.set_password(SERVICE, _name(key_file), encoded)
        return secrets.get_password(SERVICE, _name(key_file)) == encoded
    except Exception as error:
        log.warning("the OS secret store refused the store key: %s", type(error).__name__)
        return False


def load_store_keys(
    key_file: Path, *, secrets: SecretStore | None = None, prefer_os: bool = False
) -> StoreKeys:
    """The store's keys, from wherever they are kept (see the module docstring)."""
    marker = _marker(key_file)
    if marker.exists():
        found = secrets or os_secret_store()
        kept = found.get_password(SERVICE, _name(key_file)) if found is not None else None
        if kept is None:
            raise StoreKeyError("the store key is in the OS secret store, which cannot be reached")
        return StoreKeys.from_bytes(base64.b64decode(kept))
    if prefer_os:
        secrets = secrets or os_secret_store()
    if not prefer_os or secrets is None:
        return StoreKeys.load_or_create(key_file)
    if key_file.exists():
        keys = StoreKeys.from_bytes(key_file.read_bytes())
    else:
        keys = StoreKeys.generate()
    if not _keep(secrets, key_file, keys):
        return StoreKeys.load_or_create(key_file)  # the file's key, or a new one kept there
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    marker.write_text("the store key is kept in the OS secret store\n", encoding="utf-8")
    key_file.unlink(missing_ok=True)
    return keys
