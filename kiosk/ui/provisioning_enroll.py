"""The technician's enrollment page: enroll with central from a typed or scanned code, show the
checkpoint, reset with confirmation. The work is the `TechnicianSession`'s; enrolling, scanning
and resetting run off the GUI thread. Touching the address or the code field asks for the on-screen
keys (`edit_requested`, kiosk/ui/provisioning_entry.py).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.text_keys import TextKind
from kiosk.sessions.provisioning import EnrolledAs, ResetRefusedError, parse_enrollment_text
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.fitting import keep_words_whole, touch_scroll
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning_entry import Entry, TouchOpens
from kiosk.ui.provisioning_widgets import TECH_BUTTON_STYLE, button, label, line


class EnrollmentPage(QWidget):
    enrolled = Signal(object)  # EnrolledAs
    reset_done = Signal()
    finished = Signal(str)  # "enroll", "scan", "reset": a step ended (whatever its result)
    edit_requested = Signal(object)  # Entry: a field was touched, type it on the keys

    def __init__(
        self,
        background: Background,
        session: TechnicianSession,
        camera_source: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._background = background
        self._session = session
        self._camera_source = camera_source
        self.busy: set[str] = set()
        self.current: EnrolledAs | None = None

        self.url_caption, self.code_caption = label(True), label(True)
        self.url_edit = line()
        self.url_edit.setText(session.config.central.url)
        self.code_edit = line()
        for edit in (self.url_edit, self.code_edit):
            TouchOpens(edit, lambda e=edit: self.request_edit(e))
        self.scan_button = button(self.scan_code)
        self.enroll_button = button(self.enroll)
        self.message = label()
        self.enrolled_title = label(True)
        self.enrolled_label = label()
        self.enrolled_label.setFont(style.font(style.BODY_PT, bold=True))
        self.reset_button = button(self.ask_reset)
        self.confirm_label = label()
        self.confirm_button = button(self.confirm_reset)
        self.cancel_button = button(self.cancel_reset)
        self.confirm_button.setStyleSheet(
            TECH_BUTTON_STYLE + f" QPushButton {{ background: {style.STATUS_BAD}; color: white; }}"
        )
        self.confirm_panel = QWidget()
        panel = QHBoxLayout(self.confirm_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.confirm_label, 1)
        panel.addWidget(self.confirm_button)
        panel.addSpacing(style.SPACING_PX * 2)  # apart: no touch lands on both
        panel.addWidget(self.cancel_button)
        self.confirm_panel.setVisible(False)

        form = QWidget()
        fields = QGridLayout(form)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.addWidget(self.url_caption, 0, 0, 1, 2)
        fields.addWidget(self.url_edit, 1, 0, 1, 2)
        fields.addWidget(self.code_caption, 2, 0, 1, 2)
        fields.addWidget(self.code_edit, 3, 0)
        fields.addWidget(self.scan_button, 3, 1)
        fields.setRowMinimumHeight(4, style.SPACING_PX)
        fields.addWidget(self.enrolled_title, 5, 0, 1, 2)
        fields.addWidget(self.enrolled_label, 6, 0)
        fields.addWidget(self.reset_button, 6, 1)
        fields.setColumnStretch(0, 1)
        fields.setRowStretch(7, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.enroll_button)
        layout = QVBoxLayout(self)
        layout.addWidget(touch_scroll(form), 1)
        layout.addWidget(self.confirm_panel)  # the answers stay in sight
        layout.addLayout(actions)

    def retranslate(self, language: Language) -> None:
        self.url_caption.setText(self.tr("Central service address"))
        self.code_caption.setText(self.tr("Enrollment code"))
        self.code_edit.setPlaceholderText(self.tr("Type the code, or scan its QR code"))
        self.scan_button.setText(self.tr("Scan with the camera"))
        self.enroll_button.setText(self.tr("Enroll"))
        self.enrolled_title.setText(self.tr("This kiosk is enrolled as"))
        self.reset_button.setText(self.tr("Reset (de-enroll)…"))
        self.confirm_label.setText(
            self.tr(
                "Reset this kiosk? It forgets its checkpoint and deletes the passages central has received."  # noqa: E501 - one string for translation
            )
        )
        self.confirm_button.setText(self.tr("Yes, reset"))
        self.cancel_button.setText(self.tr("Cancel"))
        keep_words_whole(
            (self.scan_button, self.enroll_button, self.reset_button, self.confirm_button,
             self.cancel_button)
        )  # fmt: skip
        self.show_current()

    def request_edit(self, edit: QLineEdit) -> None:
        """Ask for the keys to fill `edit` by touch: a URL's, or an enrollment code's."""
        if edit is self.url_edit:
            entry = Entry(edit, self.tr("Central service address"), TextKind.ADDRESS)
        else:
            entry = Entry(edit, self.tr("Enrollment code"), TextKind.ENROLLMENT_CODE)
        self.edit_requested.emit(entry)

    def show_current(self) -> None:
        """Read the enrollment kept in the data folder and show it."""
        self.current = self._session.enrolled_as()
        if self.current is None:
            self.enrolled_label.setText(self.tr("Not enrolled."))
        else:
            kinds = {
                "enterprise_gate": self.tr("Enterprise gate"),
                "residential_compound": self.tr("Residential compound"),
                "village": self.tr("Village"),
                "road_junction": self.tr("Road junction"),
                "clinic": self.tr("Clinic"),
                "pharmacy": self.tr("Pharmacy"),
                "transit_vehicle": self.tr("Public transport (vehicle)"),
                "transit_station": self.tr("Public transport (station)"),
                "shop": self.tr("Shop or supermarket"),
                "hotel": self.tr("Hotel"),
                "school": self.tr("School"),
                "public_building": self.tr("Public building"),
            }
            kind = kinds.get(self.current.checkpoint_type, self.current.checkpoint_type)
            self.enrolled_label.setText(f"{self.current.checkpoint_name} ({kind})")
        self.reset_button.setEnabled(self.current is not None)
        self.enroll_button.setEnabled(self.current is None)

    def _say(self, text: str, ok: bool | None = None) -> None:
        colour = {True: style.STATUS_OK, False: style.STATUS_BAD, None: style.TEXT}[ok]
        self.message.setStyleSheet(f"QLabel {{ color: {colour}; }}")
        self.message.setText(text)

    # ------------------------------------------------------------ enroll

    def scan_code(self) -> None:
        """Look for the enrollment code's QR with the camera (the kiosk's decoding pipeline)."""
        source = self._camera_source()
        if not source:
            self._say(self.tr("Pick a camera on the Devices page first."), False)
            return
        if "scan" in self.busy:
            return
        self.busy.add("scan")
        self._say(self.tr("Hold the enrollment QR code in front of the camera…"))

        def done(look: object) -> None:
            self.busy.discard("scan")
            text = getattr(look, "text", None)
            if not text:
                self._say(self.tr("No QR code seen. Hold it closer and scan again."), False)
            else:
                url, code = parse_enrollment_text(text)
                if url:
                    self.url_edit.setText(url)
                self.code_edit.setText(code)
                self._say(self.tr("Code scanned."), True)
            self.finished.emit("scan")

        def failed(error: BaseException) -> None:
            self.busy.discard("scan")
            self._say(self.tr("The camera cannot be used: %1").replace("%1", str(error)), False)
            self.finished.emit("scan")

        look = self._session.look_through_camera
        self._background.run(lambda: look(source, frames=60), done, failed)

    def enroll(self) -> None:
        url, code = self.url_edit.text().strip(), self.code_edit.text().strip()
        if not url.startswith(("http://", "https://")):
            self._say(self.tr("Type central's address, starting with https://"), False)
            return
        if not code:
            self._say(self.tr("Type or scan the enrollment code."), False)
            return
        if "enroll" in self.busy:
            return
        self.busy.add("enroll")
        self.enroll_button.setEnabled(False)
        self._say(self.tr("Enrolling…"))

        def done(result: EnrolledAs) -> None:
            self.busy.discard("enroll")
            self.code_edit.clear()
            self._say(self.tr("Enrolled."), True)
            self.show_current()
            self.enrolled.emit(result)
            self.finished.emit("enroll")

        def failed(error: BaseException) -> None:
            self.busy.discard("enroll")
            self.enroll_button.setEnabled(True)
            reason = getattr(error, "reason", "")
            if reason == "network":
                text = self.tr("Central cannot be reached: check the address and the network.")
            elif reason in {"invalid_code", "code_expired", "code_used", "unknown_code"}:
                text = self.tr("Central refused the code (%1): ask for a new one.").replace(
                    "%1", reason
                )
            else:
                text = self.tr("Enrollment failed: %1").replace("%1", str(error))
            self._say(text, False)
            self.finished.emit("enroll")

        enroll = self._session.enroll
        self._background.run(lambda: enroll(url, code), done, failed)

    # ------------------------------------------------------------ reset

    def ask_reset(self) -> None:
        self.confirm_panel.setVisible(self.current is not None)

    def cancel_reset(self) -> None:
        self.confirm_panel.setVisible(False)

    def confirm_reset(self) -> None:
        self.confirm_panel.setVisible(False)
        if "reset" in self.busy:
            return
        self.busy.add("reset")

        def done(deleted: int) -> None:
            self.busy.discard("reset")
            self._say(
                self.tr("Reset: %n passage(s) deleted. The kiosk is not enrolled.", "", deleted),
                True,
            )
            self.show_current()
            self.reset_done.emit()
            self.finished.emit("reset")

        def failed(error: BaseException) -> None:
            self.busy.discard("reset")
            if isinstance(error, ResetRefusedError):
                text = self.tr(
                    "Not reset: %n record(s) are not uploaded yet. Connect the network and wait for the upload (or export the backlog), then reset.",  # noqa: E501 - one string for translation
                    "",
                    error.backlog,
                )
            else:
                text = self.tr("Reset failed: %1").replace("%1", str(error))
            self._say(text, False)
            self.finished.emit("reset")

        reset, now = self._session.reset_enrollment, self._session.now()
        self._background.run(lambda: reset(now), done, failed)
