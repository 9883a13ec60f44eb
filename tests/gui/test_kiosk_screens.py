"""Every kiosk screen, in Chinese and in English, saved as a picture for people to look at
(artifacts/screens/<language>/), with the words each must show."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui.i18n import Language
from tests.gui.conftest import SaveScreen
from tests.gui.kiosk_support import build_kiosk, tap_keys

WORDS = {
    Language.ZH: {
        "manual": "手工录入",
        Outcome.PASS: "通行",
        Outcome.DENY: "禁止通行",
        Outcome.REFER: "请留观",
        Outcome.MANUAL_CHECK: "请人工核验",
    },
    Language.EN: {
        "manual": "Manual entry",
        Outcome.PASS: "Pass",
        Outcome.DENY: "No entry",
        Outcome.REFER: "Observation",
        Outcome.MANUAL_CHECK: "Manual check",
    },
}


@pytest.mark.parametrize("language", list(Language))
def test_every_screen_is_drawn_in_each_language(
    tmp_path: Path, qtbot: QtBot, save_screen: SaveScreen, language: Language
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False, language=language)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    window = kiosk.window
    try:
        assert window.scan.manual_button.text() == WORDS[language]["manual"]
        assert save_screen(window, "scan", language).stat().st_size > 10_000

        temperatures = {"green": [36.6], "fever": [38.4, 38.5], "repeat": [36.7]}
        for name in ("green", "red", "fever", "expired", "repeat"):
            before = len(results)
            kiosk.bridge.submit_code_text(world.case(name).text)
            for celsius in temperatures.get(name, []):
                kiosk.bridge.submit_manual_temperature(celsius)
            qtbot.waitUntil(lambda before=before: len(results) > before, timeout=10_000)
            view = results[-1]
            assert window.result.word.text().endswith(WORDS[language][view.outcome])
            save_screen(window, f"result-{name}", language)
            if name == "repeat":
                assert view.repeat_minutes == 0  # typed again: the store knows it passed
            kiosk.bridge.cancel()

        window.show_screen("manual")
        tap_keys(qtbot, window.manual.id_keypad, "11010519491231002")
        save_screen(window, "manual-entry", language)
        window.show_screen("result")
        window.show_operator("王小明")  # 改判 needs the operator on duty signed in
        window.result.override_requested.emit()
        assert window.current_screen == "override"
        save_screen(window, "override", language)
    finally:
        kiosk.stop()


def test_fonts_that_travel_with_the_kiosk_are_registered(tmp_path: Path, qapp: object) -> None:
    import shutil

    from kiosk.ui.style import load_bundled_fonts

    system_font = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    shutil.copy(system_font, tmp_path / "wqy-microhei.ttc")
    assert "WenQuanYi Micro Hei" in load_bundled_fonts(tmp_path)
    assert load_bundled_fonts(tmp_path / "none") == []
