"""改判上一位 on the scan screen: for a while after a result closed, staff can still change it,
the same way as the result's 改判 (sign-in first when nobody is signed in), and the change
applies to that passage."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui.i18n import Language
from tests.gui.conftest import SaveScreen
from tests.gui.kiosk_support import build_kiosk
from tests.gui.staff_support import OPERATOR_PIN, roster
from tests.gui.test_pinpad_signin import type_pin


def test_the_last_result_is_changed_from_the_scan_screen_after_signing_in(
    tmp_path: Path, qtbot: QtBot, save_screen: SaveScreen
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    kiosk.store.copies.replace_roster(roster()).result(timeout=10)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    with qtbot.waitSignal(kiosk.gate.roster_loaded, timeout=10_000):
        kiosk.start()
    window = kiosk.window
    scan = window.scan
    try:
        assert not scan.override_last_button.isVisibleTo(scan)
        kiosk.bridge.submit_code_text(world.case("red").text)  # decided at once
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)  # closed
        qtbot.waitUntil(lambda: scan.override_last_button.isVisibleTo(scan), timeout=10_000)
        assert scan.override_last_button.text() == "改判上一位：禁止通行\n请先登录值班人员"
        save_screen(window, "scan-override-last", Language.ZH)

        qtbot.mouseClick(scan.override_last_button, Qt.MouseButton.LeftButton)
        assert window.current_screen == "signin"  # the sign-in comes first
        qtbot.mouseClick(kiosk.signin.picker.buttons["op-1"], Qt.MouseButton.LeftButton)
        type_pin(qtbot, kiosk.signin.pad, OPERATOR_PIN)
        with qtbot.waitSignal(kiosk.signin.signed_in, timeout=10_000):
            qtbot.mouseClick(kiosk.signin.pad.ok_button, Qt.MouseButton.LeftButton)
        assert window.current_screen == "override"
        panel = window.override
        qtbot.mouseClick(
            panel.reason_buttons[next(iter(panel.reason_buttons))], Qt.MouseButton.LeftButton
        )
        qtbot.mouseClick(panel._buttons[Outcome.PASS], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(results) == 2, timeout=10_000)
        assert results[1].outcome is Outcome.PASS
        assert results[1].record_id == results[0].record_id  # that passage, changed
    finally:
        kiosk.stop()


def test_the_offer_goes_when_the_next_person_is_scanned(tmp_path: Path, qtbot: QtBot) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    scan = kiosk.window.scan
    try:
        kiosk.bridge.submit_code_text(world.case("red").text)
        qtbot.waitUntil(lambda: scan.override_last_button.isVisibleTo(scan), timeout=10_000)
        kiosk.bridge.submit_code_text(world.case("green").text)  # the next person: measuring
        assert not scan.override_last_button.isVisibleTo(scan)
        assert scan.progress.isVisibleTo(scan)
    finally:
        kiosk.stop()
