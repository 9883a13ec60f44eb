"""What the uploader needs of the kiosk's outbox (the passage store implements it).

Sync state lives in the outbox rows: `pending` (never sent), `sent` (sent, no answer yet: sent
again after a crash or a failure), `acknowledged` (central answered stored or duplicate), and
`rejected` (central answered rejected, with its reason: sending again would not help).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from sync.schemas import UploadRecord


@dataclass(frozen=True)
class OutboxItem:
    outbox_id: int
    record: UploadRecord


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
