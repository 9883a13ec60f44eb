"""Does a screen fit its panel? Geometry checks over a shown widget tree, no pixels read.

`misfits(root, screen)` walks every visible widget under `root` and reports, one `Misfit`
each: a widget outside its parent (so outside the window), squeezed below the minimum its
layout asked for, overlapping a sibling, or showing its text cut (a label, a button, a line
edit, a combo box, a tab bar, a table scrolling sideways); with `gate=True` also a touch target
under `GLOVE_TARGET_PX`. What is inside an item view (cells, headers, its scroll bars) is the
view's own business and not walked; what a scroll area can scroll to is not "clipped".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QTabBar,
    QTableView,
    QWidget,
)

GLOVE_TARGET_PX = 90  # 15 mm on a 10.1" 1280x800 panel: gloved fingers
_LINE_EDIT_MARGIN_PX = 2  # QLineEdit's own horizontal margin inside its contents rect
_TEXT_SHOWN = 40
# Text measured from the top left as the widgets' size hints measure it (centred text in a
# large box rounds one pixel taller).
_TOP_LEFT = (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop).value


@dataclass(frozen=True)
class Misfit:
    screen: str
    widget: str  # where it sits ("ScanScreen.manual_button") or its class, and its text
    problem: str  # clipped, squeezed, overlaps, text cut, touch target, ...
    numbers: str

    def line(self) -> str:
        return f"{self.screen}: {self.widget}: {self.problem}: {self.numbers}"


def misfits(root: QWidget, screen: str, *, gate: bool = False) -> list[Misfit]:
    """Everything that does not fit on `root` as it is laid out now (show it first)."""
    found: list[Misfit] = []

    def report(widget: QWidget, problem: str, numbers: str) -> None:
        found.append(Misfit(screen, describe(widget), problem, numbers))

    for widget in _visible(root):
        problem, numbers = _text_cut(widget)
        squeezed = _squeezed(widget) if not problem else ""
        if problem:
            report(widget, problem, numbers)
        elif squeezed:
            report(widget, "squeezed", squeezed)
        outside = _outside_parent(widget) if widget is not root else ""
        if outside:
            report(widget, "clipped", outside)
        if gate:
            small = _small_targets(widget)
            if small:
                report(widget, "touch target", small)
        for first, second, overlap in _overlaps(widget):
            found.append(
                Misfit(
                    screen,
                    describe(first),
                    "overlaps",
                    f"{describe(second)} by {overlap.width()}x{overlap.height()} px",
                )
            )
    return found


# ------------------------------------------------------------------ which widgets


def _visible(root: QWidget) -> Iterator[QWidget]:
    """`root` and every visible widget under it, not descending into widgets' internals."""
    yield root
    for child in _children(root):
        yield from _visible(child)


def _children(widget: QWidget) -> list[QWidget]:
    if isinstance(widget, QScrollArea):
        content = widget.widget()
        return [content] if content is not None and not content.isHidden() else []
    if isinstance(widget, QAbstractScrollArea | QTabBar | QComboBox | QAbstractSpinBox):
        return []  # item views, text edits, tab bars, combos: their parts are theirs
    if isinstance(widget, QLineEdit):
        return []
    return [
        child
        for child in widget.children()
        if isinstance(child, QWidget) and not child.isWindow() and not child.isHidden()
    ]


# ------------------------------------------------------------------ geometry


def _outside_parent(widget: QWidget) -> str:
    parent = widget.parentWidget()
    if parent is None:
        return ""
    area = _scroll_area_of_content(widget)
    if area is not None:
        return _unreachable(area, widget)
    room, geometry = parent.rect(), widget.geometry()
    if room.contains(geometry) or geometry.isEmpty():
        return ""
    sides = []
    if geometry.left() < room.left():
        sides.append(f"{room.left() - geometry.left()} px past the left")
    if geometry.top() < room.top():
        sides.append(f"{room.top() - geometry.top()} px past the top")
    if geometry.right() > room.right():
        sides.append(f"{geometry.right() - room.right()} px past the right")
    if geometry.bottom() > room.bottom():
        sides.append(f"{geometry.bottom() - room.bottom()} px past the bottom")
    return f"{', '.join(sides)} of {describe(parent)} ({_size(room.size())})"


def _scroll_area_of_content(widget: QWidget) -> QScrollArea | None:
    viewport = widget.parentWidget()
    area = viewport.parentWidget() if viewport is not None else None
    if isinstance(area, QScrollArea) and area.widget() is widget:
        return area
    return None


def _unreachable(area: QScrollArea, content: QWidget) -> str:
    """What of a scroll area's content its scroll bars cannot bring into view."""
    viewport = area.viewport().size()
    wide = content.width() - viewport.width() - area.horizontalScrollBar().maximum()
    tall = content.height() - viewport.height() - area.verticalScrollBar().maximum()
    if wide <= 0 and tall <= 0:
        return ""
    return (
        f"content {_size(content.size())} in a {_size(viewport)} scroll area that cannot "
        f"scroll to {max(wide, 0)}x{max(tall, 0)} px of it"
    )


def effective_minimum(widget: QWidget) -> QSize:
    """The smallest size a layout gives `widget` (Qt's qSmartMinSize): the minimum size hint
    unless the size policy ignores it or a minimum size is set; Fixed means the size hint."""
    hint, least, policy = widget.sizeHint(), widget.minimumSizeHint(), widget.sizePolicy()
    width, height = 0, 0
    if policy.horizontalPolicy() != QSizePolicy.Policy.Ignored:
        shrinks = bool(policy.horizontalPolicy().value & QSizePolicy.PolicyFlag.ShrinkFlag.value)
        width = least.width() if shrinks else max(hint.width(), least.width())
    if policy.verticalPolicy() != QSizePolicy.Policy.Ignored:
        shrinks = bool(policy.verticalPolicy().value & QSizePolicy.PolicyFlag.ShrinkFlag.value)
        height = least.height() if shrinks else max(hint.height(), least.height())
    if widget.minimumWidth() > 0:
        width = widget.minimumWidth()
    if widget.minimumHeight() > 0:
        height = widget.minimumHeight()
    return QSize(width, height).boundedTo(widget.maximumSize())


def _squeezed(widget: QWidget) -> str:
    """A widget that draws its own content, given less room than it asked for. Containers
    are judged by their children: their minimum counts hidden pages of a stack too."""
    if widget.isWindow() or _children(widget) or _scroll_area_of_content(widget) is not None:
        return ""
    need = effective_minimum(widget)
    if widget.hasHeightForWidth():
        need.setHeight(max(widget.heightForWidth(widget.width()), 0))
    if widget.width() < need.width() or widget.height() < need.height():
        return f"{_size(widget.size())}, needs at least {_size(need)}"
    return ""


def _overlaps(parent: QWidget) -> Iterator[tuple[QWidget, QWidget, QRect]]:
    """Pairs of visible children that the parent's layout placed over one another."""
    layout = parent.layout()
    children = [
        child
        for child in _children(parent)
        if not child.geometry().isEmpty() and (layout is None or _manages(layout, child))
    ]
    for index, first in enumerate(children):
        for second in children[index + 1 :]:
            overlap = first.geometry().intersected(second.geometry())
            if not overlap.isEmpty():
                yield first, second, overlap


def _manages(layout: QLayout, widget: QWidget) -> bool:
    if layout.indexOf(widget) >= 0:
        return True
    for index in range(layout.count()):
        item = layout.itemAt(index)
        inner = item.layout() if item is not None else None
        if inner is not None and _manages(inner, widget):
            return True
    return False


def _small_targets(widget: QWidget) -> str:
    small_button = isinstance(widget, QAbstractButton) and (
        widget.width() < GLOVE_TARGET_PX or widget.height() < GLOVE_TARGET_PX
    )
    if small_button:
        return f"{_size(widget.size())}, gloves need {GLOVE_TARGET_PX}x{GLOVE_TARGET_PX}"
    if isinstance(widget, QTabBar):
        small = [
            f"tab {widget.tabText(i)!r} {_size(widget.tabRect(i).size())}"
            for i in range(widget.count())
            if min(widget.tabRect(i).width(), widget.tabRect(i).height()) < GLOVE_TARGET_PX
        ]
        if small:
            return f"{', '.join(small)}; gloves need {GLOVE_TARGET_PX}x{GLOVE_TARGET_PX}"
    return ""


# ------------------------------------------------------------------ text


def _text_cut(widget: QWidget) -> tuple[str, str]:
    """(problem, numbers) when `widget` cannot show all of its text; ("", "") when it can."""
    numbers, problem = "", "text cut"
    if isinstance(widget, QLabel):
        numbers = _label_cut(widget)
    elif isinstance(widget, QPushButton | QCheckBox | QRadioButton):
        numbers = _button_cut(widget)
    elif isinstance(widget, QLineEdit):
        numbers = _line_edit_cut(widget)
    elif isinstance(widget, QComboBox):
        numbers = _combo_cut(widget)
    elif isinstance(widget, QTabBar):
        numbers, problem = _tabs_cut(widget), "tabs cut"
    elif isinstance(widget, QTableView):
        numbers, problem = _table_cut(widget), "columns cut"
    return (problem, numbers) if numbers else ("", "")


def _label_cut(label: QLabel) -> str:
    text = label.text()
    if not text:
        return ""
    room = label.contentsRect().marginsRemoved(_even(label.margin()))
    indent = label.indent()
    if indent < 0 and label.frameWidth() > 0:
        indent = label.fontMetrics().horizontalAdvance("x") // 2 - label.margin()
    if indent > 0:
        align = label.alignment()
        if align & Qt.AlignmentFlag.AlignLeft or align & Qt.AlignmentFlag.AlignRight:
            room.setWidth(room.width() - indent)
    if label.wordWrap():
        return _wrapped_cut(label, room)
    width, height = _text_size(label, text)
    if width > room.width() or height > room.height():
        return f"text {width}x{height} px in {_size(room.size())}"
    return ""


def _wrapped_cut(label: QLabel, room: QRect) -> str:
    needed = label.heightForWidth(label.width())
    if needed > label.height():
        wide = label.width()
        return f"wrapped text needs {needed} px tall at {wide} px wide, has {label.height()}"
    widest = _text_size(label, label.text(), wrap_at=room.width())[0]
    if widest > room.width():  # a word longer than the line: Qt lets it run over the edge
        return f"a wrapped line needs {widest} px, has {room.width()}"
    return ""


def _rich(label: QLabel) -> bool:
    text_format = label.textFormat()
    if text_format == Qt.TextFormat.RichText:
        return True
    return text_format == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text())


def _text_size(label: QLabel, text: str, wrap_at: int | None = None) -> tuple[int, int]:
    """The text's size as the label lays it out (QLabel's own way for plain text)."""
    if _rich(label):
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        document.setTextWidth(wrap_at if wrap_at is not None else document.idealWidth())
        return int(document.idealWidth() + 0.999), int(document.size().height() + 0.999)
    flags = _TOP_LEFT | Qt.TextFlag.TextExpandTabs.value
    if wrap_at is not None:
        flags |= Qt.TextFlag.TextWordWrap.value
    width = wrap_at if wrap_at is not None else 100_000
    bounds = label.fontMetrics().boundingRect(QRect(0, 0, width, 100_000), flags, text)
    return bounds.width(), bounds.height()


def _button_cut(button: QAbstractButton) -> str:
    text = _shown_text(button)
    if not text:
        return ""
    option = QStyleOptionButton()
    button.initStyleOption(option)  # type: ignore[attr-defined]
    element = QStyle.SubElement.SE_PushButtonContents
    if isinstance(button, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    elif isinstance(button, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    room = button.style().subElementRect(element, option, button)
    if not button.icon().isNull():
        room.setWidth(room.width() - button.iconSize().width() - 4)
    flags = Qt.TextFlag.TextShowMnemonic.value | _TOP_LEFT
    bounds = button.fontMetrics().boundingRect(QRect(0, 0, 100_000, 100_000), flags, text)
    if bounds.width() > room.width() or bounds.height() > room.height():
        return (
            f"text {bounds.width()}x{bounds.height()} px in {_size(room.size())} inside the padding"
        )
    return ""


def _shown_text(button: QAbstractButton) -> str:
    shown = getattr(button, "shown_text", None)
    if callable(shown):  # a toggle keeps room for its tick in both states
        from kiosk.ui.toggle import _MARK

        return f"{_MARK}{button.text()}"
    return button.text()


def _line_edit_cut(edit: QLineEdit) -> str:
    text = edit.text() or edit.placeholderText()
    if not text:
        return ""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)  # type: ignore[attr-defined]
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    room = room.marginsRemoved(edit.textMargins())
    width = room.width() - 2 * _LINE_EDIT_MARGIN_PX
    metrics = edit.fontMetrics()
    shown = edit.displayText() if edit.text() else text
    needed = metrics.horizontalAdvance(shown)
    if needed > width or metrics.height() > room.height():
        return f"text {needed}x{metrics.height()} px in {width}x{room.height()}"
    return ""


def _combo_cut(combo: QComboBox) -> str:
    text = combo.currentText()
    if not text:
        return ""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)  # type: ignore[attr-defined]
    room = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    if not combo.itemIcon(combo.currentIndex()).isNull():
        room.setWidth(room.width() - combo.iconSize().width() - 4)
    metrics = combo.fontMetrics()
    needed = metrics.horizontalAdvance(text)
    if needed > room.width() or metrics.height() > room.height():
        return f"text {needed}x{metrics.height()} px in {_size(room.size())}"
    return ""


def _tabs_cut(tabs: QTabBar) -> str:
    vertical = tabs.shape() in (
        QTabBar.Shape.RoundedWest,
        QTabBar.Shape.RoundedEast,
        QTabBar.Shape.TriangularWest,
        QTabBar.Shape.TriangularEast,
    )
    needed = tabs.sizeHint().height() if vertical else tabs.sizeHint().width()
    has = tabs.height() if vertical else tabs.width()
    if needed > has:
        return f"the tabs need {needed} px, have {has} (cut or scrolled)"
    return ""


def _table_cut(table: QTableView) -> str:
    columns = table.horizontalHeader().length()
    room = table.viewport().width()
    if table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        if columns > room:
            return f"columns need {columns} px, the table shows {room} and cannot scroll"
        return ""
    if table.horizontalScrollBar().isVisibleTo(table):
        return f"scrolls sideways: columns need {columns} px, the table shows {room}"
    return ""


# ------------------------------------------------------------------ naming


def describe(widget: QWidget) -> str:
    """`Owner.attribute` when an ancestor keeps the widget in an attribute, else its object
    name or class; then its text, shortened."""
    name = widget.objectName() or _attribute_path(widget) or type(widget).__name__
    text = _text_of(widget).replace("\n", " ")
    if len(text) > _TEXT_SHOWN:
        text = text[: _TEXT_SHOWN - 1] + "…"
    return f"{name} {text!r}" if text else name


def _attribute_path(widget: QWidget) -> str:
    ancestor = widget.parentWidget()
    while ancestor is not None:
        for key, value in vars(ancestor).items():
            if value is widget:
                return f"{type(ancestor).__name__}.{key.lstrip('_')}"
        ancestor = ancestor.parentWidget()
    return ""


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text() or widget.placeholderText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QLabel | QAbstractButton):
        return widget.text()
    return ""


def _even(margin: int) -> QMargins:
    return QMargins(margin, margin, margin, margin)


def _size(size: QSize) -> str:
    return f"{size.width()}x{size.height()}"
