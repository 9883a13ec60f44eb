"""IdCardDriver against SimIdCardReader over a real pty and over `simidcard://`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from serial_fixtures import EventLog

from drivers.idcard import open_id_reader
from drivers.idcard.driver import IdCardDriver
from drivers.idcard.protocol import BAUDRATE, STATUS_ERRORS, CardType, IdentityRead
from drivers.idcard.simulator import (
    SAMPLE_HMT_PERMIT,
    SAMPLE_RESIDENT,
    SimIdCardReader,
    SimIdCardSettings,
)
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from drivers.serialio.simport import PtySim
from drivers.serialio.transport import Transport, open_url


@pytest.fixture
def log() -> EventLog:
    return EventLog()


@pytest.fixture
def drivers() -> Iterator[list[IdCardDriver]]:
    started: list[IdCardDriver] = []
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
    settings: SimIdCardSettings,
    log: EventLog,
    drivers: list[IdCardDriver],
    sims: list[PtySim],
    **options: Any,
) -> tuple[IdCardDriver, SimIdCardReader]:
    device = SimIdCardReader(settings)
    sim = PtySim(device)
    sims.append(sim)
    driver = IdCardDriver(
        open_url(sim.path, baudrate=BAUDRATE),
        on_identity=log,
        on_state=log,
        poll_interval_s=0.02,
        **options,
    )
    drivers.append(driver)
    driver.start()
    return driver, device


def is_error(reason: DeviceFault) -> Any:
    return lambda item: isinstance(item, DeviceStateEvent) and item.reason is reason


def test_a_card_on_a_pty_reader_is_read_once_per_placement(
    log: EventLog, drivers: list[IdCardDriver], sims: list[PtySim]
) -> None:
    _, device = start_on_pty(SimIdCardSettings(), log, drivers, sims)
    identity = log.wait_for_type(IdentityRead)
    assert identity == SAMPLE_RESIDENT
    assert device.commands_seen[:3] == [(0x20, 0x01), (0x20, 0x02), (0x30, 0x01)]
    device.remove_card()
    device.place_card(SAMPLE_HMT_PERMIT)
    second = log.wait_for_type(IdentityRead)
    assert second == SAMPLE_HMT_PERMIT
    assert len(log.of_type(IdentityRead)) == 2


@pytest.mark.parametrize("card", ["resident", "hmt"])
def test_cards_are_read_through_the_url_handler(
    card: str, log: EventLog, drivers: list[IdCardDriver]
) -> None:
    driver = open_id_reader(f"simidcard://?card={card}", on_identity=log, on_state=log)
    drivers.append(driver)
    identity: IdentityRead = log.wait_for_type(IdentityRead)
    expected = CardType.RESIDENT_ID if card == "resident" else CardType.HMT_RESIDENCE_PERMIT
    assert identity.card_type is expected


def test_a_foreign_permanent_resident_card_is_refused_with_a_clear_reason(
    log: EventLog, drivers: list[IdCardDriver]
) -> None:
    drivers.append(open_id_reader("simidcard://?card=foreign", on_identity=log, on_state=log))
    event = log.wait_for_state(DeviceState.ERROR, DeviceFault.UNSUPPORTED_CARD)
    assert "foreign permanent resident" in event.text
    assert log.of_type(IdentityRead) == []


STATUS_CASES = [
    (sw3, cls.text, "find" if sw3 in (0x60, 0x66) else "read" if sw3 != 0x81 else "select")
    for sw3, cls in STATUS_ERRORS.items()
    if sw3 != 0x80
]


@pytest.mark.parametrize(("sw3", "text", "command"), STATUS_CASES)
def test_each_reader_status_reaches_the_kiosk_as_its_own_error(
    sw3: int, text: str, command: str, log: EventLog, drivers: list[IdCardDriver]
) -> None:
    url = f"simidcard://?status={sw3:02x}&status_on={command}"
    drivers.append(open_id_reader(url, on_identity=log, on_state=log))
    event = log.wait_for(
        lambda item: isinstance(item, DeviceStateEvent) and item.state is DeviceState.ERROR
    ).item
    assert event.text == f"{text} (SW3 {sw3:02X})"
    expected = DeviceFault.UNSUPPORTED_CARD if sw3 == 0x40 else DeviceFault.DEVICE_STATUS
    assert event.reason is expected


def test_a_reply_with_a_bad_checksum_is_a_bad_frame_and_never_an_identity(
    log: EventLog, drivers: list[IdCardDriver], sims: list[PtySim]
) -> None:
    start_on_pty(SimIdCardSettings(corrupt=True, replace_ms=10), log, drivers, sims)
    event = log.wait_for_state(DeviceState.ERROR, DeviceFault.BAD_FRAME)
    assert "checksum" in event.text
    assert log.of_type(IdentityRead) == []


@pytest.mark.parametrize("fault", ["garbage", "partial"])
def test_identities_get_through_noise_and_split_replies(
    fault: str, log: EventLog, drivers: list[IdCardDriver], sims: list[PtySim]
) -> None:
    settings = replace(SimIdCardSettings(replace_ms=10), **{fault: True})
    start_on_pty(settings, log, drivers, sims, repeat_quiet_s=0.0)
    for _ in range(3):
        assert log.wait_for_type(IdentityRead).id_number == SAMPLE_RESIDENT.id_number


def test_a_stalled_reader_times_out_within_its_configured_time(
    log: EventLog, drivers: list[IdCardDriver], sims: list[PtySim]
) -> None:
    timeout_s = 0.25
    settings = SimIdCardSettings(card="none", stall_after=3)
    start_on_pty(settings, log, drivers, sims, response_timeout_s=timeout_s)
    log.wait_for_state(DeviceState.CONNECTED)
    event = log.wait_for(is_error(DeviceFault.TIMEOUT), timeout_s=3.0)
    # Three polls answered 'no card' 20 ms apart, then the fourth is never answered.
    assert event.item.text == f"no reply to 20 01 within {timeout_s:g} s"
    first = log.seen[0].at_monotonic_s
    assert timeout_s <= event.at_monotonic_s - first <= timeout_s + 3 * 0.05 + 0.3


def test_unplugging_mid_reply_and_plugging_in_again_reconnects_by_itself(
    log: EventLog, drivers: list[IdCardDriver], sims: list[PtySim]
) -> None:
    # Reply number 3 is the 1295-byte read: the unplug cuts it in half.
    first = PtySim(SimIdCardReader(SimIdCardSettings(disconnect_after=2)))
    sims.append(first)
    current = [first.path]

    def reopen() -> Transport:
        return open_url(current[-1], baudrate=BAUDRATE)

    driver = IdCardDriver(
        reopen(),
        on_identity=log,
        on_state=log,
        reopen=reopen,
        poll_interval_s=0.02,
        reconnect_interval_s=0.05,
    )
    drivers.append(driver)
    driver.start()
    log.wait_for_state(DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED)
    assert log.of_type(IdentityRead) == []
    second = PtySim(SimIdCardReader(SimIdCardSettings(card="hmt")))
    sims.append(second)
    current.append(second.path)
    identity: IdentityRead = log.wait_for_type(IdentityRead)
    assert identity.card_type is CardType.HMT_RESIDENCE_PERMIT
    assert driver.reconnects >= 1


def test_a_reader_that_keeps_answering_for_a_card_left_in_place_gives_one_identity(
    log: EventLog, drivers: list[IdCardDriver], sims: list[PtySim]
) -> None:
    _, device = start_on_pty(SimIdCardSettings(replace_ms=5), log, drivers, sims)
    log.wait_for_type(IdentityRead)
    assert device.wait_for_reads(4, timeout_s=5.0)
    assert len(log.of_type(IdentityRead)) == 1
