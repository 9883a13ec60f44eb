"""The duty staff's look at the person in front of them (Hainan 004: 值守人员可以查看该进出人员的
所有关口记录): a signed-in operator opens the person's records from the result, or from the scan
screen while 改判上一位 is offered, without a supervisor PIN; nobody signed in is refused; each
read is audited as who read whose records, with nothing personal in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.sessions.duty_trail import DutyTrailSession
from kiosk.store import Store, StoreKeys
from kiosk.ui.person_trail import PersonTrailView
from sync.schemas import TrailAnswer, TrailEntry
from tests.gui.kiosk_support import build_kiosk
from tests.gui.staff_support import (
    NOW,
    FakeClock,
    audit_actions,
    audit_text,
    fill_log,
    personal_strings,
)
from tests.kiosk.checkpoint_support import ISSUER, passage

WAIT_MS = 10_000
AREA = TrailAnswer(
    region_code="610124",
    since=NOW - timedelta(days=14),
    entries=[
        TrailEntry(at=NOW, checkpoint_name="西门卡口", outcome="pass", fever=False),
        TrailEntry(
            at=NOW, checkpoint_name="东门", outcome="refer", temperature_celsius=38.2, fever=True
        ),
    ],
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as opened:
        fill_log(opened)
        yield opened


def _view(
    store: Store, qtbot: QtBot, answer: TrailAnswer | None, *, idle_timeout_s: float = 60
) -> PersonTrailView:
    asked: list[tuple[str, bytes]] = []

    def area_trail(issuer: str, code_id: bytes) -> TrailAnswer | None:
        asked.append((issuer, code_id))
        return answer

    session = DutyTrailSession(store, FakeClock(), area_trail=area_trail)
    view = PersonTrailView(session, idle_timeout_s=idle_timeout_s)
    view.asked = asked  # type: ignore[attr-defined]
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    return view


def _latest_of_code(store: Store, code_byte: int) -> uuid.UUID:
    return store.passages.trail(ISSUER, bytes([code_byte]) * 16, NOW)[0].record_id


def test_online_the_operator_sees_the_persons_records_here_and_in_the_area(
    store: Store, qtbot: QtBot
) -> None:
    view = _view(store, qtbot, AREA)
    with qtbot.waitSignal(view.area_answered, timeout=WAIT_MS) as answered:
        view.open(_latest_of_code(store, 1), "op-1")
    assert answered.args == [True]
    expected = store.passages.trail(ISSUER, b"\x01" * 16, NOW)
    assert [row.record_id for row in view.page.model.rows] == [r.record_id for r in expected]
    assert len(expected) == 6  # four today, two earlier in the fortnight; not the 20-day-old one
    label = view.page.area_label.text()
    assert "西门卡口" in label and "38.2°C" in label
    assert view.asked == [(ISSUER, b"\x01" * 16)]  # type: ignore[attr-defined]
    actor, action, detail = audit_actions(store)[-1]
    assert (actor, action, detail["rows"]) == ("op-1", "person_trail_view", 6)
    text = audit_text(store)
    assert not [s for s in personal_strings() if s in text]
    view.shutdown()


def test_offline_the_kiosks_own_records_stand_and_the_page_says_so(
    store: Store, qtbot: QtBot
) -> None:
    view = _view(store, qtbot, None)
    with qtbot.waitSignal(view.area_answered, timeout=WAIT_MS) as answered:
        view.open(_latest_of_code(store, 2), "op-2")
    assert answered.args == [False]
    assert view.page.model.rows
    assert view.page.area_label.text().startswith(("Offline", "离线"))
    view.shutdown()


def test_a_passage_without_a_code_shows_itself_and_central_is_not_asked(
    store: Store, qtbot: QtBot
) -> None:
    alone = passage(NOW, code_byte=None)
    store.passages.record(alone).result(timeout=10)
    view = _view(store, qtbot, AREA)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS) as loaded:
        view.open(alone.record_id, "op-1")
    assert loaded.args == [1]
    assert view.asked == []  # type: ignore[attr-defined]
    view.shutdown()


def test_with_nobody_signed_in_the_records_are_refused_and_the_page_says_why(
    store: Store, qtbot: QtBot
) -> None:
    view = _view(store, qtbot, AREA)
    with qtbot.assertNotEmitted(view.loaded, wait=200):
        view.open(_latest_of_code(store, 1), None)
    assert view.refused and view.page.model.rowCount() == 0
    assert view.page.summary_label.text().startswith(("Sign in first", "请先登录"))
    assert view.asked == []  # type: ignore[attr-defined]
    assert audit_actions(store)[-1][1] == "person_trail_refused"
    view.shutdown()


def test_the_page_closes_by_itself_and_takes_the_rows_with_it(store: Store, qtbot: QtBot) -> None:
    view = _view(store, qtbot, None, idle_timeout_s=0.3)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.open(_latest_of_code(store, 1), "op-1")
    with qtbot.waitSignal(view.closed, timeout=WAIT_MS):
        pass
    assert view.page.model.rowCount() == 0
    view.shutdown()


def test_the_button_is_offered_to_a_signed_in_operator_on_the_result_and_after_it(
    tmp_path: Path, qtbot: QtBot
) -> None:
    policy = replace(default_policy(CheckpointType.ENTERPRISE_GATE), temperature_required=False)
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False, policy=policy)
    qtbot.addWidget(kiosk.window)
    kiosk.window.resize(1024, 600)
    kiosk.window.show()
    kiosk.start()
    window, result, scan = kiosk.window, kiosk.window.result, kiosk.window.scan
    try:
        kiosk.flow.set_result_duration(timedelta(seconds=60))  # staff take their time
        kiosk.bridge.submit_code_text(world.case("green").text)
        qtbot.waitUntil(lambda: window.current_screen == "result", timeout=WAIT_MS)
        assert not result.records_button.isVisible()  # nobody signed in
        kiosk.bridge.sign_in("op-1")
        window.show_operator("王小明")
        button = result.records_button
        assert button.isVisible() and min(button.width(), button.height()) >= 90
        assert button.text() == "查看此人记录"
        with qtbot.waitSignal(kiosk.records.loaded, timeout=WAIT_MS) as loaded:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.current_screen == "person_trail" and loaded.args == [1]
        qtbot.mouseClick(kiosk.records.page.back_button, Qt.MouseButton.LeftButton)
        assert window.current_screen == "scan"
        assert kiosk.records.page.model.rowCount() == 0

        kiosk.flow.set_result_duration(timedelta(milliseconds=200))
        kiosk.bridge.submit_code_text(world.case("red").text)
        last = scan.records_last_button
        qtbot.waitUntil(lambda: last.isVisibleTo(scan), timeout=WAIT_MS)  # with 改判上一位
        assert window.current_screen == "scan"
        with qtbot.waitSignal(kiosk.records.loaded, timeout=WAIT_MS):
            qtbot.mouseClick(last, Qt.MouseButton.LeftButton)
        assert window.current_screen == "person_trail"
        views = [a for a in audit_actions(kiosk.store) if a[1] == "person_trail_view"]
        assert [actor for actor, _, _ in views] == ["op-1", "op-1"]
    finally:
        kiosk.stop()
