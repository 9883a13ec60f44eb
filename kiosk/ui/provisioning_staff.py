"""The technician's staff page: supervisor PINs kept on this kiosk, the technician's PIN, and
the passage fields asked at this checkpoint. PINs are hashed off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.checkpoint.policy import PassageField
from kiosk.sessions import staff
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning_widgets import button, label, line
from kiosk.ui.toggle import ToggleCheckBox


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
        self.supervisors_title = label(True)
        self.supervisor_list = QListWidget()
        self.supervisor_list.setFont(style.font(style.STATUS_PT))
        self.supervisor_list.setStyleSheet("QListWidget { background: #FFFFFF; }")
        self.supervisor_list.currentRowChanged.connect(self._supervisor_picked)
        self.name_caption, self.pin_caption = label(), label()
        self.name_edit = line()
        self.pin_edit = line()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_supervisor = button(self.save_supervisor_pin)
        self.technician_caption = label(True)
        self.technician_pin = line()
        self.technician_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_technician = button(self.save_technician_pin)
        self.fields_title = label(True)
        self.field_boxes = {
            field: ToggleCheckBox(indicator_px=36, height_px=56) for field in PassageField
        }
        for box in self.field_boxes.values():
            box.setFont(style.font(style.STATUS_PT))
        self.save_fields_button = button(self.save_fields)
        self.message = label()
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
