"""Device state events: what a driver tells the kiosk about the device itself (not its data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class DeviceState(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"


class DeviceFault(StrEnum):
    """Why a device is in the ERROR (or DISCONNECTED) state; values are stable codes."""

    NONE = "none"
    OPEN_FAILED = "open_failed"
    UNPLUGGED = "unplugged"
    TIMEOUT = "timeout"
    BAD_FRAME = "bad_frame"
    PARTIAL_FRAME = "partial_frame"
    IMPLAUSIBLE_READING = "implausible_reading"
    DEVICE_STATUS = "device_status"
    UNSUPPORTED_CARD = "unsupported_card"
    INTERNAL = "internal"


@dataclass(frozen=True)
class DeviceStateEvent:
    """A change of a device's state, with a stable reason code and a text for the technician."""

    device: str
    state: DeviceState
    reason: DeviceFault
    text: str
    at_utc: dt.datetime
