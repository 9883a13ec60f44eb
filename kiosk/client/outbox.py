"""What the uploader needs of the kiosk's outbox (the passage store implements it).

Sync state lives in the outbox rows: `pending` (never sent), `sent` (sent, no answer yet: sent
again after a crash or a failure), `acknowledged` (central answered stored or duplicate), and
`rejected` (central answered rejected, with its reason: sending again would not help).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from sync.schemas import RecordKind, UploadRecord


@dataclass(frozen=True)
class EncodedRecord:
    """A record its outbox has already checked and encoded: its id (canonical UUID text), kind,
    and JSON byte for byte as `UploadRecord.model_dump_json()` gives it. `build` makes the model
    for readers that want one; the uploader sends `json` and never needs it (issue 28: building
    and dumping a model per record was a third of the kiosk's CPU on a backlog)."""

    record_id: str
    kind: RecordKind
    json: bytes
    build: Callable[[], UploadRecord]


class OutboxItem:
    """An outbox item: its id and its record, given as a model or already encoded.

    Not a frozen dataclass: the model of an encoded record is built the first time someone
    reads `record` (an export, a test), and kept; nothing else ever changes.
    """

    __slots__ = ("_encoded", "_record", "outbox_id")

    def __init__(
        self,
        outbox_id: int,
        record: UploadRecord | None = None,
        *,
        encoded: EncodedRecord | None = None,
    ) -> None:
        if (record is None) == (encoded is None):
            raise ValueError("an outbox item has either a record or an encoded record")
        self.outbox_id = outbox_id
        self._record = record
        self._encoded = encoded

    @property
    def record(self) -> UploadRecord:
        if self._record is None and self._encoded is not None:
            self._record = self._encoded.build()
        if self._record is None:  # never: the constructor takes one or the other
            raise ValueError("an outbox item without a record")
        return self._record

    @property
    def record_id(self) -> str:
        """The record's UUID as text (canonical: lower case with hyphens)."""
        if self._encoded is not None:
            return self._encoded.record_id
        return str(self.record.record_id)

    @property
    def kind(self) -> RecordKind:
        return self._encoded.kind if self._encoded is not None else self.record.kind

    @property
    def json(self) -> bytes:
        """The record as the upload sends it: `UploadRecord.model_dump_json()`'s bytes."""
        if self._encoded is not None:
            return self._encoded.json
        return self.record.model_dump_json().encode("utf-8")

    def __repr__(self) -> str:
        return f"OutboxItem({self.outbox_id}, {self.kind.value} {self.record_id})"


class Outbox(Protocol):
    def outbox_batch(self, limit: int) -> list[OutboxItem]:
        """Up to `limit` unsettled items (pending or sent), urgent first, then oldest first."""
        ...

    def mark_sent(self, outbox_ids: Sequence[int]) -> Future[int]: ...

    def settle_outbox(
        self, acknowledged: Sequence[int], rejected: Sequence[tuple[int, str]]
    ) -> Future[int]:
        """Record the server's answers: acknowledged items, and rejected ones with the reason."""
        ...

    def outbox_backlog(self) -> int: ...
