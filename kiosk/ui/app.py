"""The composition root: builds the store, the flow, the drivers, the threads and the window,
and wires them together. The only place that knows all the parts.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QImage

from drivers.camera.capture import Capture
from drivers.camera.sources import FrameSource, open_source
from drivers.idcard import open_id_reader
from drivers.idcard.driver import IdCardDriver
from drivers.qr.gate import ScanGate
from drivers.qr.pipeline import default_pipeline
from drivers.serialio.events import DeviceStateEvent
from drivers.serialio.transport import open_url
from drivers.thermometer.driver import ThermometerDriver
from drivers.thermometer.protocol import Compensation, check_model
from healthcode.dcc import DccTrustList
from healthcode.identity import mask_name
from healthcode.jkm import default_registry
from healthcode.text import LocalText
from kiosk.app.discovery import discover
from kiosk.app.scanning import CameraScan, CameraScanLoop, CodeChecker, TrustState
from kiosk.app.settings import META_KEY as SETTINGS_KEY
from kiosk.app.settings import PASSAGE_FIELDS_KEY, KioskSettings, fields_from_json
from kiosk.app.viewstate import (
    StatusItem,
    StatusKind,
    backlog_item,
    clock_item,
    device_item,
    disk_item,
    feed_item,
    network_item,
    refused_item,
    sync_item,
)
from kiosk.checkpoint.clock import TrustedClock
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.policy import PassageField, Policy
from kiosk.config import KioskConfig, default_config_path
from kiosk.sessions.access import StaffAccess
from kiosk.sessions.supervisor import SupervisorSession
from kiosk.sessions.technician import TechnicianSession
from kiosk.store import DiskStatus, Store, StoreCounts
from kiosk.ui.bridge import FlowBridge
from kiosk.ui.i18n import Language, LanguageSwitch
from kiosk.ui.pinpad import AccessGate
from kiosk.ui.provisioning import ProvisioningView
from kiosk.ui.signin import SignInView
from kiosk.ui.supervisor import SupervisorView
from kiosk.ui.wedge import WedgeListener, listen_on
from kiosk.ui.window import KioskWindow
from sync.schemas import KioskHealth

log = logging.getLogger(__name__)

VERSION = "0.1.0"
PREVIEW_WIDTH = 640
PREVIEW_INTERVAL_S = 0.12
STATUS_INTERVAL_MS = 1000
# The exit status when a technician leaves the application on purpose: the service manager
# does not restart the kiosk for it (systemd RestartPreventExitStatus=, build/kiosk.service).
EXIT_LEFT_BY_TECHNICIAN = 64


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class KioskSetup:
    """Everything the kiosk is built from; the configuration file and demo mode fill it."""

    data_dir: Path
    policy: Policy
    trust: TrustState
    binding_keys: dict[str, list[bytes]] = field(default_factory=dict)
    camera: str | FrameSource | None = None
    camera_size: tuple[int, int] = (1280, 720)
    camera_fps: float | None = 15.0
    thermometer_url: str | None = None
    thermometer_model: str = "gy-mcu90614"
    thermometer_baudrate: int | None = None
    compensation: Compensation = field(default_factory=Compensation)
    id_reader_url: str | None = None
    result_duration: timedelta = timedelta(seconds=1)
    language: Language = Language.ZH
    enrolled: bool = False
    on_scan_text: Callable[[str], None] | None = None  # demo mode's director
    export_dir: Path | None = None  # where supervisors' exports go (e.g. a USB stick)
    dcc_trust: DccTrustList | None = None  # recognised EU DCC signers (mutual recognition)
    config: KioskConfig | None = None  # the file's settings: what provisioning shows and saves
    lock: bool = False  # the kiosk lock ([kiosk] lock; off in demo mode)
    demo: bool = False  # provisioning offers the simulators
    camera_folders: tuple[Path, ...] = ()  # image folders provisioning offers as cameras


class _Relay(QObject):
    """Signals that carry worker-thread results to the GUI thread."""

    preview = Signal(QImage)
    counts = Signal(object)
    device = Signal(str, object)
    crashed = Signal()
    policy = Signal(object)
    refused = Signal(object)


class Kiosk:
    def __init__(
        self,
        setup: KioskSetup,
        *,
        wall_clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        gate_absent_after_s: float = 1.0,
        central_client: Callable[[], AbstractContextManager[httpx.Client]] | None = None,
        on_enrolled: Callable[[Kiosk], None] | None = None,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self.setup = setup
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        keys = setup.data_dir / "keys"
        self.store = Store.open(setup.data_dir / "kiosk.db", keys / "store.key")
        self.clock = TrustedClock(floor_utc=self.store.copies.clock_floor())
        if setup.trust.trust_list is not None:
            self.clock.raise_floor(setup.trust.trust_list.issued_at_utc)
        self.checker = CodeChecker(
            default_registry(setup.dcc_trust), setup.trust, last_passage=self.store.passages.last_at
        )
        self.flow = PassageFlow(
            setup.policy, binding_keys=setup.binding_keys, result_duration=setup.result_duration
        )
        self._relay = _Relay()
        self.thermometer: ThermometerDriver | None = None
        self.id_reader: IdCardDriver | None = None
        self.camera_loop: CameraScanLoop | None = None
        self.bridge = FlowBridge(
            self.flow,
            self.store,
            self.checker,
            clock=self.clock,
            wall_clock=wall_clock,
            monotonic=monotonic,
            on_result_closed=self._result_closed,
        )
        self.languages = LanguageSwitch()
        self.gate = AccessGate(StaffAccess(self.store, self.trusted_now))
        self.signin = SignInView(self.gate, self.trusted_now, language=setup.language)
        self.supervisor = SupervisorView(
            SupervisorSession(
                self.store,
                self.trusted_now,
                export_dir=setup.export_dir or setup.data_dir / "exports",
            ),
            self.gate,
            language=setup.language,
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
                stop_sync=self._stop_sync,
            ),
            self.gate,
            language=setup.language,
        )
        self.window = KioskWindow(
            self.bridge,
            self.languages,
            version=VERSION,
            extra_screens={
                "signin": self.signin,
                "supervisor": self.supervisor,
                "provisioning": self.provisioning,
            },
        )
        self.window.set_locked(setup.lock)
        self._on_enrolled = on_enrolled or adopt_enrollment
        self._on_exit = on_exit or (lambda: QCoreApplication.exit(EXIT_LEFT_BY_TECHNICIAN))
        self._local_fields: frozenset[PassageField] | None = None
        self._wire_staff()
        self._wire_provisioning()
        self._device_states: dict[StatusKind, DeviceStateEvent | None] = {}
        self._counts: StoreCounts | None = None
        self._disk: DiskStatus | None = None
        self._relay.preview.connect(self.window.show_frame)
        self._relay.counts.connect(self._take_counts)
        self._relay.device.connect(self._take_device)
        self._relay.crashed.connect(self._back_to_scanning)
        self._relay.policy.connect(self._take_policy)
        self._relay.refused.connect(self._take_refusal)
        self.scanner_gate = ScanGate(source="wedge", last_passage=self.checker.last_passage_of_text)
        self.wedge = WedgeListener()
        self.wedge.scanned.connect(self.scanner_text)
        listen_on(self.wedge, self.window.scan)
        listen_on(self.wedge, self.window.result)
        self._status_timer = QTimer()
        self._status_timer.setInterval(STATUS_INTERVAL_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll_counts, name="status", daemon=True)
        self._last_preview_s = 0.0
        self._preview_pending = threading.Event()
        self._gate_absent_after_s = gate_absent_after_s
        self.sound: Any = None  # the SoundPlayer, attached by run()
        self.sync: Any = None  # kiosk.client.worker.SyncWorker, attached when the kiosk is enrolled
        self._refusal: LocalText | None = None  # the newest refused download, for the bar
        self.settings = KioskSettings()

    # ---------------------------------------------------------------- staff

    def _wire_staff(self) -> None:
        window = self.window
        window.scan.sign_in_requested.connect(self._open_sign_in)
        window.scan.supervisor_requested.connect(self._open_supervisor)
        self.signin.signed_in.connect(self._signed_in)
        self.signin.signed_out.connect(self._signed_out)
        self.signin.closed.connect(lambda: window.show_screen("scan"))
        self.supervisor.closed.connect(lambda: window.show_screen("scan"))
        self.supervisor.settings_changed.connect(self.apply_settings)

    def _wire_provisioning(self) -> None:
        view = self.provisioning
        self.supervisor.technician_requested.connect(self.open_provisioning)
        self.window.close_requested.connect(self.open_provisioning)
        view.closed.connect(self._provisioning_closed)
        view.exit_requested.connect(self._leave)
        view.devices.saved.connect(self._take_config)
        view.enrollment.enrolled.connect(lambda _as: self._on_enrolled(self))
        view.enrollment.reset_done.connect(self._enrollment_reset)
        view.staff.fields_changed.connect(self.apply_passage_fields)
        view.staff.changed.connect(lambda _what: self.gate.load())

    def open_provisioning(self) -> None:
        """The technician's screen (behind the technician's PIN); also where a locked kiosk
        goes when someone tries to close it."""
        if self.window.current_screen == "provisioning":
            return
        self.bridge.cancel()
        self._release_devices()  # nobody passes meanwhile; the tests need the ports
        self.window.show_screen("provisioning")
        self.provisioning.start()
        self.provisioning.staff.load(self.flow.policy.passage_fields)

    def _provisioning_closed(self) -> None:
        self._reopen_devices()
        self.window.show_screen("scan")

    def _leave(self) -> None:
        self.window.allow_close()
        self.window.close()
        self._on_exit()

    def _take_config(self, config: KioskConfig) -> None:
        """Saved devices: opened when the technician's screen closes."""
        setup = self.setup
        setup.config = config
        setup.thermometer_url = config.thermometer.url or None
        setup.thermometer_model = config.thermometer.model
        setup.thermometer_baudrate = config.thermometer.baudrate or None
        setup.compensation = config.thermometer.compensation()
        setup.id_reader_url = config.id_reader.url or None
        setup.camera = config.camera.source or None
        setup.camera_size = (config.camera.width, config.camera.height)
        setup.camera_fps = config.camera.fps

    def _release_devices(self) -> None:
        """Stop the drivers so that the technician's tests can open the ports."""
        if self.camera_loop is not None:
            self.camera_loop.stop()
            self.camera_loop = None
        for driver in (self.thermometer, self.id_reader):
            if driver is not None:
                driver.stop()
        self.thermometer = self.id_reader = None
        self.bridge.temperature = None
        self._device_states.clear()

    def _reopen_devices(self) -> None:
        self._release_devices()
        self._open_devices()
        self.refresh_status()

    def _stop_sync(self) -> None:
        """From the reset's worker thread: no upload or download while de-enrolling."""
        worker, self.sync = self.sync, None
        if worker is not None:
            worker.stop()

    def _enrollment_reset(self) -> None:
        self.setup.enrolled = False
        self.gate.load()
        self.refresh_status()

    def apply_passage_fields(self, fields: frozenset[PassageField] | None) -> None:
        """The technician's passage fields replace the policy's (None: the policy's)."""
        self._local_fields = fields
        if fields is not None:
            self.flow.set_policy(replace(self.flow.policy, passage_fields=fields))
        self.window.configure_fields(self.flow.policy.passage_fields)

    def apply_settings(self, settings: KioskSettings) -> None:
        """Settings a supervisor saved: sounds and how long results stay up, at once."""
        self.settings = settings
        self.flow.set_result_duration(timedelta(seconds=settings.result_seconds))
        if self.sound is not None:
            self.sound.set_muted(settings.muted)
            self.sound.set_voice(settings.voice)

    def _open_sign_in(self) -> None:
        self.window.show_screen("signin")
        self.signin.start()

    def _open_supervisor(self) -> None:
        self.window.show_screen("supervisor")
        self.supervisor.start()

    def _signed_in(self, operator_id: str) -> None:
        self.bridge.sign_in(operator_id)
        self.window.show_operator(self.gate.display_name(operator_id))
        self.window.show_screen("scan")

    def _signed_out(self) -> None:
        self.bridge.sign_in(None)
        self.window.show_operator(None)

    # ---------------------------------------------------------------- devices

    def trusted_now(self) -> datetime:
        return self.clock.read(self._wall_clock(), self._monotonic()).now_utc

    def _state_callback(self, kind: StatusKind) -> Callable[[DeviceStateEvent], None]:
        def relay(event: DeviceStateEvent) -> None:
            self._relay.device.emit(kind.value, event)

        return relay

    def start(self) -> None:
        setup = self.setup
        self.languages.set_language(setup.language)
        self._open_devices()
        self.gate.load()
        self.apply_settings(KioskSettings.from_json(self.store.meta.get(SETTINGS_KEY)))
        fields = fields_from_json(self.store.meta.get(PASSAGE_FIELDS_KEY))
        if fields is not None:
            self.apply_passage_fields(fields)
        self.bridge.start()
        self._status_timer.start()
        self._poller.start()
        self.refresh_status()

    def _open_devices(self) -> None:
        setup = self.setup
        for kind, configured in (
            (StatusKind.CAMERA, setup.camera is not None),
            (StatusKind.THERMOMETER, setup.thermometer_url is not None),
            (StatusKind.ID_READER, setup.id_reader_url is not None),
        ):
            if configured:
                self._device_states[kind] = None
        if setup.thermometer_url:
            self._open_thermometer(setup.thermometer_url)
        if setup.id_reader_url:
            self._open_id_reader(setup.id_reader_url)
        if setup.camera is not None:
            self._open_camera(setup.camera)

    def _open_thermometer(self, url: str) -> None:
        spec = check_model(self.setup.thermometer_model)
        rate = self.setup.thermometer_baudrate or spec.baudrate

        def reopen() -> Any:
            return open_url(url, baudrate=rate)

        try:
            transport = reopen()
        except OSError as error:
            log.warning("thermometer %s cannot be opened: %s", url, error)
            transport = None
        self.thermometer = ThermometerDriver(
            transport,
            model=spec.name,
            on_reading=lambda reading: None,  # pulled by the bridge when a person needs one
            on_state=self._state_callback(StatusKind.THERMOMETER),
            reopen=reopen,
            compensation=self.setup.compensation,
            clock=self.trusted_now,
        )
        self.bridge.temperature = self.thermometer
        self.thermometer.start()

    def _open_id_reader(self, url: str) -> None:
        try:
            self.id_reader = open_id_reader(
                url,
                on_identity=lambda identity: self.bridge.post_identity(
                    identity.id_number, mask_name(identity.name)
                ),
                on_state=self._state_callback(StatusKind.ID_READER),
            )
        except OSError as error:
            log.warning("ID reader %s cannot be opened: %s", url, error)
            self._device_states[StatusKind.ID_READER] = None

    def _open_camera(self, camera: str | FrameSource) -> None:
        width, height = self.setup.camera_size
        source = (
            open_source(camera, width=width, height=height, fps=self.setup.camera_fps)
            if isinstance(camera, str)
            else camera
        )
        capture = Capture(source, on_state=self._state_callback(StatusKind.CAMERA))
        from drivers.qr.gate import ScanGate

        self.camera_loop = CameraScanLoop(
            capture,
            default_pipeline(),
            self.checker,
            on_scan=self._on_camera_scan,
            clock=self.trusted_now,
            on_frame=self._on_frame,
            gate=ScanGate(
                absent_after_s=self._gate_absent_after_s,
                last_passage=self.checker.last_passage_of_text,
            ),
        )
        self.camera_loop.start()

    def _on_camera_scan(self, scan: CameraScan) -> None:
        if self.setup.on_scan_text is not None:
            self.setup.on_scan_text(scan.event.text)
        self.bridge.post_scan(scan)

    def _on_frame(self, frame: object) -> None:
        """On the camera thread: a small preview now and then, dropped while one is pending."""
        now = time.monotonic()
        if now - self._last_preview_s < PREVIEW_INTERVAL_S or self._preview_pending.is_set():
            return
        self._last_preview_s = now
        image = np.asarray(frame)
        height = int(image.shape[0] * PREVIEW_WIDTH / image.shape[1])
        small = cv2.resize(image, (PREVIEW_WIDTH, height), interpolation=cv2.INTER_AREA)
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2RGB)
        else:
            small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        qimage = QImage(
            small.data,
            small.shape[1],
            small.shape[0],
            small.strides[0],
            QImage.Format.Format_RGB888,
        ).copy()
        self._preview_pending.set()
        self._relay.preview.emit(qimage)

    def _result_closed(self, now: datetime) -> None:
        self.scanner_gate.result_closed(now)
        if self.camera_loop is not None:
            self.camera_loop.result_closed(now)

    def scanner_text(self, text: str) -> None:
        """A hardware scanner's line (keyboard wedge or serial): one presentation per pull."""
        now = self.trusted_now()
        self.checker.verify(text, now)
        event = self.scanner_gate.scanned(text, now)
        if event is None:
            return
        since = None
        if event.repeat and event.since_last_s is not None:
            since = timedelta(seconds=event.since_last_s)
        self.bridge.handle(self.checker.check(text, now, since), now)

    # ---------------------------------------------------------------- status

    def _poll_counts(self) -> None:
        while not self._stop.wait(STATUS_INTERVAL_MS / 1000):
            try:
                self._disk = self.store.disk_status()
                self._relay.counts.emit(self.store.passages.counts(self.trusted_now()))
            except Exception:  # the status bar must never take the kiosk down
                log.exception("status counts failed")

    def _take_counts(self, counts: StoreCounts) -> None:
        self._counts = counts

    def _take_device(self, kind: str, event: DeviceStateEvent) -> None:
        self._device_states[StatusKind(kind)] = event
        self.refresh_status()

    def status_items(self) -> tuple[StatusItem, ...]:
        now = self.trusted_now()
        self._preview_pending.clear()
        items = [
            device_item(kind, self._device_states.get(kind), kind in self._device_states)
            for kind in (StatusKind.CAMERA, StatusKind.THERMOMETER, StatusKind.ID_READER)
        ]
        status = self.sync.status() if self.sync is not None else None
        items.append(network_item(self.setup.enrolled, status.online if status else None))
        last = status.last_sync_utc if status else None
        items.append(sync_item(now - last if last is not None else None))
        backlog = self._counts.upload_backlog if self._counts else 0
        items.append(backlog_item(backlog))
        items.append(feed_item(self.checker.state.feed.age(now), self.flow.policy.max_feed_age))
        items.append(clock_item(self.bridge.clock_trusted))
        disk = self._disk
        if disk is not None and disk.low:
            items.append(disk_item(disk.free_bytes, disk.low))
        if self._refusal is not None:
            items.append(refused_item(self._refusal))
        return tuple(items)

    def attach_sync(self, worker: Any) -> None:
        """The sync thread (uploads, then downloads) of an enrolled kiosk; a fever report
        wakes it at once."""
        self.sync = worker
        self.bridge.passage_saved.connect(self._nudge_sync)
        from kiosk.ui.update_timer import watch_for_updates  # updates: restart when idle

        watch_for_updates(self, worker)

    def _nudge_sync(self, fever: bool) -> None:
        if fever and self.sync is not None:
            self.sync.nudge()

    def policy_downloaded(self, policy: Policy) -> None:
        """From the sync thread: a verified newer policy (applies from the next person on)."""
        self._relay.policy.emit(policy)

    def download_refused(self, text: LocalText) -> None:
        """From the sync thread: a download failed verification; the old copy stays."""
        self._relay.refused.emit(text)

    def _take_policy(self, policy: Policy) -> None:
        if self._local_fields is not None:
            policy = replace(policy, passage_fields=self._local_fields)
        self.flow.set_policy(policy)
        self.window.configure_fields(policy.passage_fields)

    def _take_refusal(self, text: LocalText) -> None:
        self._refusal = text
        self.refresh_status()

    def health(self) -> KioskHealth:
        """What central learns of this kiosk with every request (no personal data)."""
        now = self.trusted_now()
        age = self.checker.state.feed.age(now)
        counts, disk = self._counts, self._disk
        return KioskHealth(
            software_version=VERSION,
            backlog_records=counts.upload_backlog if counts else None,
            feed_age_s=int(age.total_seconds()) if age is not None else None,
            clock_offset_s=int(
                self.clock.read(self._wall_clock(), self._monotonic()).offset.total_seconds()
            ),
            free_disk_bytes=disk.free_bytes if disk else None,
        )

    def refresh_status(self) -> None:
        self.window.show_status(self.status_items())

    # ---------------------------------------------------------------- crashes

    def recover_after_crash(self) -> None:
        """From any thread, after an unhandled error was logged: back to the scan screen."""
        self._relay.crashed.emit()

    def _back_to_scanning(self) -> None:
        self.bridge.cancel()
        self.window.show_screen("scan")

    # ---------------------------------------------------------------- end

    def stop(self) -> None:
        self._stop.set()
        self._status_timer.stop()
        self.bridge.stop()
        if self.camera_loop is not None:
            self.camera_loop.stop()
        for driver in (self.thermometer, self.id_reader):
            if driver is not None:
                driver.stop()
        # A scan or reading the devices posted just before they stopped must not reach the
        # flow once the store is closed.
        QCoreApplication.removePostedEvents(self.bridge)
        QCoreApplication.removePostedEvents(self._relay)
        if self._poller.is_alive():
            self._poller.join(2.0)
        self.supervisor.shutdown()
        self.provisioning.shutdown()
        self.gate.shutdown()
        if self.sync is not None:
            self.sync.stop()
        floor = self.clock.floor_utc
        if floor is not None:
            self.store.copies.raise_clock_floor(floor).result(timeout=5)
        self.store.close()
        self.languages.close()


def adopt_enrollment(kiosk: Kiosk) -> None:
    """Just enrolled from the technician's screen: the roster, trust list, policy and binding
    keys central sent are used at once, and the sync thread starts."""
    from kiosk.ui.run import IDENTITY_DIR, _enrolled, make_sync

    folder = kiosk.setup.data_dir
    enrolled = _enrolled(folder)
    if enrolled is None:
        return
    kiosk.setup.enrolled = True
    kiosk.store.copies.replace_roster(enrolled.operators)
    old = kiosk.checker.state
    kiosk.checker.state = TrustState(enrolled.trust_list, old.feed, old.recognised_issuers)
    kiosk.flow.set_binding_keys({**kiosk.setup.binding_keys, **enrolled.binding_keys})
    kiosk.policy_downloaded(enrolled.policy)
    kiosk.gate.load()
    with contextlib.suppress(OSError):
        kiosk.attach_sync(make_sync(kiosk, folder / IDENTITY_DIR))
