"""Every toggle shows which one is chosen without colour alone: a heavy frame and a tick.

Staff logged the wrong direction, or an override, because 进 (chosen) looked like 出. The
pictures are compared in grey levels, so a difference in hue alone would not pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, Direction, TripReason, default_policy
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.override import OverridePanel
from kiosk.ui.screens import PassageFieldBar
from kiosk.ui.toggle import ToggleButton, ToggleCheckBox
from tests.gui.conftest import SaveScreen
from tests.gui.kiosk_support import build_kiosk


def grey(button: QWidget) -> QImage:
    return button.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)


def frame_darkness(button: QWidget) -> int:
    """How dark the band just inside the thin frame is, midway down the left edge (0-255)."""
    image = grey(button)
    y = image.height() // 2
    inner = range(style.TOGGLE_FRAME_PX + 1, style.TOGGLE_SELECTED_FRAME_PX - 1)
    return 255 - min(image.pixelColor(x, y).value() for x in inner)


def ink_columns(button: QWidget) -> tuple[int, int]:
    """Leftmost and rightmost columns with dark ink inside the frame: where the words are."""
    image = grey(button)
    margin = style.TOGGLE_SELECTED_FRAME_PX + 4
    columns = [
        x
        for x in range(margin, image.width() - margin)
        for y in range(margin, image.height() - margin)
        if image.pixelColor(x, y).value() < 100
    ]
    return min(columns), max(columns)


def assert_chosen_shows_without_colour(chosen: QAbstractButton, other: QAbstractButton) -> None:
    assert chosen.isChecked() and not other.isChecked()
    assert isinstance(chosen, ToggleButton) and isinstance(other, ToggleButton)
    assert chosen.shown_text() == f"{style.TICK} {chosen.text()}"
    assert other.shown_text() == other.text()
    # the heavy frame: dark where the unchosen one shows its light fill
    assert frame_darkness(chosen) - frame_darkness(other) > 100
    # the tick: ink starts well left of where the same label alone would start
    other.setText(chosen.text())
    QApplication.processEvents()
    tick_left, _ = ink_columns(chosen)
    label_left, _ = ink_columns(other)
    assert label_left - tick_left > 15
    # choosing moves nothing: same size either way
    assert chosen.sizeHint() == other.sizeHint()


def test_a_chosen_toggle_keeps_its_size_and_grows_no_smaller_than_a_touch_target(
    qtbot: QtBot,
) -> None:
    button = ToggleButton("购买生活用品")
    qtbot.addWidget(button)
    unchosen = button.sizeHint()
    button.setChecked(True)
    assert button.sizeHint() == unchosen
    assert unchosen.height() >= style.TOUCH_TARGET_PX
    assert unchosen.width() >= 2 * style.TOUCH_TARGET_PX


@pytest.mark.parametrize("language", list(Language))
def test_the_chosen_direction_and_trip_reason_show_by_frame_and_tick(
    qtbot: QtBot, language: Language
) -> None:
    bar = PassageFieldBar()
    qtbot.addWidget(bar)
    bar.configure(default_policy(CheckpointType.VILLAGE).passage_fields)
    bar.retranslate(language)
    bar.resize(1280, 120)
    bar.show()
    qtbot.waitExposed(bar)
    directions = bar._direction_buttons
    qtbot.mouseClick(directions[Direction.OUT], Qt.MouseButton.LeftButton)
    assert_chosen_shows_without_colour(directions[Direction.OUT], directions[Direction.IN])
    reasons = bar._reason_buttons
    qtbot.mouseClick(reasons[TripReason.RETURN_HOME], Qt.MouseButton.LeftButton)
    assert bar.value().trip_reason is TripReason.RETURN_HOME
    assert_chosen_shows_without_colour(reasons[TripReason.RETURN_HOME], reasons[TripReason.OTHER])


@pytest.mark.parametrize("language", list(Language))
def test_the_chosen_override_outcome_shows_by_frame_and_tick(
    qtbot: QtBot, language: Language
) -> None:
    panel = OverridePanel()
    qtbot.addWidget(panel)
    panel.retranslate(language)
    panel.resize(1280, 800)
    panel.reset()
    panel.show()
    qtbot.waitExposed(panel)
    buttons = panel._buttons
    assert_chosen_shows_without_colour(buttons[Outcome.PASS], buttons[Outcome.DENY])
    qtbot.mouseClick(buttons[Outcome.REFER], Qt.MouseButton.LeftButton)
    assert_chosen_shows_without_colour(buttons[Outcome.REFER], buttons[Outcome.PASS])


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
@pytest.mark.parametrize("language", list(Language))
def test_scan_and_override_with_choices_made_are_drawn(
    tmp_path: Path,
    qtbot: QtBot,
    save_screen: SaveScreen,
    language: Language,
    size: tuple[int, int],
) -> None:
    kiosk, _, _ = build_kiosk(
        tmp_path,
        camera=False,
        thermometer=False,
        policy=default_policy(CheckpointType.VILLAGE),
        language=language,
    )
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    window = kiosk.window
    suffix = f"{size[0]}x{size[1]}"
    try:
        fields = window.scan.fields
        qtbot.mouseClick(fields._direction_buttons[Direction.OUT], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(fields._reason_buttons[TripReason.RETURN_HOME], Qt.MouseButton.LeftButton)
        assert save_screen(window, f"toggles-scan-{suffix}", language, size).exists()
        window.show_screen("result")
        window.show_operator("王小明")  # 改判 needs the operator on duty signed in
        window.result.override_requested.emit()
        assert window.current_screen == "override"
        panel = window.findChild(OverridePanel)
        assert panel is not None
        qtbot.mouseClick(panel._buttons[Outcome.DENY], Qt.MouseButton.LeftButton)
        assert save_screen(window, f"toggles-override-{suffix}", language, size).exists()
    finally:
        kiosk.stop()


def test_a_ticked_setting_has_a_heavy_frame_round_its_tick(qtbot: QtBot) -> None:
    ticked, plain = (ToggleCheckBox("静音", indicator_px=44, height_px=88) for _ in range(2))
    for box in (ticked, plain):
        qtbot.addWidget(box)
        box.show()
    ticked.setChecked(True)
    assert ticked.sizeHint() == plain.sizeHint()

    def band_darkness(box: ToggleCheckBox) -> int:
        image = grey(box)
        y = image.height() // 2 + 12  # the lower part of the box's left edge, below the tick
        inner = range(style.TOGGLE_FRAME_PX + 1, style.TOGGLE_SELECTED_FRAME_PX - 1)
        return 255 - min(image.pixelColor(x, y).value() for x in inner)

    assert band_darkness(ticked) - band_darkness(plain) > 100
