"""Glove-only manual entry and override: keypads for ID numbers and temperatures (nothing
pre-filled, implausible values refused), override reasons picked from a list, and the sign-in
asked for before an override instead of after it is filled in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui.fit_check import GLOVE_TARGET_PX, misfits
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad
from kiosk.ui.manual import ManualEntry
from kiosk.ui.override import OverridePanel
from kiosk.ui.pinpad import PinPad
from kiosk.ui.text_keyboard import TextKeyboard
from tests.gui.conftest import SaveScreen
from tests.gui.kiosk_support import build_kiosk, tap_keys
from tests.gui.staff_support import NOW, OPERATOR_PIN, roster
from tests.gui.test_pinpad_signin import type_pin

SIZES = [(1280, 800), (1024, 600), (800, 1280), (1080, 1920), (1920, 1080)]


def manual_entry(qtbot: QtBot, size: tuple[int, int] = (1280, 800)) -> ManualEntry:
    entry = ManualEntry()
    qtbot.addWidget(entry)
    entry.resize(*size)
    entry.show()
    qtbot.waitExposed(entry)
    return entry


def assert_nothing_cut(screen: QWidget) -> None:
    """Nothing on the screen is clipped, overlapped or cut short, and every button suits
    gloves: the check `kiosk screens` runs (kiosk/ui/fit_check.py)."""
    assert [m.line() for m in misfits(screen, type(screen).__name__, gate=True)] == []


def assert_keys_for_gloves(keypad: Keypad | TextKeyboard) -> None:
    for key, button in keypad.key_buttons.items():
        if button.isVisibleTo(keypad):  # a text keyboard's other page is hidden
            assert min(button.width(), button.height()) >= GLOVE_TARGET_PX, key  # 15 mm


def test_an_id_number_ending_in_x_is_typed_on_the_keypad(qtbot: QtBot) -> None:
    entry = manual_entry(qtbot)
    assert_keys_for_gloves(entry.id_keypad)
    entered: list[str] = []
    entry.id_entered.connect(entered.append)
    tap_keys(qtbot, entry.id_keypad, "X")  # X only goes last
    assert entry.id_keypad.text() == ""
    tap_keys(qtbot, entry.id_keypad, "110105194912310021⌫")
    assert entry.id_display.text() == "11010519491231002"
    assert not entry.id_submit.isEnabled()
    tap_keys(qtbot, entry.id_keypad, "X")
    assert entry.id_display.text() == "11010519491231002X"
    assert "✔" in entry.id_feedback.text()
    qtbot.mouseClick(entry.id_submit, Qt.MouseButton.LeftButton)
    assert entered == ["11010519491231002X"]


def test_the_temperature_starts_empty_and_confirming_nothing_is_refused(qtbot: QtBot) -> None:
    entry = manual_entry(qtbot)
    entry.tabs.setCurrentWidget(entry.temperature_page)
    assert_keys_for_gloves(entry.temperature_keypad)
    entered: list[float] = []
    entry.temperature_entered.connect(entered.append)
    assert entry.temperature_keypad.text() == ""
    assert "36.5" not in entry.temperature_display.text()
    qtbot.mouseClick(entry.temperature_submit, Qt.MouseButton.LeftButton)
    assert entered == []
    assert "请先输入体温" in entry.temperature_feedback.text()
    tap_keys(qtbot, entry.temperature_keypad, "36.6")
    assert entry.temperature_display.text() == "36.6 °C"
    assert entry.temperature_feedback.text() == ""
    qtbot.mouseClick(entry.temperature_submit, Qt.MouseButton.LeftButton)
    assert entered == [36.6]
    assert entry.temperature_keypad.text() == ""  # the next person starts empty too


def test_an_out_of_range_temperature_is_refused_with_the_range(qtbot: QtBot) -> None:
    entry = manual_entry(qtbot)
    entered: list[float] = []
    entry.temperature_entered.connect(entered.append)
    tap_keys(qtbot, entry.temperature_keypad, "3.6")  # 36 slipped
    qtbot.mouseClick(entry.temperature_submit, Qt.MouseButton.LeftButton)
    assert entered == []
    assert "34–43 °C" in entry.temperature_feedback.text()
    tap_keys(qtbot, entry.temperature_keypad, "CC365")
    qtbot.mouseClick(entry.temperature_submit, Qt.MouseButton.LeftButton)
    assert entered == [36.5]


def test_an_override_takes_a_reason_picked_from_the_list(
    qtbot: QtBot, use_language: Callable[[Language], None]
) -> None:
    use_language(Language.ZH)
    panel = OverridePanel()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.reset()
    panel.show()
    submitted: list[tuple[Outcome, str]] = []
    panel.submitted.connect(lambda outcome, reason: submitted.append((outcome, reason)))
    qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    assert submitted == []
    assert panel.message.text() == "请先选择原因"
    reasons = [button.text() for button in panel.reason_buttons.values()]
    assert reasons == ["持有效证明材料", "工作人员确认身份", "设备故障", "其他"]
    picked = next(b for b in panel.reason_buttons.values() if b.text() == "持有效证明材料")
    qtbot.mouseClick(picked, Qt.MouseButton.LeftButton)
    assert picked.shown_text().startswith("✓")  # the chosen reason shows
    qtbot.mouseClick(panel._buttons[Outcome.PASS], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    assert submitted == [(Outcome.PASS, "持有效证明材料")]
    panel.reset()
    assert all(not button.isChecked() for button in panel.reason_buttons.values())


def test_the_sign_in_comes_before_the_override_and_the_picked_reason_is_recorded(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    kiosk.store.copies.replace_roster(roster()).result(timeout=10)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    with qtbot.waitSignal(kiosk.gate.roster_loaded, timeout=10_000):
        kiosk.start()
    window = kiosk.window
    try:
        kiosk.bridge.submit_code_text(world.case("red").text)  # decided at once
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        assert "请先登录值班人员" in window.result.override_button.text()  # said before
        window.show_screen("result")
        qtbot.mouseClick(window.result.override_button, Qt.MouseButton.LeftButton)
        assert window.current_screen == "signin"
        qtbot.mouseClick(kiosk.signin.picker.buttons["op-1"], Qt.MouseButton.LeftButton)
        type_pin(qtbot, kiosk.signin.pad, OPERATOR_PIN)
        with qtbot.waitSignal(kiosk.signin.signed_in, timeout=10_000):
            qtbot.mouseClick(kiosk.signin.pad.ok_button, Qt.MouseButton.LeftButton)
        assert window.current_screen == "override"  # straight on to what was asked for
        assert "请先登录" not in window.result.override_button.text()
        panel = window.override
        qtbot.mouseClick(
            panel.reason_buttons[next(iter(panel.reason_buttons))], Qt.MouseButton.LeftButton
        )
        qtbot.mouseClick(panel._buttons[Outcome.PASS], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(results) == 2, timeout=10_000)
        assert results[1].outcome is Outcome.PASS
        assert results[1].deciding_reason is not None
        assert "持有效证明材料" in results[1].deciding_reason.zh
    finally:
        kiosk.stop()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", list(Language))
def test_manual_entry_and_override_fit_every_panel(
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: Callable[[Language], None],
    language: Language,
    size: tuple[int, int],
) -> None:
    use_language(language)
    suffix = f"{size[0]}x{size[1]}"
    entry = ManualEntry()
    qtbot.addWidget(entry)
    entry.retranslate(language)
    tap_keys(qtbot, entry.id_keypad, "11010519491231002X")
    save_screen(entry, f"manual-id-{suffix}", language, size)
    assert (entry.width(), entry.height()) == size  # nothing in it needs more than the panel
    assert_nothing_cut(entry)
    assert_keys_for_gloves(entry.id_keypad)
    entry.tabs.setCurrentWidget(entry.temperature_page)
    tap_keys(qtbot, entry.temperature_keypad, "63")
    qtbot.mouseClick(entry.temperature_submit, Qt.MouseButton.LeftButton)  # refused: too high
    save_screen(entry, f"manual-temperature-{suffix}", language, size)
    assert_nothing_cut(entry)
    assert_keys_for_gloves(entry.temperature_keypad)
    entry.tabs.setCurrentWidget(entry.code_page)
    entry.code_keyboard.type_text("HC1:NCFOXN%TSMAHN-H")
    save_screen(entry, f"manual-code-{suffix}", language, size)
    assert_nothing_cut(entry)
    assert_keys_for_gloves(entry.code_keyboard)
    if entry.code_keyboard.page_count > 1:  # a short panel: the digits are a touch away
        entry.code_keyboard.show_page(1)
        save_screen(entry, f"manual-code-digits-{suffix}", language, size)
        assert_nothing_cut(entry)
        assert_keys_for_gloves(entry.code_keyboard)

    panel = OverridePanel()
    qtbot.addWidget(panel)
    panel.retranslate(language)
    panel.reset()
    panel.resize(*size)
    panel.show()
    qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)  # refused: no reason picked
    qtbot.mouseClick(panel._buttons[Outcome.DENY], Qt.MouseButton.LeftButton)
    save_screen(panel, f"override-refused-{suffix}", language, size)
    assert panel.message.text()
    qtbot.mouseClick(next(iter(panel.reason_buttons.values())), Qt.MouseButton.LeftButton)
    assert panel.message.text() == ""  # picking a reason answers the refusal
    save_screen(panel, f"override-{suffix}", language, size)
    assert (panel.width(), panel.height()) == size
    assert_nothing_cut(panel)
    qtbot.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
    for chip in panel.note_editor.chips:  # every phrase: the longest note they make
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    panel.note_editor.keyboard.type_text("A12345")
    save_screen(panel, f"override-note-{suffix}", language, size)
    assert (panel.width(), panel.height()) == size
    assert_nothing_cut(panel)
    assert_keys_for_gloves(panel.note_editor.keyboard)
    assert all(chip.height() >= 90 for chip in panel.note_editor.chips)
    qtbot.mouseClick(panel.note_editor.done_button, Qt.MouseButton.LeftButton)
    save_screen(panel, f"override-with-note-{suffix}", language, size)
    assert "A12345" in panel.note_button.label.text().replace("\u200b", "")
    assert_nothing_cut(panel)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", list(Language))
def test_the_result_says_sign_in_first_on_every_panel(
    tmp_path: Path,
    qtbot: QtBot,
    save_screen: SaveScreen,
    language: Language,
    size: tuple[int, int],
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False, language=language)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        kiosk.bridge.submit_code_text(world.case("red").text)  # decided at once
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        window = kiosk.window
        window.show_screen("result")
        save_screen(window, f"result-sign-in-first-{size[0]}x{size[1]}", language, size)
        hint = {Language.ZH: "请先登录值班人员", Language.EN: "Sign in first"}[language]
        assert hint in window.result.override_button.text()
        assert_nothing_cut(window.result)
    finally:
        kiosk.stop()


def test_cancelling_an_override_after_the_result_closed_goes_back_to_scanning(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    window = kiosk.window
    try:
        window.show_operator("王小明")
        kiosk.bridge.submit_code_text(world.case("red").text)  # decided at once
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        window.show_screen("result")
        qtbot.mouseClick(window.result.override_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: kiosk.flow.state.value == "idle", timeout=10_000)  # it closed
        assert window.current_screen == "override"  # staff are not thrown out mid-way
        qtbot.mouseClick(window.override.cancel, Qt.MouseButton.LeftButton)
        assert window.current_screen == "scan"  # not a result that has already closed
    finally:
        kiosk.stop()


@pytest.mark.parametrize("size", SIZES)
def test_the_pin_pad_that_an_override_asks_for_fits_every_panel(
    qtbot: QtBot, save_screen: SaveScreen, size: tuple[int, int]
) -> None:
    pad = PinPad(lambda: NOW)
    qtbot.addWidget(pad)
    pad.set_prompt("王小明 的 PIN 码")
    save_screen(pad, f"pin-pad-{size[0]}x{size[1]}", Language.ZH, size)
    assert (pad.width(), pad.height()) == size  # one column would need about 830 px
    assert_nothing_cut(pad)
    for digit, button in pad.digit_buttons.items():
        assert button.width() >= 90 and button.height() >= 90, digit
