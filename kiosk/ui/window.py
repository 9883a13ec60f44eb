"""The kiosk's main window: the screens in one stack, wired to the FlowBridge.

It switches screens on the bridge's signals and forwards what staff touch; it decides nothing.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QImage, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QLayout,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from healthcode.text import LocalText
from kiosk.app.scenes import SCENE_SCREENS
from kiosk.app.viewstate import ProgressView, PromptView, ResultView, ScreenLayout, StatusItem
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import PassageField
from kiosk.ui.bridge import FlowBridge
from kiosk.ui.i18n import Language, LanguageSwitch
from kiosk.ui.manual import ManualEntry
from kiosk.ui.override import OverridePanel
from kiosk.ui.passer_entry import PasserEntry
from kiosk.ui.plate_entry import PlateEntry
from kiosk.ui.provisioning_entry import TouchOpens
from kiosk.ui.screens import ResultScreen, ScanScreen

PERSON_TRAIL = "person_trail"  # the duty staff's page of a person's records (kiosk.ui.person_trail)


class PageStack(QStackedWidget):
    """The screens in one stack, which asks the window only for the room of the screen that
    shows: each screen fits the panel by itself, so a large one (the technician's) never makes
    the window larger than the panel while staff scan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else QSize(0, 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        current = self.currentWidget()
        return current.sizeHint() if current is not None else QSize(0, 0)


class RenderedResultScreen(ResultScreen):
    """A result screen that reports when it has been painted (for the latency figures)."""

    rendered = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        self.rendered.emit()


def is_quit_key(event: QKeyEvent) -> bool:
    """Ctrl+Q and Alt+F4 (which arrive as keys where no window manager takes them)."""
    modifiers = event.modifiers()
    if event.key() == Qt.Key.Key_Q and modifiers & Qt.KeyboardModifier.ControlModifier:
        return True
    return event.key() == Qt.Key.Key_F4 and bool(modifiers & Qt.KeyboardModifier.AltModifier)


class KioskWindow(QMainWindow):
    close_requested = Signal()  # locked: someone tried to close the window or quit
    sign_in_requested = Signal()  # 改判 touched with nobody signed in: the sign-in comes first
    records_requested = Signal(object)  # 查看此人记录: the passage's id (uuid.UUID)

    def __init__(
        self,
        bridge: FlowBridge,
        languages: LanguageSwitch,
        *,
        version: str,
        extra_screens: dict[str, QWidget] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.languages = languages
        self.stack = PageStack()
        self.scan = ScanScreen()
        self.result = RenderedResultScreen()
        self.manual = ManualEntry()
        self.override = OverridePanel()
        self.plate = PlateEntry()
        self.passer = PasserEntry()
        self.screens: dict[str, QWidget] = {
            "scan": self.scan,
            "result": self.result,
            "manual": self.manual,
            "override": self.override,
            "plate": self.plate,
            "passer": self.passer,
            **(extra_screens or {}),
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        self.setCentralWidget(self.stack)
        self.scan.status.version.setText(f"v{version}")
        self._wire()
        self.scan.configure_fields(bridge.flow.policy.passage_fields)
        languages.changed.connect(lambda _code: self.retranslate())
        self.retranslate()
        self._locked = False
        self._may_close = False
        self._operator_signed_in = False
        self._override_after_sign_in = False
        self._result_open = False
        self._override_record: uuid.UUID | None = None  # the passage the override panel changes
        self._offered: ResultView | None = None  # the closed result still open to a change
        self.result.set_needs_sign_in(True)

    def set_layout_setting(self, setting: ScreenLayout) -> None:
        """[kiosk] layout: chosen from the panel ("auto"), or forced."""
        self.scan.set_layout_setting(setting)

    # ---------------------------------------------------------------- the kiosk lock

    @property
    def locked(self) -> bool:
        return self._locked

    def set_locked(self, locked: bool) -> None:
        """Locked: no frame, above other windows, and no way to close it or quit (Alt+F4, the
        window's close, Ctrl+Q) except `allow_close()`, which only the technician's screen
        calls after the technician's PIN. Escape never closes the main window."""
        self._locked = locked
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, locked)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, locked)
        app = QApplication.instance()
        if app is not None:
            if locked:
                app.installEventFilter(self)
            else:
                app.removeEventFilter(self)

    def allow_close(self) -> None:
        self._may_close = True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._locked and not self._may_close:
            event.ignore()
            self.close_requested.emit()
            return
        super().closeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            self._locked
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and is_quit_key(event)
        ):
            self.close_requested.emit()
            return True
        return super().eventFilter(watched, event)

    # ---------------------------------------------------------------- wiring

    def _wire(self) -> None:
        bridge = self.bridge
        bridge.prompt_changed.connect(self.show_prompt)
        bridge.result_shown.connect(self.show_result)
        bridge.ready_for_next.connect(self._ready_for_next)
        bridge.override_refused.connect(self._override_refused)
        self.scan.manual_requested.connect(lambda: self.show_screen("manual"))
        self.scan.cancel_requested.connect(bridge.cancel)
        self.scan.language_toggled.connect(self.toggle_language)
        self.scan.fields.changed.connect(bridge.set_passage_fields)
        self.scan.manual_requested.connect(self.manual.reset)
        self.manual.closed.connect(lambda: self.show_screen("scan"))
        self.manual.code_entered.connect(self._manual_code)
        self.manual.id_entered.connect(self._manual_id)
        self.manual.temperature_entered.connect(self._manual_temperature)
        bridge.progress_changed.connect(self.show_progress)
        bridge.override_offer_changed.connect(self._override_offer_changed)
        self.result.override_requested.connect(self._override_shown_result)
        self.scan.override_last_requested.connect(self._override_last)
        self.result.records_requested.connect(self._records_of_shown_result)
        self.scan.records_last_requested.connect(self._records_of_last)
        self.override.submitted.connect(self._submit_override)
        self.override.cancelled.connect(self._override_cancelled)
        TouchOpens(self.scan.fields.plate, self._open_plate)  # gloves: the plate page's keys
        self.plate.accepted.connect(self._plate_typed)
        self.plate.cancelled.connect(lambda: self.show_screen("scan"))
        self.scan.passer_requested.connect(self._open_passer)
        self.passer.accepted.connect(self._passer_typed)
        self.passer.cancelled.connect(lambda: self.show_screen("scan"))

    def show_screen(self, name: str) -> None:
        self.stack.setCurrentWidget(self.screens[name])

    @property
    def current_screen(self) -> str:
        current = self.stack.currentWidget()
        return next(name for name, widget in self.screens.items() if widget is current)

    def show_prompt(self, prompt: PromptView) -> None:
        self.scan.show_prompt(prompt)
        if self.current_screen in {"result", "override", PERSON_TRAIL, *SCENE_SCREENS}:
            return
        if self.current_screen not in {"manual", "plate", "passer"}:
            self.show_screen("scan")

    def show_progress(self, view: ProgressView | None) -> None:
        self.scan.show_progress(view)

    def show_result(self, view: ResultView) -> None:
        self._result_open = True
        self._override_record = view.record_id
        self.result.show_result(view)
        self.show_screen("result")
        # After each vehicle the plate is cleared, unless staff keep it (the flow decides).
        self.scan.fields.show_plate(self.bridge.flow.passage_fields.vehicle_plate)

    def show_status(self, items: tuple[StatusItem, ...]) -> None:
        self.scan.show_status(items)

    def show_frame(self, image: QImage) -> None:
        self.scan.show_frame(image)

    def show_operator(self, name: str | None) -> None:
        self.scan.show_operator(name)
        self._operator_signed_in = bool(name)
        self.result.set_needs_sign_in(not name)
        self.scan.show_override_last(self._offered, needs_sign_in=not name)

    def configure_fields(self, fields: frozenset[PassageField]) -> None:
        self.scan.configure_fields(fields)

    def toggle_language(self) -> None:
        other = Language.EN if self.languages.language is Language.ZH else Language.ZH
        self.languages.set_language(other)

    def retranslate(self) -> None:
        language = self.languages.language
        for screen in self.screens.values():
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                retranslate(language)
        self.setWindowTitle(self.tr("Health-code checkpoint"))

    # ---------------------------------------------------------------- manual entry

    def _open_plate(self) -> None:
        self.plate.open(self.scan.fields.plate.text())
        self.show_screen("plate")

    def _open_passer(self) -> None:
        self.passer.open()
        self.show_screen("passer")

    def _passer_typed(self, full_name: str, phone: str) -> None:
        self.show_screen("scan")
        self.bridge.submit_passer_details(full_name, phone)

    def _plate_typed(self, plate: str) -> None:
        self.scan.fields.set_plate(plate)
        self.show_screen("scan")

    def _manual_code(self, text: str) -> None:
        self.show_screen("scan")
        self.bridge.submit_code_text(text)

    def _manual_id(self, number: str) -> None:
        self.show_screen("scan")
        self.bridge.submit_manual_id(number)

    def _manual_temperature(self, celsius: float) -> None:
        self.show_screen("scan")
        self.bridge.submit_manual_temperature(celsius)

    def _ready_for_next(self) -> None:
        self._result_open = False
        if self.current_screen not in {
            "override",
            "manual",
            "plate",
            *SCENE_SCREENS,  # a pharmacy's or clinic's form stays until saved or cancelled
            "passer",
            PERSON_TRAIL,  # the duty staff read the person's records: until they close them
            *self._sign_in_for_override(),
        }:
            self.show_screen("scan")

    def _sign_in_for_override(self) -> set[str]:
        return {"signin"} if self._override_after_sign_in else set()

    def _override_offer_changed(self, record_id: uuid.UUID | None) -> None:
        """For a while after a result closed, the scan screen offers to change it."""
        last = self.bridge.last_result
        offered = last if last is not None and record_id == last.record_id else None
        self._offered = offered if record_id is not None else None
        self.scan.show_override_last(self._offered, needs_sign_in=not self._operator_signed_in)

    def _override_shown_result(self) -> None:
        view = self.result.view
        self._override_record = view.record_id if view is not None else None
        self._open_override()

    def _override_last(self) -> None:
        """改判上一位 on the scan screen: the same way as the result's 改判, for that passage."""
        if self._offered is None:
            return
        self._override_record = self._offered.record_id
        self._open_override()

    def _records_of_shown_result(self) -> None:
        view = self.result.view
        if view is not None and view.record_id is not None:
            self.records_requested.emit(view.record_id)

    def _records_of_last(self) -> None:
        if self._offered is not None and self._offered.record_id is not None:
            self.records_requested.emit(self._offered.record_id)

    def _submit_override(self, outcome: Outcome, reason: str) -> None:
        self.bridge.request_override(outcome, reason, self._override_record)

    def _open_override(self) -> None:
        """With nobody signed in, 改判 opens the sign-in first (its button says so) and the
        override follows it, rather than refusing at 确认 after the form is filled."""
        if not self._operator_signed_in:
            self._override_after_sign_in = True
            self.sign_in_requested.emit()
            return
        self.override.reset()
        self.show_screen("override")

    def after_sign_in(self) -> None:
        """The sign-in succeeded: back to the override it was opened for, else to scanning."""
        wanted, self._override_after_sign_in = self._override_after_sign_in, False
        if wanted and self._operator_signed_in:
            self._open_override()
        else:
            self.show_screen("scan")

    def sign_in_closed(self) -> None:
        self._override_after_sign_in = False
        self.show_screen("scan")

    def _override_cancelled(self) -> None:
        """Back to the result while it still shows; once it has closed, back to scanning."""
        self.show_screen("result" if self._result_open else "scan")

    def _override_refused(self, why: LocalText) -> None:
        self.override.show_refusal(why)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(self.tr("Health-code checkpoint"))
        super().changeEvent(event)
