"""The technician's staff page: supervisor PINs kept on this kiosk, the technician's PIN, and
the passage fields asked at this checkpoint. PINs are hashed off the GUI thread. Touching the
name or a PIN field asks for the on-screen keys (`edit_requested`, kiosk/ui/provisioning_entry.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.text_keys import TextKind
from kiosk.checkpoint.access import pin_may_be_set
from kiosk.checkpoint.policy import PassageField
from kiosk.sessions import staff
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.fitting import keep_words_whole, touch_scroll
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning_entry import Entry, TouchOpens
from kiosk.ui.provisioning_widgets import button, label, line
from kiosk.ui.toggle import ToggleCheckBox

WIDE_PX = 1200  # from this width the technician's part sits beside the supervisors


class StaffPage(QWidget):
    """Supervisor PINs, the technician's PIN, and the passage fields."""

    changed = Signal(str)  # "supervisor", "technician", "fields": saved
    fields_changed = Signal(object)  # frozenset[PassageField] | None
    edit_requested = Signal(object)  # Entry: a field was touched, type it on the keys

    def __init__(
        self, background: Background, session: TechnicianSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._background = background
        self._session = session
        self.supervisors_title = label(True)
        self.supervisor_list = QListWidget()
        self.supervisor_list.setFont(style.font(style.STATUS_PT))
        self.supervisor_list.setStyleSheet(
            "QListWidget { background: #FFFFFF; }"
            " QListWidget::item { border-bottom: 1px solid #CFD8DC; padding-left: 12px; }"
        )
        self.supervisor_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.supervisor_list.currentRowChanged.connect(self._supervisor_picked)
        self.name_caption, self.pin_caption = label(), label()
        self.name_edit = line()
        self.pin_edit = line()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_supervisor = button(self.save_supervisor_pin)
        self.supervisor_problem = _problem_label()  # why the PIN or name was refused
        self.technician_caption = label(True)
        self.technician_pin = line()
        self.technician_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_technician = button(self.save_technician_pin)
        self.technician_problem = _problem_label()
        self.fields_title = label(True)
        row_px = style.GLOVE_TARGET_PX
        self.field_boxes = {
            field: ToggleCheckBox(indicator_px=row_px // 2, height_px=row_px)
            for field in PassageField
        }
        for box in self.field_boxes.values():
            box.setFont(style.font(style.STATUS_PT))
        self.save_fields_button = button(self.save_fields)
        self.message = label()
        self._supervisors: list[str] = []
        for edit in (self.name_edit, self.pin_edit, self.technician_pin):
            TouchOpens(edit, lambda e=edit: self.request_edit(e))

        left = QWidget()
        people = QVBoxLayout(left)
        people.setContentsMargins(0, 0, 0, 0)
        people.addWidget(self.supervisors_title)
        people.addWidget(self.supervisor_list)
        form = QGridLayout()
        form.addWidget(self.name_caption, 0, 0)
        form.addWidget(self.name_edit, 0, 1)
        form.addWidget(self.pin_caption, 1, 0)
        form.addWidget(self.pin_edit, 1, 1)
        form.addWidget(self.supervisor_problem, 2, 0, 1, 2)
        form.addWidget(self.save_supervisor, 3, 1, Qt.AlignmentFlag.AlignRight)
        form.setColumnStretch(1, 1)
        people.addLayout(form)
        people.addStretch(1)
        right = QWidget()
        kiosk = QVBoxLayout(right)
        kiosk.setContentsMargins(0, 0, 0, 0)
        kiosk.addWidget(self.technician_caption)
        kiosk.addWidget(self.technician_pin)
        kiosk.addWidget(self.technician_problem)
        kiosk.addWidget(self.save_technician, 0, Qt.AlignmentFlag.AlignRight)
        kiosk.addSpacing(style.SPACING_PX)
        kiosk.addWidget(self.fields_title)
        for box in self.field_boxes.values():
            kiosk.addWidget(box)
        kiosk.addWidget(self.save_fields_button, 0, Qt.AlignmentFlag.AlignRight)
        kiosk.addStretch(1)
        body = QWidget()
        self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self._columns.setContentsMargins(0, 0, 0, 0)
        self._columns.setSpacing(style.SPACING_PX * 2)
        self._columns.addWidget(left, 1)
        self._columns.addWidget(right, 1)
        layout = QVBoxLayout(self)
        self._scroll = touch_scroll(body)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self.message)  # what a save said stays in sight

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Two columns on a wide screen, one below the other on a narrow one."""
        wide = event.size().width() >= WIDE_PX
        self._columns.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        super().resizeEvent(event)

    def retranslate(self, language: Language) -> None:
        self.supervisors_title.setText(self.tr("Supervisors on this kiosk"))
        self.name_caption.setText(self.tr("Name"))
        self.pin_caption.setText(self.tr("New PIN (6-12 digits)"))
        self.save_supervisor.setText(self.tr("Save supervisor PIN"))
        self.technician_caption.setText(self.tr("Technician PIN (6-12 digits)"))
        self.save_technician.setText(self.tr("Change technician PIN"))
        self.fields_title.setText(self.tr("Passage fields asked at this checkpoint"))
        labels = {
            PassageField.DIRECTION: self.tr("Direction (in / out)"),
            PassageField.TRIP_REASON: self.tr("Reason for the trip"),
            PassageField.VEHICLE_PLATE: self.tr("Vehicle plate"),
            PassageField.FULL_NAME: self.tr("Passer's full name (required)"),
            PassageField.PHONE: self.tr("Passer's phone"),
        }
        for field, box in self.field_boxes.items():
            box.setText(labels[field])
        self.save_fields_button.setText(self.tr("Save passage fields"))
        keep_words_whole((self.save_supervisor, self.save_technician, self.save_fields_button))
        self.clear_problems()  # said in the language of the moment: gone with it
        self.load()

    def _show_problem(self, problem: QLabel, text: str) -> None:
        problem.setText(text)
        problem.setVisible(bool(text))
        if text:  # in sight, not below the fold of a small panel
            self._columns.activate()
            self._scroll.ensureWidgetVisible(problem)

    def clear_problems(self) -> None:
        """No refusal left in sight beside the PIN fields (the screen was locked or reopened)."""
        self._show_problem(self.supervisor_problem, "")
        self._show_problem(self.technician_problem, "")

    def request_edit(self, edit: QLineEdit) -> None:
        """Ask for the keys to fill `edit` by touch: letters for the name, digits for a PIN."""
        if edit is self.name_edit:
            entry = Entry(edit, self.tr("Supervisor's name (pinyin, or type it)"), TextKind.NAME)
        elif edit is self.pin_edit:
            entry = Entry(edit, self.tr("New supervisor PIN (6-12 digits)"), None)
        else:
            entry = Entry(edit, self.tr("Technician PIN (6-12 digits)"), None)
        self.edit_requested.emit(entry)

    def load(self, fields: frozenset[PassageField] | None = None) -> None:
        people = self._session.local_supervisors()
        self._supervisors = [o.operator_id for o in people]
        self.supervisor_list.clear()
        self.supervisor_list.addItem(self.tr("+ New supervisor"))
        for person in people:
            self.supervisor_list.addItem(person.display_name)
        self._fit_list()
        if fields is not None:
            for field, box in self.field_boxes.items():
                box.setChecked(field in fields)

    def _fit_list(self) -> None:
        """Every name a row of 90 px, all showing: the page scrolls, not the list."""
        rows = self.supervisor_list
        for index in range(rows.count()):
            rows.item(index).setSizeHint(QSize(0, style.GLOVE_TARGET_PX))
        rows.setFixedHeight(rows.count() * style.GLOVE_TARGET_PX + 2 * rows.frameWidth())

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
                text = self.tr("A PIN is 6 to 12 digits, and a name is needed.")
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
        pin, name = self.pin_edit.text(), self.name_edit.text()
        self.pin_edit.clear()
        refusal = self._refusal(pin, name)
        self._show_problem(self.supervisor_problem, refusal)
        if refusal:
            return
        self._keep_pin(operator_id, name, staff.SUPERVISOR_ROLE, pin, "supervisor")

    def save_technician_pin(self) -> None:
        pin = self.technician_pin.text()
        self.technician_pin.clear()
        refusal = self._refusal(pin, self.tr("Technician"))
        self._show_problem(self.technician_problem, refusal)
        if refusal:
            return
        self._keep_pin(
            staff.TECHNICIAN_ID, self.tr("Technician"), staff.TECHNICIAN_ROLE, pin, "technician"
        )

    def _refusal(self, pin: str, name: str) -> str:
        """Why this PIN or name may not be kept ("" when it may): said beside its field."""
        if not pin_may_be_set(pin):
            return self.tr("Not saved: a new PIN has 6 to 12 digits, digits only.")
        if not name.strip():
            return self.tr("Not saved: the supervisor's name is needed.")
        return ""

    def save_fields(self) -> None:
        fields = frozenset(f for f, box in self.field_boxes.items() if box.isChecked())
        self._session.save_passage_fields(fields)
        self._say(self.tr("Passage fields saved."), True)
        self.fields_changed.emit(fields)
        self.changed.emit("fields")


def _problem_label() -> QLabel:
    """Red words under a PIN field; hidden while there is nothing to say."""
    problem = label()
    problem.setWordWrap(True)
    problem.setStyleSheet(f"QLabel {{ color: {style.STATUS_BAD}; }}")
    problem.hide()
    return problem
