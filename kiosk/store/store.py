"""The passage store: a real SQLite file, durable writes through one worker, scoped reads.

A passage is committed (WAL, synchronous=FULL) before its Future resolves, and the kiosk shows a
result only after that. Identifying columns are encrypted with keys kept in a separate file.
Records older than the retention period are deleted once acknowledged by central, never before.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from healthcode.claims import Colour
from healthcode.feed import FeedCopy, FeedEntry
from kiosk.checkpoint.clock import DEFAULT_TIME_ZONE, day_start_utc, local_day
from kiosk.checkpoint.events import PassageRecord, SaveOverride
from kiosk.client.outbox import OutboxItem
from kiosk.store.connection import Readers, Writer, open_connection
from kiosk.store.crypto import FieldCipher, StoreKeyError, StoreKeys
from kiosk.store.rows import (
    PASSAGE_COLUMNS,
    UPLOAD_PASSAGE_COLUMNS,
    LogFilter,
    PassageRow,
    code_index,
    from_ms,
    override_upload_record,
    passage_row,
    passage_values,
    to_ms,
    upload_passage,
    upload_record,
)
from kiosk.store.schema import migrate, refuse_newer_file

DEFAULT_RETENTION = timedelta(days=28)
TRAIL_DAYS = 14
LOW_DISK_BYTES = 200 * 1024 * 1024
URGENT = 0
NORMAL = 1


@dataclass(frozen=True)
class DiskStatus:
    free_bytes: int
    low: bool


@dataclass(frozen=True)
class Operator:
    """An operator allowed on this kiosk (the staff roster); PINs are kept only as hashes."""

    operator_id: str
    display_name: str
    pin_hash: str = field(repr=False)
    role: str
    active: bool


@dataclass(frozen=True)
class StoreCounts:
    """For the status bar: today's passages by outcome, fevers, and the upload backlog."""

    today_total: int
    today_by_outcome: dict[str, int]
    today_fevers: int
    upload_backlog: int


class Store:
    def __init__(self, path: Path, keys: StoreKeys, *, time_zone: str = DEFAULT_TIME_ZONE) -> None:
        self.path = path
        self.time_zone = time_zone
        self._cipher = FieldCipher(keys)
        path.parent.mkdir(parents=True, exist_ok=True)
        refuse_newer_file(path)  # issue 15: read-only, before anything may write to it
        setup = open_connection(path)
        try:
            migrate(setup)
            self._check_key(setup, keys)
        finally:
            setup.close()
        self._writer = Writer(path)
        self._readers = Readers(path)

    @classmethod
    def open(cls, path: Path, key_file: Path, **options: Any) -> Store:
        return cls(path, StoreKeys.load_or_create(key_file), **options)

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

    # ------------------------------------------------------------ writes

    def record_passage(self, record: PassageRecord) -> Future[int]:
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
            _audit(
                connection,
                override.at_utc,
                override.operator_id,
                "override",
                {"passage": str(override.record_id), "outcome": override.outcome.value},
            )
            return override_id

        return self._writer.submit(write)

    def audit(
        self, at_utc: datetime, actor: str, action: str, detail: dict[str, Any] | None = None
    ) -> Future[None]:
        """Who read or changed what. `detail` must hold no name, ID number or code id."""
        return self._writer.submit(lambda c: _audit(c, at_utc, actor, action, detail or {}))

    def mark_acknowledged(self, record_ids: Iterable[str]) -> Future[int]:
        ids = list(record_ids)

        def write(connection: sqlite3.Connection) -> int:
            marks = ", ".join("?" for _ in ids)
            connection.execute(
                f"UPDATE outbox SET state = 'acknowledged' WHERE record_id IN ({marks})",  # noqa: S608
                ids,
            )
            cursor = connection.execute(
                f"UPDATE passages SET sync_state = 'acknowledged' WHERE id IN ({marks})",  # noqa: S608
                ids,
            )
            return cursor.rowcount

        return self._writer.submit(write)

    def mark_sent(self, outbox_ids: Sequence[int]) -> Future[int]:
        """Outbox items about to be sent: `sent` (and counted) until central answers."""
        ids = json.dumps(list(outbox_ids))

        def write(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(
                "UPDATE outbox SET state = 'sent', attempts = attempts + 1"
                " WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('pending', 'sent')",
                (ids,),
            )
            connection.execute(
                "UPDATE passages SET sync_state = 'sent' WHERE sync_state = 'pending' AND id IN"
                " (SELECT record_id FROM outbox WHERE id IN (SELECT value FROM json_each(?))"
                " AND kind = 'passage')",
                (ids,),
            )
            return cursor.rowcount

        return self._writer.submit(write)

    def settle_outbox(
        self, acknowledged: Sequence[int], rejected: Sequence[tuple[int, str]]
    ) -> Future[int]:
        """Central's answers, in one transaction: acknowledged items (stored or duplicate), and
        rejected ones with the reason (never sent again). The count of items changed."""
        acked = json.dumps(list(acknowledged))
        refused = [(reason, outbox_id) for outbox_id, reason in rejected]

        def write(connection: sqlite3.Connection) -> int:
            changed = connection.execute(
                "UPDATE outbox SET state = 'acknowledged', last_error = NULL"
                " WHERE id IN (SELECT value FROM json_each(?)) AND state != 'acknowledged'",
                (acked,),
            ).rowcount
            # A passage counts as acknowledged (and may be purged) only when nothing of it is
            # left to send: not its fever report, not an override of it.
            connection.execute(_PASSAGES_SETTLED, (acked, acked))
            for reason, outbox_id in refused:
                changed += connection.execute(
                    "UPDATE outbox SET state = 'rejected', last_error = ?"
                    " WHERE id = ? AND state != 'acknowledged'",
                    (reason, outbox_id),
                ).rowcount
                connection.execute(
                    "UPDATE passages SET sync_state = 'rejected' WHERE id = (SELECT record_id"
                    " FROM outbox WHERE id = ? AND kind = 'passage')",
                    (outbox_id,),
                )
            return changed

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

    def save_feed(self, copy: FeedCopy) -> Future[None]:
        entries = list(copy.entries())
        last, as_of = copy.last_sequence, copy.as_of_utc

        def write(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM feed_entries")
            connection.executemany(
                "INSERT INTO feed_entries (code_ix, issuer, code_enc, colour, colour_seq, reason,"
                " at_ms, sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        ix := code_index(self._cipher, e.issuer, e.code_id),
                        e.issuer,
                        self._cipher.seal(e.code_id, ix.hex(), "feed_code"),
                        e.colour.value,
                        e.colour_seq,
                        e.reason,
                        to_ms(e.at_utc),
                        e.sequence,
                    )
                    for e in entries
                ],
            )
            _set_meta(connection, "feed_last_sequence", str(last))
            _set_meta(connection, "feed_as_of_ms", "" if as_of is None else str(to_ms(as_of)))

        return self._writer.submit(write)

    def set_meta(self, key: str, value: str) -> Future[None]:
        return self._writer.submit(lambda c: _set_meta(c, key, value))

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

    def load_feed(self) -> FeedCopy:
        connection = self._readers.get()
        copy = FeedCopy()
        rows = connection.execute(
            "SELECT code_ix, issuer, code_enc, colour, colour_seq, reason, at_ms, sequence"
            " FROM feed_entries"
        ).fetchall()
        entries = []
        for ix, issuer, code_enc, colour, colour_seq, reason, at_ms, sequence in rows:
            code_id = self._cipher.open_bytes(code_enc, ix.hex(), "feed_code")
            if code_id is None:
                continue
            entries.append(
                FeedEntry(
                    sequence, issuer, code_id, Colour(colour), colour_seq, reason, from_ms(at_ms)
                )
            )
        last = self.meta("feed_last_sequence")
        as_of = self.meta("feed_as_of_ms")
        copy.restore(entries, int(last) if last else 0, from_ms(int(as_of)) if as_of else None)
        return copy

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
        value = self.meta("clock_floor_ms")
        return None if value is None else from_ms(int(value))

    def meta(self, key: str) -> str | None:
        row = self._readers.get().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def passage(self, record_id: uuid.UUID) -> PassageRow | None:
        row = (
            self._readers.get()
            .execute(
                f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE id = ?",  # noqa: S608
                (str(record_id),),
            )
            .fetchone()
        )
        return None if row is None else passage_row(row, self._cipher)

    def passage_log(
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

    def count_log(self, where: LogFilter) -> int:
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

    def last_passage_at(self, issuer: str, code_id: bytes) -> datetime | None:
        row = (
            self._readers.get()
            .execute(
                "SELECT MAX(at_ms) FROM passages WHERE code_ix = ?",
                (code_index(self._cipher, issuer, code_id),),
            )
            .fetchone()
        )
        return None if row[0] is None else from_ms(row[0])

    def counts(self, now: datetime) -> StoreCounts:
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
        return StoreCounts(sum(by_outcome.values()), by_outcome, int(fevers), int(backlog))

    def pending_outbox(self, limit: int = 100) -> list[tuple[int, str, str]]:
        """Outbox items not yet acknowledged, urgent first: (outbox id, record id, kind)."""
        rows = (
            self._readers.get()
            .execute(
                "SELECT id, record_id, kind FROM outbox WHERE state != 'acknowledged'"
                " ORDER BY priority, id LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        return [(int(i), str(r), str(k)) for i, r, k in rows]

    def outbox_batch(self, limit: int) -> list[OutboxItem]:
        """Up to `limit` unsettled outbox items (pending, or sent without an answer), urgent
        first, each with its record decrypted for the upload."""
        return self.outbox_batch_skipping(limit, ())

    def outbox_batch_skipping(self, limit: int, skip: Sequence[int]) -> list[OutboxItem]:
        """`outbox_batch`, leaving out the items `skip` (a batch in flight): the uploader reads
        the next batch while the current one is on its way."""
        connection = self._readers.get()
        items = connection.execute(
            "SELECT id, record_id, kind FROM outbox WHERE state IN ('pending', 'sent')"
            " AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY priority, id LIMIT ?",
            (json.dumps(list(skip)), limit),
        ).fetchall()
        passage_ids = json.dumps(sorted({r for _, r, k in items if k != "override"}))
        override_ids = json.dumps(sorted({r for _, r, k in items if k == "override"}))
        passages = {
            row[0]: upload_passage(row, self._cipher)
            for row in connection.execute(
                f"SELECT {UPLOAD_PASSAGE_COLUMNS} FROM passages"  # noqa: S608 - our column names
                " WHERE id IN (SELECT value FROM json_each(?))",
                (passage_ids,),
            )
        }
        overrides = {
            row[0]: override_upload_record(row, self._cipher)
            for row in connection.execute(
                "SELECT id, passage_id, at_ms, outcome, reason_enc, operator_id FROM overrides"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (override_ids,),
            )
        }
        batch: list[OutboxItem] = []
        for outbox_id, record_id, kind in items:
            if kind == "override":
                record = overrides.get(record_id)
            else:
                found = passages.get(record_id)
                record = None if found is None else upload_record(record_id, kind, found)
            if record is not None:  # its row is gone (purged): nothing left to send
                batch.append(OutboxItem(int(outbox_id), record))
        return batch

    def outbox_backlog(self) -> int:
        row = (
            self._readers.get()
            .execute("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sent')")
            .fetchone()
        )
        return int(row[0])

    def outbox_state(self, outbox_id: int) -> tuple[str, str | None]:
        """An outbox item's sync state and, when rejected, central's reason."""
        row = (
            self._readers.get()
            .execute("SELECT state, last_error FROM outbox WHERE id = ?", (outbox_id,))
            .fetchone()
        )
        if row is None:
            raise KeyError(outbox_id)
        return str(row[0]), row[1]

    def audit_entries(self, limit: int = 100) -> list[tuple[datetime, str, str, dict[str, Any]]]:
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

    def disk_status(self, low_bytes: int = LOW_DISK_BYTES) -> DiskStatus:
        free = shutil.disk_usage(self.path.parent).free
        return DiskStatus(free_bytes=free, low=free < low_bytes)


# A passage counts as acknowledged (and may be purged) only when central has its passage record
# and nothing of it is left to send: not its fever report, not an override of it.
_PASSAGES_SETTLED = """
UPDATE passages SET sync_state = 'acknowledged'
WHERE sync_state != 'acknowledged'
  AND id IN (
    SELECT record_id FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND kind != 'override'
    UNION
    SELECT v.passage_id FROM overrides v JOIN outbox o ON o.record_id = v.id
    WHERE o.id IN (SELECT value FROM json_each(?)) AND o.kind = 'override')
  AND EXISTS (SELECT 1 FROM outbox p
              WHERE p.record_id = passages.id AND p.kind = 'passage' AND p.state = 'acknowledged')
  AND NOT EXISTS (SELECT 1 FROM outbox o
                  WHERE o.record_id = passages.id AND o.state IN ('pending', 'sent'))
  AND NOT EXISTS (SELECT 1 FROM overrides v
                  WHERE v.passage_id = passages.id
                    AND EXISTS (SELECT 1 FROM outbox o
                                WHERE o.record_id = v.id AND o.state IN ('pending', 'sent')))
"""


def _audit(
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


def _set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
