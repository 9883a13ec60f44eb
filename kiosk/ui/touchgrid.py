"""TouchGrid: touch buttons in equal cells, as many columns as the widest one allows.

The gate screens hold many buttons (进/出, four trip reasons, a plate, staff buttons) on panels
from 800 to 1920 px wide. A row that does not fit wraps into the next rather than squeezing a
label into "···"; rows are balanced and share the whole width. Each group starts a row.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class TouchGrid(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._groups: list[list[tuple[QLayoutItem, int]]] = [[]]
        self._gap = spacing

    def set_gap(self, spacing: int) -> None:
        self._gap = spacing
        self.invalidate()

    def add_group(self, widgets: Sequence[QWidget | tuple[QWidget, int]]) -> None:
        """A group of widgets, each one cell wide or (widget, span) cells."""
        group: list[tuple[QLayoutItem, int]] = []
        for entry in widgets:
            widget, span = entry if isinstance(entry, tuple) else (entry, 1)
            self.addChildWidget(widget)
            group.append((QWidgetItem(widget), span))
        if self._groups and not self._groups[-1]:
            self._groups[-1] = group
        else:
            self._groups.append(group)
        self.invalidate()

    # ------------------------------------------------------------ QLayout

    def _flat(self) -> list[QLayoutItem]:
        return [item for group in self._groups for item, _ in group]

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._groups[-1].append((item, 1))

    def count(self) -> int:
        return len(self._flat())

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        items = self._flat()
        return items[index] if 0 <= index < len(items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        item = self.itemAt(index)
        if item is None:
            return None
        for group in self._groups:
            group[:] = [(i, s) for i, s in group if i is not item]
        return item

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """One cell wide and one row tall: what the rows need is told by heightForWidth."""
        margins: QMargins = self.contentsMargins()
        extra = QSize(margins.left() + margins.right(), margins.top() + margins.bottom())
        return QSize(self._cell_width(), self._row_height()) + extra

    # ------------------------------------------------------------ arranging

    def _visible(self) -> list[list[tuple[QLayoutItem, int]]]:
        groups = [[(i, s) for i, s in group if not i.isEmpty()] for group in self._groups]
        return [group for group in groups if group]

    def _cell_width(self) -> int:
        widths = [
            -(-item.sizeHint().width() // span) for group in self._visible() for item, span in group
        ]
        return max(widths, default=0)

    def _row_height(self) -> int:
        heights = [item.sizeHint().height() for group in self._visible() for item, _ in group]
        return max(heights, default=0)

    def columns(self, width: int) -> int:
        cell = self._cell_width()
        if cell <= 0:
            return 1
        return max(1, (width + self._gap) // (cell + self._gap))

    def _rows(self, group: list[tuple[QLayoutItem, int]], columns: int) -> list[list[tuple]]:
        """The group's items in rows of at most `columns` cells, balanced (four buttons in
        three columns make two rows of two, not three and one)."""
        cells = sum(min(span, columns) for _, span in group)
        per_row = -(-cells // -(-cells // columns))
        rows: list[list[tuple]] = [[]]
        used = 0
        for item, wide in group:
            span = min(wide, columns)
            if rows[-1] and used + span > max(per_row, span):
                rows.append([])
                used = 0
            rows[-1].append((item, span))
            used += span
        return rows

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        gap, row_height = self._gap, self._row_height()
        columns = self.columns(area.width())
        y = area.y()
        rows = [row for group in self._visible() for row in self._rows(group, columns)]
        for index, row in enumerate(rows):
            cells = sum(span for _, span in row)  # each row shares the whole width
            unit = (area.width() - (cells - 1) * gap) / cells
            x = float(area.x())
            for item, span in row:
                width = span * unit + (span - 1) * gap
                if move:
                    item.setGeometry(QRect(round(x), y, round(x + width) - round(x), row_height))
                x += width + gap
            y += row_height + (gap if index < len(rows) - 1 else 0)
        return y - rect.y() + margins.bottom()
