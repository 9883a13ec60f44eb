"""`simthermometer://?model=gy-mcu90614&fever=1`: a simulated thermometer as a serial port.

Options (all optional): model (gy-mcu90614, body-aaa5, ascii-line), celsius (surface value
sent), ambient, fever, no_reading, garbage, partial, truncated, corrupt, stall_after, stall_s,
disconnect_after, interval_ms, preset (ascii-line format), seed, pace (send at the model's
baud rate). Flags take 1/0 (or a bare name for 1).
"""

from __future__ import annotations

import math

from drivers.serialio.simport import SimDevice, SimSerialBase, flag, no_unknown_options, number
from drivers.thermometer.protocol import check_model
from drivers.thermometer.simulator import SimThermometer, SimThermometerSettings


def _count(options: dict[str, str], name: str) -> int | None:
    value = number(options, name, None)
    return None if value is None else int(value)


def settings_from_options(options: dict[str, str]) -> tuple[SimThermometerSettings, bool]:
    options = dict(options)
    model = options.pop("model", "gy-mcu90614")
    check_model(model)
    settings = SimThermometerSettings(
        model=model,
        surface_celsius=number(options, "celsius", None),
        ambient_celsius=number(options, "ambient", 25.0) or 0.0,
        fever=flag(options, "fever"),
        no_reading=flag(options, "no_reading"),
        garbage=flag(options, "garbage"),
        partial=flag(options, "partial"),
        truncated=flag(options, "truncated"),
        corrupt=flag(options, "corrupt"),
        stall_after=_count(options, "stall_after"),
        stall_s=number(options, "stall_s", math.inf) or 0.0,
        disconnect_after=_count(options, "disconnect_after"),
        interval_s=(number(options, "interval_ms", 100.0) or 0.0) / 1000,
        preset=options.pop("preset", "plain"),
        seed=_count(options, "seed") or 0,
    )
    pace = flag(options, "pace")
    no_unknown_options(options)
    return settings, pace


class Serial(SimSerialBase):
    scheme = "simthermometer"

    def make_device(self, options: dict[str, str]) -> tuple[SimDevice, int | None]:
        settings, pace = settings_from_options(options)
        return SimThermometer(settings), check_model(settings.model).baudrate if pace else None
