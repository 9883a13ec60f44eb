"""FlowBridge: the one QObject that owns the passage flow, its timer, and the hop from worker
threads to the GUI thread.

Drivers and the camera loop call `post_*` from their own threads; each posts a queued signal,
so every flow event is handled on the GUI thread, in order. Effects are carried out here: a
passage is handed to the store's writer and its result is shown only once the write is durable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from drivers.serialio.events import DeviceStateEvent
from healthcode.text import LocalText
from kiosk.app.scanning import CameraScan, CodeChecker
from kiosk.app.viewstate import PromptView, ResultView, result_view
from kiosk.checkpoint.clock import TrustedClock
from kiosk.checkpoint.events import (
    CancelRequested,
    ClockTrustChanged,
    CodeScanned,
    Effect,
    Event,
    IdCardRead,
    OperatorSignedIn,
    OverrideRequested,
    PassageFieldsChanged,
    PlaySound,
    Prompt,
    ReadyForNext,
    RefuseOverride,
    ReportFever,
    SaveOverride,
    SavePassage,
    ShowPrompt,
    ShowResult,
    TemperatureRead,
    Tick,
)
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.outcome import Outcome
from kiosk.store import Store

log = logging.getLogger(__name__)

TICK_MS = 100


class TemperatureSource(Protocol):
    def take_fresh(
        self, now_utc: datetime, max_age_s: float, *, not_before_utc: datetime | None = None
    ) -> Any: ...


@dataclass(frozen=True)
class ScanTiming:
    """For the latency figures: when the frame was captured and when its result was shown."""

    frame_at_s: float
    decode_ms: float


class FlowBridge(QObject):
    prompt_changed = Signal(object)  # PromptView
    result_shown = Signal(object)  # ResultView
    ready_for_next = Signal()
    override_refused = Signal(object)  # LocalText
    device_changed = Signal(object)  # DeviceStateEvent
    save_failed = Signal(str)
    passage_saved = Signal(bool)  # durable; True for a fever (its report waits in the outbox)
    sound_requested = Signal(object)  # Outcome or Prompt

    _event_posted = Signal(object)
    _scan_posted = Signal(object)
    _device_posted = Signal(object)
    _saved = Signal(object, object)

    def __init__(
        self,
        flow: PassageFlow,
        store: Store,
        checker: CodeChecker,
        *,
        clock: TrustedClock,
        wall_clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        temperature: TemperatureSource | None = None,
        on_result_closed: Callable[[datetime], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        self.store = store
        self.checker = checker
        self.clock = clock
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self.temperature = temperature
        self._on_result_closed = on_result_closed
        self._clock_trusted: bool | None = None
        self._wants_temperature_since: datetime | None = None
        self.last_timing: ScanTiming | None = None
        self.last_result: ResultView | None = None
        self.last_prompt: PromptView | None = None
        self._event_posted.connect(self._handle_posted)
        self._scan_posted.connect(self._handle_scan)
        self._device_posted.connect(self.device_changed)
        self._saved.connect(self._after_save)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        self._timer.start()
        self.prompt_changed.emit(PromptView(Prompt.SCAN))

    def stop(self) -> None:
        self._timer.stop()

    def now(self) -> datetime:
        reading = self.clock.read(self._wall_clock(), self._monotonic())
        if reading.trusted != self._clock_trusted:
            self._clock_trusted = reading.trusted
            self._run(self.flow.handle(ClockTrustChanged(reading.trusted), reading.now_utc))
        return reading.now_utc

    @property
    def clock_trusted(self) -> bool:
        return bool(self._clock_trusted)

    # ---------------------------------------------------------------- from any thread

    def post_scan(self, scan: CameraScan) -> None:
        self._scan_posted.emit(scan)

    def post_event(self, event: Event) -> None:
        self._event_posted.emit(event)

    def post_device_state(self, event: DeviceStateEvent) -> None:
        self._device_posted.emit(event)

    def post_identity(self, id_number: str, masked_name: str | None) -> None:
        self._event_posted.emit(IdCardRead(id_number, masked_name))

    # ---------------------------------------------------------------- GUI thread

    @Slot()
    def tick(self) -> None:
        now = self.now()
        self._pull_temperature(now)
        self._run(self.flow.handle(Tick(), now))

    def submit_code_text(self, text: str) -> None:
        """A code typed by staff: a repeat is told by the code's last passage here."""
        now = self.now()
        self.checker.verify(text, now)
        last = self.checker.last_passage_of_text(text)
        since = now - last if last is not None else None
        if since is not None and since > self.flow.policy.repeat_window:
            since = None
        self.handle(self.checker.check(text, now, since), now)

    def submit_manual_temperature(self, celsius: float) -> None:
        now = self.now()
        self.handle(TemperatureRead(celsius, now, manual=True), now)

    def submit_manual_id(self, id_number: str) -> None:
        self.handle(IdCardRead(id_number, None, manual=True), self.now())

    def request_override(self, outcome: Outcome, reason: str) -> None:
        self.handle(OverrideRequested(outcome, reason), self.now())

    def cancel(self) -> None:
        self.handle(CancelRequested(), self.now())

    def sign_in(self, operator_id: str | None) -> None:
        self.handle(OperatorSignedIn(operator_id), self.now())

    def set_passage_fields(self, fields: PassageFieldsChanged) -> None:
        self.handle(fields, self.now())

    def handle(self, event: Event, now: datetime) -> None:
        self._run(self.flow.handle(event, now))
        if isinstance(event, CodeScanned):
            self._pull_temperature(now)

    @Slot(object)
    def _handle_posted(self, event: Event) -> None:
        now = self.now()
        if isinstance(event, IdCardRead | TemperatureRead | CodeScanned):
            self.handle(event, now)
        else:
            self._run(self.flow.handle(event, now))

    @Slot(object)
    def _handle_scan(self, scan: CameraScan) -> None:
        self.last_timing = ScanTiming(scan.frame_at_s, scan.decode.ms)
        self.handle(scan.scanned, self.now())

    def _pull_temperature(self, now: datetime) -> None:
        if self.temperature is None or self._wants_temperature_since is None:
            return
        max_age = self.flow.policy.max_reading_age
        reading = self.temperature.take_fresh(
            now, max_age.total_seconds(), not_before_utc=self._wants_temperature_since
        )
        if reading is not None:
            self._run(
                self.flow.handle(
                    TemperatureRead(reading.body_celsius, reading.measured_at_utc), now
                )
            )

    # ---------------------------------------------------------------- effects

    def _run(self, effects: Sequence[Effect]) -> None:
        for index, effect in enumerate(effects):
            if isinstance(effect, SavePassage):
                future = self.store.passages.record(effect.record)
                rest = list(effects[index + 1 :])
                fever = effect.record.fever
                future.add_done_callback(
                    lambda done, rest=rest, fever=fever: self._saved.emit(done, (rest, fever))
                )
                return  # the rest waits for the write to be durable
            self._apply(effect)

    @Slot(object, object)
    def _after_save(self, future: Future[int], after: tuple[list[Effect], bool]) -> None:
        rest, fever = after
        error = future.exception()
        if error is not None:
            log.error("a passage could not be stored: %s", type(error).__name__)
            self.save_failed.emit(type(error).__name__)
        else:
            self.passage_saved.emit(fever)
        self._run(rest)

    def _apply(self, effect: Effect) -> None:
        if isinstance(effect, ShowPrompt):
            self._track_temperature_wish(effect)
            self.last_prompt = PromptView(effect.prompt, effect.missing)
            self.prompt_changed.emit(self.last_prompt)
            if effect.prompt is Prompt.REMEASURE:
                self.sound_requested.emit(Prompt.REMEASURE)
        elif isinstance(effect, ShowResult):
            self._wants_temperature_since = None
            self.last_result = result_view(effect)
            self.result_shown.emit(self.last_result)
        elif isinstance(effect, PlaySound):
            self.sound_requested.emit(effect.outcome)
        elif isinstance(effect, ReadyForNext):
            self._wants_temperature_since = None
            now = self.now()
            if self._on_result_closed is not None:
                self._on_result_closed(now)
            self.last_prompt = PromptView(Prompt.SCAN)
            self.ready_for_next.emit()
            self.prompt_changed.emit(self.last_prompt)
        elif isinstance(effect, SaveOverride):
            self.store.passages.record_override(effect)
        elif isinstance(effect, RefuseOverride):
            zh, en = effect.why
            self.override_refused.emit(LocalText(zh, en))
        elif isinstance(effect, ReportFever):
            # The fever report is queued first in the outbox with the passage itself.
            log.info("fever referred for observation; report queued for upload")

    def _track_temperature_wish(self, effect: ShowPrompt) -> None:
        wanted = {Prompt.MEASURE, Prompt.REMEASURE}
        if effect.prompt is Prompt.REMEASURE:
            # Only a reading taken after the prompt counts as the second measurement.
            self._wants_temperature_since = self.now() + timedelta(milliseconds=1)
        elif wanted & {effect.prompt, *effect.missing}:
            if self._wants_temperature_since is None:
                max_age = self.flow.policy.max_reading_age
                self._wants_temperature_since = self.now() - max_age
        else:
            self._wants_temperature_since = None
