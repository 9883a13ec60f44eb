"""The serial transport seen by drivers, URL-handler registration and port discovery.

pyserial ships without type information, so it is imported here and in the simulator ports
only, behind the small `Transport` protocol that the drivers use.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol

import serial  # type: ignore[import-untyped, unused-ignore]
import serial.tools.list_ports  # type: ignore[import-untyped, unused-ignore]

URL_HANDLER_PACKAGE = "drivers.serialio.urlhandlers"
SerialException: type[Exception] = serial.SerialException


class DeviceGoneError(Exception):
    """The transport failed in a way that means the device is gone (unplugged, port closed)."""


class Transport(Protocol):
    """What drivers need of a `serial.Serial` (or any URL handler's) object."""

    @property
    def timeout(self) -> float | None: ...

    @timeout.setter
    def timeout(self, value: float | None) -> None: ...

    @property
    def in_waiting(self) -> int: ...

    @property
    def port(self) -> str | None: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


def register_url_handlers() -> None:
    """Make `simthermometer://` and `simidcard://` known to `serial.serial_for_url` (idempotent)."""
    packages: list[str] = serial.protocol_handler_packages
    if URL_HANDLER_PACKAGE not in packages:
        packages.append(URL_HANDLER_PACKAGE)


def open_url(url: str, *, baudrate: int, timeout_s: float = 0.05) -> Transport:
    """Open a port URL (a device path, a pty, `spy://`, `simthermometer://` ...).

    Raises OSError for a port that cannot be opened, with pyserial's text, so callers can show
    one clear message whatever the transport.
    """
    register_url_handlers()
    try:
        transport: Transport = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout_s)
    except (serial.SerialException, ValueError) as error:
        raise OSError(f"cannot open {url!r}: {error}") from error
    return transport


def read_some(transport: Transport) -> bytes:
    """What has arrived, waiting at most the transport's timeout; DeviceGoneError if unplugged."""
    try:
        waiting = transport.in_waiting
        return transport.read(max(1, min(waiting, 4096)))
    except (serial.SerialException, OSError, TypeError, AttributeError) as error:
        # TypeError/AttributeError: pyserial's posix port after its fd was closed under it.
        raise DeviceGoneError(str(error)) from error


def write_all(transport: Transport, data: bytes) -> None:
    try:
        transport.write(data)
    except (serial.SerialException, OSError, TypeError, AttributeError) as error:
        raise DeviceGoneError(str(error)) from error


def close_quietly(transport: Transport) -> None:
    # Closing a port whose device vanished may fail; there is nothing left to do then.
    with contextlib.suppress(serial.SerialException, OSError, TypeError, AttributeError):
        transport.close()


@dataclass(frozen=True)
class PortInfo:
    device: str
    vid: int | None
    pid: int | None
    description: str


def list_ports() -> list[PortInfo]:
    return [
        PortInfo(info.device, info.vid, info.pid, str(info.description or ""))
        for info in serial.tools.list_ports.comports()
    ]


def find_ports(
    *, vid: int | None = None, pid: int | None = None, ports: list[PortInfo] | None = None
) -> list[str]:
    """Device paths of the serial ports matching a USB vendor and/or product id.

    `ports` defaults to the ports present now; tests pass their own list.
    """
    candidates = list_ports() if ports is None else ports
    return [
        port.device
        for port in candidates
        if (vid is None or port.vid == vid) and (pid is None or port.pid == pid)
    ]


def resolve_port(configured: str | None, *, vid: int | None, pid: int | None) -> str:
    """A configured port URL wins; otherwise the first USB port matching vid/pid."""
    if configured:
        return configured
    found = find_ports(vid=vid, pid=pid)
    if not found:
        raise OSError(f"no serial port with USB id {vid or 0:04x}:{pid or 0:04x} is present")
    return found[0]
