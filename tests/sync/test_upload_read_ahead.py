"""The uploader reads the next batch while the current one is in flight (the store can skip
the items in flight): every record still reaches central exactly once, in upload order, a
failed batch drops what was read ahead, and a nudge (something urgent) is read at once."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.client.enrollment import Enrollment
from kiosk.client.outbox import OutboxItem
from kiosk.client.upload import SkippingOutbox
from kiosk.store import Store
from kiosk.store.outbox import Outbox
from sync.schemas import RecordKind, UploadBatch
from tests.central.conftest import Central
from tests.sync.test_upload import (  # the fixtures and helpers of the uploader's tests
    _central_ids,
    _inner,
    _record,
    _states,
    _uploader,
    central,
    kiosk,
    store,
)
from tests.sync.upload_faults import FaultyTransport

__all__ = ["central", "kiosk", "store"]


class _Reads(Outbox):
    """The store's outbox, remembering what each read-ahead skipped and returned."""

    def __init__(self, store: Store) -> None:  # shares the store's connections
        self.__dict__.update(store.outbox.__dict__)
        self.read_ahead: list[tuple[list[int], list[int]]] = []

    def outbox_batch_skipping(self, limit: int, skip: Sequence[int]) -> list[OutboxItem]:
        items = super().outbox_batch_skipping(limit, skip)
        if skip:
            self.read_ahead.append((list(skip), [item.outbox_id for item in items]))
        return items


def _sent_batches(faults: FaultyTransport) -> list[UploadBatch]:
    return [UploadBatch.model_validate_json(request.content) for request in faults.seen]


def test_read_ahead_skips_the_batch_in_flight_and_drops_after_a_failure(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    ids = _record(store, 30, fever_every=10)
    reads = _Reads(store)
    assert isinstance(reads, SkippingOutbox)
    faults = FaultyTransport(_inner(central), ["ok", "ok", "cut", "ok", "500"])
    uploader = _uploader(central, kiosk, reads, faults, batch_size=4, max_batch=4)
    assert uploader.drain() == 33
    assert sorted(_central_ids(central)) == sorted(str(i) for i in ids)  # each once
    assert _states(store) == {"acknowledged"}
    assert reads.read_ahead  # it did read ahead
    for skipped, read in reads.read_ahead:
        assert not set(skipped) & set(read)
    # Urgent first, then in order: every batch's records come after the previous ones, apart
    # from a batch sent again after a failure.
    sent = [record.record_id for batch in _sent_batches(faults) for record in batch.records]
    assert set(sent) == set(ids)
    first = _sent_batches(faults)[0].records
    assert [record.kind for record in first[:3]] == [RecordKind.FEVER_REPORT] * 3


def test_a_nudge_drops_the_read_ahead_so_urgent_records_go_next(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    _record(store, 12)
    faults = FaultyTransport(_inner(central))
    uploader = _uploader(central, kiosk, store.outbox, faults, batch_size=4, max_batch=4)
    pool = uploader._reader_pool()
    assert pool is not None
    assert uploader._next_batch(pool) == 4  # the second batch is read ahead
    (feverish,) = _record(store, 1, fever_every=1)
    uploader.nudge()
    assert uploader._next_batch(pool) == 4
    second = _sent_batches(faults)[1].records
    assert (second[0].record_id, second[0].kind) == (feverish, RecordKind.FEVER_REPORT)
    assert uploader.drain() == 14 - 8  # 13 passages and a fever report in all
    assert _states(store) == {"acknowledged"}
    assert uploader.stop()


def test_an_outbox_that_cannot_skip_is_read_in_turn(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    class _Plain:  # the outbox protocol only
        def __init__(self, store: Store) -> None:
            self.outbox_batch = store.outbox.outbox_batch
            self.mark_sent = store.outbox.mark_sent
            self.settle_outbox = store.outbox.settle_outbox
            self.outbox_backlog = store.outbox.outbox_backlog

    ids = _record(store, 9)
    plain = _Plain(store)
    assert not isinstance(plain, SkippingOutbox)
    faults = FaultyTransport(_inner(central), ["ok", "timeout"])
    uploader = _uploader(central, kiosk, plain, faults, batch_size=4, max_batch=4)  # type: ignore[arg-type]
    assert uploader._reader_pool() is None
    assert uploader.drain() == 9
    assert sorted(_central_ids(central)) == sorted(str(i) for i in ids)
    assert _states(store) == {"acknowledged"}
