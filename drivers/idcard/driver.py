"""IdCardDriver: polls a SAM reader (find, select, read) on its own thread.

Takes an already-open transport (115200 8N1) and, for reconnects, a `reopen` callable. Calls
`on_identity(IdentityRead)` once per card placed, and `on_state(DeviceStateEvent)` for
connection changes and every reader status as a specific error (reason and text). Names and
ID numbers are never logged; `IdentityRead`'s repr masks them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from drivers.idcard.protocol import (
    FIND_CARD,
    READ_TEXT_PHOTO,
    SELECT_CARD,
    SW_FIND_FAILED,
    SW_FIND_OK,
    SW_OK,
    IdentityRead,
    SamDeframer,
    SamReply,
    SamStatusError,
    UnsupportedCardError,
    check_status,
    parse_read_data,
    parse_reply,
    sam_command,
)
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from drivers.serialio.framing import FrameDecodeError, FrameError
from drivers.serialio.loop import Clock, DeviceLoop, utc_now
from drivers.serialio.transport import Transport, read_some, write_all

logger = logging.getLogger(__name__)

IdentityCallback = Callable[[IdentityRead], None]


class ReplyTimeoutError(Exception):
    def __init__(self, command: tuple[int, int], timeout_s: float, partial: bool) -> None:
        what = "an incomplete reply" if partial else "no reply"
        super().__init__(f"{what} to {command[0]:02X} {command[1]:02X} within {timeout_s:g} s")
        self.partial = partial


class IdCardDriver:
    def __init__(
        self,
        transport: Transport | None,
        *,
        on_identity: IdentityCallback,
        on_state: Callable[[DeviceStateEvent], None],
        reopen: Callable[[], Transport] | None = None,
        poll_interval_s: float = 0.05,
        response_timeout_s: float = 0.5,
        read_timeout_s: float = 1.0,
        repeat_quiet_s: float = 3.0,
        reconnect_interval_s: float = 0.5,
        clock: Clock = utc_now,
        name: str = "idcard",
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self.response_timeout_s = response_timeout_s
        self.read_timeout_s = read_timeout_s  # the 1295-byte read reply takes 112 ms on the wire
        self.repeat_quiet_s = repeat_quiet_s
        self._on_identity = on_identity
        self._last_id: tuple[str, float] | None = None
        self._loop = DeviceLoop(
            device=name,
            transport=transport,
            session=self._session,
            on_state=on_state,
            reopen=reopen,
            reconnect_interval_s=reconnect_interval_s,
            clock=clock,
        )

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout_s: float = 2.0) -> bool:
        return self._loop.stop(timeout_s)

    @property
    def reconnects(self) -> int:
        return self._loop.reconnects

    # -- one exchange ----------------------------------------------------------------------------
    def transact(
        self,
        transport: Transport,
        command: tuple[int, int],
        stop: threading.Event,
        timeout_s: float | None = None,
    ) -> SamReply:
        """Send one command and wait for its reply (FrameDecodeError, ReplyTimeoutError)."""
        limit_s = self.response_timeout_s if timeout_s is None else timeout_s
        deframer = SamDeframer()
        frame = sam_command(command)
        logger.debug("idcard tx %s", frame.hex())
        write_all(transport, frame)
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline and not stop.is_set():
            data = read_some(transport)
            if not data:
                continue
            for item in deframer.feed(data):
                if isinstance(item, FrameError):
                    raise FrameDecodeError(item.problem, item.text)
                return parse_reply(item)
        raise ReplyTimeoutError(command, limit_s, partial=deframer.pending > 0)

    # -- the polling loop --------------------------------------------------------------------
    def _session(self, transport: Transport, stop: threading.Event) -> None:
        transport.timeout = 0.02
        last_error = ""  # the same error is reported once per run, not at every poll
        while not stop.is_set():
            fault = DeviceFault.NONE
            try:
                identity = self._poll_once(transport, stop)
            except ReplyTimeoutError as error:
                fault = DeviceFault.PARTIAL_FRAME if error.partial else DeviceFault.TIMEOUT
                text = str(error)
            except SamStatusError as error:
                fault, text = error.fault, str(error)
            except UnsupportedCardError as error:
                fault, text = DeviceFault.UNSUPPORTED_CARD, str(error)
            except FrameDecodeError as error:
                fault, text = DeviceFault.BAD_FRAME, str(error)
            if fault is not DeviceFault.NONE:
                if text != last_error:
                    self._loop.emit(DeviceState.ERROR, fault, text)
                    last_error = text
                self._drain(transport)
                if fault is not DeviceFault.TIMEOUT:
                    stop.wait(self.poll_interval_s)
                continue
            if last_error:
                last_error = ""
                self._loop.emit(DeviceState.CONNECTED, DeviceFault.NONE, "reader working again")
            if identity is None:
                stop.wait(self.poll_interval_s)
                continue
            logger.info("card read: %r", identity)
            try:
                self._on_identity(identity)
            except Exception:
                logger.exception("identity callback failed")

    def _drain(self, transport: Transport) -> None:
        """Drop what is left of a bad or late reply so the next exchange starts clean."""
        while read_some(transport):
            pass

    def _poll_once(self, transport: Transport, stop: threading.Event) -> IdentityRead | None:
        """One find/select/read round; None when there is no (new) card."""
        reply = self.transact(transport, FIND_CARD, stop)
        if reply.sw3 == SW_FIND_FAILED:
            self._last_id = None  # the card was taken away: the same card may come again
            return None
        check_status(reply, SW_FIND_OK)
        check_status(self.transact(transport, SELECT_CARD, stop), SW_OK)
        reply = self.transact(transport, READ_TEXT_PHOTO, stop, self.read_timeout_s)
        check_status(reply, SW_OK)
        identity = parse_read_data(reply.data)
        now = time.monotonic()
        if self._last_id is not None:
            last_number, last_at = self._last_id
            if last_number == identity.id_number and now - last_at < self.repeat_quiet_s:
                return None  # a reader that keeps answering for a card left in place
        self._last_id = (identity.id_number, now)
        return identity
