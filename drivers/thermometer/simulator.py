"""SimThermometer: speaks the bytes of each thermometer model, with the faults of cheap devices.

Runs over a pty (`PtySim(SimThermometer(...))`) or as the pyserial URL
`simthermometer://?model=gy-mcu90614&fever=1` (see `drivers.serialio.urlhandlers`).
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass

from drivers.serialio.simport import SimPort, SimPortClosedError
from drivers.thermometer.protocol import (
    AAA5_ACK_OK,
    AAA5_CMD_MEASURE,
    AAA5_CMD_SET_TARGET,
    AAA5_TARGET_BODY,
    GY_CMD_CONTINUOUS,
    GY_CMD_QUERY,
    GY_COMMAND_HEADER,
    LINE_PRESETS,
    Aaa5Deframer,
    TemperatureUnit,
    ThermometerMode,
    aaa5_frame,
    aaa5_measure_reply,
    check_model,
    gy_frame,
    split_aaa5_frame,
)

NORMAL_SURFACE_CELSIUS = 33.8  # -> 36.8 °C body with the default compensation
FEVER_SURFACE_CELSIUS = 35.6  # -> 38.6 °C
NORMAL_BODY_CELSIUS = 36.8
FEVER_BODY_CELSIUS = 38.6
# Noise never contains a sync byte (5A, AA), so a test knows exactly which frames are real;
# arbitrary garbage is covered by the property tests of the pure deframers.
_NOISE_BYTES = bytes(b for b in range(256) if b not in (0x5A, 0xAA, 0x0A))


@dataclass(frozen=True)
class SimThermometerSettings:
    """Fault settings: each maps to a `simthermometer://` URL option of the same name."""

    model: str = "gy-mcu90614"
    surface_celsius: float | None = None  # None: normal or fever value
    ambient_celsius: float = 25.0
    fever: bool = False
    no_reading: bool = False  # nobody in front: the sensor sees the room
    garbage: bool = False  # noise bytes before every frame
    partial: bool = False  # every frame in two writes, `partial_gap_s` apart
    partial_gap_s: float = 0.02
    truncated: bool = False  # every other frame cut short (its tail never comes)
    corrupt: bool = False  # every frame with a bad checksum (a line: its digits unreadable)
    stall_after: int | None = None  # go silent after this many frames ...
    stall_s: float = math.inf  # ... for this long
    disconnect_after: int | None = None  # unplug in the middle of frame number N + 1
    interval_s: float = 0.1  # period of streamed output (continuous mode, ascii-line)
    preset: str = "plain"  # ascii-line output format
    seed: int = 0

    def __post_init__(self) -> None:
        check_model(self.model)
        if self.preset not in LINE_PRESETS:
            raise ValueError(f"unknown line preset {self.preset!r}")


class SimThermometer:
    def __init__(self, settings: SimThermometerSettings | None = None) -> None:
        self.settings = settings or SimThermometerSettings()
        self.frames_sent = 0
        self.requests_seen = 0
        self.target = ThermometerMode.SURFACE
        self._rng = random.Random(self.settings.seed)  # noqa: S311 - noise, not secrets
        self._stall_until: float | None = None
        self._cut_next = False

    # -- values ------------------------------------------------------------------------------
    def value_celsius(self, mode: ThermometerMode) -> float:
        s = self.settings
        if s.no_reading:
            return s.ambient_celsius
        if mode is ThermometerMode.BODY:
            return FEVER_BODY_CELSIUS if s.fever else NORMAL_BODY_CELSIUS
        if s.surface_celsius is not None:
            return s.surface_celsius
        return FEVER_SURFACE_CELSIUS if s.fever else NORMAL_SURFACE_CELSIUS

    def line(self) -> bytes:
        pattern = LINE_PRESETS[self.settings.preset]
        value = self.value_celsius(pattern.mode)
        ambient = self.settings.ambient_celsius
        if pattern.unit is TemperatureUnit.FAHRENHEIT:
            value = value * 9 / 5 + 32
        text = {
            "plain": f"{value:.2f}",
            "mlx-sketch": f"Ambient = {ambient:.2f}*C\tObject = {value:.2f}*C",
            "body-t": f"T:{value:.1f}",
            "fahrenheit": f"{value:.1f}F",
        }[self.settings.preset]
        return text.encode("ascii") + b"\r\n"

    # -- output with faults ------------------------------------------------------------------
    def send(self, port: SimPort, frame: bytes) -> None:
        s = self.settings
        now = time.monotonic()
        if s.disconnect_after is not None and self.frames_sent >= s.disconnect_after:
            port.write(frame[: len(frame) // 2])
            port.hang_up()
            raise SimPortClosedError
        if s.stall_after is not None and self.frames_sent >= s.stall_after:
            if self._stall_until is None:
                self._stall_until = now + s.stall_s
            if now < self._stall_until:
                return
        self.frames_sent += 1
        if s.corrupt:
            frame = self._corrupted(frame)
        if s.garbage:
            count = self._rng.randint(1, 7)
            port.write(bytes(self._rng.choice(_NOISE_BYTES) for _ in range(count)))
        if s.truncated:
            self._cut_next = not self._cut_next
            if self._cut_next:
                port.write(frame[: max(1, len(frame) // 2)])
                return
        if s.partial:
            half = max(1, len(frame) // 2)
            port.write(frame[:half])
            time.sleep(s.partial_gap_s)
            port.write(frame[half:])
        else:
            port.write(frame)

    def _corrupted(self, frame: bytes) -> bytes:
        checksum_at = {"gy-mcu90614": -1, "body-aaa5": -2}.get(self.settings.model)
        if checksum_at is None:
            return bytes(ord("?") if chr(b).isdigit() else b for b in frame)
        out = bytearray(frame)
        out[checksum_at] ^= 0xFF
        return bytes(out)

    # -- per model ---------------------------------------------------------------------------
    def serve(self, port: SimPort, stop: threading.Event) -> None:
        model = self.settings.model
        if model == "gy-mcu90614":
            self._serve_gy(port, stop)
        elif model == "body-aaa5":
            self._serve_aaa5(port, stop)
        else:
            self._serve_lines(port, stop)

    def _serve_gy(self, port: SimPort, stop: threading.Event) -> None:
        pending = bytearray()
        continuous = False
        next_at = 0.0
        while not stop.is_set():
            pending += port.read(self.settings.interval_s if continuous else 0.05)
            while len(pending) >= 3:  # `A5 CMD SUM`
                valid_sum = (pending[0] + pending[1]) & 0xFF == pending[2]
                if pending[0] != GY_COMMAND_HEADER or not valid_sum:
                    del pending[0]
                    continue
                cmd = pending[1]
                del pending[:3]
                self.requests_seen += 1
                if cmd == GY_CMD_QUERY:
                    self._send_gy(port)
                elif cmd == GY_CMD_CONTINUOUS:
                    continuous = True
            if continuous and time.monotonic() >= next_at:
                next_at = time.monotonic() + self.settings.interval_s
                self._send_gy(port)

    def _send_gy(self, port: SimPort) -> None:
        value = self.value_celsius(ThermometerMode.SURFACE)
        self.send(port, gy_frame(value, self.settings.ambient_celsius))

    def _serve_aaa5(self, port: SimPort, stop: threading.Event) -> None:
        deframer = Aaa5Deframer()
        while not stop.is_set():
            for frame in deframer.feed(port.read(0.05)):
                if not isinstance(frame, bytes):
                    continue  # a real module ignores a bad request
                cmd, args = split_aaa5_frame(frame)
                self.requests_seen += 1
                if cmd == AAA5_CMD_MEASURE:
                    value = self.value_celsius(self.target)
                    ambient = self.settings.ambient_celsius
                    self.send(port, aaa5_measure_reply(value, ambient, self.target))
                elif cmd == AAA5_CMD_SET_TARGET:
                    body = args[:1] == bytes([AAA5_TARGET_BODY])
                    self.target = ThermometerMode.BODY if body else ThermometerMode.SURFACE
                    port.write(aaa5_frame(cmd, bytes([AAA5_ACK_OK])))
                else:  # 03/04 blackbody calibration: acknowledged, nothing to calibrate here
                    port.write(aaa5_frame(cmd, bytes([AAA5_ACK_OK])))

    def _serve_lines(self, port: SimPort, stop: threading.Event) -> None:
        while not stop.is_set():
            port.read(self.settings.interval_s)  # input is ignored; this paces the output
            self.send(port, self.line())
