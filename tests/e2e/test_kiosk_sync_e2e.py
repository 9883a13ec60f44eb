"""The kiosk program against a real central process: its passages upload by themselves, its
status feed arrives verified, and `kiosk export-outbox` hands the backlog over on a file when
there is no network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.cli import RunOptions
from kiosk.config import KioskConfig
from kiosk.store import LogFilter, Store, StoreKeys
from kiosk.ui.run import build
from tests.e2e.conftest import RealServer
from tests.kiosk.checkpoint_support import passage

TIMEOUT_S = 120


def _received(server: RealServer) -> int:
    return int(server.query("SELECT COUNT(*) FROM received_passages")[0][0])


def test_an_enrolled_kiosk_uploads_its_passages_by_itself(
    server: RealServer, tmp_path: Path, qtbot: QtBot
) -> None:
    data = tmp_path / "kiosk"
    server.enroll(data / "identity")
    options = RunOptions(KioskConfig.default(), data, False, "zh", True, None, None, None)
    kiosk, _ = build(options)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        kiosk.bridge.submit_code_text("JKM1:NOT-A-REAL-CODE")  # denied at once, still recorded
        qtbot.waitUntil(lambda: kiosk.store.passages.log_count(LogFilter()) == 1, timeout=10_000)
        kiosk.sync.nudge()
        qtbot.waitUntil(lambda: _received(server) == 1, timeout=60_000)
        qtbot.waitUntil(lambda: kiosk.store.outbox.outbox_backlog() == 0, timeout=30_000)
        qtbot.waitUntil(lambda: kiosk.sync.status().online is True, timeout=30_000)
        # A new kiosk starts its status-feed copy from central's signed snapshot.
        qtbot.waitUntil(lambda: kiosk.checker.state.feed.as_of_utc is not None, timeout=30_000)
        kiosk.refresh_status()
        assert "在线" in kiosk.window.scan.status.item_text(3)
    finally:
        kiosk.stop()


def test_a_demo_kiosk_enrolled_with_central_downloads_without_a_refusal(
    server: RealServer, tmp_path: Path, qtbot: QtBot
) -> None:
    data = tmp_path / "kiosk"
    server.enroll(data / "identity")
    options = RunOptions(
        KioskConfig.default(), data, True, "zh", True, None, None, server.folder / "keys"
    )
    kiosk, _thermometer = build(options)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    try:
        kiosk.sync.nudge()
        qtbot.waitUntil(lambda: kiosk.sync.status().online is True, timeout=60_000)
        assert kiosk.sync.status().refusal is None  # not "older_snapshot" against the demo feed
        assert kiosk.checker.state.feed.last_sequence == 1  # the demo still decides with its own
    finally:
        kiosk.stop()
        if _thermometer is not None:
            _thermometer.close()  # type: ignore[attr-defined]


def test_kiosk_export_outbox_hands_the_backlog_to_central_on_a_file(
    server: RealServer, tmp_path: Path
) -> None:
    data = tmp_path / "kiosk"
    server.enroll(data / "identity")
    with Store(data / "kiosk.db", StoreKeys.load_or_create(data / "keys" / "store.key")) as store:
        for code in range(1, 6):
            store.passages.record(passage(code_byte=code)).result(timeout=10)
    usb = tmp_path / "usb"
    exported = subprocess.run(
        [sys.executable, "-m", "kiosk", "export-outbox", str(usb), "--data-dir", str(data)],
        capture_output=True, text=True, env=server.env, check=False, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "5 records written" in exported.stdout
    (path,) = usb.iterdir()
    first = server.cli("import-outbox", str(path))
    assert '"stored": 5' in first
    assert _received(server) == 5
