"""A vehicle plate typed with gloves: touching the scan screen's plate field opens `PlateEntry`,
a page of the kiosk window with the plate large, Cancel and Done, and the plate keys as Chinese
plates are typed (kiosk.app.text_keys): the province first, then letters and digits, the keys
turning to the letters once the province is in. A plate of an unusual shape is marked, never
refused: staff may need to type an odd one.

The field stays an ordinary line edit: a USB keyboard types into it as well (Enter is Done).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.text_keys import PLATE_MAX_CHARS, PlateShape, TextKind, plate_page, plate_shape
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.text_keyboard import KEY_SPACING_PX, TextKeyboard

PLATE_PT = 36
CAPTION_PT = 18  # status words at least 20 px
MARGIN_PX = 12
_ACTION_STYLE = style.BUTTON_STYLE + (
    f" QPushButton {{ min-height: {style.GLOVE_TARGET_PX}px; min-width: 150px;"
    " padding: 0px 20px; }"
)
_DONE_STYLE = _ACTION_STYLE + f" QPushButton {{ background: {style.STATUS_OK}; color: white; }}"
_BORDER = {PlateShape.LIKELY: style.STATUS_OK, PlateShape.UNLIKELY: "#F9A825"}


def _field_style(shape: PlateShape) -> str:
    border = _BORDER.get(shape, "#90A4AE")
    width = 2 if border == "#90A4AE" else 4
    return (
        f"QLineEdit {{ background: #FFFFFF; border: {width}px solid {border};"
        " border-radius: 10px; padding: 2px 12px; }"
    )


class PlateEntry(QWidget):
    """The plate's caption and how it looks, the plate, Cancel and Done, and the plate keys."""

    accepted = Signal(str)  # Done: the plate as typed (upper case, no spaces)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.caption = QLabel()
        self.caption.setFont(style.font(CAPTION_PT, bold=True))
        self.shape_note = QLabel()  # how the plate looks: fine, or unusual (check it)
        self.shape_note.setFont(style.font(CAPTION_PT))
        self.shape_note.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setFont(style.font(PLATE_PT, bold=True))
        self.field.setMaxLength(PLATE_MAX_CHARS)
        self.field.setMinimumHeight(style.GLOVE_TARGET_PX)
        self.field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.field.returnPressed.connect(self.accept)  # Enter on a USB keyboard
        self.field.textEdited.connect(self._keyboard_typed)
        self.field.textChanged.connect(self._show_shape)
        self.cancel_button = QPushButton()
        self.cancel_button.setStyleSheet(_ACTION_STYLE)
        self.cancel_button.clicked.connect(self.cancel)
        self.done_button = QPushButton()
        self.done_button.setStyleSheet(_DONE_STYLE)
        self.done_button.clicked.connect(self.accept)
        for action in (self.cancel_button, self.done_button):
            action.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the cursor
        self.keyboard = TextKeyboard(TextKind.PLATE, self.field)

        words = QHBoxLayout()
        words.setSpacing(KEY_SPACING_PX * 3)
        words.addWidget(self.caption)
        words.addWidget(self.shape_note, 1)
        plate_row = QHBoxLayout()
        plate_row.setSpacing(KEY_SPACING_PX * 2)
        plate_row.addWidget(self.field, 1)
        plate_row.addWidget(self.cancel_button)
        plate_row.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN_PX, MARGIN_PX, MARGIN_PX, MARGIN_PX)
        layout.setSpacing(KEY_SPACING_PX * 2)
        layout.addLayout(words)
        layout.addLayout(plate_row)
        layout.addWidget(self.keyboard, 1)
        self.retranslate(Language.ZH)

    def retranslate(self, language: Language) -> None:
        self.caption.setText(self.tr("Vehicle plate"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.done_button.setText(self.tr("Done"))
        self.keyboard.retranslate(language)
        self._show_shape()

    # ------------------------------------------------------------ editing

    def open(self, plate: str) -> None:
        """Start from the plate the scan screen has (kept from one car to the next)."""
        self.field.setText(plate)
        self.keyboard.show_page(plate_page(plate))
        self.field.setFocus()
        self.field.end(False)

    @property
    def plate(self) -> str:
        return self.field.text().strip().upper().replace(" ", "")

    @property
    def shape(self) -> PlateShape:
        return plate_shape(self.plate)

    def accept(self) -> None:
        self.accepted.emit(self.plate)

    def cancel(self) -> None:
        self.cancelled.emit()

    def _keyboard_typed(self, text: str) -> None:
        """A USB keyboard types lower case; plates are upper case."""
        if text != text.upper():
            position = self.field.cursorPosition()
            self.field.setText(text.upper())
            self.field.setCursorPosition(position)

    def _show_shape(self) -> None:
        text = self.field.text()
        shape = self.shape
        if len(text) <= 1:  # the province typed (or wiped): the keys for what comes next
            self.keyboard.show_page(plate_page(text))
        self.field.setStyleSheet(_field_style(shape))
        notes = {
            PlateShape.EMPTY: self.tr("Province first, then letters and digits"),
            PlateShape.INCOMPLETE: "",
            PlateShape.LIKELY: self.tr("✓ Looks like a plate"),
            PlateShape.UNLIKELY: self.tr("Unusual plate: please check it"),
        }
        self.shape_note.setText(notes[shape])
        colour = {PlateShape.LIKELY: style.STATUS_OK, PlateShape.UNLIKELY: "#E65100"}
        self.shape_note.setStyleSheet(f"color: {colour.get(shape, style.TEXT)};")
