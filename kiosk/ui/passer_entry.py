"""The passer's full name and phone typed with gloves (the Hainan checkpoint record, 004
关口信息), where the checkpoint's policy asks for them and no ID card gave the name.

The name is typed in pinyin on the text keyboard (upper case, as on a passport: ZHANG SANFENG):
no handwriting, every key 90 px or more. An ID card read gives the name in characters, so this
page is the fallback. The phone is typed on the digit keypad. Touching a field shows its keys.
Done tells the flow (`PasserDetailsTyped`); Cancel leaves the person as they were.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad
from kiosk.ui.provisioning_entry import TouchOpens
from kiosk.ui.text_keyboard import KEY_SPACING_PX, TextKeyboard

FIELD_PT = 26
CAPTION_PT = 18
MARGIN_PX = 8
NAME_MAX_CHARS = 64
_ACTION_STYLE = style.BUTTON_STYLE + (
    f" QPushButton {{ min-height: {style.GLOVE_TARGET_PX}px; min-width: 150px;"
    " padding: 0px 20px; }"
)
_DONE_STYLE = _ACTION_STYLE + f" QPushButton {{ background: {style.STATUS_OK}; color: white; }}"


def _field_style(active: bool) -> str:
    border, width = (style.STATUS_OK, 4) if active else ("#90A4AE", 2)
    return (
        f"QLineEdit {{ background: #FFFFFF; border: {width}px solid {border};"
        " border-radius: 10px; padding: 2px 12px; }"
    )


class PasserEntry(QWidget):
    """The hint, the name and phone fields, Cancel and Done, and the keys of the field touched."""

    accepted = Signal(str, str)  # Done: the name (upper case, single spaces) and the phone
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.hint = QLabel()
        self.hint.setFont(style.font(CAPTION_PT))
        self.hint.setWordWrap(True)
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.name.setMaxLength(NAME_MAX_CHARS)
        for field, stretch in ((self.name, 3), (self.phone, 2)):
            field.setFont(style.font(FIELD_PT, bold=True))
            field.setMinimumHeight(style.GLOVE_TARGET_PX)
            field.setMinimumWidth(style.GATE_TARGET_PX * 2)
            policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            policy.setHorizontalStretch(stretch)
            field.setSizePolicy(policy)
        self.phone.setReadOnly(True)  # typed on the keypad (a USB keyboard types into it too)
        self.name.returnPressed.connect(self.accept)
        self.name.textEdited.connect(self._upper)
        self.cancel_button = QPushButton()
        self.cancel_button.setStyleSheet(_ACTION_STYLE)
        self.cancel_button.clicked.connect(self.cancelled)
        self.done_button = QPushButton()
        self.done_button.setStyleSheet(_DONE_STYLE)
        self.done_button.clicked.connect(self.accept)
        for action in (self.cancel_button, self.done_button):
            action.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keyboard = TextKeyboard(TextKind.NAME, self.name)
        self.keypad = Keypad(KeypadKind.PHONE)
        self.keypad.changed.connect(self.phone.setText)
        self.keys = QStackedWidget()
        self.keys.addWidget(self.keyboard)
        self.keys.addWidget(self.keypad)
        TouchOpens(self.name, self.edit_name)
        TouchOpens(self.phone, self.edit_phone)

        fields = QHBoxLayout()
        fields.setSpacing(KEY_SPACING_PX * 2)
        fields.addWidget(self.name, 3)
        fields.addWidget(self.phone, 2)
        actions = QHBoxLayout()
        actions.setSpacing(KEY_SPACING_PX * 2)
        actions.addWidget(self.hint, 1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN_PX, MARGIN_PX, MARGIN_PX, MARGIN_PX)
        layout.setSpacing(KEY_SPACING_PX)
        layout.addLayout(actions)
        layout.addLayout(fields)
        layout.addWidget(self.keys, 1)
        self.retranslate(Language.ZH)
        self.edit_name()

    def retranslate(self, language: Language) -> None:
        self.hint.setText(self.tr("No ID card: type the full name in pinyin, and the phone"))
        self.name.setPlaceholderText(self.tr("Full name"))
        self.phone.setPlaceholderText(self.tr("Phone"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.done_button.setText(self.tr("Done"))
        self.keyboard.retranslate(language)
        self.keypad.retranslate(language)

    # ------------------------------------------------------------ editing

    def open(self) -> None:
        """A new person: both fields empty, the name's keys shown."""
        self.name.clear()
        self.keypad.clear()
        self.edit_name()

    def edit_name(self) -> None:
        self.keys.setCurrentWidget(self.keyboard)
        self._mark(self.name)
        self.name.setFocus()

    def edit_phone(self) -> None:
        self.keys.setCurrentWidget(self.keypad)
        self._mark(self.phone)
        self.keypad.setFocus()

    @property
    def full_name(self) -> str:
        return " ".join(self.name.text().upper().split())

    def accept(self) -> None:
        self.accepted.emit(self.full_name, self.keypad.text())

    def _mark(self, active: QLineEdit) -> None:
        for field in (self.name, self.phone):
            field.setStyleSheet(_field_style(field is active))

    def _upper(self, text: str) -> None:
        """A USB keyboard types lower case; names are typed as on a passport."""
        if text != text.upper():
            position = self.name.cursorPosition()
            self.name.setText(text.upper())
            self.name.setCursorPosition(position)
