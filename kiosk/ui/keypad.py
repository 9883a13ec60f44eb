"""An on-screen keypad for gloved hands: ID numbers (digits and X), temperatures (digits and
a decimal point) and PINs (digits), each with backspace and clear. It starts empty: nothing is
pre-filled.

The keypad shows keys and forwards presses; which press extends the text is decided in
kiosk.app.keypad. A physical keyboard (a USB keypad, the tests) types through the same rules.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from kiosk.app.keypad import BACKSPACE, CLEAR, KeypadKind, keys, press
from kiosk.ui import style
from kiosk.ui.i18n import Language

# 15 mm is about 90 px on a 10.1" 1280x800 panel; the keys grow with the room they get (about
# 150 px there) and a 1024x600 panel still fits four rows of 90 under the tabs and the back button.
KEY_MIN_PX = 90
KEY_MAX_PX = 200  # a tall portrait panel: keys no taller than this, the rest goes to the page
KEY_PT = 30
KEY_SPACING_PX = 6
BUTTON_PT = style.BUTTON_PT + 4  # a word, not a digit: "Clear" fits the key

KEY_STYLE = (
    f"QPushButton {{ min-width: {KEY_MIN_PX - 4}px; min-height: {KEY_MIN_PX - 4}px;"  # + border
    f" font-size: {KEY_PT}pt; border-radius: 10px; padding: 0px;"
    f" background: #FFFFFF; border: 2px solid #90A4AE; color: {style.TEXT}; }}"
    " QPushButton:pressed { background: #CFD8DC; }"
)


class Keypad(QWidget):
    """Digit keys in a 3x4 block, with backspace and clear down the right-hand side:

    1 2 3 ⌫
    4 5 6 ⌫
    7 8 9 C
    X 0 0 C     (X for ID numbers, . for temperatures; a PIN's 0 spans the row)
    """

    changed = Signal(str)

    def __init__(self, kind: KeypadKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._text = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(KEY_SPACING_PX)
        self.key_buttons: dict[str, QPushButton] = {}
        characters = keys(kind)
        for index, key in enumerate(characters[:9]):
            self._add(grid, key, *divmod(index, 3))
        if len(characters) == 10:  # digits only: 0 under 7 8 9
            self._add(grid, characters[9], 3, 0, columns=3)
        else:
            self._add(grid, characters[9], 3, 0)
            self._add(grid, characters[10], 3, 1, columns=2)
        self._add(grid, BACKSPACE, 0, 3, rows=2)
        self._add(grid, CLEAR, 2, 3, rows=2)
        self.key_buttons[CLEAR].setStyleSheet(
            KEY_STYLE + f" QPushButton {{ font-size: {BUTTON_PT}pt; }}"
        )
        for column in range(4):
            grid.setColumnStretch(column, 1)
        for row in range(4):
            grid.setRowStretch(row, 1)
        self.setMaximumHeight(4 * KEY_MAX_PX + 3 * KEY_SPACING_PX)  # no gaps between the rows
        self.retranslate(Language.ZH)

    def _add(
        self, grid: QGridLayout, key: str, row: int, column: int, rows: int = 1, columns: int = 1
    ) -> None:
        button = QPushButton(key)
        button.setStyleSheet(KEY_STYLE)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.setMaximumHeight(rows * KEY_MAX_PX + (rows - 1) * KEY_SPACING_PX)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _=False, k=key: self.press(k))
        self.key_buttons[key] = button
        grid.addWidget(button, row, column, rows, columns)

    def retranslate(self, language: Language) -> None:
        self.key_buttons[CLEAR].setText(self.tr("Clear"))
        self.key_buttons[BACKSPACE].setAccessibleName(self.tr("Delete"))

    # ------------------------------------------------------------ the text

    def text(self) -> str:
        return self._text

    def clear(self) -> None:
        self._set(CLEAR)

    def press(self, key: str) -> None:
        self._set(key)

    def type_text(self, text: str) -> None:
        """Press each character's key in turn (what a USB keypad or a test does)."""
        for character in text:
            self._set(character)

    def _set(self, key: str) -> None:
        text = press(self.kind, self._text, key)
        if text != self._text:
            self._text = text
            self.changed.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key, text = event.key(), event.text()
        if key == Qt.Key.Key_Backspace:
            self._set(BACKSPACE)
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
            self._set(CLEAR)
        elif text and text.isascii() and text.upper() in keys(self.kind):
            self._set(text.upper())
        else:
            super().keyPressEvent(event)
