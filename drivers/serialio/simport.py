"""The device side of a simulated serial line: over a pseudo-terminal or inside pyserial.

A simulator is written once as a blocking `serve(port, stop)` loop over a `SimPort`; it then
runs either on the master side of a real pty (the driver opens the slave path, as it would a
USB adapter) or behind our pyserial URL handlers (`SimSerialBase`, used by `simthermometer://`
and `simidcard://`), with no thread of the caller's to manage.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import time
import tty
import urllib.parse
from typing import Any, Protocol

import serial  # type: ignore[import-untyped, unused-ignore]
from serial.serialutil import SerialBase  # type: ignore[import-untyped, unused-ignore]

_PACE_CHUNK_BYTES = 32


class SimPortClosedError(Exception):
    """The host side closed the port (or the simulator hung up): the serve loop should end."""


class SimPort(Protocol):
    def read(self, timeout_s: float) -> bytes:
        """Bytes from the host, b"" after `timeout_s`; SimPortClosedError when closed."""
        ...

    def write(self, data: bytes) -> None: ...

    def hang_up(self) -> None:
        """Simulate an unplug: the host's next read or write fails."""
        ...


class SimDevice(Protocol):
    def serve(self, port: SimPort, stop: threading.Event) -> None: ...


def pace_s(byte_count: int, baudrate: int | None) -> float:
    """Wire time of `byte_count` bytes at 8N1 (10 bits a byte); 0 without a baud rate."""
    return 0.0 if not baudrate else byte_count * 10 / baudrate


class PtySimPort:
    """The master side of a pty; `baudrate` paces writes like a real UART when given."""

    def __init__(self, master_fd: int, baudrate: int | None = None) -> None:
        self._fd = master_fd
        self._baudrate = baudrate
        self._closed = False

    def read(self, timeout_s: float) -> bytes:
        if self._closed:
            raise SimPortClosedError
        try:
            ready, _, _ = select.select([self._fd], [], [], timeout_s)
            if not ready:
                return b""
            return os.read(self._fd, 4096)
        except OSError:
            # EIO: no process has the slave open right now; that is a quiet line, not an end.
            time.sleep(min(timeout_s, 0.01))
            return b""
        except ValueError as error:  # fd closed by hang_up from another thread
            raise SimPortClosedError from error

    def write(self, data: bytes) -> None:
        if self._closed:
            raise SimPortClosedError
        chunk = _PACE_CHUNK_BYTES if self._baudrate else len(data) or 1
        for start in range(0, len(data), chunk):
            piece = data[start : start + chunk]
            try:
                os.write(self._fd, piece)
            except OSError as error:
                raise SimPortClosedError from error
            if self._baudrate:
                time.sleep(pace_s(len(piece), self._baudrate))

    def hang_up(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(OSError):
                os.close(self._fd)


class PtySim:
    """A simulator serving on a fresh pty; `path` is what the driver opens.

    `unplug()` closes the master side, so the host sees the device vanish mid-stream.
    """

    def __init__(self, device: SimDevice, *, baudrate: int | None = None) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)  # no echo or line editing before the driver configures the port
        self._slave_fd = slave
        self.path = os.ttyname(slave)
        self.port = PtySimPort(master, baudrate)
        self._stop = threading.Event()
        self._device = device
        self._thread = threading.Thread(target=self._serve, name="pty-sim", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(SimPortClosedError):
            self._device.serve(self.port, self._stop)

    def unplug(self) -> None:
        self._stop.set()
        self.port.hang_up()

    def close(self, timeout_s: float = 2.0) -> None:
        self.unplug()
        self._thread.join(timeout_s)
        with contextlib.suppress(OSError):
            os.close(self._slave_fd)

    def __enter__(self) -> PtySim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _MemoryPort:
    """The device end of an in-process line; the host end is SimSerialBase."""

    def __init__(self, baudrate: int | None) -> None:
        self.lock = threading.Condition()
        self.to_device = bytearray()
        self.to_host = bytearray()
        self.host_closed = False
        self.hung_up = False
        self._baudrate = baudrate

    def read(self, timeout_s: float) -> bytes:
        with self.lock:
            if not self.to_device and not self.host_closed and not self.hung_up:
                self.lock.wait(timeout_s)
            if self.host_closed or self.hung_up:
                raise SimPortClosedError
            data = bytes(self.to_device)
            self.to_device.clear()
            return data

    def write(self, data: bytes) -> None:
        chunk = _PACE_CHUNK_BYTES if self._baudrate else len(data) or 1
        for start in range(0, len(data), chunk):
            piece = data[start : start + chunk]
            with self.lock:
                if self.host_closed or self.hung_up:
                    raise SimPortClosedError
                self.to_host += piece
                self.lock.notify_all()
            if self._baudrate:
                time.sleep(pace_s(len(piece), self._baudrate))

    def hang_up(self) -> None:
        with self.lock:
            self.hung_up = True
            self.lock.notify_all()


def parse_query(url: str, scheme: str) -> dict[str, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != scheme:
        raise serial.SerialException(f"expected a {scheme}:// URL, got {url!r}")
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    return {key: values[-1] for key, values in query.items()}


class SimSerialBase(SerialBase):  # type: ignore[misc, unused-ignore]
    """A pyserial port whose far end is a simulator running in a thread of its own.

    Subclasses set `scheme` and implement `make_device(options)`; unknown options are errors,
    so a typo in a configured URL fails loudly.
    """

    scheme = ""
    is_open: bool
    BAUDRATES = (9600, 19200, 38400, 57600, 115200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._line: _MemoryPort | None = None
        self._sim_stop = threading.Event()
        self._sim_thread: threading.Thread | None = None
        super().__init__(*args, **kwargs)

    def make_device(self, options: dict[str, str]) -> tuple[SimDevice, int | None]:
        """The simulator for these URL options, and the baud rate to pace at (None: no pacing)."""
        raise NotImplementedError

    def open(self) -> None:
        if self.is_open:
            raise serial.SerialException("port already open")
        if self._port is None:
            raise serial.SerialException("port must be configured before it can be used")
        try:
            device, pace = self.make_device(parse_query(self._port, self.scheme))
        except ValueError as error:
            raise serial.SerialException(f"{self._port}: {error}") from error
        self._line = _MemoryPort(pace)
        self._sim_stop = threading.Event()
        line = self._line

        def serve() -> None:
            with contextlib.suppress(SimPortClosedError):
                device.serve(line, self._sim_stop)

        self._sim_thread = threading.Thread(target=serve, name=f"{self.scheme}-sim", daemon=True)
        self.is_open = True
        self._sim_thread.start()

    def close(self) -> None:
        if self._line is not None:
            with self._line.lock:
                self._line.host_closed = True
                self._line.lock.notify_all()
        self._sim_stop.set()
        if self._sim_thread is not None and self._sim_thread is not threading.current_thread():
            self._sim_thread.join(2.0)
        self.is_open = False

    def _reconfigure_port(self, *args: Any, **kwargs: Any) -> None:
        pass  # the simulator ignores line settings, as loop:// does

    def _checked_line(self) -> _MemoryPort:
        if not self.is_open or self._line is None:
            raise serial.PortNotOpenError()
        if self._line.hung_up:
            raise serial.SerialException("device disconnected (simulated unplug)")
        return self._line

    @property
    def in_waiting(self) -> int:
        line = self._checked_line()
        with line.lock:
            return len(line.to_host)

    def read(self, size: int = 1) -> bytes:
        line = self._checked_line()
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        with line.lock:
            while len(line.to_host) < size:
                if line.hung_up:
                    raise serial.SerialException("device disconnected (simulated unplug)")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                line.lock.wait(remaining)
            data = bytes(line.to_host[:size])
            del line.to_host[:size]
            return data

    def write(self, data: bytes) -> int:
        line = self._checked_line()
        with line.lock:
            line.to_device += data
            line.lock.notify_all()
        return len(data)

    def reset_input_buffer(self) -> None:
        line = self._checked_line()
        with line.lock:
            line.to_host.clear()

    def reset_output_buffer(self) -> None:
        self._checked_line()

    def _update_dtr_state(self) -> None:
        pass

    def _update_rts_state(self) -> None:
        pass

    def _update_break_state(self) -> None:
        pass


def flag(options: dict[str, str], name: str) -> bool:
    value = options.pop(name, "0").strip().lower()
    if value in ("", "1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"option {name}={value!r} is not a yes/no value")


def number(options: dict[str, str], name: str, default: float | None) -> float | None:
    if name not in options:
        return default
    text = options.pop(name)
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"option {name}={text!r} is not a number") from None


def no_unknown_options(options: dict[str, str]) -> None:
    if options:
        raise ValueError(f"unknown option(s): {', '.join(sorted(options))}")
