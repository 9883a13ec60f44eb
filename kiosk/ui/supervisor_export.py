"""One export at a time off the GUI thread for the supervisor view: progress delivered queued,
the end audited through the session, then announced."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from kiosk.sessions.export import ExportCancelledError, ExportFormat, ExportOptions
from kiosk.sessions.supervisor import ExportJob, SupervisorSession
from kiosk.store import LogFilter
from kiosk.ui.background import Background

log = logging.getLogger(__name__)


class ExportRun(QObject):
    """Runs a `SupervisorSession` export on `background`; `progressed` is emitted from the
    worker thread (connect it queued), `ended` on the GUI thread once the end is audited."""

    progressed = Signal(int, int)  # rows written, rows in all
    ended = Signal(object, str, int)  # ExportJob, result ("done", "cancelled", "failed"), rows

    def __init__(
        self, session: SupervisorSession, background: Background, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._background = background
        self.job: ExportJob | None = None

    def start(
        self,
        export_format: ExportFormat,
        where: LogFilter,
        operator_id: str,
        options: ExportOptions,
    ) -> None:
        if self.job is not None:
            return
        session, progressed = self._session, self.progressed.emit
        job = self.job = session.new_export(export_format, where, operator_id)
        self._background.run(
            lambda: session.run_export(job, options, progressed),
            lambda rows: self._ended(job, "done", int(rows)),
            lambda error: self._ended(
                job, "cancelled" if isinstance(error, ExportCancelledError) else "failed", 0, error
            ),
        )

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def _ended(
        self, job: ExportJob, result: str, rows: int, error: BaseException | None = None
    ) -> None:
        if error is not None and result == "failed":
            log.error("export failed", exc_info=error)
        self.job = None
        self._session.export_ended(job, result, rows)
        self.ended.emit(job, result, rows)
