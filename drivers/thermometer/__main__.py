"""Technicians' CLI: `python -m drivers.thermometer PORT_URL --model NAME`.

Prints each reading (raw and compensated) and each device state change as a JSON line.
Exit codes: 0 done (--count reached, Ctrl-C, or the reader closed the output: `| head`), 2 wrong
port/model/options, 3 no reading accepted for --silent-timeout seconds (the device stayed
silent, sent no frame of this model, or only implausible values).
"""

from __future__ import annotations

import argparse
import queue
import sys
import time
from collections.abc import Sequence

from drivers.serialio.cli import (
    EXIT_OK,
    EXIT_SILENT,
    EXIT_USAGE,
    fail,
    print_json,
    state_record,
    survives_closed_stdout,
)
from drivers.serialio.events import DeviceFault, DeviceStateEvent
from drivers.thermometer import open_thermometer
from drivers.thermometer.protocol import (
    LINE_PRESETS,
    MODELS,
    PLAUSIBLE_MAX_CELSIUS,
    PLAUSIBLE_MIN_CELSIUS,
    Compensation,
    LinePattern,
    TemperatureReading,
    TemperatureUnit,
    ThermometerMode,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m drivers.thermometer",
        description="Read an infrared thermometer and print JSON lines.",
    )
    parser.add_argument("port", help="port URL: /dev/ttyUSB0, spy://..., simthermometer://...")
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--baud", type=int, help="baud rate (default: the model's)")
    parser.add_argument("--preset", choices=sorted(LINE_PRESETS), default="plain")
    parser.add_argument("--pattern", help="ascii-line: a regex with a named group 'value'")
    parser.add_argument("--unit", choices=[u.value for u in TemperatureUnit], default="C")
    parser.add_argument(
        "--mode",
        choices=[m.value for m in ThermometerMode],
        default="surface",
        help="what the module measures (body-aaa5: the target it is switched to)",
    )
    parser.add_argument("--offset", type=float, default=Compensation.offset_celsius)
    parser.add_argument("--gain", type=float, default=Compensation.gain)
    parser.add_argument("--count", type=int, default=0, help="stop after N readings (0: never)")
    parser.add_argument("--silent-timeout", type=float, default=5.0, metavar="S")
    parser.add_argument("--poll-interval", type=float, default=0.2, metavar="S")
    return parser


def reading_record(reading: TemperatureReading) -> dict[str, object]:
    return {
        "event": "reading",
        "raw_celsius": reading.raw_celsius,
        "body_celsius": reading.body_celsius,
        "mode": reading.mode.value,
        "ambient_celsius": reading.ambient_celsius,
        "measured_at_utc": reading.measured_at_utc,
    }


class Silence:
    """Why no reading was accepted lately: silence is counted from the last accepted reading,
    so a device that sends only refused readings or bad frames is silent too."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.implausible = False
        self.bad_frames = False

    def saw(self, reason: DeviceFault) -> None:
        if reason is DeviceFault.IMPLAUSIBLE_READING:
            self.implausible = True
        elif reason in (DeviceFault.BAD_FRAME, DeviceFault.PARTIAL_FRAME):
            self.bad_frames = True

    @property
    def hint(self) -> str:
        if self.implausible:
            return (
                f"readings arrive but are outside {PLAUSIBLE_MIN_CELSIUS:g}-"
                f"{PLAUSIBLE_MAX_CELSIUS:g} °C after compensation: nobody in front of the "
                "sensor, or check --offset and --gain"
            )
        if self.bad_frames:
            return f"bytes arrive but no {self.model} frame: wrong --model or --baud?"
        return "check the cable, the power, --model and --baud"


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    mode = ThermometerMode(args.mode)
    if args.pattern:
        pattern = LinePattern(args.pattern, TemperatureUnit(args.unit), mode)
    else:
        pattern = LINE_PRESETS[args.preset]
    try:
        pattern.compiled()
    except (ValueError, OSError) as error:  # re.error is a ValueError
        return fail(f"bad --pattern: {error}", EXIT_USAGE)
    events: queue.Queue[TemperatureReading | DeviceStateEvent] = queue.Queue()
    try:
        driver = open_thermometer(
            args.port,
            model=args.model,
            on_reading=events.put,
            on_state=events.put,
            baudrate=args.baud,
            compensation=Compensation(gain=args.gain, offset_celsius=args.offset),
            line_pattern=pattern,
            target_mode=mode,
            poll_interval_s=args.poll_interval,
            response_timeout_s=args.silent_timeout,
        )
    except OSError as error:
        return fail(f"{error} (check the port name and that no other program uses it)", EXIT_USAGE)
    readings = 0
    silence = Silence(args.model)
    deadline = time.monotonic() + args.silent_timeout
    try:
        while args.count == 0 or readings < args.count:
            remaining_s = deadline - time.monotonic()
            if remaining_s <= 0:  # checked between events too: a flood of bad frames is silence
                return fail(
                    f"device on {args.port} silent for {args.silent_timeout:g} s: {silence.hint}",
                    EXIT_SILENT,
                )
            try:
                item = events.get(timeout=remaining_s)
            except queue.Empty:
                continue
            if isinstance(item, TemperatureReading):
                readings += 1
                silence = Silence(args.model)
                deadline = time.monotonic() + args.silent_timeout
                if not print_json(reading_record(item)):
                    break  # the reader has gone: it chose to stop
                continue
            if not print_json(state_record(item)):
                break
            silence.saw(item.reason)
    except KeyboardInterrupt:
        pass
    finally:
        driver.stop()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
