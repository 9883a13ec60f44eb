"""Shared serial plumbing for the thermometer and ID-card drivers.

Transports come from `serial.serial_for_url`, so a device path, a pty, `spy://` and our own
simulator schemes (`simthermometer://`, `simidcard://`) all work unchanged. This package holds
what both device types share: the transport protocol, URL-handler registration, port discovery,
device state events, the reader thread with reconnect, and the simulator ports.
"""

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from drivers.serialio.transport import (
    DeviceGoneError,
    Transport,
    find_ports,
    open_url,
    register_url_handlers,
)

__all__ = [
    "DeviceFault",
    "DeviceGoneError",
    "DeviceState",
    "DeviceStateEvent",
    "Transport",
    "find_ports",
    "open_url",
    "register_url_handlers",
]
