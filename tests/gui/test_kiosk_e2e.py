"""The whole kiosk, offscreen: image-folder camera -> decode thread -> gate -> flow -> result
screen -> stored record, with the thermometer simulator speaking real bytes on a pty."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.serialio.events import DeviceState
from kiosk.app.startup import dcc_trust as _dcc_trust
from kiosk.app.viewstate import ResultView, StatusKind
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.store import LogFilter
from kiosk.ui.app import Kiosk
from tests.gui.kiosk_support import build_kiosk, stale, tap_keys
from tests.gui.staff_support import OPERATOR_PIN, SUPERVISOR_PIN, roster
from tests.gui.test_pinpad_signin import type_pin
from tests.unit.test_dcc import VACCINATION, Signer


@pytest.fixture
def running(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[Kiosk, list[ResultView]]]:
    kiosk, world, thermometer = build_kiosk(tmp_path)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    kiosk.world = world  # type: ignore[attr-defined]
    yield kiosk, results
    kiosk.stop()
    if thermometer is not None:
        thermometer.close()


def test_every_demo_code_gives_the_right_screen_words_colour_and_record(
    running: tuple[Kiosk, list[ResultView]], qtbot: QtBot
) -> None:
    kiosk, results = running
    cases = kiosk.world.cases  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(results) >= len(cases), timeout=60_000)
    shown = results[: len(cases)]
    assert [view.outcome.value for view in shown] == [case.expected for case in cases]

    by_name = {case.name: view for case, view in zip(cases, shown, strict=True)}
    assert by_name["green"].word.zh == "通行"
    assert by_name["green"].masked_name == "张*丰"
    assert by_name["green"].temperature_celsius == pytest.approx(36.8)
    assert by_name["red"].word.zh == "禁止通行"
    assert by_name["feed_red"].reasons[0].zh == "红码"  # the feed's colour, not the code's
    assert any("颜色已更新" in r.zh for r in by_name["feed_red"].reasons)
    assert any("已过期" in r.zh for r in by_name["expired"].reasons)
    expired = by_name["expired"].deciding_reason  # a paper code: paper cannot be refreshed
    assert expired is not None and expired.zh == "纸质码已过期，请到社区或村委会重新领取"
    assert any("伪造" in r.zh for r in by_name["forged"].reasons)
    assert by_name["fever"].word.zh == "请留观"
    assert by_name["fever"].fever
    assert by_name["repeat"].repeat_minutes == 0
    warning = by_name["repeat"].repeat_warning
    assert warning is not None and warning.zh == "刚刚已在此处通行"
    assert by_name["green"].repeat_minutes is None

    def stored() -> int:
        return kiosk.store.passages.log_count(LogFilter())

    qtbot.waitUntil(lambda: stored() >= len(cases), timeout=10_000)
    first = list(reversed(kiosk.store.passages.log(LogFilter(), limit=len(cases) + 20)))
    assert [row.outcome.value for row in first[: len(cases)]] == [c.expected for c in cases]
    fever_row = first[4]
    assert fever_row.fever and fever_row.outcome is Outcome.REFER
    pending = kiosk.store.outbox.pending_outbox()
    assert pending[0][1:] == (str(fever_row.record_id), "fever_report")


def test_the_result_screen_shows_the_outcome_in_colour_and_words(
    running: tuple[Kiosk, list[ResultView]], qtbot: QtBot
) -> None:
    kiosk, results = running
    qtbot.waitUntil(lambda: len(results) >= 2, timeout=30_000)
    screen = kiosk.window.result
    qtbot.waitUntil(lambda: screen.view is not None)
    assert screen.word.text().endswith(screen.view.word.zh)  # type: ignore[union-attr]
    assert "background" in screen.styleSheet()


def test_a_stale_status_feed_gives_a_green_code_a_manual_check(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, world, thermometer = build_kiosk(tmp_path, camera=False)
    world = stale(world, timedelta(days=3))
    kiosk.app.trust.swap_feed(world.feed)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        kiosk.bridge.submit_code_text(world.case("green").text)
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        assert results[0].outcome is Outcome.MANUAL_CHECK
        assert any("过旧" in r.zh for r in results[0].reasons)
        feed = next(i for i in kiosk.status_items() if i.kind is StatusKind.FEED)
        assert feed.word.zh == "3 天前"
    finally:
        kiosk.stop()
        if thermometer is not None:
            thermometer.close()


def test_an_unplugged_thermometer_shows_and_a_manual_temperature_still_records(
    tmp_path: Path, qtbot: QtBot
) -> None:
    # Readings taken before the unplug are never fresh enough to count for the next person.
    policy = replace(
        default_policy(CheckpointType.ENTERPRISE_GATE), max_reading_age=timedelta(microseconds=1)
    )
    kiosk, world, thermometer = build_kiosk(tmp_path, camera=False, policy=policy)
    assert thermometer is not None
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:

        def thermometer_state() -> DeviceState | None:
            event = kiosk.app.status.device_states.get(StatusKind.THERMOMETER)
            return None if event is None else event.state

        qtbot.waitUntil(lambda: thermometer_state() is DeviceState.CONNECTED, timeout=10_000)
        thermometer.pty.unplug()
        qtbot.waitUntil(lambda: thermometer_state() is DeviceState.DISCONNECTED, timeout=10_000)
        kiosk.refresh_status()
        bar = kiosk.window.scan.status
        assert "测温仪: 已断开" in bar.item_text(1)
        assert "✖" in bar.item_text(1)  # not by colour alone

        kiosk.bridge.submit_code_text(world.case("green").text)
        tap_keys(qtbot, kiosk.window.manual.temperature_keypad, "36.6")
        kiosk.window.manual.temperature_submit.click()
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        assert results[0].outcome is Outcome.PASS
        assert results[0].temperature_celsius == pytest.approx(36.6)
        qtbot.waitUntil(lambda: kiosk.store.passages.log_count(LogFilter()) == 1, timeout=5_000)
    finally:
        kiosk.stop()
        thermometer.close()


def test_a_typed_id_number_alone_is_recorded_for_a_manual_check(
    tmp_path: Path, qtbot: QtBot
) -> None:
    # Without a code the decision waits for the arrival window: a short one keeps this quick.
    policy = replace(
        default_policy(CheckpointType.ENTERPRISE_GATE), arrival_window=timedelta(milliseconds=500)
    )
    kiosk, _world, _ = build_kiosk(tmp_path, camera=False, thermometer=False, policy=policy)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        manual = kiosk.window.manual
        tap_keys(qtbot, manual.id_keypad, "11010519491231002")
        assert not manual.id_submit.isEnabled()
        tap_keys(qtbot, manual.id_keypad, "1")  # a wrong check character
        assert "校验位" in manual.id_feedback.text()
        tap_keys(qtbot, manual.id_keypad, "C")
        tap_keys(qtbot, manual.id_keypad, "11010519491231002X")
        assert manual.id_submit.isEnabled()
        manual.id_submit.click()
        tap_keys(qtbot, manual.temperature_keypad, "36.5")  # nothing is pre-filled any more
        kiosk.window.manual.temperature_submit.click()
        qtbot.waitUntil(lambda: bool(results), timeout=30_000)
        assert results[0].outcome is Outcome.MANUAL_CHECK
        assert results[0].masked_name == "110105********002X"
        qtbot.waitUntil(lambda: bool(kiosk.store.passages.log(LogFilter(), limit=1)))
        row = kiosk.store.passages.log(LogFilter(), limit=1)
        assert ReasonCode.NO_CODE.value in row[0].reasons
    finally:
        kiosk.stop()


def test_a_keyboard_wedge_scanner_burst_is_a_scan(tmp_path: Path, qtbot: QtBot) -> None:
    kiosk, world, thermometer = build_kiosk(tmp_path, camera=False)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.window.show()
    kiosk.start()
    try:
        # A scanner types the whole code at machine speed, then Enter.
        qtbot.keyClicks(kiosk.window.scan, world.case("red").text)
        qtbot.keyClick(kiosk.window.scan, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        assert results[0].outcome is Outcome.DENY
        assert results[0].masked_name == "王*锤"
        assert not kiosk.window.scan.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    finally:
        kiosk.stop()
        if thermometer is not None:
            thermometer.close()


def test_after_a_crash_the_kiosk_returns_to_the_scan_screen(tmp_path: Path, qtbot: QtBot) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        kiosk.bridge.submit_code_text(world.case("green").text)
        kiosk.window.show_screen("manual")
        worker = threading.Thread(target=kiosk.recover_after_crash)  # as the handler would
        worker.start()
        worker.join(5)
        qtbot.waitUntil(lambda: kiosk.window.current_screen == "scan", timeout=5_000)
        assert kiosk.flow.state.value == "idle"
    finally:
        kiosk.stop()


def test_the_operator_who_signs_in_is_on_every_record_and_the_supervisor_opens(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    kiosk.store.copies.replace_roster(roster()).result(timeout=10)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    with qtbot.waitSignal(kiosk.gate.roster_loaded, timeout=10_000):
        kiosk.start()
    try:
        qtbot.mouseClick(kiosk.window.scan.sign_in_button, Qt.MouseButton.LeftButton)
        assert kiosk.window.current_screen == "signin"
        qtbot.mouseClick(kiosk.signin.picker.buttons["op-1"], Qt.MouseButton.LeftButton)
        type_pin(qtbot, kiosk.signin.pad, OPERATOR_PIN)
        with qtbot.waitSignal(kiosk.signin.signed_in, timeout=10_000):
            qtbot.mouseClick(kiosk.signin.pad.ok_button, Qt.MouseButton.LeftButton)
        assert kiosk.window.current_screen == "scan"
        assert "王小明" in kiosk.window.scan.operator.text()

        kiosk.bridge.submit_code_text(world.case("green").text)
        kiosk.bridge.submit_manual_temperature(36.5)
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        qtbot.waitUntil(lambda: kiosk.store.passages.log_count(LogFilter()) == 1, timeout=5_000)
        assert kiosk.store.passages.log(LogFilter(), limit=1)[0].operator_id == "op-1"

        kiosk.window.show_screen("scan")
        qtbot.mouseClick(kiosk.window.scan.supervisor_button, Qt.MouseButton.LeftButton)
        assert kiosk.window.current_screen == "supervisor"
        kiosk.supervisor.close_view()
        assert kiosk.window.current_screen == "scan"
    finally:
        kiosk.stop()


def test_an_eu_certificate_from_a_recognised_signer_gets_a_manual_check_with_its_details(
    tmp_path: Path, qtbot: QtBot
) -> None:
    signer = Signer()
    (tmp_path / "dcc-trust.json").write_text(signer.trust().to_json(), encoding="utf-8")
    trust = _dcc_trust(tmp_path / "dcc-trust.json")
    assert trust is not None
    kiosk, _world, _ = build_kiosk(tmp_path, camera=False, thermometer=False, dcc_trust=trust)
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        kiosk.bridge.submit_code_text(signer.code(VACCINATION))
        kiosk.bridge.submit_manual_temperature(36.5)
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        assert results[0].outcome is Outcome.MANUAL_CHECK
        assert "Gabriele Musterfrau" in results[0].reasons[0].en
        qtbot.waitUntil(lambda: kiosk.store.passages.log_count(LogFilter()) == 1, timeout=5_000)
        row = kiosk.store.passages.log(LogFilter(), limit=1)[0]
        assert (row.scheme, row.issuer) == ("HC1", "AT")
        assert row.masked_name is not None and "Musterfrau" not in row.masked_name
    finally:
        kiosk.stop()


def test_a_damaged_dcc_trust_file_is_refused_whole(tmp_path: Path) -> None:
    (tmp_path / "dcc-trust.json").write_text('[{"certificate": "bm90IGEgY2VydA=="}]', "utf-8")
    assert _dcc_trust(tmp_path / "dcc-trust.json") is None


def test_settings_behind_the_supervisor_pin_change_sounds_and_result_time(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, _world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    kiosk.store.copies.replace_roster(roster()).result(timeout=10)
    qtbot.addWidget(kiosk.window)
    with qtbot.waitSignal(kiosk.gate.roster_loaded, timeout=10_000):
        kiosk.start()
    try:
        view = kiosk.supervisor
        qtbot.mouseClick(kiosk.window.scan.supervisor_button, Qt.MouseButton.LeftButton)
        view.open_settings()
        assert view.pages.currentWidget() is not view.settings_page  # locked
        with qtbot.waitSignal(view.unlocked, timeout=10_000):
            view.unlock("sup-1", SUPERVISOR_PIN)
        view.open_settings()
        assert view.pages.currentWidget() is view.settings_page
        view.settings_page.mute_box.setChecked(True)
        view.settings_page.result_spin.setValue(2.5)
        with qtbot.waitSignal(view.settings_changed, timeout=5_000):
            qtbot.mouseClick(view.settings_page.save_button, Qt.MouseButton.LeftButton)
        assert kiosk.settings.muted and kiosk.settings.result_seconds == 2.5
        assert kiosk.flow._result_duration.total_seconds() == 2.5
        qtbot.waitUntil(
            lambda: any(a == "settings_change" for _, _, a, _ in kiosk.store.audit.entries()),
            timeout=5_000,
        )
    finally:
        kiosk.stop()
    kiosk2, _w, _ = build_kiosk(tmp_path, camera=False, thermometer=False, world=_world)
    kiosk2.start()
    try:
        assert kiosk2.settings.muted  # kept across a restart
    finally:
        kiosk2.stop()


def test_a_stopped_kiosk_leaves_no_timer_that_touches_its_closed_store(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, _world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    kiosk.store.copies.replace_roster(roster()).result(timeout=10)
    qtbot.addWidget(kiosk.window)
    with qtbot.waitSignal(kiosk.gate.roster_loaded, timeout=10_000):
        kiosk.start()
    with qtbot.waitSignal(kiosk.supervisor.unlocked, timeout=10_000):
        kiosk.supervisor.unlock("sup-1", SUPERVISOR_PIN)
    kiosk.stop()
    idle = kiosk.supervisor._idle
    assert not idle.isActive()
    idle.timeout.emit()  # even if it fired now, nothing would reach the closed store
