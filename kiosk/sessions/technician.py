"""The technician's work without Qt: device tests, the configuration file, enrolment with
central (and its reset), the local staff's PINs and the passage fields asked here.

Every method that touches a device, the network, a file or hashes a PIN blocks: the view runs
it off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from kiosk.app.discovery import Inventory
from kiosk.app.settings import PASSAGE_FIELDS_KEY, fields_to_json
from kiosk.checkpoint.policy import PassageField
from kiosk.config import KioskConfig
from kiosk.config.writer import update_config
from kiosk.sessions import staff
from kiosk.sessions.provisioning import (
    CAMERA_FRAMES,
    CameraLook,
    CardRead,
    EnrolledAs,
    ThermometerReading,
    enroll_kiosk,
    enrolled_as,
    look_through_camera,
    read_card,
    read_thermometer,
    reset_enrollment,
)
from kiosk.store import Operator, Store

Clock = Callable[[], datetime]
HttpClient = Callable[[], AbstractContextManager[httpx.Client]]


class TechnicianSession:
    """What an unlocked technician does: `config` is the configuration as last saved."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        config: KioskConfig,
        config_path: Path,
        identity_dir: Path,
        discover: Callable[[], Inventory],
        client: HttpClient,
        stop_sync: Callable[[], None],
    ) -> None:
        self._store = store
        self.now = clock
        self.config = config
        self.config_path = config_path
        self.identity_dir = identity_dir
        self._discover = discover
        self._client = client
        self._stop_sync = stop_sync

    # ------------------------------------------------------------ devices

    def discover(self) -> Inventory:
        """The serial ports and cameras plugged in now (blocking)."""
        return self._discover()

    def test_thermometer(self, url: str, model: str) -> ThermometerReading:
        """One reading from the thermometer at `url` (blocking, a few seconds at most)."""
        return read_thermometer(url, model, baudrate=self.config.thermometer.baudrate or None)

    def test_reader(self, url: str) -> CardRead:
        """One ID card read at `url` (blocking until a card is put on, or the timeout)."""
        return read_card(url)

    def look_through_camera(self, source: str, frames: int = CAMERA_FRAMES) -> CameraLook:
        """Frames from the camera until a QR code decodes, or `frames` were read (blocking)."""
        return look_through_camera(source, frames=frames)

    def save_config(self, changes: dict[str, dict[str, Any]]) -> KioskConfig:
        """Write the picked devices into the configuration file (blocking); the new
        configuration. ConfigError, nothing written, when the result would not load."""
        self.config = update_config(self.config_path, changes)
        return self.config

    # ------------------------------------------------------------ enrolment

    def enrolled_as(self) -> EnrolledAs | None:
        """The enrolment kept in the data folder, or None."""
        return enrolled_as(self.identity_dir)

    def enroll(self, server_url: str, code: str) -> EnrolledAs:
        """Enrol with central (blocking: one request); EnrollmentError when it refuses."""
        with self._client() as http:
            return enroll_kiosk(http, server_url, code, self.identity_dir)

    def reset_enrollment(self, now: datetime) -> int:
        """De-enrol (blocking): ResetRefusedError while a record waits for central; else the
        passages deleted."""
        return reset_enrollment(self._store, self.identity_dir, now, stop_sync=self._stop_sync)

    # ------------------------------------------------------------ staff

    def local_supervisors(self) -> list[Operator]:
        return [o for o in staff.local_staff(self._store) if o.role == staff.SUPERVISOR_ROLE]

    def next_supervisor_id(self) -> str:
        return staff.next_supervisor_id(self._store)

    def set_pin(self, operator_id: str, name: str, role: str, pin: str) -> None:
        """Add the person or change their PIN (blocking: hashing, then the write).
        StaffError for a PIN that is not 6 to 12 digits or an empty name."""
        staff.set_pin(self._store, operator_id, name, role, pin).result(timeout=10)

    def save_passage_fields(self, fields: frozenset[PassageField]) -> None:
        """The passage fields asked at this checkpoint (queued on the store's writer)."""
        self._store.meta.set(PASSAGE_FIELDS_KEY, fields_to_json(fields))
