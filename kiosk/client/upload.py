"""The kiosk's uploader: drains the outbox to central in signed batches, on its own thread.

At least once from a durable outbox, idempotent at central (records are keyed by the UUID the
kiosk made), so the effect is exactly once. An item goes `pending` -> `sent` (just before its
batch leaves) -> `acknowledged` or `rejected`, and only from central's answer; a crash or a
failure leaves it `sent`, and it is sent again. Urgent items (fever reports) come first in
every batch. Failures are retried with exponential back-off and jitter (tenacity); the batch
size adapts: it doubles while batches are quick and halves on a failure or a slow answer.
Draining a backlog keeps two batches in flight (`in_flight`): the next batch is read, encoded
and sent while central stores the one before, so the kiosk and central work at the same time
instead of taking turns (issue 28: a 1,000,000-record backlog). Answers are settled in the order
the batches left; when one fails, the others in flight are waited for and dropped (their items
stay `sent` and go again, answered as duplicates), then the failure is retried as before.

Time and randomness come in from outside (`sleep`, `monotonic`, `random`), so tests run with no
real waits.
"""

from __future__ import annotations

import json
import logging
import random as random_module
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import httpx
import tenacity
from pydantic import ValidationError

from kiosk.client.outbox import Outbox, OutboxItem
from sync.gc_pause import paused_gc
from sync.schemas import (
    MAX_UPLOAD_RECORDS,
    PASSAGES_PATH,
    RecordResult,
    RecordStatus,
    UploadAck,
    UploadBatch,
)
from sync.signing import refusal_of

log = logging.getLogger(__name__)

FIRST_BATCH = 200
MIN_BATCH = 1
TARGET_BATCH_S = 2.0  # a batch should take about this long; bigger ones risk timeouts
FIRST_WAIT_S = 1.0
MAX_WAIT_S = 300.0
IDLE_S = 30.0
JOIN_TIMEOUT_S = 10.0
IN_FLIGHT = 2  # batches on their way at once while draining


@runtime_checkable
class SkippingOutbox(Protocol):
    """An outbox that can read the batch after the one in flight (the kiosk store can)."""

    def outbox_batch_skipping(self, limit: int, skip: Sequence[int]) -> list[OutboxItem]: ...


class UploadError(Exception):
    """A batch did not get a usable answer; it stays `sent` and is sent again."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class ExponentialJitter(tenacity.wait.wait_base):
    """initial * 2^(attempt - 1), capped, times a random factor in [0.5, 1): clients that failed
    together do not come back together."""

    def __init__(
        self,
        initial_s: float = FIRST_WAIT_S,
        max_s: float = MAX_WAIT_S,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self.initial_s = initial_s
        self.max_s = max_s
        self.random = random

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exponent = min(retry_state.attempt_number - 1, 30)
        return float(min(self.max_s, self.initial_s * 2**exponent) * (0.5 + 0.5 * self.random()))


@dataclass(frozen=True)
class _Flight:
    """A batch on its way: its items, the batch's id, the answer to come, when it left."""

    items: list[OutboxItem]
    ids: list[int]
    batch_id: uuid.UUID
    answer: Future[httpx.Response]
    started: float


def batch_json(batch_id: uuid.UUID, items: Sequence[OutboxItem]) -> bytes:
    """`UploadBatch(batch_id=..., records=[...]).model_dump_json()`'s bytes, from each item's
    JSON (`OutboxItem.json`: the store encodes its passages without building models)."""
    if len(items) > MAX_UPLOAD_RECORDS:  # refused by the schema, as it always was
        UploadBatch(batch_id=batch_id, records=[item.record for item in items])
    records = b",".join([item.json for item in items])
    return b'{"batch_id":"%s","records":[%s]}' % (str(batch_id).encode("ascii"), records)


_ACK_FIELDS = frozenset(UploadAck.model_fields)
_RESULT_FIELDS = frozenset(RecordResult.model_fields)
_RESULT_REQUIRED = frozenset(n for n, f in RecordResult.model_fields.items() if f.is_required())
_STATUSES = {status.value: status for status in RecordStatus}


def plain_ack(
    content: bytes, batch_id: uuid.UUID, items: Sequence[OutboxItem]
) -> list[tuple[RecordStatus, str | None]] | None:
    """The status and reason of each item from an answer written as central writes it: for
    this batch, each result naming its record's id and kind, exactly. None for anything else
    (not JSON, a field more or less, an id written otherwise, a result without its id): such
    an answer goes through `UploadAck` as before, which takes it or refuses it. Parsing a plain
    answer with `json` costs a fraction of building a model per result (issue 28)."""
    try:
        ack = json.loads(content)
    except ValueError:
        return None
    if type(ack) is not dict or ack.keys() != _ACK_FIELDS or ack["batch_id"] != str(batch_id):
        return None
    results = ack["results"]
    if type(results) is not list or len(results) != len(items):
        return None
    answers: list[tuple[RecordStatus, str | None]] = []
    append = answers.append
    for item, result in zip(items, results, strict=True):
        if type(result) is not dict or not _RESULT_REQUIRED <= result.keys() <= _RESULT_FIELDS:
            return None
        given = result["status"]
        status = _STATUSES.get(given) if type(given) is str else None
        reason = result.get("reason")
        if (
            status is None
            or result["record_id"] != item.record_id
            or result["kind"] != item.kind.value
            or (reason is not None and type(reason) is not str)
        ):
            return None
        append((status, reason))
    try:  # the rest of the answer as the schema takes it (one time)
        UploadAck.model_validate({**ack, "results": []})
    except ValidationError:
        return None
    return answers


@dataclass
class UploadTally:
    batches: int = 0
    failures: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RecordStatus, 0))


class Uploader:
    """Uploads an outbox through an httpx client that signs as the kiosk (`KioskAuth`)."""

    def __init__(
        self,
        outbox: Outbox,
        client: httpx.Client,
        server_url: str,
        *,
        batch_size: int = FIRST_BATCH,
        max_batch: int = MAX_UPLOAD_RECORDS,
        target_batch_s: float = TARGET_BATCH_S,
        wait: tenacity.wait.wait_base | None = None,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        batch_ids: Callable[[], uuid.UUID] = uuid.uuid4,
        idle_s: float = IDLE_S,
        in_flight: int = IN_FLIGHT,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.url = server_url.rstrip("/") + PASSAGES_PATH
        self.batch_size = max(MIN_BATCH, min(batch_size, max_batch))
        self.max_batch = max_batch
        self.target_batch_s = target_batch_s
        self.wait = wait if wait is not None else ExponentialJitter()
        self.idle_s = idle_s
        self.tally = UploadTally()
        self._monotonic = monotonic
        self._batch_ids = batch_ids
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._urgent = threading.Event()
        self._sleep = sleep if sleep is not None else self._interruptible_sleep
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._upcoming: Future[list[OutboxItem]] | None = None
        self.in_flight = max(1, in_flight)
        self._senders: ThreadPoolExecutor | None = None
        self._flying: deque[_Flight] = deque()

    # ------------------------------------------------------------ one batch

    def upload_batch(self) -> int:
        """Send the next batch and settle its items from the answer; the number of items (0
        when the outbox is drained). Raises UploadError; the items then stay `sent`."""
        count, _upcoming = self._send(self.outbox.outbox_batch(self.batch_size), pool=None)
        return count

    def _send(
        self, items: list[OutboxItem], pool: ThreadPoolExecutor | None
    ) -> tuple[int, Future[list[OutboxItem]] | None]:
        """One batch; with a pool (and an outbox that can skip items), the next batch is read
        and decrypted while this one is in flight. The read-ahead is dropped if this batch
        fails, so a retry reads the outbox again in order."""
        if not items:
            return 0, None
        flight = self._launch(items, senders=None)
        upcoming: Future[list[OutboxItem]] | None = None
        if pool is not None and isinstance(self.outbox, SkippingOutbox):
            upcoming = pool.submit(self.outbox.outbox_batch_skipping, self.batch_size, flight.ids)
        try:
            count = self._land(flight)
        except BaseException:
            if upcoming is not None:
                upcoming.cancel()
            raise
        return count, upcoming

    def _launch(self, items: list[OutboxItem], senders: ThreadPoolExecutor | None) -> _Flight:
        """Mark the items sent and post their batch: on a sender thread when given one (the
        answer awaited in `_land`), else here and now."""
        ids = [item.outbox_id for item in items]
        self.outbox.mark_sent(ids).result()
        batch_id = self._batch_ids()
        body = batch_json(batch_id, items)
        started = self._monotonic()
        answer: Future[httpx.Response] = Future()
        if senders is not None:
            answer = senders.submit(self._post, body)
        else:
            try:
                answer.set_result(self._post(body))
            except BaseException as error:  # raised again where the answer is read
                answer.set_exception(error)
        return _Flight(items, ids, batch_id, answer, started)

    def _post(self, body: bytes) -> httpx.Response:
        return self.client.post(
            self.url, content=body, headers={"content-type": "application/json"}
        )

    def _land(self, flight: _Flight) -> int:
        """Await a batch's answer and settle its items; the number of items. Raises
        UploadError (the items stay `sent`)."""
        try:
            response = flight.answer.result()
        except httpx.HTTPError as error:
            raise UploadError("network", f"{type(error).__name__}: {error}") from None
        if not response.is_success:
            refusal = refusal_of(response)
            reason = refusal.error.value if refusal is not None else f"http_{response.status_code}"
            raise UploadError(reason, refusal.detail if refusal else response.text[:200])
        acknowledged, rejected = self._settlement(flight.items, flight.batch_id, response)
        self.outbox.settle_outbox(acknowledged, rejected).result()
        self._adapt(self._monotonic() - flight.started)
        self.tally.batches += 1
        return len(flight.items)

    def _settlement(
        self, items: list[OutboxItem], batch_id: uuid.UUID, response: httpx.Response
    ) -> tuple[list[int], list[tuple[int, str]]]:
        plain = plain_ack(response.content, batch_id, items)
        if plain is not None:
            return self._settle_plain(items, plain)
        try:
            ack = UploadAck.model_validate_json(response.content)
        except ValidationError as error:
            raise UploadError("bad_answer", f"not an upload answer: {error}") from None
        if ack.batch_id != batch_id or len(ack.results) != len(items):
            raise UploadError("bad_answer", "the answer is for another batch")
        acknowledged: list[int] = []
        rejected: list[tuple[int, str]] = []
        for item, result in zip(items, ack.results, strict=True):
            if (result.record_id is not None and str(result.record_id) != item.record_id) or (
                result.kind is not None and result.kind is not item.kind
            ):
                raise UploadError("bad_answer", "the answers do not match the records")
            self.tally.by_status[result.status] += 1
            if result.status is RecordStatus.REJECTED:
                rejected.append((item.outbox_id, result.reason or "rejected"))
                log.warning("central rejected an upload record: %s", result.reason)
            else:
                acknowledged.append(item.outbox_id)
        return acknowledged, rejected

    def _settle_plain(
        self, items: list[OutboxItem], results: list[tuple[RecordStatus, str | None]]
    ) -> tuple[list[int], list[tuple[int, str]]]:
        acknowledged: list[int] = []
        rejected: list[tuple[int, str]] = []
        by_status = self.tally.by_status
        for item, (status, reason) in zip(items, results, strict=True):
            by_status[status] += 1
            if status is RecordStatus.REJECTED:
                rejected.append((item.outbox_id, reason or "rejected"))
                log.warning("central rejected an upload record: %s", reason)
            else:
                acknowledged.append(item.outbox_id)
        return acknowledged, rejected

    def _adapt(self, elapsed_s: float) -> None:
        if elapsed_s < self.target_batch_s / 2:
            self.batch_size = min(self.max_batch, self.batch_size * 2)
        elif elapsed_s > self.target_batch_s:
            self.batch_size = max(MIN_BATCH, self.batch_size // 2)

    def _on_failure(self, state: tenacity.RetryCallState) -> None:
        self.tally.failures += 1
        self.batch_size = max(MIN_BATCH, self.batch_size // 2)
        error = state.outcome.exception() if state.outcome is not None else None
        log.info("upload failed (%s); retrying with batches of %d", error, self.batch_size)

    # ------------------------------------------------------------ draining

    def drain(self, *, max_attempts: int | None = None) -> int:
        """Upload until the outbox is empty, retrying failed batches with back-off; the items
        settled. Stops early when the uploader is stopped; raises the last UploadError after
        `max_attempts` failures of one batch."""
        stop: tenacity.stop.stop_base = tenacity.stop_when_event_set(self._stop)
        if max_attempts is not None:
            stop = stop | tenacity.stop_after_attempt(max_attempts)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(UploadError),
            wait=self.wait,
            stop=stop,
            sleep=self._sleep,
            before_sleep=self._on_failure,
            reraise=True,
        )
        settled = 0
        pool = self._reader_pool()
        pipelined = self.in_flight > 1 and isinstance(self.outbox, SkippingOutbox)
        step = self._next_flight if pipelined else self._next_batch
        self._upcoming = None
        try:
            while not self._stop.is_set():
                count = retrying(step, pool)
                if count == 0:
                    break
                settled += count
        finally:
            self._upcoming = None
            self._ground()
        return settled

    def _reader_pool(self) -> ThreadPoolExecutor | None:
        """One reading thread for the uploader's life (the store keeps a connection per
        thread); none for an outbox that cannot read ahead."""
        if not isinstance(self.outbox, SkippingOutbox):
            return None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="outbox-read-ahead")
        return self._pool

    def _next_batch(self, pool: ThreadPoolExecutor | None) -> int:
        with paused_gc():
            return self._next_batch_unpaused(pool)

    def _next_batch_unpaused(self, pool: ThreadPoolExecutor | None) -> int:
        upcoming, self._upcoming = self._upcoming, None
        if upcoming is not None and not self._urgent.is_set():
            items = upcoming.result()
        else:  # nothing read ahead, or something urgent came in since: read in order now
            self._urgent.clear()
            items = self.outbox.outbox_batch(self.batch_size)
        count, self._upcoming = self._send(items, pool)
        return count

    def _next_flight(self, _pool: ThreadPoolExecutor | None) -> int:
        """Keep `in_flight` batches on their way, then land the oldest; the items it settled
        (0 when the outbox is drained). A failure grounds the rest before it is raised."""
        with paused_gc():
            try:
                self._fill()
                if not self._flying:
                    return 0
                return self._land(self._flying.popleft())
            except BaseException:
                self._ground()
                raise

    def _fill(self) -> None:
        """Read and send batches until `in_flight` are on their way or nothing is left; each
        read leaves out the items already in flight (urgent ones still come first)."""
        outbox = self.outbox
        if not isinstance(outbox, SkippingOutbox):
            raise TypeError("only an outbox that can skip items keeps batches in flight")
        if self._senders is None:
            self._senders = ThreadPoolExecutor(self.in_flight, thread_name_prefix="upload-send")
        while len(self._flying) < self.in_flight and not self._stop.is_set():
            flying = [outbox_id for flight in self._flying for outbox_id in flight.ids]
            self._urgent.clear()
            items = outbox.outbox_batch_skipping(self.batch_size, flying)
            if not items:
                return
            self._flying.append(self._launch(items, self._senders))

    def _ground(self) -> None:
        """Wait for the batches still in flight and drop their answers: their items stay
        `sent` and go again (central answers them as duplicates)."""
        flights, self._flying = list(self._flying), deque()
        if flights:
            wait([flight.answer for flight in flights], JOIN_TIMEOUT_S)

    # ------------------------------------------------------------ the thread

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="uploader", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Something new is in the outbox (a fever report should not wait for the idle timer)."""
        self._urgent.set()
        self._wake.set()

    def stop(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        """Stop and join; False if the thread is still busy (a request in flight) after the
        timeout. Whatever it was sending stays `sent` and goes again next time."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._senders is not None:
            self._senders.shutdown(wait=False, cancel_futures=True)
            self._senders = None
        if thread is None:
            return True
        thread.join(timeout_s)
        if thread.is_alive():
            log.error("the uploader did not stop within %.0f s", timeout_s)
            return False
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except UploadError:
                pass  # stopped while retrying
            except Exception:
                log.exception("the uploader failed; trying again after a pause")
                self._stop.wait(self.idle_s)
            self._wake.wait(self.idle_s)
            self._wake.clear()
