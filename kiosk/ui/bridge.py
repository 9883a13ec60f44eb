"""FlowBridge: the passage flow's Qt face. The app's `FlowDriver` does the work on the GUI
thread (the app thread the window provides); this QObject ticks it with the one timer and
turns what it tells the screens into signals."""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from healthcode.text import LocalText
from kiosk.app.flow import TICK_MS, FlowDriver, FlowListener, ScanTiming, TemperatureSource
from kiosk.app.scanning import CameraScan
from kiosk.app.speech import Utterance
from kiosk.app.viewstate import ProgressView, PromptView, ResultView
from kiosk.checkpoint.events import Event, PassageFieldsChanged, PasserDetailsTyped
from kiosk.checkpoint.outcome import Outcome

__all__ = ["FlowBridge", "ScanTiming"]


class _Signals(FlowListener):
    def __init__(self, bridge: FlowBridge) -> None:
        self._bridge = bridge

    def prompt_changed(self, view: PromptView) -> None:
        self._bridge.prompt_changed.emit(view)

    def result_shown(self, view: ResultView) -> None:
        self._bridge.result_shown.emit(view)

    def ready_for_next(self) -> None:
        self._bridge.ready_for_next.emit()

    def override_refused(self, text: LocalText) -> None:
        self._bridge.override_refused.emit(text)

    def save_failed(self, error: str) -> None:
        self._bridge.save_failed.emit(error)

    def passage_saved(self, fever: bool) -> None:
        self._bridge.passage_saved.emit(fever)

    def sound_requested(self, utterance: Utterance) -> None:
        self._bridge.sound_requested.emit(utterance)

    def progress_changed(self, view: ProgressView | None) -> None:
        self._bridge.progress_changed.emit(view)

    def override_offer_changed(self, record_id: uuid.UUID | None) -> None:
        self._bridge.override_offer_changed.emit(record_id)


class FlowBridge(QObject):
    prompt_changed = Signal(object)  # PromptView
    result_shown = Signal(object)  # ResultView
    ready_for_next = Signal()
    override_refused = Signal(object)  # LocalText
    save_failed = Signal(str)
    passage_saved = Signal(bool)  # durable; True for a fever (its report waits in the outbox)
    sound_requested = Signal(object)  # Utterance
    progress_changed = Signal(object)  # ProgressView | None: the person in progress
    override_offer_changed = Signal(object)  # uuid.UUID | None: the closed result to change

    def __init__(self, driver: FlowDriver, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.driver = driver
        self.flow = driver.flow
        self.store = driver.store
        self.checker = driver.checker
        driver.listeners.append(_Signals(self))
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(driver.tick)

    def start(self) -> None:
        """The ticks (the app's `start` has started the driver)."""
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.driver.stop()

    # What tests and the bench read; the driver keeps it.
    @property
    def temperature(self) -> TemperatureSource | None:
        return self.driver.temperature

    @property
    def last_timing(self) -> ScanTiming | None:
        return self.driver.last_timing

    @property
    def last_result(self) -> ResultView | None:
        return self.driver.last_result

    @property
    def last_prompt(self) -> PromptView | None:
        return self.driver.last_prompt

    @property
    def last_progress(self) -> ProgressView | None:
        return self.driver.last_progress

    @property
    def clock_trusted(self) -> bool:
        return self.driver.clock_trusted

    def now(self) -> datetime:
        return self.driver.now()

    def tick(self) -> None:
        self.driver.tick()

    def post_scan(self, scan: CameraScan) -> None:
        self.driver.post_scan(scan)

    def post_event(self, event: Event) -> None:
        self.driver.post_event(event)

    def submit_code_text(self, text: str) -> None:
        self.driver.submit_code_text(text)

    def submit_manual_temperature(self, celsius: float) -> None:
        self.driver.submit_manual_temperature(celsius)

    def submit_manual_id(self, id_number: str) -> None:
        self.driver.submit_manual_id(id_number)

    def request_override(
        self, outcome: Outcome, reason: str, record_id: uuid.UUID | None = None
    ) -> None:
        self.driver.request_override(outcome, reason, record_id)

    def cancel(self) -> None:
        self.driver.cancel()

    def sign_in(self, operator_id: str | None) -> None:
        self.driver.sign_in(operator_id)

    def set_passage_fields(self, fields: PassageFieldsChanged) -> None:
        self.driver.set_passage_fields(fields)

    def submit_passer_details(self, full_name: str, phone: str) -> None:
        details = PasserDetailsTyped(full_name or None, phone or None)
        self.driver.handle(details, self.driver.now())

    def handle(self, event: Event, now: datetime) -> None:
        self.driver.handle(event, now)
