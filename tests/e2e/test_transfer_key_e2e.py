"""A kiosk that only ever synced through its sync thread can still hand its backlog over on a
file once the network is gone: the sync thread keeps central's transfer key where `kiosk
export-outbox` looks for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from healthcode.feed import FeedCopy
from kiosk.client.worker import start_sync
from kiosk.store import Store, StoreKeys
from tests.e2e.conftest import RealServer
from tests.kiosk.checkpoint_support import passage
from tests.sync.download_world import RecordingSink

TIMEOUT_S = 120


def _store(data: Path) -> Store:
    return Store(data / "kiosk.db", StoreKeys.load_or_create(data / "keys" / "store.key"))


def test_export_outbox_works_offline_after_the_sync_thread_reached_central(
    server: RealServer, tmp_path: Path
) -> None:
    data = tmp_path / "kiosk"
    enrollment = server.enroll(data / "identity")
    with _store(data) as store:
        store.passages.record(passage(code_byte=1)).result(timeout=10)
        worker = start_sync(
            data / "identity",
            RecordingSink(),
            feed=FeedCopy(),
            trust_list=enrollment.trust_list,
            policy_version=enrollment.response.policy.policy_version,
            roster_version=enrollment.response.staff_roster.roster_version,
            outbox=store.outbox,
            start=False,
        )
        try:
            worker.run_once()  # the running kiosk's round: upload, then download
        finally:
            worker.stop()
            worker.downloader.client.close()
        assert worker.status().online is True and store.outbox.outbox_backlog() == 0
        server.stop()  # the network is gone; people keep passing
        for code in range(2, 5):
            store.passages.record(passage(code_byte=code)).result(timeout=10)
    usb = tmp_path / "usb"
    exported = subprocess.run(
        [sys.executable, "-m", "kiosk", "export-outbox", str(usb), "--data-dir", str(data)],
        capture_output=True, text=True, env=server.env, check=False, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "3 records written" in exported.stdout
    assert len(list(usb.iterdir())) == 1
