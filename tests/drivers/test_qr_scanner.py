"""Hardware QR scanners in USB-serial mode: bytes in, one scan per line, over pyserial URLs."""

from __future__ import annotations

import os
import queue
import tty

import pytest

from drivers.qr.scanner import LineDeframer, SerialQrScanner, scanner_session
from drivers.serialio.events import DeviceState, DeviceStateEvent
from drivers.serialio.loop import DeviceLoop
from drivers.serialio.transport import open_url

CODE = "JKM1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3"


@pytest.mark.parametrize(
    ("chunks", "scans"),
    [
        ([CODE.encode() + b"\r\n"], [CODE]),
        ([CODE.encode() + b"\r"], [CODE]),
        ([CODE.encode() + b"\n"], [CODE]),
        ([b"JKM1:6BF", b"OXN\r", b"\nSECOND\r\n"], ["JKM1:6BFOXN", "SECOND"]),
        ([b"\r\n\r\n  \r\n"], []),
        ([b"A\rB\nC\r\n"], ["A", "B", "C"]),
        ([b"caf\xc3\xa9 \xff\r"], ["café \ufffd"]),
    ],
)
def test_the_deframer_cuts_the_stream_into_one_scan_per_line(
    chunks: list[bytes], scans: list[str]
) -> None:
    deframer = LineDeframer()
    out: list[str] = []
    for chunk in chunks:
        out += deframer.feed(chunk)
    assert out == scans
    assert deframer.pending == 0


def test_an_over_long_line_is_dropped_and_the_next_line_still_read() -> None:
    deframer = LineDeframer(max_line_bytes=16)
    assert deframer.feed(b"X" * 40 + b"\r\nOK\r\n") == ["OK"]


def test_a_line_without_its_end_waits_for_the_rest() -> None:
    deframer = LineDeframer()
    assert deframer.feed(b"JKM1:ABC") == []
    assert deframer.pending == 8
    deframer.reset()
    assert deframer.feed(b"D\r") == ["D"]


def test_the_scanner_reads_lines_through_a_loop_url() -> None:
    transport = open_url("loop://", baudrate=9600, timeout_s=0.05)
    scanner = SerialQrScanner(transport)
    transport.write(CODE.encode() + b"\r\n" + b"SECOND\r\n")
    scans: list[str] = []
    for _ in range(10):
        scans += scanner.read_scans()
        if len(scans) == 2:
            break
    scanner.close()
    assert scans == [CODE, "SECOND"]


def test_a_reader_thread_delivers_scans_from_a_pty_like_a_usb_adapter() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    scans: queue.Queue[str] = queue.Queue()
    states: queue.Queue[DeviceStateEvent] = queue.Queue()
    loop = DeviceLoop(
        device="qr-scanner",
        transport=open_url(path, baudrate=9600),
        session=scanner_session(scans.put),
        on_state=states.put,
    )
    loop.start()
    try:
        assert states.get(timeout=5).state is DeviceState.CONNECTED
        os.write(master, CODE[:20].encode())
        os.write(master, CODE[20:].encode() + b"\r\n")
        assert scans.get(timeout=5) == CODE
    finally:
        assert loop.stop(timeout_s=5)
        os.close(master)
        os.close(slave)
