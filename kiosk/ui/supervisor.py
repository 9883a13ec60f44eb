"""The supervisor's view, behind a personal PIN: the passage log filtered by time, colour,
outcome, fever and operator, a code's 14-day trail, and CSV/XLSX exports with a progress bar.

The work is a `SupervisorSession`'s (kiosk/sessions/supervisor.py): every read of the store and
every export runs off the GUI thread through it, and results come back queued. Every view,
trail and export is audited, never with a name, ID number, plate or code id.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from healthcode.claims import Colour
from kiosk.checkpoint.access import SUPERVISOR_ROLES
from kiosk.checkpoint.outcome import Outcome
from kiosk.sessions.export import ExportFormat, ExportOptions, LogPages
from kiosk.sessions.supervisor import ExportJob, LogRow, SupervisorSession, TimeRange
from kiosk.store import LogFilter
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.i18n import Language
from kiosk.ui.passage_table import language_code
from kiosk.ui.pinpad import AccessGate, PinPad
from kiosk.ui.supervisor_export import ExportRun
from kiosk.ui.supervisor_log import LogPage
from kiosk.ui.supervisor_pages import PAD_MAX_PX, NamesPage, SettingsPage, TrailPage, centred
from kiosk.ui.supervisor_unlock import SupervisorUnlock
from sync.schemas import TrailAnswer

log = logging.getLogger(__name__)

IDLE_TIMEOUT_S = 180
_NAMES_PAGE, _PIN_PAGE, _LOG_PAGE, _TRAIL_PAGE, _SETTINGS_PAGE = range(5)


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
        session: SupervisorSession,
        gate: AccessGate,
        *,
        parent: QWidget | None = None,
        language: Language = Language.ZH,
        idle_timeout_s: int = IDLE_TIMEOUT_S,
        roles: frozenset[str] = SUPERVISOR_ROLES,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._gate = gate
        self._language = language
        self._operator: str | None = None
        self._where = LogFilter()
        self._pages: LogPages | None = None
        self._generation = 0
        self._pages_read = 0
        self._total = 0
        self._loading = False
        self._background = Background(self, threads=2)
        self._exports = ExportRun(session, self._background, self)
        self._exports.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._exports.ended.connect(self._export_ended)
        self._shut_down = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_timeout_s * 1000)
        self._idle.timeout.connect(self._on_idle)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")

        self.names_page = NamesPage()
        self.pad = PinPad(session.now, language=language)
        self.pad.setMaximumWidth(PAD_MAX_PX)
        self.log_page = LogPage(session.time_zone)
        self.trail_page = TrailPage(session.time_zone)
        self.settings_page = SettingsPage()
        self._unlock = SupervisorUnlock(gate, self.names_page.picker, self.pad, roles, self)
        self._unlock.pin_wanted.connect(lambda: self.pages.setCurrentIndex(_PIN_PAGE))
        self._unlock.granted.connect(self._on_granted)
        self._connect_pages()
        self.pages = QStackedWidget()
        for page in (self.names_page, centred(self.pad), self.log_page, self.trail_page):
            self.pages.addWidget(page)
        self.pages.addWidget(self.settings_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(style.SPACING_PX, style.SPACING_PX, style.SPACING_PX, 8)
        outer.addWidget(self.pages)

        gate.roster_loaded.connect(self._show_supervisors)
        self.retranslate(language)

    # ------------------------------------------------------------ building

    def _connect_pages(self) -> None:
        """What the pages report, and where it goes."""
        names, logs = self.names_page, self.log_page
        trail, settings = self.trail_page, self.settings_page
        names.back_button.clicked.connect(self.close_view)
        names.technician_button.clicked.connect(self.technician_requested)
        self.pad.cancelled.connect(self._show_names_page)
        logs.filter_changed.connect(self.refresh)
        logs.close_button.clicked.connect(self.close_view)
        logs.settings_button.clicked.connect(self.open_settings)
        logs.table.selectionModel().selectionChanged.connect(lambda *_: self._render_buttons())
        logs.table.doubleClicked.connect(lambda _: self.open_trail())
        logs.more_button.clicked.connect(self.load_more)
        logs.trail_button.clicked.connect(lambda: self.open_trail())
        logs.csv_button.clicked.connect(lambda: self.export(ExportFormat.CSV))
        logs.xlsx_button.clicked.connect(lambda: self.export(ExportFormat.XLSX))
        logs.cancel_export_button.clicked.connect(self.cancel_export)
        trail.back_button.clicked.connect(self._show_log_page)
        settings.save_button.clicked.connect(self.save_settings)
        settings.back_button.clicked.connect(lambda: self.pages.setCurrentIndex(_LOG_PAGE))

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
        return self._exports.job is not None

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
        self.log_page.model.clear()
        self.trail_page.model.clear()
        self._idle.stop()
        self._show_names_page()

    def close_view(self) -> None:
        self.cancel_export()
        self.lock()
        self.closed.emit()

    def unlock(self, operator_id: str, pin: str) -> None:
        """Check a supervisor's PIN as if typed on the pad (`unlocked` follows if right)."""
        self._unlock.pick(operator_id)
        self._unlock.entered(pin)

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
        self.log_page.select(time_range, colour, outcome, fever, operator_id)
        self.refresh()

    def refresh(self) -> None:
        """Read the first page for the filters as set (a view, audited)."""
        if self._operator is None:
            return
        self._touch()
        self._where = self._session.log_filter(**self.log_page.chosen())
        self._generation += 1
        generation, session = self._generation, self._session
        self._pages = pages = session.pages(self._where)
        self._pages_read = 0
        self._set_loading(True)
        self._background.run(
            lambda: session.first_page(pages),
            lambda got: self._on_first_page(generation, got),
            self._failed,
        )

    def load_more(self) -> None:
        pages, generation = self._pages, self._generation
        if self._operator is None or pages is None or pages.exhausted or self._loading:
            return
        self._touch()
        self._set_loading(True)
        session = self._session
        self._background.run(
            lambda: session.next_page(pages),
            lambda rows: self._on_more(generation, rows),
            self._failed,
        )

    def open_trail(self, row: int | None = None) -> None:
        """Open the 14-day trail of the selected passage's code (or of row `row`)."""
        if self._operator is None:
            return
        passage = self.log_page.selected() if row is None else self.log_page.model.row_at(row)
        if passage is None or passage.issuer is None or passage.code_id is None:
            return
        self._touch()
        session, issuer, code_id = self._session, passage.issuer, passage.code_id
        now, generation, operator = session.now(), self._generation, self._operator
        self.trail_page.show_reading()
        self.pages.setCurrentIndex(_TRAIL_PAGE)

        def done(rows: list[LogRow]) -> None:
            if generation != self._generation:
                return
            self.trail_page.show_rows(rows)
            session.trail_viewed(operator, passage.seq, len(rows))
            self.trail_loaded.emit(len(rows))

        def area(answer: TrailAnswer | None) -> None:
            if generation == self._generation:
                self.trail_page.show_area(answer)

        self._background.run(lambda: session.trail(issuer, code_id, now), done, self._failed)
        # Online, central adds the other checkpoints of the area; offline the kiosk's own stand.
        self._background.run(lambda: session.area_trail(issuer, code_id), area, self._failed)

    def export(self, export_format: ExportFormat) -> None:
        """Export every row of the current filter (not only those loaded) into the session's
        export folder."""
        if self._operator is None or self.exporting:
            return
        self._touch()
        options = ExportOptions(
            language=language_code(self._language),
            time_zone=self._session.time_zone,
            operator_names=self._gate.operator_names(),
        )
        self._exports.start(export_format, self._where, self._operator, options)
        self.log_page.export_started()
        self._render_buttons()

    def cancel_export(self) -> None:
        if self.exporting:
            self._exports.cancel()
            self.log_page.cancel_export_button.setEnabled(False)

    def shutdown(self) -> None:
        """Stop the export, the idle lock and the workers (before the store closes): nothing
        of this view may touch the store afterwards."""
        self._idle.stop()
        if not self._shut_down:
            self._idle.timeout.disconnect(self._on_idle)
            self._shut_down = True
        self.cancel_export()
        self._background.shutdown()

    def open_settings(self) -> None:
        """Behind the same PIN as the log: only an unlocked supervisor gets here."""
        if self._operator is None:
            return
        self.settings_page.show_settings(self._session.settings())
        self.pages.setCurrentIndex(_SETTINGS_PAGE)

    def save_settings(self) -> None:
        if self._operator is None:
            return
        settings = self.settings_page.chosen()
        self._session.save_settings(self._operator, settings)
        self.settings_changed.emit(settings)
        self.pages.setCurrentIndex(_LOG_PAGE)

    def retranslate(self, language: Language) -> None:
        self._language = language
        self.names_page.retranslate(language)
        self.pad.retranslate(language)
        self._unlock.retranslate()
        self.settings_page.retranslate()
        self.log_page.show_operators(self._gate.operators())
        self.log_page.retranslate(language)
        self.trail_page.retranslate(language)
        self._render_supervisor()
        self._render_summary()

    # ------------------------------------------------------------ unlocking

    def _show_names_page(self) -> None:
        self._unlock.reset()
        self.log_page.show_operators(self._gate.operators())
        self.pages.setCurrentIndex(_NAMES_PAGE)

    def _show_supervisors(self) -> None:
        self._unlock.show_supervisors()
        self.log_page.show_operators(self._gate.operators())

    def _on_granted(self, operator_id: str) -> None:
        self._operator = operator_id
        self._gate.audit(operator_id, "supervisor_open", {})
        self.log_page.model.set_operator_names(self._gate.operator_names())
        self.trail_page.model.set_operator_names(self._gate.operator_names())
        self._render_supervisor()
        self._show_log_page()
        self.unlocked.emit(operator_id)
        self.apply_filter(TimeRange.TODAY)

    def _show_log_page(self) -> None:
        self.pages.setCurrentIndex(_LOG_PAGE)

    def _on_idle(self) -> None:
        if self.exporting:
            self._idle.start()  # never lock under a running export
            return
        if self._operator is not None:
            self.close_view()

    def _touch(self) -> None:
        self._idle.start()

    # ------------------------------------------------------------ the log

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self._render_buttons()
        if loading:
            self.log_page.show_reading()

    def _on_first_page(self, generation: int, got: tuple[list[LogRow], int]) -> None:
        if generation != self._generation or self._operator is None:
            return
        rows, total = got
        self._total = total
        self.log_page.model.set_rows(rows)
        self._page_shown(rows)

    def _on_more(self, generation: int, rows: list[LogRow]) -> None:
        if generation != self._generation or self._operator is None:
            return
        self.log_page.model.append_rows(rows)
        self._page_shown(rows)

    def _page_shown(self, rows: list[LogRow]) -> None:
        assert self._operator is not None  # noqa: S101 - checked by the callers
        self._pages_read += 1
        self._set_loading(False)
        self._render_summary()
        self._session.log_viewed(
            self._operator, self._where, self._pages_read, len(rows), self._total
        )
        self.log_loaded.emit(self.log_page.model.rowCount())

    def _failed(self, error: BaseException) -> None:
        log.error("supervisor view: reading the store failed", exc_info=error)
        self._set_loading(False)
        self.log_page.show_failed()

    # ------------------------------------------------------------ export

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self.exporting:
            return
        self._touch()
        self.log_page.export_progressed(done, total)

    def _export_ended(self, job: ExportJob, result: str, rows: int) -> None:
        self.log_page.export_ended(result, rows, job.path)
        self._render_buttons()
        self.export_finished.emit(result, str(job.path), rows)

    # ------------------------------------------------------------ rendering

    def _render_buttons(self) -> None:
        logs, unlocked = self.log_page, self._operator is not None
        exhausted = self._pages is None or self._pages.exhausted
        selected = logs.selected()
        logs.more_button.setEnabled(unlocked and not self._loading and not exhausted)
        has_code = selected is not None and selected.issuer is not None
        logs.trail_button.setEnabled(unlocked and has_code and selected.code_id is not None)
        can_export = unlocked and not self.exporting and logs.model.rowCount() > 0
        logs.csv_button.setEnabled(can_export)
        logs.xlsx_button.setEnabled(can_export)

    def _render_supervisor(self) -> None:
        name = self._gate.display_name(self._operator) if self._operator else ""
        self.log_page.show_supervisor(name)

    def _render_summary(self) -> None:
        if self._loading:
            return
        self.log_page.show_summary(self._operator is not None, self._total)
        self._render_buttons()
