"""Widgets shared by the technician's pages: a size down from the gate's, still touchable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTableWidget,
)

from kiosk.ui import style

PREVIEW_SIZE = (320, 180)
# The technician's screen holds more than the gate's: words a size down, still 90 px (15 mm,
# for gloves) with the padding and frame.
_FIELD_PX = style.GLOVE_TARGET_PX
TECH_BUTTON_STYLE = style.BUTTON_STYLE + (
    f" QPushButton {{ min-height: {_FIELD_PX - 12}px; min-width: 100px; font-size: 16pt;"
    " padding: 4px 16px; }"
)
TAB_STYLE = (
    f"QTabBar::tab {{ min-height: {_FIELD_PX}px; min-width: {_FIELD_PX + 30}px; padding: 0 24px; }}"
)


def frame_to_image(frame: Any) -> QImage:
    """A camera frame (BGR or grey numpy image) as a small QImage for the preview."""
    image = np.asarray(frame)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    else:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    height = max(1, int(image.shape[0] * PREVIEW_SIZE[0] / image.shape[1]))
    small = np.ascontiguousarray(cv2.resize(image, (PREVIEW_SIZE[0], height)))
    return QImage(
        small.data, small.shape[1], small.shape[0], small.strides[0], QImage.Format.Format_RGB888
    ).copy()


def button(slot: Callable[[], None]) -> QPushButton:
    made = QPushButton()
    made.setStyleSheet(TECH_BUTTON_STYLE)
    made.clicked.connect(slot)
    return made


def line() -> QLineEdit:
    edit = QLineEdit()
    edit.setFont(style.font(style.STATUS_PT))
    edit.setMinimumHeight(_FIELD_PX)
    edit.setStyleSheet("QLineEdit { background: #FFFFFF; }")
    return edit


def label(bold: bool = False) -> QLabel:
    made = QLabel()
    made.setWordWrap(True)
    made.setFont(style.font(style.STATUS_PT, bold=bold))
    return made


class DeviceTable(QTableWidget):
    """What was found, read only: long device paths wrap in their cells, and the table is as
    high as its rows (the page scrolls, not the table; a drag on it scrolls the page)."""

    def __init__(self) -> None:
        super().__init__(0, 3)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFont(style.font(style.STATUS_PT - 2))
        self.setStyleSheet("QTableWidget { background: #FFFFFF; gridline-color: #CFD8DC; }")

    def fit_height(self) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(row) for row in range(self.rowCount()))
        height = self.horizontalHeader().height() + rows + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_height()


def device_table() -> DeviceTable:
    return DeviceTable()


def device_combo() -> QComboBox:
    combo = QComboBox()
    # Long device paths must not widen the window: the list shows them in full.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    combo.setFont(style.font(style.STATUS_PT))
    combo.setMinimumHeight(_FIELD_PX)
    combo.setView(QListView())
    combo.setStyleSheet(
        "QComboBox { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
        " padding: 2px 12px; }"
        " QComboBox::drop-down { width: 48px; border: none; }"
        f" QComboBox QAbstractItemView::item {{ min-height: {_FIELD_PX}px; }}"
    )
    return combo


def result_label() -> QLabel:
    made = QLabel()
    made.setWordWrap(True)
    made.setFont(style.font(style.STATUS_PT))
    return made
