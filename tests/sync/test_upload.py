"""The uploader against the real app and the real passage store, faults injected in the client's
transport: every record reaches central exactly once, and only central's answer settles it."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path

import httpx
import pytest
import tenacity
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from central.core.models import FeverCase, OverrideRecord, ReceivedPassage
from central.core.settings import Settings
from kiosk.checkpoint.events import SaveOverride
from kiosk.checkpoint.outcome import Outcome
from kiosk.client.enrollment import Enrollment
from kiosk.client.outbox import Outbox, OutboxItem
from kiosk.client.upload import ExponentialJitter, Uploader, UploadError
from kiosk.store import Store, StoreKeys
from sync.schemas import (
    RecordKind,
    RecordResult,
    RecordStatus,
    UploadAck,
    UploadBatch,
    UploadRecord,
)
from sync.signing import KioskAuth
from tests.central.conftest import SERVER, Central, FakeClock, start_central
from tests.central.kiosks import enrolled_kiosk
from tests.kiosk.checkpoint_support import T0, passage
from tests.sync.upload_faults import FaultyTransport


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock())


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "passages.db", StoreKeys.generate()) as opened:
        yield opened


def _uploader(
    central: Central,
    kiosk: Enrollment,
    outbox: Outbox,
    transport: httpx.BaseTransport,
    sleeps: list[float] | None = None,
    **options: object,
) -> Uploader:
    client = httpx.Client(transport=transport, auth=kiosk.identity.auth(clock=central.clock))
    return Uploader(
        outbox,
        client,
        SERVER,
        wait=tenacity.wait_none(),
        sleep=(sleeps if sleeps is not None else []).append,
        **options,  # type: ignore[arg-type]
    )


def _inner(central: Central) -> httpx.BaseTransport:
    return central.client._transport  # the app itself, in process


def _record(store: Store, count: int, *, fever_every: int = 0) -> list[uuid.UUID]:
    ids = []
    for i in range(count):
        fever = bool(fever_every) and i % fever_every == 0
        record = passage(fever=fever, outcome=Outcome.REFER if fever else Outcome.PASS)
        store.passages.record(record).result(timeout=10)
        ids.append(record.record_id)
    return ids


def _central_ids(central: Central) -> list[str]:
    with central.app.state.sessions() as session:
        return list(session.scalars(select(ReceivedPassage.id)))


def _count(central: Central, model: type) -> int:
    with central.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _states(store: Store) -> set[str]:
    rows = store._readers.get().execute("SELECT DISTINCT state FROM outbox").fetchall()
    return {row[0] for row in rows}


@pytest.mark.parametrize("in_flight", [1, 2], ids=["one_batch_at_a_time", "two_in_flight"])
def test_a_backlog_reaches_central_exactly_once_through_every_fault(
    central: Central, kiosk: Enrollment, store: Store, in_flight: int
) -> None:
    ids = _record(store, 40, fever_every=7)
    store.passages.record_override(
        SaveOverride(ids[1], Outcome.DENY, "证件不符", "op-1", T0)
    ).result(timeout=10)
    script = ["down", "500", "timeout", "cut", "duplicate", "replay", "ok", "timeout", "cut"]
    faults = FaultyTransport(_inner(central), script)
    sleeps: list[float] = []
    uploader = _uploader(
        central, kiosk, store.outbox, faults, sleeps, batch_size=4, in_flight=in_flight
    )

    assert uploader.drain() == 40 + 6 + 1  # passages, fever reports, the override

    stored = _central_ids(central)
    assert sorted(stored) == sorted(str(i) for i in ids)  # every record, each once
    assert _count(central, FeverCase) == 6
    assert _count(central, OverrideRecord) == 1
    assert _states(store) == {"acknowledged"}
    assert {row.sync_state for row in (store.passages.get(i) for i in ids) if row} == {
        "acknowledged"
    }
    # Each fault that lost an answer is a failure retried after a pause; with two batches in
    # flight one failure may have met two faults (the other batch is dropped and sent again).
    assert len(sleeps) == uploader.tally.failures
    assert uploader.tally.failures == 6 if in_flight == 1 else 3 <= uploader.tally.failures <= 6
    (replayed,) = faults.attacker_answers
    assert replayed.status_code == 401 and replayed.json()["error"] == "replayed"


def test_a_lost_answer_leaves_the_items_sent_never_acknowledged(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    _record(store, 3)
    uploader = _uploader(
        central, kiosk, store.outbox, FaultyTransport(_inner(central), ["timeout"])
    )
    with pytest.raises(UploadError, match="network"):
        uploader.upload_batch()
    assert _states(store) == {"sent"}  # central has them; the kiosk does not know it yet
    assert len(_central_ids(central)) == 3
    assert uploader.upload_batch() == 3  # sent again: answered as duplicates
    assert uploader.tally.by_status[RecordStatus.DUPLICATE] == 3
    assert _states(store) == {"acknowledged"}
    assert len(_central_ids(central)) == 3


def test_fever_reports_go_first_not_behind_the_backlog(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    _record(store, 10)
    (feverish,) = _record(store, 1, fever_every=1)
    faults = FaultyTransport(_inner(central))
    uploader = _uploader(central, kiosk, store.outbox, faults, batch_size=2)
    uploader.upload_batch()
    first = UploadBatch.model_validate_json(faults.seen[0].content)
    assert (first.records[0].record_id, first.records[0].kind) == (
        feverish,
        RecordKind.FEVER_REPORT,
    )
    assert _count(central, FeverCase) == 1


def test_a_forged_batch_is_refused_and_stores_nothing(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    _record(store, 2)
    forger = KioskAuth(kiosk.identity.kiosk_id, Ed25519PrivateKey.generate(), clock=central.clock)
    client = httpx.Client(transport=_inner(central), auth=forger)
    uploader = Uploader(
        store.outbox, client, SERVER, wait=tenacity.wait_none(), sleep=lambda _s: None
    )
    with pytest.raises(UploadError, match="signature_invalid"):
        uploader.drain(max_attempts=3)
    assert _central_ids(central) == []
    assert _states(store) == {"sent"}


def test_a_rejected_record_is_kept_with_the_reason_and_not_sent_again(store: Store) -> None:
    _record(store, 2)
    sent: list[UploadBatch] = []

    def answer(request: httpx.Request) -> httpx.Response:
        batch = UploadBatch.model_validate_json(request.content)
        sent.append(batch)
        results = [
            RecordResult(
                record_id=r.record_id,
                kind=r.kind,
                status=RecordStatus.REJECTED if i == 0 else RecordStatus.STORED,
                reason="record_id_taken" if i == 0 else None,
            )
            for i, r in enumerate(batch.records)
        ]
        ack = UploadAck(batch_id=batch.batch_id, results=results, server_time=T0)
        return httpx.Response(200, content=ack.model_dump_json())

    uploader = Uploader(store.outbox, httpx.Client(transport=httpx.MockTransport(answer)), SERVER)
    assert uploader.drain() == 2
    assert uploader.drain() == 0
    assert len(sent) == 1
    first = store.outbox.pending_outbox()[0][0]
    assert store.outbox.outbox_state(first) == ("rejected", "record_id_taken")
    assert store.outbox.outbox_backlog() == 0


def test_draining_sends_the_next_batch_while_central_stores_the_one_before(store: Store) -> None:
    _record(store, 6)
    second_arrived = threading.Event()
    overlapped: list[bool] = []
    batches: list[UploadBatch] = []
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        batch = UploadBatch.model_validate_json(request.content)
        with lock:
            batches.append(batch)
            first = len(batches) == 1
        if first:  # central still busy with the first when the second comes
            overlapped.append(second_arrived.wait(10))
        else:
            second_arrived.set()
        results = [
            RecordResult(record_id=r.record_id, kind=r.kind, status=RecordStatus.STORED)
            for r in batch.records
        ]
        ack = UploadAck(batch_id=batch.batch_id, results=results, server_time=T0)
        return httpx.Response(200, content=ack.model_dump_json())

    client = httpx.Client(transport=httpx.MockTransport(answer))
    uploader = Uploader(store.outbox, client, SERVER, batch_size=2, max_batch=2)
    assert uploader.drain() == 6
    assert overlapped == [True]
    sent = [record.record_id for batch in batches for record in batch.records]
    assert len(sent) == len(set(sent)) == 6  # no record in two batches at once
    assert store.outbox.outbox_backlog() == 0 and _states(store) == {"acknowledged"}


def test_an_answer_for_another_batch_settles_nothing(store: Store) -> None:
    _record(store, 2)

    def wrong(request: httpx.Request) -> httpx.Response:
        ack = UploadAck(batch_id=uuid.uuid4(), results=[], server_time=T0)
        return httpx.Response(200, content=ack.model_dump_json())

    uploader = Uploader(store.outbox, httpx.Client(transport=httpx.MockTransport(wrong)), SERVER)
    with pytest.raises(UploadError, match="bad_answer"):
        uploader.upload_batch()
    assert _states(store) == {"sent"}


def _answer_each(
    written: Callable[[UploadBatch], str],
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=written(UploadBatch.model_validate_json(request.content))
        )

    return answer


def _stored(record: UploadRecord) -> dict[str, object]:
    return {"record_id": str(record.record_id), "kind": record.kind.value, "status": "stored"}


def _ack(batch: UploadBatch, results: list[dict[str, object]], **more: object) -> str:
    return json.dumps(
        {"batch_id": str(batch.batch_id), "results": results, "server_time": "2026-11-23T08:00:00Z"}
        | more
    )


def test_an_answer_written_otherwise_than_central_writes_it_settles_as_the_schema_reads_it(
    store: Store,
) -> None:
    _record(store, 3, fever_every=2)
    uploader = Uploader(
        store.outbox,
        httpx.Client(
            transport=httpx.MockTransport(
                _answer_each(
                    lambda batch: _ack(
                        batch,
                        [
                            {
                                "status": "duplicate",
                                "kind": r.kind.value,
                                "record_id": str(r.record_id).upper(),
                            }
                            for r in batch.records
                        ],
                    )
                )
            )
        ),
        SERVER,
    )
    assert uploader.drain() == 5  # three passages, two fever reports
    assert _states(store) == {"acknowledged"}
    assert uploader.tally.by_status[RecordStatus.DUPLICATE] == 5


@pytest.mark.parametrize(
    "written",
    [
        lambda batch: _ack(batch, [_stored(r) for r in batch.records], extra=1),
        lambda batch: _ack(batch, [_stored(r) | {"extra": 1} for r in batch.records]),
        lambda batch: _ack(batch, [_stored(r) for r in batch.records], server_time="soon"),
        lambda batch: _ack(batch, [_stored(r) | {"status": "kept"} for r in batch.records]),
        lambda batch: _ack(batch, [_stored(r) | {"status": ["stored"]} for r in batch.records]),
        lambda batch: _ack(batch, [_stored(r) | {"reason": 5} for r in batch.records]),
        lambda batch: _ack(batch, [_stored(r) for r in reversed(batch.records)]),
        lambda batch: _ack(batch, [_stored(r) for r in batch.records][1:]),
        lambda batch: _ack(batch, [_stored(r) | {"kind": "override"} for r in batch.records]),
        lambda batch: _ack(batch, [{"record_id": None, "kind": None} for _ in batch.records]),
        lambda batch: "not json",
    ],
)
def test_an_answer_the_schema_refuses_or_that_does_not_match_the_batch_settles_nothing(
    store: Store, written: Callable[[UploadBatch], str]
) -> None:
    _record(store, 2)
    uploader = Uploader(
        store.outbox, httpx.Client(transport=httpx.MockTransport(_answer_each(written))), SERVER
    )
    with pytest.raises(UploadError, match="bad_answer"):
        uploader.upload_batch()
    assert _states(store) == {"sent"}


def test_back_off_grows_exponentially_with_jitter_up_to_a_cap() -> None:
    wait = ExponentialJitter(initial_s=1.0, max_s=8.0, random=lambda: 0.0)
    states = [tenacity.RetryCallState(None, None, (), {}) for _ in range(6)]
    for number, state in enumerate(states, start=1):
        state.attempt_number = number
    assert [wait(s) for s in states] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    top = ExponentialJitter(initial_s=1.0, max_s=8.0, random=lambda: 0.999)
    assert 7.9 < top(states[-1]) < 8.0


def test_the_batch_size_grows_while_quick_and_halves_on_failure(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    _record(store, 30)
    ticks = iter(range(0, 1000))
    uploader = _uploader(
        central,
        kiosk,
        store.outbox,
        FaultyTransport(_inner(central), ["ok", "ok", "500"]),
        batch_size=2,
        monotonic=lambda: float(next(ticks)) * 0.01,
    )
    uploader.upload_batch()
    uploader.upload_batch()
    assert uploader.batch_size == 8
    uploader.drain()
    assert uploader.tally.failures == 1
    assert len(_central_ids(central)) == 30


class _Watched:
    """The store, telling the test when the outbox is empty (no sleeping to wait for threads)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.drained = threading.Event()

    def outbox_batch(self, limit: int) -> list[OutboxItem]:
        items = self.store.outbox.outbox_batch(limit)
        if not items:
            self.drained.set()
        return items

    def mark_sent(self, outbox_ids: Sequence[int]) -> Future[int]:
        return self.store.outbox.mark_sent(outbox_ids)

    def settle_outbox(
        self, acknowledged: Sequence[int], rejected: Sequence[tuple[int, str]]
    ) -> Future[int]:
        return self.store.outbox.settle_outbox(acknowledged, rejected)

    def outbox_backlog(self) -> int:
        return self.store.outbox.outbox_backlog()


def test_the_thread_uploads_when_nudged_and_stops_promptly(
    central: Central, kiosk: Enrollment, store: Store
) -> None:
    watched = _Watched(store)
    client = httpx.Client(transport=_inner(central), auth=kiosk.identity.auth(clock=central.clock))
    uploader = Uploader(watched, client, SERVER, idle_s=3600)
    uploader.start()
    try:
        assert watched.drained.wait(10)
        watched.drained.clear()
        ids = _record(store, 5, fever_every=5)
        uploader.nudge()
        assert watched.drained.wait(10)
        assert sorted(_central_ids(central)) == sorted(str(i) for i in ids)
    finally:
        assert uploader.stop(timeout_s=10)
    assert not uploader.running


def test_stopping_interrupts_a_long_back_off(kiosk: Enrollment, store: Store) -> None:
    _record(store, 1)
    watched = _Watched(store)
    attempts = threading.Event()

    def down(request: httpx.Request) -> httpx.Response:
        attempts.set()
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(down))
    uploader = Uploader(watched, client, SERVER, wait=tenacity.wait_fixed(3600))
    uploader.start()
    assert attempts.wait(10)
    assert uploader.stop(timeout_s=10)  # the hour-long wait ends at once
    assert store.outbox.outbox_backlog() == 1
