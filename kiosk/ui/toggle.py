"""The toggles every choice on the kiosk uses: `ToggleButton` (direction, trip reason, override
outcome) and `ToggleCheckBox` (settings, the technician's passage fields).

A chosen toggle shows without colour alone: a heavy frame and a tick. The button draws the tick
before its label and keeps its room in both states, so choosing one moves nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

from kiosk.ui import style

_MARK = f"{style.TICK} "


def toggle_label(text: str) -> str:
    """What a toggle keeps room for, chosen or not: the tick, then its label."""
    return f"{_MARK}{text}"


class ToggleButton(QPushButton):
    """A checkable touch button; `text()` stays the bare label, `shown_text()` is what shows."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setCheckable(True)
        self.setStyleSheet(style.TOGGLE_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def shown_text(self) -> str:
        return f"{_MARK}{self.text()}" if self.isChecked() else self.text()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self._hint(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self._hint(super().minimumSizeHint())

    def _hint(self, plain: QSize) -> QSize:
        """The plain button's hint, widened when the label and its tick need more room."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        # Measured as QPushButton measures its own text (whole pixels, rounded up): one pixel
        # short and the last letter runs into the padding (`kiosk screens` reports it).
        text = self.fontMetrics().size(Qt.TextFlag.TextShowMnemonic.value, _MARK + self.text())
        needed = self.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, option, text, self
        )
        return plain.expandedTo(needed)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
        contents = self.style().subElementRect(
            QStyle.SubElement.SE_PushButtonContents, option, self
        )
        metrics = painter.fontMetrics()
        mark = metrics.horizontalAdvance(_MARK)
        width = mark + metrics.horizontalAdvance(self.text())
        left = contents.center().x() - width // 2
        group = QPalette.ColorGroup.Active if self.isEnabled() else QPalette.ColorGroup.Disabled
        painter.setPen(self.palette().color(group, QPalette.ColorRole.ButtonText))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if self.isChecked():
            bold = painter.font()
            bold.setBold(True)  # a thin tick is easy to miss
            painter.save()
            painter.setFont(bold)
            painter.drawText(QRect(left, contents.y(), mark + 1, contents.height()), align, _MARK)
            painter.restore()
        box = QRect(left + mark, contents.y(), width - mark + 1, contents.height())
        painter.drawText(box, align, self.text())


class ToggleCheckBox(QCheckBox):
    """An on/off setting: the style's tick in its box, and the box's frame heavy when ticked."""

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, indicator_px: int, height_px: int
    ) -> None:
        super().__init__(text, parent)
        self.setStyleSheet(style.check_style(indicator_px, height_px))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self.isChecked():
            return
        option = QStyleOptionButton()
        self.initStyleOption(option)
        box = self.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, self)
        frame = style.TOGGLE_SELECTED_FRAME_PX
        painter = QPainter(self)
        painter.setPen(QPen(QColor(style.TOGGLE_SELECTED_FRAME), frame))
        half = frame // 2
        painter.drawRect(box.adjusted(half, half, -half - frame % 2, -half - frame % 2))
