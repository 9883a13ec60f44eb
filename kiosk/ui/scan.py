"""The scan screen staff look at all day: the health banner, the prompt, the progress strip of
the person in progress, the camera preview, the passage fields, the staff buttons and the status
bar. It arranges itself by the panel (`kiosk.app.viewstate.choose_layout`): on a 1024x600 panel
the type is smaller; everywhere the buttons wrap into rows rather than being cut.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.viewstate import (
    ProgressView,
    PromptView,
    ResultView,
    ScreenLayout,
    StatusItem,
    choose_layout,
)
from kiosk.checkpoint.events import PassageFieldsChanged, Prompt
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, PassageField, TripReason
from kiosk.ui import style
from kiosk.ui.health import HealthBanner, StatusBar
from kiosk.ui.i18n import Language
from kiosk.ui.progress import ProgressStrip
from kiosk.ui.toggle import ToggleButton
from kiosk.ui.touchgrid import TouchGrid

LARGE_PANEL_PX = 1080  # 1920x1080 and 1080x1920: larger type


def gate_button(text: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setStyleSheet(style.gate_button_style(style.BUTTON_PT))
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


class PassageFieldBar(QWidget):
    """Direction, trip reason and plate: one touch each, kept from one person to the next (the
    plate while 保留车牌 is on); in as many rows as the width needs. Whether the passer's name
    and phone are asked (`asks_passer`) is told here too: the scan screen's activity row offers
    their page while a person is in progress."""

    changed = Signal(object)  # PassageFieldsChanged

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = TouchGrid(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self._direction = QButtonGroup(self)
        self._direction_buttons: dict[Direction, ToggleButton] = {}
        for direction in Direction:
            button = ToggleButton()
            self._direction.addButton(button)
            self._direction_buttons[direction] = button
        self._reason = QButtonGroup(self)
        self._reason_buttons: dict[TripReason, ToggleButton] = {}
        for reason in TripReason:
            button = ToggleButton()
            self._reason.addButton(button)
            self._reason_buttons[reason] = button
        self.plate = QLineEdit()
        self.plate.setFixedHeight(style.GATE_TARGET_PX)
        self.plate.setFont(style.font(style.BUTTON_PT))
        self.plate.setMinimumWidth(style.GATE_TARGET_PX * 2)
        self.keep_plate = ToggleButton()  # the people of one vehicle: its plate stays
        self.asks_passer = False
        self.grid.add_group(
            [
                *self._direction_buttons.values(),
                *self._reason_buttons.values(),
                self.plate,
                self.keep_plate,
            ]
        )
        self.setSizePolicy(_rows_policy())
        self._direction_buttons[Direction.IN].setChecked(True)
        self._direction.buttonClicked.connect(self._emit)
        self._reason.buttonClicked.connect(self._emit)
        self.plate.editingFinished.connect(self._emit)
        self.keep_plate.clicked.connect(self._emit)
        self.configure(frozenset())
        self.retranslate(Language.ZH)

    def toggles(self) -> list[ToggleButton]:
        return [*self._direction_buttons.values(), *self._reason_buttons.values(), self.keep_plate]

    def set_button_pt(self, point_size: int) -> None:
        for button in self.toggles():
            button.setStyleSheet(style.gate_button_style(point_size, toggle=True))
        self.plate.setFont(style.font(point_size))
        self.grid.invalidate()

    def configure(self, fields: frozenset[PassageField]) -> None:
        for button in self._direction_buttons.values():
            button.setVisible(PassageField.DIRECTION in fields)
        for button in self._reason_buttons.values():
            button.setVisible(PassageField.TRIP_REASON in fields)
        self.plate.setVisible(PassageField.VEHICLE_PLATE in fields)
        self.keep_plate.setVisible(PassageField.VEHICLE_PLATE in fields)
        self.asks_passer = PassageField.FULL_NAME in fields or PassageField.PHONE in fields
        self.setVisible(bool(fields - {PassageField.FULL_NAME, PassageField.PHONE}))
        self.grid.invalidate()

    def value(self) -> PassageFieldsChanged:
        direction = next((d for d, b in self._direction_buttons.items() if b.isChecked()), None)
        reason = next((r for r, b in self._reason_buttons.items() if b.isChecked()), None)
        plate = self.plate.text().strip().upper() or None
        shown = self.plate.isVisibleTo(self)
        return PassageFieldsChanged(
            direction, reason, plate if shown else None, shown and self.keep_plate.isChecked()
        )

    def set_plate(self, plate: str) -> None:
        """A plate typed on the plate page: told as one typed here would be."""
        self.plate.setText(plate)
        self._emit()

    def show_plate(self, plate: str | None) -> None:
        """The plate the flow holds now (cleared after a vehicle unless kept): nothing told."""
        self.plate.setText(plate or "")

    def _emit(self, *_: object) -> None:
        self.changed.emit(self.value())

    def retranslate(self, language: Language) -> None:
        for direction, button in self._direction_buttons.items():
            button.setText(direction.label.get(language.value))  # type: ignore[arg-type]
        for reason, button in self._reason_buttons.items():
            button.setText(reason.label.get(language.value))  # type: ignore[arg-type]
        self.plate.setPlaceholderText(self.tr("Vehicle plate"))
        self.keep_plate.setText(self.tr("Keep plate"))
        self.grid.invalidate()


class CameraPreview(QLabel):
    """The camera's picture; squeezed to a strip on a short panel, it drops its words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = ""
        self.setStyleSheet("background: #000000; border-radius: 12px; color: #B0BEC5;")

    def show_words(self, text: str) -> None:
        """What shows without a picture ("no camera image"), when there is room for it."""
        self._words = text
        self._place_words()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_words()

    def _place_words(self) -> None:
        if not self.pixmap().isNull():
            return
        metrics = self.fontMetrics()
        roomy = self.height() >= metrics.height() + 8
        roomy = roomy and self.width() >= metrics.horizontalAdvance(self._words) + 8
        self.setText(self._words if roomy else "")


def _rows_policy() -> QSizePolicy:
    """Rows of buttons: as tall as their width needs (height for width), never squeezed."""
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    return policy


class ScanScreen(QWidget):
    """The camera preview, the prompt, and the ways around a broken camera; on top, the one
    banner that tells staff what they must do, and at the foot the status bar."""

    manual_requested = Signal()
    sign_in_requested = Signal()
    supervisor_requested = Signal()
    language_toggled = Signal()
    cancel_requested = Signal()
    passer_requested = Signal()
    override_last_requested = Signal()
    records_last_requested = Signal()  # 查看此人记录 of the last person, while 改判上一位 shows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            f"ScanScreen {{ background: {style.SURFACE}; }} QLabel {{ color: {style.TEXT}; }}"
        )
        self.banner = HealthBanner()
        self.prompt = QLabel()
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        self.operator = QLabel()
        self.operator.setFont(style.font(style.BODY_PT))
        self.operator.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.progress = ProgressStrip()
        self.cancel_button = gate_button()
        self.passer_button = gate_button()  # the passer's name and phone (Hainan 关口信息)
        self.override_last_button = gate_button()
        self.override_last_button.setStyleSheet(style.gate_button_style(style.BUTTON_PT))
        self.records_last_button = gate_button()
        self.preview = CameraPreview()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Whatever room is left: on a 600 px tall panel with every field it is a strip.
        self.preview.setMinimumSize(160, 0)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.fields = PassageFieldBar()
        self.manual_button = gate_button()
        self.sign_in_button = gate_button()
        self.supervisor_button = gate_button()
        self.language_button = gate_button()
        self.status = StatusBar()
        self._arrange()
        self.manual_button.clicked.connect(self.manual_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.passer_button.clicked.connect(self.passer_requested)
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.supervisor_button.clicked.connect(self.supervisor_requested)
        self.language_button.clicked.connect(self.language_toggled)
        self.override_last_button.clicked.connect(self.override_last_requested)
        self.records_last_button.clicked.connect(self.records_last_requested)
        self._prompt = PromptView(Prompt.SCAN)
        self._language = Language.ZH
        self._operator_name: str | None = None
        self._last: ResultView | None = None
        self._needs_sign_in = True
        self._setting = ScreenLayout.AUTO
        self.layout_mode: ScreenLayout | None = None
        self._large = False
        self._apply_layout(ScreenLayout.LANDSCAPE)
        self.retranslate(Language.ZH)

    def _arrange(self) -> None:
        self._root = root = QVBoxLayout(self)
        root.setContentsMargins(style.SPACING_PX, style.SPACING_PX // 2, style.SPACING_PX, 0)
        self._prompt_row = prompt_row = QHBoxLayout()
        prompt_row.addWidget(self.prompt, 1)
        prompt_row.addWidget(self.operator)
        self.activity = QWidget()
        # A grid: one row on a landscape panel; on a portrait one the strip takes a whole row
        # (its awaited step's figures and countdown need the width) and the buttons the next.
        self._activity = activity = QGridLayout(self.activity)
        activity.setContentsMargins(0, 0, 0, 0)
        self.staff = QWidget()
        self.staff_grid = TouchGrid(self.staff)
        self.staff_grid.setContentsMargins(0, 0, 0, 0)
        self.staff_grid.add_group(
            [self.manual_button, self.sign_in_button, self.supervisor_button, self.language_button]
        )
        self.staff.setSizePolicy(_rows_policy())
        root.addWidget(self.banner)
        root.addLayout(prompt_row)
        root.addWidget(self.activity)
        root.addWidget(self.preview, 1)
        root.addWidget(self.fields)
        root.addWidget(self.staff)
        root.addWidget(self.status)

    # ------------------------------------------------------------ layout

    def set_layout_setting(self, setting: ScreenLayout) -> None:
        """[kiosk] layout: "auto" chooses by the panel; the others force one."""
        self._setting = setting
        self._apply_layout(choose_layout(self.width(), self.height(), setting), self._large)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        size = event.size()
        large = min(size.width(), size.height()) >= LARGE_PANEL_PX
        self._apply_layout(choose_layout(size.width(), size.height(), self._setting), large)

    def _apply_layout(self, mode: ScreenLayout, large: bool = False) -> None:
        """Type and spacing for the layout; on a large panel (1080 px and more both ways) the
        prompt and the strip grow, so they still read from 2 m on a bigger screen."""
        if mode is self.layout_mode and large == self._large:
            return
        self.layout_mode, self._large = mode, large
        kind = style.GATE_TYPES[mode.value]
        if large:
            kind = style.GateType(
                prompt_pt=style.MAX_BOLD_PT,
                button_pt=kind.button_pt + 4,
                progress_px=round(kind.progress_px * 1.3),
                status_px=kind.status_px + 4,
                spacing_px=kind.spacing_px + 4,
            )
        self._root.setSpacing(kind.spacing_px)
        self._activity.setSpacing(kind.spacing_px)
        self._place_activity(mode)
        self.prompt.setFont(style.font(kind.prompt_pt, bold=True))
        self.operator.setFont(style.font(style.BODY_PT if kind.button_pt >= 20 else 16))
        buttons = (
            self.manual_button,
            self.cancel_button,
            self.passer_button,
            self.sign_in_button,
            self.supervisor_button,
            self.language_button,
            self.override_last_button,
            self.records_last_button,
        )
        for button in buttons:
            button.setStyleSheet(style.gate_button_style(kind.button_pt))
        # 改判上一位 stands apart from the everyday buttons: an amber frame.
        self.override_last_button.setStyleSheet(
            style.gate_button_style(
                kind.button_pt, frame=style.OUTCOME_LOOKS[Outcome.REFER].background
            )
        )
        self.fields.set_button_pt(kind.button_pt)
        self.fields.grid.set_gap(kind.spacing_px)
        self.staff_grid.set_gap(kind.spacing_px)
        self.progress.set_text_px(kind.progress_px)
        self.status.set_text_px(kind.status_px, spacing=kind.spacing_px + 4)
        self.banner.set_text_px(style.BANNER_PX if kind.button_pt >= 20 else 26)
        self.staff_grid.invalidate()
        self._render_activity()

    def _place_activity(self, mode: ScreenLayout) -> None:
        """Landscape: strip, 登记姓名电话 (where asked), 重新开始 and 改判上一位 on one row.
        Portrait: the strip alone on the first row, the buttons below. Compact (a 600 px tall
        panel): 改判上一位 waits beside the prompt, not in a row of its own."""
        activity = self._activity
        last = (self.records_last_button, self.override_last_button)
        for widget in (self.progress, self.passer_button, self.cancel_button, *last):
            activity.removeWidget(widget)
        for widget in last:
            self._prompt_row.removeWidget(widget)
        if mode is ScreenLayout.PORTRAIT:
            activity.addWidget(self.progress, 0, 0, 1, 3)
            activity.addWidget(self.cancel_button, 1, 0)
            activity.addWidget(self.passer_button, 1, 1)
            activity.addWidget(self.override_last_button, 1, 2)
            activity.addWidget(self.records_last_button, 2, 0, 1, 3)  # 改判上一位 keeps the width
        else:
            activity.addWidget(self.progress, 0, 0)
            activity.addWidget(self.passer_button, 0, 1)
            activity.addWidget(self.cancel_button, 0, 2)
            for column, widget in enumerate(last, start=3):
                if mode is ScreenLayout.COMPACT:
                    self._prompt_row.addWidget(widget)
                else:
                    activity.addWidget(widget, 0, column)

    def _stretch_activity(self) -> None:
        """Room goes to what is shown: a grid keeps an empty column's stretch, so the column of
        a hidden widget must give its stretch up."""
        activity = self._activity
        for column in range(5):
            activity.setColumnStretch(column, 0)
        offered = self.override_last_button.isVisibleTo(self)
        if self.layout_mode is ScreenLayout.PORTRAIT:
            activity.setColumnStretch(2 if offered else 1, 1)
            return
        if self.progress.isVisibleTo(self):
            activity.setColumnStretch(0, 1)
        if offered and self.layout_mode is not ScreenLayout.COMPACT:
            activity.setColumnStretch(4, 1)

    # ------------------------------------------------------------ what it shows

    def show_prompt(self, prompt: PromptView) -> None:
        self._prompt = prompt
        self._render_prompt()

    def configure_fields(self, fields: frozenset[PassageField]) -> None:
        self.fields.configure(fields)
        self._render_activity()

    def show_progress(self, view: ProgressView | None) -> None:
        self.progress.show_progress(view)
        self._render_activity()

    def show_override_last(self, view: ResultView | None, *, needs_sign_in: bool) -> None:
        """The result that closed a moment ago, still open to a change of decision (None: not
        any more); with nobody signed in the button says the sign-in comes first."""
        self._last = view
        self._needs_sign_in = needs_sign_in
        self._render_activity()

    def show_status(self, items: tuple[StatusItem, ...]) -> None:
        self.banner.show_items(items)
        self.status.show_items(items)

    def show_frame(self, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image).scaled(
            self.preview.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        self.preview.setPixmap(pixmap)

    def show_operator(self, name: str | None) -> None:
        self._operator_name = name
        self._render_operator()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.manual_button.setText(self.tr("Manual entry"))
        self.cancel_button.setText(self.tr("Start over"))
        self.passer_button.setText(self.tr("Name and phone"))
        self.records_last_button.setText(self.tr("This person's records"))
        self.sign_in_button.setText(self.tr("Staff sign-in"))
        self.supervisor_button.setText(self.tr("Supervisor"))
        self.language_button.setText("English" if language is Language.ZH else "中文")
        self.preview.show_words(self.tr("No camera image"))
        self.fields.retranslate(language)
        self.status.retranslate(language)
        self.banner.retranslate(language)
        self.progress.retranslate(language)
        self._render_prompt()
        self._render_operator()
        self._render_activity()
        self.staff_grid.invalidate()

    def _render_prompt(self) -> None:
        text = self._prompt.text.get(self._language.value)  # type: ignore[arg-type]
        urgent = self._prompt.prompt is Prompt.REMEASURE and not self._prompt.checking_online
        colour = "#E65100" if urgent else style.TEXT
        if self._prompt.checking_online:
            colour = style.TOGGLE_SELECTED_FRAME  # a calm blue: waiting, not a fault
        self.prompt.setStyleSheet(f"color: {colour};")
        self.prompt.setText(("⚠ " if urgent else "") + text)
        self._render_activity()

    def _render_activity(self) -> None:
        """The person in progress (steps, countdown, 重新开始), or else the last result that may
        still be changed; the row is hidden when there is neither."""
        in_progress = self.progress.view is not None or (
            self._prompt.prompt is not Prompt.SCAN
            or bool(self._prompt.missing)
            or self._prompt.checking_online  # 重新开始 gives the online check up
        )
        self.cancel_button.setVisible(in_progress)
        self.cancel_button.setEnabled(in_progress)
        self.passer_button.setVisible(in_progress and self.fields.asks_passer)
        offer = self._last is not None and not in_progress
        self.override_last_button.setVisible(offer)
        self.records_last_button.setVisible(offer and not self._needs_sign_in)
        compact = self.layout_mode is ScreenLayout.COMPACT
        # On a 600 px tall panel the strip's awaited step stands for the prompt.
        striped = compact and self.progress.view is not None
        self.prompt.setVisible(not striped)
        self.operator.setVisible(not striped)
        if self._last is not None:
            word = self._last.word.get(self._language.value)  # type: ignore[arg-type]
            text = self.tr("Change last decision: %1").replace("%1", word)
            if self._needs_sign_in:
                text += "\n" + self.tr("Sign in first")
            self.override_last_button.setText(text)
        self.activity.setVisible(in_progress or (offer and not compact))
        self._stretch_activity()

    def _render_operator(self) -> None:
        if self._operator_name:
            self.operator.setText(self.tr("On duty: %1").replace("%1", self._operator_name))
        else:
            self.operator.setText(self.tr("No staff signed in"))
