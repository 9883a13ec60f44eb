"""Issue 28: an idle kiosk's round is one signed request; what changed, and only that, is
fetched; an older central without the sync route is polled copy by copy, as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from central.core.settings import Settings
from kiosk.client.download import FEED_REFRESH, SYNC_ROUTE_PROBE_ROUNDS
from kiosk.client.worker import SyncWorker
from sync.distribution import FEED_PATH, POLICY_PATH, ROSTER_PATH, SYNC_PATH, TRUST_LIST_PATH
from tests.central.conftest import Central, FakeClock, start_central
from tests.sync.download_world import KioskWorld, kiosk_world


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock())


@pytest.fixture
def world(central: Central, tmp_path: Path) -> KioskWorld:
    return kiosk_world(central, tmp_path / "kiosk")


def _round(world: KioskWorld, worker: SyncWorker) -> list[str]:
    world.wiretap.paths.clear()
    world.central.clock.advance(seconds=60)
    worker.run_once()
    return list(world.wiretap.paths)


def test_an_idle_kiosk_makes_one_request_per_round(world: KioskWorld) -> None:
    worker = SyncWorker(world.downloader, clock=world.central.clock)
    first = _round(world, worker)
    assert first[0] == SYNC_PATH and FEED_PATH in first[1:]  # the empty copy takes the feed
    assert _round(world, worker) == [SYNC_PATH]
    assert _round(world, worker) == [SYNC_PATH]
    assert worker.status().online is True


def test_a_changed_copy_is_fetched_and_only_that_one(world: KioskWorld) -> None:
    worker = SyncWorker(world.downloader, clock=world.central.clock)
    _round(world, worker)
    world.add_changes(3)
    assert _round(world, worker) == [SYNC_PATH, FEED_PATH]
    assert world.copies.feed.last_sequence == 3


def test_an_unchanged_feed_is_fetched_again_once_its_signed_time_is_too_old(
    world: KioskWorld,
) -> None:
    worker = SyncWorker(world.downloader, clock=world.central.clock)
    _round(world, worker)
    signed_at = world.copies.feed.as_of_utc
    assert signed_at is not None
    world.central.clock.advance(seconds=FEED_REFRESH.total_seconds())
    assert _round(world, worker) == [SYNC_PATH, FEED_PATH]
    assert world.copies.feed.as_of_utc is not None
    assert world.copies.feed.as_of_utc - signed_at > FEED_REFRESH


def test_a_central_without_the_sync_route_is_polled_copy_by_copy_and_asked_again_later(
    world: KioskWorld,
) -> None:
    def older_central(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == SYNC_PATH:
            return httpx.Response(404, json={"detail": "Not Found"})
        return response

    world.wiretap.rewrite = older_central
    worker = SyncWorker(world.downloader, clock=world.central.clock)
    assert _round(world, worker)[0] == SYNC_PATH
    every_copy = [TRUST_LIST_PATH, FEED_PATH, POLICY_PATH, ROSTER_PATH]
    rounds = [_round(world, worker) for _ in range(SYNC_ROUTE_PROBE_ROUNDS - 1)]
    print(f"{len(rounds)} rounds without asking for the sync route")
    assert all(paths == every_copy for paths in rounds)
    assert worker.status().online is True
    assert _round(world, worker)[0] == SYNC_PATH  # asked again: central may be upgraded


def test_the_sync_answer_tells_centrals_time_like_the_heartbeat_did(world: KioskWorld) -> None:
    heard: list[object] = []
    worker = SyncWorker(
        world.downloader,
        clock=world.central.clock,
        on_server_time=lambda server, _at: heard.append(server),
    )
    paths = _round(world, worker)
    assert heard == [world.central.clock()]
    assert paths[0] == SYNC_PATH and "heartbeat" not in " ".join(paths)
