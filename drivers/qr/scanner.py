"""Hardware QR scanners in USB-serial mode (扫码枪 as a virtual COM port): one line per scan.

A pure codec (`LineDeframer`: bytes in, scanned texts out, surviving split reads and CR, LF or
CRLF suffixes) and a thin I/O shell over `serial.serial_for_url`, so a device path, a pty,
`loop://` and `spy://` all work unchanged. The reader thread with reconnect is the shared
`drivers.serialio.loop.DeviceLoop`; the caller owns it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.serialio.transport import Transport, open_url, read_some

log = logging.getLogger(__name__)

# Our codes are ~260 characters; a run this long without a line end is noise, not a scan.
MAX_LINE_BYTES = 4096
DEFAULT_BAUDRATE = 9600


class LineDeframer:
    """Cuts a scanner's byte stream into scans: CR, LF or CRLF ends a line; empty lines and
    over-long runs are dropped; bytes that are not UTF-8 are replaced, never raised on."""

    def __init__(self, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self._max = max_line_bytes
        self._buffer = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[str]:
        scans: list[str] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer and not self._overflow:
                    text = self._buffer.decode("utf-8", errors="replace").strip()
                    if text:
                        scans.append(text)
                elif self._overflow:
                    log.warning("scanner line over %d bytes dropped", self._max)
                self._buffer.clear()
                self._overflow = False
            elif len(self._buffer) >= self._max:
                self._overflow = True
            else:
                self._buffer.append(byte)
        return scans

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()
        self._overflow = False


class SerialQrScanner:
    """A scanner on a serial port: `read_scans()` blocks up to the port timeout and returns the
    scans that completed meanwhile; `session` is the `DeviceLoop` session for a reader thread."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._deframer = LineDeframer()

    @classmethod
    def open(cls, url: str, *, baudrate: int = DEFAULT_BAUDRATE) -> SerialQrScanner:
        return cls(open_url(url, baudrate=baudrate))

    def read_scans(self) -> list[str]:
        data = read_some(self._transport)
        if data:
            log.debug("scanner rx %s", data.hex(" "))
        return self._deframer.feed(data)

    def close(self) -> None:
        self._transport.close()


def scanner_session(on_scan: Callable[[str], None]) -> Callable[[Transport, threading.Event], None]:
    """A `DeviceLoop` session that calls `on_scan(text)` for each line until stopped."""

    def session(transport: Transport, stop: threading.Event) -> None:
        scanner = SerialQrScanner(transport)
        while not stop.is_set():
            for text in scanner.read_scans():
                on_scan(text)

    return session
