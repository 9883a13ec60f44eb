"""The scan and result screens on every panel the kiosk runs on (landscape 1280x800 and
1024x600, portrait 800x1280 and 1080x1920, and 1920x1080), in Chinese and English, for every
checkpoint type's passage fields, with every fault showing and a person in progress: nothing
cut, clipped or overlapping, every touch target at least 90 px, the big words large."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from healthcode.text import LocalText
from kiosk.app.viewstate import ResultView, ScreenLayout, repeat_words
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.ui.i18n import Language
from kiosk.ui.screens import ResultScreen, ScanScreen
from tests.gui.conftest import SaveScreen
from tests.gui.gate_support import (
    PANELS,
    assert_fits,
    busy_progress,
    card_awaited,
    every_fault,
)
from tests.gui.kiosk_support import build_kiosk

SAVED = {CheckpointType.ROAD_JUNCTION, CheckpointType.ENTERPRISE_GATE}


def settle(qapp: QApplication) -> None:
    for _ in range(3):
        qapp.processEvents()


def scan_screen(qtbot: QtBot, checkpoint: CheckpointType, language: Language) -> ScanScreen:
    screen = ScanScreen()
    qtbot.addWidget(screen)
    screen.fields.configure(default_policy(checkpoint).passage_fields)
    screen.show_status(every_fault())
    screen.show_operator("王小明")
    screen.retranslate(language)
    return screen


def last_result() -> ResultView:
    return ResultView(Outcome.DENY, Outcome.DENY.label, "张*丰", 38.6, True, None, (), None)


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("checkpoint", list(CheckpointType))
@pytest.mark.parametrize("panel", PANELS, ids=lambda p: f"{p[0]}x{p[1]}")
def test_the_scan_screen_fits_the_panel_with_every_field_and_fault(
    qtbot: QtBot,
    qapp: QApplication,
    save_screen: SaveScreen,
    use_language: object,
    panel: tuple[int, int],
    checkpoint: CheckpointType,
    language: Language,
) -> None:
    use_language(language)  # type: ignore[operator]
    screen = scan_screen(qtbot, checkpoint, language)
    minimum = screen.minimumSizeHint()
    assert minimum.width() <= panel[0] and minimum.height() <= panel[1]
    screen.show_progress(busy_progress())
    name = f"gate-scan-{checkpoint.value}-{panel[0]}x{panel[1]}"
    if checkpoint in SAVED:
        save_screen(screen, name, language, size=panel)
    else:
        screen.resize(*panel)
        screen.show()
        settle(qapp)
    assert screen.size().toTuple() == panel
    assert_fits(screen)
    assert screen.banner.isVisible() and screen.progress.isVisible()
    screen.show_progress(card_awaited())
    settle(qapp)
    assert_fits(screen)
    # After the person: 改判上一位 in place of the strip, still fitting.
    screen.show_progress(None)
    screen.show_override_last(last_result(), needs_sign_in=True)
    settle(qapp)
    assert screen.override_last_button.isVisibleTo(screen)
    assert_fits(screen)


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("panel", PANELS, ids=lambda p: f"{p[0]}x{p[1]}")
def test_the_result_fits_the_panel_with_its_verdict_readable_from_two_metres(
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: object,
    panel: tuple[int, int],
    language: Language,
) -> None:
    use_language(language)  # type: ignore[operator]
    screen = ResultScreen()
    qtbot.addWidget(screen)
    screen.retranslate(language)
    screen.set_needs_sign_in(True)
    assert screen.minimumSizeHint().width() <= panel[0]
    assert screen.minimumSizeHint().height() <= panel[1]
    screen.show_result(
        ResultView(
            Outcome.DENY,
            Outcome.DENY.label,
            "张*丰",
            38.6,
            True,
            None,
            (),
            3,
            deciding_reason=LocalText(
                "身份证与健康码不符", "ID card does not match the health code"
            ),
            other_reasons=(
                LocalText(
                    "健康码已过期，请到社区服务中心重新打印",
                    "Health code expired: print a new one at the community service centre",
                ),
                LocalText("体温异常", "Abnormal temperature"),
            ),
            repeat_warning=repeat_words(3),
        )
    )
    save_screen(screen, f"gate-result-{panel[0]}x{panel[1]}", language, size=panel)
    assert screen.size().toTuple() == panel
    assert_fits(screen)
    assert screen.word.fontInfo().pixelSize() >= 80  # ~2 cm tall even on a 600 px panel


@pytest.mark.parametrize(
    ("setting", "panel", "chosen"),
    [
        (ScreenLayout.AUTO, (1024, 600), ScreenLayout.COMPACT),
        (ScreenLayout.AUTO, (800, 1280), ScreenLayout.PORTRAIT),
        (ScreenLayout.COMPACT, (1280, 800), ScreenLayout.COMPACT),
    ],
)
def test_the_layout_follows_the_panel_on_resize_unless_forced(
    qtbot: QtBot,
    qapp: QApplication,
    setting: ScreenLayout,
    panel: tuple[int, int],
    chosen: ScreenLayout,
) -> None:
    screen = scan_screen(qtbot, CheckpointType.ROAD_JUNCTION, Language.ZH)
    screen.set_layout_setting(setting)
    screen.resize(*panel)
    screen.show()
    settle(qapp)
    assert screen.layout_mode is chosen
    screen.resize(1920, 1080)
    settle(qapp)
    expected = ScreenLayout.LANDSCAPE if setting is ScreenLayout.AUTO else setting
    assert screen.layout_mode is expected


@pytest.mark.parametrize("language", list(Language))
def test_the_kiosk_window_takes_exactly_each_panel_size(
    tmp_path: Path,
    qtbot: QtBot,
    qapp: QApplication,
    save_screen: SaveScreen,
    language: Language,
) -> None:
    kiosk, _, _ = build_kiosk(
        tmp_path,
        camera=False,
        thermometer=False,
        language=language,
        policy=default_policy(CheckpointType.ROAD_JUNCTION),
    )
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    window = kiosk.window
    try:
        window.show_status(every_fault())
        for panel in PANELS:
            minimum = window.minimumSizeHint()
            assert minimum.width() <= panel[0] and minimum.height() <= panel[1]
            save_screen(window, f"gate-window-{panel[0]}x{panel[1]}", language, size=panel)
            assert window.size().toTuple() == panel
            assert_fits(window.scan)
    finally:
        kiosk.stop()
