"""Central's feed files (issue 28): a snapshot file built once per head and served with ETag,
304 and Range (or handed to nginx), one builder at a time, old files removed after a grace."""

from __future__ import annotations

import fcntl
import os
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from central.issuance.feed_files import LOCK_FILE, SnapshotFile, newest_snapshot, remove_old_files
from central.jobs import ReportWork, run_once
from healthcode.feed import open_signed_batch
from healthcode.feed_file import BlockEncoding, open_snapshot_file
from sync.distribution import (
    BLOCKS_PARAMETER,
    COLUMN_BLOCKS,
    FEED_HEAD_HEADER,
    FEED_SNAPSHOT_FILE_PATH,
    FEED_SNAPSHOT_PATH,
)
from tests.central.conftest import SERVER, Central
from tests.sync.download_world import KioskWorld, kiosk_world


def _signed_client(world: KioskWorld) -> httpx.Client:
    return httpx.Client(
        transport=world.central.client._transport,
        auth=world.enrollment.identity.auth(clock=world.central.clock),
        base_url=SERVER,
    )


def _folder(central: Central) -> Path:
    return central.settings.resolved_feed_files_dir


COLUMNS = {BLOCKS_PARAMETER: COLUMN_BLOCKS}  # what a kiosk that reads column blocks asks
# (asked without it, as by a kiosk from before them, central sends the file in row blocks)
KIOSKS = pytest.mark.parametrize(
    ("asked", "blocks"),
    [(COLUMNS, BlockEncoding.COLUMNS), ({}, BlockEncoding.ROWS)],
    ids=["reads-columns", "older-kiosk"],
)


@KIOSKS
def test_the_snapshot_file_verifies_and_answers_304_and_ranges(
    central: Central, tmp_path: Path, asked: dict[str, str], blocks: BlockEncoding
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(40)
    path = FEED_SNAPSHOT_FILE_PATH
    with _signed_client(world) as client:
        whole = client.get(path, params=asked)
        tag = whole.headers["etag"]
        same = client.get(path, params=asked, headers={"if-none-match": tag})
        tail = client.get(path, params=asked, headers={"range": "bytes=100-"})
        stale = client.get(
            path, params=asked, headers={"range": "bytes=100-", "if-range": '"other"'}
        )
        beyond = client.get(path, params=asked, headers={"range": "bytes=999999-"})
    assert whole.status_code == 200 and whole.headers[FEED_HEAD_HEADER] == "40"
    assert same.status_code == 304
    assert tail.status_code == 206 and tail.content == whole.content[100:]
    assert (
        tail.headers["content-range"] == f"bytes 100-{len(whole.content) - 1}/{len(whole.content)}"
    )
    assert stale.status_code == 200 and stale.content == whole.content
    assert beyond.status_code == 416
    saved = tmp_path / "got.snap"
    saved.write_bytes(whole.content)
    with open_snapshot_file(saved, world.enrollment.trust_list) as reader:
        assert reader.header.blocks is blocks
        assert len(list(reader.entries())) == 40 and reader.header.last_sequence == 40


def test_a_kiosk_reading_columns_and_an_older_one_get_the_same_entries_in_their_own_files(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(30)
    with _signed_client(world) as client:
        columns = client.get(FEED_SNAPSHOT_FILE_PATH, params=COLUMNS)
        rows = client.get(FEED_SNAPSHOT_FILE_PATH)
        rows_again = client.get(FEED_SNAPSHOT_FILE_PATH)
        # each format's ETag is its own file's: the other's gets the whole file, not a 304
        crossed = client.get(
            FEED_SNAPSHOT_FILE_PATH, headers={"if-none-match": columns.headers["etag"]}
        )
        resumed_across = client.get(
            FEED_SNAPSHOT_FILE_PATH,
            params=COLUMNS,
            headers={"range": "bytes=100-", "if-range": rows.headers["etag"]},
        )
    assert columns.headers["etag"] != rows.headers["etag"]
    assert rows_again.content == rows.content  # the row copy is made once, then kept
    assert crossed.status_code == 200 and crossed.content == rows.content
    assert resumed_across.status_code == 200 and resumed_across.content == columns.content
    read = {}
    for name, answer in (("columns", columns), ("rows", rows)):
        saved = tmp_path / f"{name}.snap"
        saved.write_bytes(answer.content)
        with open_snapshot_file(saved, world.enrollment.trust_list) as reader:
            read[name] = (reader.header.last_sequence, list(reader.entries()))
    assert read["columns"] == read["rows"] and len(read["rows"][1]) == 30


def test_the_file_is_built_once_per_head_and_again_when_the_head_moves(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(3)
    with _signed_client(world) as client:
        tags = [
            client.get(FEED_SNAPSHOT_FILE_PATH, params=COLUMNS).headers["etag"] for _ in range(3)
        ]
        built = sorted(p.name for p in _folder(central).glob("snapshot-*"))
        world.add_changes(1)
        moved = client.get(FEED_SNAPSHOT_FILE_PATH, params=COLUMNS)
    assert len(set(tags)) == 1 and len(built) == 1
    assert moved.headers["etag"] != tags[0] and moved.headers[FEED_HEAD_HEADER] == "4"


def test_while_another_process_builds_the_newest_complete_file_is_served(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(2)
    with _signed_client(world) as client:
        first = client.get(FEED_SNAPSHOT_FILE_PATH)
        world.add_changes(2)
        with (_folder(central) / LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # as another central process building
            during = client.get(FEED_SNAPSHOT_FILE_PATH)
            fcntl.flock(lock, fcntl.LOCK_UN)
        after = client.get(FEED_SNAPSHOT_FILE_PATH)
    assert during.headers["etag"] == first.headers["etag"]
    assert after.headers[FEED_HEAD_HEADER] == "4"


@KIOSKS
def test_behind_nginx_the_app_hands_the_file_over_with_x_accel_redirect(
    central: Central, tmp_path: Path, asked: dict[str, str], blocks: BlockEncoding
) -> None:
    central.app.state.settings.feed_files_accel_prefix = "/internal/feed-files/"
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(2)
    with _signed_client(world) as client:
        answer = client.get(FEED_SNAPSHOT_FILE_PATH, params=asked)
    newest = newest_snapshot(_folder(central))
    assert newest is not None
    path, tag = (
        (newest.path, newest.etag)
        if blocks is BlockEncoding.COLUMNS
        else (newest.rows_path, newest.rows_etag)
    )
    assert answer.headers["x-accel-redirect"] == "/internal/feed-files/" + path.name
    assert answer.headers["etag"] == tag and answer.content == b""
    with open_snapshot_file(path, world.enrollment.trust_list) as reader:
        assert reader.header.blocks is blocks


def test_old_snapshot_files_are_removed_only_after_the_grace_period(tmp_path: Path) -> None:
    names = ["snapshot-1-aa.snap", "snapshot-2-bb.snap", "snapshot-3-cc.snap"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    os.utime(tmp_path / names[0], (an_hour_ago, an_hour_ago))
    keep = SnapshotFile.of(tmp_path / names[2])
    assert keep is not None
    removed = remove_old_files(tmp_path, keep=keep, grace=timedelta(minutes=30))
    assert removed == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == names[1:]


def test_the_old_one_batch_snapshot_is_made_from_the_file_and_refused_when_too_big(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(5)
    with _signed_client(world) as client:
        small = client.get(FEED_SNAPSHOT_PATH)
        central.app.state.legacy_snapshot_max_entries = 4
        world.add_changes(1)
        big = client.get(FEED_SNAPSHOT_PATH)
    batch = open_signed_batch(small.content, world.enrollment.trust_list)
    assert len(batch.entries) == 5 and batch.last_sequence == 5
    assert big.status_code == 503 and big.json()["error"] == "unavailable"
    assert "snapshot-file" in big.json()["detail"]


def test_the_periodic_jobs_build_the_file_before_any_kiosk_asks_for_it(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(5)
    sessions = central.app.state.sessions
    run_once(sessions, central.clock, reports=ReportWork(central.settings))
    ready = newest_snapshot(_folder(central))
    with _signed_client(world) as client:
        served = client.get(FEED_SNAPSHOT_FILE_PATH, params=COLUMNS)
    assert ready is not None and ready.last_sequence == 5
    assert served.headers["etag"] == ready.etag
