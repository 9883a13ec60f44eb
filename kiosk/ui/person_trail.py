"""The duty operator's page of the person just scanned (Hainan 004: 值守人员可以查看该进出人员的
所有关口记录): opened from the result screen, or from the scan screen while 改判上一位 is offered,
with no supervisor PIN (the signed-in operator is enough; nobody signed in: refused, said so).

It draws the supervisor's trail page (`TrailPage`): this kiosk's records of the code over 14
days, and above them central's passages in the area when online. The reads run off the GUI
thread through a `DutyTrailSession`; the rows leave the screen when the page closes, by its big
button or after `idle_timeout_s` without a touch.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.sessions.duty_trail import DutyTrailSession, PersonRecords
from kiosk.sessions.supervisor import LogRow
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.fitting import keep_words_whole
from kiosk.ui.i18n import Language
from kiosk.ui.supervisor_pages import TrailPage
from sync.schemas import TrailAnswer

log = logging.getLogger(__name__)

# The next person waits at the gate: the page goes back to scanning sooner than the supervisor's.
IDLE_TIMEOUT_S = 60


class PersonTrailView(QWidget):
    """Put it in the main window's stack; `open(record_id, operator_id)` when showing it."""

    closed = Signal()  # by its button or its idle timer: the window goes back to scanning
    loaded = Signal(int)  # this kiosk's rows shown
    area_answered = Signal(bool)  # central answered (False: offline, the kiosk's own stand)

    def __init__(
        self,
        session: DutyTrailSession,
        *,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        operator_names: Callable[[], dict[str, str]] = dict,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._operator_names = operator_names  # the roster's names for the operator column
        self._background = Background(self, threads=1)
        self._generation = 0
        self._refused = False
        self.page = TrailPage(session.time_zone)
        self.page.back_button.setMinimumHeight(style.GLOVE_TARGET_PX)
        self.page.back_button.clicked.connect(self.close_page)
        self.page.table.pressed.connect(lambda _index: self._idle.start())
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(round(idle_timeout_s * 1000))
        self._idle.timeout.connect(self.close_page)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.SPACING_PX, style.SPACING_PX, style.SPACING_PX, 8)
        layout.addWidget(self.page)
        self.retranslate(Language.ZH)

    @property
    def refused(self) -> bool:
        return self._refused

    def open(self, record_id: uuid.UUID | None, operator_id: str | None) -> None:
        """Read the person's records for `operator_id`; with nobody signed in, say so instead."""
        self._generation += 1
        self._idle.start()
        self._refused = operator_id is None or record_id is None
        self.page.show_reading()
        self._show_rows_part(True)
        self.page.model.set_operator_names(self._operator_names())
        if operator_id is None or record_id is None:
            self.show_refusal()
            if operator_id is None:
                self._session.refused()
            return
        generation, session = self._generation, self._session

        def shown(records: PersonRecords) -> None:
            if generation != self._generation:
                return
            self.page.show_rows(list(records.rows))
            self.loaded.emit(len(records.rows))
            if not records.asks_central:
                self.page.show_area(None)
                self.area_answered.emit(False)
                return
            self._background.run(lambda: session.area(records), lambda got: area(got), self._failed)

        def area(answer: TrailAnswer | None) -> None:
            if generation == self._generation:
                self.page.show_area(answer)
                self.area_answered.emit(answer is not None)

        self._background.run(lambda: session.records(record_id, operator_id), shown, self._failed)

    def show_records(self, rows: list[LogRow], area: TrailAnswer | None) -> None:
        """Draw rows and central's answer as read (the gallery's pictures use it directly)."""
        self._refused = False
        self._show_rows_part(True)
        self.page.model.set_operator_names(self._operator_names())
        self.page.show_rows(rows)
        self.page.show_area(area)

    def close_page(self) -> None:
        self._forget()
        self.closed.emit()

    def shutdown(self) -> None:
        self._idle.stop()
        self._background.shutdown()

    def retranslate(self, language: Language) -> None:
        self.page.retranslate(language)
        self.page.title.setText(self.tr("This person's records"))
        self.page.back_button.setText(self.tr("Back to scanning"))
        keep_words_whole((self.page.back_button,))
        if self._refused:
            self._render_refusal()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """Another screen came (the next person's result): the rows leave with the page."""
        self._forget()
        super().hideEvent(event)

    def _forget(self) -> None:
        self._generation += 1
        self._idle.stop()
        self.page.model.clear()

    def show_refusal(self) -> None:
        """Nobody signed in: no rows, and the page says who may see them."""
        self._refused = True
        self.page.model.clear()
        self.page.show_area(None)
        self._show_rows_part(False)
        self._render_refusal()

    def _show_rows_part(self, shown: bool) -> None:
        for widget in (self.page.area_label, self.page.table, self.page.details_label):
            widget.setVisible(shown)

    def _render_refusal(self) -> None:
        self.page.summary_label.setText(
            self.tr("Sign in first: only the staff on duty may see a person's records")
        )
        self.page.area_label.setText("")

    def _failed(self, error: BaseException) -> None:
        log.error("a person's records could not be read: %s", type(error).__name__)
        self.page.summary_label.setText(self.tr("The records could not be read"))
