"""The kiosk's copies of what central signs or sends: trust lists, policies, the staff roster,
and the trusted-time floor they raise (the status feed's copy is `kiosk.store.feed`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.store.connection import Readers, Writer
from kiosk.store.crypto import FieldCipher
from kiosk.store.meta import read_meta
from kiosk.store.rows import from_ms, to_ms


@dataclass(frozen=True)
class Operator:
    """An operator allowed on this kiosk (the staff roster); PINs are kept only as hashes."""

    operator_id: str
    display_name: str
    pin_hash: str = field(repr=False)
    role: str
    active: bool


class Copies:
    """The `trust_lists`, `policies` and `roster` tables, and the clock floor."""

    def __init__(self, writer: Writer, readers: Readers, cipher: FieldCipher) -> None:
        self._writer = writer
        self._readers = readers
        self._cipher = cipher

    # ------------------------------------------------------------ writes

    def save_trust_list(self, sequence: int, signed: bytes, at_utc: datetime) -> Future[None]:
        """Keep a verified trust list (as signed, so it is verified again at every start)."""

        def write(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO trust_lists (sequence, signed, accepted_ms)"
                " VALUES (?, ?, ?)",
                (sequence, signed, to_ms(at_utc)),
            )

        return self._writer.submit(write)

    def save_policy(self, document: dict[str, Any], at_utc: datetime) -> Future[None]:
        def write(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO policies (version, document, accepted_ms) VALUES (?, ?, ?)",
                (int(document["version"]), json.dumps(document, sort_keys=True), to_ms(at_utc)),
            )

        return self._writer.submit(write)

    def replace_roster(self, operators: Iterable[Operator]) -> Future[None]:
        rows = [
            (o.operator_id, o.display_name, o.pin_hash, o.role, int(o.active)) for o in operators
        ]

        def write(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM roster")
            connection.executemany(
                "INSERT INTO roster (operator_id, display_name, pin_hash, role, active)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

        return self._writer.submit(write)

    def raise_clock_floor(self, floor_utc: datetime) -> Future[None]:
        """Persist the trusted-time floor; it only ever rises."""
        value = to_ms(floor_utc)

        def write(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('clock_floor_ms', ?) ON CONFLICT(key) DO"
                " UPDATE SET value = excluded.value WHERE CAST(excluded.value AS INTEGER) >"
                " CAST(meta.value AS INTEGER)",
                (str(value),),
            )

        return self._writer.submit(write)

    # ------------------------------------------------------------ reads

    def latest_trust_list(self) -> bytes | None:
        row = (
            self._readers.get()
            .execute("SELECT signed FROM trust_lists ORDER BY sequence DESC LIMIT 1")
            .fetchone()
        )
        return None if row is None else bytes(row[0])

    def latest_policy(self) -> dict[str, Any] | None:
        row = (
            self._readers.get()
            .execute("SELECT document FROM policies ORDER BY version DESC LIMIT 1")
            .fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    def roster(self) -> list[Operator]:
        rows = (
            self._readers.get()
            .execute(
                "SELECT operator_id, display_name, pin_hash, role, active FROM roster"
                " ORDER BY operator_id"
            )
            .fetchall()
        )
        return [Operator(i, n, h, r, bool(a)) for i, n, h, r, a in rows]

    def clock_floor(self) -> datetime | None:
        value = read_meta(self._readers.get(), "clock_floor_ms")
        return None if value is None else from_ms(int(value))
