"""Fitting the staff screens to every panel: a form too long for a small panel scrolls up and
down under a gloved finger (never sideways), with the action buttons kept outside it; a button
is never squeezed below the width its words need."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QWidget,
)

from kiosk.ui import style

SCROLL_BAR_PX = 36


def touch_scroll(contents: QWidget) -> QScrollArea:
    """`contents` as wide as the area, scrolled by dragging anywhere on it (or its wide bar)."""
    area = QScrollArea()
    area.setWidget(contents)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setStyleSheet(
        "QScrollArea { background: transparent; }"
        f" QScrollBar:vertical {{ width: {SCROLL_BAR_PX}px; }}"
    )
    area.verticalScrollBar().setSingleStep(style.GLOVE_TARGET_PX)
    area.verticalScrollBar().setPageStep(style.GLOVE_TARGET_PX * 4)
    drag_to_scroll(area.viewport())
    return area


def drag_to_scroll(viewport: QWidget) -> None:
    """A drag scrolls `viewport`'s area; a touch on a button in it still acts at once (the
    scroller does not hold the press back to see whether a drag follows)."""
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0)
    scroller.setScrollerProperties(properties)


def keep_words_whole(buttons: Iterable[QAbstractButton]) -> None:
    """A style sheet's min-width becomes the widget's minimum, below what its words need: a
    layout short of room would cut them. Call again whenever the words change (a language)."""
    for button in buttons:
        button.ensurePolished()
        button.setMinimumWidth(button.sizeHint().width())
