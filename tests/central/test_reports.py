"""The daily push for the upper platform: its fixed CSV format and its schedule (issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from central.cli import main
from central.core.cipher import record_cipher
from central.core.db import session_scope
from central.core.models import PushDelivery
from central.jobs import ReportWork, run_once
from central.reports.daily import next_push_at, previous_day, push_daily
from tests.central.areas import audit_count, load_sample_regions, region_admin
from tests.central.conftest import Central, FakeClock
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


# ---------------------------------------------------------------- weekly usage statistics


WEEK_47_TUESDAY = SHANGHAI_MIDNIGHT - timedelta(days=4)  # 2026-11-18 00:00 local, in W47


def _a_week_of_passages(central: Central) -> None:
    _a_day_of_passages(central)  # Sunday 2026-11-22, the last day of W47
    add_checkpoint_and_kiosk(central, "cp-west", "k-west", region="610102", name="西门")
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000020",
        "k-west",
        "cp-west",
        WEEK_47_TUESDAY + timedelta(hours=7),
        region="610102",
        code_ix=b"d" * 16,
        outcome="deny",
        colour_applied="red",
    )
    add_passage(  # Monday of W48: not in W47
        central,
        "00000000-0000-4000-8000-000000000021",
        "k-west",
        "cp-west",
        SHANGHAI_MIDNIGHT + timedelta(days=1, hours=1),
        region="610102",
    )


def test_the_weekly_statistics_count_per_area_and_checkpoint_against_the_reference(
    central: Central,
) -> None:
    _a_week_of_passages(central)
    answer = central.get("/api/v1/reports/weekly?week=2026-W47")
    assert answer.status_code == 200, answer.text
    assert 'filename="usage-2026-W47.csv"' in answer.headers["content-disposition"]
    assert answer.content == (EXPECTED.parent / "usage-2026-W47.csv").read_bytes()


def test_the_weekly_push_command_writes_the_weeks_file_and_refuses_a_bad_week(
    central: Central,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _a_week_of_passages(central)
    monkeypatch.setenv("CENTRAL_DATABASE_URL", central.settings.resolved_database_url)
    out = tmp_path / "push"
    argv = ["--data-dir", str(central.settings.data_dir), "reports", "push-weekly"]
    assert main([*argv, "--week", "2026-W47", "--out", str(out)]) == 0
    written = (out / "usage-2026-W47.csv").read_bytes()
    assert written == (EXPECTED.parent / "usage-2026-W47.csv").read_bytes()
    assert "rows of 2026-W47" in capsys.readouterr().out
    assert main([*argv, "--week", "2026-W54", "--out", str(tmp_path / "bad")]) == 2
    assert "has no week 54" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_the_weekly_statistics_are_scoped_audited_and_refuse_a_bad_week(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    yanta = region_admin(central, xian.headers, "yanta", "610113")
    _a_week_of_passages(central)
    before = audit_count(central)
    answer = central.client.get("/api/v1/reports/weekly?week=2026-W47", headers=yanta.headers)
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[2] for line in lines[1:]] == ["610113", "610113"]
    assert audit_count(central) == before + 1
    for bad in ("2026-47", "2026-W54", "2025-W53"):
        refused = central.get(f"/api/v1/reports/weekly?week={bad}")
        assert refused.status_code == 422, bad
        assert "YYYY-Www" in refused.text or "has no week" in refused.text


# ---------------------------------------------------------------- the scheduled push


UPPER = "https://upper.example.cn/healthcode/push"


def _runner(
    central: Central, tmp_path: Path, client: httpx.Client | None = None, **settings: object
) -> tuple[ReportWork, list[float]]:
    changed = central.settings.model_copy(update={"push_dir": tmp_path / "push"} | settings)
    pauses: list[float] = []
    return ReportWork(changed, client, pauses.append), pauses


def test_the_push_runs_on_its_own_once_at_ten_and_a_second_runner_does_nothing(
    central: Central, tmp_path: Path
) -> None:
    _a_week_of_passages(central)
    sessions = central.app.state.sessions
    work, _ = _runner(central, tmp_path)
    clock = FakeClock(datetime(2026, 11, 23, 1, 59, tzinfo=UTC))  # Monday 09:59 local
    assert run_once(sessions, clock, owner="a", reports=work).pushes == ()
    assert not (tmp_path / "push").exists()
    clock.advance(minutes=1)  # 10:00
    made = run_once(sessions, clock, owner="a", reports=work)
    assert made.pushes == (
        "daily:2026-11-22",
        "codes:2026-11-22",
        "scenes:2026-11-22",
        "weekly:2026-W47",
    )
    assert (tmp_path / "push" / "passages-2026-11-22.csv").read_bytes() == EXPECTED.read_bytes()
    weekly = (tmp_path / "push" / "usage-2026-W47.csv").read_bytes()
    assert weekly == (EXPECTED.parent / "usage-2026-W47.csv").read_bytes()
    other = run_once(sessions, clock, owner="b", reports=work)
    assert other.ran and other.pushes == ()
    clock.advance(hours=5)
    assert run_once(sessions, clock, owner="b", reports=work).pushes == ()
    clock.advance(hours=19)  # Tuesday 10:00: the daily push only
    tuesday = run_once(sessions, clock, owner="b", reports=work).pushes
    assert tuesday == ("daily:2026-11-23", "codes:2026-11-23", "scenes:2026-11-23")


def test_a_failing_upper_platform_is_retried_until_it_accepts_and_never_sent_twice(
    central: Central, tmp_path: Path
) -> None:
    _a_day_of_passages(central)
    received: list[httpx.Request] = []
    up = {"value": False}

    def platform(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200 if up["value"] else 503)

    client = httpx.Client(transport=httpx.MockTransport(platform))
    work, pauses = _runner(central, tmp_path, client, push_url=UPPER, push_attempts=3)
    sessions = central.app.state.sessions
    clock = FakeClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))  # Tuesday 10:00 local
    first = run_once(sessions, clock, owner="a", reports=work)
    assert first.pushes == (
        "daily:2026-11-23",
        "codes:2026-11-23",
        "scenes:2026-11-23",
        "weekly:2026-W47",
    )
    assert first.delivered == () and set(first.failed) == set(first.pushes)
    assert len(received) == 12 and pauses == [1.0, 2.0] * 4  # backoff between tries
    with session_scope(sessions) as session:
        rows = session.scalars(select(PushDelivery).order_by(PushDelivery.kind)).all()
        assert [(r.attempts, r.last_error, r.delivered_at) for r in rows] == [
            (3, "HTTP 503", None),
            (3, "HTTP 503", None),
            (3, "HTTP 503", None),
            (3, "HTTP 503", None),
        ]
    up["value"] = True
    clock.advance(minutes=1)
    second = run_once(sessions, clock, owner="b", reports=work)
    assert second.pushes == ()
    assert set(second.delivered) == set(first.pushes)
    accepted = {r.headers["Idempotency-Key"]: r for r in received[-4:]}
    assert set(accepted) == set(second.delivered)
    assert (
        accepted["daily:2026-11-23"].content
        == (tmp_path / "push" / "passages-2026-11-23.csv").read_bytes()
    )
    clock.advance(minutes=1)
    assert run_once(sessions, clock, owner="a", reports=work).delivered == ()
    assert len(received) == 16


def test_a_push_file_removed_before_delivery_is_made_again_and_delivered(
    central: Central, tmp_path: Path
) -> None:
    _a_day_of_passages(central)
    received: list[bytes] = []

    def platform(request: httpx.Request) -> httpx.Response:
        daily = request.headers["X-Push-Kind"] == "daily"
        if daily:
            received.append(request.content)
        return httpx.Response(503 if daily and len(received) == 1 else 204)

    client = httpx.Client(transport=httpx.MockTransport(platform))
    work, _ = _runner(central, tmp_path, client, push_url=UPPER, push_attempts=1)
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    sessions = central.app.state.sessions
    first = run_once(sessions, clock, owner="a", reports=work)
    assert first.failed == ("daily:2026-11-22",)
    assert set(first.delivered) == {"codes:2026-11-22", "scenes:2026-11-22", "weekly:2026-W47"}
    (tmp_path / "push" / "passages-2026-11-22.csv").unlink()
    again = run_once(sessions, clock, owner="a", reports=work)
    assert again.delivered == ("daily:2026-11-22",)
    assert received[-1] == EXPECTED.read_bytes()


def test_without_an_upper_platform_the_folder_is_the_delivery(
    central: Central, tmp_path: Path
) -> None:
    work, _ = _runner(central, tmp_path)
    clock = FakeClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    result = run_once(central.app.state.sessions, clock, owner="a", reports=work)
    assert result.delivered == () and result.failed == ()
    with session_scope(central.app.state.sessions) as session:
        assert all(r.delivered_at == clock() for r in session.scalars(select(PushDelivery)))
    header = (tmp_path / "push" / "passages-2026-11-23.csv").read_bytes().splitlines()
    assert len(header) == 1  # a day without passages is still pushed: the header alone
