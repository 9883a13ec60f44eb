"""Typing on the technician's screen without a keyboard: touching one of its text fields (a
supervisor's name, a PIN, central's address, the enrollment code) opens `FieldEditor`, a page
of the technician's screen with the field large and the keys for it below: the text keyboard
of the field's kind (kiosk.app.text_keys) or, for a PIN, a digits keypad with the PIN shown as
dots. Done puts what was typed back into the form's field; Cancel leaves it as it was.

The editor's field stays an ordinary editable line edit: a USB keyboard, a scanner or an input
method (pinyin) types into it as well. The form's own fields also take a keyboard in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QMouseEvent, QRegularExpressionValidator, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.keypad import KeypadKind
from kiosk.app.text_keys import TextKind
from kiosk.checkpoint.access import PIN_MAX_DIGITS, pin_may_be_set
from kiosk.ui import style
from kiosk.ui.fit_text import text_cut
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad
from kiosk.ui.provisioning_widgets import TECH_BUTTON_STYLE
from kiosk.ui.text_keyboard import KEY_SPACING_PX, TextKeyboard

FIELD_PT = 26
FIELD_MIN_PT = 14
PIN_PAD_MAX_WIDTH_PX = 560  # four keys of 130 px: a PIN pad, not a wall of keys
_ACTION_STYLE = TECH_BUTTON_STYLE + (
    f" QPushButton {{ min-height: {style.GLOVE_TARGET_PX}px; min-width: 150px;"
    " padding: 0px 20px; }"
)
_TEXT_KINDS = (TextKind.NAME, TextKind.ADDRESS, TextKind.ENROLLMENT_CODE)
_DONE_STYLE = _ACTION_STYLE + f" QPushButton {{ background: {style.STATUS_OK}; color: white; }}"
_FIELD_STYLE = (
    "QLineEdit { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
    " padding: 2px 12px; }"
)


@dataclass(frozen=True)
class Entry:
    """A form field to fill by touch: `keys` is its text keyboard's kind, None for a PIN."""

    field: QLineEdit
    caption: str
    keys: TextKind | None


class TouchOpens(QObject):
    """Calls `open_editor` when the field it watches is touched (pressed and released on it)."""

    def __init__(self, field: QLineEdit, open_editor: Callable[[], None]) -> None:
        super().__init__(field)
        self._open = open_editor
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        released = event.type() == QEvent.Type.MouseButtonRelease
        if not (released and isinstance(event, QMouseEvent) and isinstance(watched, QWidget)):
            return False
        if not (watched.isEnabled() and watched.rect().contains(event.position().toPoint())):
            return False
        self._open()
        return True


class FieldEditor(QWidget):
    """The caption, the field, Cancel and Done, and the keys for the field being edited."""

    finished = Signal()  # Done or Cancel: back to the form

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entry: Entry | None = None
        self.caption = QLabel()
        self.caption.setFont(style.font(style.STATUS_PT + 2, bold=True))
        self.caption.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setFont(style.font(FIELD_PT))
        self.field.setStyleSheet(_FIELD_STYLE)
        self.field.setMinimumHeight(style.GLOVE_TARGET_PX)
        self.field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.field.returnPressed.connect(self.accept)  # Enter on a USB keyboard
        self._digits_only = QRegularExpressionValidator(
            QRegularExpression(f"[0-9]{{0,{PIN_MAX_DIGITS}}}"), self.field
        )
        self.problem = ""  # why Done refused a PIN: said in red in the caption's place, above
        self.field.textChanged.connect(lambda _: self._refuse(""))  # the field (no room below)
        self.cancel_button = QPushButton()
        self.cancel_button.setStyleSheet(_ACTION_STYLE)
        self.cancel_button.clicked.connect(self.cancel)
        self.done_button = QPushButton()
        self.done_button.setStyleSheet(_DONE_STYLE)
        self.done_button.clicked.connect(self.accept)
        for action in (self.cancel_button, self.done_button):
            action.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the cursor

        self.keyboards = {kind: TextKeyboard(kind, self.field) for kind in _TEXT_KINDS}
        self.pin_pad = Keypad(KeypadKind.PIN)
        self.pin_pad.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pin_pad.changed.connect(self._pin_typed)
        self.field.textEdited.connect(self._field_typed)
        self._keys = QStackedWidget()
        for keyboard in self.keyboards.values():
            self._keys.addWidget(keyboard)
        pad_page = QWidget()
        pad_row = QHBoxLayout(pad_page)
        pad_row.setContentsMargins(0, 0, 0, 0)
        pad_row.addStretch(1)
        pad_row.addWidget(self.pin_pad, 4)
        pad_row.addStretch(1)
        self.pin_pad.setMaximumWidth(PIN_PAD_MAX_WIDTH_PX)
        self._pad_page = pad_page
        self._keys.addWidget(pad_page)

        top = QHBoxLayout()
        top.setSpacing(KEY_SPACING_PX * 2)
        top.addWidget(self.caption, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(KEY_SPACING_PX)  # a 1024x600 panel: four rows of PIN keys below
        layout.addLayout(top)
        layout.addWidget(self.field)  # the whole width: an address is long
        layout.addWidget(self._keys, 1)
        self.field.textChanged.connect(self._fit_text)
        self.retranslate(Language.ZH)

    def retranslate(self, language: Language) -> None:
        self.cancel_button.setText(self.tr("Cancel"))
        self.done_button.setText(self.tr("Done"))
        self._refuse("")  # said in the language of the moment: gone with it
        for keyboard in self.keyboards.values():
            keyboard.retranslate(language)
        self.pin_pad.retranslate(language)

    # ------------------------------------------------------------ editing

    @property
    def entry(self) -> Entry | None:
        return self._entry

    @property
    def keyboard(self) -> TextKeyboard | None:
        """The text keyboard shown, None when the PIN pad is."""
        current = self._keys.currentWidget()
        return current if isinstance(current, TextKeyboard) else None

    def open(self, entry: Entry) -> None:
        """Start editing `entry`'s field: its text (a PIN starts empty), its keys."""
        self._entry = entry
        self.caption.setText(entry.caption)
        pin = entry.keys is None
        self.field.setEchoMode(QLineEdit.EchoMode.Password if pin else QLineEdit.EchoMode.Normal)
        self.field.setValidator(self._digits_only if pin else None)
        self.pin_pad.clear()
        if pin:
            self.field.clear()
            self._keys.setCurrentWidget(self._pad_page)
        else:
            self.field.setText(entry.field.text())
            keyboard = self.keyboards[entry.keys]  # type: ignore[index]
            keyboard.show_page(0)
            self._keys.setCurrentWidget(keyboard)
        self.field.setFocus()
        self.field.end(False)

    def accept(self) -> None:
        """Done: the text goes into the form's field; a new PIN too short stays here, said."""
        typed = self.field.text()
        new_pin = self._entry is not None and self._entry.keys is None
        if new_pin and typed and not pin_may_be_set(typed):
            self._refuse(self.tr("Too short: a new PIN has 6 to 12 digits."))
            return
        if self._entry is not None:
            self._entry.field.setText(self.field.text())
        self._close()

    def cancel(self) -> None:
        self._close()

    def _refuse(self, text: str) -> None:
        if text == self.problem:
            return
        self.problem = text
        colour = f"color: {style.STATUS_BAD};" if text else ""
        self.caption.setStyleSheet(f"QLabel {{ {colour} }}")
        caption = "" if self._entry is None else self._entry.caption
        self.caption.setText(text or caption)

    def _close(self) -> None:
        self._refuse("")
        self._entry = None
        self.field.clear()  # a PIN is not kept on the page
        self.pin_pad.clear()
        self.finished.emit()

    def _fit_text(self) -> None:
        """Smaller type for a long address, down to FIELD_MIN_PT, rather than a field that
        scrolls what was typed out of sight."""
        point_size = FIELD_PT
        self.field.setFont(style.font(point_size))
        while point_size > FIELD_MIN_PT and text_cut(self.field)[0]:
            point_size -= 1
            self.field.setFont(style.font(point_size))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_text()

    def _pin_typed(self, text: str) -> None:
        if self.field.text() != text:
            self.field.setText(text)

    def _field_typed(self, text: str) -> None:
        """A USB keyboard typed into the PIN field: the pad goes on from what it typed."""
        if self._keys.currentWidget() is self._pad_page and self.pin_pad.text() != text:
            self.pin_pad.clear()
            self.pin_pad.type_text(text)
