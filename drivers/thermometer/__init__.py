"""Infrared thermometers on serial lines: gy-mcu90614, body-aaa5 and ascii-line modules.

`open_thermometer(url, model=...)` opens any pyserial URL (a device path, `spy://`, or the
simulator `simthermometer://?model=...`) and returns a started `ThermometerDriver` that
reconnects by itself after an unplug.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.serialio.events import DeviceStateEvent
from drivers.serialio.transport import Transport, open_url
from drivers.thermometer.driver import ReadingCallback, ThermometerDriver
from drivers.thermometer.protocol import (
    MODELS,
    Compensation,
    LinePattern,
    TemperatureReading,
    ThermometerMode,
    check_model,
)

__all__ = [
    "MODELS",
    "Compensation",
    "LinePattern",
    "TemperatureReading",
    "ThermometerDriver",
    "ThermometerMode",
    "open_thermometer",
]


def open_thermometer(
    url: str,
    *,
    model: str,
    on_reading: ReadingCallback,
    on_state: Callable[[DeviceStateEvent], None],
    baudrate: int | None = None,
    start: bool = True,
    compensation: Compensation | None = None,
    line_pattern: LinePattern | None = None,
    target_mode: ThermometerMode = ThermometerMode.SURFACE,
    poll_interval_s: float = 0.2,
    response_timeout_s: float = 1.0,
) -> ThermometerDriver:
    """Open `url` (OSError when it cannot be opened) and return the driver, started."""
    spec = check_model(model)
    rate = baudrate or spec.baudrate

    def reopen() -> Transport:
        return open_url(url, baudrate=rate)

    driver = ThermometerDriver(
        reopen(),
        model=spec.name,
        on_reading=on_reading,
        on_state=on_state,
        reopen=reopen,
        compensation=compensation,
        line_pattern=line_pattern,
        target_mode=target_mode,
        poll_interval_s=poll_interval_s,
        response_timeout_s=response_timeout_s,
    )
    if start:
        driver.start()
    return driver
