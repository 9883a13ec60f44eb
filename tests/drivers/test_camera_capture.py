"""The capture thread against scripted sources: newest frame only, unplug and reconnect, stall.

Waiting is done on queues and conditions with timeouts, never by sleeping.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from drivers.camera import CameraError, Capture, CapturedFrame
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent

WAIT_S = 5.0
UNPLUG = object()


def frame(n: int) -> np.ndarray:
    return np.full((4, 6, 3), n % 256, dtype=np.uint8)


class ScriptedSource:
    """A camera driven by the test: `feed(frame)` hands it a frame, `feed(UNPLUG)` unplugs it;
    with nothing fed, `read` blocks (a stalled camera). `failing_opens` makes the next opens
    fail, as while the cable is out."""

    name = "scripted"

    def __init__(self) -> None:
        self._items: queue.Queue[object] = queue.Queue()
        self.failing_opens = 0
        self.opens = 0
        self.closes = 0
        self.idle = threading.Event()  # set while read() waits with nothing fed

    def feed(self, item: object) -> None:
        self.idle.clear()
        self._items.put(item)

    def open(self) -> None:
        if self.failing_opens:
            self.failing_opens -= 1
            raise CameraError("camera not plugged in")
        self.opens += 1

    def read(self) -> np.ndarray | None:
        if self._items.empty():
            self.idle.set()
        item = self._items.get()
        if item is UNPLUG:
            return None
        assert isinstance(item, np.ndarray)
        return item

    def close(self) -> None:
        self.closes += 1


class Recorder:
    def __init__(self) -> None:
        self.events: queue.Queue[DeviceStateEvent] = queue.Queue()

    def __call__(self, event: DeviceStateEvent) -> None:
        self.events.put(event)

    def next(self) -> tuple[DeviceState, DeviceFault]:
        event = self.events.get(timeout=WAIT_S)
        return event.state, event.reason


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def capture(source: ScriptedSource, recorder: Recorder) -> Iterator[Capture]:
    cap = Capture(source, on_state=recorder, reconnect_interval_s=0.01, stall_timeout_s=30)
    cap.start()
    yield cap
    source.feed(UNPLUG)  # unblock a read the test left waiting
    assert cap.stop(timeout_s=WAIT_S)


def test_the_consumer_gets_the_newest_frame_never_a_backlog(
    source: ScriptedSource, capture: Capture
) -> None:
    for n in range(1, 6):
        source.feed(frame(n))
    assert source.idle.wait(WAIT_S)  # all five frames were read
    got = capture.next_frame(after_seq=0, timeout_s=WAIT_S)
    assert got is not None
    assert (got.seq, int(got.frame[0, 0, 0])) == (5, 5)
    assert capture.next_frame(after_seq=5, timeout_s=0.05) is None


def test_next_frame_waits_for_a_frame_newer_than_the_last_one(
    source: ScriptedSource, capture: Capture
) -> None:
    got: queue.Queue[CapturedFrame | None] = queue.Queue()
    threading.Thread(target=lambda: got.put(capture.next_frame(0, WAIT_S)), daemon=True).start()
    source.feed(frame(7))
    first = got.get(timeout=WAIT_S)
    assert first is not None
    assert first.seq == 1
    assert int(first.frame[0, 0, 0]) == 7


def test_a_camera_that_is_unplugged_and_plugged_back_is_reopened_and_reported(
    source: ScriptedSource, capture: Capture, recorder: Recorder
) -> None:
    assert recorder.next() == (DeviceState.CONNECTED, DeviceFault.NONE)
    source.feed(frame(1))
    assert capture.next_frame(0, WAIT_S) is not None
    source.failing_opens = 3  # the cable is out for three tries
    source.feed(UNPLUG)
    assert recorder.next() == (DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED)
    assert recorder.next() == (DeviceState.ERROR, DeviceFault.OPEN_FAILED)  # reported once
    assert recorder.next() == (DeviceState.CONNECTED, DeviceFault.NONE)
    source.feed(frame(2))
    again = capture.next_frame(1, WAIT_S)
    assert again is not None
    assert int(again.frame[0, 0, 0]) == 2
    assert (source.opens, source.closes, capture.reconnects) == (2, 1, 1)


def test_a_camera_that_stalls_is_reported_and_recovers_when_frames_return(
    source: ScriptedSource, recorder: Recorder
) -> None:
    capture = Capture(source, on_state=recorder, stall_timeout_s=0.2)
    capture.start()
    assert recorder.next() == (DeviceState.CONNECTED, DeviceFault.NONE)
    source.feed(frame(1))
    assert capture.next_frame(0, WAIT_S) is not None
    # Nothing fed: the read blocks, as a camera whose driver hangs.
    event = recorder.events.get(timeout=WAIT_S)
    assert (event.state, event.reason) == (DeviceState.ERROR, DeviceFault.TIMEOUT)
    assert "stalled" in event.text
    assert recorder.events.empty()  # one report per stall, not one per watchdog tick
    source.feed(frame(2))
    assert recorder.next() == (DeviceState.CONNECTED, DeviceFault.NONE)
    assert capture.next_frame(1, WAIT_S) is not None
    source.feed(UNPLUG)
    assert capture.stop(timeout_s=WAIT_S)


def test_stop_does_not_hang_on_a_read_stuck_in_the_driver(
    source: ScriptedSource, recorder: Recorder
) -> None:
    cap = Capture(source, on_state=recorder, stall_timeout_s=10)
    cap.start()
    assert recorder.next() == (DeviceState.CONNECTED, DeviceFault.NONE)
    assert source.idle.wait(WAIT_S)
    assert cap.stop(timeout_s=0.05) is False  # stuck in read: reported, not waited for
    source.feed(frame(1))  # the driver returns at last
    assert recorder.next() == (DeviceState.DISCONNECTED, DeviceFault.NONE)
    assert cap.stop(timeout_s=WAIT_S)


def test_a_source_that_never_opens_is_reported_once_and_retried(recorder: Recorder) -> None:
    source = ScriptedSource()
    source.failing_opens = 10**6
    cap = Capture(source, on_state=recorder, reconnect_interval_s=0.001)
    cap.start()
    assert recorder.next() == (DeviceState.ERROR, DeviceFault.OPEN_FAILED)
    assert cap.next_frame(0, timeout_s=0.05) is None
    assert cap.stop(timeout_s=WAIT_S)
    assert recorder.next() == (DeviceState.DISCONNECTED, DeviceFault.NONE)
    assert source.failing_opens < 10**6 - 1  # it kept trying


def test_a_faulty_state_callback_does_not_kill_the_capture(source: ScriptedSource) -> None:
    def broken(event: DeviceStateEvent) -> None:
        raise RuntimeError("ui gone")

    cap = Capture(source, on_state=broken)
    cap.start()
    source.feed(frame(3))
    assert cap.next_frame(0, WAIT_S) is not None
    source.feed(UNPLUG)
    assert cap.stop(timeout_s=WAIT_S)
