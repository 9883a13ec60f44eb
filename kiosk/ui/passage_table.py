"""The passage table the supervisor's log and trail show: a model over the rows handed to it."""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from kiosk.sessions.export import NO, YES
from kiosk.store import PassageRow
from kiosk.ui import style
from kiosk.ui.i18n import Language

TABLE_PT = style.BODY_PT - 4


def language_code(language: Language) -> Literal["zh", "en"]:
    return "en" if language is Language.EN else "zh"


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


def passage_table(model: PassageTableModel) -> QTableView:
    """A touch-sized, read-only table of whole rows over `model`."""
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
