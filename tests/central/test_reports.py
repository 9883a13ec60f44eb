"""The daily push for the upper platform: its fixed CSV format and its schedule (issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from central.cli import main
from central.db import session_scope
from central.ingest import record_cipher
from central.reports import next_push_at, previous_day, push_daily
from tests.central.areas import audit_count, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.received import add_checkpoint_and_kiosk, add_passage

EXPECTED = Path(__file__).parent / "data" / "push-daily-2026-11-22.csv"
DAY = date(2026, 11, 22)
SHANGHAI_MIDNIGHT = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)  # 2026-11-22 00:00 local


def _a_day_of_passages(central: Central) -> None:
    add_checkpoint_and_kiosk(central, "cp-east", "k-east", region="610102", name="东关社区北门")
    add_checkpoint_and_kiosk(central, "cp-south", "k-south", region="610113", name="=HYPERLINK()")
    at = SHANGHAI_MIDNIGHT
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000002",
        "k-south",
        "cp-south",
        at + timedelta(hours=9, minutes=30),
        region="610113",
        masked_name="+李*",
        fever=True,
        temperature_celsius=38.04,
        outcome="refer",
        direction="in",
        colour_applied="yellow",
    )
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000001",
        "k-east",
        "cp-east",
        at + timedelta(hours=8),
        region="610102",
        trip_reason="work",
    )
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000003",
        "k-east",
        "cp-east",
        at,
        region="610102",
        masked_name=None,
        id_masked=None,
        temperature_celsius=None,
        clock_trusted=False,
        direction="out",
    )
    # Outside the local day on either side: not in the file.
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000009",
        "k-east",
        "cp-east",
        at - timedelta(seconds=1),
        region="610102",
    )
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000010",
        "k-east",
        "cp-east",
        at + timedelta(days=1),
        region="610102",
    )


def test_the_daily_push_file_matches_the_fixed_format_byte_for_byte(
    central: Central, tmp_path: Path
) -> None:
    _a_day_of_passages(central)
    cipher = record_cipher(central.settings.resolved_keys_dir)
    with session_scope(central.app.state.sessions) as session:
        path, count = push_daily(session, cipher, DAY, tmp_path / "out")
    assert path == tmp_path / "out" / "passages-2026-11-22.csv"
    assert count == 3
    assert path.read_bytes() == EXPECTED.read_bytes()
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_the_push_command_writes_the_days_file_and_prints_only_its_count(
    central: Central,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _a_day_of_passages(central)
    monkeypatch.setenv("CENTRAL_DATABASE_URL", central.settings.resolved_database_url)
    data_dir = central.settings.data_dir
    out = tmp_path / "push"
    argv = ["--data-dir", str(data_dir), "reports", "push-daily", "--day", "2026-11-22"]
    assert main([*argv, "--out", str(out)]) == 0
    assert (out / "passages-2026-11-22.csv").read_bytes() == EXPECTED.read_bytes()
    printed = capsys.readouterr().out
    assert "3 records of 2026-11-22" in printed
    assert "李" not in printed and "6101" not in printed


def test_the_daily_route_gives_a_county_its_own_checkpoints_only_and_audits_the_export(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    yanta = region_admin(central, xian.headers, "yanta", "610113")
    _a_day_of_passages(central)
    before = audit_count(central)
    answer = central.client.get("/api/v1/reports/daily?day=2026-11-22", headers=yanta.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="passages-2026-11-22.csv"' in answer.headers["content-disposition"]
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("00000000-0000-4000-8000-000000000002,")
    assert "cp-east" not in answer.text
    assert audit_count(central) == before + 1


def test_the_next_push_is_ten_oclock_shanghai_today_before_ten_and_tomorrow_after() -> None:
    shanghai = "Asia/Shanghai"
    early = datetime(2026, 11, 23, 1, 59, tzinfo=UTC)  # 09:59 local
    assert next_push_at(early, shanghai) == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    on_time = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 local: this push is under way
    assert next_push_at(on_time, shanghai) == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    late_evening = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 01:00 local on the 24th
    assert next_push_at(late_evening, shanghai) == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert str(next_push_at(early, shanghai).tzinfo) == shanghai


def test_the_push_time_and_time_zone_can_be_changed() -> None:
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert next_push_at(now, "UTC", time(6, 30)) == datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    assert next_push_at(now, "UTC", time(7, 30)) == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


def test_a_daylight_saving_change_keeps_the_push_at_the_local_wall_clock_time() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday in Berlin, CET
    pushed = next_push_at(before_change, "Europe/Berlin")
    assert pushed == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST on the Sunday


def test_the_push_reports_the_previous_local_day() -> None:
    assert previous_day(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == date(2026, 11, 22)
    # 23:30 UTC on the 22nd is already 07:30 on the 23rd in Shanghai.
    assert previous_day(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == date(2026, 11, 22)
