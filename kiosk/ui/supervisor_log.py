"""The supervisor's passage log page: filters, the table, paging, the export buttons and the
export's progress. It draws what it is given and reports what was touched; the view decides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from healthcode.claims import Colour
from healthcode.text import LocalText
from kiosk.checkpoint.outcome import Outcome
from kiosk.sessions.supervisor import TimeRange
from kiosk.store import Operator, PassageRow
from kiosk.ui import style
from kiosk.ui.fitting import drag_to_scroll, keep_words_whole
from kiosk.ui.i18n import Language
from kiosk.ui.passage_table import (
    PassageTableModel,
    details_label,
    language_code,
    passage_table,
)
from kiosk.ui.supervisor_pages import button, title
from kiosk.ui.toggle import ToggleButton

_GAP_PX = 8
_PANEL_PX = 420  # two touch buttons side by side, and room for a scroll bar
_PORTRAIT_PANEL_PX = 600
_SCROLL_BAR_PX = 36
_PROGRESS_PX = 140  # the export's bar: room for its per cent
_UNLIMITED = 16_777_215  # Qt's QWIDGETSIZE_MAX
_PANEL_STYLE = (
    "QScrollArea { background: transparent; }"
    f" QScrollBar:vertical {{ width: {_SCROLL_BAR_PX}px; }}"
)
# Buttons here are narrower than elsewhere (two to a column) and a little lower: 72 px inside
# the style's padding and frame, 92 px in all, about 15.5 mm on a 10.1" 1280x800 panel.
_INNER_PX = style.GLOVE_TARGET_PX - 18
_NARROW = (
    f" QPushButton {{ min-width: 110px; min-height: {_INNER_PX}px;"
    f" font-size: {style.BUTTON_PT - 5}pt; padding-left: 6px; padding-right: 6px; }}"
)
# A toggle's frame and padding stay the style's, so choosing one moves nothing.
_NARROW_TOGGLE = (
    f" QPushButton {{ min-width: 110px; min-height: {_INNER_PX}px;"
    f" font-size: {style.BUTTON_PT - 5}pt; }}"
)


def breakable(path: str) -> str:
    """A path that may wrap after a slash, a dash or an underscore (a zero-width space)."""
    for mark in "/-_":
        path = path.replace(mark, mark + "\u200b")
    return path


class LogPage(QWidget):
    """The passage log: the table fills the screen's height; beside it (below it on a portrait
    panel) the filters, outcome toggles, paging, export buttons and the export's progress."""

    filter_changed = Signal()

    def __init__(self, time_zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: dict[QComboBox, list[object]] = {}
        self._operators: list[Operator] = []
        self._portrait: bool | None = None
        self.title = title()
        self.title.setFont(style.font(style.BODY_PT + 2, bold=True))
        self.title.setWordWrap(True)
        self.supervisor_label = QLabel()
        self.supervisor_label.setFont(style.font(style.STATUS_PT + 2))
        self.supervisor_label.setWordWrap(True)
        self.close_button = button()
        self.settings_button = button()
        self.heading = QWidget()
        top = QHBoxLayout(self.heading)
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(_GAP_PX)
        top.addWidget(self.title, 1)
        top.addWidget(self.settings_button)
        top.addWidget(self.close_button)

        self.range_combo = self._combo()
        self.colour_combo = self._combo()
        self.fever_combo = self._combo()
        self.operator_combo = self._combo()
        self.filter_captions = [QLabel() for _ in range(4)]
        self.filter_boxes: list[QWidget] = []
        for caption, combo in zip(self.filter_captions, self._combos(), strict=True):
            caption.setFont(style.font(style.STATUS_PT))
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(caption)
            column.addWidget(combo)
            self.filter_boxes.append(box)
        self.outcome_caption = QLabel()
        self.outcome_caption.setFont(style.font(style.STATUS_PT))
        self.outcome_buttons: dict[Outcome, ToggleButton] = {}
        for outcome in Outcome:
            toggle = ToggleButton()
            toggle.setStyleSheet(style.TOGGLE_STYLE + _NARROW_TOGGLE)
            toggle.clicked.connect(lambda checked, o=outcome: self._outcome_touched(o, checked))
            self.outcome_buttons[outcome] = toggle

        self.summary_label = QLabel()
        self.summary_label.setFont(style.font(style.STATUS_PT + 2))
        self.summary_label.setWordWrap(True)
        self.model = PassageTableModel(time_zone, self)
        self.table = passage_table(self.model)
        self.details_label = details_label(self.table)
        self._export_shown: tuple[str, int, int, Path | None] | None = None
        self.more_button = button()
        self.trail_button = button()
        self.csv_button = button()
        self.xlsx_button = button()
        for made in self._buttons():
            made.setStyleSheet(style.BUTTON_STYLE + _NARROW)

        self.export_bar = QWidget()
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(48)
        self.progress.setFont(style.font(style.STATUS_PT))
        self.export_label = QLabel()
        self.export_label.setFont(style.font(style.BODY_PT - 4))
        self.export_label.setWordWrap(True)
        # a long folder path must not widen the page past a portrait screen: it wraps instead
        self.export_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cancel_export_button = button()
        self.cancel_export_button.setStyleSheet(style.BUTTON_STYLE + _NARROW)
        self.progress.setMinimumWidth(_PROGRESS_PX)
        bar = QHBoxLayout(self.export_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.progress, 2)
        bar.addWidget(self.export_label, 3)
        bar.addWidget(self.cancel_export_button)
        self.export_bar.setVisible(False)

        self.controls = QWidget()
        self._grid = QGridLayout(self.controls)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(_GAP_PX)
        self._grid.setVerticalSpacing(_GAP_PX - 2)
        self.panel = QScrollArea()  # a small panel (1024x600) scrolls; nothing is cut off
        self.panel.setWidget(self.controls)
        self.panel.setWidgetResizable(True)
        self.panel.setFrameShape(QFrame.Shape.NoFrame)
        self.panel.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel.setStyleSheet(_PANEL_STYLE)
        self.panel.verticalScrollBar().setSingleStep(style.GLOVE_TARGET_PX)
        drag_to_scroll(self.panel.viewport())
        # Settings and Close stay in sight above the controls, which may scroll.
        self.side = QWidget()
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(_GAP_PX)
        side.addWidget(self.heading)
        side.addWidget(self.panel, 1)
        table_side = QVBoxLayout()
        table_side.setContentsMargins(0, 0, 0, 0)
        table_side.addWidget(self.table, 1)
        table_side.addWidget(self.details_label)
        table_side.addWidget(self.export_bar)
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(_GAP_PX)
        self._layout.addLayout(table_side, 1)
        self._layout.addWidget(self.side)
        self._arrange(portrait=False)

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (self.settings_button, self.close_button, *self._actions())

    def _actions(self) -> list[QPushButton]:
        return [self.more_button, self.trail_button, self.csv_button, self.xlsx_button]

    def _arrange(self, portrait: bool) -> None:
        """Landscape: the controls in two columns beside the table. Portrait: four columns above
        it. Either way the table keeps the rest of the screen (twelve rows at 1280x800)."""
        if portrait == self._portrait:
            return
        self._portrait = portrait
        grid = self._grid
        while grid.count():
            grid.takeAt(0)
        columns = 4 if portrait else 2
        toggles = list(self.outcome_buttons.values())
        actions = self._actions()
        cells: list[list[QWidget]] = [[self.supervisor_label]]
        if portrait:
            cells += [self.filter_boxes, [self.outcome_caption], toggles[:2], toggles[2:]]
            cells += [actions]
            cells += [[self.summary_label]]
        else:
            cells += [self.filter_boxes[:2], self.filter_boxes[2:], [self.outcome_caption]]
            cells += [toggles[:2], toggles[2:], [self.summary_label], actions[:2], actions[2:]]
        row = 0
        for line in cells:
            span = columns // len(line)  # a toggle's words in English need two columns
            for index, widget in enumerate(line):
                grid.addWidget(widget, row, index * span, 1, span)
            row += 1
        grid.setRowStretch(row, 1)
        for column in range(4):
            grid.setColumnStretch(column, 1 if column < columns else 0)
        self._layout.setDirection(
            QBoxLayout.Direction.BottomToTop if portrait else QBoxLayout.Direction.LeftToRight
        )
        if portrait:
            self.side.setMinimumWidth(0)
            self.side.setMaximumWidth(_UNLIMITED)
            grid.activate()
            self.panel.setFixedHeight(min(self.controls.sizeHint().height(), _PORTRAIT_PANEL_PX))
        else:
            self.panel.setMinimumHeight(0)
            self.panel.setMaximumHeight(_UNLIMITED)
        self._fit_panel()

    def _fit_panel(self) -> None:
        """Beside the table, the panel is as wide as its widest words and a scroll bar."""
        if self._portrait:
            return
        self.controls.ensurePolished()  # the style sheet's fonts decide the words' widths
        self._grid.activate()
        needed = self.controls.minimumSizeHint().width() + _SCROLL_BAR_PX + 2
        needed = max(needed, self.heading.minimumSizeHint().width())
        self.side.setFixedWidth(max(_PANEL_PX, needed))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange(portrait=event.size().height() > event.size().width())
        self._fit_panel()
        super().resizeEvent(event)

    def _outcome_touched(self, outcome: Outcome, checked: bool) -> None:
        """One outcome at a time; touching the chosen one again shows every outcome."""
        for other, toggle in self.outcome_buttons.items():
            if other is not outcome:
                toggle.setChecked(False)
        self.outcome_buttons[outcome].setChecked(checked)
        self.filter_changed.emit()

    def _combos(self) -> tuple[QComboBox, ...]:
        return (self.range_combo, self.colour_combo, self.fever_combo, self.operator_combo)

    def _combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setView(QListView())
        combo.setFont(style.font(style.BODY_PT - 2))
        combo.setMinimumHeight(style.GLOVE_TARGET_PX)
        combo.setMinimumWidth(120)
        combo.setStyleSheet(
            "QComboBox { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
            " padding: 4px 12px; }"
            " QComboBox::drop-down { width: 48px; border: none; }"
            f" QComboBox QAbstractItemView::item {{ min-height: {style.GLOVE_TARGET_PX}px; }}"
        )
        combo.currentIndexChanged.connect(lambda *_: self.filter_changed.emit())
        return combo

    # ------------------------------------------------------------ filters

    def select(
        self,
        time_range: TimeRange,
        colour: Colour | None,
        outcome: Outcome | None,
        fever: bool | None,
        operator_id: str | None,
    ) -> None:
        """Set every filter control at once, without a `filter_changed`."""
        values = (time_range, colour, fever, operator_id)
        for combo, value in zip(self._combos(), values, strict=True):
            self._select(combo, value)
        for choice, toggle in self.outcome_buttons.items():
            toggle.setChecked(choice is outcome)

    def chosen(self) -> dict[str, Any]:
        """The filters as set, as keyword arguments of `SupervisorSession.log_filter`."""
        return {
            "time_range": TimeRange(self._value(self.range_combo) or TimeRange.TODAY),
            "colour": self._value(self.colour_combo),
            "outcome": next((o for o, t in self.outcome_buttons.items() if t.isChecked()), None),
            "fever": self._value(self.fever_combo),
            "operator_id": self._value(self.operator_combo),
        }

    def show_operators(self, operators: list[Operator]) -> None:
        self._operators = list(operators)
        items: list[tuple[str, object]] = [(self.tr("All"), None)]
        items += [(o.display_name, o.operator_id) for o in self._operators]
        self._refill(self.operator_combo, items)

    def _fill_combos(self, language: Language) -> None:
        code = language_code(language)
        ranges = [
            (self.tr("Today"), TimeRange.TODAY),
            (self.tr("Last 24 hours"), TimeRange.DAY),
            (self.tr("Last 7 days"), TimeRange.WEEK),
            (self.tr("Last 14 days"), TimeRange.FORTNIGHT),
            (self.tr("All days"), TimeRange.ALL),
        ]
        anything = self.tr("All")
        colours: list[tuple[str, object]] = [(anything, None)]
        colours += [(c.label.get(code), c) for c in Colour]
        for outcome, toggle in self.outcome_buttons.items():
            toggle.setText(outcome.label.get(code))
        fevers: list[tuple[str, object]] = [
            (anything, None),
            (LocalText("发热", "Fever").get(code), True),
            (LocalText("体温正常", "No fever").get(code), False),
        ]
        filled: list[tuple[QComboBox, Sequence[tuple[str, object]]]] = [
            (self.range_combo, ranges),
            (self.colour_combo, colours),
            (self.fever_combo, fevers),
        ]
        for combo, items in filled:
            self._refill(combo, items)
        self.show_operators(self._operators)

    def _refill(self, combo: QComboBox, items: Sequence[tuple[str, object]]) -> None:
        """Replace a combo's items, keeping the chosen value if it is still there. The values
        are kept here, not in Qt, so they stay Python objects."""
        current = self._value(combo)
        self._choices[combo] = [value for _, value in items]
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([text for text, _ in items])
        combo.blockSignals(False)
        self._select(combo, current)

    def _value(self, combo: QComboBox) -> Any:
        values = self._choices.get(combo, [])
        index = combo.currentIndex()
        return values[index] if 0 <= index < len(values) else None

    def _select(self, combo: QComboBox, value: object) -> None:
        values = self._choices.get(combo, [])
        combo.blockSignals(True)
        combo.setCurrentIndex(values.index(value) if value in values else 0)
        combo.blockSignals(False)

    # ------------------------------------------------------------ showing

    def retranslate(self, language: Language) -> None:
        self.title.setText(self.tr("Passage log"))
        self.close_button.setText(self.tr("Close"))
        self.settings_button.setText(self.tr("Settings"))
        captions = [self.tr("Time"), self.tr("Colour"), self.tr("Fever"), self.tr("Operator")]
        for label, text in zip(self.filter_captions, captions, strict=True):
            label.setText(text)
        self.outcome_caption.setText(self.tr("Outcome (touch again for all)"))
        self._fill_combos(language)
        self.more_button.setText(self.tr("Load more"))
        self.trail_button.setText(self.tr("14-day trail"))
        self.csv_button.setText(self.tr("Export CSV"))
        self.xlsx_button.setText(self.tr("Export XLSX"))
        self.cancel_export_button.setText(self.tr("Cancel"))
        toggles = self.outcome_buttons.values()
        keep_words_whole((*self._buttons(), *toggles, self.cancel_export_button))
        self.model.set_language(language)
        self._render_export()
        self._fit_panel()

    def show_supervisor(self, name: str) -> None:
        self.supervisor_label.setText(self.tr("Supervisor: %1").replace("%1", name) if name else "")

    def show_reading(self) -> None:
        self.summary_label.setText(self.tr("Reading…"))

    def show_failed(self) -> None:
        self.summary_label.setText(self.tr("The passage log could not be read."))

    def show_summary(self, unlocked: bool, total: int) -> None:
        shown = self.model.rowCount()
        if not unlocked:
            self.summary_label.setText("")
        elif shown == 0:
            self.summary_label.setText(self.tr("No passages match these filters."))
        else:
            self.summary_label.setText(
                self.tr("Showing %1 of %2 passages, newest first")
                .replace("%1", str(shown))
                .replace("%2", str(total))
            )

    def selected(self) -> PassageRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # ------------------------------------------------------------ export

    def export_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.setValue(0)
        self._export_shown = ("started", 0, 0, None)
        self._render_export()
        self.cancel_export_button.setVisible(True)
        self.cancel_export_button.setEnabled(True)
        self.export_bar.setVisible(True)

    def export_progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self._export_shown = ("progressed", done, total, None)
        self._render_export()

    def export_ended(self, result: str, rows: int, path: Path) -> None:
        self.cancel_export_button.setVisible(False)
        if result == "done":
            self.progress.setRange(0, max(rows, 1))
            self.progress.setValue(max(rows, 1))
        self._export_shown = (result, rows, 0, path)
        self._render_export()

    def _render_export(self) -> None:
        """The export's words in the language shown now (kept as what happened, not as text,
        so a language switch says it again)."""
        if self._export_shown is None:
            return
        what, rows, total, path = self._export_shown
        if what == "started":
            text = self.tr("Exporting…")
        elif what == "progressed":
            text = self.tr("Exporting… %1 of %2 rows")
            text = text.replace("%1", str(rows)).replace("%2", str(total))
        elif what == "done":
            text = (
                self.tr("Exported %1 rows to %2")
                .replace("%1", str(rows))
                .replace("%2", breakable(str(path)))
            )
        elif what == "cancelled":
            text = self.tr("Export cancelled; no file was written.")
        else:
            text = self.tr("Export failed; no file was written.")
        self.export_label.setText(text)
