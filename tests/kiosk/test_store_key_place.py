"""The store key in the OS secret store when there is one (issue 27), not beside the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.store import Store, StoreKeyError
from kiosk.store.secret_store import load_store_keys, os_secret_store
from tests.kiosk.checkpoint_support import passage


class MemorySecrets:
    """An OS secret store as `keyring` shows one."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password


def test_a_new_store_keeps_its_key_in_the_os_secret_store_and_no_key_file(tmp_path: Path) -> None:
    secrets = MemorySecrets()
    key_file = tmp_path / "keys" / "store.key"
    keys = load_store_keys(key_file, secrets=secrets, prefer_os=True)
    assert not key_file.exists() and len(secrets.kept) == 1
    assert load_store_keys(key_file, secrets=secrets) == keys  # any later opener finds it


def test_an_existing_key_file_moves_into_the_os_secret_store_and_the_store_still_opens(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "keys" / "store.key"
    with Store.open(tmp_path / "kiosk.db", key_file) as store:
        store.passages.record(passage()).result(timeout=10)
    secrets = MemorySecrets()
    keys = load_store_keys(key_file, secrets=secrets, prefer_os=True)
    assert not key_file.exists()
    with Store(tmp_path / "kiosk.db", keys):  # the same key: a wrong one is refused here
        pass
    with pytest.raises(StoreKeyError):
        Store.open(tmp_path / "kiosk.db", tmp_path / "other" / "store.key")


def test_an_unreachable_os_secret_store_refuses_rather_than_making_a_new_key(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "keys" / "store.key"
    load_store_keys(key_file, secrets=MemorySecrets(), prefer_os=True)
    with pytest.raises(StoreKeyError, match="OS secret store"):
        load_store_keys(key_file, secrets=MemorySecrets())
    assert not key_file.exists()


def test_without_an_os_secret_store_the_key_stays_in_its_private_file(tmp_path: Path) -> None:
    if os_secret_store() is not None:
        pytest.skip("this machine has an OS secret store")
    key_file = tmp_path / "keys" / "store.key"
    load_store_keys(key_file, prefer_os=True)
    assert key_file.stat().st_mode & 0o777 == 0o600
