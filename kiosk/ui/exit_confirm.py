"""The technician's "leave the kiosk application" asked once more, on a page of its own: two
big buttons, no keyboard, so a touch meant for 关闭 never ends the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.ui import style


class ExitConfirmation(QWidget):
    """ "确定退出核验终端程序？" with 退出 / 取消; says which was touched."""

    confirmed = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = QLabel()
        self.question.setFont(style.font(style.PROMPT_PT - 8, bold=True))
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.question.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setFont(style.font(style.BODY_PT))
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.exit_button = QPushButton()
        self.cancel_button = QPushButton()
        big = f" QPushButton {{ min-height: {style.TOUCH_TARGET_PX + 12}px; min-width: 240px; }}"
        self.exit_button.setStyleSheet(
            style.BUTTON_STYLE
            + big
            + f" QPushButton {{ background: {style.STATUS_BAD}; color: white; }}"
        )
        self.cancel_button.setStyleSheet(style.BUTTON_STYLE + big)
        self.exit_button.clicked.connect(self.confirmed)
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.setSpacing(style.SPACING_PX * 3)  # far apart: no touch lands on both
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button, 2)
        buttons.addWidget(self.exit_button, 2)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.question)
        layout.addWidget(self.detail)
        layout.addSpacing(style.SPACING_PX * 2)
        layout.addLayout(buttons)
        layout.addStretch(3)

    def retranslate(self) -> None:
        self.question.setText(self.tr("Leave the kiosk application?"))
        self.detail.setText(
            self.tr("Passages are not checked here until the kiosk application is started again.")
        )
        self.exit_button.setText(self.tr("Leave"))
        self.cancel_button.setText(self.tr("Cancel"))
