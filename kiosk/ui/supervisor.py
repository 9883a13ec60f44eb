"""The supervisor's view, behind a personal PIN: the passage log filtered by time, colour,
outcome, fever and operator, a code's 14-day trail, and CSV/XLSX exports with a progress bar.

Every read of the store and every export runs off the GUI thread; results come back queued.
Every view, trail and export is written to the audit log with the supervisor, a summary of the
filter and the row count, never a name, ID number, plate or code id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from healthcode.claims import Colour
from healthcode.text import LocalText
from kiosk.checkpoint.access import SUPERVISOR_ROLES, AccessResult
from kiosk.checkpoint.clock import day_start_utc, local_day
from kiosk.checkpoint.outcome import Outcome
from kiosk.export import (
    NO,
    YES,
    ExportCancelledError,
    ExportFormat,
    ExportOptions,
    LogPages,
    default_file_name,
    export_rows,
    log_rows,
)
from kiosk.settings import MAX_RESULT_S, MIN_RESULT_S, KioskSettings
from kiosk.settings import META_KEY as SETTINGS_KEY
from kiosk.store import LogFilter, PassageRow, Store
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.i18n import Language
from kiosk.ui.pinpad import AccessGate, PinPad
from kiosk.ui.signin import OperatorPicker

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SUPERVISOR = "supervisor"
PAGE_ROWS = 50
IDLE_TIMEOUT_S = 180
TABLE_PT = style.BODY_PT - 4
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def language_code(language: Language) -> Literal["zh", "en"]:
    return "en" if language is Language.EN else "zh"


_LOG_PAGE = 2
_SETTINGS_PAGE = 4


class TimeRange(StrEnum):
    TODAY = "today"
    DAY = "24h"
    WEEK = "7d"
    FORTNIGHT = "14d"
    ALL = "all"


def time_bounds(
    choice: TimeRange, now: datetime, time_zone: str
) -> tuple[datetime | None, datetime | None]:
    """From and to (UTC) for a time range ending now; days are the checkpoint's days. "All"
    still starts somewhere (the epoch) so that the store orders by time, not by sequence."""
    if choice is TimeRange.ALL:
        return EPOCH, None
    if choice is TimeRange.TODAY:
        return day_start_utc(local_day(now, time_zone), time_zone), None
    days = {TimeRange.DAY: 1, TimeRange.WEEK: 7, TimeRange.FORTNIGHT: 14}[choice]
    return now - timedelta(days=days), None


def filter_summary(where: LogFilter) -> dict[str, Any]:
    """The filter as the audit log keeps it: only what was chosen, nothing personal."""
    summary: dict[str, Any] = {}
    if where.from_utc is not None:
        summary["from"] = where.from_utc.isoformat()
    if where.to_utc is not None:
        summary["to"] = where.to_utc.isoformat()
    if where.colour is not None:
        summary["colour"] = where.colour.value
    if where.outcome is not None:
        summary["outcome"] = where.outcome.value
    if where.fever is not None:
        summary["fever"] = where.fever
    if where.operator_id is not None:
        summary["operator"] = where.operator_id
    return summary


class PassageTableModel(QAbstractTableModel):
    """The rows handed to it, newest first; nothing is read here."""

    COLUMNS = 7

    def __init__(self, time_zone: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo(time_zone)
        self._rows: list[PassageRow] = []
        self._language = Language.ZH
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------ contents

    def set_rows(self, rows: list[PassageRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[PassageRow]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, index: int) -> PassageRow:
        return self._rows[index]

    @property
    def rows(self) -> list[PassageRow]:
        return list(self._rows)

    def set_language(self, language: Language) -> None:
        self._language = language
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMNS - 1)
        if self._rows:
            last = self.index(len(self._rows) - 1, self.COLUMNS - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def set_operator_names(self, names: dict[str, str]) -> None:
        self._names = dict(names)

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else self.COLUMNS

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            return style.font(TABLE_PT, bold=True)
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        titles = [
            self.tr("Time"),
            self.tr("Outcome"),
            self.tr("Colour"),
            self.tr("Name"),
            self.tr("Temp."),
            self.tr("Fever"),
            self.tr("Operator"),
        ]
        return titles[section] if 0 <= section < len(titles) else None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.FontRole:
            return style.font(TABLE_PT, bold=column == 1)
        look = style.OUTCOME_LOOKS[row.outcome]
        if column == 1 and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(look.background))
        if column == 1 and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(look.foreground))
        if column == 5 and row.fever and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.STATUS_BAD))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (4, 5):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def text(self, row: PassageRow, column: int) -> str:
        language = language_code(self._language)
        if column == 0:
            return row.at_utc.astimezone(self._zone).strftime("%m-%d %H:%M:%S")
        if column == 1:
            return f"{style.OUTCOME_LOOKS[row.outcome].glyph} {row.outcome.label.get(language)}"
        if column == 2:
            return row.colour_applied.label.get(language) if row.colour_applied else "—"
        if column == 3:
            return row.masked_name or "—"
        if column == 4:
            return "—" if row.temperature_celsius is None else f"{row.temperature_celsius:.1f}"
        if column == 5:
            return (YES if row.fever else NO).get(language)
        if column == 6:
            operator = row.operator_id or ""
            return self._names.get(operator, operator) or "—"
        return ""


class _Relay(QObject):
    """Export progress from the worker thread, delivered queued on the GUI thread."""

    progressed = Signal(int, int)


@dataclass
class _Export:
    export_format: ExportFormat
    where: LogFilter
    path: Path
    operator_id: str
    cancel: threading.Event = field(default_factory=threading.Event)


class SupervisorView(QWidget):
    """Put it in the main window's stack; call `start()` when showing it. It asks for a
    supervisor's PIN itself (roles in `roles`), and locks again on `lock()`, on Close and
    after `idle_timeout_s` without a touch."""

    closed = Signal()
    technician_requested = Signal()  # the technician's screen (its own PIN)
    unlocked = Signal(str)  # supervisor's operator id
    log_loaded = Signal(int)  # rows now shown (after every page)
    trail_loaded = Signal(int)  # rows in the trail
    export_finished = Signal(str, str, int)  # result ("done", "cancelled", "failed"), path, rows
    settings_changed = Signal(object)  # KioskSettings, already saved and audited

    def __init__(
        self,
        store: Store,
        gate: AccessGate,
        clock: Clock,
        *,
        export_dir: Path,
        parent: QWidget | None = None,
        language: Language = Language.ZH,
        page_rows: int = PAGE_ROWS,
        idle_timeout_s: int = IDLE_TIMEOUT_S,
        roles: frozenset[str] = SUPERVISOR_ROLES,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._gate = gate
        self._clock = clock
        self._export_dir = export_dir
        self._language = language
        self._page_rows = page_rows
        self._roles = roles
        self._operator: str | None = None
        self._choosing: str | None = None
        self._where = LogFilter()
        self._pages: LogPages | None = None
        self._generation = 0
        self._pages_read = 0
        self._total = 0
        self._loading = False
        self._export: _Export | None = None
        self._choices: dict[QComboBox, list[object]] = {}
        self._background = Background(self, threads=2)
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._shut_down = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_timeout_s * 1000)
        self._idle.timeout.connect(self._on_idle)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_names_page())
        self.pages.addWidget(self._build_pin_page())
        self.pages.addWidget(self._build_log_page())
        self.pages.addWidget(self._build_trail_page())
        self.pages.addWidget(self._build_settings_page())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(style.SPACING_PX, style.SPACING_PX, style.SPACING_PX, 8)
        outer.addWidget(self.pages)

        gate.roster_loaded.connect(self._show_supervisors)
        gate.checked.connect(self._on_checked)
        self.retranslate(language)

    # ------------------------------------------------------------ building

    @staticmethod
    def _button() -> QPushButton:
        button = QPushButton()
        button.setStyleSheet(style.BUTTON_STYLE)
        return button

    @staticmethod
    def _title() -> QLabel:
        label = QLabel()
        label.setFont(style.font(style.PROMPT_PT - 12, bold=True))
        return label

    def _build_names_page(self) -> QWidget:
        page = QWidget()
        self.names_title = self._title()
        self.names_hint = QLabel()
        self.names_hint.setFont(style.font(style.BODY_PT))
        self.names_hint.setWordWrap(True)
        self.picker = OperatorPicker()
        self.picker.picked.connect(self._pick)
        self.names_back = self._button()
        self.names_back.clicked.connect(self.close_view)
        self.technician_button = self._button()
        self.technician_button.clicked.connect(self.technician_requested)
        layout = QVBoxLayout(page)
        layout.addWidget(self.names_title)
        layout.addWidget(self.names_hint)
        layout.addWidget(self.picker, 1)
        row = QHBoxLayout()
        row.addWidget(self.technician_button)
        row.addStretch(1)
        row.addWidget(self.names_back)
        layout.addLayout(row)
        return page

    def _build_pin_page(self) -> QWidget:
        page = QWidget()
        self.pad = PinPad(self._clock, language=self._language)
        self.pad.setMaximumWidth(560)
        self.pad.entered.connect(self._entered)
        self.pad.cancelled.connect(self._show_names_page)
        layout = QHBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.pad, 2)
        layout.addStretch(1)
        return page

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
        combo.currentIndexChanged.connect(self._filter_changed)
        return combo

    def _build_log_page(self) -> QWidget:
        page = QWidget()
        self.log_title = self._title()
        self.supervisor_label = QLabel()
        self.supervisor_label.setFont(style.font(style.BODY_PT - 2))
        self.close_button = self._button()
        self.close_button.clicked.connect(self.close_view)
        self.settings_button = self._button()
        self.settings_button.clicked.connect(self.open_settings)
        top = QHBoxLayout()
        top.addWidget(self.log_title)
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
        combos = (
            self.range_combo,
            self.colour_combo,
            self.outcome_combo,
            self.fever_combo,
            self.operator_combo,
        )
        for column, (caption, combo) in enumerate(zip(self.filter_captions, combos, strict=True)):
            caption.setFont(style.font(style.STATUS_PT))
            filters.addWidget(caption, 0, column)
            filters.addWidget(combo, 1, column)
            filters.setColumnStretch(column, 1)

        self.summary_label = QLabel()
        self.summary_label.setFont(style.font(style.BODY_PT - 2))
        self.model = PassageTableModel(self._store.time_zone, self)
        self.table = self._table(self.model)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.open_trail())

        self.more_button = self._button()
        self.more_button.clicked.connect(self.load_more)
        self.trail_button = self._button()
        self.trail_button.clicked.connect(lambda: self.open_trail())
        self.csv_button = self._button()
        self.csv_button.clicked.connect(lambda: self.export(ExportFormat.CSV))
        self.xlsx_button = self._button()
        self.xlsx_button.clicked.connect(lambda: self.export(ExportFormat.XLSX))
        actions = QHBoxLayout()
        actions.setSpacing(style.SPACING_PX)
        for button in (self.more_button, self.trail_button):
            actions.addWidget(button)
        actions.addStretch(1)
        for button in (self.csv_button, self.xlsx_button):
            actions.addWidget(button)

        self.export_bar = QWidget()
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(48)
        self.progress.setFont(style.font(style.STATUS_PT))
        self.export_label = QLabel()
        self.export_label.setFont(style.font(style.BODY_PT - 4))
        self.export_label.setWordWrap(True)
        self.cancel_export_button = self._button()
        self.cancel_export_button.clicked.connect(self.cancel_export)
        bar = QHBoxLayout(self.export_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.progress, 2)
        bar.addWidget(self.export_label, 3)
        bar.addWidget(self.cancel_export_button)
        self.export_bar.setVisible(False)

        layout = QVBoxLayout(page)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.export_bar)
        layout.addLayout(actions)
        return page

    def _table(self, model: PassageTableModel) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(56)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setMinimumHeight(48)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setStyleSheet(
            "QTableView { background: #FFFFFF; gridline-color: #CFD8DC;"
            " selection-background-color: #BBDEFB; selection-color: #1A1A1A; }"
            " QScrollBar:vertical { width: 36px; }"
        )
        return table

    def _build_trail_page(self) -> QWidget:
        page = QWidget()
        self.trail_title = self._title()
        self.trail_summary = QLabel()
        self.trail_summary.setFont(style.font(style.BODY_PT))
        self.trail_summary.setWordWrap(True)
        self.trail_model = PassageTableModel(self._store.time_zone, self)
        self.trail_table = self._table(self.trail_model)
        self.trail_back = self._button()
        self.trail_back.clicked.connect(self._show_log_page)
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addWidget(self.trail_title)
        top.addStretch(1)
        top.addWidget(self.trail_back)
        layout.addLayout(top)
        layout.addWidget(self.trail_summary)
        layout.addWidget(self.trail_table, 1)
        return page

    # ------------------------------------------------------------ public

    @property
    def operator_id(self) -> str | None:
        """The supervisor who unlocked the view, or None while locked."""
        return self._operator

    @property
    def current_filter(self) -> LogFilter:
        return self._where

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def start(self) -> None:
        """Lock and ask who the supervisor is (reloading the roster): call when shown."""
        self.lock()
        self._gate.load()

    def lock(self) -> None:
        """Forget the supervisor and take every row off the screen."""
        if self._operator is not None:
            self._gate.audit(self._operator, "supervisor_close", {})
        self._operator = None
        self._generation += 1
        self._pages = None
        self.model.clear()
        self.trail_model.clear()
        self._idle.stop()
        self._show_names_page()

    def close_view(self) -> None:
        self.cancel_export()
        self.lock()
        self.closed.emit()

    def unlock(self, operator_id: str, pin: str) -> None:
        """Check a supervisor's PIN as if typed on the pad (`unlocked` follows if right)."""
        self._pick(operator_id)
        self._entered(pin)

    def apply_filter(
        self,
        time_range: TimeRange = TimeRange.TODAY,
        *,
        colour: Colour | None = None,
        outcome: Outcome | None = None,
        fever: bool | None = None,
        operator_id: str | None = None,
    ) -> None:
        """Set every filter control at once and show the first page."""
        combos: list[tuple[QComboBox, object]] = [
            (self.range_combo, time_range),
            (self.colour_combo, colour),
            (self.outcome_combo, outcome),
            (self.fever_combo, fever),
            (self.operator_combo, operator_id),
        ]
        for combo, value in combos:
            self._select(combo, value)
        self.refresh()

    def refresh(self) -> None:
        """Read the first page for the filters as set (a view, audited)."""
        if self._operator is None:
            return
        self._touch()
        self._where = self._filter_from_controls()
        self._generation += 1
        generation, where = self._generation, self._where
        self._pages = LogPages(self._store, where, self._page_rows)
        pages = self._pages
        self._pages_read = 0
        self._set_loading(True)

        def read() -> tuple[list[PassageRow], int]:
            return pages.next_page(), self._store.passages.log_count(where)

        self._background.run(read, lambda got: self._on_first_page(generation, got), self._failed)

    def load_more(self) -> None:
        if self._operator is None or self._pages is None or self._loading:
            return
        if self._pages.exhausted:
            return
        self._touch()
        generation, pages = self._generation, self._pages
        self._set_loading(True)
        self._background.run(
            pages.next_page, lambda rows: self._on_more(generation, rows), self._failed
        )

    def open_trail(self, row: int | None = None) -> None:
        """Open the 14-day trail of the selected passage's code (or of row `row`)."""
        if self._operator is None:
            return
        if row is None:
            selected = self.table.selectionModel().selectedRows()
            if not selected:
                return
            row = selected[0].row()
        passage = self.model.row_at(row)
        if passage.issuer is None or passage.code_id is None:
            return
        self._touch()
        issuer, code_id, now = passage.issuer, passage.code_id, self._clock()
        generation = self._generation
        operator = self._operator
        self.trail_model.clear()
        self.trail_summary.setText(self.tr("Reading…"))
        self.pages.setCurrentIndex(3)

        def done(rows: list[PassageRow]) -> None:
            if generation != self._generation:
                return
            self.trail_model.set_rows(rows)
            self._render_trail_summary()
            self._gate.audit(
                operator, "trail_view", {"passage_seq": passage.seq, "rows": len(rows)}
            )
            self.trail_loaded.emit(len(rows))

        self._background.run(
            lambda: self._store.passages.trail(issuer, code_id, now), done, self._failed
        )

    def export(self, export_format: ExportFormat) -> None:
        """Export every row of the current filter (not only those loaded) into `export_dir`."""
        if self._operator is None or self._export is not None:
            return
        self._touch()
        path = self._export_dir / default_file_name(self._clock(), export_format)
        job = _Export(export_format, self._where, path, self._operator)
        self._export = job
        options = ExportOptions(
            language=language_code(self._language),
            time_zone=self._store.time_zone,
            operator_names=self._gate.operator_names(),
        )
        relay, store = self._relay, self._store

        def work() -> int:
            total = store.passages.log_count(job.where)
            return export_rows(
                log_rows(store, job.where),
                job.path,
                job.export_format,
                total=total,
                options=options,
                progress=relay.progressed.emit,
                cancelled=job.cancel.is_set,
            )

        self.progress.setRange(0, 0)
        self.progress.setValue(0)
        self.export_label.setText(self.tr("Exporting…"))
        self.cancel_export_button.setVisible(True)
        self.cancel_export_button.setEnabled(True)
        self.export_bar.setVisible(True)
        self._render_buttons()
        self._background.run(
            work,
            lambda rows: self._export_ended(job, "done", int(rows)),
            lambda error: self._export_ended(
                job, "cancelled" if isinstance(error, ExportCancelledError) else "failed", 0, error
            ),
        )

    def cancel_export(self) -> None:
        if self._export is not None:
            self._export.cancel.set()
            self.cancel_export_button.setEnabled(False)

    def shutdown(self) -> None:
        """Stop the export, the idle lock and the workers (before the store closes): nothing
        of this view may touch the store afterwards."""
        self._idle.stop()
        if not self._shut_down:
            self._idle.timeout.disconnect(self._on_idle)
            self._shut_down = True
        self.cancel_export()
        self._background.shutdown()

    def _build_settings_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.settings_title = self._title()
        self.mute_box = QCheckBox()
        self.voice_box = QCheckBox()
        for box in (self.mute_box, self.voice_box):
            box.setFont(style.font(style.BUTTON_PT))
            box.setStyleSheet(
                f"QCheckBox::indicator {{ width: {style.TOUCH_TARGET_PX // 2}px;"
                f" height: {style.TOUCH_TARGET_PX // 2}px; }}"
                f" QCheckBox {{ min-height: {style.TOUCH_TARGET_PX}px; }}"
            )
        self.result_caption = QLabel()
        self.result_caption.setFont(style.font(style.BODY_PT))
        self.result_spin = QDoubleSpinBox()
        self.result_spin.setRange(MIN_RESULT_S, MAX_RESULT_S)
        self.result_spin.setSingleStep(0.5)
        self.result_spin.setDecimals(1)
        self.result_spin.setFont(style.font(style.BUTTON_PT))
        self.result_spin.setMinimumHeight(style.TOUCH_TARGET_PX)
        self.settings_save = self._button()
        self.settings_back = self._button()
        self.settings_save.clicked.connect(self.save_settings)
        self.settings_back.clicked.connect(lambda: self.pages.setCurrentIndex(_LOG_PAGE))
        layout.addWidget(self.settings_title)
        layout.addWidget(self.mute_box)
        layout.addWidget(self.voice_box)
        layout.addWidget(self.result_caption)
        layout.addWidget(self.result_spin)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.settings_save)
        row.addWidget(self.settings_back)
        layout.addLayout(row)
        return page

    def open_settings(self) -> None:
        """Behind the same PIN as the log: only an unlocked supervisor gets here."""
        if self._operator is None:
            return
        current = KioskSettings.from_json(self._store.meta.get(SETTINGS_KEY))
        self.mute_box.setChecked(current.muted)
        self.voice_box.setChecked(current.voice)
        self.result_spin.setValue(current.result_seconds)
        self.pages.setCurrentIndex(_SETTINGS_PAGE)

    def save_settings(self) -> None:
        if self._operator is None:
            return
        settings = KioskSettings(
            muted=self.mute_box.isChecked(),
            voice=self.voice_box.isChecked(),
            result_seconds=round(self.result_spin.value(), 1),
        )
        self._store.meta.set(SETTINGS_KEY, settings.to_json())
        self._store.audit.record(
            self._clock(),
            self._operator,
            "settings_change",
            {
                "muted": settings.muted,
                "voice": settings.voice,
                "result_seconds": settings.result_seconds,
            },
        )
        self.settings_changed.emit(settings)
        self.pages.setCurrentIndex(_LOG_PAGE)

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.names_title.setText(self.tr("Supervisor"))
        self.names_hint.setText(self.tr("Touch your name, then enter your personal PIN."))
        self.names_back.setText(self.tr("Back"))
        self.technician_button.setText(self.tr("Technician"))
        self.pad.retranslate(language)
        if self._choosing is not None:
            self._prompt_for(self._choosing)
        self.log_title.setText(self.tr("Passage log"))
        self.close_button.setText(self.tr("Close"))
        self.settings_button.setText(self.tr("Settings"))
        self.settings_title.setText(self.tr("Kiosk settings"))
        self.mute_box.setText(self.tr("Mute all sounds"))
        self.voice_box.setText(self.tr("Spoken prompts after the tone"))
        self.result_caption.setText(self.tr("Seconds a result stays on screen"))
        self.settings_save.setText(self.tr("Save"))
        self.settings_back.setText(self.tr("Back"))
        captions = [self.tr("Time"), self.tr("Colour"), self.tr("Outcome"), self.tr("Fever")]
        for label, text in zip(self.filter_captions, [*captions, self.tr("Operator")], strict=True):
            label.setText(text)
        self._fill_combos()
        self.more_button.setText(self.tr("Load more"))
        self.trail_button.setText(self.tr("14-day trail"))
        self.csv_button.setText(self.tr("Export CSV"))
        self.xlsx_button.setText(self.tr("Export XLSX"))
        self.cancel_export_button.setText(self.tr("Cancel"))
        self.trail_title.setText(self.tr("This code's last 14 days here"))
        self.trail_back.setText(self.tr("Back"))
        self.model.set_language(language)
        self.trail_model.set_language(language)
        self.picker.retranslate(language)
        self._render_supervisor()
        self._render_summary()
        self._render_trail_summary()

    # ------------------------------------------------------------ unlocking

    def _show_names_page(self) -> None:
        self._choosing = None
        self.pad.clear()
        self._show_supervisors()
        self.pages.setCurrentIndex(0)

    def _show_supervisors(self) -> None:
        self.picker.show_operators(self._gate.operators(self._roles))
        self._fill_operator_combo()

    def _pick(self, operator_id: str) -> None:
        self._choosing = operator_id
        self.pad.clear()
        self._prompt_for(operator_id)
        self.pad.show_locked(self._gate.locked_until(operator_id))
        self.pages.setCurrentIndex(1)
        self.pad.setFocus()

    def _prompt_for(self, operator_id: str) -> None:
        name = self._gate.display_name(operator_id)
        self.pad.set_prompt(self.tr("Personal PIN for %1").replace("%1", name))

    def _entered(self, pin: str) -> None:
        if self._choosing is None:
            return
        self.pad.set_busy(True)
        self._gate.check(self._choosing, pin, SUPERVISOR, self._roles)

    def _on_checked(self, result: AccessResult, purpose: str) -> None:
        if purpose != SUPERVISOR or result.operator_id != self._choosing:
            return
        self.pad.show_result(result)
        if not result.granted:
            return
        self._operator = result.operator_id
        self._choosing = None
        self._gate.audit(result.operator_id, "supervisor_open", {})
        self.model.set_operator_names(self._gate.operator_names())
        self.trail_model.set_operator_names(self._gate.operator_names())
        self._render_supervisor()
        self._show_log_page()
        self.unlocked.emit(result.operator_id)
        self.apply_filter(TimeRange.TODAY)

    def _show_log_page(self) -> None:
        self.pages.setCurrentIndex(2)

    def _on_idle(self) -> None:
        if self._export is not None:
            self._idle.start()  # never lock under a running export
            return
        if self._operator is not None:
            self.close_view()

    def _touch(self) -> None:
        self._idle.start()

    # ------------------------------------------------------------ the log

    def _fill_combos(self) -> None:
        language = language_code(self._language)
        ranges = [
            (self.tr("Today"), TimeRange.TODAY),
            (self.tr("Last 24 hours"), TimeRange.DAY),
            (self.tr("Last 7 days"), TimeRange.WEEK),
            (self.tr("Last 14 days"), TimeRange.FORTNIGHT),
            (self.tr("All days"), TimeRange.ALL),
        ]
        anything = self.tr("All")
        colours: list[tuple[str, object]] = [(anything, None)]
        colours += [(c.label.get(language), c) for c in Colour]
        outcomes: list[tuple[str, object]] = [(anything, None)]
        outcomes += [(o.label.get(language), o) for o in Outcome]
        fevers: list[tuple[str, object]] = [
            (anything, None),
            (LocalText("发热", "Fever").get(language), True),
            (LocalText("体温正常", "No fever").get(language), False),
        ]
        filled: list[tuple[QComboBox, Sequence[tuple[str, object]]]] = [
            (self.range_combo, ranges),
            (self.colour_combo, colours),
            (self.outcome_combo, outcomes),
            (self.fever_combo, fevers),
        ]
        for combo, items in filled:
            self._refill(combo, items)
        self._fill_operator_combo()

    def _fill_operator_combo(self) -> None:
        operators: list[tuple[str, object]] = [(self.tr("All"), None)]
        operators += [(o.display_name, o.operator_id) for o in self._gate.operators()]
        self._refill(self.operator_combo, operators)

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

    def _filter_from_controls(self) -> LogFilter:
        choice = self._value(self.range_combo) or TimeRange.TODAY
        from_utc, to_utc = time_bounds(TimeRange(choice), self._clock(), self._store.time_zone)
        return LogFilter(
            from_utc=from_utc,
            to_utc=to_utc,
            colour=self._value(self.colour_combo),
            outcome=self._value(self.outcome_combo),
            fever=self._value(self.fever_combo),
            operator_id=self._value(self.operator_combo),
        )

    def _filter_changed(self, *_: object) -> None:
        self.refresh()

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self._render_buttons()
        if loading:
            self.summary_label.setText(self.tr("Reading…"))

    def _on_first_page(self, generation: int, got: tuple[list[PassageRow], int]) -> None:
        if generation != self._generation or self._operator is None:
            return
        rows, total = got
        self._total = total
        self.model.set_rows(rows)
        self._page_shown(rows)

    def _on_more(self, generation: int, rows: list[PassageRow]) -> None:
        if generation != self._generation or self._operator is None:
            return
        self.model.append_rows(rows)
        self._page_shown(rows)

    def _page_shown(self, rows: list[PassageRow]) -> None:
        assert self._operator is not None  # noqa: S101 - checked by the callers
        self._pages_read += 1
        self._set_loading(False)
        self._render_summary()
        detail = {
            "filter": filter_summary(self._where),
            "page": self._pages_read,
            "rows": len(rows),
            "total": self._total,
        }
        self._gate.audit(self._operator, "log_view", detail)
        self.log_loaded.emit(self.model.rowCount())

    def _failed(self, error: BaseException) -> None:
        log.error("supervisor view: reading the store failed", exc_info=error)
        self._set_loading(False)
        self.summary_label.setText(self.tr("The passage log could not be read."))

    def _selection_changed(self, *_: object) -> None:
        self._render_buttons()

    def _selected_has_code(self) -> bool:
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            return False
        row = self.model.row_at(selected[0].row())
        return row.issuer is not None and row.code_id is not None

    # ------------------------------------------------------------ export

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._export is None:
            return
        self._touch()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.export_label.setText(
            self.tr("Exporting… %1 of %2 rows").replace("%1", str(done)).replace("%2", str(total))
        )

    def _export_ended(
        self, job: _Export, result: str, rows: int, error: BaseException | None = None
    ) -> None:
        if error is not None and result == "failed":
            log.error("export failed", exc_info=error)
        self._export = None
        detail = {
            "format": job.export_format.value,
            "filter": filter_summary(job.where),
            "rows": rows,
            "result": result,
            "file": job.path.name,
        }
        self._gate.audit(job.operator_id, "export", detail)
        self.cancel_export_button.setVisible(False)
        if result == "done":
            self.progress.setRange(0, max(rows, 1))
            self.progress.setValue(max(rows, 1))
            self.export_label.setText(
                self.tr("Exported %1 rows to %2")
                .replace("%1", str(rows))
                .replace("%2", str(job.path))
            )
        elif result == "cancelled":
            self.export_label.setText(self.tr("Export cancelled; no file was written."))
        else:
            self.export_label.setText(self.tr("Export failed; no file was written."))
        self._render_buttons()
        self.export_finished.emit(result, str(job.path), rows)

    # ------------------------------------------------------------ rendering

    def _render_buttons(self) -> None:
        unlocked = self._operator is not None
        exhausted = self._pages is None or self._pages.exhausted
        self.more_button.setEnabled(unlocked and not self._loading and not exhausted)
        self.trail_button.setEnabled(unlocked and self._selected_has_code())
        can_export = unlocked and self._export is None and self.model.rowCount() > 0
        self.csv_button.setEnabled(can_export)
        self.xlsx_button.setEnabled(can_export)

    def _render_supervisor(self) -> None:
        name = self._gate.display_name(self._operator) if self._operator else ""
        self.supervisor_label.setText(self.tr("Supervisor: %1").replace("%1", name) if name else "")

    def _render_summary(self) -> None:
        if self._loading:
            return
        shown = self.model.rowCount()
        if self._operator is None:
            self.summary_label.setText("")
        elif shown == 0:
            self.summary_label.setText(self.tr("No passages match these filters."))
        else:
            self.summary_label.setText(
                self.tr("Showing %1 of %2 passages, newest first")
                .replace("%1", str(shown))
                .replace("%2", str(self._total))
            )
        self._render_buttons()

    def _render_trail_summary(self) -> None:
        rows = self.trail_model.rows
        if not rows:
            self.trail_summary.setText("")
            return
        language = language_code(self._language)
        latest = rows[0]
        colour = latest.colour_applied.label.get(language) if latest.colour_applied else "—"
        fevers = sum(1 for r in rows if r.fever)
        self.trail_summary.setText(
            self.tr("%1 · %2 · %3 passages here, %4 with fever")
            .replace("%1", latest.masked_name or "—")
            .replace("%2", colour)
            .replace("%3", str(len(rows)))
            .replace("%4", str(fevers))
        )
