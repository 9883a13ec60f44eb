"""PIN entry for gloved hands, and the gate that checks PINs against the staff roster.

`PinPad` only collects digits and shows what it is told (wrong PIN, attempts left, the time a
lockout still lasts); `AccessGate` owns the kiosk's one `AccessControl`: it loads the roster and
the lockout state through a `StaffAccess` session, hashes PINs off the GUI thread, keeps the
lockout state after every attempt, and writes each attempt to the audit log (who, for what, the
result; never a PIN).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QWidget,
)

from kiosk.checkpoint.access import (
    PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
    AccessControl,
    AccessResult,
    AccessStateError,
    Denial,
    LockoutPolicy,
)
from kiosk.sessions.access import StaffAccess
from kiosk.store import Operator
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.i18n import Language

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
KEY_PX = 112  # a digit key: bigger than the general touch target, for gloves
KEY_MAX_HEIGHT_PX = 180  # a tall portrait panel: keys no taller than a thumb's reach needs
KEY_PT = 34


def format_remaining(remaining: timedelta) -> str:
    """Minutes and seconds, rounded up: "4:59", "12:00"."""
    seconds = max(0, int(-(-remaining.total_seconds() // 1)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class PinPad(QWidget):
    """Digits, delete, OK and cancel. The PIN is shown only as dots and never kept after OK."""

    entered = Signal(str)  # the PIN, when OK is pressed with enough digits
    cancelled = Signal()

    def __init__(
        self, clock: Clock, parent: QWidget | None = None, language: Language = Language.ZH
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._language = language
        self._digits = ""
        self._locked_until: datetime | None = None
        self._busy = False
        self._message = ""
        self._prompt = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(style.BUTTON_STYLE)

        self.prompt_label = QLabel()
        self.prompt_label.setFont(style.font(style.BODY_PT + 4, bold=True))
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label.setWordWrap(True)
        self.display = QLabel()
        self.display.setFont(style.font(36, bold=True))
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.display.setStyleSheet(
            "QLabel { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px; }"
        )
        self.message_label = QLabel()
        self.message_label.setFont(style.font(style.BODY_PT))
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.message_label.setMinimumHeight(style.TOUCH_TARGET_PX // 2)

        key_style = (
            f"QPushButton {{ min-width: {KEY_PX}px; min-height: {KEY_PX * 3 // 4}px;"
            f" font-size: {KEY_PT}pt; padding: 4px; }}"
        )
        grid = QGridLayout()
        grid.setSpacing(style.SPACING_PX)
        self.digit_buttons: dict[str, QPushButton] = {}
        for index, digit in enumerate("1234567890"):
            button = QPushButton(digit)
            button.setStyleSheet(key_style)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, d=digit: self.press(d))
            self.digit_buttons[digit] = button
            row, column = (3, 1) if digit == "0" else divmod(index, 3)
            grid.addWidget(button, row, column)
        self.delete_button = QPushButton("⌫")
        self.delete_button.setStyleSheet(key_style)
        self.delete_button.clicked.connect(self.delete)
        self.ok_button = QPushButton()
        self.ok_button.setStyleSheet(
            key_style + f" QPushButton:enabled {{ background: {style.STATUS_OK}; color: white; }}"
        )
        self.ok_button.clicked.connect(self.submit)
        for button in (self.delete_button, self.ok_button, *self.digit_buttons.values()):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setMaximumHeight(KEY_MAX_HEIGHT_PX)
        grid.addWidget(self.delete_button, 3, 0)
        grid.addWidget(self.ok_button, 3, 2)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)
        bottom.addStretch(1)
        self._outer = QGridLayout(self)
        self._outer.setSpacing(style.SPACING_PX)
        self._keys, self._bottom = grid, bottom
        self._portrait: bool | None = None
        grows = QSizePolicy.Policy.Expanding
        self._spacers = [QSpacerItem(0, 0, vData=grows) for _ in range(2)]
        self._arrange(portrait=False)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self.retranslate(language)

    def _arrange(self, *, portrait: bool) -> None:
        """Portrait: one column, the keys below the dots and Cancel at the bottom. Landscape:
        the keys beside the rest, so the pad fits a 600 px high panel (one column needs ~830)."""
        if portrait == self._portrait:
            return
        self._portrait = portrait
        outer = self._outer
        for widget in (self.prompt_label, self.display, self.message_label):
            outer.removeWidget(widget)
        for item in (self._keys, self._bottom):
            outer.removeItem(item)
            item.setParent(None)  # type: ignore[call-overload]  # else it cannot be added back
        for spacer in self._spacers:
            outer.removeItem(spacer)
        for row in range(7):
            outer.setRowStretch(row, 0)
        # Rows 1-5; rows 0 and 6 take what the keys (at most KEY_MAX_HEIGHT_PX) leave over on a
        # tall portrait panel, so the pad stays together in the middle.
        for row, widget in enumerate((self.prompt_label, self.display, self.message_label), 1):
            outer.addWidget(widget, row, 0)
        outer.addLayout(self._bottom, 5, 0)
        if portrait:
            outer.addLayout(self._keys, 4, 0)
            outer.setColumnStretch(1, 0)
            for row, spacer in zip((0, 6), self._spacers, strict=True):
                outer.addItem(spacer, row, 0)
                outer.setRowStretch(row, 1)
        else:
            outer.addLayout(self._keys, 1, 1, 5, 1)
            outer.setColumnStretch(0, 1)
            outer.setColumnStretch(1, 1)
        outer.setRowStretch(4, 20)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """By the shape of the window, not of the pad (its screen may keep it narrow)."""
        top = self.window()
        self._arrange(portrait=top.height() > top.width())
        super().resizeEvent(event)

    # ------------------------------------------------------------ what it shows

    @property
    def digit_count(self) -> int:
        return len(self._digits)

    @property
    def locked(self) -> bool:
        return self._locked_until is not None and self._clock() < self._locked_until

    def set_prompt(self, prompt: str) -> None:
        """A line above the dots, e.g. whose PIN is asked for (a name from the roster)."""
        self._prompt = prompt
        self.prompt_label.setText(prompt or self.tr("Enter your PIN"))

    def clear(self) -> None:
        self._digits = ""
        self._message = ""
        self.refresh()

    def set_busy(self, busy: bool) -> None:
        """While a PIN is being checked the keys are off."""
        self._busy = busy
        self.refresh()

    def show_result(self, result: AccessResult) -> None:
        """Tell the person what happened to the PIN just entered."""
        self._digits = ""
        self._busy = False
        if result.denial is Denial.LOCKED:
            self.show_locked(result.locked_until)
            return
        if result.denial is Denial.WRONG_PIN:
            if result.attempts_left is not None:
                self._message = self.tr("Wrong PIN. %n attempt(s) left.", "", result.attempts_left)
            else:
                self._message = self.tr("Wrong PIN.")
        elif result.denial is Denial.NOT_ALLOWED:
            self._message = self.tr("This operator may not open this.")
        else:
            self._message = ""
        self.refresh()

    def say(self, text: str) -> None:
        """A line below the dots (e.g. why a new PIN was refused), until the next key."""
        self._message = text
        self.refresh()

    def show_locked(self, until: datetime | None) -> None:
        self._locked_until = until
        self._digits = ""
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the state and the clock (called every second while locked)."""
        locked = self.locked
        if locked:
            assert self._locked_until is not None  # noqa: S101 - locked implies a time
            remaining = format_remaining(self._locked_until - self._clock())
            text = self.tr("Too many wrong PINs. Locked for %1 more.").replace("%1", remaining)
            self.message_label.setText(text)
            self.message_label.setStyleSheet(f"QLabel {{ color: {style.STATUS_BAD}; }}")
            if not self._timer.isActive():
                self._timer.start()
        else:
            if self._locked_until is not None:
                self._locked_until = None
                self._message = ""
            self._timer.stop()
            self.message_label.setText(self._message)
            self.message_label.setStyleSheet(f"QLabel {{ color: {style.STATUS_BAD}; }}")
        self.display.setText(
            " ".join("●" for _ in self._digits) if self._digits else self.tr("PIN")
        )
        self.display.setStyleSheet(
            "QLabel { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
            f" color: {style.TEXT if self._digits else '#9E9E9E'}; }}"
        )
        keys_on = not locked and not self._busy
        for button in self.digit_buttons.values():
            button.setEnabled(keys_on and len(self._digits) < PIN_MAX_DIGITS)
        self.delete_button.setEnabled(keys_on and bool(self._digits))
        self.ok_button.setEnabled(keys_on and len(self._digits) >= PIN_MIN_DIGITS)

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.set_prompt(self._prompt)
        self.ok_button.setText(self.tr("OK"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.delete_button.setAccessibleName(self.tr("Delete"))
        self.refresh()

    # ------------------------------------------------------------ input

    def press(self, digit: str) -> None:
        if self.locked or self._busy or len(self._digits) >= PIN_MAX_DIGITS:
            return
        self._digits += digit
        self._message = ""
        self.refresh()

    def delete(self) -> None:
        self._digits = self._digits[:-1]
        self.refresh()

    def submit(self) -> None:
        if self.locked or self._busy or len(self._digits) < PIN_MIN_DIGITS:
            return
        pin, self._digits = self._digits, ""
        self.refresh()
        self.entered.emit(pin)

    def cancel(self) -> None:
        self._digits = ""
        self._message = ""
        self.refresh()
        self.cancelled.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key, text = event.key(), event.text()
        if text.isdigit() and text.isascii():
            self.press(text)
        elif key == Qt.Key.Key_Backspace:
            self.delete()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        elif key == Qt.Key.Key_Escape:
            self.cancel()
        else:
            super().keyPressEvent(event)


class AccessGate(QObject):
    """The kiosk's PIN checks. Construct once and share between sign-in and supervisor."""

    roster_loaded = Signal()
    checked = Signal(object, str)  # AccessResult, purpose; after the state is kept and audited

    def __init__(
        self,
        access: StaffAccess,
        policy: LockoutPolicy | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._staff = access
        self._clock = access.now
        self._access = AccessControl(policy=policy)
        self._operators: list[Operator] = []
        self._background = Background(self, threads=1)
        self._checking = False
        self.loaded = False

    # ------------------------------------------------------------ roster

    def load(self) -> None:
        """Read the roster and the lockout state (off the GUI thread)."""

        self._background.run(self._staff.load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, loaded: tuple[list[Operator], str | None]) -> None:
        operators, state = loaded
        self._operators = operators
        self._access.replace_roster(operators)
        if state and not self.loaded:
            try:
                self._access.restore(state)
            except AccessStateError:
                log.warning("the stored lockout state is unreadable; starting afresh")
        self.loaded = True
        self.roster_loaded.emit()

    def _on_load_failed(self, error: BaseException) -> None:
        log.error("cannot read the staff roster", exc_info=error)
        self.roster_loaded.emit()

    def operators(self, roles: Collection[str] | None = None) -> list[Operator]:
        """Active operators (with `roles`, only those), in roster order."""
        return [o for o in self._operators if o.active and (roles is None or o.role in roles)]

    def display_name(self, operator_id: str | None) -> str:
        for operator in self._operators:
            if operator.operator_id == operator_id:
                return operator.display_name
        return operator_id or ""

    def operator_names(self) -> dict[str, str]:
        return {o.operator_id: o.display_name for o in self._operators}

    # ------------------------------------------------------------ checks

    def locked_until(self, operator_id: str | None = None) -> datetime | None:
        return self._access.locked_until(operator_id, self._clock())

    @property
    def checking(self) -> bool:
        return self._checking

    def check(
        self, operator_id: str, pin: str, purpose: str, roles: Collection[str] | None = None
    ) -> None:
        """Check a PIN; `checked(AccessResult)` follows. `purpose` names what it opens, for
        the audit log ("sign_in", "supervisor")."""
        if self._checking:
            return
        refused = self._access.refusal(operator_id, self._clock())
        if refused is not None:
            self._finish(refused, purpose)
            return
        self._checking = True

        def done(right: Any) -> None:
            self._checking = False
            result = self._access.conclude(operator_id, bool(right), self._clock(), roles=roles)
            self._staff.keep_state(self._access.dumps())
            self._finish(result, purpose)

        def failed(error: BaseException) -> None:
            log.error("PIN check failed", exc_info=error)
            done(False)

        self._background.run(lambda: self._access.matches(operator_id, pin), done, failed)

    def _finish(self, result: AccessResult, purpose: str) -> None:
        detail: dict[str, Any] = {"purpose": purpose, "granted": result.granted}
        if result.denial is not None:
            detail["denial"] = result.denial.value
        self.audit(result.operator_id, "pin_check", detail)
        self.checked.emit(result, purpose)

    def audit(self, actor: str, action: str, detail: dict[str, Any]) -> None:
        """Write to the audit log without waiting (the store's writer keeps the order)."""
        self._staff.audit(actor, action, detail)

    def shutdown(self) -> None:
        self._background.shutdown()
