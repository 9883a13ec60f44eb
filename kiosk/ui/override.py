"""Changing a decision: an outcome and a reason, both picked with large buttons (gloves), and an
optional short note. Recorded with the operator on duty (the flow refuses it without one)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from healthcode.text import LocalText
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.override import (
    NOTE_MAX_CHARS,
    OVERRIDE_REASONS,
    OverrideReason,
    recorded_reason,
)
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.screens import OVERRIDE_OUTCOMES
from kiosk.ui.toggle import ToggleButton

K = TypeVar("K")


class OverridePanel(QWidget):
    """Changing a decision needs an outcome and a reason; both are recorded with the operator."""

    submitted = Signal(object, str)  # Outcome, reason
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACING_PX)
        self.title = QLabel()
        self.title.setFont(style.font(style.PROMPT_PT, bold=True))
        self.title.setWordWrap(True)
        self._buttons: dict[Outcome, ToggleButton] = {}
        outcomes = self._grid(self._buttons, OVERRIDE_OUTCOMES)
        self.reason_title = QLabel()
        self.reason_title.setFont(style.font(style.BODY_PT + 2, bold=True))
        self.reason_buttons: dict[OverrideReason, ToggleButton] = {}
        reasons = self._grid(self.reason_buttons, [r.reason for r in OVERRIDE_REASONS])
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX_CHARS)
        self.note.setFont(style.font(style.BUTTON_PT))
        self.note.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.message = QLabel()
        self.message.setFont(style.font(style.BODY_PT))
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {style.STATUS_BAD};")
        actions = QHBoxLayout()
        self.confirm = QPushButton()
        self.cancel = QPushButton()
        for button in (self.confirm, self.cancel):
            button.setStyleSheet(style.BUTTON_STYLE)
            actions.addWidget(button)
        self.confirm.clicked.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled)
        layout.addWidget(self.title)
        layout.addLayout(outcomes)
        layout.addWidget(self.reason_title)
        layout.addLayout(reasons)
        layout.addWidget(self.note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(actions)
        self._language = Language.ZH
        self.retranslate(Language.ZH)

    def _grid(self, buttons: dict[K, ToggleButton], keys: list[K] | tuple[K, ...]) -> QGridLayout:
        """One exclusive group of large toggles, two to a row (they fit portrait panels too)."""
        grid = QGridLayout()
        grid.setSpacing(style.SPACING_PX // 2)
        group = QButtonGroup(self)
        for index, key in enumerate(keys):
            button = ToggleButton()
            group.addButton(button)
            buttons[key] = button
            grid.addWidget(button, *divmod(index, 2))
        return grid

    @property
    def chosen_reason(self) -> OverrideReason | None:
        return next((r for r, b in self.reason_buttons.items() if b.isChecked()), None)

    def reset(self) -> None:
        self.note.clear()
        self.message.clear()
        self._buttons[Outcome.PASS].setChecked(True)
        group = self.reason_buttons[OverrideReason.OTHER].group()
        group.setExclusive(False)  # an exclusive group keeps one checked
        for button in self.reason_buttons.values():
            button.setChecked(False)
        group.setExclusive(True)

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
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        self.confirm.setText(self.tr("Confirm"))
        self.cancel.setText(self.tr("Cancel"))

    def _submit(self) -> None:
        outcome = next((o for o, b in self._buttons.items() if b.isChecked()), Outcome.PASS)
        reason = recorded_reason(self.chosen_reason, self.note.text())
        if not reason:
            self.message.setText(self.tr("Pick a reason first"))
            return
        self.submitted.emit(outcome, reason)
