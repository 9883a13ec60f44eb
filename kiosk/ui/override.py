"""Changing a decision: an outcome and a reason, both picked with large buttons (gloves), and an
optional short note written on the note page (kiosk.ui.override_note: phrases and an on-screen
keyboard). Recorded with the operator on duty (the flow refuses it without one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from healthcode.text import LocalText
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.override import (
    OVERRIDE_REASONS,
    OverrideReason,
    recorded_reason,
)
from kiosk.ui import style
from kiosk.ui.form_frame import action_row, check_only, form_button, problem_label
from kiosk.ui.i18n import Language
from kiosk.ui.override_note import NoteButton, NoteEditor
from kiosk.ui.screens import OVERRIDE_OUTCOMES
from kiosk.ui.toggle import ToggleButton

K = TypeVar("K")
_SMALLEST_PANEL = QSize(780, 580)  # 800x1280 portrait, 1024x600 landscape, less margins


class OverridePanel(QWidget):
    """Changing a decision needs an outcome and a reason; both are recorded with the operator."""

    submitted = Signal(object, str)  # Outcome, reason
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        self.form = QWidget()
        layout = QVBoxLayout(self.form)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setFont(style.font(style.BODY_PT + 8, bold=True))
        self.message = problem_label()  # why 确认 did nothing, beside the title: no room kept
        self.message.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.message, 1)
        self._buttons: dict[Outcome, ToggleButton] = {}
        self._outcomes = self._grid(self._buttons, OVERRIDE_OUTCOMES)
        self.reason_title = QLabel()
        self.reason_title.setFont(style.font(style.BODY_PT + 2, bold=True))
        self.reason_buttons: dict[OverrideReason, ToggleButton] = {}
        self._reasons = self._grid(self.reason_buttons, [r.reason for r in OVERRIDE_REASONS])
        for button in self.reason_buttons.values():
            button.clicked.connect(self.message.clear)  # a reason picked answers the refusal
        self.note_editor = NoteEditor()
        self.note = self.note_editor.field  # what is recorded after the reason
        self.note_button = NoteButton()
        self.note_button.clicked.connect(self.edit_note)
        self.note_editor.done.connect(self._note_done)
        self._note_row = QHBoxLayout()  # the note on a row of its own on a portrait panel
        self.confirm, self.cancel = form_button(), form_button()
        self._actions = actions = action_row(self.confirm, self.cancel)
        actions.setSpacing(10)
        self.confirm.clicked.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled)
        layout.addLayout(heading)
        layout.addLayout(self._outcomes)
        layout.addWidget(self.reason_title)
        layout.addLayout(self._reasons)
        layout.addStretch(1)
        layout.addLayout(self._note_row)
        layout.addLayout(actions)
        editor_page = QWidget()
        editor_layout = QVBoxLayout(editor_page)
        editor_layout.setContentsMargins(8, 8, 8, 8)
        editor_layout.addWidget(self.note_editor)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.form)
        self.pages.addWidget(editor_page)
        # Both pages rearrange themselves to the panel's shape: their minimum in the arrangement
        # they happen to be in must not widen the panel (see minimumSizeHint).
        self.pages.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._portrait: bool | None = None
        self._arrange(portrait=False)
        self._language = Language.ZH
        self.retranslate(Language.ZH)

    def _grid(self, buttons: dict[K, ToggleButton], keys: Sequence[K]) -> QGridLayout:
        """One exclusive group of large toggles (placed by `_arrange`)."""
        grid = QGridLayout()
        grid.setSpacing(8)
        group = QButtonGroup(self)
        for key in keys:
            button = ToggleButton()
            group.addButton(button)
            buttons[key] = button
        return grid

    def _arrange(self, *, portrait: bool) -> None:
        """Landscape: the outcomes in one row, the reasons two to a row, the note beside 确认
        (600 px high fits). Portrait: the outcomes two to a row, the reasons one to a row, the
        note on a row of its own above 确认 (800 px wide fits, and a long note stays short)."""
        if portrait == self._portrait:
            return
        self._portrait = portrait
        self._note_row.removeWidget(self.note_button)
        self._actions.removeWidget(self.note_button)
        if portrait:
            self._note_row.addWidget(self.note_button)
        else:
            self._actions.insertWidget(0, self.note_button, 1)
        for grid, buttons, columns in (
            (self._outcomes, list(self._buttons.values()), 2 if portrait else 4),
            (self._reasons, list(self.reason_buttons.values()), 1 if portrait else 2),
        ):
            for button in buttons:
                grid.removeWidget(button)
            for index, button in enumerate(buttons):
                grid.addWidget(button, *divmod(index, columns))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The panel rearranges itself to the panel's shape, so it must not claim the current
        arrangement's size (four outcomes in a row would keep a portrait window 920 px wide).
        It claims at most the smallest panel it is made for; the GUI tests check every one."""
        return super().minimumSizeHint().boundedTo(_SMALLEST_PANEL)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange(portrait=event.size().height() > event.size().width())
        super().resizeEvent(event)

    @property
    def chosen_reason(self) -> OverrideReason | None:
        return next((r for r, b in self.reason_buttons.items() if b.isChecked()), None)

    def edit_note(self) -> None:
        self.pages.setCurrentIndex(1)
        self.note.setFocus()

    def _note_done(self) -> None:
        self._show_note()
        self.pages.setCurrentIndex(0)

    def _show_note(self) -> None:
        note = " ".join(self.note.text().split())
        self.note_button.show_note(note, "✎ " + self.tr("Note (optional)"))

    def reset(self) -> None:
        self.note.clear()
        self.note_editor.keyboard.show_page(0)
        self._note_done()
        self.message.clear()
        self._buttons[Outcome.PASS].setChecked(True)
        check_only(list(self.reason_buttons.values()), None)

    def show_refusal(self, why: LocalText) -> None:
        self.message.setText(why.get(self._language.value))  # type: ignore[arg-type]

    def retranslate(self, language: Language) -> None:
        self._language = language
        lang = language.value
        self.title.setText(self.tr("Change the decision"))
        for outcome, button in self._buttons.items():
            button.setText(outcome.label.get(lang))  # type: ignore[arg-type]
        self.reason_title.setText(self.tr("Reason (pick one)"))
        for listed in OVERRIDE_REASONS:
            self.reason_buttons[listed.reason].setText(listed.label.get(lang))  # type: ignore[arg-type]
        self.note_editor.retranslate(language)
        self._show_note()
        self.confirm.setText(self.tr("Confirm"))
        self.cancel.setText(self.tr("Cancel"))

    def _submit(self) -> None:
        outcome = next((o for o, b in self._buttons.items() if b.isChecked()), Outcome.PASS)
        reason = recorded_reason(self.chosen_reason, self.note.text())
        if not reason:
            self.message.setText(self.tr("Pick a reason first"))
            return
        self.submitted.emit(outcome, reason)
