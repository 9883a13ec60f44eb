"""Who is the supervisor: a name touched on the names page, then that person's PIN checked by
the kiosk's `AccessGate`. `granted` says who got in; the view takes it from there."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.checkpoint.access import AccessResult
from kiosk.ui.pinpad import AccessGate, PinPad
from kiosk.ui.signin import OperatorPicker

SUPERVISOR = "supervisor"  # the purpose written to the audit log


class SupervisorUnlock(QObject):
    granted = Signal(str)  # the supervisor's operator id
    pin_wanted = Signal()  # a name was touched: show the PIN pad

    def __init__(
        self,
        gate: AccessGate,
        picker: OperatorPicker,
        pad: PinPad,
        roles: frozenset[str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._gate = gate
        self._picker = picker
        self._pad = pad
        self._roles = roles
        self.choosing: str | None = None
        picker.picked.connect(self.pick)
        pad.entered.connect(self.entered)
        gate.checked.connect(self._on_checked)

    def reset(self) -> None:
        """Nobody chosen: the names again (reloaded from the gate)."""
        self.choosing = None
        self._pad.clear()
        self.show_supervisors()

    def show_supervisors(self) -> None:
        self._picker.show_operators(self._gate.operators(self._roles))

    def pick(self, operator_id: str) -> None:
        self.choosing = operator_id
        self._pad.clear()
        self._prompt_for(operator_id)
        self._pad.show_locked(self._gate.locked_until(operator_id))
        self.pin_wanted.emit()
        self._pad.setFocus()

    def retranslate(self) -> None:
        if self.choosing is not None:
            self._prompt_for(self.choosing)

    def _prompt_for(self, operator_id: str) -> None:
        name = self._gate.display_name(operator_id)
        self._pad.set_prompt(self.tr("Personal PIN for %1").replace("%1", name))

    def entered(self, pin: str) -> None:
        if self.choosing is None:
            return
        self._pad.set_busy(True)
        self._gate.check(self.choosing, pin, SUPERVISOR, self._roles)

    def _on_checked(self, result: AccessResult, purpose: str) -> None:
        if purpose != SUPERVISOR or result.operator_id != self.choosing:
            return
        self._pad.show_result(result)
        if result.granted:
            self.choosing = None
            self.granted.emit(result.operator_id)
