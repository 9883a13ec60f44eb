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

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLayout,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QTabBar,
    QWidget,
)

from kiosk.ui.fit_text import text_cut

GLOVE_TARGET_PX = 90  # 15 mm on a 10.1" 1280x800 panel: gloved fingers
_TEXT_SHOWN = 40


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
        problem, numbers = text_cut(widget)
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


def _size(size: QSize) -> str:
    return f"{size.width()}x{size.height()}"
