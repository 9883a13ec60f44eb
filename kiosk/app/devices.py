"""The device lifecycle: open what the setup names, reopen after an unplug, release for the
technician's tests, close at the end. Qt-free.

Each device has its own reader thread (the drivers' `DeviceLoop`, the camera loop, the NFC
poller); ports are opened on those threads, never on the caller's, and reopened there after an
unplug. Readings, cards, scans and state changes go to plain callbacks, called on the device
threads: the application posts them to its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from drivers.camera.capture import Capture
from drivers.camera.sources import FrameSource, open_source
from drivers.idcard.driver import IdCardDriver
from drivers.idcard.protocol import BAUDRATE as SAM_BAUDRATE
from drivers.idcard.protocol import IdentityRead
from drivers.qr.gate import ScanGate
from drivers.qr.pipeline import default_pipeline
from drivers.qr.scanner import DEFAULT_BAUDRATE as SCANNER_BAUDRATE
from drivers.qr.scanner import scanner_session
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from drivers.serialio.loop import DeviceLoop
from drivers.serialio.transport import Transport, open_url
from drivers.thermometer.driver import ThermometerDriver
from drivers.thermometer.protocol import check_model
from kiosk.app.nfc import NfcReader
from kiosk.app.scanning import CameraScan, CameraScanLoop, CodeChecker
from kiosk.app.startup import KioskSetup
from kiosk.app.viewstate import StatusKind

log = logging.getLogger(__name__)

StateCallback = Callable[[StatusKind, DeviceStateEvent | None], None]


class Devices:
    """The kiosk's open devices. `open()` and `release()` from the app thread."""

    def __init__(
        self,
        setup: KioskSetup,
        checker: CodeChecker,
        *,
        clock: Callable[[], datetime],
        on_state: StateCallback,
        on_camera_scan: Callable[[CameraScan], None],
        on_identity: Callable[[IdentityRead], None],
        on_scanner_text: Callable[[str], None],
        on_frame: Callable[[object], None] | None = None,
        gate_absent_after_s: float = 1.0,
    ) -> None:
        self.setup = setup
        self.checker = checker
        self._clock = clock
        self._on_state = on_state
        self._on_camera_scan = on_camera_scan
        self._on_identity = on_identity
        self._on_scanner_text = on_scanner_text
        self._on_frame = on_frame
        self._gate_absent_after_s = gate_absent_after_s
        self.thermometer: ThermometerDriver | None = None
        self.id_reader: IdCardDriver | NfcReader | None = None
        self.camera_loop: CameraScanLoop | None = None
        self.scanner: DeviceLoop | None = None

    def configured(self) -> dict[StatusKind, bool]:
        setup = self.setup
        return {
            StatusKind.CAMERA: setup.camera is not None,
            StatusKind.THERMOMETER: setup.thermometer_url is not None,
            StatusKind.ID_READER: setup.id_reader_url is not None,
            StatusKind.SCANNER: setup.scanner_url is not None,
        }

    def _state(self, kind: StatusKind) -> Callable[[DeviceStateEvent], None]:
        def relay(event: DeviceStateEvent) -> None:
            self._on_state(kind, event)

        return relay

    def open(self) -> None:
        setup = self.setup
        if setup.thermometer_url:
            self._open_thermometer(setup.thermometer_url)
        if setup.id_reader_url:
            self._open_id_reader(setup.id_reader_url, setup.id_reader_kind)
        if setup.camera is not None:
            self._open_camera(setup.camera)
        if setup.scanner_url:
            self._open_scanner(setup.scanner_url)

    def _open_thermometer(self, url: str) -> None:
        spec = check_model(self.setup.thermometer_model)
        rate = self.setup.thermometer_baudrate or spec.baudrate

        def reopen() -> Transport:
            return open_url(url, baudrate=rate)

        self.thermometer = ThermometerDriver(
            None,  # opened on the driver's thread
            model=spec.name,
            on_reading=lambda reading: None,  # pulled by the flow when a person needs one
            on_state=self._state(StatusKind.THERMOMETER),
            reopen=reopen,
            compensation=self.setup.compensation,
            clock=self._clock,
        )
        self.thermometer.start()

    def _open_id_reader(self, url: str, kind: str) -> None:
        """A SAM reader on a serial URL, or (kind "nfc") a PC/SC reader by `pcsc:N`."""
        if kind == "nfc":
            try:
                self.id_reader = NfcReader(url, on_state=self._state(StatusKind.ID_READER))
            except ValueError as error:
                log.warning("ID reader %s cannot be used: %s", url, error)
                self._fault(StatusKind.ID_READER, url, str(error))
                return
            self.id_reader.start()
            return

        def reopen() -> Transport:
            return open_url(url, baudrate=SAM_BAUDRATE)

        self.id_reader = IdCardDriver(
            None,  # opened on the reader's thread
            on_identity=self._on_identity,
            on_state=self._state(StatusKind.ID_READER),
            reopen=reopen,
        )
        self.id_reader.start()

    def _fault(self, kind: StatusKind, device: str, text: str) -> None:
        event = DeviceStateEvent(
            device, DeviceState.ERROR, DeviceFault.OPEN_FAILED, text, self._clock()
        )
        self._on_state(kind, event)

    def _open_camera(self, camera: str | FrameSource) -> None:
        width, height = self.setup.camera_size
        try:
            source = (
                open_source(camera, width=width, height=height, fps=self.setup.camera_fps)
                if isinstance(camera, str)
                else camera
            )
        except (OSError, ValueError) as error:  # CameraError included; the rest works on
            log.warning("camera %s cannot be used: %s", camera, error)
            self._fault(StatusKind.CAMERA, str(camera), str(error))
            return
        capture = Capture(source, on_state=self._state(StatusKind.CAMERA))
        self.camera_loop = CameraScanLoop(
            capture,
            default_pipeline(),
            self.checker,
            on_scan=self._on_camera_scan,
            clock=self._clock,
            on_frame=self._on_frame,
            gate=ScanGate(
                absent_after_s=self._gate_absent_after_s,
                last_passage=self.checker.last_passage_of_text,
            ),
        )
        self.camera_loop.start()

    def _open_scanner(self, url: str) -> None:
        def reopen() -> Transport:
            return open_url(url, baudrate=SCANNER_BAUDRATE)

        self.scanner = DeviceLoop(
            device=url,
            transport=None,  # opened on the scanner's thread
            session=scanner_session(self._on_scanner_text),
            on_state=self._state(StatusKind.SCANNER),
            reopen=reopen,
        )
        self.scanner.start()

    def result_closed(self, now: datetime) -> None:
        if self.camera_loop is not None:
            self.camera_loop.result_closed(now)

    def release(self) -> None:
        """Stop every device (the technician's tests need the ports; the kiosk is stopping)."""
        if self.camera_loop is not None:
            self.camera_loop.stop()
            self.camera_loop = None
        for device in (self.thermometer, self.id_reader, self.scanner):
            if device is not None:
                device.stop()
        self.thermometer = self.id_reader = self.scanner = None
