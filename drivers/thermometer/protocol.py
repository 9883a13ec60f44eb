"""Thermometer byte protocols: pure framing, parsing, compensation; no I/O, no clock.

Three protocols, chosen by configuration (`MODELS`):

- `gy-mcu90614` (GY-MCU90614/90615 modules, 9600 8N1): commands `A5 CMD SUM`; replies
  `5A 5A 45 04 TOh TOl TAh TAl SUM`, SUM = low byte of the sum of bytes 0-7, signed 16-bit
  values in 0.01 °C. Surface temperature only.
- `body-aaa5` (body-temperature modules, 38400 8N1): `AA A5 LEN CMD ARGS SUM 55`, LEN counts
  LEN through SUM, SUM = (LEN + CMD + sum(ARGS)) & 0xFF. CMD 01 measure (reply args: target,
  T high, T low, ambient high, ambient low, in 0.1 °C), 02 set target (01 surface, 02 body;
  ack arg 00), 03/04 blackbody calibration.
- `ascii-line`: one text line per reading, matched by a configurable regular expression.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from drivers.serialio.framing import (
    FrameDecodeError,
    FrameError,
    FrameLayout,
    FrameProblem,
    LayoutDeframer,
)


class ThermometerMode(StrEnum):
    SURFACE = "surface"
    BODY = "body"


@dataclass(frozen=True)
class RawTemperature:
    """What a frame says, before compensation and plausibility checks."""

    celsius: float
    mode: ThermometerMode
    ambient_celsius: float | None = None


# --------------------------------------------------------------------------- gy-mcu90614
GY_BAUDRATE = 9600
GY_COMMAND_HEADER = 0xA5
GY_CMD_CONTINUOUS = 0x45
GY_CMD_QUERY = 0x15
GY_REPLY_HEADER = b"\x5a\x5a"
GY_TYPE_TEMPERATURE = 0x45
GY_TEMPERATURE_LENGTH = 4
_GY_MAX_LENGTH = 16


def gy_command(cmd: int) -> bytes:
    """`A5 CMD SUM`: `gy_command(0x45)` is `A5 45 EA` (continuous), 0x15 gives `A5 15 BA`."""
    return bytes([GY_COMMAND_HEADER, cmd, (GY_COMMAND_HEADER + cmd) & 0xFF])


GY_QUERY = gy_command(GY_CMD_QUERY)
GY_CONTINUOUS = gy_command(GY_CMD_CONTINUOUS)


def gy_checksum(frame: bytes) -> int:
    """SUM: the low byte of the sum of every byte before it."""
    return sum(frame[:-1]) & 0xFF


def gy_frame(object_celsius: float, ambient_celsius: float) -> bytes:
    """The reply frame a module sends for these temperatures (used by the simulator)."""
    body = bytes([0x5A, 0x5A, GY_TYPE_TEMPERATURE, GY_TEMPERATURE_LENGTH])
    body += round(object_celsius * 100).to_bytes(2, "big", signed=True)
    body += round(ambient_celsius * 100).to_bytes(2, "big", signed=True)
    return body + bytes([sum(body) & 0xFF])


def parse_gy_frame(frame: bytes) -> RawTemperature:
    """`5A5A45040C780D19A7` -> object 31.92 °C, ambient 33.53 °C (surface)."""
    if len(frame) < 5 or frame[:2] != GY_REPLY_HEADER:
        raise FrameDecodeError(FrameProblem.FRAMING, f"not a GY frame: {frame.hex()}")
    if frame[2] != GY_TYPE_TEMPERATURE:
        raise FrameDecodeError(FrameProblem.CONTENT, f"unexpected frame type {frame[2]:02x}")
    if frame[3] != GY_TEMPERATURE_LENGTH or len(frame) != 5 + GY_TEMPERATURE_LENGTH:
        raise FrameDecodeError(FrameProblem.LENGTH, f"bad length in {frame.hex()}")
    if gy_checksum(frame) != frame[-1]:
        raise FrameDecodeError(FrameProblem.CHECKSUM, f"bad checksum in {frame.hex()}")
    object_c = int.from_bytes(frame[4:6], "big", signed=True) / 100
    ambient_c = int.from_bytes(frame[6:8], "big", signed=True) / 100
    return RawTemperature(object_c, ThermometerMode.SURFACE, ambient_c)


GY_LAYOUT = FrameLayout(
    name="GY",
    header=GY_REPLY_HEADER,
    length_offset=3,  # 5A 5A TYPE LEN
    overhead=5,  # 5A 5A TYPE LEN ... SUM
    checksum=gy_checksum,
    max_length=_GY_MAX_LENGTH,
)


class GyDeframer(LayoutDeframer):
    """Finds `5A 5A TYPE LEN data SUM` frames in a stream."""

    def __init__(self) -> None:
        super().__init__(GY_LAYOUT)


# --------------------------------------------------------------------------- body-aaa5
AAA5_BAUDRATE = 38400
AAA5_HEADER = b"\xaa\xa5"
AAA5_TAIL = 0x55
AAA5_CMD_MEASURE = 0x01
AAA5_CMD_SET_TARGET = 0x02
AAA5_CMD_CALIBRATE_LOW = 0x03
AAA5_CMD_CALIBRATE_HIGH = 0x04
AAA5_TARGET_SURFACE = 0x01
AAA5_TARGET_BODY = 0x02
AAA5_ACK_OK = 0x00
_AAA5_MIN_LENGTH = 3  # LEN, CMD, SUM
_AAA5_MAX_LENGTH = 32
_AAA5_MEASURE_ARGS = 5


def aaa5_checksum(frame: bytes) -> int:
    """SUM of a whole frame: the low byte of LEN + CMD + ARGS."""
    return sum(frame[2:-2]) & 0xFF


def aaa5_frame(cmd: int, args: bytes = b"") -> bytes:
    """`aaa5_frame(0x01)` is the measure request `AA A5 03 01 04 55`."""
    length = 3 + len(args)
    checksum = (length + cmd + sum(args)) & 0xFF
    return AAA5_HEADER + bytes([length, cmd]) + args + bytes([checksum, AAA5_TAIL])


AAA5_MEASURE = aaa5_frame(AAA5_CMD_MEASURE)


def aaa5_set_target(mode: ThermometerMode) -> bytes:
    target = AAA5_TARGET_BODY if mode is ThermometerMode.BODY else AAA5_TARGET_SURFACE
    return aaa5_frame(AAA5_CMD_SET_TARGET, bytes([target]))


def aaa5_measure_reply(
    celsius: float, ambient_celsius: float, mode: ThermometerMode = ThermometerMode.SURFACE
) -> bytes:
    target = AAA5_TARGET_BODY if mode is ThermometerMode.BODY else AAA5_TARGET_SURFACE
    args = bytes([target])
    args += round(celsius * 10).to_bytes(2, "big", signed=True)
    args += round(ambient_celsius * 10).to_bytes(2, "big", signed=True)
    return aaa5_frame(AAA5_CMD_MEASURE, args)


def split_aaa5_frame(frame: bytes) -> tuple[int, bytes]:
    """(CMD, ARGS) of a whole frame, checking header, length, checksum and tail."""
    if len(frame) < 6 or frame[:2] != AAA5_HEADER:
        raise FrameDecodeError(FrameProblem.FRAMING, f"not an AA A5 frame: {frame.hex()}")
    length = frame[2]
    if length < _AAA5_MIN_LENGTH or len(frame) != length + 3:
        raise FrameDecodeError(FrameProblem.LENGTH, f"length {length} in {frame.hex()}")
    if frame[-1] != AAA5_TAIL:
        raise FrameDecodeError(FrameProblem.FRAMING, f"no 55 tail in {frame.hex()}")
    if aaa5_checksum(frame) != frame[-2]:
        raise FrameDecodeError(FrameProblem.CHECKSUM, f"bad checksum in {frame.hex()}")
    return frame[3], frame[4:-2]


def parse_aaa5_measure(args: bytes) -> RawTemperature:
    if len(args) != _AAA5_MEASURE_ARGS:
        raise FrameDecodeError(FrameProblem.LENGTH, f"measure reply has {len(args)} args")
    target = args[0]
    if target == AAA5_TARGET_BODY:
        mode = ThermometerMode.BODY
    elif target == AAA5_TARGET_SURFACE:
        mode = ThermometerMode.SURFACE
    else:
        raise FrameDecodeError(FrameProblem.CONTENT, f"unknown target {target:02x}")
    celsius = int.from_bytes(args[1:3], "big", signed=True) / 10
    ambient = int.from_bytes(args[3:5], "big", signed=True) / 10
    return RawTemperature(celsius, mode, ambient)


AAA5_LAYOUT = FrameLayout(
    name="AA A5",
    header=AAA5_HEADER,
    length_offset=2,  # AA A5 LEN
    overhead=3,  # LEN counts LEN through SUM: add AA A5 and the tail
    checksum=aaa5_checksum,
    min_length=_AAA5_MIN_LENGTH,
    max_length=_AAA5_MAX_LENGTH,
    checksum_offset=-2,
    trailer=bytes([AAA5_TAIL]),
)


class Aaa5Deframer(LayoutDeframer):
    """Finds `AA A5 LEN ... SUM 55` frames in a stream."""

    def __init__(self) -> None:
        super().__init__(AAA5_LAYOUT)


# --------------------------------------------------------------------------- ascii-line
class TemperatureUnit(StrEnum):
    CELSIUS = "C"
    FAHRENHEIT = "F"


@dataclass(frozen=True)
class LinePattern:
    """How a text-line module reports: a regex with a named group `value` (and optionally
    `ambient`), the unit, and whether the value is a surface or a body temperature."""

    regex: str
    unit: TemperatureUnit = TemperatureUnit.CELSIUS
    mode: ThermometerMode = ThermometerMode.SURFACE

    def compiled(self) -> re.Pattern[str]:
        pattern = re.compile(self.regex)
        if "value" not in pattern.groupindex:
            raise ValueError("a line pattern needs a named group 'value'")
        return pattern


LINE_PRESETS: dict[str, LinePattern] = {
    # "36.52" alone on a line, surface temperature in Celsius.
    "plain": LinePattern(r"^\s*(?P<value>-?\d+(?:\.\d+)?)\s*$"),
    # The common MLX90614 Arduino sketch: "Ambient = 25.31*C	Object = 33.87*C".
    "mlx-sketch": LinePattern(
        r"Ambient\s*=\s*(?P<ambient>-?\d+(?:\.\d+)?)\s*\*?C\s+Object\s*=\s*"
        r"(?P<value>-?\d+(?:\.\d+)?)\s*\*?C"
    ),
    # Body-temperature modules printing "T:36.8" or "BODY=36.8".
    "body-t": LinePattern(
        r"^(?:T|BODY)\s*[:=]\s*(?P<value>\d+(?:\.\d+)?)", mode=ThermometerMode.BODY
    ),
    # Fahrenheit modules: "97.9F" or "97.9 F".
    "fahrenheit": LinePattern(r"(?P<value>\d+(?:\.\d+)?)\s*F\b", unit=TemperatureUnit.FAHRENHEIT),
}
LINE_BAUDRATE = 9600
_MAX_LINE_BYTES = 256


def to_celsius(value: float, unit: TemperatureUnit) -> float:
    if unit is TemperatureUnit.FAHRENHEIT:
        return (value - 32) * 5 / 9
    return value


def parse_ascii_line(line: bytes, pattern: LinePattern) -> RawTemperature:
    text = line.decode("ascii", errors="replace").strip()
    match = pattern.compiled().search(text)
    if match is None:
        raise FrameDecodeError(FrameProblem.CONTENT, f"line does not match: {text[:60]!r}")
    value = to_celsius(float(match.group("value")), pattern.unit)
    ambient_text = match.groupdict().get("ambient")
    ambient = to_celsius(float(ambient_text), pattern.unit) if ambient_text else None
    ambient_c = None if ambient is None else round(ambient, 2)
    return RawTemperature(round(value, 2), pattern.mode, ambient_c)


class LineDeframer:
    """Cuts a stream into lines (LF or CRLF); overlong lines are errors, not memory leaks."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        self._buffer += data
        out: list[bytes | FrameError] = []
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[: end + 1]
            if len(line) > _MAX_LINE_BYTES:
                out.append(FrameError(FrameProblem.LENGTH, "line too long", line[:32]))
            elif line.strip():
                out.append(line)
        if len(self._buffer) > _MAX_LINE_BYTES:
            out.append(FrameError(FrameProblem.LENGTH, "line too long", bytes(self._buffer[:32])))
            self._buffer.clear()
        return out


# --------------------------------------------------------------------------- values
PLAUSIBLE_MIN_CELSIUS = 30.0
PLAUSIBLE_MAX_CELSIUS = 45.0


@dataclass(frozen=True)
class Compensation:
    """Surface -> body temperature: a linear model with an optional ambient term.

        body = gain * surface + offset_celsius
               + ambient_coefficient * (ambient_reference_celsius - ambient)

    The ambient term applies only when the module reports the ambient temperature. The default
    (gain 1, offset 3.0 °C, no ambient term) maps a typical forehead of 33.8 °C to 36.8 °C;
    each site calibrates against a clinical thermometer. Body-mode readings are not changed.
    """

    gain: float = 1.0
    offset_celsius: float = 3.0
    ambient_coefficient: float = 0.0
    ambient_reference_celsius: float = 25.0

    def body_celsius(self, raw: RawTemperature) -> float:
        if raw.mode is ThermometerMode.BODY:
            return raw.celsius
        body = self.gain * raw.celsius + self.offset_celsius
        if raw.ambient_celsius is not None:
            body += self.ambient_coefficient * (
                self.ambient_reference_celsius - raw.ambient_celsius
            )
        return round(body, 2)


@dataclass(frozen=True)
class TemperatureReading:
    """A usable reading: raw and body-compensated °C, the mode, and when it was measured."""

    raw_celsius: float
    body_celsius: float
    mode: ThermometerMode
    measured_at_utc: dt.datetime
    ambient_celsius: float | None = None

    def age_s(self, now_utc: dt.datetime) -> float:
        return (now_utc - self.measured_at_utc).total_seconds()

    def is_fresh(self, now_utc: dt.datetime, max_age_s: float) -> bool:
        """True while the reading is at most `max_age_s` old (and not from the future)."""
        return 0.0 <= self.age_s(now_utc) <= max_age_s


class ImplausibleReadingError(ValueError):
    def __init__(self, raw: RawTemperature, body_celsius: float) -> None:
        super().__init__(
            f"implausible reading: body {body_celsius:.2f} °C (raw {raw.celsius:.2f} °C) is "
            f"outside {PLAUSIBLE_MIN_CELSIUS:g}-{PLAUSIBLE_MAX_CELSIUS:g} °C"
        )
        self.raw = raw
        self.body_celsius = body_celsius


def make_reading(
    raw: RawTemperature, compensation: Compensation, measured_at_utc: dt.datetime
) -> TemperatureReading:
    """Compensate and check plausibility; ImplausibleReadingError for values outside 30-45 °C."""
    body = compensation.body_celsius(raw)
    if not PLAUSIBLE_MIN_CELSIUS <= body <= PLAUSIBLE_MAX_CELSIUS:
        raise ImplausibleReadingError(raw, body)
    return TemperatureReading(
        raw_celsius=raw.celsius,
        body_celsius=body,
        mode=raw.mode,
        measured_at_utc=measured_at_utc,
        ambient_celsius=raw.ambient_celsius,
    )


@dataclass(frozen=True)
class ModelSpec:
    name: str
    baudrate: int
    description: str


MODELS: dict[str, ModelSpec] = {
    "gy-mcu90614": ModelSpec("gy-mcu90614", GY_BAUDRATE, "GY-MCU90614/90615, A5/5A5A frames"),
    "body-aaa5": ModelSpec("body-aaa5", AAA5_BAUDRATE, "body-temperature module, AA A5 frames"),
    "ascii-line": ModelSpec("ascii-line", LINE_BAUDRATE, "one text line per reading"),
}


def check_model(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown thermometer model {name!r}; known models: {', '.join(sorted(MODELS))}"
        ) from None
