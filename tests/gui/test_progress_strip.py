"""The progress strip on the scan screen while one person is processed: the code ✓, the live
temperature, the ID card, and the countdown of what is awaited, moving with the clock passed in
to the flow (the widget reads no clock)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.app.viewstate import Step
from kiosk.checkpoint.events import IdCardRead, TemperatureRead
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.ui.bridge import FlowBridge
from kiosk.ui.fit_text import text_cut
from kiosk.ui.i18n import Language
from kiosk.ui.screens import ScanScreen
from tests.gui.conftest import SaveScreen
from tests.kiosk.app.driver_support import green_code, hand_driven
from tests.kiosk.checkpoint_support import ID_NUMBER

ROAD = default_policy(CheckpointType.ROAD_JUNCTION)


def test_the_strip_ticks_the_code_shows_the_live_temperature_and_counts_down(
    qtbot: QtBot, save_screen: SaveScreen
) -> None:
    driver, clock, _ = hand_driven(ROAD)
    bridge = FlowBridge(driver)
    screen = ScanScreen()
    qtbot.addWidget(screen)
    screen.fields.configure(ROAD.passage_fields)
    bridge.progress_changed.connect(screen.show_progress)
    assert not screen.progress.isVisibleTo(screen)

    bridge.handle(green_code(), bridge.now())
    strip = screen.progress
    assert strip.isVisibleTo(screen) and screen.cancel_button.isVisibleTo(screen)
    assert strip.chip_text(Step.CODE) == "✓ 健康码"
    assert strip.chip_text(Step.TEMPERATURE) == "▶ 体温 20 秒"
    assert strip.chip_text(Step.ID_CARD) == "○ 身份证"
    clock.advance(1)
    bridge.tick()
    assert strip.chip_text(Step.TEMPERATURE) == "▶ 体温 19 秒"
    clock.advance(4)
    bridge.tick()
    assert strip.chip_text(Step.TEMPERATURE) == "▶ 体温 15 秒"

    bridge.handle(TemperatureRead(36.6, clock.now), bridge.now())
    assert strip.chip_text(Step.TEMPERATURE) == "✓ 体温 36.6 °C"
    assert strip.chip_text(Step.ID_CARD) == "▶ 身份证 15 秒"
    screen.retranslate(Language.EN)
    assert strip.chip_text(Step.ID_CARD) == "▶ ID card 15 s"
    save_screen(screen, "scan-progress", Language.EN)

    bridge.handle(IdCardRead(ID_NUMBER, "张*丰"), bridge.now())
    assert not strip.isVisibleTo(screen)  # decided: the result shows


def test_a_high_reading_is_shown_with_its_figure_while_the_remeasure_is_awaited(
    qtbot: QtBot,
) -> None:
    driver, clock, _ = hand_driven(default_policy(CheckpointType.ENTERPRISE_GATE))
    bridge = FlowBridge(driver)
    screen = ScanScreen()
    qtbot.addWidget(screen)
    bridge.progress_changed.connect(screen.show_progress)
    bridge.handle(green_code(), bridge.now())
    bridge.handle(TemperatureRead(38.6, clock.now), bridge.now())
    assert screen.progress.chip_text(Step.TEMPERATURE) == "▶ 体温 38.6 °C 复测 20 秒"
    assert screen.progress.chip_text(Step.ID_CARD) == ""  # the gate asks for no card


def test_on_a_portrait_panel_the_strip_has_a_row_of_its_own_and_the_remeasure_reads_whole(
    qtbot: QtBot,
) -> None:
    driver, clock, _ = hand_driven(ROAD)
    bridge = FlowBridge(driver)
    screen = ScanScreen()
    qtbot.addWidget(screen)
    screen.fields.configure(ROAD.passage_fields)
    bridge.progress_changed.connect(screen.show_progress)
    screen.retranslate(Language.EN)
    screen.resize(800, 1280)
    screen.show()
    bridge.handle(green_code(), bridge.now())
    bridge.handle(TemperatureRead(38.6, clock.now), bridge.now())
    strip, cancel = screen.progress, screen.cancel_button
    chip = strip.chip(Step.TEMPERATURE)
    assert chip.text() == "▶ Temperature 38.6 °C again 20 s"
    qtbot.waitUntil(lambda: cancel.geometry().top() > strip.geometry().bottom())  # below it
    assert strip.width() > 700  # the whole width of the panel, less its margins
    # The figures and the countdown read whole once the layout has settled.
    qtbot.waitUntil(lambda: text_cut(chip) == ("", ""), timeout=2000)
