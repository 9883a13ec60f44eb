"""Keyboard-wedge QR scanners: a scanner that types its code as a burst of keys.

An application-wide event filter feeds every key press to the pure classifier of
`drivers.qr.wedge`; a burst that ends in Enter is a scan. Input methods are kept off on the
screens where a scan can arrive, so a Chinese input method never swallows a scanner's keys.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from drivers.qr.wedge import WedgeBuffer

_ENTER_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter}


class WedgeListener(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._buffer = WedgeBuffer()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Installed on the screens where scans arrive: a key press reaches a screen once, either
        # sent to it or propagated up from a child that did not take it.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            at_s = time.monotonic()
            char = "\r" if event.key() in _ENTER_KEYS else event.text()
            if char:
                text = self._buffer.feed(char, at_s)
                if text:
                    self.scanned.emit(text)
        return False  # never eat a key: a person typing still reaches the focused widget


def listen_on(listener: WedgeListener, screen: QWidget) -> None:
    """Scans typed while `screen` (or a child that ignores the key) has the focus count."""
    screen.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    screen.installEventFilter(listener)
    keep_input_methods_off(screen)


def keep_input_methods_off(widget: QWidget) -> None:
    """Where scans arrive, keys must come through raw (no input-method composition)."""
    widget.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    for child in widget.findChildren(QWidget):
        if child.metaObject().className() != "QLineEdit":
            child.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
