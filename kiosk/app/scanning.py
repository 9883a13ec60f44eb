"""From a code text to what the passage flow is told: verification, the status-feed colour and
the repeat lookup; and the camera loop that feeds it. Qt-free, so it is tested without a screen.

The loop runs on its own thread: frame -> QR pipeline -> scan gate -> check -> callback. The
callback is where the Qt bridge hops to the GUI thread; nothing here touches Qt.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from drivers.camera.capture import Capture
from drivers.qr.gate import ScanEvent, ScanGate
from drivers.qr.pipeline import DecodeResult, QrPipeline
from healthcode.results import Rejection, RejectReason, VerificationResult, VerifiedCode
from healthcode.schemes import SchemeRegistry, VerifyContext
from kiosk.app.trust import TrustState
from kiosk.checkpoint.events import CodeScanned

log = logging.getLogger(__name__)

LastPassageLookup = Callable[[str, bytes], datetime | None]
JOIN_TIMEOUT_S = 3.0


class TrustSource(Protocol):
    """Where the current trust state is read (`kiosk.app.trust.TrustKeeper`)."""

    @property
    def state(self) -> TrustState: ...


class CodeChecker:
    """Text in, `CodeScanned` out. Verification is pure CPU (well under a millisecond)."""

    def __init__(
        self,
        registry: SchemeRegistry,
        trust: TrustSource,
        *,
        last_passage: LastPassageLookup | None = None,
        clock: Callable[[], datetime] | None = None,
        clock_tolerance: timedelta = timedelta(minutes=5),
        on_verified_issued_at: Callable[[datetime], None] | None = None,
    ) -> None:
        self.registry = registry
        # a verified code proves the time is at least its issue time (the clock's floor)
        self._on_verified_issued_at = on_verified_issued_at
        self.trust = trust
        self._last_passage = last_passage
        self._clock = clock
        self._tolerance = clock_tolerance
        self._recent: dict[str, VerificationResult] = {}

    @property
    def state(self) -> TrustState:
        return self.trust.state

    def verify(self, text: str, now: datetime) -> VerificationResult:
        state = self.state
        if state.trust_list is None:
            return Rejection(RejectReason.UNKNOWN_KEY, "no trust list yet: enrol the kiosk")
        context = VerifyContext(
            trust=state.trust_list,
            now=now,
            clock_tolerance=self._tolerance,
            recognised_issuers=state.recognised_issuers,
            national_code_prefixes=state.national_code_prefixes,
        )
        result = self.registry.verify(text, context)
        if (
            self._on_verified_issued_at is not None
            and isinstance(result, VerifiedCode)
            and not result.is_foreign
        ):
            self._on_verified_issued_at(result.claims.issued_at_utc)
        if len(self._recent) > 256:
            self._recent.clear()
        self._recent[text] = result
        return result

    def last_passage_of_text(self, text: str) -> datetime | None:
        """For the scan gate: when the code behind this text last passed here. A text not
        verified yet (the first sight of a code since the kiosk started, when the gate asks
        before the check) is verified now, so a code that passed before a restart is a repeat."""
        result = self._recent.get(text)
        if result is None and self._clock is not None:
            result = self.verify(text, self._clock())
        if not isinstance(result, VerifiedCode) or self._last_passage is None:
            return None
        if result.foreign is not None:
            return self._last_passage(result.foreign.issuing_country, result.foreign.code_id)
        return self._last_passage(result.claims.issuer, result.claims.code_id)

    def check(self, text: str, now: datetime, since_last: timedelta | None = None) -> CodeScanned:
        result = self._recent.get(text) or self.verify(text, now)
        own = isinstance(result, VerifiedCode) and not result.is_foreign
        if own and isinstance(result, VerifiedCode) and result.claims.not_before_utc > now:
            result = self.verify(text, now)  # the memo is from another time: verify afresh
        feed = self.state.feed
        entry = None
        if isinstance(result, VerifiedCode) and not result.is_foreign:
            entry = feed.latest(result.claims.issuer, result.claims.code_id)
        return CodeScanned(
            result=result,
            feed_entry=entry,
            feed_age=feed.age(now),
            repeat_since=since_last,
            text=text,
        )


@dataclass(frozen=True)
class CameraScan:
    """A presentation found by the camera loop, with the timings of the frame that showed it."""

    scanned: CodeScanned
    event: ScanEvent
    decode: DecodeResult
    frame_at_s: float  # monotonic time the frame was captured


class CameraScanLoop:
    """frame -> decode -> gate -> check, on one thread; preview frames on the side."""

    def __init__(
        self,
        capture: Capture,
        pipeline: QrPipeline,
        checker: CodeChecker,
        *,
        on_scan: Callable[[CameraScan], None],
        clock: Callable[[], datetime],
        on_frame: Callable[[object], None] | None = None,
        gate: ScanGate | None = None,
    ) -> None:
        self.capture = capture
        self.pipeline = pipeline
        self.checker = checker
        self.gate = gate or ScanGate(last_passage=checker.last_passage_of_text)
        self._on_scan = on_scan
        self._on_frame = on_frame
        self._clock = clock
        self._commands: queue.SimpleQueue[datetime] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="camera-scan", daemon=True)
        self.frames_decoded = 0

    def start(self) -> None:
        self.capture.start()
        self._thread.start()

    def stop(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        self._stop.set()
        self.capture.stop(timeout_s)
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def result_closed(self, now: datetime) -> None:
        """From any thread: the result screen closed (the gate may fire for the same code)."""
        self._commands.put(now)

    def _run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            captured = self.capture.next_frame(seq, timeout_s=0.2)
            while not self._commands.empty():
                self.gate.result_closed(self._commands.get())
            if captured is None:
                continue
            seq = captured.seq
            if self._on_frame is not None:
                self._on_frame(captured.frame)
            try:
                decoded = self.pipeline.decode(captured.frame)
            except Exception:  # a decoder's bug must not stop the camera
                log.exception("decoding a frame failed")
                continue
            self.frames_decoded += 1
            now = self._clock()
            event = self.gate.observe(decoded.texts, now)
            if event is None:
                continue
            since = None
            if event.repeat and event.since_last_s is not None:
                since = timedelta(seconds=event.since_last_s)
            scanned = self.checker.check(event.text, now, since)
            try:
                self._on_scan(CameraScan(scanned, event, decoded, captured.at_s))
            except Exception:
                log.exception("the scan callback failed")
