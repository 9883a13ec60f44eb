"""The override's optional note, written without a keyboard: common phrases one touch each
(Chinese, the language of the records, with English below them on an English screen) and the
on-screen text keyboard for a plate, an ID or a short word.

`NoteButton` shows the note on the override form (wrapped, never cut) and opens `NoteEditor`,
whose `NoteField` wraps too: 60 characters never run off the side of a one-line field.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from healthcode.text import LocalText
from kiosk.app.text_keys import TextKind
from kiosk.checkpoint.override import NOTE_MAX_CHARS, NOTE_PHRASES, note_with_phrase
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.text_keyboard import KEY_MIN_PX, KEY_SPACING_PX, TextKeyboard

CHIP_MIN_WIDTH_PX = 240  # "工作人员陪同" or two lines of English, with room to spare
CHIP_PT = 22
CHIP_TWO_LINES_PT = 16
_BUTTON_HEIGHT_PX = style.TOUCH_TARGET_PX + 20  # as tall as 确认 beside it (padding, frame)
_ZERO_WIDTH_SPACE = "\u200b"  # lets a long plate or ID wrap instead of widening the form

_CHIP_STYLE = (
    f"QPushButton {{ min-height: {KEY_MIN_PX - 4}px; border-radius: 10px; padding: 0px 6px;"
    f" background: #FFF8E1; border: 2px solid #90A4AE; color: {style.TEXT}; }}"
    " QPushButton:pressed { background: #CFD8DC; }"
)
_FIELD_STYLE = (
    "QPlainTextEdit { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
    " padding: 2px 8px; }"
)
FIELD_PT = 18  # two lines hold a whole note beside 完成 on a 1024x600 panel


def wrappable(text: str) -> str:
    """`text` with a break allowed inside a run of Latin letters and digits (a plate, an ID),
    which would otherwise widen a label that wraps; Chinese wraps by its own rules."""
    return re.sub(r"(?<=[!-~])(?=[!-~])", _ZERO_WIDTH_SPACE, text)


class NoteButton(QPushButton):
    """The note as written so far (or what to touch to write one), on as many lines as it
    needs; touching it opens the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(style.BUTTON_STYLE + " QPushButton { padding: 4px 12px; }")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(style.TOUCH_TARGET_PX * 2)
        self.label = QLabel()
        self.label.setFont(style.font(style.BODY_PT - 2))
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setStyleSheet("background: transparent; border: none;")
        inside = QVBoxLayout(self)
        inside.setContentsMargins(14, 4, 14, 4)
        inside.addWidget(self.label)

    def show_note(self, note: str, placeholder: str) -> None:
        self.label.setText(wrappable(note) if note else placeholder)
        self.label.setStyleSheet(
            f"background: transparent; border: none; color: {style.TEXT if note else '#757575'};"
        )
        self._fit_height()

    def _fit_height(self) -> None:
        """Tall enough for every line of the note at the width the form gives it."""
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right()
        lines = self.label.heightForWidth(width) if width > 0 else -1
        needed = lines + margins.top() + margins.bottom() + 8  # the frame
        self.setMinimumHeight(max(_BUTTON_HEIGHT_PX, needed))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_height()


class NoteField(QPlainTextEdit):
    """The note as it is written: one paragraph of at most NOTE_MAX_CHARS, wrapped onto as many
    lines as it needs (the field grows), so all of it shows. It offers what the on-screen
    keyboard types with (`insert`, `backspace`, `clear`) and `text()`, as a line edit does."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(style.font(FIELD_PT))
        self.setStyleSheet(_FIELD_STYLE)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self._keep_short)
        self._fit_height()

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - as QLineEdit names it
        self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.End)

    def insert(self, text: str) -> None:
        self.insertPlainText(text)

    def backspace(self) -> None:
        self.textCursor().deletePreviousChar()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()  # one paragraph: Enter is not part of a note
            return
        super().keyPressEvent(event)

    def _keep_short(self) -> None:
        text = self.toPlainText()
        short = text.replace("\n", " ")[:NOTE_MAX_CHARS]
        if short != text:
            self.setText(short)
        self._fit_height()

    def _fit_height(self) -> None:
        lines = max(1, round(self.document().size().height()))  # in lines: a plain document
        line_px = self.fontMetrics().lineSpacing()
        frame = 2 * (2 + 2 + round(self.document().documentMargin()))  # border, padding
        self.setFixedHeight(max(style.TOUCH_TARGET_PX, lines * line_px + frame + 4))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_height()


class NoteEditor(QWidget):
    """The note's field, phrase chips, and the keyboard; `done` goes back to the form."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = NoteField()
        self.done_button = QPushButton()
        self.done_button.setStyleSheet(style.BUTTON_STYLE + " QPushButton { padding: 0px 20px; }")
        self.done_button.clicked.connect(self.done)
        top = QHBoxLayout()
        top.setSpacing(KEY_SPACING_PX)
        top.addWidget(self.field, 1)
        top.addWidget(self.done_button)
        self.chips: list[QPushButton] = []
        self._phrases: dict[QPushButton, LocalText] = {}
        self._chip_grid = QGridLayout()
        self._chip_grid.setSpacing(KEY_SPACING_PX)
        for phrase in NOTE_PHRASES:
            chip = QPushButton()
            chip.setStyleSheet(_CHIP_STYLE)
            chip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            chip.setMinimumWidth(KEY_MIN_PX * 2)
            chip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            chip.clicked.connect(lambda _=False, p=phrase.zh: self.add_phrase(p))
            self.chips.append(chip)
            self._phrases[chip] = phrase
        self._chip_columns = 0
        self.keyboard = TextKeyboard(TextKind.NOTE, self.field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(KEY_SPACING_PX)
        layout.addLayout(top)
        layout.addLayout(self._chip_grid)
        layout.addWidget(self.keyboard, 1)
        self._place_chips(4)
        self.retranslate(Language.ZH)

    def add_phrase(self, phrase: str) -> None:
        self.field.setText(note_with_phrase(self.field.text(), phrase))

    def retranslate(self, language: Language) -> None:
        self.field.setPlaceholderText(self.tr("Note (optional): touch a phrase or type"))
        self.done_button.setText(self.tr("Done"))
        for chip, phrase in self._phrases.items():
            if language is Language.ZH:
                chip.setText(phrase.zh)
                chip.setStyleSheet(_CHIP_STYLE + f" QPushButton {{ font-size: {CHIP_PT}pt; }}")
            else:  # the Chinese is what the note gets; the English says what it means
                chip.setText(f"{phrase.zh}\n{phrase.en}")
                chip.setStyleSheet(
                    _CHIP_STYLE + f" QPushButton {{ font-size: {CHIP_TWO_LINES_PT}pt; }}"
                )
        self.keyboard.retranslate(language)

    def _place_chips(self, columns: int) -> None:
        if columns == self._chip_columns:
            return
        self._chip_columns = columns
        for chip in self.chips:
            self._chip_grid.removeWidget(chip)
        for index, chip in enumerate(self.chips):
            self._chip_grid.addWidget(chip, *divmod(index, columns))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Four chips to a row where they fit (two rows on a landscape panel), else three."""
        fits = event.size().width() // (CHIP_MIN_WIDTH_PX + KEY_SPACING_PX)
        self._place_chips(max(2, min(4, fits)))
        super().resizeEvent(event)
