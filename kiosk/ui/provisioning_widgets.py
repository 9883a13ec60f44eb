"""Widgets shared by the technician's pages: a size down from the gate's, still touchable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
)

from kiosk.ui import style

PREVIEW_SIZE = (320, 180)
# The technician's screen holds more than the gate's: buttons a size down, still touchable.
TECH_BUTTON_STYLE = style.BUTTON_STYLE + (
    " QPushButton { min-height: 60px; min-width: 120px; font-size: 16pt; padding: 4px 16px; }"
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
    edit.setMinimumHeight(style.TOUCH_TARGET_PX - 24)
    edit.setStyleSheet("QLineEdit { background: #FFFFFF; }")
    return edit


def label(bold: bool = False) -> QLabel:
    made = QLabel()
    made.setWordWrap(True)
    made.setFont(style.font(style.STATUS_PT, bold=bold))
    return made


def device_table() -> QTableWidget:
    table = QTableWidget(0, 3)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.setFont(style.font(style.STATUS_PT - 2))
    table.setStyleSheet("QTableWidget { background: #FFFFFF; gridline-color: #CFD8DC; }")
    return table


def device_combo() -> QComboBox:
    combo = QComboBox()
    # Long device paths must not widen the window: the list shows them in full.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(18)
    combo.setFont(style.font(style.STATUS_PT))
    combo.setMinimumHeight(style.TOUCH_TARGET_PX - 24)
    combo.setStyleSheet("QComboBox { background: #FFFFFF; padding: 2px 8px; }")
    return combo


def result_label() -> QLabel:
    made = QLabel()
    made.setWordWrap(True)
    made.setFont(style.font(style.STATUS_PT))
    return made
