"""The kiosk's health on the scan screen: the one banner that tells staff what to do, and the
status bar of every device and piece of sync state. Both render `kiosk.app.viewstate` items;
what they say and which colour an age gets is decided there, not here.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QWidget,
    QWidgetItem,
)

from kiosk.app.viewstate import Health, StatusItem, banner
from kiosk.ui import style
from kiosk.ui.i18n import Language

# (glyph colour, pill background, text colour): a fault stands out as a filled pill with its
# glyph and word, so it is seen at a glance and never by colour alone.
_LOOKS = {
    Health.OK: (style.STATUS_OK_ON_DARK, "transparent", "#FFFFFF"),
    Health.WARN: (style.TEXT, style.STATUS_WARN, style.TEXT),
    Health.BAD: ("#FFFFFF", style.STATUS_BAD, "#FFFFFF"),
    Health.OFF: ("#B0BEC5", "transparent", "#B0BEC5"),
}


class FlowLayout(QLayout):
    """Left to right, wrapping onto the next line when the width runs out (the status bar on
    a narrow or portrait panel, or with every fault showing): nothing cut, nothing elided."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def set_spacing(self, spacing: int) -> None:
        self._spacing = spacing
        self.invalidate()

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - Qt's name
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y = area.x(), y + line_height + self._spacing // 2
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class StatusBar(QFrame):
    """Each device and each piece of sync state: a glyph, a colour and a plain word, in text
    at least 20 px tall, wrapping onto more lines rather than cutting a word off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"StatusBar {{ background: {style.STATUS_BAR_BACKGROUND}; }}")
        self._layout = FlowLayout(self, spacing=14)
        self._layout.setContentsMargins(12, 6, 12, 6)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._labels: list[QLabel] = []
        self._items: tuple[StatusItem, ...] = ()
        self._language = Language.ZH
        self._text_px = style.STATUS_PX
        self.version = self._label()
        self.version.setStyleSheet("QLabel { color: #B0BEC5; background: transparent; }")
        self._layout.addWidget(self.version)

    def _label(self) -> QLabel:
        label = QLabel()
        label.setFont(style.pixel_font(self._text_px))
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def set_text_px(self, pixels: int, *, spacing: int = 14) -> None:
        """The words' height (at least 20 px) and the gap between items: smaller on a 600 px
        tall panel."""
        self._text_px = max(20, pixels)
        self._layout.set_spacing(spacing)
        for label in (*self._labels, self.version):
            label.setFont(style.pixel_font(self._text_px))
        self.updateGeometry()

    def show_items(self, items: tuple[StatusItem, ...]) -> None:
        self._items = items
        while len(self._labels) < len(items):
            label = self._label()
            self._layout.insertWidget(len(self._labels), label)
            self._labels.append(label)
        for index, label in enumerate(self._labels):
            label.setVisible(index < len(items))
        self._render()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._render()

    def item_text(self, index: int) -> str:
        return self._labels[index].text()

    def item_label(self, index: int) -> QLabel:
        return self._labels[index]

    def _render(self) -> None:
        lang = self._language.value
        for label, item in zip(self._labels, self._items, strict=False):
            glyph, background, text = _LOOKS[item.health]
            label.setStyleSheet(
                f"QLabel {{ color: {text}; background: {background};"
                " border-radius: 6px; padding: 1px 8px; }"
            )
            label.setText(
                f"<span style='color:{glyph}'>{item.health.glyph}</span>&nbsp;"
                + escape(f"{item.kind.label.get(lang)}: {item.word.get(lang)}")  # type: ignore[arg-type]
            )
            label.setProperty("health", item.health.value)
        self.updateGeometry()


class HealthBanner(QLabel):
    """The one thing staff must act on now, in plain words across the top of the scan screen,
    wrapped rather than cut; hidden when nothing needs them (`kiosk.app.viewstate.banner`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(style.pixel_font(style.BANNER_PX, bold=True))
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._item: StatusItem | None = None
        self._language = Language.ZH
        self.hide()

    def set_text_px(self, pixels: int) -> None:
        self.setFont(style.pixel_font(pixels, bold=True))

    @property
    def item(self) -> StatusItem | None:
        return self._item

    def show_items(self, items: tuple[StatusItem, ...]) -> None:
        self._item = banner(items)
        self._render()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._render()

    def _render(self) -> None:
        item = self._item
        if item is None or item.action is None:
            self.clear()
            self.hide()
            return
        _, background, text = _LOOKS[item.health]
        self.setStyleSheet(
            f"HealthBanner {{ background: {background}; color: {text};"
            " border-radius: 10px; padding: 8px 16px; }"
        )
        self.setProperty("health", item.health.value)
        self.setText(f"⚠ {item.action.get(self._language.value)}")  # type: ignore[arg-type]
        self.show()
