"""The passage store: a real SQLite file, durable writes through one worker, scoped reads.

A passage is committed (WAL, synchronous=FULL) before its Future resolves, and the kiosk shows a
result only after that. Identifying columns are encrypted with keys kept in a separate file.
Records older than the retention period are deleted once acknowledged by central, never before.

`Store` opens the file and holds the keys; the tables are reached by group over its one writer
and its per-thread readers: `store.passages`, `store.outbox`, `store.copies`, `store.feed` (the
status-feed copy, `kiosk.store.feed`), `store.audit`, `store.meta`, `store.scenes` (pharmacy
purchases, clinic visits).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.checkpoint.clock import DEFAULT_TIME_ZONE
from kiosk.store.audit import AuditLog
from kiosk.store.connection import Readers, Writer, open_connection
from kiosk.store.copies import Copies
from kiosk.store.crypto import FieldCipher, StoreKeyError, StoreKeys
from kiosk.store.feed import StoredFeed
from kiosk.store.meta import Meta
from kiosk.store.outbox import Outbox
from kiosk.store.passages import Passages
from kiosk.store.scenes import SceneRecords
from kiosk.store.schema import migrate, refuse_newer_file
from kiosk.store.secret_store import load_store_keys

LOW_DISK_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class DiskStatus:
    free_bytes: int
    low: bool


class Store:
    def __init__(self, path: Path, keys: StoreKeys, *, time_zone: str = DEFAULT_TIME_ZONE) -> None:
        self.path = path
        self.time_zone = time_zone
        cipher = FieldCipher(keys)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        refuse_newer_file(path)  # issue 15: read-only, before anything may write to it
        setup = open_connection(path)
        try:
            migrate(setup)
            self._check_key(setup, keys)
            # Its owner's only; SQLite gives the -wal and -shm files the database file's mode.
            for companion in (path, path.with_name(path.name + "-wal")):
                if companion.exists():
                    os.chmod(companion, 0o600)
        finally:
            setup.close()
        self._writer = Writer(path)
        self._readers = Readers(path)
        self.passages = Passages(self._writer, self._readers, cipher, time_zone)
        self.outbox = Outbox(self._writer, self._readers, cipher)
        self.copies = Copies(self._writer, self._readers, cipher)
        self.feed = StoredFeed(self._writer, self._readers, cipher)
        self.audit = AuditLog(self._writer, self._readers)
        self.meta = Meta(self._writer, self._readers)
        self.scenes = SceneRecords(self._writer, self._readers, cipher)

    @classmethod
    def open(cls, path: Path, key_file: Path, *, prefer_os: bool = False, **options: Any) -> Store:
        """The store with its keys from `key_file`, or from the OS secret store when they were
        put there (`kiosk.store.secret_store`; `prefer_os` puts a new or file-kept key there)."""
        return cls(path, load_store_keys(key_file, prefer_os=prefer_os), **options)

    def close(self) -> None:
        self._writer.close()
        self._readers.close_all()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @staticmethod
    def _check_key(connection: sqlite3.Connection, keys: StoreKeys) -> None:
        connection.execute("BEGIN IMMEDIATE")
        row = connection.execute("SELECT value FROM meta WHERE key = 'key_fingerprint'").fetchone()
        if row is None:
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?)",
                (keys.fingerprint(),),
            )
        connection.execute("COMMIT")
        if row is not None and row[0] != keys.fingerprint():
            raise StoreKeyError("this database was written with another key")

    def disk_status(self, low_bytes: int = LOW_DISK_BYTES) -> DiskStatus:
        free = shutil.disk_usage(self.path.parent).free
        return DiskStatus(free_bytes=free, low=free < low_bytes)
