"""The whole kiosk: frame-in to result-rendered latency, and people per minute.

A queue of people steps up one after another: each shows a demo code to a 15 fps camera as
soon as the previous result screen has closed (one second). Each frame goes through the real
capture thread, QR pipeline, scan gate, verification, passage flow, the durable store write and
the offscreen-rendered result screen; the thermometer is the byte-level simulator on a pty.
Latency is measured from the frame's capture to the end of the result screen's paint, against
decode-only time of the same frames in the same run.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from drivers.qr.pipeline import default_pipeline
from healthcode.console import say, survives_closed_stdout
from kiosk.app.demo import DemoDirector, DemoThermometer, code_frame, prepare_demo
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.ui.app import Kiosk, KioskSetup

FPS = 15.0
RUN_S = 45.0
RESULT_S = 1.0


class QueueOfPeople:
    """A camera that shows nobody until the next person steps up, then their code."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        self._frames = frames
        self._blank = code_frame(None)
        self._index = 0
        self._showing = False
        self._lock = threading.Lock()
        self._period = 1.0 / FPS
        self._next_at = 0.0
        self._stop = threading.Event()

    @property
    def name(self) -> str:
        return "queue-of-people"

    def open(self) -> None:
        self._next_at = time.monotonic()

    def read(self) -> np.ndarray | None:
        delay = self._next_at - time.monotonic()
        if delay > 0:
            self._stop.wait(delay)
        self._next_at = max(self._next_at + self._period, time.monotonic())
        with self._lock:
            if not self._showing:
                return self._blank
            return self._frames[self._index % len(self._frames)]

    def close(self) -> None:
        pass

    def step_up(self) -> None:
        with self._lock:
            self._showing = True

    def step_away(self) -> None:
        with self._lock:
            self._showing = False
            self._index += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def goal(name: str, measured: float, unit: str, op: str, target: float) -> str:
    met = measured <= target if op == "<=" else measured >= target
    return (
        f"goal {name}: {measured:.1f} {unit} (target {op} {target:g}) {'met' if met else 'missed'}"
    )


@survives_closed_stdout
def main() -> None:
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    world = prepare_demo(folder / "world", datetime.now(UTC))
    cases = [c for c in world.cases if c.name != "repeat"]
    frames = [code_frame(case.text) for case in cases]
    pipeline = default_pipeline()
    decode_ms = []
    for frame in frames * 10:
        began = time.perf_counter()
        pipeline.decode(frame)
        decode_ms.append((time.perf_counter() - began) * 1000)

    queue = QueueOfPeople(frames)
    thermometer = DemoThermometer()
    setup = KioskSetup(
        data_dir=folder / "data",
        policy=default_policy(CheckpointType.RESIDENTIAL_COMPOUND),
        trust_list=world.trust_list,
        feed=world.feed,
        binding_keys=world.binding_keys,
        camera=queue,
        thermometer_url=thermometer.path,
        result_duration=timedelta(seconds=RESULT_S),
        on_scan_text=DemoDirector(world, thermometer).on_scan_text,
    )
    kiosk = Kiosk(setup)
    kiosk.window.resize(1280, 800)
    kiosk.window.show()
    latencies_ms: list[float] = []
    decided: list[float] = []
    waiting = {"frame_at": None}

    outcomes: list[str] = []

    def on_result(view: object) -> None:
        outcomes.append(getattr(view, "outcome", "?"))
        queue.step_away()
        timing = kiosk.bridge.last_timing
        waiting["frame_at"] = timing.frame_at_s if timing else None
        decided.append(time.monotonic())

    def on_rendered() -> None:
        frame_at = waiting["frame_at"]
        if frame_at is not None:
            latencies_ms.append((time.monotonic() - frame_at) * 1000)
            waiting["frame_at"] = None

    kiosk.bridge.result_shown.connect(on_result)
    kiosk.window.result.rendered.connect(on_rendered)
    kiosk.bridge.ready_for_next.connect(queue.step_up)
    kiosk.start()
    started = time.monotonic()
    QTimer.singleShot(500, queue.step_up)
    QTimer.singleShot(int(RUN_S * 1000), app.quit)
    app.exec()
    elapsed = time.monotonic() - started
    kiosk.stop()
    thermometer.close()
    # Tear the Qt objects down while the application still exists, not at interpreter exit.
    kiosk.window.close()
    kiosk.window.deleteLater()
    app.processEvents()
    gc.collect()

    # A fever is measured twice: its result waits for the person's second measurement, which
    # is not the kiosk's latency. It is reported apart.
    paired = list(zip(outcomes, latencies_ms, strict=False))
    remeasured = [ms for outcome, ms in paired if str(outcome) == "refer"]
    latencies_ms = [ms for outcome, ms in paired if str(outcome) != "refer"]
    people = len(decided)
    per_minute = people / elapsed * 60
    median_latency = statistics.median(latencies_ms)
    p95_latency = percentile(latencies_ms, 0.95)
    decode_median = statistics.median(decode_ms)
    say(f"{people} people decided in {elapsed:.0f} s with a {RESULT_S:.0f} s result screen")
    say(
        f"frame-in to result-rendered: median {median_latency:.1f} ms, p95 {p95_latency:.1f} ms"
        f" ({len(latencies_ms)} results)"
    )
    if remeasured:
        say(
            "fever cases, including the wait for the second measurement:"
            f" median {statistics.median(remeasured):.0f} ms ({len(remeasured)} results)"
        )
    say(
        f"decode only, same frames:    median {decode_median:.1f} ms,"
        f" p95 {percentile(decode_ms, 0.95):.1f} ms"
    )
    say(f"ratio, median latency / median decode: {median_latency / decode_median:.1f}")
    say(f"people per minute: {per_minute:.1f}")
    say(goal("kiosk_result_p95", p95_latency, "ms", "<=", 100))
    say(goal("kiosk_people_per_minute", per_minute, "people/min", ">=", 40))


if __name__ == "__main__":
    main()
