"""Work off the GUI thread: store reads, PIN hashing and exports run on a small thread pool of
their own, and their results come back to the GUI thread through a queued signal.

The pool's threads never expire, so the store's per-thread read connections stay few.
Call `shutdown()` before the store closes.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; emitted from a worker, so its slots run queued on the GUI."""

    finished = Signal(int, object)
    failed = Signal(int, object)


class Background(QObject):
    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._pool.setExpiryTimeout(-1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Done, Failed | None]] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, work: Callable[[], Any], on_done: Done, on_error: Failed | None = None) -> int:
        """Run `work()` on a pool thread; `on_done(result)` or `on_error(error)` runs later on
        the GUI thread."""
        job = next(self._ids)
        self._pending[job] = (on_done, on_error)
        relay = self._relay

        def task() -> None:
            try:
                result = work()
            except BaseException as error:  # handed to the GUI thread, never lost
                relay.failed.emit(job, error)
            else:
                relay.finished.emit(job, result)

        self._pool.start(task)
        return job

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every job has run (their results are still delivered by the event loop)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._pool.clear()
        self.wait(timeout_ms)
        self._pending.clear()

    @Slot(int, object)
    def _on_finished(self, job: int, result: object) -> None:
        callbacks = self._pending.pop(job, None)
        if callbacks is not None:
            callbacks[0](result)

    @Slot(int, object)
    def _on_failed(self, job: int, error: BaseException) -> None:
        callbacks = self._pending.pop(job, None)
        if callbacks is None:
            return
        if callbacks[1] is None:
            log.error("background job failed", exc_info=error)
        else:
            callbacks[1](error)
