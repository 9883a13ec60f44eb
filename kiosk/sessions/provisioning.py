"""The technician's live device tests and enrollment, Qt-free and blocking: the provisioning
screen runs each of them off the GUI thread.

Each test opens the device on its own (the kiosk's drivers are stopped while the technician
screen is open), waits for one answer with a time limit, closes it again and returns a frozen
result, or raises `DeviceTestError` whose `failure` says what went wrong in a way the screen
can word (unplugged, garbage on the line, no answer in time, no card, nothing decoded).
No full ID number leaves here: the reader test returns the masked number only.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from healthcode.identity import mask_id_number

THERMOMETER_TIMEOUT_S = 5.0
ID_CARD_TIMEOUT_S = 10.0
CAMERA_TIMEOUT_S = 5.0
CAMERA_FRAMES = 30  # frames looked at for a QR before the camera test gives up on decoding


class DeviceFailure(StrEnum):
    CANNOT_OPEN = "cannot_open"  # missing, unplugged, busy, or not a port at all
    GARBAGE = "garbage"  # bytes arrive but are not this device's protocol
    NO_ANSWER = "no_answer"  # silence until the time limit
    NO_CARD = "no_card"  # the reader answers, but no card was put on it in time
    UNPLUGGED = "unplugged"  # it went away during the test


class DeviceTestError(Exception):
    def __init__(self, failure: DeviceFailure, detail: str) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail


_FAULTS = {
    DeviceFault.OPEN_FAILED: DeviceFailure.CANNOT_OPEN,
    DeviceFault.UNPLUGGED: DeviceFailure.UNPLUGGED,
    DeviceFault.TIMEOUT: DeviceFailure.NO_ANSWER,
    DeviceFault.BAD_FRAME: DeviceFailure.GARBAGE,
    DeviceFault.PARTIAL_FRAME: DeviceFailure.GARBAGE,
    DeviceFault.IMPLAUSIBLE_READING: DeviceFailure.GARBAGE,
}


def _failure_of(states: list[DeviceStateEvent]) -> tuple[DeviceFailure, str]:
    """The worst thing the driver reported during a test that timed out."""
    for event in reversed(states):
        if event.state is not DeviceState.CONNECTED and event.reason in _FAULTS:
            return _FAULTS[event.reason], event.text
    return DeviceFailure.NO_ANSWER, ""


@dataclass(frozen=True)
class ThermometerReading:
    body_celsius: float
    measured_celsius: float


@dataclass(frozen=True)
class CardRead:
    masked_id_number: str


@dataclass(frozen=True)
class CameraLook:
    frame: Any  # the last frame seen (a numpy image, BGR or grey)
    decoded: bool  # a QR code was decoded in one of the frames
    text: str | None = None  # its text, for the enrollment-code scan only (never logged)


def read_thermometer(
    url: str, model: str, *, baudrate: int | None = None, timeout_s: float = THERMOMETER_TIMEOUT_S
) -> ThermometerReading:
    from drivers.thermometer import TemperatureReading, open_thermometer

    got = threading.Event()
    readings: list[TemperatureReading] = []
    states: list[DeviceStateEvent] = []

    def on_reading(reading: TemperatureReading) -> None:
        readings.append(reading)
        got.set()

    try:
        driver = open_thermometer(
            url, model=model, baudrate=baudrate, on_reading=on_reading, on_state=states.append
        )
    except (OSError, ValueError) as error:
        raise DeviceTestError(DeviceFailure.CANNOT_OPEN, str(error)) from None
    try:
        if not got.wait(timeout_s):
            raise DeviceTestError(*_failure_of(states))
    finally:
        driver.stop()
    return ThermometerReading(readings[0].body_celsius, readings[0].raw_celsius)


def read_card(url: str, *, timeout_s: float = ID_CARD_TIMEOUT_S) -> CardRead:
    """Wait for a card on the reader and give back its masked number."""
    from drivers.idcard import IdentityRead, open_id_reader

    got = threading.Event()
    masked: list[str] = []
    states: list[DeviceStateEvent] = []

    def on_identity(identity: IdentityRead) -> None:
        masked.append(mask_id_number(identity.id_number))
        got.set()

    try:
        driver = open_id_reader(url, on_identity=on_identity, on_state=states.append)
    except (OSError, ValueError) as error:
        raise DeviceTestError(DeviceFailure.CANNOT_OPEN, str(error)) from None
    try:
        if not got.wait(timeout_s):
            failure, detail = _failure_of(states)
            connected = any(s.state is DeviceState.CONNECTED for s in states)
            if failure is DeviceFailure.NO_ANSWER and connected:
                failure = DeviceFailure.NO_CARD
            raise DeviceTestError(failure, detail)
    finally:
        driver.stop()
    return CardRead(masked[0])


def look_through_camera(
    source: str,
    *,
    timeout_s: float = CAMERA_TIMEOUT_S,
    frames: int = CAMERA_FRAMES,
    size: tuple[int, int] = (1280, 720),
) -> CameraLook:
    """Open the camera, read frames until a QR decodes (or `frames` were read), close it."""
    from drivers.camera.sources import open_source
    from drivers.qr.pipeline import default_pipeline

    try:
        camera = open_source(source, width=size[0], height=size[1])
        camera.open()
    except (OSError, ValueError) as error:
        raise DeviceTestError(DeviceFailure.CANNOT_OPEN, str(error)) from None
    pipeline = default_pipeline()
    last = None
    seen = 0
    deadline = time.monotonic() + timeout_s
    try:
        while seen < frames and time.monotonic() < deadline:
            frame = camera.read()
            if frame is None:
                continue
            last, seen = frame, seen + 1
            texts = pipeline.decode(frame).texts
            if texts:
                return CameraLook(frame, True, texts[0])
    finally:
        camera.close()
    if last is None:
        raise DeviceTestError(DeviceFailure.NO_ANSWER, f"no frame within {timeout_s:g} s")
    return CameraLook(last, False)


# ------------------------------------------------------------------------------- enrollment


@dataclass(frozen=True)
class EnrolledAs:
    kiosk_id: str
    checkpoint_name: str
    checkpoint_type: str  # CheckpointType value


def parse_enrollment_text(text: str) -> tuple[str | None, str]:
    """A typed or scanned enrollment code; a scanned one may carry central's address first
    ("https://central.example.org CODE" or on two lines). (url or None, code)."""
    parts = text.split()
    if len(parts) >= 2 and parts[0].lower().startswith(("http://", "https://")):
        return parts[0], "".join(parts[1:])
    return None, "".join(parts)


def enroll_kiosk(
    client: httpx.Client, server_url: str, code: str, identity_dir: Path
) -> EnrolledAs:
    """Enroll with central (kiosk.client.enrollment); EnrollmentError when central refuses."""
    from kiosk.client.enrollment import enroll

    done = enroll(client, server_url, code, identity_dir)
    checkpoint = done.response.checkpoint
    return EnrolledAs(
        done.response.kiosk_id,
        checkpoint.name,
        str(getattr(checkpoint.checkpoint_type, "value", checkpoint.checkpoint_type)),
    )


def enrolled_as(identity_dir: Path) -> EnrolledAs | None:
    from kiosk.client.identity import IdentityError, KioskIdentity, is_enrolled

    if not is_enrolled(identity_dir):
        return None
    try:
        identity = KioskIdentity.load(identity_dir)
    except (IdentityError, OSError, ValueError):
        return None
    checkpoint = identity.checkpoint
    return EnrolledAs(
        identity.kiosk_id,
        checkpoint.name,
        str(getattr(checkpoint.checkpoint_type, "value", checkpoint.checkpoint_type)),
    )


class ResetRefusedError(Exception):
    """Records are still waiting for central: wiping now would lose them."""

    def __init__(self, backlog: int) -> None:
        super().__init__(f"{backlog} record(s) not yet acknowledged by central")
        self.backlog = backlog


def reset_enrollment(
    store: Any, identity_dir: Path, now: datetime, *, stop_sync: Callable[[], None] | None = None
) -> int:
    """De-enroll: refuse while any record waits for central (ResetRefusedError); else forget
    the identity and the downloaded roster, and delete every passage central acknowledged.
    Returns the passages deleted."""
    backlog = store.outbox.outbox_backlog()
    if backlog:
        raise ResetRefusedError(backlog)
    if stop_sync is not None:
        stop_sync()
    deleted = int(
        store.passages.purge(now + timedelta(days=1), retention=timedelta(0)).result(timeout=30)
    )
    store.scenes.purge(now + timedelta(days=1)).result(timeout=30)  # issue 25: sales, visits
    store.copies.replace_roster([]).result(timeout=10)
    if identity_dir.exists():
        shutil.rmtree(identity_dir)
    return deleted
