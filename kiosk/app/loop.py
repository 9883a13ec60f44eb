"""The app's thread: one place where work from device, camera and sync threads lands.

The application never touches the flow or its listeners from a worker thread; it hands a
function to `post`, which runs it later on the app's thread, in order. The Qt window supplies
a `post` that queues onto the GUI thread; tests and headless tools use `CallQueue`.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable

Call = Callable[[], None]
Post = Callable[[Call], None]


class CallQueue:
    """A Qt-free app thread: `post` from any thread; the owner runs what was posted."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[Call] = queue.SimpleQueue()

    def post(self, call: Call) -> None:
        self._calls.put(call)

    def run_pending(self, timeout_s: float = 0.0) -> int:
        """Run what was posted (waiting up to `timeout_s` for the first); how many ran."""
        ran = 0
        try:
            call = self._calls.get(timeout=timeout_s) if timeout_s > 0 else self._calls.get_nowait()
        except queue.Empty:
            return 0
        while True:
            call()
            ran += 1
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return ran

    def run_until(
        self,
        done: Callable[[], bool],
        timeout_s: float,
        *,
        every: Call | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> bool:
        """Run posted work until `done()` (True) or `timeout_s` passed (False); `every` runs
        between waits (a test's tick)."""
        deadline = monotonic() + timeout_s
        while not done():
            if monotonic() > deadline:
                return False
            self.run_pending(timeout_s=0.05)
            if every is not None:
                every()
        return True
