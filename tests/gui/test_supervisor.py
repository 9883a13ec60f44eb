"""The supervisor view through the real gate and store: a personal PIN, filters, paging, a
code's trail, exports that hold exactly the filtered rows, and an audit entry for each view,
trail and export with no personal data in it."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from healthcode.claims import Colour
from kiosk.checkpoint.access import Denial
from kiosk.checkpoint.events import SaveOverride
from kiosk.checkpoint.outcome import Outcome
from kiosk.sessions import export as export_module
from kiosk.sessions import staff
from kiosk.sessions import supervisor as supervisor_module
from kiosk.sessions.access import StaffAccess
from kiosk.sessions.export import ExportFormat, row_cells
from kiosk.sessions.supervisor import SupervisorSession, TimeRange, filter_summary, time_bounds
from kiosk.store import LogFilter, PassageRow, Store, StoreKeys
from kiosk.ui.i18n import Language
from kiosk.ui.pinpad import AccessGate
from kiosk.ui.supervisor import SupervisorView
from sync.schemas import TrailAnswer, TrailEntry
from tests.gui.conftest import SaveScreen
from tests.gui.staff_support import (
    FAST,
    NOW,
    OPERATOR_PIN,
    SUPERVISOR_PIN,
    FakeClock,
    audit_actions,
    audit_text,
    fill_log,
    personal_strings,
    roster,
)
from tests.kiosk.test_export import read_csv, read_xlsx

WAIT_MS = 10_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as opened:
        opened.copies.replace_roster(roster()).result(timeout=10)
        fill_log(opened)
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def gate(store: Store, clock: FakeClock) -> Iterator[AccessGate]:
    opened = AccessGate(StaffAccess(store, clock))
    yield opened
    opened.shutdown()


@pytest.fixture
def view(
    store: Store, gate: AccessGate, clock: FakeClock, qtbot: QtBot, tmp_path: Path
) -> Iterator[SupervisorView]:
    session = SupervisorSession(store, clock, export_dir=tmp_path / "exports", page_rows=5)
    supervisor = SupervisorView(session, gate)
    qtbot.addWidget(supervisor)
    with qtbot.waitSignal(gate.roster_loaded, timeout=WAIT_MS):
        supervisor.start()
    yield supervisor
    supervisor.shutdown()


def unlock(view: SupervisorView, qtbot: QtBot) -> None:
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        view.unlock("sup-1", SUPERVISOR_PIN)
    assert view.operator_id == "sup-1"


def show(view: SupervisorView, qtbot: QtBot, **filters: Any) -> int:
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS) as loaded:
        view.apply_filter(**filters)
    shown: int = loaded.args[0]
    return shown


def everything(store: Store, where: LogFilter) -> list[PassageRow]:
    return store.passages.log(where, limit=10_000)


# ------------------------------------------------------------ the PIN


def test_only_supervisors_are_offered_and_asked_for_their_pin(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    assert {b.text() for b in view.names_page.picker.buttons.values()} == {"李主管"}
    assert view.log_page.model.rowCount() == 0
    qtbot.mouseClick(view.names_page.picker.buttons["sup-1"], Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 1
    for digit in SUPERVISOR_PIN:
        qtbot.mouseClick(view.pad.digit_buttons[digit], Qt.MouseButton.LeftButton)
    with (
        qtbot.waitSignal(view.unlocked, timeout=WAIT_MS),
        qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS),
    ):
        qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 2
    assert ("sup-1", "supervisor_open", {}) in audit_actions(store)


def test_an_operator_pin_does_not_open_it(
    view: SupervisorView, gate: AccessGate, qtbot: QtBot
) -> None:
    with (
        qtbot.assertNotEmitted(view.unlocked),
        qtbot.waitSignal(gate.checked, timeout=WAIT_MS) as checked,
    ):
        view.unlock("op-1", OPERATOR_PIN)
    assert checked.args[0].denial is Denial.NOT_ALLOWED
    assert view.operator_id is None
    assert view.pages.currentIndex() == 1


def test_a_wrong_pin_does_not_open_it(view: SupervisorView, gate: AccessGate, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(view.unlocked), qtbot.waitSignal(gate.checked, timeout=WAIT_MS):
        view.unlock("sup-1", "000000")
    assert view.operator_id is None
    assert view.log_page.model.rowCount() == 0


def test_a_supervisor_set_on_the_kiosk_is_locked_out_after_five_wrong_pins(
    store: Store, clock: FakeClock, qtbot: QtBot, tmp_path: Path
) -> None:
    staff.set_pin(store, "local-supervisor-1", "周主管", "supervisor", "135790", FAST).result(
        timeout=10
    )
    gate = AccessGate(StaffAccess(store, clock))
    view = SupervisorView(SupervisorSession(store, clock, export_dir=tmp_path / "x"), gate)
    qtbot.addWidget(view)
    try:
        with qtbot.waitSignal(gate.roster_loaded, timeout=WAIT_MS):
            view.start()
        for _ in range(5):
            with qtbot.waitSignal(gate.checked, timeout=WAIT_MS) as checked:
                view.unlock("local-supervisor-1", "000000")
        assert checked.args[0].denial is Denial.LOCKED
        assert view.pad.locked and "5:00" in view.pad.message_label.text()
        with qtbot.waitSignal(gate.checked, timeout=WAIT_MS) as checked:
            gate.check("local-supervisor-1", "135790", "supervisor", {"supervisor"})
        assert checked.args[0].denial is Denial.LOCKED  # even the right PIN, until it ends
        clock.advance(timedelta(minutes=5))
        with qtbot.waitSignal(view.unlocked, timeout=WAIT_MS):
            view.unlock("local-supervisor-1", "135790")
    finally:
        view.shutdown()
        gate.shutdown()


# ------------------------------------------------------------ the log


def test_it_opens_on_today_a_page_at_a_time(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    today = everything(store, view.current_filter)
    assert len(today) == 14
    assert view.current_filter.from_utc == time_bounds(TimeRange.TODAY, NOW, store.time_zone)[0]
    assert view.log_page.model.rows == today[:5]
    assert view.log_page.more_button.isEnabled()
    for shown in (10, 14):
        with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS) as loaded:
            qtbot.mouseClick(view.log_page.more_button, Qt.MouseButton.LeftButton)
        assert loaded.args == [shown]
    assert view.log_page.model.rows == today
    assert not view.log_page.more_button.isEnabled()
    pages = [d for _, a, d in audit_actions(store) if a == "log_view"]
    assert [(p["page"], p["rows"], p["total"]) for p in pages] == [
        (1, 5, 14),
        (2, 5, 14),
        (3, 4, 14),
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {"colour": Colour.RED},
        {"outcome": Outcome.PASS},
        {"fever": True},
        {"fever": False, "colour": Colour.GREEN},
        {"operator_id": "op-1"},
        {"time_range": TimeRange.ALL},
        {"time_range": TimeRange.WEEK, "colour": Colour.GREEN},
        {"time_range": TimeRange.ALL, "outcome": Outcome.REFER, "operator_id": "op-2"},
    ],
)
def test_filters_show_exactly_the_matching_rows(
    view: SupervisorView, store: Store, qtbot: QtBot, filters: dict[str, Any]
) -> None:
    unlock(view, qtbot)
    show(view, qtbot, **filters)
    while view.log_page.more_button.isEnabled():
        with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
            view.load_more()
    rows = view.log_page.model.rows
    assert rows == everything(store, view.current_filter)
    assert rows
    for row in rows:
        if "colour" in filters:
            assert row.colour_applied is filters["colour"]
        if "outcome" in filters:
            assert row.outcome is filters["outcome"]
        if "fever" in filters:
            assert row.fever is filters["fever"]
        if "operator_id" in filters:
            assert row.operator_id == filters["operator_id"]
    expected_total = store.passages.log_count(view.current_filter)
    assert str(expected_total) in view.log_page.summary_label.text()


def test_the_table_shows_domain_words_in_the_chosen_language(
    view: SupervisorView, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    show(view, qtbot, colour=Colour.RED, fever=False)
    model = view.log_page.model
    first = model.index(0, 1)
    assert model.data(first) == "✖ 禁止通行"
    assert model.data(model.index(0, model.REASON)) == "红码"
    assert model.data(model.index(0, model.OPERATOR)) in {"王小明", "刘芳"}
    view.retranslate(Language.EN)
    assert model.data(first) == "✖ No entry"
    assert model.data(model.index(0, model.REASON)) == "Red code"
    assert view.log_page.colour_combo.currentText() == "Red"


def test_changing_a_filter_control_shows_a_new_view(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        view.log_page.fever_combo.setCurrentIndex(1)  # fever
    assert view.current_filter.fever is True
    assert all(row.fever for row in view.log_page.model.rows)
    last = [d for _, a, d in audit_actions(store) if a == "log_view"][-1]
    assert last["filter"]["fever"] is True


def test_the_log_fills_the_screen_with_reason_direction_trip_reason_and_override(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    """It showed about five rows, without why, which way, what for, or who changed it."""
    fever = next(row for row in everything(store, LogFilter()) if row.fever)
    changed = SaveOverride(fever.record_id, Outcome.PASS, "已复测正常", "sup-1", NOW)
    store.passages.record_override(changed).result(timeout=10)
    view.pages.widget(1).setMinimumSize(1, 1)  # the PIN page is not this part's to fit
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    unlock(view, qtbot)
    table, model = view.log_page.table, view.log_page.model
    assert view.height() == 800
    row_px = table.verticalHeader().defaultSectionSize()
    assert row_px >= 90  # a row is touched: 15 mm, for gloves
    assert table.viewport().height() // row_px >= 8
    show(view, qtbot, fever=True)
    index = [row.record_id for row in model.rows].index(fever.record_id)
    cells = {
        column: model.data(model.index(index, column))
        for column in (model.REASON, model.DIRECTION, model.TRIP, model.OVERRIDE)
    }
    assert cells == {
        model.REASON: "体温异常",
        model.DIRECTION: "进",
        model.TRIP: "返岗复工",
        model.OVERRIDE: "✔ 通行\n李主管",
    }
    assert model.data(model.index(index, model.OVERRIDE), Qt.ItemDataRole.ToolTipRole) == (
        "已复测正常"
    )
    untouched = next(i for i, row in enumerate(model.rows) if row.record_id != fever.record_id)
    assert model.data(model.index(untouched, model.OVERRIDE)) == "—"
    right = table.viewport().width()
    for column in (model.REASON, model.DIRECTION, model.TRIP, model.OVERRIDE):
        assert not table.isColumnHidden(column)
        assert table.columnViewportPosition(column) + table.columnWidth(column) <= right


def test_outcome_toggles_filter_the_log_and_a_second_touch_shows_every_outcome(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    refer = view.log_page.outcome_buttons[Outcome.REFER]
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(refer, Qt.MouseButton.LeftButton)
    assert refer.isChecked() and refer.shown_text().startswith("✓")
    assert view.current_filter.outcome is Outcome.REFER
    assert {row.outcome for row in view.log_page.model.rows} == {Outcome.REFER}
    deny = view.log_page.outcome_buttons[Outcome.DENY]
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(deny, Qt.MouseButton.LeftButton)
    assert deny.isChecked() and not refer.isChecked()
    assert {row.outcome for row in view.log_page.model.rows} == {Outcome.DENY}
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(deny, Qt.MouseButton.LeftButton)
    assert not any(b.isChecked() for b in view.log_page.outcome_buttons.values())
    assert view.current_filter.outcome is None
    assert len({row.outcome for row in view.log_page.model.rows}) > 1


# ------------------------------------------------------------ the trail


def test_a_codes_trail_opens_from_the_selected_row(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    assert not view.log_page.trail_button.isEnabled()
    view.log_page.table.selectRow(1)
    assert view.log_page.trail_button.isEnabled()
    chosen = view.log_page.model.row_at(1)
    with qtbot.waitSignal(view.trail_loaded, timeout=WAIT_MS) as loaded:
        qtbot.mouseClick(view.log_page.trail_button, Qt.MouseButton.LeftButton)
    assert chosen.issuer is not None and chosen.code_id is not None
    expected = store.passages.trail(chosen.issuer, chosen.code_id, NOW)
    assert loaded.args == [len(expected)]
    assert view.trail_page.model.rows == expected
    assert all(r.code_id == chosen.code_id for r in view.trail_page.model.rows)
    assert view.pages.currentIndex() == 3
    assert str(len(expected)) in view.trail_page.summary_label.text()
    actor, action, detail = audit_actions(store)[-1]
    assert (actor, action, detail) == (
        "sup-1",
        "trail_view",
        {"passage_seq": chosen.seq, "rows": len(expected)},
    )
    qtbot.mouseClick(view.trail_page.back_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 2


def test_a_passage_without_a_code_has_no_trail(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    from tests.kiosk.checkpoint_support import passage

    store.passages.record(passage(NOW - timedelta(minutes=1), code_byte=None)).result(timeout=10)
    unlock(view, qtbot)
    assert view.log_page.model.row_at(0).code_id is None
    view.log_page.table.selectRow(0)
    assert not view.log_page.trail_button.isEnabled()
    with qtbot.assertNotEmitted(view.trail_loaded):
        view.open_trail(0)


# ------------------------------------------------------------ exports


def export_and_wait(view: SupervisorView, qtbot: QtBot, export_format: ExportFormat) -> list[Any]:
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS) as finished:
        logs = view.log_page
        button = logs.csv_button if export_format is ExportFormat.CSV else logs.xlsx_button
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return list(finished.args)


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_an_export_holds_exactly_the_filtered_rows(
    view: SupervisorView,
    store: Store,
    gate: AccessGate,
    qtbot: QtBot,
    export_format: ExportFormat,
) -> None:
    unlock(view, qtbot)
    show(view, qtbot, time_range=TimeRange.ALL, colour=Colour.GREEN)
    assert view.log_page.model.rowCount() == 5  # one page shown; the export takes every page
    result, path, rows = export_and_wait(view, qtbot, export_format)
    wanted = everything(store, view.current_filter)
    assert (result, rows) == ("done", len(wanted)) and rows > 5
    table = read_csv(Path(path)) if export_format is ExportFormat.CSV else read_xlsx(Path(path))
    assert len(table) == len(wanted) + 1
    for line, row in zip(table[1:], wanted, strict=True):
        cells = row_cells(row, operator_names=gate.operator_names())
        assert line == ["" if c is None else str(c) for c in cells]
    if export_format is ExportFormat.CSV:
        assert Path(path).read_bytes().startswith(b"\xef\xbb\xbf")
    else:
        assert zipfile.is_zipfile(path)
    assert view.log_page.progress.value() == view.log_page.progress.maximum() == rows
    assert str(rows) in view.log_page.export_label.text()
    actor, action, detail = audit_actions(store)[-1]
    assert (actor, action) == ("sup-1", "export")
    assert detail == {
        "format": export_format.value,
        "filter": filter_summary(view.current_filter),
        "rows": rows,
        "result": "done",
        "file": Path(path).name,
    }


def test_the_export_follows_the_language_shown(view: SupervisorView, qtbot: QtBot) -> None:
    unlock(view, qtbot)
    view.retranslate(Language.EN)
    _, path, _ = export_and_wait(view, qtbot, ExportFormat.CSV)
    head, first, *_ = read_csv(Path(path))
    assert head[0] == "Time"
    assert first[1] in {"Pass", "No entry", "Observation", "Manual check"}


def test_the_export_message_is_said_again_in_the_language_switched_to(
    view: SupervisorView, qtbot: QtBot, use_language: Callable[[Language], None]
) -> None:
    use_language(Language.ZH)
    view.retranslate(Language.ZH)
    unlock(view, qtbot)
    _, path, rows = export_and_wait(view, qtbot, ExportFormat.CSV)
    label = view.log_page.export_label
    assert label.text().startswith(f"已导出 {rows} 行")
    use_language(Language.EN)
    view.retranslate(Language.EN)
    assert label.text().startswith(f"Exported {rows} rows to ")
    assert label.text().replace("\u200b", "").endswith(Path(path).name)


def test_a_narrow_log_hides_the_least_needed_columns_and_a_touched_row_shows_them(
    view: SupervisorView, qtbot: QtBot, use_language: Callable[[Language], None]
) -> None:
    """In English the table scrolled sideways with the operator off the screen."""
    use_language(Language.EN)
    view.retranslate(Language.EN)
    view.resize(800, 1280)
    view.show()
    qtbot.waitExposed(view)
    unlock(view, qtbot)
    table, model = view.log_page.table, view.log_page.model
    qtbot.waitUntil(lambda: table.isColumnHidden(model.OPERATOR), timeout=WAIT_MS)
    assert not table.horizontalScrollBar().isVisible()
    shown = [c for c in range(model.COLUMNS) if not table.isColumnHidden(c)]
    assert {model.TIME, model.OUTCOME, model.REASON, model.OVERRIDE} <= set(shown)
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    details = view.log_page.details_label
    assert not details.isVisible()
    row = table.rowViewportPosition(1) + table.rowHeight(1) // 2
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, row))
    operator = model.text(model.entry_at(1), model.OPERATOR)
    assert details.isVisible()
    assert f"Operator: {operator}" in details.text()


def test_an_export_can_be_cancelled_and_leaves_no_file(
    view: SupervisorView,
    store: Store,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    go = threading.Event()
    real = export_module.export_rows

    def held(*args: Any, **kwargs: Any) -> int:
        go.wait(WAIT_MS / 1000)  # the export starts once the test has pressed cancel
        return real(*args, **kwargs)

    monkeypatch.setattr(supervisor_module, "export_rows", held)
    unlock(view, qtbot)
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS) as finished:
        logs = view.log_page
        qtbot.mouseClick(logs.csv_button, Qt.MouseButton.LeftButton)
        assert view.exporting
        assert not logs.export_bar.isHidden() and not logs.cancel_export_button.isHidden()
        assert not logs.csv_button.isEnabled()
        qtbot.mouseClick(logs.cancel_export_button, Qt.MouseButton.LeftButton)
        go.set()
    result, path, rows = finished.args
    assert (result, rows) == ("cancelled", 0)
    assert not Path(path).exists()
    assert list((tmp_path / "exports").iterdir()) == []
    assert logs.csv_button.isEnabled()
    actor, action, detail = audit_actions(store)[-1]
    assert (actor, action, detail["result"]) == ("sup-1", "export", "cancelled")


def test_the_progress_bar_moves_with_the_export(
    view: SupervisorView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "PROGRESS_EVERY", 2)
    unlock(view, qtbot)
    show(view, qtbot, time_range=TimeRange.ALL)
    seen: list[tuple[int, int]] = []
    original = view._on_progress

    def spy(done: int, total: int) -> None:
        seen.append((done, total))
        original(done, total)

    monkeypatch.setattr(view, "_on_progress", spy)
    view._exports.progressed.disconnect()
    view._exports.progressed.connect(spy, Qt.ConnectionType.QueuedConnection)
    export_and_wait(view, qtbot, ExportFormat.XLSX)
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == (17, 17), timeout=WAIT_MS)
    assert [done for done, _ in seen] == [0, 2, 4, 6, 8, 10, 12, 14, 16, 17]


# ------------------------------------------------------------ the audit and locking


def test_the_audit_log_holds_no_personal_data(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    show(view, qtbot, time_range=TimeRange.ALL, fever=True)
    view.log_page.table.selectRow(0)
    with qtbot.waitSignal(view.trail_loaded, timeout=WAIT_MS):
        view.open_trail()
    view._show_log_page()
    export_and_wait(view, qtbot, ExportFormat.CSV)
    export_and_wait(view, qtbot, ExportFormat.XLSX)
    actions = [a for _, a, _ in audit_actions(store)]
    for needed in ("pin_check", "supervisor_open", "log_view", "trail_view", "export"):
        assert needed in actions
    text = audit_text(store)
    assert not [s for s in personal_strings() if s in text]


def test_closing_locks_and_takes_the_rows_off_the_screen(
    view: SupervisorView, store: Store, qtbot: QtBot
) -> None:
    unlock(view, qtbot)
    with qtbot.waitSignal(view.closed):
        qtbot.mouseClick(view.log_page.close_button, Qt.MouseButton.LeftButton)
    assert view.operator_id is None
    assert view.log_page.model.rowCount() == 0
    assert view.pages.currentIndex() == 0
    assert audit_actions(store)[-1] == ("sup-1", "supervisor_close", {})
    view.refresh()  # nothing is read while locked
    assert not view.loading


def test_it_locks_itself_when_left_alone(
    store: Store, gate: AccessGate, clock: FakeClock, qtbot: QtBot, tmp_path: Path
) -> None:
    view = SupervisorView(
        SupervisorSession(store, clock, export_dir=tmp_path), gate, idle_timeout_s=1
    )
    qtbot.addWidget(view)
    with qtbot.waitSignal(gate.roster_loaded, timeout=WAIT_MS):
        view.start()
    unlock(view, qtbot)
    with qtbot.waitSignal(view.closed, timeout=WAIT_MS):
        pass
    assert view.operator_id is None
    view.shutdown()


# ------------------------------------------------------------ pictures


def test_screens_of_the_supervisor_view(
    view: SupervisorView,
    store: Store,
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: Callable[[Language], None],
) -> None:
    fevers = [row for row in everything(store, LogFilter()) if row.fever]
    changed = SaveOverride(fevers[0].record_id, Outcome.PASS, "已复测正常", "sup-1", NOW)
    store.passages.record_override(changed).result(timeout=10)
    view.pages.widget(1).setMinimumSize(1, 1)  # the PIN page: pictured at its own size above
    for language in Language:
        use_language(language)
        view.retranslate(language)
        view.lock()
        save_screen(view, "supervisor_names", language)
        view.names_page.picker.buttons["sup-1"].click()
        for digit in "98":
            view.pad.press(digit)
        save_screen(view, "supervisor_pin", language)
        unlock(view, qtbot)
        show(view, qtbot, time_range=TimeRange.ALL)
        view.log_page.table.selectRow(2)
        save_screen(view, "supervisor_log", language)
        for width, height in ((1024, 600), (800, 1280), (1280, 800)):
            save_screen(view, f"supervisor_log_{width}x{height}", language, (width, height))
        view.log_page.table.selectRow(0)
        with qtbot.waitSignal(view.trail_loaded, timeout=WAIT_MS):
            view.open_trail()
        save_screen(view, "supervisor_trail", language)
        view._show_log_page()
        export_and_wait(view, qtbot, ExportFormat.XLSX)
        save_screen(view, "supervisor_exported", language)


# ------------------------------------------------------------ the area's trail from central
# The duty staff's view of a person's checkpoint records (Hainan 3.1): online, central's
# passages of the code at every checkpoint of the kiosk's area; offline, the kiosk's own.

AREA = TrailAnswer(
    region_code="610124",
    since=NOW,
    entries=[
        TrailEntry(at=NOW, checkpoint_name="西门卡口", outcome="pass", fever=False),
        TrailEntry(
            at=NOW, checkpoint_name="东门", outcome="refer", temperature_celsius=38.2, fever=True
        ),
    ],
)


def _view(
    store: Store, gate: AccessGate, clock: FakeClock, qtbot: QtBot, tmp_path: Path, answer: object
) -> Iterator[SupervisorView]:
    asked: list[tuple[str, bytes]] = []

    def area_trail(issuer: str, code_id: bytes) -> TrailAnswer | None:
        asked.append((issuer, code_id))
        return answer  # type: ignore[return-value]

    session = SupervisorSession(store, clock, export_dir=tmp_path / "x", area_trail=area_trail)
    view = SupervisorView(session, gate)
    view.asked = asked  # type: ignore[attr-defined]
    qtbot.addWidget(view)
    with qtbot.waitSignal(gate.roster_loaded, timeout=WAIT_MS):
        view.start()
    yield view
    view.shutdown()


@pytest.fixture
def online(store: Store, gate: AccessGate, clock: FakeClock, qtbot: QtBot, tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from _view(store, gate, clock, qtbot, tmp_path, AREA)


@pytest.fixture
def offline(store: Store, gate: AccessGate, clock: FakeClock, qtbot: QtBot, tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from _view(store, gate, clock, qtbot, tmp_path, None)


def test_online_the_trail_adds_the_areas_passages_from_central(
    online: SupervisorView, qtbot: QtBot
) -> None:
    unlock(online, qtbot)
    online.log_page.table.selectRow(1)
    chosen = online.log_page.model.row_at(1)
    online.open_trail()
    label = online.trail_page.area_label
    qtbot.waitUntil(lambda: "2" in label.text() and "西门卡口" in label.text(), timeout=WAIT_MS)
    assert "38.2°C" in label.text()
    assert online.asked == [(chosen.issuer, chosen.code_id)]  # type: ignore[attr-defined]


def test_offline_the_kiosks_own_records_stand_and_it_says_so(
    offline: SupervisorView, qtbot: QtBot
) -> None:
    unlock(offline, qtbot)
    offline.log_page.table.selectRow(1)
    with qtbot.waitSignal(offline.trail_loaded, timeout=WAIT_MS):
        offline.open_trail()
    label = offline.trail_page.area_label
    qtbot.waitUntil(lambda: label.text().startswith(("Offline", "离线")), timeout=WAIT_MS)
    assert offline.trail_page.model.rows  # this kiosk's own
