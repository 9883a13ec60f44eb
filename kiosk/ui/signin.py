"""Staff sign-in: the operator on duty picks their name from the roster and enters their PIN.

Every passage is recorded with the operator on duty, so the kiosk knows who that is; signing in
and out are written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.checkpoint.access import AccessResult
from kiosk.store import Operator
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.pinpad import AccessGate, PinPad

NAME_COLUMNS = 3
SIGN_IN = "sign_in"


class OperatorPicker(QWidget):
    """Big name buttons, one per operator; a long roster scrolls."""

    picked = Signal(str)  # operator id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(style.BUTTON_STYLE)
        self._inner = QWidget()
        self._grid = QGridLayout(self._inner)
        self._grid.setSpacing(style.SPACING_PX)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        for column in range(NAME_COLUMNS):  # a short roster keeps button-sized buttons
            self._grid.setColumnStretch(column, 1)
            self._grid.setColumnMinimumWidth(column, style.TOUCH_TARGET_PX * 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.empty_label = QLabel()
        self.empty_label.setFont(style.font(style.BODY_PT))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addWidget(scroll, 1)
        self.buttons: dict[str, QPushButton] = {}

    def show_operators(self, operators: list[Operator], current: str | None = None) -> None:
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        for index, operator in enumerate(operators):
            button = QPushButton(operator.display_name)
            button.setFont(style.font(style.BUTTON_PT + 4, bold=operator.operator_id == current))
            button.setMinimumHeight(style.TOUCH_TARGET_PX + 24)
            if operator.operator_id == current:
                button.setStyleSheet(f"QPushButton {{ border: 4px solid {style.STATUS_OK}; }}")
            button.clicked.connect(lambda _=False, o=operator.operator_id: self.picked.emit(o))
            self.buttons[operator.operator_id] = button
            self._grid.addWidget(button, *divmod(index, NAME_COLUMNS))
        self.empty_label.setVisible(not operators)

    def retranslate(self, language: Language) -> None:
        self.empty_label.setText(
            self.tr("No operators on this kiosk yet. The staff roster comes with the next sync.")
        )


class SignInView(QWidget):
    """Who is on duty. The lead's window shows it from the scan screen; `closed` goes back."""

    signed_in = Signal(str)  # operator id
    signed_out = Signal()
    closed = Signal()

    def __init__(
        self,
        gate: AccessGate,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
        language: Language = Language.ZH,
    ) -> None:
        super().__init__(parent)
        self._gate = gate
        self._clock = clock
        self._language = language
        self._on_duty: str | None = None
        self._choosing: str | None = None
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")

        self.title = QLabel()
        self.title.setFont(style.font(style.PROMPT_PT - 8, bold=True))
        self.on_duty_label = QLabel()
        self.on_duty_label.setFont(style.font(style.BODY_PT))
        self.on_duty_label.setWordWrap(True)
        self.picker = OperatorPicker()
        self.picker.picked.connect(self._pick)
        self.sign_out_button = QPushButton()
        self.sign_out_button.clicked.connect(self.sign_out)
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.closed)
        for button in (self.sign_out_button, self.back_button):
            button.setStyleSheet(style.BUTTON_STYLE)
        choose = QWidget()
        layout = QVBoxLayout(choose)
        layout.setSpacing(style.SPACING_PX)
        layout.addWidget(self.title)
        layout.addWidget(self.on_duty_label)
        layout.addWidget(self.picker, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.sign_out_button)
        actions.addStretch(1)
        actions.addWidget(self.back_button)
        layout.addLayout(actions)

        self.pad = PinPad(clock, language=language)
        self.pad.setMaximumWidth(900)  # landscape: the keys beside the name and the dots
        self.pad.entered.connect(self._entered)
        self.pad.cancelled.connect(self._back_to_names)
        pad_page = QWidget()
        centred = QHBoxLayout(pad_page)
        centred.addStretch(1)
        centred.addWidget(self.pad, 4)
        centred.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(choose)
        self.pages.addWidget(pad_page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)

        gate.roster_loaded.connect(self._show_names)
        gate.checked.connect(self._on_checked)
        self.retranslate(language)

    # ------------------------------------------------------------ public

    @property
    def operator_id(self) -> str | None:
        """The operator on duty, or None."""
        return self._on_duty

    @property
    def display_name(self) -> str | None:
        return None if self._on_duty is None else self._gate.display_name(self._on_duty)

    def start(self) -> None:
        """Show the names (reloading the roster): call when switching to this view."""
        self._back_to_names()
        self._gate.load()

    def sign_out(self) -> None:
        if self._on_duty is None:
            return
        self._gate.audit(self._on_duty, "sign_out", {})
        self._on_duty = None
        self._show_names()
        self.signed_out.emit()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.title.setText(self.tr("Who is on duty? Touch your name."))
        self.sign_out_button.setText(self.tr("Sign out"))
        self.back_button.setText(self.tr("Back"))
        self.picker.retranslate(language)
        self.pad.retranslate(language)
        if self._choosing is not None:
            self._prompt_for(self._choosing)
        self._render_on_duty()

    def _prompt_for(self, operator_id: str) -> None:
        self.pad.set_prompt(
            self.tr("PIN for %1").replace("%1", self._gate.display_name(operator_id))
        )

    # ------------------------------------------------------------ steps

    def _show_names(self) -> None:
        self.picker.show_operators(self._gate.operators(), self._on_duty)
        self._render_on_duty()

    def _render_on_duty(self) -> None:
        if self._on_duty is None:
            self.on_duty_label.setText(self.tr("Nobody is signed in."))
        else:
            self.on_duty_label.setText(
                self.tr("On duty: %1").replace("%1", self.display_name or "")
            )
        self.sign_out_button.setVisible(self._on_duty is not None)

    def _pick(self, operator_id: str) -> None:
        self._choosing = operator_id
        self.pad.clear()
        self._prompt_for(operator_id)
        self.pad.show_locked(self._gate.locked_until(operator_id))
        self.pages.setCurrentIndex(1)
        self.pad.setFocus()

    def _back_to_names(self) -> None:
        self._choosing = None
        self.pad.clear()
        self.pages.setCurrentIndex(0)

    def _entered(self, pin: str) -> None:
        if self._choosing is None:
            return
        self.pad.set_busy(True)
        self._gate.check(self._choosing, pin, SIGN_IN)

    def _on_checked(self, result: AccessResult, purpose: str) -> None:
        if purpose != SIGN_IN or result.operator_id != self._choosing:
            return  # another view's check (the gate is shared)
        self.pad.show_result(result)
        if not result.granted:
            return
        previous = self._on_duty
        if previous is not None and previous != result.operator_id:
            self._gate.audit(previous, "sign_out", {"replaced": True})
        self._on_duty = result.operator_id
        self._gate.audit(result.operator_id, "sign_in", {})
        self._back_to_names()
        self._show_names()
        self.signed_in.emit(result.operator_id)
