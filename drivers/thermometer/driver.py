"""ThermometerDriver: the I/O shell around the thermometer codecs.

It takes an already-open transport (from `serial.serial_for_url` / `open_url`), never opens
a port itself except through the `reopen` callable its caller hands in for reconnects. One
reader thread polls the device (request-based models), cuts frames, compensates, checks
plausibility, and calls plain callbacks: `on_reading(TemperatureReading)` and
`on_state(DeviceStateEvent)`. The latest reading is kept for `take_fresh`, so a reading
older than the configured age is never attached to a new person.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from drivers.serialio.framing import Deframer, FrameDecodeError, FrameError
from drivers.serialio.loop import Clock, DeviceLoop, utc_now
from drivers.serialio.transport import Transport, read_some, write_all
from drivers.thermometer.protocol import (
    AAA5_ACK_OK,
    AAA5_CMD_MEASURE,
    AAA5_CMD_SET_TARGET,
    AAA5_MEASURE,
    GY_QUERY,
    LINE_PRESETS,
    Aaa5Deframer,
    Compensation,
    GyDeframer,
    ImplausibleReadingError,
    LineDeframer,
    LinePattern,
    RawTemperature,
    TemperatureReading,
    ThermometerMode,
    aaa5_set_target,
    check_model,
    make_reading,
    parse_aaa5_measure,
    parse_ascii_line,
    parse_gy_frame,
    split_aaa5_frame,
)

logger = logging.getLogger(__name__)

ReadingCallback = Callable[[TemperatureReading], None]


class ThermometerDriver:
    """One thermometer on one transport. `start()`, then `stop()`; callbacks run on its thread."""

    def __init__(
        self,
        transport: Transport | None,
        *,
        model: str,
        on_reading: ReadingCallback,
        on_state: Callable[[DeviceStateEvent], None],
        reopen: Callable[[], Transport] | None = None,
        compensation: Compensation | None = None,
        line_pattern: LinePattern | None = None,
        target_mode: ThermometerMode = ThermometerMode.SURFACE,
        poll_interval_s: float = 0.2,
        response_timeout_s: float = 1.0,
        frame_timeout_s: float = 0.2,
        reconnect_interval_s: float = 0.5,
        clock: Clock = utc_now,
        name: str = "thermometer",
    ) -> None:
        self.model = check_model(model).name
        self.compensation = compensation or Compensation()
        self.line_pattern = line_pattern or LINE_PRESETS["plain"]
        self.line_pattern.compiled()  # a bad pattern fails here, not on the reader thread
        self.target_mode = target_mode
        self.poll_interval_s = poll_interval_s
        self.response_timeout_s = response_timeout_s
        self.frame_timeout_s = frame_timeout_s
        self._on_reading = on_reading
        self._clock = clock
        self._lock = threading.Lock()
        self._latest: TemperatureReading | None = None
        self._loop = DeviceLoop(
            device=name,
            transport=transport,
            session=self._session,
            on_state=on_state,
            reopen=reopen,
            reconnect_interval_s=reconnect_interval_s,
            clock=clock,
        )

    # -- public --------------------------------------------------------------------------------
    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout_s: float = 2.0) -> bool:
        return self._loop.stop(timeout_s)

    @property
    def reconnects(self) -> int:
        return self._loop.reconnects

    def latest(self, now_utc: dt.datetime, max_age_s: float) -> TemperatureReading | None:
        """The newest reading if it is at most `max_age_s` old, else None."""
        with self._lock:
            reading = self._latest
        return reading if reading is not None and reading.is_fresh(now_utc, max_age_s) else None

    def take_fresh(
        self,
        now_utc: dt.datetime,
        max_age_s: float,
        *,
        not_before_utc: dt.datetime | None = None,
    ) -> TemperatureReading | None:
        """The newest fresh reading, consumed so it is never attached to a second person.

        `not_before_utc` (e.g. when the person stepped up) also refuses readings taken before.
        """
        with self._lock:
            reading = self._latest
            if reading is None or not reading.is_fresh(now_utc, max_age_s):
                return None
            if not_before_utc is not None and reading.measured_at_utc < not_before_utc:
                return None
            self._latest = None
            return reading

    # -- reader thread -------------------------------------------------------------------------
    def _deframer(self) -> Deframer:
        if self.model == "gy-mcu90614":
            return GyDeframer()
        if self.model == "body-aaa5":
            return Aaa5Deframer()
        return LineDeframer()

    def _request(self) -> bytes | None:
        if self.model == "gy-mcu90614":
            return GY_QUERY
        if self.model == "body-aaa5":
            return AAA5_MEASURE
        return None  # ascii-line modules talk on their own

    def _decode(self, frame: bytes) -> RawTemperature | None:
        """The temperature in a frame, None for a valid frame that carries none (an ack)."""
        if self.model == "gy-mcu90614":
            return parse_gy_frame(frame)
        if self.model == "body-aaa5":
            cmd, args = split_aaa5_frame(frame)
            if cmd == AAA5_CMD_MEASURE:
                return parse_aaa5_measure(args)
            if cmd == AAA5_CMD_SET_TARGET and args != bytes([AAA5_ACK_OK]):
                text = f"set target refused: {args.hex()}"
                self._loop.emit(DeviceState.ERROR, DeviceFault.DEVICE_STATUS, text)
            return None
        return parse_ascii_line(frame, self.line_pattern)

    def _session(self, transport: Transport, stop: threading.Event) -> None:
        transport.timeout = min(0.05, self.poll_interval_s)
        deframer = self._deframer()
        request = self._request()
        if self.model == "body-aaa5":
            write_all(transport, aaa5_set_target(self.target_mode))
        now = time.monotonic()
        last_request = -float("inf")
        awaiting_since: float | None = None
        last_frame_at = now
        last_byte_at = now
        timed_out = False
        implausible_reported = False
        while not stop.is_set():
            now = time.monotonic()
            if request is not None and now - last_request >= self.poll_interval_s:
                write_all(transport, request)
                last_request = now
                if awaiting_since is None:
                    awaiting_since = now
            data = read_some(transport)
            now = time.monotonic()
            if data:
                last_byte_at = now
                logger.debug("%s rx %s", self.model, data.hex())
                for item in deframer.feed(data):
                    if isinstance(item, FrameError):
                        self._loop.emit(DeviceState.ERROR, DeviceFault.BAD_FRAME, item.text)
                        continue
                    try:
                        raw = self._decode(item)
                    except FrameDecodeError as error:
                        self._loop.emit(DeviceState.ERROR, DeviceFault.BAD_FRAME, str(error))
                        continue
                    last_frame_at = now
                    if timed_out:
                        timed_out = False
                        self._loop.emit(
                            DeviceState.CONNECTED, DeviceFault.NONE, "device responding again"
                        )
                    if raw is None:
                        continue
                    awaiting_since = None
                    implausible_reported = self._publish(raw, implausible_reported)
            elif deframer.pending and now - last_byte_at > self.frame_timeout_s:
                deframer.reset()
                self._loop.emit(
                    DeviceState.ERROR, DeviceFault.PARTIAL_FRAME, "incomplete frame discarded"
                )
            silent_since = last_frame_at if request is None else awaiting_since
            if (
                not timed_out
                and silent_since is not None
                and now - silent_since > self.response_timeout_s
            ):
                timed_out = True
                self._loop.emit(
                    DeviceState.ERROR,
                    DeviceFault.TIMEOUT,
                    f"no reply within {self.response_timeout_s:g} s",
                )

    def _publish(self, raw: RawTemperature, implausible_reported: bool) -> bool:
        """Hand a reading on; returns whether an implausible value is currently reported."""
        try:
            reading = make_reading(raw, self.compensation, self._clock())
        except ImplausibleReadingError as error:
            if not implausible_reported:  # once per run of them, not five times a second
                self._loop.emit(DeviceState.ERROR, DeviceFault.IMPLAUSIBLE_READING, str(error))
            return True
        with self._lock:
            self._latest = reading
        try:
            self._on_reading(reading)
        except Exception:
            logger.exception("reading callback failed")
        return False
