"""The supervisor view's smaller pages: who is the supervisor (names, then the PIN), a code's
trail, and the kiosk settings. They draw what they are given and report what was touched."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.settings import MAX_RESULT_S, MIN_RESULT_S, KioskSettings
from kiosk.sessions.supervisor import LogRow
from kiosk.ui import style
from kiosk.ui.fitting import keep_words_whole, touch_scroll
from kiosk.ui.i18n import Language
from kiosk.ui.passage_table import (
    PassageTableModel,
    details_label,
    language_code,
    passage_table,
)
from kiosk.ui.signin import OperatorPicker
from kiosk.ui.toggle import ToggleCheckBox
from sync.schemas import TrailAnswer


def button() -> QPushButton:
    made = QPushButton()
    made.setStyleSheet(style.BUTTON_STYLE)
    return made


def title() -> QLabel:
    label = QLabel()
    label.setFont(style.font(style.PROMPT_PT - 12, bold=True))
    return label


AREA_LINES = 5  # central's newest passages listed; the count covers them all
PAD_MAX_PX = 900  # the PIN pad: its keys beside its dots on a landscape panel need the room


def centred(widget: QWidget) -> QWidget:
    """A page with `widget` in its middle, as wide as it may be (the PIN pad)."""
    page = QWidget()
    layout = QHBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    layout.addWidget(widget, 20)
    layout.addStretch(1)
    return page


class NamesPage(QWidget):
    """Who is the supervisor: touch a name (then the PIN), or go to the technician's screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title()
        self.title.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setFont(style.font(style.BODY_PT))
        self.hint.setWordWrap(True)
        self.picker = OperatorPicker()
        self.back_button = button()
        self.technician_button = button()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.picker, 1)
        row = QHBoxLayout()
        row.addWidget(self.technician_button)
        row.addStretch(1)
        row.addWidget(self.back_button)
        layout.addLayout(row)

    def retranslate(self, language: Language) -> None:
        self.title.setText(self.tr("Supervisor"))
        self.hint.setText(self.tr("Touch your name, then enter your personal PIN."))
        self.back_button.setText(self.tr("Back"))
        self.technician_button.setText(self.tr("Technician"))
        self.picker.retranslate(language)
        keep_words_whole((self.back_button, self.technician_button))


class TrailPage(QWidget):
    """A code's passages here in the last 14 days, with a one-line summary."""

    def __init__(self, time_zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = Language.ZH
        self.title = title()
        self.summary_label = QLabel()
        self.summary_label.setFont(style.font(style.BODY_PT))
        self.summary_label.setWordWrap(True)
        self._time_zone = time_zone
        self.model = PassageTableModel(time_zone, self)
        self.table = passage_table(self.model)
        self.details_label = details_label(self.table)
        # Central's view of the area (online): the other checkpoints' passages, newest first.
        self.area_label = QLabel()
        self.area_label.setFont(style.font(style.BODY_PT))
        self.area_label.setWordWrap(True)
        self._area: TrailAnswer | None = None
        self._area_asked = False
        self.back_button = button()
        self.title.setWordWrap(True)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back_button)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.area_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details_label)

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.title.setText(self.tr("This code's last 14 days here"))
        self.back_button.setText(self.tr("Back"))
        keep_words_whole((self.back_button,))
        self.model.set_language(language)
        self.render_summary()
        self.render_area()

    def show_reading(self) -> None:
        self.model.clear()
        self.summary_label.setText(self.tr("Reading…"))
        self._area, self._area_asked = None, False
        self.render_area()

    def show_area(self, answer: TrailAnswer | None) -> None:
        """Central's answer for the area (None: offline, only this kiosk's records below)."""
        self._area, self._area_asked = answer, True
        self.render_area()

    def render_area(self) -> None:
        answer = self._area
        if not self._area_asked:
            self.area_label.setText(self.tr("Asking central for the area's records…"))
            return
        if answer is None:
            self.area_label.setText(self.tr("Offline: this kiosk's own records only"))
            return
        lines = [
            self.tr("In this area, last 14 days: %1 passages, %2 with fever")
            .replace("%1", str(len(answer.entries)))
            .replace("%2", str(sum(1 for e in answer.entries if e.fever)))
        ]
        zone = ZoneInfo(self._time_zone)
        for entry in answer.entries[:AREA_LINES]:
            when = entry.at.astimezone(zone).strftime("%m-%d %H:%M")
            temperature = (
                "" if entry.temperature_celsius is None else f" {entry.temperature_celsius:.1f}°C"
            )
            lines.append(f"{when}  {entry.checkpoint_name}{temperature}")
        self.area_label.setText("\n".join(lines))

    def show_rows(self, rows: list[LogRow]) -> None:
        self.model.set_rows(rows)
        self.render_summary()

    def render_summary(self) -> None:
        rows = self.model.rows
        if not rows:
            self.summary_label.setText("")
            return
        language = language_code(self._language)
        latest = rows[0]
        colour = latest.colour_applied.label.get(language) if latest.colour_applied else "—"
        fevers = sum(1 for r in rows if r.fever)
        self.summary_label.setText(
            self.tr("%1 · %2 · %3 passages here, %4 with fever")
            .replace("%1", latest.masked_name or "—")
            .replace("%2", colour)
            .replace("%3", str(len(rows)))
            .replace("%4", str(fevers))
        )


class SettingsPage(QWidget):
    """Sounds, voice and how long a result stays: shown from and read back into settings. The
    seconds change with big - and + keys (the spin box's own arrows are too small for gloves)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title()
        self.title.setWordWrap(True)
        box_px, row_px = style.GLOVE_TARGET_PX // 2, style.GLOVE_TARGET_PX
        self.mute_box = ToggleCheckBox(indicator_px=box_px, height_px=row_px)
        self.voice_box = ToggleCheckBox(indicator_px=box_px, height_px=row_px)
        for box in (self.mute_box, self.voice_box):
            box.setFont(style.font(style.BUTTON_PT))
        self.result_caption = QLabel()
        self.result_caption.setFont(style.font(style.BODY_PT))
        self.result_caption.setWordWrap(True)
        self.result_spin = QDoubleSpinBox()
        self.result_spin.setRange(MIN_RESULT_S, MAX_RESULT_S)
        self.result_spin.setSingleStep(0.5)
        self.result_spin.setDecimals(1)
        self.result_spin.setFont(style.font(style.BUTTON_PT))
        self.result_spin.setMinimumHeight(style.GLOVE_TARGET_PX)
        self.result_spin.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
        self.result_spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_spin.setMaximumWidth(240)
        self.less_button = button()
        self.more_button = button()
        self.less_button.setText("−")
        self.more_button.setText("+")
        self.less_button.clicked.connect(self.result_spin.stepDown)
        self.more_button.clicked.connect(self.result_spin.stepUp)
        self.save_button = button()
        self.back_button = button()
        form = QWidget()
        fields = QVBoxLayout(form)
        fields.addWidget(self.mute_box)
        fields.addWidget(self.voice_box)
        fields.addWidget(self.result_caption)
        seconds = QHBoxLayout()
        seconds.addWidget(self.less_button)
        seconds.addWidget(self.result_spin, 1)
        seconds.addWidget(self.more_button)
        seconds.addStretch(1)
        fields.addLayout(seconds)
        fields.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        row.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(touch_scroll(form), 1)
        layout.addLayout(row)  # Save and Back stay in sight

    def retranslate(self) -> None:
        self.title.setText(self.tr("Kiosk settings"))
        self.mute_box.setText(self.tr("Mute all sounds"))
        self.voice_box.setText(self.tr("Spoken prompts after the tone"))
        self.result_caption.setText(self.tr("Seconds a result stays on screen"))
        self.save_button.setText(self.tr("Save"))
        self.back_button.setText(self.tr("Back"))
        keep_words_whole((self.save_button, self.back_button, self.less_button, self.more_button))

    def show_settings(self, settings: KioskSettings) -> None:
        self.mute_box.setChecked(settings.muted)
        self.voice_box.setChecked(settings.voice)
        self.result_spin.setValue(settings.result_seconds)

    def chosen(self) -> KioskSettings:
        return KioskSettings(
            muted=self.mute_box.isChecked(),
            voice=self.voice_box.isChecked(),
            result_seconds=round(self.result_spin.value(), 1),
        )
