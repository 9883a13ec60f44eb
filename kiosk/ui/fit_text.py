"""Does a widget show all of its text? One function per kind of widget, each measuring the
text the way the widget lays it out and comparing it with the room the widget's style gives it
(a label's contents, a button's inside its padding, a line edit's, a combo box's edit field),
plus tab bars whose tabs do not fit and tables whose columns scroll sideways. Used by
kiosk/ui/fit_check.py."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QTabBar,
    QTableView,
    QWidget,
)

from kiosk.ui.toggle import ToggleButton, toggle_label

_LINE_EDIT_MARGIN_PX = 2  # QLineEdit's own horizontal margin inside its contents rect
# Text measured from the top left as the widgets' size hints measure it (centred text in a
# large box rounds one pixel taller).
_TOP_LEFT = (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop).value


def text_cut(widget: QWidget) -> tuple[str, str]:
    """(problem, numbers) when `widget` cannot show all of its text; ("", "") when it can."""
    numbers, problem = "", "text cut"
    if isinstance(widget, QLabel):
        numbers = _label_cut(widget)
    elif isinstance(widget, QPushButton | QCheckBox | QRadioButton):
        numbers = _button_cut(widget)
    elif isinstance(widget, QLineEdit):
        numbers = _line_edit_cut(widget)
    elif isinstance(widget, QComboBox):
        numbers = _combo_cut(widget)
    elif isinstance(widget, QTabBar):
        numbers, problem = _tabs_cut(widget), "tabs cut"
    elif isinstance(widget, QTableView):
        numbers, problem = _table_cut(widget), "columns cut"
    return (problem, numbers) if numbers else ("", "")


def _label_cut(label: QLabel) -> str:
    text = label.text()
    if not text:
        return ""
    room = label.contentsRect().marginsRemoved(_even(label.margin()))
    indent = label.indent()
    if indent < 0 and label.frameWidth() > 0:
        indent = label.fontMetrics().horizontalAdvance("x") // 2 - label.margin()
    if indent > 0:
        align = label.alignment()
        if align & Qt.AlignmentFlag.AlignLeft or align & Qt.AlignmentFlag.AlignRight:
            room.setWidth(room.width() - indent)
    if label.wordWrap():
        return _wrapped_cut(label, room)
    width, height = _text_size(label, text)
    if width > room.width() or height > room.height():
        return f"text {width}x{height} px in {_size(room.size())}"
    return ""


def _wrapped_cut(label: QLabel, room: QRect) -> str:
    needed = label.heightForWidth(label.width())
    if needed > label.height():
        wide = label.width()
        return f"wrapped text needs {needed} px tall at {wide} px wide, has {label.height()}"
    widest = _text_size(label, label.text(), wrap_at=room.width())[0]
    if widest > room.width():  # a word longer than the line: Qt lets it run over the edge
        return f"a wrapped line needs {widest} px, has {room.width()}"
    return ""


def _rich(label: QLabel) -> bool:
    text_format = label.textFormat()
    if text_format == Qt.TextFormat.RichText:
        return True
    return text_format == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text())


def _text_size(label: QLabel, text: str, wrap_at: int | None = None) -> tuple[int, int]:
    """The text's size as the label lays it out (QLabel's own way for plain text)."""
    if _rich(label):
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        document.setTextWidth(wrap_at if wrap_at is not None else document.idealWidth())
        return int(document.idealWidth() + 0.999), int(document.size().height() + 0.999)
    flags = _TOP_LEFT | Qt.TextFlag.TextExpandTabs.value
    if wrap_at is not None:
        flags |= Qt.TextFlag.TextWordWrap.value
    width = wrap_at if wrap_at is not None else 100_000
    bounds = label.fontMetrics().boundingRect(QRect(0, 0, width, 100_000), flags, text)
    return bounds.width(), bounds.height()


def _button_cut(button: QAbstractButton) -> str:
    text = _shown_text(button)
    if not text:
        return ""
    option = QStyleOptionButton()
    button.initStyleOption(option)  # type: ignore[attr-defined]
    element = QStyle.SubElement.SE_PushButtonContents
    if isinstance(button, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    elif isinstance(button, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    room = button.style().subElementRect(element, option, button)
    if not button.icon().isNull():
        room.setWidth(room.width() - button.iconSize().width() - 4)
    flags = Qt.TextFlag.TextShowMnemonic.value | _TOP_LEFT
    bounds = button.fontMetrics().boundingRect(QRect(0, 0, 100_000, 100_000), flags, text)
    if bounds.width() > room.width() or bounds.height() > room.height():
        return (
            f"text {bounds.width()}x{bounds.height()} px in {_size(room.size())} inside the padding"
        )
    return ""


def _shown_text(button: QAbstractButton) -> str:
    if isinstance(button, ToggleButton):  # a toggle keeps room for its tick in both states
        return toggle_label(button.text())
    return button.text()


def _line_edit_cut(edit: QLineEdit) -> str:
    text = edit.text() or edit.placeholderText()
    if not text:
        return ""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)  # type: ignore[attr-defined]
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    room = room.marginsRemoved(edit.textMargins())
    width = room.width() - 2 * _LINE_EDIT_MARGIN_PX
    metrics = edit.fontMetrics()
    shown = edit.displayText() if edit.text() else text
    needed = metrics.horizontalAdvance(shown)
    if needed > width or metrics.height() > room.height():
        return f"text {needed}x{metrics.height()} px in {width}x{room.height()}"
    return ""


def _combo_cut(combo: QComboBox) -> str:
    text = combo.currentText()
    if not text:
        return ""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)  # type: ignore[attr-defined]
    room = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    if not combo.itemIcon(combo.currentIndex()).isNull():
        room.setWidth(room.width() - combo.iconSize().width() - 4)
    metrics = combo.fontMetrics()
    needed = metrics.horizontalAdvance(text)
    if needed > room.width() or metrics.height() > room.height():
        return f"text {needed}x{metrics.height()} px in {_size(room.size())}"
    return ""


def _tabs_cut(tabs: QTabBar) -> str:
    vertical = tabs.shape() in (
        QTabBar.Shape.RoundedWest,
        QTabBar.Shape.RoundedEast,
        QTabBar.Shape.TriangularWest,
        QTabBar.Shape.TriangularEast,
    )
    needed = tabs.sizeHint().height() if vertical else tabs.sizeHint().width()
    has = tabs.height() if vertical else tabs.width()
    if needed > has:
        return f"the tabs need {needed} px, have {has} (cut or scrolled)"
    return ""


def _table_cut(table: QTableView) -> str:
    columns = table.horizontalHeader().length()
    room = table.viewport().width()
    if table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        if columns > room:
            return f"columns need {columns} px, the table shows {room} and cannot scroll"
        return ""
    if table.horizontalScrollBar().isVisibleTo(table):
        return f"scrolls sideways: columns need {columns} px, the table shows {room}"
    return ""


def _even(margin: int) -> QMargins:
    return QMargins(margin, margin, margin, margin)


def _size(size: QSize) -> str:
    return f"{size.width()}x{size.height()}"
