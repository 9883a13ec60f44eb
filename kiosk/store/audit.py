"""The audit log: who read or changed what (never a name, ID number or code id in the detail)."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from kiosk.store.connection import Readers, Writer
from kiosk.store.rows import from_ms, to_ms

AuditEntry = tuple[datetime, str, str, dict[str, Any]]


class AuditLog:
    """The `audit_log` table: appended through the store's writer, read newest first."""

    def __init__(self, writer: Writer, readers: Readers) -> None:
        self._writer = writer
        self._readers = readers

    def record(
        self, at_utc: datetime, actor: str, action: str, detail: dict[str, Any] | None = None
    ) -> Future[None]:
        """Who read or changed what. `detail` must hold no name, ID number or code id."""
        return self._writer.submit(lambda c: write_audit(c, at_utc, actor, action, detail or {}))

    def entries(self, limit: int = 100) -> list[AuditEntry]:
        rows = (
            self._readers.get()
            .execute(
                "SELECT at_ms, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        return [
            (from_ms(at), actor, action, json.loads(detail)) for at, actor, action, detail in rows
        ]


def write_audit(
    connection: sqlite3.Connection,
    at_utc: datetime,
    actor: str,
    action: str,
    detail: dict[str, Any],
) -> None:
    connection.execute(
        "INSERT INTO audit_log (at_ms, actor, action, detail) VALUES (?, ?, ?, ?)",
        (to_ms(at_utc), actor, action, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )
