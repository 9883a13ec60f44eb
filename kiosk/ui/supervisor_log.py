"""The supervisor's passage log page: filters, the table, paging, the export buttons and the
export's progress. It draws what it is given and reports what was touched; the view decides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from healthcode.claims import Colour
from healthcode.text import LocalText
from kiosk.checkpoint.outcome import Outcome
from kiosk.sessions.supervisor import TimeRange
from kiosk.store import Operator, PassageRow
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.passage_table import PassageTableModel, language_code, passage_table
from kiosk.ui.supervisor_pages import button, title


class LogPage(QWidget):
    """The passage log: filters, the table, paging, export buttons and the export's progress."""

    filter_changed = Signal()

    def __init__(self, time_zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: dict[QComboBox, list[object]] = {}
        self._operators: list[Operator] = []
        self.title = title()
        self.supervisor_label = QLabel()
        self.supervisor_label.setFont(style.font(style.BODY_PT - 2))
        self.close_button = button()
        self.settings_button = button()
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(style.SPACING_PX)
        top.addWidget(self.supervisor_label)
        top.addStretch(1)
        top.addWidget(self.settings_button)
        top.addWidget(self.close_button)

        self.range_combo = self._combo()
        self.colour_combo = self._combo()
        self.outcome_combo = self._combo()
        self.fever_combo = self._combo()
        self.operator_combo = self._combo()
        self.filter_captions = [QLabel() for _ in range(5)]
        filters = QGridLayout()
        filters.setHorizontalSpacing(style.SPACING_PX)
        filters.setVerticalSpacing(2)
        for column, (caption, combo) in enumerate(
            zip(self.filter_captions, self._combos(), strict=True)
        ):
            caption.setFont(style.font(style.STATUS_PT))
            filters.addWidget(caption, 0, column)
            filters.addWidget(combo, 1, column)
            filters.setColumnStretch(column, 1)

        self.summary_label = QLabel()
        self.summary_label.setFont(style.font(style.BODY_PT - 2))
        self.model = PassageTableModel(time_zone, self)
        self.table = passage_table(self.model)
        self.more_button = button()
        self.trail_button = button()
        self.csv_button = button()
        self.xlsx_button = button()
        actions = QHBoxLayout()
        actions.setSpacing(style.SPACING_PX)
        for made in (self.more_button, self.trail_button):
            actions.addWidget(made)
        actions.addStretch(1)
        for made in (self.csv_button, self.xlsx_button):
            actions.addWidget(made)

        self.export_bar = QWidget()
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(48)
        self.progress.setFont(style.font(style.STATUS_PT))
        self.export_label = QLabel()
        self.export_label.setFont(style.font(style.BODY_PT - 4))
        self.export_label.setWordWrap(True)
        self.cancel_export_button = button()
        bar = QHBoxLayout(self.export_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.progress, 2)
        bar.addWidget(self.export_label, 3)
        bar.addWidget(self.cancel_export_button)
        self.export_bar.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.export_bar)
        layout.addLayout(actions)

    def _combos(self) -> tuple[QComboBox, ...]:
        return (
            self.range_combo,
            self.colour_combo,
            self.outcome_combo,
            self.fever_combo,
            self.operator_combo,
        )

    def _combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setView(QListView())
        combo.setFont(style.font(style.BODY_PT - 2))
        combo.setMinimumHeight(style.TOUCH_TARGET_PX - 16)
        combo.setMinimumWidth(style.TOUCH_TARGET_PX * 2)
        combo.setStyleSheet(
            "QComboBox { background: #FFFFFF; border: 2px solid #90A4AE; border-radius: 10px;"
            " padding: 4px 12px; }"
            " QComboBox::drop-down { width: 48px; border: none; }"
            f" QComboBox QAbstractItemView::item {{ min-height: {style.TOUCH_TARGET_PX - 24}px; }}"
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
        values = (time_range, colour, outcome, fever, operator_id)
        for combo, value in zip(self._combos(), values, strict=True):
            self._select(combo, value)

    def chosen(self) -> dict[str, Any]:
        """The filters as set, as keyword arguments of `SupervisorSession.log_filter`."""
        return {
            "time_range": TimeRange(self._value(self.range_combo) or TimeRange.TODAY),
            "colour": self._value(self.colour_combo),
            "outcome": self._value(self.outcome_combo),
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
        outcomes: list[tuple[str, object]] = [(anything, None)]
        outcomes += [(o.label.get(code), o) for o in Outcome]
        fevers: list[tuple[str, object]] = [
            (anything, None),
            (LocalText("发热", "Fever").get(code), True),
            (LocalText("体温正常", "No fever").get(code), False),
        ]
        filled: list[tuple[QComboBox, Sequence[tuple[str, object]]]] = [
            (self.range_combo, ranges),
            (self.colour_combo, colours),
            (self.outcome_combo, outcomes),
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
        captions = [self.tr("Time"), self.tr("Colour"), self.tr("Outcome"), self.tr("Fever")]
        for label, text in zip(self.filter_captions, [*captions, self.tr("Operator")], strict=True):
            label.setText(text)
        self._fill_combos(language)
        self.more_button.setText(self.tr("Load more"))
        self.trail_button.setText(self.tr("14-day trail"))
        self.csv_button.setText(self.tr("Export CSV"))
        self.xlsx_button.setText(self.tr("Export XLSX"))
        self.cancel_export_button.setText(self.tr("Cancel"))
        self.model.set_language(language)

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
        self.export_label.setText(self.tr("Exporting…"))
        self.cancel_export_button.setVisible(True)
        self.cancel_export_button.setEnabled(True)
        self.export_bar.setVisible(True)

    def export_progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.export_label.setText(
            self.tr("Exporting… %1 of %2 rows").replace("%1", str(done)).replace("%2", str(total))
        )

    def export_ended(self, result: str, rows: int, path: Path) -> None:
        self.cancel_export_button.setVisible(False)
        if result == "done":
            self.progress.setRange(0, max(rows, 1))
            self.progress.setValue(max(rows, 1))
            self.export_label.setText(
                self.tr("Exported %1 rows to %2").replace("%1", str(rows)).replace("%2", str(path))
            )
        elif result == "cancelled":
            self.export_label.setText(self.tr("Export cancelled; no file was written."))
        else:
            self.export_label.setText(self.tr("Export failed; no file was written."))
