"""Passages and the overrides of them: durable writes (queued for upload in the same
transaction), retention, and the scoped reads supervisors and the status bar use."""

from __future__ import annotations

import sqlite3
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.checkpoint.clock import day_start_utc, local_day
from kiosk.checkpoint.events import PassageRecord, SaveOverride
from kiosk.store.audit import write_audit
from kiosk.store.connection import Readers, Writer
from kiosk.store.crypto import FieldCipher
from kiosk.store.rows import (
    PASSAGE_COLUMNS,
    LogFilter,
    OverrideRow,
    PassageRow,
    code_index,
    from_ms,
    override_row,
    passage_row,
    passage_values,
    to_ms,
)

DEFAULT_RETENTION = timedelta(days=28)
TRAIL_DAYS = 14
URGENT = 0
NORMAL = 1


@dataclass(frozen=True)
class StoreCounts:
    """For the status bar: today's passages by outcome, fevers, the upload backlog, and how many
    records of it have waited longer than the caller's `overdue_after` (staff should act)."""

    today_total: int
    today_by_outcome: dict[str, int]
    today_fevers: int
    upload_backlog: int
    overdue_records: int = 0


class Passages:
    """The `passages` and `overrides` tables; `time_zone` is the checkpoint's, for its days."""

    def __init__(
        self, writer: Writer, readers: Readers, cipher: FieldCipher, time_zone: str
    ) -> None:
        self._writer = writer
        self._readers = readers
        self._cipher = cipher
        self.time_zone = time_zone

    # ------------------------------------------------------------ writes

    def record(self, record: PassageRecord) -> Future[int]:
        """Store a passage and queue it for upload (a fever report first), in one transaction.
        The Future gives the passage's sequence number once it is durable."""

        def write(connection: sqlite3.Connection) -> int:
            seq = connection.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM passages").fetchone()[0]
            values = passage_values(record, self._cipher, seq)
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            connection.execute(
                f"INSERT INTO passages ({columns}) VALUES ({marks})",  # noqa: S608 - our names
                tuple(values.values()),
            )
            created = values["at_ms"]
            outbox = [(str(record.record_id), "passage", NORMAL, created)]
            if record.fever:
                outbox.insert(0, (str(record.record_id), "fever_report", URGENT, created))
            connection.executemany(
                "INSERT INTO outbox (record_id, kind, priority, state, created_ms, attempts)"
                " VALUES (?, ?, ?, 'pending', ?, 0)",
                outbox,
            )
            return int(seq)

        return self._writer.submit(write)

    def record_override(self, override: SaveOverride) -> Future[str]:
        """A supervisor's override of a passage, queued for upload and audited, in one
        transaction. The Future gives the override's id."""
        override_id = str(uuid.uuid4())

        def write(connection: sqlite3.Connection) -> str:
            connection.execute(
                "INSERT INTO overrides (id, passage_id, at_ms, outcome, reason_enc, operator_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    override_id,
                    str(override.record_id),
                    to_ms(override.at_utc),
                    override.outcome.value,
                    self._cipher.seal(override.reason, override_id, "reason"),
                    override.operator_id,
                ),
            )
            connection.execute(
                "INSERT INTO outbox (record_id, kind, priority, state, created_ms, attempts)"
                " VALUES (?, 'override', ?, 'pending', ?, 0)",
                (override_id, NORMAL, to_ms(override.at_utc)),
            )
            write_audit(
                connection,
                override.at_utc,
                override.operator_id,
                "override",
                {"passage": str(override.record_id), "outcome": override.outcome.value},
            )
            return override_id

        return self._writer.submit(write)

    def purge(self, now: datetime, retention: timedelta = DEFAULT_RETENTION) -> Future[int]:
        """Delete acknowledged passages older than the retention; pending ones always stay."""
        cutoff = to_ms(now - retention)

        def write(connection: sqlite3.Connection) -> int:
            old = "SELECT id FROM passages WHERE at_ms < ? AND sync_state = 'acknowledged'"
            connection.execute(f"DELETE FROM overrides WHERE passage_id IN ({old})", (cutoff,))  # noqa: S608
            connection.execute(
                f"DELETE FROM outbox WHERE state = 'acknowledged' AND record_id IN ({old})",  # noqa: S608
                (cutoff,),
            )
            cursor = connection.execute(
                "DELETE FROM passages WHERE at_ms < ? AND sync_state = 'acknowledged'", (cutoff,)
            )
            return cursor.rowcount

        return self._writer.submit(write)

    # ------------------------------------------------------------ reads

    def get(self, record_id: uuid.UUID) -> PassageRow | None:
        row = (
            self._readers.get()
            .execute(
                f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE id = ?",  # noqa: S608
                (str(record_id),),
            )
            .fetchone()
        )
        return None if row is None else passage_row(row, self._cipher)

    def log(
        self, where: LogFilter, *, limit: int = 50, before_seq: int | None = None
    ) -> list[PassageRow]:
        """Newest first by time (then by sequence), a page at a time: pass the last row's seq as
        `before_seq` for the next page. Paging follows the same order, so a clock that jumped
        neither skips nor repeats rows."""
        clause, values = where.where()
        connection = self._readers.get()
        if before_seq is not None:
            row = connection.execute(
                "SELECT at_ms FROM passages WHERE seq = ?", (before_seq,)
            ).fetchone()
            if row is not None:
                clause += " AND (at_ms < ? OR (at_ms = ? AND seq < ?))"
                values += [row[0], row[0], before_seq]
        rows = connection.execute(
            f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE {clause}"  # noqa: S608
            " ORDER BY at_ms DESC, seq DESC LIMIT ?",
            (*values, limit),
        ).fetchall()
        return [passage_row(row, self._cipher) for row in rows]

    def overrides_of(self, record_ids: list[uuid.UUID]) -> dict[uuid.UUID, OverrideRow]:
        """The latest override of each of these passages that has one."""
        latest: dict[uuid.UUID, OverrideRow] = {}
        connection = self._readers.get()
        ids = [str(record_id) for record_id in record_ids]
        for start in range(0, len(ids), 500):  # SQLite's limit on bound values
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            columns = "id, passage_id, at_ms, outcome, reason_enc, operator_id"
            query = f"SELECT {columns} FROM overrides WHERE passage_id IN ({marks})"  # noqa: S608
            query += " ORDER BY at_ms, rowid"
            found = connection.execute(
                query,
                chunk,
            ).fetchall()
            for row in found:
                override = override_row(tuple(row), self._cipher)
                latest[override.passage_id] = override
        return latest

    def log_count(self, where: LogFilter) -> int:
        clause, values = where.where()
        row = (
            self._readers.get()
            .execute(
                f"SELECT COUNT(*) FROM passages WHERE {clause}",  # noqa: S608
                values,
            )
            .fetchone()
        )
        return int(row[0])

    def trail(
        self, issuer: str, code_id: bytes, now: datetime, days: int = TRAIL_DAYS
    ) -> list[PassageRow]:
        """This code's passages here in the last `days` calendar days (checkpoint time zone),
        newest first."""
        first_day = local_day(now, self.time_zone) - timedelta(days=days - 1)
        since = to_ms(day_start_utc(first_day, self.time_zone))
        rows = (
            self._readers.get()
            .execute(
                f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE code_ix = ? AND at_ms >= ?"  # noqa: S608
                " ORDER BY at_ms DESC",
                (code_index(self._cipher, issuer, code_id), since),
            )
            .fetchall()
        )
        return [passage_row(row, self._cipher) for row in rows]

    def last_at(self, issuer: str, code_id: bytes) -> datetime | None:
        """When this code last passed here (None if never, or purged)."""
        row = (
            self._readers.get()
            .execute(
                "SELECT MAX(at_ms) FROM passages WHERE code_ix = ?",
                (code_index(self._cipher, issuer, code_id),),
            )
            .fetchone()
        )
        return None if row[0] is None else from_ms(row[0])

    def counts(self, now: datetime, overdue_after: timedelta | None = None) -> StoreCounts:
        since = to_ms(day_start_utc(local_day(now, self.time_zone), self.time_zone))
        connection = self._readers.get()
        by_outcome = dict(
            connection.execute(
                "SELECT outcome, COUNT(*) FROM passages WHERE at_ms >= ? GROUP BY outcome",
                (since,),
            ).fetchall()
        )
        fevers = connection.execute(
            "SELECT COUNT(*) FROM passages WHERE fever = 1 AND at_ms >= ?", (since,)
        ).fetchone()[0]
        backlog = connection.execute(
            "SELECT COUNT(*) FROM outbox WHERE state != 'acknowledged'"
        ).fetchone()[0]
        overdue = 0
        if overdue_after is not None:
            overdue = connection.execute(
                "SELECT COUNT(DISTINCT record_id) FROM outbox"
                " WHERE state != 'acknowledged' AND created_ms < ?",
                (to_ms(now - overdue_after),),
            ).fetchone()[0]
        return StoreCounts(
            sum(by_outcome.values()), by_outcome, int(fevers), int(backlog), int(overdue)
        )
