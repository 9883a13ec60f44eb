"""Checks that a screen fits its panel as a user sees it: nothing off the screen or cut by its
parent, no text clipped or elided, and every touch target big enough for a gloved finger.

A widget inside a scroll area may lie below the visible part (the area scrolls), never beside
it: these screens scroll up and down only.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollBar,
    QTabBar,
    QTableView,
    QWidget,
)

PANELS = [(1280, 800), (1024, 600), (800, 1280), (1080, 1920), (1920, 1080)]
PANEL_IDS = [f"{width}x{height}" for width, height in PANELS]
GLOVE_PX = 90  # 15 mm on a 10.1" 1280x800 panel


def settle(screen: QWidget, size: tuple[int, int]) -> None:
    """Show `screen` at `size` and let its layouts settle."""
    screen.resize(*size)
    if not screen.isVisible():
        screen.show()
    for _ in range(4):
        QApplication.processEvents()


def _scrolled_by(widget: QWidget, screen: QWidget) -> QAbstractScrollArea | None:
    """The scroll area whose contents hold `widget` (below `screen`), if any."""
    parent = widget.parentWidget()
    while parent is not None and parent is not screen:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            return area
        parent = area
    return None


def _inside_item_view(widget: QWidget, screen: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not screen:
        if isinstance(parent, QAbstractItemView | QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return False


def _shown(widget: QWidget, screen: QWidget) -> bool:
    return widget.isVisibleTo(screen) and widget.width() > 0 and widget.height() > 0


def _text_problem(widget: QWidget) -> str | None:
    """What of the widget's text does not show, or None."""
    if isinstance(widget, QLabel):
        if not widget.text() or (widget.pixmap() is not None and not widget.pixmap().isNull()):
            return None
        inner = widget.contentsRect()
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height():
                return f"wraps to {needed} px in {widget.height()} px"
            # Qt breaks at spaces, zero-width spaces and between Chinese characters
            words = re.findall(r"[^\s\u200b\u3000-\u9fff\uff00-\uffef]+", widget.text())
            metrics = widget.fontMetrics()
            longest = max((metrics.horizontalAdvance(word) for word in words), default=0)
            if longest > inner.width():
                return f"a word of {longest} px in {inner.width()} px"
            return None
        hint = widget.sizeHint()
        if hint.width() > widget.width() or widget.minimumSizeHint().height() > widget.height():
            return f"needs {hint.width()}x{hint.height()} in {widget.width()}x{widget.height()}"
        return None
    if isinstance(widget, QPushButton | QCheckBox):
        hint = widget.sizeHint()
        if hint.width() > widget.width():
            return f"needs {hint.width()} px wide, has {widget.width()}"
        return None
    if isinstance(widget, QComboBox) and widget.currentText():
        shown = widget.style().subControlRect(
            widget.style().ComplexControl.CC_ComboBox,
            _combo_option(widget),
            widget.style().SubControl.SC_ComboBoxEditField,
            widget,
        )
        needed = widget.fontMetrics().horizontalAdvance(widget.currentText())
        if needed > shown.width():
            return f"{widget.currentText()!r} needs {needed} px in {shown.width()}"
    return None


def _combo_option(combo: QComboBox):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QStyleOptionComboBox

    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    return option


def _name(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    words = text() if callable(text) else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {words!r}"


def cut_widgets(screen: QWidget, size: tuple[int, int]) -> list[str]:
    """Every problem a user would see on `screen` at `size`; empty when it fits."""
    problems: list[str] = []
    hint = screen.minimumSizeHint()
    if hint.width() > size[0] or hint.height() > size[1]:
        problems.append(f"needs at least {hint.width()}x{hint.height()} on a {size} panel")
    if (screen.width(), screen.height()) != size:
        problems.append(f"is {screen.width()}x{screen.height()}, not {size}")
    whole = screen.rect()
    for widget in screen.findChildren(QWidget):
        if not _shown(widget, screen) or _inside_item_view(widget, screen):
            continue
        if isinstance(widget, QScrollBar):
            continue
        top_left = widget.mapTo(screen, QPoint(0, 0))
        box = QRect(top_left, widget.size())
        area = _scrolled_by(widget, screen)
        if area is not None:
            port = area.viewport()
            view = QRect(port.mapTo(screen, QPoint(0, 0)), port.size())
            if box.left() < view.left() or box.right() > view.right():
                problems.append(f"{_name(widget)} is cut at the side of its scroll area")
        elif not whole.contains(box):
            problems.append(f"{_name(widget)} at {box.getRect()} is off the screen")
        else:
            parent = widget.parentWidget()
            if parent is not None and parent is not screen:
                outer = QRect(parent.mapTo(screen, QPoint(0, 0)), parent.size())
                if not outer.contains(box) and not isinstance(parent, QAbstractScrollArea):
                    problems.append(f"{_name(widget)} is cut by {type(parent).__name__}")
        problem = _text_problem(widget)
        if problem:
            problems.append(f"{_name(widget)}: {problem}")
        if isinstance(widget, QTableView) and widget.horizontalScrollBar().isVisible():
            problems.append(f"{_name(widget)} scrolls sideways")
    return problems


def overlapping_widgets(screen: QWidget) -> list[str]:
    """Visible siblings that cover each other (a scroll area's bars and viewport aside)."""
    found: list[str] = []
    parents = [screen, *screen.findChildren(QWidget)]
    for parent in parents:
        if not _shown(parent, screen) and parent is not screen:
            continue
        if isinstance(parent, QAbstractScrollArea | QComboBox | QAbstractSpinBox):
            continue
        if parent is not screen and _inside_item_view(parent, screen):
            continue
        children = [
            child
            for child in parent.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            )
            if _shown(child, screen) and not child.isWindow() and not isinstance(child, QScrollBar)
        ]
        for index, first in enumerate(children):
            for second in children[index + 1 :]:
                if first.geometry().intersects(second.geometry()):
                    found.append(f"{_name(first)} overlaps {_name(second)}")
    return found


def assert_nothing_cut(screen: QWidget, size: tuple[int, int]) -> None:
    problems = cut_widgets(screen, size) + overlapping_widgets(screen)
    assert not problems, "\n".join(problems)


def small_targets(screen: QWidget) -> list[str]:
    """Touch targets under `GLOVE_PX` in their smaller dimension: buttons, check boxes, fields,
    lists, tabs and table rows."""
    found: list[str] = []
    for widget in screen.findChildren(QWidget):
        if not _shown(widget, screen) or _inside_item_view(widget, screen):
            continue
        touched = isinstance(widget, QAbstractButton | QComboBox | QLineEdit)
        if touched and min(widget.width(), widget.height()) < GLOVE_PX:
            found.append(f"{_name(widget)} is {widget.width()}x{widget.height()}")
        if isinstance(widget, QTabBar):
            for index in range(widget.count()):
                tab = widget.tabRect(index)
                if min(tab.width(), tab.height()) < GLOVE_PX:
                    found.append(f"tab {widget.tabText(index)!r} is {tab.width()}x{tab.height()}")
        if isinstance(widget, QListWidget):
            for row in range(widget.count()):
                rect = widget.visualItemRect(widget.item(row))
                if rect.height() < GLOVE_PX:
                    found.append(f"list row {row} of {_name(widget)} is {rect.height()} px high")
        if (
            isinstance(widget, QTableView)
            and widget.selectionMode() != widget.SelectionMode.NoSelection
        ):
            model = widget.model()
            for row in range(model.rowCount() if model is not None else 0):
                if widget.rowHeight(row) < GLOVE_PX:
                    found.append(f"table row {row} of {_name(widget)} is {widget.rowHeight(row)}")
                    break
    return found


def assert_touch_targets_for_gloves(screen: QWidget) -> None:
    found = small_targets(screen)
    assert not found, "\n".join(found)
