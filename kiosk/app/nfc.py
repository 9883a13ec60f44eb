"""An NFC-only ID reader ([id_reader] kind = "nfc", url = "pcsc:N") polled on its own thread.

Such a reader gives a card's serial number (UID) only, never an identity
(`drivers.idcard.nfc`), so a card it reads is logged and not passed to the flow as a person.
What the kiosk shows is the reader's state: working, or why it cannot be used (pyscard
missing, no PC/SC reader), reported once per change, retried until the kiosk stops.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from drivers.idcard.nfc import CardSerialRead, NfcUnavailableError, read_card_serial
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.3
JOIN_TIMEOUT_S = 3.0
NO_CARD_PREFIX = "no card on"  # drivers.idcard.nfc: the reader is there, nothing on it

ReadSerial = Callable[..., CardSerialRead]


def reader_index(url: str) -> int:
    """`pcsc:N` -> N; ValueError for anything else."""
    match = re.fullmatch(r"pcsc:(\d+)", url.strip())
    if match is None:
        raise ValueError(f"an nfc reader is written pcsc:N, not {url!r}")
    return int(match.group(1))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class NfcReader:
    """The reader thread of a PC/SC reader; `stop()` ends it."""

    def __init__(
        self,
        url: str,
        *,
        on_state: Callable[[DeviceStateEvent], None],
        on_card: Callable[[CardSerialRead], None] | None = None,
        read: ReadSerial = read_card_serial,
        clock: Callable[[], datetime] = _utc_now,
        poll_interval_s: float = POLL_INTERVAL_S,
    ) -> None:
        self.url = url
        self.index = reader_index(url)
        self._on_state = on_state
        self._on_card = on_card
        self._read = read
        self._clock = clock
        self._interval = poll_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nfc-reader", daemon=True)
        self._reported: tuple[DeviceState, str] | None = None
        self._last_serial: str | None = None  # a card left on the reader is one read

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _report(self, state: DeviceState, reason: DeviceFault, text: str) -> None:
        if self._reported == (state, text):
            return
        self._reported = (state, text)
        log.info("%s: %s (%s) %s", self.url, state, reason, text)
        try:
            self._on_state(DeviceStateEvent(self.url, state, reason, text, self._clock()))
        except Exception:  # a faulty callback must not kill the reader thread
            log.exception("%s: state callback failed", self.url)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                card = self._read(self.index, now_utc=self._clock())
            except NfcUnavailableError as error:
                if str(error).startswith(NO_CARD_PREFIX):
                    self._last_serial = None
                    self._report(DeviceState.CONNECTED, DeviceFault.NONE, "reader ready")
                else:
                    self._report(DeviceState.ERROR, DeviceFault.OPEN_FAILED, str(error))
            except Exception as error:
                log.exception("%s: reading failed", self.url)
                self._report(DeviceState.ERROR, DeviceFault.INTERNAL, repr(error))
            else:
                self._report(DeviceState.CONNECTED, DeviceFault.NONE, "reader ready")
                if card.serial_hex != self._last_serial:
                    self._last_serial = card.serial_hex
                    log.info("%s: a card serial was read (not an identity; not used)", self.url)
                    if self._on_card is not None:
                        self._on_card(card)
            self._stop.wait(self._interval)
        self._report(DeviceState.DISCONNECTED, DeviceFault.NONE, "reader stopped")
