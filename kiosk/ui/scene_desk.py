"""The pharmacy's and clinic's forms on the kiosk window (issue 25): after a scan whose passage
a form follows (kiosk.app.scenes), the form opens in place of the result, its heading saying the
colour and outcome; saved (durably, off the GUI thread) or cancelled, the scan screen returns."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.app.scenes import SCENE_SCREENS, SceneDesk, demo_filled
from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.scenes import ClinicForm, PurchaseForm
from kiosk.ui.bridge import FlowBridge
from kiosk.ui.clinic import ClinicPanel
from kiosk.ui.purchase import PurchasePanel

DEMO_FILL_MS = 1500


class SceneScreens(QObject):
    """Owns the two forms; `screens` go into the window's stack."""

    finished = Signal(object)  # the saved record's id, or an exception (on the GUI thread)

    def __init__(
        self,
        bridge: FlowBridge,
        desk: SceneDesk,
        *,
        demo: bool = False,
        nudge: Callable[[], None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.nudge = nudge  # a saved form goes to central now, not at the next scheduled sync
        self.demo = demo  # `kiosk --demo`: the form fills and saves itself, as staff would
        self.bridge = bridge
        self.desk = desk
        self.purchase = PurchasePanel()
        self.clinic = ClinicPanel(today=desk.today)
        self.screens = {"purchase": self.purchase, "clinic": self.clinic}
        self.window: object | None = None
        self.saving = False

    def attach(self, window) -> None:  # type: ignore[no-untyped-def]
        self.window = window
        self.bridge.result_shown.connect(self._result_shown)
        for panel in (self.purchase, self.clinic):
            panel.saved.connect(self._save)
            panel.cancelled.connect(self._back_to_scan)
        self.finished.connect(self._saved)

    def _result_shown(self, view: ResultView) -> None:
        record = self.bridge.driver.last_record
        if record is None or record.record_id != view.record_id:
            return
        driver = self.bridge.driver
        form = self.desk.form_for(record, driver.last_birth_date, driver.last_card_address)
        if isinstance(form, PurchaseForm):
            self.purchase.open(form, view)
            self.window.show_screen("purchase")  # type: ignore[attr-defined]
        elif isinstance(form, ClinicForm):
            self.clinic.open(form, view, self.desk.earlier_visits(form), self.desk.gazetteer())
            self.window.show_screen("clinic")  # type: ignore[attr-defined]
        if self.demo and form is not None:
            QTimer.singleShot(DEMO_FILL_MS, lambda: self._demo_fill(view))

    def _demo_fill(self, view: ResultView) -> None:
        panel = self.purchase if self.window.current_screen == "purchase" else self.clinic  # type: ignore[attr-defined]
        if self.window.current_screen not in SCENE_SCREENS or panel.form is None:  # type: ignore[attr-defined]
            return  # closed, or the next person's result came first
        if panel.view is not view:
            return
        filled = demo_filled(panel.form)
        if isinstance(filled, PurchaseForm):
            self.purchase.open(filled, view)
        else:
            self.clinic.open(filled, view, self.clinic.visits, self.clinic.gazetteer)
        panel.save.click()

    def _save(self, form: PurchaseForm | ClinicForm) -> None:
        if self.saving:
            return
        self.saving = True
        future: Future[str] = self.desk.save(form, self.bridge.flow.operator_id)
        future.add_done_callback(lambda done: self.finished.emit(done.exception() or done.result()))

    def _saved(self, outcome: object) -> None:
        self.saving = False
        if isinstance(outcome, BaseException):
            panel = self.purchase if self.window.current_screen == "purchase" else self.clinic  # type: ignore[attr-defined]
            panel.message.setText(str(outcome))
            panel.message.show()
            return
        self.nudge()
        self._back_to_scan()

    def _back_to_scan(self) -> None:
        self.window.show_screen("scan")  # type: ignore[attr-defined]
