"""The NFC reader's thread against a scripted PC/SC layer: the states a technician sees, a card
read once while it lies on the reader, and a clean stop."""

from __future__ import annotations

import queue
from datetime import UTC, datetime

import pytest

from drivers.idcard.nfc import CardSerialRead, NfcUnavailableError
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from kiosk.app.nfc import NfcReader, reader_index

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class ScriptedPcsc:
    """What `read_card_serial` does, one answer per call; the last answer repeats."""

    def __init__(self, answers: list[str | Exception]) -> None:
        self.answers = answers
        self.indexes: list[int] = []

    def __call__(self, index: int, *, now_utc: datetime) -> CardSerialRead:
        self.indexes.append(index)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return CardSerialRead(answer, "ACS ACR122U 00 00", now_utc)


def test_the_url_names_the_pcsc_reader() -> None:
    assert reader_index("pcsc:2") == 2
    with pytest.raises(ValueError, match="pcsc:N"):
        reader_index("/dev/ttyUSB0")


def test_states_follow_the_reader_and_a_card_is_reported_once() -> None:
    script = ScriptedPcsc(
        [
            NfcUnavailableError("no PC/SC reader found"),
            NfcUnavailableError("no card on ACS ACR122U 00 00: no card"),
            "04A1B2C3",
            "04A1B2C3",
            NfcUnavailableError("no card on ACS ACR122U 00 00: no card"),
        ]
    )
    states: queue.Queue[DeviceStateEvent] = queue.Queue()
    cards: queue.Queue[CardSerialRead] = queue.Queue()
    reader = NfcReader(
        "pcsc:1",
        on_state=states.put,
        on_card=cards.put,
        read=script,
        clock=lambda: T0,
        poll_interval_s=0.001,
    )
    reader.start()
    first = states.get(timeout=5)
    assert (first.state, first.reason) == (DeviceState.ERROR, DeviceFault.OPEN_FAILED)
    assert first.text == "no PC/SC reader found"
    assert states.get(timeout=5).state is DeviceState.CONNECTED
    assert cards.get(timeout=5).serial_hex == "04A1B2C3"
    assert reader.stop()
    assert states.get(timeout=5).state is DeviceState.DISCONNECTED
    assert cards.empty()  # the card left lying on the reader was one read
    assert set(script.indexes) == {1}
