"""The passage table the supervisor's log and trail show: a model over the rows handed to it."""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QScroller, QTableView

from kiosk.sessions.supervisor import LogRow
from kiosk.store import PassageRow
from kiosk.ui import style
from kiosk.ui.i18n import Language

TABLE_PT = style.BODY_PT - 5  # 15 pt, 20 px: read at arm's length
# Widest a wordy column gets before its words take a second line (rows have room for two).
WRAP_AT_PX = {4: 190, 6: 100, 7: 160}  # the reason, the trip reason, the override
REASON_MIN_PX = 110  # the deciding reason is never narrower: it takes a third line instead
ROW_PX = style.GLOVE_TARGET_PX  # a row is touched (to see its details, its trail): 15 mm
# Hidden in this order when the columns do not fit the width (the touched row's details show
# them): who was on duty, the trip reason, the direction, the name, the temperature.
HIDDEN_FIRST = (8, 6, 5, 2, 3)


def language_code(language: Language) -> Literal["zh", "en"]:
    return "en" if language is Language.EN else "zh"


class PassageTableModel(QAbstractTableModel):
    """The rows handed to it, newest first; nothing is read here."""

    COLUMNS = 9
    TIME, OUTCOME, NAME, TEMPERATURE, REASON, DIRECTION, TRIP, OVERRIDE, OPERATOR = range(9)

    def __init__(self, time_zone: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo(time_zone)
        self._rows: list[LogRow] = []
        self._language = Language.ZH
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------ contents

    def set_rows(self, rows: list[LogRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[LogRow]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, index: int) -> PassageRow:
        return self._rows[index].passage

    def entry_at(self, index: int) -> LogRow:
        return self._rows[index]

    @property
    def rows(self) -> list[PassageRow]:
        return [entry.passage for entry in self._rows]

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
            self.tr("Name"),
            self.tr("Temp."),
            self.tr("Reason"),
            self.tr("In/out"),
            self.tr("Trip"),
            self.tr("Override"),
            self.tr("Operator"),
        ]
        return titles[section] if 0 <= section < len(titles) else None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry, column = self._rows[index.row()], index.column()
        row = entry.passage
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(entry, column)
        if role == Qt.ItemDataRole.FontRole:
            return style.font(TABLE_PT, bold=column in (self.OUTCOME, self.OVERRIDE))
        look = style.OUTCOME_LOOKS[row.outcome]
        if column == self.OUTCOME and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(look.background))
        if column == self.OUTCOME and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(look.foreground))
        if column == self.TEMPERATURE and row.fever and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.STATUS_BAD))
        if column == self.OVERRIDE and entry.override is not None:
            if role == Qt.ItemDataRole.ToolTipRole:
                return entry.override.reason or None
            changed = style.OUTCOME_LOOKS[entry.override.outcome]
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(changed.background))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(changed.foreground))
        centred = (self.TEMPERATURE, self.DIRECTION)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in centred:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def text(self, entry: LogRow, column: int) -> str:
        language = language_code(self._language)
        row = entry.passage
        if column == self.TIME:
            return row.at_utc.astimezone(self._zone).strftime(
                "%H:%M\n%m-%d"
            )  # two short lines: a narrow column
        if column == self.OUTCOME:
            return f"{style.OUTCOME_LOOKS[row.outcome].glyph} {row.outcome.label.get(language)}"
        if column == self.NAME:
            return row.masked_name or row.id_number_masked or "—"
        if column == self.TEMPERATURE:
            if row.temperature_celsius is None:
                return "—"
            return f"{row.temperature_celsius:.1f}"  # a fever shows red, and its outcome says so
        if column == self.REASON:
            return entry.deciding_reason.get(language) if entry.deciding_reason else "—"
        if column == self.DIRECTION:
            return row.direction.label.get(language) if row.direction else "—"
        if column == self.TRIP:
            return row.trip_reason.label.get(language) if row.trip_reason else "—"
        if column == self.OVERRIDE:
            return self._override_text(entry, language)
        if column == self.OPERATOR:
            return self._name(row.operator_id)
        return ""

    def details(self, index: int, columns: list[int]) -> str:
        """Row `index`'s cells in `columns`, each after its title, on one line: what a hidden
        column held, shown when its row is touched."""
        entry = self._rows[index]
        colon = ": " if self._language is Language.EN else "："
        cells = []
        for column in columns:
            title = self.headerData(column, Qt.Orientation.Horizontal)
            text = " ".join(self.text(entry, column).split("\n"))
            cells.append(f"{title}{colon}{text}")
        return " · ".join(cells)

    def _override_text(self, entry: LogRow, language: Literal["zh", "en"]) -> str:
        """What staff changed it to, and who did (why shows when the cell is held)."""
        override = entry.override
        if override is None:
            return "—"
        look = style.OUTCOME_LOOKS[override.outcome]
        changed = f"{look.glyph} {override.outcome.label.get(language)}"
        return f"{changed}\n{self._name(override.operator_id)}"

    def _name(self, operator_id: str | None) -> str:
        operator = operator_id or ""
        return self._names.get(operator, operator) or "—"


class PassageTable(QTableView):
    fitted = Signal()  # the columns were fitted again (some may have been hidden or shown)

    """Columns as wide as their words, never wider than the screen: it never scrolls sideways.
    When the columns do not fit (a portrait panel, English words) the least needed are hidden,
    in `HIDDEN_FIRST` order, and the touched row's `details()` say what they held."""

    def fit_columns(self) -> None:
        header = self.horizontalHeader()
        model = self.model()
        room = self.viewport().width()
        if model is None or room <= 0:
            return
        for column in range(model.columnCount()):
            self.setColumnHidden(column, False)
        self.resizeColumnsToContents()
        for column, widest in WRAP_AT_PX.items():
            header.resizeSection(column, min(header.sectionSize(column), widest))
        hidden = list(HIDDEN_FIRST)
        while self._used() > room and hidden:
            self.setColumnHidden(hidden.pop(0), True)
        reason = PassageTableModel.REASON
        spare = room - self._used()
        if spare < 0:  # even the needed columns are too wide: the reason takes more lines
            narrowest = max(REASON_MIN_PX, header.sectionSize(reason) + spare)
            header.resizeSection(reason, narrowest)
        elif spare > 0:
            header.resizeSection(reason, header.sectionSize(reason) + spare)
        self.resizeRowsToContents()
        self.fitted.emit()

    def hidden_columns(self) -> list[int]:
        model = self.model()
        count = model.columnCount() if model is not None else 0
        return [column for column in range(count) if self.isColumnHidden(column)]

    def _used(self) -> int:
        header = self.horizontalHeader()
        return sum(
            header.sectionSize(column)
            for column in range(header.count())
            if not self.isColumnHidden(column)
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_columns()


def passage_table(model: PassageTableModel) -> PassageTable:
    """A touch-sized, read-only table of whole rows over `model`."""
    table = PassageTable()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(ROW_PX)
    table.verticalHeader().setMinimumSectionSize(ROW_PX)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setMinimumHeight(44)
    table.setWordWrap(True)  # a long reason, an override's why: two lines in a row
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.verticalScrollBar().setSingleStep(ROW_PX)
    QScroller.grabGesture(table.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    for changed in (model.modelReset, model.rowsInserted, model.headerDataChanged):
        changed.connect(lambda *_: table.fit_columns())
    model.dataChanged.connect(lambda *_: table.fit_columns())
    table.setStyleSheet(
        "QTableView { background: #FFFFFF; gridline-color: #CFD8DC;"
        " selection-background-color: #BBDEFB; selection-color: #1A1A1A; }"
        " QScrollBar:vertical { width: 36px; } QScrollBar:horizontal { height: 36px; }"
    )
    return table


def details_label(table: PassageTable) -> QLabel:
    """Under `table`: the touched row's cells that a hidden column would show (hidden itself
    while every column shows, or nothing is touched)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setFont(style.font(TABLE_PT))
    label.setStyleSheet(
        "QLabel { background: #FFFFFF; border: 2px solid #BBDEFB; border-radius: 6px;"
        " padding: 4px 8px; }"
    )
    label.setVisible(False)

    def show() -> None:
        model = table.model()
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        hidden = table.hidden_columns()
        text = ""
        if rows and hidden and isinstance(model, PassageTableModel):
            text = model.details(rows[0].row(), hidden)
        label.setText(text)
        label.setVisible(bool(text))

    table.fitted.connect(show)
    table.selectionModel().selectionChanged.connect(lambda *_: show())
    return label
