"""Wiring found by running the kiosk (issue 22): what the configuration names is what the
running application opens and uses. The whole app, no Qt: real store, ptys, simulators."""

from __future__ import annotations

import importlib.util
import os
import tty
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drivers.camera.sources import ImageFolder
from drivers.serialio.events import DeviceFault, DeviceState
from kiosk.app.demo import DemoWorld, render_camera_folder
from kiosk.app.nfc import NfcReader
from kiosk.app.startup import KioskSetup
from kiosk.app.viewstate import Health, StatusKind
from kiosk.checkpoint.flow import FlowState
from kiosk.checkpoint.outcome import Outcome
from kiosk.config import check_config
from kiosk.store import LogFilter
from tests.kiosk.app.app_support import AppHarness


@pytest.fixture
def pty_port() -> Iterator[tuple[int, str]]:
    """A pty like a USB-serial scanner: the test writes on the master, the kiosk opens the path."""
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def _item(harness: AppHarness, kind: StatusKind) -> tuple[Health, str]:
    item = next(i for i in harness.app.status_items() if i.kind is kind)
    return item.health, item.word.en


def test_a_serial_scanner_in_the_configuration_feeds_its_codes_to_the_flow(
    tmp_path: Path, world: DemoWorld, pty_port: tuple[int, str]
) -> None:
    master, path = pty_port
    config = f'[scanner]\nmode = "serial"\nurl = "{path}"\n'
    (tmp_path / "check.toml").write_text(config, encoding="utf-8")
    assert check_config(tmp_path / "check.toml") == []  # what --check-config says
    harness = AppHarness(tmp_path, world, config_text=config)
    try:
        connected = lambda: harness.device_state(StatusKind.SCANNER) is DeviceState.CONNECTED  # noqa: E731
        assert harness.run_until(connected)
        assert _item(harness, StatusKind.SCANNER) == (Health.OK, "working")
        os.write(master, world.case("green").text.encode() + b"\r\n")
        assert harness.run_until(lambda: harness.app.flow.state is FlowState.COLLECTING)
        harness.app.driver.submit_manual_temperature(36.5)
        assert harness.run_until(lambda: bool(harness.screens.results))
        result = harness.screens.results[0]
        assert result.outcome is Outcome.PASS
        assert result.masked_name == "张*丰"
    finally:
        harness.stop()


def test_an_nfc_reader_is_opened_through_pcsc_and_says_why_it_cannot_be_used(
    tmp_path: Path, world: DemoWorld
) -> None:
    config = '[id_reader]\nkind = "nfc"\nurl = "pcsc:0"\n'
    (tmp_path / "check.toml").write_text(config, encoding="utf-8")
    assert check_config(tmp_path / "check.toml") == []
    harness = AppHarness(tmp_path, world, config_text=config)
    try:
        assert isinstance(harness.app.devices.id_reader, NfcReader)
        failed = lambda: harness.device_state(StatusKind.ID_READER) is DeviceState.ERROR  # noqa: E731
        if importlib.util.find_spec("smartcard") is None:  # pyscard is an optional extra
            assert harness.run_until(failed)
            event = harness.app.status.device_states[StatusKind.ID_READER]
            assert event is not None
            assert event.reason is DeviceFault.OPEN_FAILED
            assert "pyscard" in event.text
            assert "could not open port" not in event.text
            assert _item(harness, StatusKind.ID_READER) == (Health.BAD, "fault")
        # Whatever the reader does, the kiosk keeps deciding passages.
        harness.app.driver.submit_code_text(world.case("red").text)
        harness.app.driver.submit_manual_temperature(36.5)
        assert harness.run_until(lambda: bool(harness.screens.results))
        assert harness.screens.results[0].outcome is Outcome.DENY
    finally:
        harness.stop()


def test_after_a_restart_the_first_rescan_of_a_code_that_passed_is_a_repeat(
    tmp_path: Path, world: DemoWorld
) -> None:
    green = world.case("green").text
    first = AppHarness(tmp_path, world)
    try:
        first.app.driver.submit_code_text(green)
        first.app.driver.submit_manual_temperature(36.5)
        assert first.run_until(lambda: bool(first.screens.results))
        assert first.screens.results[0].repeat_minutes is None
        assert first.run_until(lambda: first.app.store.passages.log_count(LogFilter()) == 1)
    finally:
        first.stop()

    camera = tmp_path / "camera"
    render_camera_folder(camera, [green], frames_per_shot=4)

    def with_camera(setup: KioskSetup) -> None:
        setup.camera = ImageFolder(camera, fps=12.0, loop=True)

    three_minutes_later = lambda: datetime.now(UTC) + timedelta(minutes=3)  # noqa: E731
    second = AppHarness(tmp_path, world, wall_clock=three_minutes_later, tweak=with_camera)
    try:
        assert second.run_until(lambda: second.app.flow.state is FlowState.COLLECTING)
        second.app.driver.submit_manual_temperature(36.5)
        assert second.run_until(lambda: bool(second.screens.results))
        assert second.screens.results[0].repeat_minutes == 3
    finally:
        second.stop()
