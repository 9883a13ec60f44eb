"""The supervisor's session without Qt, over a real store: the log a page at a time under
filters, a code's trail, exports holding exactly the filtered rows, the settings, and an audit
entry for each with no personal data in it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from healthcode.claims import Colour
from kiosk.app.settings import KioskSettings
from kiosk.checkpoint.events import SaveOverride
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason
from kiosk.sessions.export import ExportCancelledError, ExportFormat, ExportOptions
from kiosk.sessions.supervisor import SupervisorSession, TimeRange
from kiosk.store import LogFilter, Store, StoreKeys
from tests.gui.staff_support import (
    NOW,
    FakeClock,
    audit_actions,
    audit_text,
    fill_log,
    personal_strings,
)
from tests.kiosk.checkpoint_support import ISSUER, passage
from tests.kiosk.test_export import read_csv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as opened:
        fill_log(opened)
        yield opened


@pytest.fixture
def session(store: Store, tmp_path: Path) -> SupervisorSession:
    return SupervisorSession(store, FakeClock(), export_dir=tmp_path / "exports", page_rows=5)


def test_the_log_comes_a_page_at_a_time_with_the_total_and_each_page_is_audited(
    session: SupervisorSession, store: Store
) -> None:
    where = session.log_filter(TimeRange.TODAY)
    pages = session.pages(where)
    first, total = session.first_page(pages)
    seen = list(first)
    while not pages.exhausted:
        seen += session.next_page(pages)
    assert total == 14 and len(first) == 5  # fourteen passages today, three on other days
    assert len(seen) == 14 and len({row.passage.record_id for row in seen}) == 14
    times = [row.passage.at_utc for row in seen]
    assert times == sorted(times, reverse=True)
    session.log_viewed("sup-1", where, page=1, rows=len(first), total=total)
    actor, action, detail = audit_actions(store)[-1]
    assert (actor, action) == ("sup-1", "log_view")
    assert detail == {"filter": {"from": where.from_utc.isoformat()}, "page": 1, "rows": 5,
                      "total": 14}  # fmt: skip


def test_each_row_says_its_deciding_reason_direction_trip_reason_and_override(
    session: SupervisorSession, store: Store
) -> None:
    """The supervisor sees why each passage went as it did and who changed it, without Qt."""
    fever = passage(NOW - timedelta(minutes=2), outcome=Outcome.REFER, fever=True,
                    reasons=("colour_green", "id_matched", "fever"))  # fmt: skip
    rejected = passage(NOW - timedelta(minutes=1), outcome=Outcome.DENY, code_byte=9,
                       reasons=("code_rejected",))  # fmt: skip
    rejected = replace(rejected, rejection="expired")
    for record in (fever, rejected):
        store.passages.record(record).result(timeout=10)
    changed = SaveOverride(fever.record_id, Outcome.PASS, "已复测正常", "sup-1", NOW)
    store.passages.record_override(changed).result(timeout=10)
    rows, _ = session.first_page(session.pages(session.log_filter(TimeRange.TODAY)))
    by_id = {row.passage.record_id: row for row in rows}
    fevered, denied = by_id[fever.record_id], by_id[rejected.record_id]
    assert fevered.deciding_reason is not None and fevered.deciding_reason.zh == "体温异常"
    assert fevered.passage.direction is Direction.IN
    assert fevered.passage.trip_reason is TripReason.RETURN_TO_WORK
    assert fevered.override is not None
    assert (fevered.override.outcome, fevered.override.operator_id) == (Outcome.PASS, "sup-1")
    assert fevered.override.reason == "已复测正常"
    assert denied.deciding_reason is not None and "过期" in denied.deciding_reason.zh
    assert denied.override is None
    trail = session.trail(ISSUER, b"\x01" * 16, NOW)
    assert [row.override for row in trail if row.passage.record_id == fever.record_id] == [
        fevered.override
    ]


def test_filters_narrow_the_log(session: SupervisorSession) -> None:
    everything = session.first_page(session.pages(session.log_filter(TimeRange.ALL)))[1]
    red = session.log_filter(TimeRange.ALL, colour=Colour.RED)
    rows, total = session.first_page(session.pages(red))
    assert everything == 17
    assert total == 3 and {row.passage.colour_applied for row in rows} == {Colour.RED}


def test_a_trail_holds_the_code_s_last_14_days_and_its_audit_names_no_code(
    session: SupervisorSession, store: Store
) -> None:
    rows = session.trail(ISSUER, b"\x01" * 16, NOW)
    assert len(rows) == 4 + 2  # today's four, and one and three days ago (not 20)
    assert all(NOW - row.passage.at_utc < timedelta(days=14) for row in rows)
    session.trail_viewed("sup-1", rows[0].passage.seq, len(rows))
    assert audit_actions(store)[-1] == ("sup-1", "trail_view", {"passage_seq": rows[0].passage.seq,
                                                                  "rows": 6})  # fmt: skip
    assert not [s for s in personal_strings() if s in audit_text(store)]


def test_an_export_holds_every_filtered_row_and_is_audited(
    session: SupervisorSession, store: Store
) -> None:
    where = session.log_filter(TimeRange.ALL, fever=True)
    job = session.new_export(ExportFormat.CSV, where, "sup-1")
    seen: list[tuple[int, int]] = []
    rows = session.run_export(job, ExportOptions(language="en"), lambda d, t: seen.append((d, t)))
    session.export_ended(job, "done", rows)
    assert job.path.parent == session.export_dir and job.path.suffix == ".csv"
    assert rows == store.passages.log_count(where) == len(read_csv(job.path)) - 1
    assert seen[-1] == (rows, rows)
    actor, action, detail = audit_actions(store)[-1]
    assert (actor, action, detail["rows"], detail["result"]) == ("sup-1", "export", rows, "done")
    assert detail["filter"] == {"from": where.from_utc.isoformat(), "fever": True}
    assert not [s for s in personal_strings() if s in audit_text(store)]


def test_a_cancelled_export_leaves_no_file(session: SupervisorSession) -> None:
    job = session.new_export(ExportFormat.XLSX, LogFilter(), "sup-1")
    job.cancel.set()
    with pytest.raises(ExportCancelledError):
        session.run_export(job, ExportOptions())
    assert not job.path.exists()


def test_settings_are_kept_and_their_change_audited(
    session: SupervisorSession, store: Store
) -> None:
    assert session.settings() == KioskSettings()
    chosen = KioskSettings(muted=True, voice=False, result_seconds=2.5)
    session.save_settings("sup-1", chosen)
    assert audit_actions(store)[-1] == (  # after every queued write
        "sup-1",
        "settings_change",
        {"muted": True, "voice": False, "result_seconds": 2.5},
    )
    assert session.settings() == chosen
