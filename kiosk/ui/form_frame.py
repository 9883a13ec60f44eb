"""What the pharmacy's and clinic's forms share (issue 25): the form's page (a heading row, the
red line of what is still missing, two columns side by side on a landscape panel and stacked on
a portrait one, 保存 / 取消 across the bottom), the keypad page a typed value is entered on (its
title, the value as typed, the keypad, 完成), the yes/no questions, the - / + step buttons and
the heading that says whom the form is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from healthcode.text import LIST_SEPARATOR, LocalText
from kiosk.app.keypad import KeypadKind
from kiosk.app.scenes import WORDS
from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.scenes import SceneHolder
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad
from kiosk.ui.toggle import ToggleButton

STEP_STYLE = (
    f"QPushButton {{ min-height: {style.GLOVE_TARGET_PX}px; min-width: {style.GLOVE_TARGET_PX}px;"
    f" font-size: 30pt; font-weight: bold; border-radius: 10px; padding: 0px;"
    f" background: #FFFFFF; border: 2px solid #90A4AE; color: {style.TEXT}; }}"
    " QPushButton:pressed { background: #CFD8DC; }"
)


def step_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setStyleSheet(STEP_STYLE)
    button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return button


class YesNo(QWidget):
    """A question answered by two big toggles; None until one is touched."""

    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.question = QLabel()
        self.question.setFont(style.font(style.BODY_PT, bold=True))
        self.question.setWordWrap(True)
        self.yes, self.no = ToggleButton(), ToggleButton()
        self._group = group = QButtonGroup(self)
        for answer, button in ((True, self.yes), (False, self.no)):
            group.addButton(button)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, a=answer: self.answered.emit(a))
        layout.addWidget(self.question, 1)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)

    def show_answer(self, answer: bool | None) -> None:
        chosen = self.yes if answer is True else self.no if answer is False else None
        check_only((self.yes, self.no), chosen)  # the next person's form starts unanswered

    def retranslate(self, question: LocalText, language: Language) -> None:
        self.question.setText(question.get(language.value))
        self.yes.setText(WORDS["yes"].get(language.value))
        self.no.setText(WORDS["no"].get(language.value))


def heading_text(
    title: LocalText, holder: SceneHolder, view: ResultView | None, language: str
) -> str:
    """The form's title, then whom it is about: masked name, colour and outcome, temperature."""
    parts = [title.get(language), holder.masked_name or ""]
    if view is not None and view.colour is not None:
        parts.append(f"{view.colour.label.get(language)}·{view.outcome.label.get(language)}")
    if holder.temperature_celsius is not None:
        parts.append(f"{holder.temperature_celsius:.1f} °C")
    return "  ".join(part for part in parts if part)


def form_button() -> QPushButton:
    button = QPushButton()
    button.setStyleSheet(style.BUTTON_STYLE)
    return button


def action_row(*buttons: QPushButton) -> QHBoxLayout:
    """A panel's bottom row (保存 / 取消, 确认 / 取消): the buttons share its width."""
    row = QHBoxLayout()
    for button in buttons:
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row.addWidget(button)
    return row


def problem_label() -> QLabel:
    """The red line that says why a touch did nothing (what is still missing)."""
    label = QLabel()
    label.setFont(style.font(style.BODY_PT, bold=True))
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {style.STATUS_BAD};")
    return label


def check_only(buttons: Sequence[QPushButton], chosen: QPushButton | None) -> None:
    """Check `chosen` and no other of an exclusive group's buttons (None: none of them; an
    exclusive group keeps its checked button, so the next person would find it checked)."""
    groups = {id(b.group()): b.group() for b in buttons if b.group() is not None}
    for group in groups.values():
        group.setExclusive(False)
    for button in buttons:
        button.setChecked(button is chosen)
    for group in groups.values():
        group.setExclusive(True)


class WrappingButton(QPushButton):
    """A touch button whose text wraps over lines (an address is longer than a button is wide):
    the text is a label inside it, the button takes the height its column leaves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(style.BUTTON_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(style.GLOVE_TARGET_PX)
        inside = QVBoxLayout(self)
        inside.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setFont(style.font(style.BODY_PT - 2))
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setStyleSheet("background: transparent; border: none;")
        inside.addWidget(self.label)

    def set_wrapped_text(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)


class FormPage(QWidget):
    """A form's main page; the panel puts its widgets into `heading`, `lines` and `columns`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(8)
        self.title = QLabel()
        self.title.setFont(style.font(style.BODY_PT + 6, bold=True))
        self.title.setWordWrap(True)
        self.heading = QHBoxLayout()  # the title, and whatever a form puts beside it
        self.heading.addWidget(self.title, 1)
        outer.addLayout(self.heading)
        self.lines = QVBoxLayout()  # full-width lines under the heading
        self.lines.setSpacing(8)
        outer.addLayout(self.lines)
        self.message = problem_label()
        self.message.hide()  # shown with what is missing after 保存: no room kept for it
        outer.addWidget(self.message)
        self.columns = QGridLayout()
        self.columns.setSpacing(12)
        outer.addLayout(self.columns, 1)
        self.save, self.cancel = form_button(), form_button()
        outer.addLayout(action_row(self.save, self.cancel))
        self._placed: tuple[QLayout, QLayout] | None = None

    def place(self, first: QLayout, second: QLayout, *, portrait: bool) -> None:
        """`first` beside `second` on a landscape panel, above it on a portrait one."""
        for layout in self._placed or ():
            self.columns.removeItem(layout)
        self._placed = (first, second)
        self.columns.addLayout(first, 0, 0)
        self.columns.addLayout(second, *((1, 0) if portrait else (0, 1)))
        self.columns.setColumnStretch(1, 0 if portrait else 2)

    def clear_problems(self) -> None:
        self.message.clear()
        self.message.hide()

    def say_problems(self, problems: Sequence[LocalText], language: Language) -> bool:
        """Show what is missing (nothing: the line goes); True when nothing is."""
        separator = LIST_SEPARATOR.get(language.value)
        self.message.setText(separator.join(p.get(language.value) for p in problems))
        self.message.setVisible(bool(problems))
        return not problems

    def retranslate(self, language: Language) -> None:
        self.save.setText(WORDS["save"].get(language.value))
        self.cancel.setText(WORDS["cancel"].get(language.value))


class KeypadPage(QWidget):
    """One value typed on a keypad: `typed(which, text)` when 完成 is touched (`which` is the
    index of the keypad in `kinds`)."""

    typed = Signal(int, str)

    def __init__(self, kinds: Sequence[KeypadKind], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.title = QLabel()
        self.title.setFont(style.font(style.BODY_PT + 4, bold=True))
        self.shown = QLabel()
        self.shown.setFont(style.font(style.BODY_PT + 12, bold=True))
        self.keypads = tuple(Keypad(kind) for kind in kinds)
        self.stack = QStackedLayout()
        for keypad in self.keypads:
            keypad.changed.connect(self.shown.setText)
            self.stack.addWidget(keypad)
        self.done = form_button()
        self.done.clicked.connect(
            lambda: self.typed.emit(self.stack.currentIndex(), self.keypad.text())
        )
        typed_row = QHBoxLayout()
        typed_row.addWidget(self.title)
        typed_row.addWidget(self.shown, 1)
        layout.addLayout(typed_row)
        layout.addLayout(self.stack, 1)
        layout.addWidget(self.done)

    @property
    def keypad(self) -> Keypad:
        return self.keypads[self.stack.currentIndex()]

    def open(self, which: int, title: str, text: str) -> None:
        """Keypad `which`, starting from `text` (typed through its rules)."""
        self.stack.setCurrentIndex(which)
        self.title.setText(title)
        self.keypad.clear()
        self.keypad.type_text(text)
        self.shown.setText(self.keypad.text())

    def retranslate(self, language: Language) -> None:
        self.done.setText(WORDS["done"].get(language.value))
        for keypad in self.keypads:
            keypad.retranslate(language)
