"""Helpers shared by the serial driver tests: an event log that waits without sleeping."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent

WAIT_S = 5.0  # generous upper bound; tests normally finish in milliseconds


@dataclass(frozen=True)
class Seen:
    at_monotonic_s: float
    item: Any


class EventLog:
    """Collects everything a driver calls back with, stamped on arrival; waits with timeouts."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Seen] = queue.Queue()
        self.seen: list[Seen] = []

    def __call__(self, item: object) -> None:
        self._queue.put(Seen(time.monotonic(), item))

    def wait_for(self, predicate: Callable[[Any], bool], timeout_s: float = WAIT_S) -> Seen:
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"nothing matching within {timeout_s} s; saw {[s.item for s in self.seen]}"
                )
            try:
                seen = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(seen)
            if predicate(seen.item):
                return seen

    def wait_for_type(self, kind: type, timeout_s: float = WAIT_S) -> Any:
        return self.wait_for(lambda item: isinstance(item, kind), timeout_s).item

    def wait_for_state(
        self, state: DeviceState, reason: DeviceFault | None = None, timeout_s: float = WAIT_S
    ) -> DeviceStateEvent:
        def matches(item: Any) -> bool:
            return (
                isinstance(item, DeviceStateEvent)
                and item.state is state
                and (reason is None or item.reason is reason)
            )

        event: DeviceStateEvent = self.wait_for(matches, timeout_s).item
        return event

    def of_type(self, kind: type) -> list[Any]:
        return [seen.item for seen in self.seen if isinstance(seen.item, kind)]
