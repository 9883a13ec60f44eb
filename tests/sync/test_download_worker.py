"""The sync thread's rounds: status for the status bar, back-off after failures, a prompt stop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tenacity

from central.core.settings import Settings
from kiosk.client.worker import SyncWorker
from tests.central.conftest import Central, FakeClock, start_central
from tests.sync.download_world import KioskWorld, kiosk_world, replaced


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        feed_snapshot_coalesce_s=0,  # a snapshot file whenever the head moved (issue 28)
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock())


@pytest.fixture
def world(central: Central, tmp_path: Path) -> KioskWorld:
    return kiosk_world(central, tmp_path / "kiosk")


def test_a_round_that_reaches_central_reports_online_and_waits_the_interval(
    world: KioskWorld,
) -> None:
    worker = SyncWorker(world.downloader, interval_s=60, clock=world.central.clock)
    assert worker.status().online is None
    world.add_changes(2)
    assert worker.run_once() == 60
    status = worker.status()
    assert status.online is True and status.last_sync_utc == world.central.clock()
    assert status.refusal is None and world.copies.feed.last_sequence == 2


def test_failed_rounds_back_off_longer_each_time_and_keep_the_last_sync(
    world: KioskWorld,
) -> None:
    worker = SyncWorker(
        world.downloader,
        interval_s=60,
        wait=tenacity.wait_exponential(multiplier=1, max=120),
        clock=world.central.clock,
    )
    worker.run_once()
    synced = worker.status().last_sync_utc
    world.wiretap.down = True
    waits = [worker.run_once() for _ in range(4)]
    assert waits == sorted(waits) and waits[0] < waits[-1]
    status = worker.status()
    assert status.online is False and status.last_sync_utc == synced
    assert status.error is not None and "network" in status.error
    world.wiretap.down = False
    assert worker.run_once() == 60 and worker.status().online is True


def test_a_refused_download_shows_in_the_status_until_a_clean_round(world: KioskWorld) -> None:
    worker = SyncWorker(world.downloader, clock=world.central.clock)
    worker.run_once()
    world.add_changes(1)
    world.wiretap.rewrite = lambda request, response: (
        replaced(response, b"\xa0") if request.url.path.endswith("/feed") else response
    )
    worker.run_once()
    refusal = worker.status().refusal
    assert refusal is not None and refusal.reason == "damaged"
    world.wiretap.rewrite = None
    worker.run_once()
    assert worker.status().refusal is None


def test_the_thread_stops_promptly(world: KioskWorld) -> None:
    worker = SyncWorker(world.downloader, interval_s=3600)
    worker.start()
    assert worker.stop(timeout_s=10)


class Ticks:
    """A monotonic clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        self.now_s += 1.0
        return self.now_s


def test_each_round_hears_centrals_time_stamped_at_the_middle_of_the_round_trip(
    world: KioskWorld,
) -> None:
    heard: list[tuple[object, float]] = []
    worker = SyncWorker(
        world.downloader,
        clock=world.central.clock,
        on_server_time=lambda server, at_s: heard.append((server, at_s)),
        monotonic=Ticks(),
    )
    worker.run_once()
    assert heard == [(world.central.clock(), 101.5)]  # sent at 101 s, answered at 102 s
    assert worker.status().online is True


def test_an_unreachable_central_tells_no_time_and_the_round_still_reports_the_failure(
    world: KioskWorld,
) -> None:
    heard: list[object] = []
    worker = SyncWorker(
        world.downloader, clock=world.central.clock, on_server_time=lambda *a: heard.append(a)
    )
    world.wiretap.down = True
    worker.run_once()
    assert heard == []
    status = worker.status()
    assert status.online is False and status.error is not None and "network" in status.error
