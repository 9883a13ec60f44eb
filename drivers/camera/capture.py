"""The capture thread: reads a frame source, keeps only the newest frame, reports the camera's
state, reopens it after an unplug, and notices when it stalls.

One thread owns the source (camera libraries are fragile across threads); a second, small
watchdog thread only watches the time of the last frame. Consumers call `next_frame`, which
waits for a frame newer than the one they had: a slow consumer skips frames, it never sees a
backlog. State changes go to a plain callback as `DeviceStateEvent`s, like the serial drivers.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.camera.sources import CameraError, Frame, FrameSource
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent

log = logging.getLogger(__name__)

StateCallback = Callable[[DeviceStateEvent], None]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CapturedFrame:
    """A frame with its sequence number (1, 2, ... since start) and capture time (monotonic s)."""

    frame: Frame
    seq: int
    at_s: float


class Capture:
    """Runs `source` on its own thread. `start()`, then `next_frame(...)` from any thread, and
    `stop()` (which waits at most its timeout: a read stuck in a driver cannot hold the kiosk).
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        on_state: StateCallback | None = None,
        reconnect_interval_s: float = 1.0,
        stall_timeout_s: float = 3.0,
        clock: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self._on_state = on_state
        self._reconnect_interval_s = reconnect_interval_s
        self._stall_timeout_s = stall_timeout_s
        self._clock = clock
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._latest: CapturedFrame | None = None
        self._seq = 0
        self._connected = False
        self._stalled = False
        self._last_frame_s = 0.0
        self._thread = threading.Thread(target=self._run, name=f"camera {source.name}", daemon=True)
        self._watchdog = threading.Thread(target=self._watch, name="camera watchdog", daemon=True)
        self.reconnects = 0

    # -- the consumer's side -------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._watchdog.start()

    def stop(self, timeout_s: float = 2.0) -> bool:
        """Ask both threads to stop and wait; False when the capture thread is still stuck
        in its source after `timeout_s` (it is a daemon thread and ends with its read)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        deadline = time.monotonic() + timeout_s
        for thread in (self._thread, self._watchdog):
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        return not self._thread.is_alive()

    def next_frame(
        self, after_seq: int = 0, timeout_s: float | None = None
    ) -> CapturedFrame | None:
        """The newest frame with a sequence number above `after_seq`, waiting up to `timeout_s`
        for one; None on timeout or after stop."""
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self._stop.is_set()
                    or (self._latest is not None and self._latest.seq > after_seq)
                ),
                timeout_s,
            )
            latest = self._latest
        return latest if latest is not None and latest.seq > after_seq else None

    @property
    def frames_captured(self) -> int:
        return self._seq

    @property
    def connected(self) -> bool:
        return self._connected

    # -- the capture thread ----------------------------------------------------------------

    def _emit(self, state: DeviceState, reason: DeviceFault, text: str) -> None:
        event = DeviceStateEvent(self.source.name, state, reason, text, self._clock())
        log.info("%s: %s (%s) %s", self.source.name, state, reason, text)
        if self._on_state is None:
            return
        try:
            self._on_state(event)
        except Exception:  # a faulty callback must not kill the capture thread
            log.exception("%s: state callback failed", self.source.name)

    def _run(self) -> None:
        reported_open_failure = False
        while not self._stop.is_set():
            try:
                self.source.open()
            except (CameraError, OSError) as error:
                if not reported_open_failure:
                    self._emit(DeviceState.ERROR, DeviceFault.OPEN_FAILED, str(error))
                    reported_open_failure = True
                self._stop.wait(self._reconnect_interval_s)
                continue
            reported_open_failure = False
            self._last_frame_s = self._monotonic()
            self._connected = True
            self._emit(DeviceState.CONNECTED, DeviceFault.NONE, "camera connected")
            try:
                self._read_until_lost()
            except Exception as error:  # never die silently: report, reopen
                log.exception("%s: capture failed", self.source.name)
                self._emit(DeviceState.ERROR, DeviceFault.INTERNAL, repr(error))
            finally:
                self._connected = False
                self._close_source()
            if self._stop.is_set():
                break
            self.reconnects += 1
            self._stop.wait(self._reconnect_interval_s)
        self._emit(DeviceState.DISCONNECTED, DeviceFault.NONE, "capture stopped")

    def _read_until_lost(self) -> None:
        while not self._stop.is_set():
            frame = self.source.read()
            if self._stop.is_set():
                return
            if frame is None:
                self._emit(DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED, "camera lost")
                return
            now = self._monotonic()
            with self._cond:
                self._seq += 1
                self._latest = CapturedFrame(frame, self._seq, now)
                self._last_frame_s = now
                stalled, self._stalled = self._stalled, False
                self._cond.notify_all()
            if stalled:
                self._emit(DeviceState.CONNECTED, DeviceFault.NONE, "camera delivering again")

    def _close_source(self) -> None:
        try:
            self.source.close()
        except Exception:  # closing a vanished device may fail; nothing is left to do
            log.debug("%s: close failed", self.source.name, exc_info=True)

    # -- the watchdog ----------------------------------------------------------------------

    def _watch(self) -> None:
        interval = max(0.01, self._stall_timeout_s / 4)
        while not self._stop.wait(interval):
            with self._cond:
                silent_s = self._monotonic() - self._last_frame_s
                newly = self._connected and not self._stalled and silent_s > self._stall_timeout_s
                if newly:
                    self._stalled = True
            if newly:
                self._emit(
                    DeviceState.ERROR,
                    DeviceFault.TIMEOUT,
                    f"camera stalled: no frame for {silent_s:.1f} s",
                )
