"""A vehicle plate at a road junction, typed with gloves: touching the scan screen's plate field
opens the plate page, the province keys first, then letters and digits; Done puts the plate on
the next passage's record, Cancel leaves the old one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.app.text_keys import PlateShape
from kiosk.app.viewstate import PromptView
from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.store import LogFilter
from kiosk.ui.app import Kiosk
from kiosk.ui.plate_entry import PlateEntry
from tests.gui.kiosk_support import build_kiosk


@pytest.fixture
def road(tmp_path: Path, qtbot: QtBot) -> Iterator[Kiosk]:
    # Without an ID card the decision waits for the arrival window: a short one keeps this quick.
    policy = replace(
        default_policy(CheckpointType.ROAD_JUNCTION), arrival_window=timedelta(milliseconds=500)
    )
    kiosk, _world, thermometer = build_kiosk(tmp_path, camera=False, policy=policy)
    kiosk.world = _world  # type: ignore[attr-defined]
    qtbot.addWidget(kiosk.window)
    kiosk.window.resize(1280, 800)
    kiosk.window.show()
    kiosk.start()
    yield kiosk
    kiosk.stop()
    if thermometer is not None:
        thermometer.close()


def touch(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def touch_keys(qtbot: QtBot, page: PlateEntry, keys: str) -> None:
    """Touch each key in turn; a key not on the page showing cannot be touched."""
    for key in keys:
        button = page.keyboard.key_buttons[key]
        assert button.isVisible(), f"{key} is not on the keys showing"
        touch(qtbot, button)


def open_plate_page(qtbot: QtBot, kiosk: Kiosk) -> PlateEntry:
    touch(qtbot, kiosk.window.scan.fields.plate)
    assert kiosk.window.current_screen == "plate"
    return kiosk.window.plate


def test_a_plate_typed_by_touch_alone_reaches_the_next_passages_record(
    road: Kiosk, qtbot: QtBot
) -> None:
    page = open_plate_page(qtbot, road)
    assert "陕" in page.keyboard.visible_keys() and "A" not in page.keyboard.visible_keys()
    touch_keys(qtbot, page, "陕")  # the province typed: the keys turn to letters and digits
    assert "A" in page.keyboard.visible_keys() and "陕" not in page.keyboard.visible_keys()
    touch_keys(qtbot, page, "A12345")
    assert page.field.text() == "陕A12345" and page.shape is PlateShape.LIKELY
    assert min(page.done_button.height(), page.cancel_button.height()) >= 90
    touch(qtbot, page.done_button)

    assert road.window.current_screen == "scan"
    assert road.window.scan.fields.plate.text() == "陕A12345"
    road.bridge.submit_code_text(road.world.case("green").text)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(road.store.passages.log(LogFilter(), limit=1)), timeout=30_000)
    assert road.store.passages.log(LogFilter(), limit=1)[0].vehicle_plate == "陕A12345"


def test_cancel_leaves_the_old_plate_and_a_new_person_does_not_close_the_page(
    road: Kiosk, qtbot: QtBot
) -> None:
    road.window.scan.fields.set_plate("粤BD12345")
    page = open_plate_page(qtbot, road)
    assert page.field.text() == "粤BD12345"
    assert "B" in page.keyboard.visible_keys()  # a plate there: the letters and digits show
    touch_keys(qtbot, page, "6")
    assert page.field.text() == "粤BD12345"  # eight at most (a new-energy plate)
    touch(qtbot, page.keyboard.key_buttons["clear"])
    assert "京" in page.keyboard.visible_keys()  # emptied: the provinces again
    touch_keys(qtbot, page, "苏E")
    road.window.show_prompt(PromptView(Prompt.SCAN))  # someone scans meanwhile
    assert road.window.current_screen == "plate"
    touch(qtbot, page.cancel_button)
    assert road.window.current_screen == "scan"
    assert road.window.scan.fields.plate.text() == "粤BD12345"


def test_an_unusual_plate_is_marked_but_taken(road: Kiosk, qtbot: QtBot) -> None:
    page = open_plate_page(qtbot, road)
    touch(qtbot, page.keyboard.key_buttons["letters"])  # no province: an odd plate
    touch_keys(qtbot, page, "WJ1234")
    assert page.shape is PlateShape.UNLIKELY
    assert page.shape_note.text() == "车牌格式少见，请核对"
    changed: list[object] = []
    road.window.scan.fields.changed.connect(changed.append)
    touch(qtbot, page.done_button)
    assert road.window.scan.fields.plate.text() == "WJ1234"
    assert changed and changed[-1].vehicle_plate == "WJ1234"  # type: ignore[attr-defined]


def test_a_usb_keyboard_still_types_a_plate_in_upper_case(road: Kiosk, qtbot: QtBot) -> None:
    field = road.window.scan.fields.plate
    assert not field.isReadOnly()
    page = open_plate_page(qtbot, road)
    touch(qtbot, page.keyboard.key_buttons["clear"])
    touch_keys(qtbot, page, "川")
    qtbot.keyClicks(page.field, "a9k88")
    assert page.field.text() == "川A9K88"
    qtbot.keyClick(page.field, Qt.Key.Key_Return)
    assert road.window.current_screen == "scan" and field.text() == "川A9K88"
