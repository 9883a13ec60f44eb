"""An on-screen text keyboard for gloved hands: it types into a line edit beside it.

Which keys show, and in which rows, is decided by kiosk.app.text_keys from how many keys of at
least 90 px (15 mm on a 10.1" 1280x800 panel) fit: on a wide panel a QWERTY block of ten keys
across, every key on one page when five rows fit, else letters and digits on two pages (a
1024x600 panel); on a narrow (portrait) one A to Z in rows of eight. The keys are placed by hand
on each resize, so the keyboard never asks its screen for more room than the panel has.

The field stays an ordinary editable field (a QLineEdit, or the override's wrapping note field):
a USB keyboard or a scanner typing into it works as well.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from kiosk.app.text_keys import (
    BACKSPACE,
    CLEAR,
    DIGITS_PAGE,
    LETTERS_PAGE,
    NARROW_COLUMNS,
    PROVINCES_PAGE,
    SPACE,
    Arrangement,
    TextKind,
    arrangement,
    every_key,
    page_key_target,
    typed,
)
from kiosk.ui import style
from kiosk.ui.i18n import Language

KEY_MIN_PX = 90  # 15 mm on a 10.1" 1280x800 panel
KEY_MAX_PX = 150  # taller keys on a tall panel only push the keys out of reach
KEY_SPACING_PX = 6
KEY_PT = 26
WORD_KEY_PT = 20


def _key_style(point_size: int, fill: str) -> str:
    return (
        f"QPushButton {{ font-size: {point_size}pt; border-radius: 10px; padding: 0px;"
        f" background: {fill}; border: 2px solid #90A4AE; color: {style.TEXT}; }}"
        " QPushButton:pressed { background: #CFD8DC; }"
    )


_SYMBOLS = {BACKSPACE: "⌫", DIGITS_PAGE: "123", LETTERS_PAGE: "ABC"}


class Field(Protocol):
    """What the keys type into: QLineEdit has these, and so does the override's note field."""

    def insert(self, text: str) -> None: ...
    def backspace(self) -> None: ...
    def clear(self) -> None: ...


def _fitting(length: int) -> int:
    """How many keys of the smallest size fit in `length` pixels."""
    return max(1, (length + KEY_SPACING_PX) // (KEY_MIN_PX + KEY_SPACING_PX))


class TextKeyboard(QWidget):
    """Keys that type into `target`; ⌫ deletes before the cursor, Clear empties the field."""

    page_changed = Signal(int)

    def __init__(self, kind: TextKind, target: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.target = target
        self._page = 0
        self._arrangement: Arrangement | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.key_buttons: dict[str, QPushButton] = {}
        for key in every_key(kind):
            button = QPushButton(_SYMBOLS.get(key, key), self)
            word = len(key) > 1 and key not in _SYMBOLS  # Space, Clear, 省份: a word on the key
            fill = "#ECEFF1" if len(key) > 1 else "#FFFFFF"  # the keys that edit stand apart
            button.setStyleSheet(_key_style(WORD_KEY_PT if word else KEY_PT, fill))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the cursor
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            button.hide()
            self.key_buttons[key] = button
        self.retranslate(Language.ZH)

    def retranslate(self, language: Language) -> None:
        if SPACE in self.key_buttons:  # a plate has no space
            self.key_buttons[SPACE].setText(self.tr("Space"))
        if PROVINCES_PAGE in self.key_buttons:
            self.key_buttons[PROVINCES_PAGE].setText(self.tr("Province"))
        self.key_buttons[CLEAR].setText(self.tr("Clear"))
        self.key_buttons[BACKSPACE].setAccessibleName(self.tr("Delete"))

    # ------------------------------------------------------------ typing

    def press(self, key: str) -> None:
        if key == BACKSPACE:
            self.target.backspace()
        elif key == CLEAR:
            self.target.clear()
        elif (page := page_key_target(self.kind, key)) is not None:
            self.show_page(page)
        else:
            self.target.insert(typed(key))

    def type_text(self, text: str) -> None:
        """Touch the key of each character in turn (what a test does)."""
        for character in text:
            self.press(SPACE if character == " " else character)

    @property
    def page_count(self) -> int:
        return len(self._arrangement.pages) if self._arrangement else 1

    def show_page(self, page: int) -> None:
        self._page = page
        self._place()
        self.page_changed.emit(page)

    def visible_keys(self) -> list[str]:
        return [key for key, button in self.key_buttons.items() if button.isVisibleTo(self)]

    # ------------------------------------------------------------ placing

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(10 * (KEY_MIN_PX + 30), 5 * (KEY_MIN_PX + 20))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Three rows of eight: the least any arrangement places keys of 90 px in."""
        return QSize(
            NARROW_COLUMNS * (KEY_MIN_PX + KEY_SPACING_PX) - KEY_SPACING_PX,
            3 * (KEY_MIN_PX + KEY_SPACING_PX) - KEY_SPACING_PX,
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        size = event.size()
        chosen = arrangement(self.kind, _fitting(size.width()), _fitting(size.height()))
        if chosen != self._arrangement:
            self._arrangement = chosen
            self._page = min(self._page, len(chosen.pages) - 1)
        self._place()
        super().resizeEvent(event)

    def _place(self) -> None:
        chosen = self._arrangement
        if chosen is None:
            return
        gap = KEY_SPACING_PX
        cell_w = (self.width() - gap * (chosen.columns - 1)) / chosen.columns
        cell_h = (self.height() - gap * (chosen.rows - 1)) / chosen.rows
        cell_h = min(cell_h, max(float(KEY_MAX_PX), cell_w * 0.8))
        shown = {placed.key: placed for placed in chosen.pages[self._page]}
        for key, button in self.key_buttons.items():
            placed = shown.get(key)
            if placed is None:
                button.hide()
                continue
            left = round(placed.column * (cell_w + gap))
            right = round((placed.column + placed.span) * (cell_w + gap) - gap)
            top = round(placed.row * (cell_h + gap))
            button.setGeometry(QRect(left, top, right - left, round(cell_h)))
            button.show()
