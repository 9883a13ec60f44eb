"""The clinic's residence picker for gloved hands (发热门诊登记: 住址可修改), no keyboard: the
county's towns or streets as big buttons a page at a time, then the chosen town's villages or
communities, then the house detail on a pad of digits and 号 栋 楼 单元 室 组 村 -. The address
so far is shown above; 上一步 goes back a step, 完成 keeps it. What may be picked and typed is
decided in kiosk.checkpoint.residence.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.scenes import WORDS
from kiosk.checkpoint.residence import (
    BACKSPACE,
    CLEAR,
    DETAIL_KEYS,
    Gazetteer,
    Place,
    ResidenceChoice,
)
from kiosk.ui import style
from kiosk.ui.form_frame import form_button
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import KEY_STYLE

PLACE_PT, PLACE_MIN_PT = 20, 12
PLACE_PADDING_PX = 12
PLACE_MAX_PX = 140
DETAIL_COLUMNS = 7  # 1-7 / 8 9 0 - 号 栋 楼 / 单元 室 组 村 ⌫ 清除
TOWNS, VILLAGES, DETAIL = range(3)


def grid_for(width: int, height: int) -> tuple[int, int]:
    """Columns and rows of place buttons a page holds: rows of at least 90 px under the
    prompt, the address so far, the page turners and 上一步 / 完成."""
    columns = 2 if height > width else (4 if width >= 1600 else 3)
    rows = max(2, min(6, (height - 360) // 120))
    return columns, rows


class PlaceButton(QPushButton):
    """A place's name in type as large as its button's width allows (down to 12 pt): a long
    English name shrinks rather than being cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(style.GLOVE_TARGET_PX)
        self.setMaximumHeight(PLACE_MAX_PX)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.width() - 2 * PLACE_PADDING_PX - 8  # the border, both sides
        size, measured = PLACE_PT, QFont(self.font())  # the family the style sheet gives
        while size > PLACE_MIN_PT:
            measured.setPointSize(size)
            if QFontMetrics(measured).horizontalAdvance(self.text()) <= room:
                break
            size -= 1
        self.setStyleSheet(
            style.BUTTON_STYLE
            + f" QPushButton {{ font-size: {size}pt; padding: 4px {PLACE_PADDING_PX}px; }}"
        )


class ResidencePage(QWidget):
    """`finished(text)`: the residence picked and typed; `finished(None)`: left as it was."""

    finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = Language.ZH
        self.gazetteer = Gazetteer()
        self.choice = ResidenceChoice()
        self._choices: tuple[Place, ...] = ()
        self._page = 0
        self._columns, self._rows = 3, 3
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        self.prompt = QLabel()
        self.prompt.setFont(style.font(style.BODY_PT + 4, bold=True))
        self.prompt.setWordWrap(True)
        self.shown = QLabel()  # the residence so far
        self.shown.setFont(style.font(style.BODY_PT + 6, bold=True))
        self.shown.setWordWrap(True)
        layout.addWidget(self.prompt)
        layout.addWidget(self.shown)
        self.steps = QStackedLayout()
        layout.addLayout(self.steps, 1)
        # towns and villages: one grid of place buttons, a page at a time
        places_page = QWidget()
        places = QVBoxLayout(places_page)
        places.setContentsMargins(0, 0, 0, 0)
        self.place_grid = QGridLayout()
        self.place_grid.setSpacing(8)
        self.place_buttons: list[PlaceButton] = []
        places.addLayout(self.place_grid, 1)
        paging = QHBoxLayout()
        self.previous, self.next, self.skip = form_button(), form_button(), form_button()
        self.page_label = QLabel()
        self.page_label.setFont(style.font(style.BODY_PT, bold=True))
        paging.addWidget(self.previous)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next)
        paging.addStretch(1)
        paging.addWidget(self.skip)
        places.addLayout(paging)
        self.previous.clicked.connect(lambda: self._turn(-1))
        self.next.clicked.connect(lambda: self._turn(+1))
        self.skip.clicked.connect(lambda: self._village(None))
        self.steps.addWidget(places_page)
        # the detail: digits and the address words
        detail_page = QWidget()
        self.detail_grid = QGridLayout(detail_page)
        self.detail_grid.setContentsMargins(0, 0, 0, 0)
        self.detail_grid.setSpacing(6)
        self.detail_keys: dict[str, QPushButton] = {}
        for index, key in enumerate((*DETAIL_KEYS, BACKSPACE, CLEAR)):
            button = QPushButton(key)
            button.setStyleSheet(KEY_STYLE + " QPushButton { font-size: 24pt; }")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setMaximumHeight(160)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            self.detail_keys[key] = button
            self.detail_grid.addWidget(button, *divmod(index, DETAIL_COLUMNS))
        self.steps.addWidget(detail_page)
        closing = QHBoxLayout()
        self.back, self.done = form_button(), form_button()
        for button in (self.back, self.done):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            closing.addWidget(button)
        self.back.clicked.connect(self._back)
        self.done.clicked.connect(lambda: self.finished.emit(self.choice.text or None))
        layout.addLayout(closing)
        self._step = TOWNS

    # ------------------------------------------------------------ steps

    def open(self, gazetteer: Gazetteer, choice: ResidenceChoice) -> None:
        """Start at the towns (or, with a town already known, at its villages)."""
        self.gazetteer, self.choice = gazetteer, choice
        if not gazetteer.towns:
            self._show(DETAIL)
        elif choice.town is not None and gazetteer.villages_of(choice.town):
            self._show(VILLAGES)
        else:
            self._show(TOWNS)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        columns, rows = grid_for(event.size().width(), event.size().height())
        if (columns, rows) != (self._columns, self._rows):
            self._columns, self._rows = columns, rows
            self._page = 0
            self._fill()
        super().resizeEvent(event)

    def _show(self, step: int) -> None:
        self._step = step
        self._page = 0
        if step == TOWNS:
            self._choices = self.gazetteer.towns
        elif step == VILLAGES and self.choice.town is not None:
            self._choices = self.gazetteer.villages_of(self.choice.town)
        self.steps.setCurrentIndex(1 if step == DETAIL else 0)
        self._fill()

    def _fill(self) -> None:
        per_page = self._columns * self._rows
        while len(self.place_buttons) < per_page:
            button = PlaceButton()
            index = len(self.place_buttons)
            button.clicked.connect(lambda _=False, i=index: self._pick(i))
            self.place_buttons.append(button)
        for button in self.place_buttons:
            self.place_grid.removeWidget(button)
            button.hide()
        pages = max(1, -(-len(self._choices) // per_page))
        self._page = min(self._page, pages - 1)
        shown = self._choices[self._page * per_page : (self._page + 1) * per_page]
        code = self._language.value
        for index, place in enumerate(shown):
            button = self.place_buttons[index]
            button.setText(place.label.get(code))
            self.place_grid.addWidget(button, *divmod(index, self._columns))
            button.show()
        for row in range(6):
            self.place_grid.setRowStretch(row, 1 if row < self._rows else 0)
        self.previous.setVisible(pages > 1)
        self.next.setVisible(pages > 1)
        self.page_label.setVisible(pages > 1)
        self.previous.setEnabled(self._page > 0)
        self.next.setEnabled(self._page < pages - 1)
        self.page_label.setText(f"{self._page + 1}/{pages}")
        self.skip.setVisible(self._step == VILLAGES)
        self._say()

    def _say(self) -> None:
        code = self._language.value
        prompt = ("pick_town", "pick_village", "type_detail")[self._step]
        text = WORDS[prompt].get(code)
        if self._step == DETAIL and not self.gazetteer.towns:
            text = f"{text}。{WORDS['no_places'].get(code)}"
        self.prompt.setText(text)
        self.shown.setText(self.choice.text or "—")
        self.back.setText(WORDS["back" if self._step != TOWNS else "cancel"].get(code))
        if self._step == DETAIL and not self.gazetteer.towns:
            self.back.setText(WORDS["cancel"].get(code))
        self.done.setEnabled(bool(self.choice.text))

    def _turn(self, step: int) -> None:
        self._page += step
        self._fill()

    def _pick(self, index: int) -> None:
        place = self._choices[self._page * self._columns * self._rows + index]
        if self._step == TOWNS:
            self.choice = self.choice.pick_town(place)
            self._show(VILLAGES if self.gazetteer.villages_of(place) else DETAIL)
        else:
            self._village(place)

    def _village(self, village: Place | None) -> None:
        self.choice = self.choice.pick_village(village)
        self._show(DETAIL)

    def _press(self, key: str) -> None:
        self.choice = self.choice.press(key)
        self._say()

    def _back(self) -> None:
        town = self.choice.town
        if self._step == DETAIL and town is not None and self.gazetteer.villages_of(town):
            self._show(VILLAGES)
        elif self._step in {DETAIL, VILLAGES} and self.gazetteer.towns:
            self._show(TOWNS)
        else:
            self.finished.emit(None)

    def retranslate(self, language: Language) -> None:
        self._language = language
        code = language.value
        self.previous.setText(WORDS["previous_page"].get(code))
        self.next.setText(WORDS["next_page"].get(code))
        self.skip.setText(WORDS["no_village"].get(code))
        self.done.setText(WORDS["done"].get(code))
        self.detail_keys[CLEAR].setText(WORDS["clear"].get(code))
        self._fill()
