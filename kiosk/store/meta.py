"""The `meta` table: small named values (settings, access state, the passage fields, markers)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future

from kiosk.store.connection import Readers, Writer


class Meta:
    """Named text values kept beside the passages; a write is queued on the store's writer."""

    def __init__(self, writer: Writer, readers: Readers) -> None:
        self._writer = writer
        self._readers = readers

    def get(self, key: str) -> str | None:
        return read_meta(self._readers.get(), key)

    def set(self, key: str, value: str) -> Future[None]:
        return self._writer.submit(lambda c: write_meta(c, key, value))


def read_meta(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def write_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
