"""Where the kiosk's trusted time comes from while it runs: central's time heard by the sync
thread, and the verified copies and codes that prove the time is at least theirs."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from healthcode.feed import BatchKind, FeedBatch, FeedCopy
from healthcode.results import VerifiedCode
from kiosk.app.demo import DemoWorld
from kiosk.app.startup import KioskSetup
from kiosk.checkpoint.outcome import Outcome
from tests.kiosk.app.app_support import AppHarness

THREE_HOURS = timedelta(hours=3)


def test_a_wall_clock_three_hours_slow_gives_way_to_centrals_time_once_heard(
    tmp_path: Path, world: DemoWorld
) -> None:
    harness = AppHarness(tmp_path, world, wall_clock=lambda: datetime.now(UTC) - THREE_HOURS)
    app = harness.app
    try:
        central_now = datetime.now(UTC)
        sync = threading.Thread(target=app.server_time_heard, args=(central_now, app.monotonic()))
        sync.start()
        sync.join(5)
        assert harness.run_until(lambda: app.clock.reference is not None)
        reading = app.clock_reading()
        assert not reading.trusted  # the status bar says the box's time is wrong
        assert abs(reading.now_utc - datetime.now(UTC)) < timedelta(seconds=30)

        green = world.case("green")
        app.driver.submit_code_text(green.text)
        app.driver.submit_manual_temperature(36.5)
        assert harness.run_until(lambda: bool(harness.screens.results))
        assert harness.screens.results[0].outcome is Outcome.PASS
        verified = app.checker.verify(green.text, reading.now_utc)
        assert isinstance(verified, VerifiedCode)
        passed_at = app.store.passages.last_at(verified.claims.issuer, verified.claims.code_id)
        assert passed_at is not None
        assert abs(passed_at - datetime.now(UTC)) < timedelta(seconds=30)  # not three hours ago
    finally:
        harness.stop()


def test_a_verified_code_issued_after_the_wall_clock_keeps_time_from_going_back_before_it(
    tmp_path: Path, world: DemoWorld
) -> None:
    text = world.case("green").text
    issued_at = datetime.now(UTC)

    def a_fresh_box(setup: KioskSetup) -> None:
        # nothing newer known than a two-day-old trust list: no feed copy, no stored floor
        assert setup.trust_list is not None
        setup.trust_list = replace(setup.trust_list, issued_at_utc=issued_at - timedelta(days=2))
        setup.feed = FeedCopy()

    for folder in ("probe", "kiosk"):
        (tmp_path / folder).mkdir()
    first = AppHarness(tmp_path / "probe", world, tweak=a_fresh_box, start=False)
    verified = first.app.checker.verify(text, datetime.now(UTC))
    first.stop()
    assert isinstance(verified, VerifiedCode)
    issued_at = verified.claims.issued_at_utc
    # four minutes behind the code: within the codes' tolerance, past the clock's
    slow = issued_at - timedelta(minutes=4)
    harness = AppHarness(tmp_path / "kiosk", world, wall_clock=lambda: slow, tweak=a_fresh_box)
    app = harness.app
    try:
        assert app.clock_reading().trusted  # nothing known yet says the wall clock is wrong
        assert isinstance(app.checker.verify(text, app.trusted_now()), VerifiedCode)
        reading = app.clock_reading()
        assert not reading.trusted and reading.now_utc == issued_at
    finally:
        harness.stop()


def test_a_newer_status_feed_swapped_in_raises_the_floor_at_once(
    tmp_path: Path, world: DemoWorld
) -> None:
    harness = AppHarness(tmp_path, world)
    app = harness.app
    try:
        later = datetime.now(UTC) + timedelta(minutes=10)
        feed = FeedCopy()
        issuer = world.trust_list.issuers[0].region_code
        feed.apply(FeedBatch(BatchKind.SNAPSHOT, issuer, 0, 0, later, ()))
        app.trust.swap_feed(feed)
        assert app.clock.floor_utc == feed.as_of_utc
        assert app.trusted_now() >= later  # a wall clock ten minutes behind is not used
    finally:
        harness.stop()
