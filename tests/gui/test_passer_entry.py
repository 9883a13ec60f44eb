"""The Hainan checkpoint record at the gate, typed with gloves: with no ID card the passer's
name (in pinyin) and phone are typed on their page, and the passage waits for the name; the
plate is cleared after each vehicle unless 保留车牌 is on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.checkpoint.policy import CheckpointType, PassageField, default_policy
from kiosk.store import LogFilter
from kiosk.ui.app import Kiosk
from tests.gui.kiosk_support import build_kiosk

ROAD = default_policy(CheckpointType.ROAD_JUNCTION)
HAINAN = replace(
    ROAD,
    passage_fields=ROAD.passage_fields | {PassageField.FULL_NAME, PassageField.PHONE},
    id_match_required=False,
    temperature_required=False,
    arrival_window=timedelta(milliseconds=300),
)


@pytest.fixture
def gate(tmp_path: Path, qtbot: QtBot) -> Iterator[Kiosk]:
    kiosk, world, thermometer = build_kiosk(tmp_path, camera=False, policy=HAINAN)
    kiosk.world = world  # type: ignore[attr-defined]
    qtbot.addWidget(kiosk.window)
    kiosk.window.resize(1024, 600)
    kiosk.window.show()
    kiosk.start()
    yield kiosk
    kiosk.stop()
    if thermometer is not None:
        thermometer.close()


def touch(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def passages(kiosk: Kiosk) -> list[dict[str, object]]:
    items = kiosk.store.outbox.outbox_batch(10)
    return [i.record.passage.model_dump() for i in items if i.record.passage is not None]


def test_without_a_card_the_name_and_phone_typed_by_touch_reach_the_record(
    gate: Kiosk, qtbot: QtBot
) -> None:
    scan = gate.window.scan
    assert not scan.passer_button.isVisible()  # nobody in progress
    gate.bridge.submit_code_text(gate.world.case("green").text)  # type: ignore[attr-defined]
    qtbot.waitUntil(scan.passer_button.isVisible, timeout=10_000)
    qtbot.wait(400)  # past the arrival window: still no passage without the name
    assert not gate.store.passages.log(LogFilter(), limit=1)
    assert min(scan.passer_button.width(), scan.passer_button.height()) >= 90

    touch(qtbot, scan.passer_button)
    page = gate.window.passer
    assert gate.window.current_screen == "passer"
    for key in "WANG":
        touch(qtbot, page.keyboard.key_buttons[key])
    touch(qtbot, page.keyboard.key_buttons["space"])
    for key in "WU":
        touch(qtbot, page.keyboard.key_buttons[key])
    touch(qtbot, page.phone)  # the phone's keys now
    assert page.keypad.isVisible() and not page.keyboard.isVisible()
    for key in "13800138000":
        touch(qtbot, page.keypad.key_buttons[key])
    assert min(page.done_button.height(), page.keypad.key_buttons["0"].height()) >= 90
    touch(qtbot, page.done_button)

    qtbot.waitUntil(lambda: bool(passages(gate)), timeout=10_000)
    (record,) = passages(gate)
    assert (record["full_name"], record["phone"]) == ("WANG WU", "13800138000")


def test_the_plate_is_cleared_for_the_next_vehicle_unless_kept(gate: Kiosk, qtbot: QtBot) -> None:
    fields = gate.window.scan.fields
    fields.set_plate("琼A12345")
    green = gate.world.case("green").text  # type: ignore[attr-defined]

    def one_person(name: str) -> None:
        count = len(passages(gate))
        gate.bridge.submit_code_text(green)
        gate.bridge.submit_passer_details(name, "")
        qtbot.waitUntil(lambda: len(passages(gate)) == count + 1, timeout=10_000)

    one_person("LI SI")
    qtbot.waitUntil(lambda: fields.plate.text() == "", timeout=10_000)
    qtbot.waitUntil(lambda: gate.window.current_screen == "scan", timeout=10_000)
    fields.set_plate("琼B54321")
    touch(qtbot, fields.keep_plate)
    one_person("ZHAO LIU")
    assert fields.plate.text() == "琼B54321"
    plates = sorted(str(p["vehicle_plate"]) for p in passages(gate))
    assert plates == ["琼A12345", "琼B54321"]
