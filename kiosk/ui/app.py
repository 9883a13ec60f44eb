"""The kiosk's window around its application: builds the `KioskApp` (Qt-free) with the GUI
thread as its app thread, the screens, and the staff and technician views, and wires them.
The only hop from worker threads to the GUI thread is `_GuiThread.post`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from healthcode.text import LocalText
from kiosk.app.app import AppListener, KioskApp, utc_now
from kiosk.app.discovery import discover
from kiosk.app.enrolment import Enrolled
from kiosk.app.scenes import SceneDesk
from kiosk.app.settings import KioskSettings
from kiosk.app.startup import KioskSetup
from kiosk.app.status import VERSION
from kiosk.app.viewstate import ScreenLayout, StatusItem
from kiosk.checkpoint.policy import PassageField, Policy
from kiosk.config import KioskConfig, default_config_path
from kiosk.sessions.access import StaffAccess
from kiosk.sessions.duty_trail import DutyTrailSession
from kiosk.sessions.supervisor import SupervisorSession
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui.bridge import FlowBridge
from kiosk.ui.i18n import Language, LanguageSwitch
from kiosk.ui.person_trail import PersonTrailView
from kiosk.ui.pinpad import AccessGate
from kiosk.ui.provisioning import ProvisioningView
from kiosk.ui.scene_desk import SceneScreens
from kiosk.ui.signin import SignInView
from kiosk.ui.supervisor import SupervisorView
from kiosk.ui.wedge import WedgeListener, listen_on
from kiosk.ui.window import PERSON_TRAIL, KioskWindow
from sync.schemas import KioskHealth

__all__ = ["EXIT_LEFT_BY_TECHNICIAN", "Kiosk", "KioskSetup"]

STATUS_INTERVAL_MS = 1000
# The exit status when a technician leaves the application on purpose: the service manager
# does not restart the kiosk for it (systemd RestartPreventExitStatus=, build/kiosk.service).
EXIT_LEFT_BY_TECHNICIAN = 64


class _GuiThread(QObject):
    """The app thread of a windowed kiosk: a posted call runs later on the GUI thread, in order."""

    _posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, call: Callable[[], None]) -> None:
        self._posted.emit(call)

    @staticmethod
    def _run(call: Callable[[], None]) -> None:
        call()


class _WindowListener(AppListener):
    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk

    def status_changed(self) -> None:
        self._kiosk.refresh_status()

    def preview(self, rgb: Any) -> None:
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888)
        self._kiosk.window.show_frame(image.copy())

    def fields_changed(self, fields: frozenset[PassageField]) -> None:
        self._kiosk.window.configure_fields(fields)

    def roster_changed(self) -> None:
        self._kiosk.gate.load()

    def settings_applied(self, settings: KioskSettings) -> None:
        sound = self._kiosk.sound
        if sound is not None:
            sound.set_muted(settings.muted)
            sound.set_voice(settings.voice)

    def sync_attached(self, worker: Any) -> None:
        from kiosk.ui.update_timer import watch_for_updates  # updates: restart when idle

        watch_for_updates(self._kiosk, worker)

    def recovered(self) -> None:
        self._kiosk.window.show_screen("scan")


class Kiosk:
    def __init__(
        self,
        setup: KioskSetup,
        *,
        wall_clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] | None = None,
        gate_absent_after_s: float = 1.0,
        central_client: Callable[[], AbstractContextManager[httpx.Client]] | None = None,
        on_enrolled: Callable[[Kiosk], None] | None = None,
        on_exit: Callable[[], None] | None = None,
        enrolled: Enrolled | None = None,
    ) -> None:
        self.setup = setup
        self._gui_thread = _GuiThread()
        options: dict[str, Any] = {} if monotonic is None else {"monotonic": monotonic}
        self.app = app = KioskApp(
            setup,
            post=self._gui_thread.post,
            wall_clock=wall_clock,
            gate_absent_after_s=gate_absent_after_s,
            enrolled=enrolled,
            **options,
        )
        self.store, self.clock, self.checker, self.flow = (
            app.store,
            app.clock,
            app.checker,
            app.flow,
        )
        self.bridge = FlowBridge(app.driver)
        self.languages = LanguageSwitch()
        language = Language(setup.language)
        self.gate = AccessGate(StaffAccess(self.store, self.trusted_now))
        self.signin = SignInView(self.gate, self.trusted_now, language=language)
        self.supervisor = SupervisorView(
            SupervisorSession(
                self.store,
                self.trusted_now,
                export_dir=setup.export_dir or setup.data_dir / "exports",
                area_trail=app.area_trail,
            ),
            self.gate,
            language=language,
        )
        # Hainan 004: the duty operator reads the person's records (no supervisor PIN).
        self.records = PersonTrailView(
            DutyTrailSession(self.store, self.trusted_now, area_trail=app.area_trail),
            operator_names=self.gate.operator_names,
        )
        config = setup.config or KioskConfig.default()
        self.provisioning = ProvisioningView(
            TechnicianSession(
                self.store,
                self.trusted_now,
                config=config,
                config_path=Path(config.path) if config.path else default_config_path(),
                identity_dir=setup.data_dir / "identity",
                discover=lambda: discover(demo=setup.demo, camera_folders=setup.camera_folders),
                client=central_client or (lambda: httpx.Client(timeout=15.0)),
                stop_sync=app.stop_sync,
            ),
            self.gate,
            language=language,
        )
        # Issue 25: the pharmacy's and clinic's forms, after a scan at such a checkpoint.
        self.scenes = SceneScreens(
            self.bridge,
            SceneDesk(self.store, lambda: app.flow.policy, self.trusted_now),
            demo=setup.demo,
            nudge=self._nudge_sync,
        )
        self.window = KioskWindow(
            self.bridge,
            self.languages,
            version=VERSION,
            extra_screens={
                "signin": self.signin,
                "supervisor": self.supervisor,
                PERSON_TRAIL: self.records,
                "provisioning": self.provisioning,
                **self.scenes.screens,
            },
        )
        self.scenes.attach(self.window)
        self.window.set_locked(setup.lock)
        self.window.set_layout_setting(ScreenLayout(setup.layout))
        self._on_enrolled = on_enrolled or (lambda kiosk: kiosk.app.adopt_enrolment())
        self._on_exit = on_exit or (lambda: QCoreApplication.exit(EXIT_LEFT_BY_TECHNICIAN))
        self.sound: Any = None  # the SoundPlayer, attached by run()
        app.listener = _WindowListener(self)
        self._wire_staff()
        self._wire_provisioning()
        self.wedge = WedgeListener()
        self.wedge.scanned.connect(app.scanner_text)
        listen_on(self.wedge, self.window.scan)
        listen_on(self.wedge, self.window.result)
        self._status_timer = QTimer()
        self._status_timer.setInterval(STATUS_INTERVAL_MS)
        self._status_timer.timeout.connect(self.refresh_status)

    # ---------------------------------------------------------------- what the app keeps

    @property
    def thermometer(self) -> Any:
        return self.app.devices.thermometer

    @property
    def id_reader(self) -> Any:
        return self.app.devices.id_reader

    @property
    def camera_loop(self) -> Any:
        return self.app.devices.camera_loop

    @property
    def settings(self) -> KioskSettings:
        return self.app.settings

    @property
    def sync(self) -> Any:
        return self.app.sync

    def _nudge_sync(self) -> None:
        if self.app.sync is not None:
            self.app.sync.nudge()

    def trusted_now(self) -> datetime:
        return self.app.trusted_now()

    def status_items(self) -> tuple[StatusItem, ...]:
        return self.app.status_items()

    def health(self) -> KioskHealth:
        return self.app.status.health()

    def policy_downloaded(self, policy: Policy) -> None:
        self.app.policy_downloaded(policy)

    def download_refused(self, text: LocalText) -> None:
        self.app.download_refused(text)

    def recover_after_crash(self) -> None:
        self.app.recover_after_crash()

    def apply_settings(self, settings: KioskSettings) -> None:
        self.app.apply_settings(settings)

    def refresh_status(self) -> None:
        self.window.show_status(self.app.status_items())

    # ---------------------------------------------------------------- staff

    def _wire_staff(self) -> None:
        window = self.window
        window.scan.sign_in_requested.connect(self._open_sign_in)
        window.scan.supervisor_requested.connect(self._open_supervisor)
        self.signin.signed_in.connect(self._signed_in)
        self.signin.signed_out.connect(self._signed_out)
        self.signin.closed.connect(window.sign_in_closed)
        window.sign_in_requested.connect(self._open_sign_in)
        self.supervisor.closed.connect(lambda: window.show_screen("scan"))
        self.supervisor.settings_changed.connect(self.app.apply_settings)
        window.records_requested.connect(self.open_records)
        self.records.closed.connect(self._records_closed)

    def _wire_provisioning(self) -> None:
        view = self.provisioning
        self.supervisor.technician_requested.connect(self.open_provisioning)
        self.window.close_requested.connect(self.open_provisioning)
        view.closed.connect(self._provisioning_closed)
        view.exit_requested.connect(self._leave)
        view.devices.saved.connect(self.setup.take_devices)  # opened when the screen closes
        view.enrollment.enrolled.connect(lambda _as: self._on_enrolled(self))
        view.enrollment.reset_done.connect(self.app.enrolment_reset)
        view.staff.fields_changed.connect(self.app.apply_passage_fields)
        view.staff.changed.connect(lambda _what: self.gate.load())

    def open_provisioning(self) -> None:
        """The technician's screen (behind the technician's PIN); also where a locked kiosk
        goes when someone tries to close it."""
        if self.window.current_screen == "provisioning":
            return
        self.bridge.cancel()
        self.app.release_devices()  # nobody passes meanwhile; the tests need the ports
        self.window.show_screen("provisioning")
        self.provisioning.start()
        self.provisioning.staff.load(self.flow.policy.passage_fields)

    def _provisioning_closed(self) -> None:
        self.app.reopen_devices()
        self.window.show_screen("scan")

    def _leave(self) -> None:
        self.window.allow_close()
        self.window.close()
        self._on_exit()

    def _open_sign_in(self) -> None:
        self.window.show_screen("signin")
        self.signin.start()

    def open_records(self, record_id: object) -> None:
        """查看此人记录: the person's records for the operator signed in (refused without one)."""
        self.window.show_screen(PERSON_TRAIL)
        self.records.open(record_id, self.flow.operator_id)  # type: ignore[arg-type]

    def _records_closed(self) -> None:
        if self.window.current_screen == PERSON_TRAIL:  # not over the next person's result
            self.window.show_screen("scan")

    def _open_supervisor(self) -> None:
        self.window.show_screen("supervisor")
        self.supervisor.start()

    def _signed_in(self, operator_id: str) -> None:
        self.bridge.sign_in(operator_id)
        self.window.show_operator(self.gate.display_name(operator_id))
        self.window.after_sign_in()

    def _signed_out(self) -> None:
        self.bridge.sign_in(None)
        self.window.show_operator(None)

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        self.languages.set_language(Language(self.setup.language))
        self.gate.load()
        self.app.start()
        self.bridge.start()
        self._status_timer.start()
        self.refresh_status()

    def stop(self) -> None:
        self._status_timer.stop()
        self.bridge.stop()
        self.supervisor.shutdown()
        self.records.shutdown()
        self.provisioning.shutdown()
        self.gate.shutdown()
        self.app.stop()
        # Work the devices posted just before they stopped must not reach the closed store.
        QCoreApplication.removePostedEvents(self._gui_thread)
        self.languages.close()
