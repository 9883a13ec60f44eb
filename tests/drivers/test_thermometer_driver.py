"""ThermometerDriver against SimThermometer over a real pty and over `simthermometer://`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from serial_fixtures import EventLog

from drivers.serialio.events import DeviceFault, DeviceState
from drivers.serialio.simport import PtySim
from drivers.serialio.transport import PortInfo, Transport, find_ports, open_url, resolve_port
from drivers.thermometer import open_thermometer
from drivers.thermometer.driver import ThermometerDriver
from drivers.thermometer.protocol import (
    MODELS,
    TemperatureReading,
    ThermometerMode,
    gy_frame,
)
from drivers.thermometer.simulator import SimThermometer, SimThermometerSettings

MODEL_NAMES = sorted(MODELS)


@pytest.fixture
def log() -> EventLog:
    return EventLog()


@pytest.fixture
def drivers() -> Iterator[list[ThermometerDriver]]:
    started: list[ThermometerDriver] = []
    yield started
    for driver in started:
        assert driver.stop(2.0), "reader thread did not stop within its join timeout"


@pytest.fixture
def sims() -> Iterator[list[PtySim]]:
    made: list[PtySim] = []
    yield made
    for sim in made:
        sim.close()


def start_on_pty(
    settings: SimThermometerSettings,
    log: EventLog,
    drivers: list[ThermometerDriver],
    sims: list[PtySim],
    **driver_options: object,
) -> tuple[ThermometerDriver, SimThermometer]:
    device = SimThermometer(settings)
    sim = PtySim(device)
    sims.append(sim)
    options: dict[str, object] = {"poll_interval_s": 0.03, "response_timeout_s": 1.0}
    options.update(driver_options)
    if settings.model == "ascii-line":
        from drivers.thermometer.protocol import LINE_PRESETS

        options.setdefault("line_pattern", LINE_PRESETS[settings.preset])
    driver = ThermometerDriver(
        open_url(sim.path, baudrate=MODELS[settings.model].baudrate),
        model=settings.model,
        on_reading=log,
        on_state=log,
        **options,  # type: ignore[arg-type]
    )
    drivers.append(driver)
    driver.start()
    return driver, device


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_each_model_reads_a_normal_temperature_over_a_pty(
    model: str, log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    start_on_pty(SimThermometerSettings(model=model, interval_s=0.03), log, drivers, sims)
    log.wait_for_state(DeviceState.CONNECTED)
    reading = log.wait_for_type(TemperatureReading)
    assert reading.raw_celsius == 33.8
    assert reading.body_celsius == 36.8
    assert reading.mode is ThermometerMode.SURFACE


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_each_model_reports_a_fever_through_its_url_handler(
    model: str, log: EventLog, drivers: list[ThermometerDriver]
) -> None:
    driver = open_thermometer(
        f"simthermometer://?model={model}&fever=1&interval_ms=30",
        model=model,
        on_reading=log,
        on_state=log,
        poll_interval_s=0.03,
    )
    drivers.append(driver)
    reading = log.wait_for_type(TemperatureReading)
    assert reading.body_celsius == 38.6


def test_a_body_mode_module_is_switched_to_body_and_not_compensated_again(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    _, device = start_on_pty(
        SimThermometerSettings(model="body-aaa5"),
        log,
        drivers,
        sims,
        target_mode=ThermometerMode.BODY,
    )
    reading = log.wait_for_type(TemperatureReading)
    assert device.target is ThermometerMode.BODY
    assert (reading.mode, reading.raw_celsius, reading.body_celsius) == (
        ThermometerMode.BODY,
        36.8,
        36.8,
    )


def test_the_mlx_sketch_preset_carries_the_ambient_temperature(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    settings = SimThermometerSettings(model="ascii-line", preset="mlx-sketch", interval_s=0.03)
    start_on_pty(settings, log, drivers, sims)
    assert log.wait_for_type(TemperatureReading).ambient_celsius == 25.0


def test_nobody_in_front_gives_an_implausible_reading_error_and_no_reading(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    start_on_pty(SimThermometerSettings(no_reading=True), log, drivers, sims)
    event = log.wait_for_state(DeviceState.ERROR, DeviceFault.IMPLAUSIBLE_READING)
    assert "outside 30-45" in event.text
    assert log.of_type(TemperatureReading) == []


@pytest.mark.parametrize("model", ["gy-mcu90614", "body-aaa5"])
@pytest.mark.parametrize("fault", ["garbage", "partial", "truncated"])
def test_readings_get_through_noise_split_frames_and_cut_frames(
    model: str, fault: str, log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    settings = replace(SimThermometerSettings(model=model), **{fault: True})
    start_on_pty(settings, log, drivers, sims)
    for _ in range(3):
        assert log.wait_for_type(TemperatureReading).body_celsius == 36.8


def test_a_stalled_device_times_out_within_its_configured_time(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    timeout_s = 0.3
    settings = SimThermometerSettings(stall_after=2)
    start_on_pty(settings, log, drivers, sims, poll_interval_s=0.05, response_timeout_s=timeout_s)
    log.wait_for_type(TemperatureReading)
    last = log.wait_for(lambda item: isinstance(item, TemperatureReading))
    timeout = log.wait_for(
        lambda item: getattr(item, "reason", None) is DeviceFault.TIMEOUT, timeout_s=3.0
    )
    waited_s = timeout.at_monotonic_s - last.at_monotonic_s
    assert timeout_s <= waited_s <= timeout_s + 0.05 + 0.25


def test_a_device_that_recovers_from_a_stall_is_reported_responding_again(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    settings = SimThermometerSettings(stall_after=1, stall_s=0.4)
    start_on_pty(settings, log, drivers, sims, response_timeout_s=0.2)
    log.wait_for_state(DeviceState.ERROR, DeviceFault.TIMEOUT)
    log.wait_for(lambda item: getattr(item, "text", "") == "device responding again")
    log.wait_for_type(TemperatureReading)


def test_unplugging_mid_frame_and_plugging_in_again_reconnects_by_itself(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    first = PtySim(SimThermometer(SimThermometerSettings(disconnect_after=2)))
    sims.append(first)
    current = [first.path]

    def reopen() -> Transport:
        return open_url(current[-1], baudrate=9600)

    driver = ThermometerDriver(
        reopen(),
        model="gy-mcu90614",
        on_reading=log,
        on_state=log,
        reopen=reopen,
        poll_interval_s=0.03,
        reconnect_interval_s=0.05,
    )
    drivers.append(driver)
    driver.start()
    log.wait_for_state(DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED)
    assert len(log.of_type(TemperatureReading)) == 2
    second = PtySim(SimThermometer(SimThermometerSettings(fever=True)))
    sims.append(second)
    current.append(second.path)
    log.wait_for(lambda item: isinstance(item, TemperatureReading) and item.body_celsius == 38.6)
    assert driver.reconnects >= 1


def test_the_url_handler_device_reconnects_after_a_simulated_unplug(
    log: EventLog, drivers: list[ThermometerDriver]
) -> None:
    driver = open_thermometer(
        "simthermometer://?disconnect_after=1",
        model="gy-mcu90614",
        on_reading=log,
        on_state=log,
        poll_interval_s=0.03,
    )
    drivers.append(driver)
    log.wait_for_state(DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED)
    log.wait_for_type(TemperatureReading)
    log.wait_for_state(DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED)
    assert driver.reconnects >= 1


def test_spy_urls_log_the_traffic_of_a_pty_device(
    log: EventLog,
    drivers: list[ThermometerDriver],
    sims: list[PtySim],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # spy:// wraps native ports only (not other URL handlers), so it goes over a pty here;
    # without ?file= it dumps to stderr (its file= option leaves the file open).
    sim = PtySim(SimThermometer())
    sims.append(sim)
    driver = open_thermometer(
        f"spy://{sim.path}", model="gy-mcu90614", on_reading=log, on_state=log
    )
    drivers.append(driver)
    log.wait_for_type(TemperatureReading)
    assert driver.stop(2.0)
    text = capsys.readouterr().err
    assert "TX   0000  A5 15 BA" in text
    received = "".join(re.findall(r" RX +[0-9A-F]{4}  ((?:[0-9A-F]{2} )+)", text))
    # The dump may end before the last bytes it logged reach stderr: check the frame's head.
    assert received.startswith(gy_frame(33.8, 25.0)[:8].hex(" ").upper())


def test_an_unknown_url_option_fails_loudly_when_opening() -> None:
    with pytest.raises(OSError, match="unknown option"):
        open_url("simthermometer://?fevr=1", baudrate=9600)


def test_a_port_that_does_not_exist_is_an_oserror_naming_it() -> None:
    with pytest.raises(OSError, match="/dev/does-not-exist"):
        open_url("/dev/does-not-exist", baudrate=9600)


def test_take_fresh_gives_a_reading_once_and_never_a_stale_one(
    log: EventLog, drivers: list[ThermometerDriver], sims: list[PtySim]
) -> None:
    driver, _ = start_on_pty(SimThermometerSettings(), log, drivers, sims)
    reading: TemperatureReading = log.wait_for_type(TemperatureReading)
    assert driver.stop(2.0)
    later = reading.measured_at_utc + dt.timedelta(seconds=10)
    assert driver.take_fresh(later, max_age_s=5) is None
    assert driver.latest(later, max_age_s=5) is None
    now = driver.latest(later, max_age_s=60)
    assert now is not None
    assert driver.take_fresh(later, max_age_s=60, not_before_utc=later) is None
    assert driver.take_fresh(later, max_age_s=60) == now
    assert driver.take_fresh(later, max_age_s=60) is None


def test_devices_are_found_by_usb_vendor_and_product_id() -> None:
    ports = [
        PortInfo("/dev/ttyUSB0", 0x1A86, 0x7523, "CH340"),
        PortInfo("/dev/ttyUSB1", 0x10C4, 0xEA60, "CP2102"),
        PortInfo("/dev/ttyS0", None, None, "built-in"),
    ]
    assert find_ports(vid=0x10C4, pid=0xEA60, ports=ports) == ["/dev/ttyUSB1"]
    assert find_ports(vid=0x1A86, ports=ports) == ["/dev/ttyUSB0"]
    assert resolve_port("simthermometer://", vid=0x10C4, pid=0xEA60) == "simthermometer://"
