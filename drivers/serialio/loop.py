"""One reader thread per device: runs a session over a transport, reconnects after an unplug.

The caller hands in an already-open transport and, optionally, a `reopen` callable that
returns a new one (e.g. `lambda: open_url(url, baudrate=...)`); without it an unplug ends the
loop. State changes go to a plain callback; the thread never dies silently.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from drivers.serialio.transport import DeviceGoneError, Transport, close_quietly

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
Session = Callable[[Transport, threading.Event], None]
StateCallback = Callable[[DeviceStateEvent], None]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DeviceLoop:
    """Owns the reader thread of one device; `session` does the protocol work."""

    def __init__(
        self,
        *,
        device: str,
        transport: Transport | None,
        session: Session,
        on_state: StateCallback,
        reopen: Callable[[], Transport] | None = None,
        reconnect_interval_s: float = 0.5,
        clock: Clock = utc_now,
    ) -> None:
        if transport is None and reopen is None:
            raise ValueError("give an open transport, a reopen callable, or both")
        self._device = device
        self._transport = transport
        self._session = session
        self._on_state = on_state
        self._reopen = reopen
        self._reconnect_interval_s = reconnect_interval_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{device}-reader", daemon=True)
        self.reconnects = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> bool:
        """Ask the thread to stop and wait for it; False when it did not stop in time."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def stopping(self) -> threading.Event:
        return self._stop

    def emit(self, state: DeviceState, reason: DeviceFault, text: str) -> None:
        event = DeviceStateEvent(self._device, state, reason, text, self._clock())
        logger.info("%s: %s (%s) %s", self._device, state, reason, text)
        try:
            self._on_state(event)
        except Exception:  # a faulty callback must not kill the reader thread
            logger.exception("%s: state callback failed", self._device)

    def _open(self) -> Transport | None:
        if self._reopen is None:
            return None
        try:
            transport = self._reopen()
        except (OSError, ValueError) as error:
            logger.debug("%s: reopen failed: %s", self._device, error)
            return None
        self.reconnects += 1
        return transport

    def _run(self) -> None:
        transport = self._transport
        reported_open_failure = False
        while not self._stop.is_set():
            if transport is None:
                if self._reopen is None:
                    return
                transport = self._open()
                if transport is None:
                    if not reported_open_failure:
                        self.emit(DeviceState.ERROR, DeviceFault.OPEN_FAILED, "cannot open port")
                        reported_open_failure = True
                    self._stop.wait(self._reconnect_interval_s)
                    continue
            reported_open_failure = False
            self.emit(DeviceState.CONNECTED, DeviceFault.NONE, "device connected")
            try:
                self._session(transport, self._stop)
            except DeviceGoneError as error:
                self.emit(DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED, str(error))
                close_quietly(transport)
                transport = None
                self._stop.wait(self._reconnect_interval_s)
                continue
            except Exception as error:
                logger.exception("%s: reader failed", self._device)
                self.emit(DeviceState.ERROR, DeviceFault.INTERNAL, repr(error))
                close_quietly(transport)
                transport = None
                self._stop.wait(self._reconnect_interval_s)
                continue
            break  # the session returned: we were asked to stop
        if transport is not None:
            close_quietly(transport)
        self.emit(DeviceState.DISCONNECTED, DeviceFault.NONE, "reader stopped")
