"""A kiosk fetches the feed snapshot as a file (issue 28): streamed to disk, resumed after a
dropped connection, verified, applied all or nothing; an older central still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from central.core.settings import Settings
from central.issuance.feed_files import DELTAS_FOLDER, newest_snapshot
from kiosk.client.download import Item, Outcome
from sync.distribution import FEED_PATH, FEED_SNAPSHOT_FILE_PATH, FEED_SNAPSHOT_PATH
from tests.central.conftest import Central, FakeClock, start_central
from tests.sync.download_world import KioskWorld, kiosk_world, replaced


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        feed_snapshot_coalesce_s=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock())


@pytest.fixture
def world(central: Central, tmp_path: Path) -> KioskWorld:
    return kiosk_world(central, tmp_path / "kiosk", page=4)


class DroppedAfter(httpx.SyncByteStream):
    """A body that stops after `cut` bytes, as a connection dropped mid-download."""

    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut = data, cut

    def __iter__(self) -> Iterator[bytes]:
        yield self.data[: self.cut]
        raise httpx.ReadError("the connection dropped")


def test_a_dropped_snapshot_download_resumes_with_range_and_is_applied(
    world: KioskWorld,
) -> None:
    codes = world.add_changes(300)
    ranges: list[str | None] = []

    def drop_the_first(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path != FEED_SNAPSHOT_FILE_PATH:
            return response
        ranges.append(request.headers.get("range"))
        if len(ranges) > 1:
            return response
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        cut = len(response.content) // 2
        return httpx.Response(200, headers=headers, stream=DroppedAfter(response.content, cut))

    world.wiretap.rewrite = drop_the_first
    report = world.downloader.download()
    assert report.outcomes[Item.FEED] is Outcome.ACCEPTED and report.snapshots == 1
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    statuses = [
        status
        for path, status in zip(world.wiretap.paths, world.wiretap.statuses, strict=True)
        if path == FEED_SNAPSHOT_FILE_PATH
    ]
    assert statuses == [200, 206]  # the second answer sent only the rest
    issuer = world.keydir.issuer.region_code
    assert world.copies.feed.last_sequence == 300
    assert all(world.copies.feed.latest(issuer, code) is not None for code in codes)
    assert world.sink.refusals == []
    assert list(world.downloader.work_dir.iterdir()) == []  # nothing left behind


def test_a_snapshot_file_damaged_in_its_body_is_refused_and_the_old_copy_kept(
    world: KioskWorld,
) -> None:
    world.add_changes(2)
    world.downloader.download()
    kept = world.copies.feed
    world.central.app.state.snapshot_when_behind = 1
    world.add_changes(50)

    def flip_in_the_middle(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == FEED_SNAPSHOT_FILE_PATH:
            body = bytearray(response.content)
            body[len(body) // 2] ^= 0x01
            return replaced(response, bytes(body))
        return response

    world.wiretap.rewrite = flip_in_the_middle
    report = world.downloader.download()
    assert report.outcomes[Item.FEED] is Outcome.REFUSED
    assert world.copies.feed is kept and world.copies.feed.last_sequence == 2
    assert [r.reason for r in world.sink.refusals] == ["damaged"]


def test_a_kiosk_falls_back_to_the_one_batch_snapshot_of_an_older_central(
    world: KioskWorld,
) -> None:
    world.add_changes(3)

    def no_files(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == FEED_SNAPSHOT_FILE_PATH:
            return httpx.Response(404, json={"detail": "Not Found"})
        return response

    world.wiretap.rewrite = no_files
    report = world.downloader.download()
    assert report.snapshots == 1 and world.copies.feed.last_sequence == 3
    assert FEED_SNAPSHOT_PATH in world.wiretap.paths


def test_a_thousand_kiosks_asking_the_same_complete_page_share_one_signed_delta(
    world: KioskWorld,
) -> None:
    world.add_changes(10)
    world.downloader.download()  # the snapshot
    folder = world.central.settings.resolved_feed_files_dir
    assert newest_snapshot(folder) is not None
    world.add_changes(9)
    client = world.downloader.client
    first = client.get("http://central.test" + FEED_PATH, params={"after": 10, "limit": 4})
    again = client.get("http://central.test" + FEED_PATH, params={"after": 10, "limit": 4})
    last = client.get("http://central.test" + FEED_PATH, params={"after": 18, "limit": 4})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content  # the same signed bytes: signed once
    cached = sorted(path.name for path in (folder / DELTAS_FOLDER).iterdir())
    assert cached == ["10-4.cose"]  # the page reaching the head (18-4) is signed fresh
    assert last.status_code == 200
