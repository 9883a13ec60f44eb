"""Alerts: fevers today, shared screenshots, silent kiosks and stale feeds (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from central.reports.alerts import (
    AlertKind,
    FeverRow,
    KioskHealth,
    Sighting,
    fevers_today,
    kiosk_alerts,
    shared_screenshots,
)
from tests.central.areas import audit_count, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.received import add_checkpoint_and_kiosk, add_passage

NOON = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
CODE = b"a" * 16
OTHER = b"b" * 16


def _seen(
    passage_id: str,
    checkpoint: str,
    county: str,
    minutes: float,
    *,
    code: bytes = CODE,
    direction: str | None = None,
    outcome: str = "pass",
) -> Sighting:
    at = NOON + timedelta(minutes=minutes)
    return Sighting(passage_id, code, checkpoint, county, at, direction, outcome)


def test_fevers_are_counted_per_area_for_the_local_day_only() -> None:
    rows = [
        FeverRow("610102", NOON),
        FeverRow("610102", NOON - timedelta(hours=3)),
        FeverRow("610113", NOON - timedelta(hours=11, minutes=59)),  # 00:01 local today
        FeverRow("610113", NOON - timedelta(hours=12, minutes=1)),  # 23:59 local yesterday
    ]
    assert fevers_today(rows, NOON) == {"610102": 2, "610113": 1}


def test_the_same_code_in_two_counties_within_the_travel_time_is_impossible_travel() -> None:
    alerts = shared_screenshots(
        [_seen("p1", "cp-a", "610102", 0), _seen("p2", "cp-b", "610113", 9)], travel_minutes=10
    )
    assert [(a.kind, a.first_passage_id, a.second_passage_id) for a in alerts] == [
        (AlertKind.IMPOSSIBLE_TRAVEL, "p1", "p2")
    ]
    assert alerts[0].first_checkpoint_id == "cp-a"
    assert alerts[0].second_checkpoint_id == "cp-b"


def test_two_counties_far_enough_apart_in_time_raise_no_alert() -> None:
    sightings = [_seen("p1", "cp-a", "610102", 0), _seen("p2", "cp-b", "610113", 10)]
    assert shared_screenshots(sightings, travel_minutes=10) == []


def test_two_checkpoints_in_the_same_county_are_close_enough_to_travel_between() -> None:
    sightings = [_seen("p1", "cp-a", "610102", 0), _seen("p2", "cp-b", "610102", 1)]
    assert shared_screenshots(sightings) == []


def test_different_codes_and_refused_passages_are_not_compared() -> None:
    sightings = [
        _seen("p1", "cp-a", "610102", 0),
        _seen("p2", "cp-b", "610113", 1, code=OTHER),
        _seen("p3", "cp-c", "610113", 2, outcome="deny"),
    ]
    assert shared_screenshots(sightings) == []


def test_entering_twice_without_leaving_is_a_shared_screenshot() -> None:
    sightings = [
        _seen("p2", "cp-a", "610102", 30, direction="in"),
        _seen("p1", "cp-a", "610102", 0, direction="in"),
    ]
    alerts = shared_screenshots(sightings)
    assert [(a.kind, a.first_passage_id, a.second_passage_id) for a in alerts] == [
        (AlertKind.ENTERED_TWICE, "p1", "p2")
    ]


def test_leaving_between_two_entries_or_a_long_gap_raises_no_alert() -> None:
    in_out_in = [
        _seen("p1", "cp-a", "610102", 0, direction="in"),
        _seen("p2", "cp-a", "610102", 10, direction="out"),
        _seen("p3", "cp-a", "610102", 20, direction="in"),
    ]
    assert shared_screenshots(in_out_in) == []
    a_day_apart = [
        _seen("p1", "cp-a", "610102", 0, direction="in"),
        _seen("p2", "cp-a", "610102", 24 * 60, direction="in"),
    ]
    assert shared_screenshots(a_day_apart, reentry_window=timedelta(hours=12)) == []


def test_entries_at_two_different_checkpoints_are_not_entering_twice() -> None:
    sightings = [
        _seen("p1", "cp-a", "610102", 0, direction="in"),
        _seen("p2", "cp-b", "610102", 30, direction="in"),
    ]
    assert shared_screenshots(sightings) == []


def test_a_kiosk_not_heard_from_or_with_an_old_feed_raises_an_alert() -> None:
    kiosks = [
        KioskHealth("k-quiet", "cp-a", NOON - timedelta(hours=2), NOON - timedelta(days=9), 60),
        KioskHealth("k-fine", "cp-a", NOON - timedelta(minutes=5), NOON - timedelta(days=9), 60),
        KioskHealth("k-stale", "cp-b", NOON, NOON - timedelta(days=9), 25 * 3600),
        KioskHealth("k-never", "cp-c", None, NOON - timedelta(hours=3), None),
        KioskHealth("k-new", "cp-c", None, NOON - timedelta(minutes=3), None),
    ]
    alerts = kiosk_alerts(kiosks, NOON, silent_after=timedelta(hours=1), max_feed_age_s=86400)
    assert [(a.kind, a.kiosk_id) for a in alerts] == [
        (AlertKind.KIOSK_SILENT, "k-quiet"),
        (AlertKind.STALE_FEED, "k-stale"),
        (AlertKind.KIOSK_SILENT, "k-never"),
    ]


def _two_counties(central: Central) -> None:
    central.clock.now = NOON - timedelta(hours=1)
    add_checkpoint_and_kiosk(
        central,
        "cp-xincheng",
        "k-xincheng",
        region="610102",
        name="东关",
        last_seen_at=NOON + timedelta(minutes=80),
    )
    add_checkpoint_and_kiosk(
        central, "cp-yanta", "k-yanta", region="610113", name="长延堡", feed_age_s=3 * 86400
    )
    central.clock.now = NOON
    add_passage(central, "p-1", "k-xincheng", "cp-xincheng", NOON, region="610102")
    add_passage(central, "p-2", "k-yanta", "cp-yanta", NOON + timedelta(minutes=4), region="610113")
    add_passage(
        central, "p-3", "k-yanta", "cp-yanta", NOON, region="610113", fever=True, code_ix=OTHER
    )
    central.clock.now = NOON + timedelta(minutes=90)


def test_the_alerts_route_shows_the_province_a_shared_screenshot_and_audits_the_read(
    central: Central,
) -> None:
    _two_counties(central)
    before = audit_count(central)
    answer = central.get("/api/v1/alerts")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["fevers_today"] == {"610113": 1}
    assert [
        (a["kind"], a["first_passage_id"], a["second_passage_id"])
        for a in body["shared_screenshots"]
    ] == [("impossible_travel", "p-1", "p-2")]
    assert [(a["kind"], a["kiosk_id"]) for a in body["kiosks"]] == [
        ("kiosk_silent", "k-yanta"),
        ("stale_feed", "k-yanta"),
    ]
    assert CODE.hex() not in answer.text and "cccc" not in answer.text
    assert audit_count(central) == before + 1


def test_a_county_sees_only_the_alerts_of_its_own_checkpoints(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    _two_counties(central)
    body = central.client.get("/api/v1/alerts", headers=xincheng.headers).json()
    assert body["fevers_today"] == {}
    assert body["shared_screenshots"] == []
    assert body["kiosks"] == []
    assert "cp-yanta" not in str(body) and "k-yanta" not in str(body)
