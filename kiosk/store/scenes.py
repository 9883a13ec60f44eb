"""Pharmacy purchases and clinic visits (`scene_records`): written durably with their outbox item
in one transaction, read back for the upload and for a person's earlier visits.

Everything personal is sealed like a passage's columns: the code id, the masked name, the
residence, and the details (medicine lines, answers, the patient's phone, a guardian's name).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kiosk.checkpoint.scenes import SceneRecord
from kiosk.store.connection import Readers, Writer
from kiosk.store.crypto import FieldCipher
from kiosk.store.rows import code_index, from_ms, to_ms
from sync.schemas import UploadRecord

SCENE_KINDS = ("purchase", "clinic_visit")
_PAYLOAD_FIELD = {"purchase": "purchase", "clinic_visit": "clinic"}
_NORMAL = 1
SCENE_COLUMNS = (
    "id, kind, passage_id, at_ms, operator_id, issuer, code_enc, name_enc, residence_enc, "
    "temperature_c, details_enc"
)


@dataclass(frozen=True)
class EarlierVisit:
    """A person's earlier record at this kiosk (an observation is kept over several visits)."""

    at_utc: datetime
    kind: str
    temperature_celsius: float | None
    details: dict[str, Any]


class SceneRecords:
    def __init__(self, writer: Writer, readers: Readers, cipher: FieldCipher) -> None:
        self._writer = writer
        self._readers = readers
        self._cipher = cipher

    def record(self, record: SceneRecord) -> Future[str]:
        """Store a finished form and queue it for upload; the Future gives its id once durable."""
        row_id = str(record.record_id)
        holder = record.holder
        seal = self._cipher.seal
        code_ix = (
            code_index(self._cipher, holder.issuer, holder.code_id)
            if holder.issuer is not None and holder.code_id is not None
            else None
        )
        values = (
            row_id,
            record.kind,
            str(holder.passage_id) if holder.passage_id else None,
            to_ms(record.at_utc),
            record.operator_id,
            holder.issuer,
            code_ix,
            seal(holder.code_id, row_id, "code"),
            seal(holder.masked_name, row_id, "name"),
            seal(holder.residence, row_id, "residence"),
            holder.temperature_celsius,
            seal(json.dumps(record.details, ensure_ascii=False), row_id, "details"),
        )

        def write(connection: sqlite3.Connection) -> str:
            connection.execute(
                "INSERT INTO scene_records (id, kind, passage_id, at_ms, operator_id, issuer,"
                " code_ix, code_enc, name_enc, residence_enc, temperature_c, details_enc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            connection.execute(
                "INSERT INTO outbox (record_id, kind, priority, state, created_ms, attempts)"
                " VALUES (?, ?, ?, 'pending', ?, 0)",
                (row_id, record.kind, _NORMAL, values[3]),
            )
            return row_id

        return self._writer.submit(write)

    def upload_records(self, ids: Sequence[str]) -> dict[str, UploadRecord]:
        """The records of these ids as the upload sends them (validated like any wire record)."""
        rows = (
            self._readers.get()
            .execute(
                f"SELECT {SCENE_COLUMNS} FROM scene_records"  # noqa: S608 - our column names
                " WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )
            .fetchall()
        )
        return {row[0]: self._upload_record(row) for row in rows}

    def _upload_record(self, row: tuple[Any, ...]) -> UploadRecord:
        (row_id, kind, passage_id, at_ms, operator_id, issuer, code_enc, name_enc, residence_enc,
         temperature, details_enc) = row  # fmt: skip
        opened = self._cipher.open_text(details_enc, row_id, "details")
        payload = {
            "passage_id": passage_id,
            "at": from_ms(at_ms),
            "operator_id": operator_id,
            "issuer": issuer,
            "code_id": self._cipher.open_bytes(code_enc, row_id, "code"),
            "masked_name": self._cipher.open_text(name_enc, row_id, "name"),
            "residence": self._cipher.open_text(residence_enc, row_id, "residence"),
            "temperature_celsius": temperature,
            **json.loads(opened or "{}"),
        }
        return UploadRecord.model_validate(
            {"record_id": row_id, "kind": kind, _PAYLOAD_FIELD[kind]: payload}
        )

    def earlier_visits(
        self, issuer: str, code_id: bytes, now: datetime, days: int = 28
    ) -> list[EarlierVisit]:
        """This person's records at this kiosk, newest first, over the last `days`."""
        rows = (
            self._readers.get()
            .execute(
                "SELECT id, kind, at_ms, temperature_c, details_enc FROM scene_records"
                " WHERE code_ix = ? AND at_ms >= ? ORDER BY at_ms DESC",
                (
                    code_index(self._cipher, issuer, code_id),
                    to_ms(now - timedelta(days=days)),
                ),
            )
            .fetchall()
        )
        return [
            EarlierVisit(
                from_ms(at_ms),
                kind,
                temperature,
                json.loads(self._cipher.open_text(details, row_id, "details") or "{}"),
            )
            for row_id, kind, at_ms, temperature, details in rows
        ]

    def purge(self, before: datetime) -> Future[int]:
        """Delete the records before `before` that central acknowledged (with their outbox
        items); any still waiting for central stay."""
        cutoff = to_ms(before)

        def write(connection: sqlite3.Connection) -> int:
            done = (
                "SELECT s.id FROM scene_records s JOIN outbox o ON o.record_id = s.id"
                " WHERE s.at_ms < ? AND o.state = 'acknowledged'"
            )
            ids = [row[0] for row in connection.execute(done, (cutoff,))]
            marks = json.dumps(ids)
            connection.execute(
                "DELETE FROM outbox WHERE record_id IN (SELECT value FROM json_each(?))", (marks,)
            )
            return connection.execute(
                "DELETE FROM scene_records WHERE id IN (SELECT value FROM json_each(?))", (marks,)
            ).rowcount

        return self._writer.submit(write)
