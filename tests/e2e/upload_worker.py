"""A kiosk uploader process for the crash test: drains the outbox to a real server and says what
it is doing at each step (the test kills it with SIGKILL after a random one of those lines)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import httpx

from kiosk.client.identity import KioskIdentity
from kiosk.client.outbox import OutboxItem
from kiosk.client.upload import Uploader
from kiosk.store import Store, StoreKeys


class _Told:
    """The store, printing each step of the upload as it happens."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def outbox_batch(self, limit: int) -> list[OutboxItem]:
        items = self.store.outbox.outbox_batch(limit)
        print("read", len(items), flush=True)
        return items

    def mark_sent(self, outbox_ids: Sequence[int]) -> Future[int]:
        future = self.store.outbox.mark_sent(outbox_ids)
        future.result()
        print("marked-sent", flush=True)
        return future

    def settle_outbox(
        self, acknowledged: Sequence[int], rejected: Sequence[tuple[int, str]]
    ) -> Future[int]:
        print("answered", flush=True)
        future = self.store.outbox.settle_outbox(acknowledged, rejected)
        future.result()
        print("settled", flush=True)
        return future

    def outbox_backlog(self) -> int:
        return self.store.outbox.outbox_backlog()


def _announce(request: httpx.Request) -> None:
    print("posting", flush=True)


def main(argv: Sequence[str]) -> None:
    data_dir, database, key_file, batch = Path(argv[0]), Path(argv[1]), Path(argv[2]), int(argv[3])
    identity = KioskIdentity.load(data_dir)
    with Store(database, StoreKeys.load_or_create(key_file)) as store:
        client = httpx.Client(
            auth=identity.auth(), timeout=30.0, event_hooks={"request": [_announce]}
        )
        uploader = Uploader(
            _Told(store), client, identity.server_url, batch_size=batch, max_batch=batch
        )
        print("ready", flush=True)
        uploader.drain(max_attempts=3)
        print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
