"""The technician's enrollment page (enroll with central from a typed or scanned code, show the
checkpoint, reset with confirmation) and staff page (supervisor PINs, the technician's own PIN,
and the passage fields this checkpoint asks for).

Enrolling, scanning, resetting and PIN hashing run off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.checkpoint.policy import PassageField
from kiosk.sessions import staff
from kiosk.sessions.provisioning import EnrolledAs, ResetRefusedError, parse_enrollment_text
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning_devices import TECH_BUTTON_STYLE


def _button(slot: Callable[[], None]) -> QPushButton:
    button = QPushButton()
    button.setStyleSheet(TECH_BUTTON_STYLE)
    button.clicked.connect(slot)
    return button


def _line() -> QLineEdit:
    edit = QLineEdit()
    edit.setFont(style.font(style.STATUS_PT))
    edit.setMinimumHeight(style.TOUCH_TARGET_PX - 24)
    edit.setStyleSheet("QLineEdit { background: #FFFFFF; }")
    return edit


def _label(bold: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setFont(style.font(style.STATUS_PT, bold=bold))
    return label


class EnrollmentPage(QWidget):
    enrolled = Signal(object)  # EnrolledAs
    reset_done = Signal()
    finished = Signal(str)  # "enroll", "scan", "reset": a step ended (whatever its result)

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

        self.url_caption, self.code_caption = _label(True), _label(True)
        self.url_edit = _line()
        self.url_edit.setText(session.config.central.url)
        self.code_edit = _line()
        self.scan_button = _button(self.scan_code)
        self.enroll_button = _button(self.enroll)
        self.message = _label()
        self.enrolled_title = _label(True)
        self.enrolled_label = _label()
        self.enrolled_label.setFont(style.font(style.BODY_PT, bold=True))
        self.reset_button = _button(self.ask_reset)
        self.confirm_label = _label()
        self.confirm_button = _button(self.confirm_reset)
        self.cancel_button = _button(self.cancel_reset)
        self.confirm_button.setStyleSheet(
            TECH_BUTTON_STYLE + f" QPushButton {{ background: {style.STATUS_BAD}; color: white; }}"
        )
        self.confirm_panel = QWidget()
        panel = QHBoxLayout(self.confirm_panel)
        panel.addWidget(self.confirm_label, 1)
        panel.addWidget(self.confirm_button)
        panel.addWidget(self.cancel_button)
        self.confirm_panel.setVisible(False)

        form = QGridLayout()
        form.addWidget(self.url_caption, 0, 0)
        form.addWidget(self.url_edit, 0, 1, 1, 2)
        form.addWidget(self.code_caption, 1, 0)
        form.addWidget(self.code_edit, 1, 1)
        form.addWidget(self.scan_button, 1, 2)
        form.setColumnStretch(1, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.enroll_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addSpacing(style.SPACING_PX)
        layout.addWidget(self.enrolled_title)
        layout.addWidget(self.enrolled_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.reset_button)
        layout.addLayout(row)
        layout.addWidget(self.confirm_panel)
        layout.addStretch(1)

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
        self.show_current()

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


class StaffPage(QWidget):
    """Supervisor PINs, the technician's PIN, and the passage fields."""

    changed = Signal(str)  # "supervisor", "technician", "fields": saved
    fields_changed = Signal(object)  # frozenset[PassageField] | None

    def __init__(
        self, background: Background, session: TechnicianSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._background = background
        self._session = session
        self.supervisors_title = _label(True)
        self.supervisor_list = QListWidget()
        self.supervisor_list.setFont(style.font(style.STATUS_PT))
        self.supervisor_list.setStyleSheet("QListWidget { background: #FFFFFF; }")
        self.supervisor_list.currentRowChanged.connect(self._supervisor_picked)
        self.name_caption, self.pin_caption = _label(), _label()
        self.name_edit = _line()
        self.pin_edit = _line()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_supervisor = _button(self.save_supervisor_pin)
        self.technician_caption = _label(True)
        self.technician_pin = _line()
        self.technician_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_technician = _button(self.save_technician_pin)
        self.fields_title = _label(True)
        self.field_boxes = {field: QCheckBox() for field in PassageField}
        for box in self.field_boxes.values():
            box.setFont(style.font(style.STATUS_PT))
            box.setStyleSheet(
                "QCheckBox::indicator { width: 36px; height: 36px; }"
                " QCheckBox { min-height: 56px; }"
            )
        self.save_fields_button = _button(self.save_fields)
        self.message = _label()
        self._supervisors: list[str] = []

        left = QVBoxLayout()
        left.addWidget(self.supervisors_title)
        left.addWidget(self.supervisor_list, 1)
        form = QGridLayout()
        form.addWidget(self.name_caption, 0, 0)
        form.addWidget(self.name_edit, 0, 1)
        form.addWidget(self.pin_caption, 1, 0)
        form.addWidget(self.pin_edit, 1, 1)
        form.addWidget(self.save_supervisor, 2, 1)
        left.addLayout(form)
        right = QVBoxLayout()
        right.addWidget(self.technician_caption)
        right.addWidget(self.technician_pin)
        right.addWidget(self.save_technician)
        right.addSpacing(style.SPACING_PX)
        right.addWidget(self.fields_title)
        for box in self.field_boxes.values():
            right.addWidget(box)
        right.addWidget(self.save_fields_button)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(style.SPACING_PX)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)

    def retranslate(self, language: Language) -> None:
        self.supervisors_title.setText(self.tr("Supervisors on this kiosk"))
        self.name_caption.setText(self.tr("Name"))
        self.pin_caption.setText(self.tr("New PIN (4-12 digits)"))
        self.save_supervisor.setText(self.tr("Save supervisor PIN"))
        self.technician_caption.setText(self.tr("Technician PIN (4-12 digits)"))
        self.save_technician.setText(self.tr("Change technician PIN"))
        self.fields_title.setText(self.tr("Passage fields asked at this checkpoint"))
        labels = {
            PassageField.DIRECTION: self.tr("Direction (in / out)"),
            PassageField.TRIP_REASON: self.tr("Reason for the trip"),
            PassageField.VEHICLE_PLATE: self.tr("Vehicle plate"),
        }
        for field, box in self.field_boxes.items():
            box.setText(labels[field])
        self.save_fields_button.setText(self.tr("Save passage fields"))
        self.load()

    def load(self, fields: frozenset[PassageField] | None = None) -> None:
        people = self._session.local_supervisors()
        self._supervisors = [o.operator_id for o in people]
        self.supervisor_list.clear()
        self.supervisor_list.addItem(self.tr("+ New supervisor"))
        for person in people:
            self.supervisor_list.addItem(person.display_name)
        if fields is not None:
            for field, box in self.field_boxes.items():
                box.setChecked(field in fields)

    def _supervisor_picked(self, row: int) -> None:
        if 1 <= row <= len(self._supervisors):
            self.name_edit.setText(self.supervisor_list.item(row).text())
        else:
            self.name_edit.clear()

    def _say(self, text: str, ok: bool) -> None:
        colour = style.STATUS_OK if ok else style.STATUS_BAD
        self.message.setStyleSheet(f"QLabel {{ color: {colour}; }}")
        self.message.setText(text)

    def _keep_pin(self, operator_id: str, name: str, role: str, pin: str, what: str) -> None:
        session = self._session

        def done(_: object) -> None:
            self._say(self.tr("PIN saved for %1.").replace("%1", name), True)
            self.load()
            self.changed.emit(what)

        def failed(error: BaseException) -> None:
            if isinstance(error, staff.StaffError):
                text = self.tr("A PIN is 4 to 12 digits, and a name is needed.")
            else:
                text = self.tr("Not saved: %1").replace("%1", str(error))
            self._say(text, False)

        self._background.run(
            lambda: session.set_pin(operator_id, name, role, pin),
            done,
            failed,
        )

    def save_supervisor_pin(self) -> None:
        row = self.supervisor_list.currentRow()
        if 1 <= row <= len(self._supervisors):
            operator_id = self._supervisors[row - 1]
        else:
            operator_id = self._session.next_supervisor_id()
        pin = self.pin_edit.text()
        self.pin_edit.clear()
        self._keep_pin(operator_id, self.name_edit.text(), staff.SUPERVISOR_ROLE, pin, "supervisor")

    def save_technician_pin(self) -> None:
        pin = self.technician_pin.text()
        self.technician_pin.clear()
        self._keep_pin(
            staff.TECHNICIAN_ID, self.tr("Technician"), staff.TECHNICIAN_ROLE, pin, "technician"
        )

    def save_fields(self) -> None:
        fields = frozenset(f for f, box in self.field_boxes.items() if box.isChecked())
        self._session.save_passage_fields(fields)
        self._say(self.tr("Passage fields saved."), True)
        self.fields_changed.emit(fields)
        self.changed.emit("fields")
