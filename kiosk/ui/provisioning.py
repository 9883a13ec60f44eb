"""The technician's screen, behind the technician's PIN: devices, enrollment, staff and passage
fields, and the only way out of a locked kiosk. What it does is a `TechnicianSession`'s
(kiosk/sessions/technician.py); the pages draw and forward.

On a kiosk that has no technician yet (first start) the screen asks for a new technician PIN,
twice, instead. While it is unlocked the kiosk's own drivers are stopped (`unlocked`), so the
tests here can open the ports; `closed` re-opens them with whatever was saved.

Left alone (no touch, click or key for `IDLE_TIMEOUT_S`) it closes itself as "Close" would, so a
technician called away does not leave the kiosk's settings and its way out open at the gate;
it waits for a device test, a save or an enrollment under way to end first.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.checkpoint.access import AccessResult, pin_may_be_set
from kiosk.sessions import staff
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.exit_confirm import ExitConfirmation
from kiosk.ui.fitting import keep_words_whole
from kiosk.ui.i18n import Language
from kiosk.ui.pinpad import AccessGate, PinPad
from kiosk.ui.provisioning_devices import DevicesPage
from kiosk.ui.provisioning_enroll import EnrollmentPage
from kiosk.ui.provisioning_entry import Entry, FieldEditor
from kiosk.ui.provisioning_staff import StaffPage
from kiosk.ui.provisioning_widgets import TAB_STYLE, TECH_BUTTON_STYLE
from kiosk.ui.supervisor_pages import PAD_MAX_PX, centred

TECHNICIAN = "technician"  # the purpose written to the audit log
PIN_PAGE, MAIN_PAGE, EXIT_PAGE, EDIT_PAGE = 0, 1, 2, 3
IDLE_TIMEOUT_S = 300
LOW_PX = 720  # below this height the exit button moves up beside the title
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.Wheel,
    }
)


class ProvisioningView(QWidget):
    unlocked = Signal(str)  # operator id of the technician
    closed = Signal()
    exit_requested = Signal()  # leave the kiosk application (the lock's only way out)

    def __init__(
        self,
        session: TechnicianSession,
        gate: AccessGate,
        *,
        language: Language = Language.ZH,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(idle_timeout_s * 1000))
        self._idle.timeout.connect(self._on_idle)
        self._watching_input = False
        self._session = session
        self._gate = gate
        self._operator: str | None = None
        self._first_pin: str | None = None  # first start: the new PIN typed once so far
        self._choosing_new = False
        self._language = language
        self._background = Background(self, threads=3)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")

        self.pad = PinPad(session.now, language=language)
        self.pad.setMaximumWidth(PAD_MAX_PX)
        self.pad.entered.connect(self._entered)
        self.pad.cancelled.connect(self.close_view)
        pin_page = centred(self.pad)

        self.devices = DevicesPage(self._background, session)
        self.enrollment = EnrollmentPage(
            self._background,
            session,
            camera_source=lambda: str(self.devices.camera_combo.currentData() or ""),
        )
        self.staff = StaffPage(self._background, session)
        self.tabs = QTabWidget()
        self.tabs.setFont(style.font(style.STATUS_PT + 2))
        self.tabs.setStyleSheet(TAB_STYLE)
        for page in (self.devices, self.enrollment, self.staff):
            self.tabs.addTab(page, "")
        self.title = QLabel()
        self.title.setFont(style.font(style.PROMPT_PT - 12, bold=True))
        self.title.setWordWrap(True)
        self.close_button = QPushButton()
        self.exit_button = QPushButton()
        self.close_button.setStyleSheet(TECH_BUTTON_STYLE)
        self.exit_button.setStyleSheet(
            TECH_BUTTON_STYLE + f" QPushButton {{ background: {style.STATUS_BAD}; color: white; }}"
        )
        self.close_button.clicked.connect(self.close_view)
        self.exit_button.clicked.connect(self.ask_to_leave)
        main_page = QWidget()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        # Leaving the application sits apart from 关闭, bottom left (on a low panel top left, the
        # title between them), and asks once more.
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, style.SPACING_PX, 0, 0)
        bottom.addWidget(self.exit_button)
        bottom.addStretch(1)
        self._top, self._bottom = top, bottom
        self._exit_on_top: bool | None = None
        main = QVBoxLayout(main_page)
        main.setContentsMargins(0, 0, 0, 0)
        main.addLayout(top)
        main.addWidget(self.tabs, 1)
        main.addLayout(bottom)
        self.exit_confirmation = ExitConfirmation()
        self.exit_confirmation.confirmed.connect(self.leave_application)
        self.exit_confirmation.cancelled.connect(
            lambda: self.pages.setCurrentIndex(MAIN_PAGE if self._operator else PIN_PAGE)
        )

        self.pages = QStackedWidget()
        self.pages.addWidget(pin_page)
        self.pages.addWidget(main_page)
        self.pages.addWidget(self.exit_confirmation)
        self.field_editor = FieldEditor()  # a field of a tab typed on the on-screen keys
        self.field_editor.finished.connect(self._edit_finished)
        self.pages.addWidget(self.field_editor)
        self.enrollment.edit_requested.connect(self.edit)
        self.staff.edit_requested.connect(self.edit)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(style.SPACING_PX, style.SPACING_PX, style.SPACING_PX, 8)
        outer.addWidget(self.pages)
        gate.roster_loaded.connect(self._roster_loaded)
        gate.checked.connect(self._on_checked)
        self.retranslate(language)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._place_exit(on_top=event.size().height() < LOW_PX)
        super().resizeEvent(event)

    def _place_exit(self, *, on_top: bool) -> None:
        if on_top == (self._exit_on_top or False):
            self._exit_on_top = on_top
            return
        self._exit_on_top = on_top
        (self._bottom if on_top else self._top).removeWidget(self.exit_button)
        if on_top:
            self._top.insertWidget(0, self.exit_button)
            self._top.insertSpacing(1, style.SPACING_PX * 2)
        else:
            spacing = self._top.itemAt(0)
            if spacing is not None and spacing.spacerItem() is not None:
                self._top.removeItem(spacing)
            self._bottom.insertWidget(0, self.exit_button)

    # ------------------------------------------------------------ public

    @property
    def operator_id(self) -> str | None:
        return self._operator

    @property
    def first_start(self) -> bool:
        """No technician yet: the PIN typed (twice) becomes the technician's."""
        return not self._gate.operators(staff.TECHNICIAN_ROLES)

    def start(self) -> None:
        """Lock and ask for the technician's PIN (reloading the staff): call when shown."""
        self.lock()
        self._gate.load()

    def lock(self) -> None:
        self._stop_idle_watch()
        if self._operator is not None:
            self._gate.audit(self._operator, "technician_close", {})
        self._operator = None
        self._first_pin = None
        if self.field_editor.entry is not None:
            self.field_editor.cancel()  # what was half typed (a PIN) goes
        self.staff.clear_problems()
        self.pad.clear()
        self.pages.setCurrentIndex(PIN_PAGE)
        self._prompt()
        self.pad.setFocus()

    def unlock(self, pin: str) -> None:
        """Enter a PIN as if typed on the pad."""
        self._entered(pin)

    def close_view(self) -> None:
        self.lock()
        self.closed.emit()

    def ask_to_leave(self) -> None:
        """Ask before leaving the application: one touch on the red button is not enough."""
        if self._operator is None:
            return
        self.pages.setCurrentIndex(EXIT_PAGE)

    def edit(self, entry: Entry) -> None:
        """Type into a tab's field on the on-screen keys, on a page of its own."""
        if self._operator is None:
            return
        self.field_editor.open(entry)
        self.pages.setCurrentIndex(EDIT_PAGE)

    def _edit_finished(self) -> None:
        self.pages.setCurrentIndex(MAIN_PAGE if self._operator else PIN_PAGE)

    def leave_application(self) -> None:
        """Only an unlocked technician gets here, through the confirmation."""
        if self._operator is None:
            return
        self._gate.audit(self._operator, "application_exit", {})
        self.exit_requested.emit()

    def shutdown(self) -> None:
        self._stop_idle_watch()
        self._background.shutdown()

    def set_idle_timeout(self, seconds: float) -> None:
        """How long the unlocked screen waits for a touch before it closes itself."""
        self._idle.setInterval(int(seconds * 1000))

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.pad.retranslate(language)
        self._prompt()
        self.title.setText(self.tr("Technician"))
        self.close_button.setText(self.tr("Close"))
        self.exit_button.setText(self.tr("Leave the kiosk application"))
        self.exit_confirmation.retranslate()
        self.field_editor.retranslate(language)
        self.tabs.setTabText(0, self.tr("Devices"))
        self.tabs.setTabText(1, self.tr("Enrollment"))
        self.tabs.setTabText(2, self.tr("Staff and passage fields"))
        keep_words_whole((self.close_button, self.exit_button))
        self.devices.retranslate(language)
        self.enrollment.retranslate(language)
        self.staff.retranslate(language)

    # ------------------------------------------------------------ unlocking

    def _prompt(self) -> None:
        if not self._gate.loaded:
            self.pad.set_prompt(self.tr("Technician PIN"))
        elif self.first_start and self._first_pin is None:
            self.pad.set_prompt(self.tr("First start: choose the technician PIN (6-12 digits)"))
        elif self.first_start:
            self.pad.set_prompt(self.tr("Enter the new technician PIN again"))
        else:
            self.pad.set_prompt(self.tr("Technician PIN"))
            self.pad.show_locked(self._gate.locked_until(staff.TECHNICIAN_ID))

    def _roster_loaded(self) -> None:
        if self._operator is None:
            self._prompt()

    def _entered(self, pin: str) -> None:
        if not self._gate.loaded:
            return
        if not self.first_start:
            self.pad.set_busy(True)
            self._gate.check(staff.TECHNICIAN_ID, pin, TECHNICIAN, staff.TECHNICIAN_ROLES)
            return
        if self._first_pin is None:
            if not pin_may_be_set(pin):
                self.pad.say(self.tr("Too short: a new PIN has 6 to 12 digits."))
                return
            self._first_pin = pin
            self._prompt()
            return
        if pin != self._first_pin:
            self._first_pin = None
            self._prompt()
            self.pad.say(self.tr("The two PINs differ. Choose it again."))
            return
        self.pad.set_busy(True)
        session, name = self._session, self.tr("Technician")

        def keep() -> None:
            session.set_pin(staff.TECHNICIAN_ID, name, staff.TECHNICIAN_ROLE, pin)

        self._background.run(keep, lambda _: self._technician_created(), self._create_failed)

    def _technician_created(self) -> None:
        self.pad.set_busy(False)
        self._gate.audit(staff.TECHNICIAN_ID, "technician_pin_set", {"first": True})
        self._gate.load()
        self._open(staff.TECHNICIAN_ID)

    def _create_failed(self, error: BaseException) -> None:
        self.pad.set_busy(False)
        self._first_pin = None
        self._prompt()
        self.pad.message_label.setText(self.tr("Not saved: %1").replace("%1", str(error)))

    def _on_checked(self, result: AccessResult, purpose: str) -> None:
        if purpose != TECHNICIAN:
            return
        self.pad.show_result(result)
        if result.granted:
            self._open(result.operator_id)

    def _open(self, operator_id: str) -> None:
        self._operator = operator_id
        self._gate.audit(operator_id, "technician_open", {})
        self._start_idle_watch()
        self.pages.setCurrentIndex(MAIN_PAGE)
        self.tabs.setCurrentIndex(0)
        self.enrollment.show_current()
        self.unlocked.emit(operator_id)
        self.devices.refresh()

    # ------------------------------------------------------------ left alone

    def _start_idle_watch(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._watching_input:
            app.installEventFilter(self)  # a touch anywhere on the screen counts
            self._watching_input = True
        self._idle.start()

    def _stop_idle_watch(self) -> None:
        self._idle.stop()
        app = QApplication.instance()
        if app is not None and self._watching_input:
            app.removeEventFilter(self)
        self._watching_input = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._operator is not None and event.type() in _INPUT_EVENTS:
            self._idle.start()  # the countdown starts again
        return False

    def _on_idle(self) -> None:
        if self._operator is None:
            return
        if self._busy():
            self._idle.start()  # never close under a device test, a save or an enrollment
            return
        self._gate.audit(self._operator, "technician_idle", {})
        self.close_view()

    def _busy(self) -> bool:
        """A test, save, scan or enrollment under way: every page's work runs on this pool, and
        each is bounded (a reading, 60 camera frames, one request)."""
        return self._background.busy
