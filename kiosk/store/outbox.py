"""The outbox: what is queued for central, its sync state, and the records read for upload.

Its method names are those of `kiosk.client.outbox.Outbox`, which it implements for the uploader.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from kiosk.client.outbox import EncodedRecord, OutboxItem
from kiosk.store.connection import Readers, Writer
from kiosk.store.crypto import FieldCipher
from kiosk.store.rows import (
    UPLOAD_PASSAGE_COLUMNS,
    encoded_passage_record,
    override_upload_record,
    passage_json,
    upload_passage,
)
from kiosk.store.scenes import SCENE_KINDS, SceneRecords


class Outbox:
    """The `outbox` table (and the sync state it settles on `passages`)."""

    def __init__(self, writer: Writer, readers: Readers, cipher: FieldCipher) -> None:
        self._writer = writer
        self._readers = readers
        self._cipher = cipher
        self._scenes = SceneRecords(writer, readers, cipher)

    # ------------------------------------------------------------ writes

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

    # ------------------------------------------------------------ reads

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
        scene_ids = sorted({r for _, r, k in items if k in SCENE_KINDS})
        passage_ids = json.dumps(
            sorted({r for _, r, k in items if k != "override" and k not in SCENE_KINDS})
        )
        override_ids = json.dumps(sorted({r for _, r, k in items if k == "override"}))
        # A passage's fields and JSON, once for its passage and fever report items both
        passages = {
            row[0]: _with_json(upload_passage(row, self._cipher))
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
        scenes = self._scenes.upload_records(scene_ids) if scene_ids else {}
        batch: list[OutboxItem] = []
        for outbox_id, record_id, kind in items:
            if kind == "override":
                record = overrides.get(record_id)
            elif kind in SCENE_KINDS:
                record = scenes.get(record_id)
            else:
                found = passages.get(record_id)
                if found is None:  # its row is gone (purged): nothing left to send
                    continue
                passage = encoded_passage_record(record_id, kind, *found)
                if isinstance(passage, EncodedRecord):
                    batch.append(OutboxItem(int(outbox_id), encoded=passage))
                    continue
                record = passage
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


def _with_json(passage: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    return passage, passage_json(passage)


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
