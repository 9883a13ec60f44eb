"""The progress strip on the scan screen while one person is processed: the health code ✓, the
temperature as the reading arrives, the ID card, each ticked as it comes, and the step awaited
with the seconds left before the person is decided without it. It renders a
`kiosk.app.viewstate.ProgressView`; the countdown is computed there, from the time passed in.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from kiosk.app.viewstate import ProgressView, Step, StepState, StepView
from kiosk.ui import style
from kiosk.ui.i18n import Language

# (glyph, background, text colour, frame): each state shows by its glyph, not colour alone.
_LOOKS = {
    StepState.DONE: ("✓", "#E8F5E9", "#1B5E20", "#1B873F"),
    StepState.AWAITED: ("▶", "#FFFFFF", style.TEXT, style.TOGGLE_SELECTED_FRAME),
    StepState.PENDING: ("○", "transparent", "#546E7A", "#B0BEC5"),
    StepState.AGAIN: ("⚠", "#FFF3E0", "#BF360C", "#E65100"),
}


_CHIP_SIDES_PX = 2 * (10 + 5) + 4  # padding, the awaited frame, and a little air
_ANY_WIDTH = 16_777_215  # Qt's QWIDGETSIZE_MAX


class _Chip(QLabel):
    """One step: it asks for its words on one line, and wraps between words when short of
    room (Qt's own hint for a wrapping label is narrower than one line)."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = self.fontMetrics().horizontalAdvance(self.text()) + _CHIP_SIDES_PX
        width = min(width, self.maximumWidth())
        return QSize(width, self.heightForWidth(width))


class ProgressStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._chips: dict[Step, QLabel] = {}
        for step in Step:
            chip = _Chip()
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            chip.setWordWrap(True)  # on a narrow panel a step takes two lines, not "···"
            chip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            self._chips[step] = chip
            self._layout.addWidget(chip)
        self._view: ProgressView | None = None
        self._language = Language.ZH
        self.set_text_px(style.PROGRESS_PX)
        self.hide()

    @property
    def view(self) -> ProgressView | None:
        return self._view

    def chip(self, step: Step) -> QLabel:
        return self._chips[step]

    def chip_text(self, step: Step) -> str:
        chip = self._chips[step]
        return chip.text() if chip.isVisibleTo(self) else ""

    def set_text_px(self, pixels: int) -> None:
        for chip in self._chips.values():
            chip.setFont(style.pixel_font(pixels, bold=True))

    def show_progress(self, view: ProgressView | None) -> None:
        self._view = view
        self._render()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._render()

    def _render(self) -> None:
        view = self._view
        self.setVisible(view is not None)
        if view is None:
            return
        shown = {step_view.step: step_view for step_view in view.steps}
        for index, (step, chip) in enumerate(self._chips.items()):
            step_view = shown.get(step)
            chip.setVisible(step_view is not None)
            if step_view is not None:
                self._render_chip(chip, step_view, view.seconds_left)
                # A step done or still to come takes no more than its words on one line; the
                # awaited one, with its figures and countdown, the rest. Short of room, any of
                # them wraps between words, never inside one.
                awaited = step_view.state is StepState.AWAITED
                metrics = chip.fontMetrics()
                whole = metrics.horizontalAdvance(chip.text()) + _CHIP_SIDES_PX
                word = max(metrics.horizontalAdvance(w) for w in chip.text().split())
                chip.setMinimumWidth(word + _CHIP_SIDES_PX)
                chip.setMaximumWidth(_ANY_WIDTH if awaited else whole)
                self._layout.setStretch(index, 1 if awaited else 0)

    def _render_chip(self, chip: QLabel, step: StepView, seconds_left: int) -> None:
        zh = self._language is Language.ZH
        glyph, background, text, frame = _LOOKS[step.state]
        width = style.TOGGLE_SELECTED_FRAME_PX if step.state is StepState.AWAITED else 2
        chip.setStyleSheet(
            f"QLabel {{ background: {background}; color: {text};"
            f" border: {width}px solid {frame}; border-radius: 10px; padding: 4px 10px; }}"
        )
        words = [glyph, step.step.label.zh if zh else step.step.label.en]
        if step.celsius is not None:
            words.append(f"{step.celsius:.1f} °C")
        if step.state is StepState.AGAIN or (
            step.state is StepState.AWAITED and step.step is Step.TEMPERATURE and step.celsius
        ):
            words.append("复测" if zh else "again")
        if step.state is StepState.AWAITED:
            words.append(f"{seconds_left} 秒" if zh else f"{seconds_left} s")
        chip.setText(" ".join(words))
        chip.setProperty("state", step.state.value)
