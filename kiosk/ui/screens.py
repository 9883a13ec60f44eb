"""The screens staff look at all day: the result, and the scan screen (`kiosk.ui.scan`, re-exported
here; manual entry: `kiosk.ui.manual`).

Each renders a plain view (`kiosk.app.viewstate`) and emits what the person at it asked for.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.viewstate import ResultView, Tint
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.scan import PassageFieldBar, ScanScreen

__all__ = ["OVERRIDE_OUTCOMES", "PassageFieldBar", "ResultScreen", "ScanScreen", "touch_button"]


def touch_button(text: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setStyleSheet(style.BUTTON_STYLE)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


class ResultScreen(QFrame):
    """Full-screen colour, the verdict word with a glyph, then the one reason that decided it in
    large type, the masked name and temperature in large figures, a repeat as a warning strip,
    and at most two further reasons: readable from 2 m, nothing said twice."""

    override_requested = Signal()
    records_requested = Signal()  # 查看此人记录: only offered to a signed-in operator
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.setSpacing(14)
        self.word = _centred(style.RESULT_WORD_PT, bold=True, wrap=False)
        self.deciding = _centred(style.RESULT_REASON_PT, bold=True)
        self.person = _centred(style.RESULT_FIGURES_PT, bold=True)
        # One line: a label framed by a style sheet wraps to a wrong height (its padding).
        self.repeat = _centred(style.RESULT_DETAIL_PT, bold=True, wrap=False)
        self.repeat.setStyleSheet(style.WARNING_STRIP_STYLE)
        self.reasons = _centred(style.RESULT_MORE_PT)
        self.override_button = touch_button()
        self.override_button.setStyleSheet(style.gate_button_style(style.BUTTON_PT))
        self.override_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.override_button.clicked.connect(self.override_requested)
        self.records_button = touch_button()
        self.records_button.setStyleSheet(style.gate_button_style(style.BUTTON_PT))
        self.records_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.records_button.clicked.connect(self.records_requested)
        self.records_button.hide()
        layout.addStretch(1)
        for label in (self.word, self.deciding, self.person):
            layout.addWidget(label)
        layout.addWidget(self.repeat, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.reasons)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.records_button)
        buttons.addStretch(1)
        buttons.addWidget(self.override_button)
        layout.addLayout(buttons)
        # The type shrinks to the panel (`_fit`): the words never hold the screen larger.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._view: ResultView | None = None
        self._language = Language.ZH
        self._needs_sign_in = False

    def set_needs_sign_in(self, needed: bool) -> None:
        """Nobody on duty is signed in: the button says the sign-in comes first."""
        self._needs_sign_in = needed
        self._label_override()
        self.records_button.setVisible(not needed)  # a person's records: the duty staff only

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
        self.records_button.setText(self.tr("This person's records"))
        self._render()

    @property
    def view(self) -> ResultView | None:
        return self._view

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(_SMALLEST_PANEL[0], _SMALLEST_PANEL[1])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

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
        self._fit()

    def _fit(self) -> None:
        """Type as large as the panel allows: larger on a big panel, smaller on a 600 px tall
        one, the verdict never wider than the screen and nothing pushed off its foot."""
        width, height = self.width(), self.height()
        if width <= 0 or height <= 0:
            return
        if height > width:
            start = min(width / 800, height / 1280)
        else:
            start = min(width / 1280, height / 800)
        scale = min(max(start, 1.0), 1.5)
        while True:
            self._set_type(scale)
            if scale <= _SMALLEST_SCALE or self._needed_height(width) <= height:
                return
            scale -= 0.05

    def _set_type(self, scale: float) -> None:
        margin_x, margin_y = (40, 30) if scale >= 0.9 else (20, 10)
        layout = self.layout()
        layout.setContentsMargins(margin_x, margin_y, margin_x, margin_y)
        layout.setSpacing(14 if scale >= 0.9 else 6)
        for label, size, bold in (
            (self.deciding, style.RESULT_REASON_PT, True),
            (self.person, style.RESULT_FIGURES_PT, True),
            (self.repeat, style.RESULT_DETAIL_PT, True),
            (self.reasons, style.RESULT_MORE_PT, False),
        ):
            points = round(size * scale)
            label.setFont(style.font(min(points, style.MAX_BOLD_PT) if bold else points, bold=bold))
        self._fit_word(round(style.RESULT_WORD_PT * scale))

    def _needed_height(self, width: int) -> int:
        layout = self.layout()
        margins = layout.contentsMargins()
        room = width - margins.left() - margins.right()
        shown = [
            w
            for w in (self.word, self.deciding, self.person, self.repeat, self.reasons)
            if w.isVisibleTo(self)
        ]
        needed = sum(
            w.heightForWidth(room) if w.wordWrap() else w.sizeHint().height() for w in shown
        )
        needed += self.override_button.sizeHint().height()
        return needed + layout.spacing() * len(shown) + margins.top() + margins.bottom()

    def _fit_word(self, largest: int) -> None:
        """The verdict as large as the width allows (English is longer, portrait is narrow)."""
        margins = self.contentsMargins() + self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right()
        size = largest
        chosen = style.font(size, bold=True)
        while size > style.RESULT_REASON_PT // 2 and room > 0:
            chosen = style.font(size, bold=True)
            if QFontMetrics(chosen).horizontalAdvance(self.word.text()) <= room:
                break
            size -= 4
        self.word.setFont(chosen)


_SMALLEST_SCALE = 0.55
_SMALLEST_PANEL = (480, 480)  # what `_fit` still fills: below every panel the kiosk runs on


def _centred(point_size: int, *, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFont(style.font(point_size, bold=bold))
    label.setWordWrap(wrap)
    return label


OVERRIDE_OUTCOMES = (Outcome.PASS, Outcome.DENY, Outcome.REFER, Outcome.MANUAL_CHECK)
