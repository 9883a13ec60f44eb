"""Manual entry: what staff type when the camera or the reader cannot help.

ID numbers and temperatures are typed on on-screen keypads (kiosk.ui.keypad), a code's text on
the on-screen text keyboard (kiosk.ui.text_keyboard): the kiosk has a touch panel and no
keyboard. A scanner or a USB keyboard may still type a code's text into its field (Enter checks
it). The temperature starts empty and is recorded only when it is a
plausible body temperature; an empty or implausible one is refused with a message.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from healthcode.identity import ID_NUMBER_LENGTH, id_number_problem
from kiosk.app.keypad import KeypadKind, temperature_problem, temperature_value
from kiosk.app.text_keys import TextKind
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad
from kiosk.ui.screens import touch_button
from kiosk.ui.text_keyboard import TextKeyboard

_FIELD_STYLE = (
    "QLineEdit { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
    " padding: 4px 12px; }"
)
_DISPLAY_STYLE = (
    "QLabel {{ background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
    " padding: 4px 12px; color: {colour}; }}"
)


class KeypadPage(QWidget):
    """What is typed, a line about it and the button that uses it, beside the keypad (below it
    on a portrait panel)."""

    def __init__(self, kind: KeypadKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keypad = Keypad(kind)
        self.display = QLabel()
        self.display.setFont(style.font(32, bold=True))
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.display.setMinimumWidth(style.TOUCH_TARGET_PX * 3)  # not the text's: it may wrap
        self.feedback = QLabel()
        self.feedback.setFont(style.font(style.BODY_PT))
        self.feedback.setWordWrap(True)
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feedback.setMinimumHeight(style.TOUCH_TARGET_PX // 2)
        self.submit = touch_button()
        column = QVBoxLayout()
        column.setSpacing(style.SPACING_PX)
        column.addWidget(self.display)
        column.addWidget(self.feedback)
        column.addStretch(1)
        column.addWidget(self.submit)
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(4, 4, 4, 4)  # every pixel for the keys on 1024x600
        self._layout.setSpacing(style.SPACING_PX * 2)
        self._layout.addLayout(column, 1)
        self._layout.addWidget(self.keypad, 1)

    def show_text(self, text: str, placeholder: str) -> None:
        self.display.setText(text or placeholder)
        self.display.setStyleSheet(_DISPLAY_STYLE.format(colour=style.TEXT if text else "#9E9E9E"))

    def show_feedback(self, text: str, colour: str = style.TEXT) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet(f"color: {colour};")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        portrait = event.size().height() > event.size().width()
        self._layout.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self._layout.setStretch(0, 0 if portrait else 1)  # portrait: the rest for the keys
        super().resizeEvent(event)


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
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(6)
        self.tabs = QTabWidget()
        self.tabs.setFont(style.font(style.BUTTON_PT))
        self.tabs.setStyleSheet(
            f"QTabBar::tab {{ min-height: {style.TOUCH_TARGET_PX}px; min-width: 200px;"
            f" font-size: {style.BUTTON_PT}pt; padding: 6px 20px; }}"
        )
        # ID number
        self.id_page = KeypadPage(KeypadKind.ID_NUMBER)
        self.id_keypad = self.id_page.keypad
        self.id_display = self.id_page.display
        self.id_feedback = self.id_page.feedback
        self.id_submit = self.id_page.submit
        self.id_keypad.changed.connect(self._check_id)
        self.id_submit.clicked.connect(self._submit_id)
        # code text
        self.code_page = QWidget()
        self.code_input = QLineEdit()  # no validator: it takes whatever a scanner types
        self.code_input.setFont(style.font(style.BODY_PT))
        self.code_input.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.code_input.setStyleSheet(_FIELD_STYLE)
        # A scanner's keys come through raw: a Chinese input method would swallow them.
        self.code_input.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.code_input.returnPressed.connect(self._submit_code)
        self.code_submit = touch_button()
        self.code_submit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # no vertical padding: still a full touch target, and room for a row of keys at 1280x800
        self.code_submit.setStyleSheet(style.BUTTON_STYLE + " QPushButton { padding: 0px 20px; }")
        self.code_keyboard = TextKeyboard(TextKind.CODE_TEXT, self.code_input)
        self.code_input.textChanged.connect(self._show_code)
        code_row = QHBoxLayout()
        code_row.setSpacing(style.SPACING_PX // 2)
        code_row.addWidget(self.code_input, 1)
        code_row.addWidget(self.code_submit)
        code_layout = QVBoxLayout(self.code_page)
        code_layout.setContentsMargins(0, 2, 0, 0)  # the tab's frame is margin enough
        code_layout.setSpacing(6)
        code_layout.addLayout(code_row)
        code_layout.addWidget(self.code_keyboard, 1)
        self.code_submit.clicked.connect(self._submit_code)
        # temperature
        self.temperature_page = KeypadPage(KeypadKind.TEMPERATURE)
        self.temperature_keypad = self.temperature_page.keypad
        self.temperature_display = self.temperature_page.display
        self.temperature_feedback = self.temperature_page.feedback
        self.temperature_submit = self.temperature_page.submit
        self.temperature_keypad.changed.connect(lambda _text: self._show_temperature())
        self.temperature_submit.clicked.connect(self._submit_temperature)
        self.tabs.addTab(self.id_page, "")
        self.tabs.addTab(self.code_page, "")
        self.tabs.addTab(self.temperature_page, "")
        self.back: QPushButton = touch_button()
        # no vertical padding: still a full touch target, and 16 px more for the keys
        self.back.setStyleSheet(style.BUTTON_STYLE + " QPushButton { padding: 0px 20px; }")
        self.back.clicked.connect(self._close)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.back)
        self._language = Language.ZH
        self.retranslate(Language.ZH)

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.tabs.setTabText(0, self.tr("ID number"))
        self.tabs.setTabText(1, self.tr("Code text"))
        self.tabs.setTabText(2, self.tr("Temperature"))
        self.code_input.setPlaceholderText(self.tr("JKM1:..."))
        self.id_submit.setText(self.tr("Use this ID number"))
        self.code_submit.setText(self.tr("Check this code"))
        self._show_code(self.code_input.text())
        self.temperature_submit.setText(self.tr("Record this temperature"))
        self.back.setText(self.tr("Back to scanning"))
        self.id_keypad.retranslate(language)
        self.temperature_keypad.retranslate(language)
        self.code_keyboard.retranslate(language)
        self._check_id(self.id_keypad.text())
        self._show_temperature()

    def reset(self) -> None:
        """Nothing typed is kept for the next person."""
        self.id_keypad.clear()
        self.temperature_keypad.clear()
        self.code_input.clear()
        self.code_keyboard.show_page(0)
        self._show_temperature()

    # ------------------------------------------------------------ ID number

    def _check_id(self, text: str) -> None:
        number = text.upper()
        self.id_page.show_text(number, self.tr("18-character ID number"))
        if not number:
            self.id_page.show_feedback("")
            self.id_submit.setEnabled(False)
            return
        problem = id_number_problem(number)
        if problem is None:
            self.id_page.show_feedback("✔ " + self.tr("Valid ID number"), style.STATUS_OK)
        elif len(number) < ID_NUMBER_LENGTH and problem.value == "length":
            self.id_page.show_feedback(
                self.tr("%1 of 18 characters").replace("%1", str(len(number)))
            )
        else:
            text = problem.text.get(self._language.value)  # type: ignore[arg-type]
            self.id_page.show_feedback("✖ " + text, style.STATUS_BAD)
        self.id_submit.setEnabled(problem is None)

    def _submit_id(self) -> None:
        number = self.id_keypad.text().upper()
        if id_number_problem(number) is None:
            self.id_entered.emit(number)
            self.id_keypad.clear()

    # ------------------------------------------------------------ temperature

    def _show_temperature(self, refusal: str = "") -> None:
        text = self.temperature_keypad.text()
        self.temperature_page.show_text(f"{text} °C" if text else "", self.tr("Temperature, °C"))
        self.temperature_page.show_feedback(refusal, style.STATUS_BAD)

    def _submit_temperature(self) -> None:
        text = self.temperature_keypad.text()
        problem = temperature_problem(text)
        celsius = temperature_value(text)
        if problem is not None or celsius is None:
            why = problem.get(self._language.value) if problem else ""  # type: ignore[arg-type]
            self._show_temperature("✖ " + why)
            return
        self.temperature_entered.emit(celsius)
        self.temperature_keypad.clear()

    # ------------------------------------------------------------ code text

    def _show_code(self, text: str) -> None:
        self.code_submit.setEnabled(bool(text.strip()))

    def _submit_code(self) -> None:
        text = self.code_input.text().strip()
        if text:
            self.code_entered.emit(text)
            self.code_input.clear()

    def _close(self) -> None:
        self.reset()
        self.closed.emit()
