"""Manual entry: what staff type when the camera or the reader cannot help."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from healthcode.identity import id_number_problem
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.screens import touch_button


class ManualEntry(QWidget):
    """For a broken camera or a person without a phone: an ID number (checked as it is typed),
    a code text, or a temperature taken by hand."""

    code_entered = Signal(str)
    id_entered = Signal(str)
    temperature_entered = Signal(float)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setFont(style.font(style.BUTTON_PT))
        self.tabs.setStyleSheet(
            f"QTabBar::tab {{ min-height: {style.TOUCH_TARGET_PX}px; min-width: 220px;"
            f" font-size: {style.BUTTON_PT}pt; padding: 6px 24px; }}"
        )
        # ID number
        id_page = QWidget()
        id_layout = QGridLayout(id_page)
        self.id_input = QLineEdit()
        self.id_input.setMaxLength(18)
        self.id_input.setFont(style.font(style.PROMPT_PT))
        self.id_input.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.id_feedback = QLabel()
        self.id_feedback.setFont(style.font(style.BODY_PT))
        self.id_submit = touch_button()
        id_layout.addWidget(self.id_input, 0, 0)
        id_layout.addWidget(self.id_feedback, 1, 0)
        id_layout.addWidget(self.id_submit, 2, 0)
        self.id_input.textChanged.connect(self._check_id)
        self.id_submit.clicked.connect(self._submit_id)
        # code text
        code_page = QWidget()
        code_layout = QVBoxLayout(code_page)
        self.code_input = QLineEdit()
        self.code_input.setFont(style.font(style.BODY_PT))
        self.code_input.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.code_submit = touch_button()
        code_layout.addWidget(self.code_input)
        code_layout.addWidget(self.code_submit)
        self.code_submit.clicked.connect(self._submit_code)
        # temperature
        temperature_page = QWidget()
        temperature_layout = QVBoxLayout(temperature_page)
        self.temperature_input = QDoubleSpinBox()
        self.temperature_input.setRange(34.0, 43.0)
        self.temperature_input.setDecimals(1)
        self.temperature_input.setSingleStep(0.1)
        self.temperature_input.setValue(36.5)
        self.temperature_input.setFont(style.font(style.PROMPT_PT))
        self.temperature_input.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.temperature_submit = touch_button()
        temperature_layout.addWidget(self.temperature_input)
        temperature_layout.addWidget(self.temperature_submit)
        self.temperature_submit.clicked.connect(
            lambda: self.temperature_entered.emit(round(self.temperature_input.value(), 1))
        )
        self.tabs.addTab(id_page, "")
        self.tabs.addTab(code_page, "")
        self.tabs.addTab(temperature_page, "")
        self.back = touch_button()
        self.back.clicked.connect(self.closed)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.back)
        self._language = Language.ZH
        self.retranslate(Language.ZH)

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.tabs.setTabText(0, self.tr("ID number"))
        self.tabs.setTabText(1, self.tr("Code text"))
        self.tabs.setTabText(2, self.tr("Temperature"))
        self.id_input.setPlaceholderText(self.tr("18-character ID number"))
        self.code_input.setPlaceholderText(self.tr("JKM1:..."))
        self.id_submit.setText(self.tr("Use this ID number"))
        self.code_submit.setText(self.tr("Check this code"))
        self.temperature_submit.setText(self.tr("Record this temperature"))
        self.back.setText(self.tr("Back to scanning"))
        self._check_id(self.id_input.text())

    def _check_id(self, text: str) -> None:
        number = "".join(text.split()).upper()
        if not number:
            self.id_feedback.setText("")
            self.id_submit.setEnabled(False)
            return
        problem = id_number_problem(number)
        if problem is None:
            self.id_feedback.setText("✔ " + self.tr("Valid ID number"))
            self.id_feedback.setStyleSheet(f"color: {style.STATUS_OK};")
        elif len(number) < 18 and problem.value == "length":
            self.id_feedback.setText(self.tr("%1 of 18 characters").replace("%1", str(len(number))))
            self.id_feedback.setStyleSheet(f"color: {style.TEXT};")
        else:
            self.id_feedback.setText("✖ " + problem.text.get(self._language.value))  # type: ignore[arg-type]
            self.id_feedback.setStyleSheet(f"color: {style.STATUS_BAD};")
        self.id_submit.setEnabled(problem is None)

    def _submit_id(self) -> None:
        number = "".join(self.id_input.text().split()).upper()
        if id_number_problem(number) is None:
            self.id_entered.emit(number)
            self.id_input.clear()

    def _submit_code(self) -> None:
        text = self.code_input.text().strip()
        if text:
            self.code_entered.emit(text)
            self.code_input.clear()
