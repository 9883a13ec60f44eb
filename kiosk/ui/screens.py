"""The screens staff look at all day: scan (preview, prompt, status bar) and result
(manual entry: `kiosk.ui.manual`).

Each renders a plain view (`kiosk.app.viewstate`) and emits what the person at it asked for.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.viewstate import PromptView, ResultView, StatusItem, Tint
from kiosk.checkpoint.events import PassageFieldsChanged, Prompt
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, PassageField, TripReason
from kiosk.ui import style
from kiosk.ui.health import HealthBanner, StatusBar
from kiosk.ui.i18n import Language
from kiosk.ui.toggle import ToggleButton


def touch_button(text: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setStyleSheet(style.BUTTON_STYLE)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


class PassageFieldBar(QWidget):
    """Direction, trip reason and plate: one touch each, kept from one person to the next."""

    changed = Signal(object)  # PassageFieldsChanged

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._direction = QButtonGroup(self)
        self._direction_buttons: dict[Direction, ToggleButton] = {}
        for direction in Direction:
            button = ToggleButton()
            self._direction.addButton(button)
            self._direction_buttons[direction] = button
            layout.addWidget(button)
        self._reason = QButtonGroup(self)
        self._reason_buttons: dict[TripReason, ToggleButton] = {}
        for reason in TripReason:
            button = ToggleButton()
            self._reason.addButton(button)
            self._reason_buttons[reason] = button
            layout.addWidget(button)
        self.plate = QLineEdit()
        self.plate.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.plate.setFont(style.font(style.BUTTON_PT))
        layout.addWidget(self.plate)
        self._direction_buttons[Direction.IN].setChecked(True)
        self._direction.buttonClicked.connect(self._emit)
        self._reason.buttonClicked.connect(self._emit)
        self.plate.editingFinished.connect(self._emit)
        self.configure(frozenset())
        self.retranslate(Language.ZH)

    def configure(self, fields: frozenset[PassageField]) -> None:
        for button in self._direction_buttons.values():
            button.setVisible(PassageField.DIRECTION in fields)
        for button in self._reason_buttons.values():
            button.setVisible(PassageField.TRIP_REASON in fields)
        self.plate.setVisible(PassageField.VEHICLE_PLATE in fields)
        self.setVisible(bool(fields))

    def value(self) -> PassageFieldsChanged:
        direction = next((d for d, b in self._direction_buttons.items() if b.isChecked()), None)
        reason = next((r for r, b in self._reason_buttons.items() if b.isChecked()), None)
        plate = self.plate.text().strip().upper() or None
        return PassageFieldsChanged(direction, reason, plate if self.plate.isVisible() else None)

    def _emit(self, *_: object) -> None:
        self.changed.emit(self.value())

    def retranslate(self, language: Language) -> None:
        for direction, button in self._direction_buttons.items():
            button.setText(direction.label.get(language.value))  # type: ignore[arg-type]
        for reason, button in self._reason_buttons.items():
            button.setText(reason.label.get(language.value))  # type: ignore[arg-type]
        self.plate.setPlaceholderText(self.tr("Vehicle plate"))


class ScanScreen(QWidget):
    """The camera preview, the prompt, and the ways around a broken camera; on top, the one
    banner that tells staff what they must do, and at the foot the status bar."""

    manual_requested = Signal()
    sign_in_requested = Signal()
    supervisor_requested = Signal()
    language_toggled = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.SPACING_PX, style.SPACING_PX, style.SPACING_PX, 0)
        self.prompt = QLabel()
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setFont(style.font(style.PROMPT_PT, bold=True))
        self.prompt.setWordWrap(True)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Small enough that the banner, a wrapped status bar and the buttons fit a 600 px tall
        # panel: the preview takes whatever room is left (it expands).
        self.preview.setMinimumSize(320, 60)
        self.preview.setStyleSheet("background: #000000; border-radius: 12px; color: #B0BEC5;")
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.operator = QLabel()
        self.operator.setFont(style.font(style.BODY_PT))
        self.fields = PassageFieldBar()
        buttons = QHBoxLayout()
        self.manual_button = touch_button()
        self.cancel_button = touch_button()
        self.sign_in_button = touch_button()
        self.supervisor_button = touch_button()
        self.language_button = touch_button()
        for button in (
            self.manual_button,
            self.cancel_button,
            self.sign_in_button,
            self.supervisor_button,
            self.language_button,
        ):
            buttons.addWidget(button)
        self.manual_button.clicked.connect(self.manual_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.supervisor_button.clicked.connect(self.supervisor_requested)
        self.language_button.clicked.connect(self.language_toggled)
        self.status = StatusBar()
        self.banner = HealthBanner()
        layout.addWidget(self.banner)
        layout.addWidget(self.prompt)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.operator)
        layout.addWidget(self.fields)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._prompt = PromptView(Prompt.SCAN)
        self._language = Language.ZH
        self._operator_name: str | None = None
        self.retranslate(Language.ZH)

    def show_prompt(self, prompt: PromptView) -> None:
        self._prompt = prompt
        self._render_prompt()

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
        self.sign_in_button.setText(self.tr("Staff sign-in"))
        self.supervisor_button.setText(self.tr("Supervisor"))
        self.language_button.setText("English" if language is Language.ZH else "中文")
        if self.preview.pixmap().isNull():
            self.preview.setText(self.tr("No camera image"))
        self.fields.retranslate(language)
        self.status.retranslate(language)
        self.banner.retranslate(language)
        self._render_prompt()
        self._render_operator()

    def _render_prompt(self) -> None:
        text = self._prompt.text.get(self._language.value)  # type: ignore[arg-type]
        urgent = self._prompt.prompt is Prompt.REMEASURE
        colour = "#E65100" if urgent else style.TEXT
        self.prompt.setStyleSheet(f"color: {colour};")
        self.prompt.setText(("⚠ " if urgent else "") + text)
        self.cancel_button.setEnabled(
            self._prompt.prompt is not Prompt.SCAN or bool(self._prompt.missing)
        )

    def _render_operator(self) -> None:
        if self._operator_name:
            self.operator.setText(self.tr("On duty: %1").replace("%1", self._operator_name))
        else:
            self.operator.setText(self.tr("No staff signed in"))


class ResultScreen(QFrame):
    """Full-screen colour, the verdict word with a glyph, then the one reason that decided it in
    large type, the masked name and temperature in large figures, a repeat as a warning strip,
    and at most two further reasons: readable from 2 m, nothing said twice."""

    override_requested = Signal()
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.setSpacing(14)
        self.word = _centred(style.RESULT_WORD_PT, bold=True, wrap=False)
        self.deciding = _centred(style.RESULT_REASON_PT, bold=True)
        self.person = _centred(style.RESULT_FIGURES_PT, bold=True)
        self.repeat = _centred(style.RESULT_DETAIL_PT, bold=True)
        self.repeat.setStyleSheet(style.WARNING_STRIP_STYLE)
        self.reasons = _centred(style.RESULT_MORE_PT)
        self.override_button = touch_button()
        self.override_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.override_button.clicked.connect(self.override_requested)
        layout.addStretch(1)
        for label in (self.word, self.deciding, self.person):
            layout.addWidget(label)
        layout.addWidget(self.repeat, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.reasons)
        layout.addStretch(1)
        layout.addWidget(self.override_button, 0, Qt.AlignmentFlag.AlignRight)
        self._view: ResultView | None = None
        self._language = Language.ZH
        self._needs_sign_in = False

    def set_needs_sign_in(self, needed: bool) -> None:
        """Nobody on duty is signed in: the button says the sign-in comes first."""
        self._needs_sign_in = needed
        self._label_override()

    def _label_override(self) -> None:
        text = self.tr("Change decision")
        if self._needs_sign_in:
            text += "\n" + self.tr("Sign in first")
        self.override_button.setText(text)

    def show_result(self, view: ResultView) -> None:
        self._view = view
        self._render()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._label_override()
        self._render()

    @property
    def view(self) -> ResultView | None:
        return self._view

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_word()

    def _render(self) -> None:
        view = self._view
        if view is None:
            return
        lang = self._language.value
        look = style.OUTCOME_LOOKS[view.outcome]
        tint = style.YELLOW_CODE_LOOK if view.tint is Tint.YELLOW_CODE else look
        self.setStyleSheet(
            f"ResultScreen {{ background: {tint.background}; }}"
            f" QLabel {{ color: {tint.foreground}; }}"
        )
        self.repeat.setStyleSheet(style.WARNING_STRIP_STYLE)
        self.word.setText(f"{look.glyph} {view.word.get(lang)}")  # type: ignore[arg-type]
        self._fit_word()
        deciding = view.deciding_reason
        self.deciding.setText(deciding.get(lang) if deciding else "")  # type: ignore[arg-type]
        self.deciding.setVisible(deciding is not None)
        figures = [view.masked_name] if view.masked_name else []
        if view.temperature_celsius is not None:
            figures.append(f"{view.temperature_celsius:.1f} °C")
        self.person.setText("    ".join(figures))
        self.person.setVisible(bool(figures))
        warning = view.repeat_warning
        self.repeat.setText(f"⚠ {warning.get(lang)}" if warning else "")  # type: ignore[arg-type]
        self.repeat.setVisible(warning is not None)
        self.reasons.setText("\n".join(r.get(lang) for r in view.other_reasons))  # type: ignore[arg-type]
        self.reasons.setVisible(bool(view.other_reasons))

    def _fit_word(self) -> None:
        """The verdict as large as the width allows (English is longer, portrait is narrow)."""
        margins = self.contentsMargins() + self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right()
        size = style.RESULT_WORD_PT
        chosen = style.font(size, bold=True)
        while size > style.RESULT_REASON_PT and room > 0:
            chosen = style.font(size, bold=True)
            if QFontMetrics(chosen).horizontalAdvance(self.word.text()) <= room:
                break
            size -= 4
        self.word.setFont(chosen)


def _centred(point_size: int, *, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFont(style.font(point_size, bold=bold))
    label.setWordWrap(wrap)
    return label


OVERRIDE_OUTCOMES = (Outcome.PASS, Outcome.DENY, Outcome.REFER, Outcome.MANUAL_CHECK)
